"""Who reads the whole audit trail (审计日志), as a row of the access table (``core.access``).

The audit trail belongs to core, its page to the portal; the auditor (审计管理员) reads all of it and
nobody writes it from a page (三员分立). The history on a detail page is not this resource: it follows
the object it belongs to.
"""

from __future__ import annotations

from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Rule
from gaizao.org.choices import Role

AUDIT_ROWS = {
    Role.AUDITOR: Rule(read=DISTRICT),
}
# A department's tasks (部门任务) on its home card; which tasks are the campaign's rows (campaign.task).
DEPARTMENT_TASK_ROWS = {
    Role.DEPARTMENT: Rule(read=UNIT),
}


def register_access() -> None:
    access.register("portal.audit", AUDIT_ROWS)
    access.register("portal.department_tasks", DEPARTMENT_TASK_ROWS)


def audit_reader(user) -> bool:
    """Reads the whole audit trail (the audit page and its menu item): the auditor."""
    return access.grant(user, "portal.audit").everywhere


register_access()


def department_member(user) -> bool:
    """Works in a department (部门): the department's task card on the home page."""
    return bool(access.grant(user, "portal.department_tasks"))
