"""Who reads the whole audit trail (审计日志), as a row of the access table (``core.access``).

The audit trail belongs to core, its page to the portal; the auditor (审计管理员) reads all of it and
nobody writes it from a page (三员分立). The history on a detail page is not this resource: it follows
the object it belongs to.
"""

from __future__ import annotations

from gaizao.core import access
from gaizao.core.access import DISTRICT, Rule
from gaizao.org.choices import Role

AUDIT_ROWS = {
    Role.AUDITOR: Rule(read=DISTRICT),
}


def register_access() -> None:
    access.register("portal.audit", AUDIT_ROWS)


def audit_reader(user) -> bool:
    """Reads the whole audit trail (the audit page and its menu item): the auditor."""
    return access.grant(user, "portal.audit").everywhere


register_access()
