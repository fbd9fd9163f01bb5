"""Who may read and change compensation's resources, derived from the access table (``core.access``).

One module per area; each registers its rows (and the endpoints the scope matrix checks) on import,
which ``core.access.autodiscover`` does through this package.
"""

from gaizao.compensation.policies import agreements, changes, publicity, schemes, valuations  # noqa: F401
