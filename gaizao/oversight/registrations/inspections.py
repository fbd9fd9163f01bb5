"""What the inspections area (督查 / 整改) registers: its menu items and the audit labels of its writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import MenuItem, menu
from gaizao.org.choices import Role

ACTION_LABELS = {
    "oversight.inspection_create": _("记录督查"),
    "oversight.inspection_update": _("修改督查"),
    "oversight.finding_add": _("登记督查问题"),
    "oversight.finding_fix": _("提交整改情况"),
    "oversight.finding_verify": _("核验整改（通过）"),
    "oversight.finding_return": _("核验整改（退回）"),
    "oversight.order_raise_from_finding": _("督查问题转督办"),
}
READERS = (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT)


def register() -> None:
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="oversight.inspections", label=_("督查"), url_name="oversight:inspection_list",
                           roles=READERS, order=110, group="oversight"))
    menu.register(MenuItem(name="oversight.findings", label=_("整改事项"), url_name="oversight:finding_list",
                           roles=READERS, order=111, group="oversight"))
