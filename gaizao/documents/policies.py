"""Who reads and replaces the 公文 templates (documents.template): the administrator writes, the office reads.

Role names are plain strings (documents sits below org). The pages are routed by kind, not by id, so the
resource has no endpoints for the scope matrix (tests/test_scope_matrix.py, WITHOUT_ENDPOINTS).
"""

from __future__ import annotations

from gaizao.core import access
from gaizao.core.access import DISTRICT, Rule

TEMPLATE_ROWS = {
    "admin": Rule(read=DISTRICT, write=DISTRICT),
    "commander": Rule(read=DISTRICT),
}
access.register("documents.template", TEMPLATE_ROWS)


def template_reader(user) -> bool:
    """Sees the 公文模板 page and downloads the templates: the administrator and the office."""
    return bool(access.grant(user, "documents.template"))


def template_writer(user) -> bool:
    """Uploads a district template or goes back to the shipped one: the administrator."""
    return bool(access.grant(user, "documents.template", write=True))
