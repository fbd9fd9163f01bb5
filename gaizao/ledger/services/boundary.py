"""A village's boundary (边界): the check is shared with the org units' in ``gaizao.core.boundary``."""

from gaizao.core.boundary import MAX_POINTS, BoundaryError, clean_boundary  # noqa: F401
