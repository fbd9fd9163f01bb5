"""Periodic work of the campaign (定时任务), registered on the core schedule every hour.

Task reminders (任务提醒): three working days before a task's deadline (临期提醒) and on the day
after a missed one (逾期提醒), to the task's person or, with none, its unit's staff. Each reminder
carries a key (``task:{pk}:due3:{deadline}``, ``task:{pk}:overdue:{deadline}``), so a run repeated
within the hour, or a scheduler restarted, sends nothing new; a deadline moved gets its own.
The assignment notice is sent by ``task_create`` itself.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
DUE_SOON_WORKDAYS = 3


def task_reminders(*, today: dt.date | None = None) -> int:
    """Send the due reminders of every open task; returns how many notices were written."""
    from gaizao.campaign.choices import OPEN_TASK_STATUSES
    from gaizao.campaign.models import Task
    from gaizao.campaign.services.tasks import task_recipients, task_url
    from gaizao.core import calendar
    from gaizao.core.notifications import notify

    on = today or timezone.localdate()
    # Due within three working days: deadline between today and the 3rd working day from today.
    soon = calendar.add_workdays(on, DUE_SOON_WORKDAYS)
    tasks = (Task.objects.filter(status__in=OPEN_TASK_STATUSES)
             .filter(Q(deadline__gte=on, deadline__lte=soon) | Q(deadline__lt=on))
             .select_related("unit", "person").order_by("id"))
    sent = 0
    for task in tasks.iterator(chunk_size=500):
        recipients = task_recipients(task)
        if task.deadline < on:
            days = (on - task.deadline).days
            sent += notify(recipients=recipients, kind="campaign.task_overdue", link=task_url(task),
                           key=f"task:{task.pk}:overdue:{task.deadline:%Y%m%d}",
                           title=_("任务逾期：%(t)s") % {"t": task.title[:100]},
                           body=_("%(u)s 的任务已超过完成时限 %(d)s（逾期 %(n)d 天），请尽快办结或说明情况。") % {
                               "u": task.unit.name, "d": task.deadline, "n": days})
        else:
            sent += notify(recipients=recipients, kind="campaign.task_due", link=task_url(task),
                           key=f"task:{task.pk}:due3:{task.deadline:%Y%m%d}",
                           title=_("任务临期：%(t)s") % {"t": task.title[:100]},
                           body=_("%(u)s 的任务将于 %(d)s 到期（3 个工作日内），当前进度 %(p)d%%。") % {
                               "u": task.unit.name, "d": task.deadline, "p": task.progress})
    if sent:
        logger.info("task reminders: %d notices", sent)
    return sent
