"""What the orders area (督办单) registers: its menu items, the audit labels of its writes, and the
hourly reminders on the core schedule (``oversight.periodic.order_reminders``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu
from gaizao.org.choices import Role

ACTION_LABELS = {
    "oversight.order_create": _("督办单拟稿"),
    "oversight.order_update": _("修改督办单草稿"),
    "oversight.order_submit": _("督办单提交领导审核"),
    "oversight.order_issue": _("领导审核同意，下发督办单"),
    "oversight.order_send_back": _("领导审核退回督办单"),
    "oversight.order_receive": _("签收督办单"),
    "oversight.order_start": _("开始办理督办事项"),
    "oversight.order_feedback": _("反馈督办办理情况"),
    "oversight.order_close": _("核验通过，督办单销号"),
    "oversight.order_return": _("核验未通过，退回重办"),
    "oversight.order_cancel": _("撤销督办单"),
}


def oversight_todo(user) -> dict | None:
    from gaizao.oversight.selectors.home import oversight_todo as todo

    return todo(user)


def register() -> None:
    from gaizao.core import schedule
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="oversight.orders", label=_("督办单"), url_name="oversight:order_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT), order=10,
                           group="oversight"))
    menu.register(MenuItem(name="oversight.order_candidates", label=_("待督办"), url_name="oversight:order_candidates",
                           roles=(Role.ADMIN, Role.COMMANDER), order=11, group="oversight"))
    home_cards.register(HomeCard(name="oversight.todo", template="oversight/home/_todo.html", context=oversight_todo,
                                 order=6, section=TODO))
    schedule.register(name="oversight.order_reminders", every=timedelta(hours=1),
                      run="gaizao.oversight.periodic.order_reminders")
