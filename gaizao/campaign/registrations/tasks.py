"""What the tasks area (任务清单) registers: its menu item, the street's home card, the audit
labels of its writes, and the hourly reminders on the core schedule. The department's home card is
the portal's (``portal.home_cards.department_tasks``), which reads ``selectors.tasks.home_tasks``."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu
from gaizao.org.choices import Role

ACTION_LABELS = {
    "campaign.task_create": _("交办任务"),
    "campaign.task_update": _("修改任务"),
    "campaign.task_note": _("填报任务进展"),
    "campaign.task_attach": _("上传任务附件"),
    "campaign.task_complete": _("办结任务"),
    "campaign.task_reopen": _("重新打开任务"),
    "campaign.task_cancel": _("取消任务"),
}


def street_tasks(user) -> dict | None:
    """The street's tasks waiting (本街道的任务): overdue first, then due soonest; None for others."""
    from gaizao.core import access

    if Role.STREET not in access.grant(user, "campaign.task", write=True).roles_at(access.UNIT):
        return None
    from gaizao.campaign.selectors.tasks import home_tasks

    return {"tasks": home_tasks(user), "title": _("本街道的任务")}


def register() -> None:
    from gaizao.core import schedule
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="campaign.tasks", label=_("任务清单"), url_name="campaign:task_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT), order=80,
                           group="campaign"))
    home_cards.register(HomeCard(name="campaign.street_tasks", template="campaign/tasks/_home_card.html",
                                 context=street_tasks, order=4, section=TODO))
    schedule.register(name="campaign.task_reminders", every=timedelta(hours=1),
                      run="gaizao.campaign.periodic.task_reminders")
