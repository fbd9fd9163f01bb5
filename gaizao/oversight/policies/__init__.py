"""Who may read and change oversight's resources, derived from the access table (``core.access``).

One module per area; each registers its rows (and the endpoints the scope matrix checks) on import,
which ``core.access.autodiscover`` does through this package.
"""

from gaizao.oversight.policies import assessment, bulletins, inspections, orders, records  # noqa: F401  (registers)
