"""What the assessment area (考核) registers: the audit labels of its writes and its menu item."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "oversight.scheme_create": _("制定考核办法"),
    "oversight.scheme_update": _("修改考核办法"),
    "oversight.indicators_set": _("设置考核指标"),
    "oversight.scheme_activate": _("施行考核办法"),
    "oversight.adjustment_add": _("录入加减分"),
    "oversight.sheet_publish": _("发布考核结果"),
    "oversight.sheet_recompute": _("重新计算考核结果"),
    "oversight.proposal_make": _("生成表彰问责建议"),
    "oversight.proposal_confirm": _("确认表彰问责建议"),
    "oversight.proposal_reject": _("否决表彰问责建议"),
}


def register() -> None:
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, menu
    from gaizao.org.choices import Role

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="oversight.assessment", label=_("考核"), url_name="oversight:assessment_home",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT), order=95,
                           group="oversight"))
