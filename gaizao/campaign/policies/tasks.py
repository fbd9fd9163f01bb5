"""Tasks (任务清单): the office writes all; a street or a department reads and works on the tasks of its
own unit (their progress notes, attachments, sub-tasks and closing); leaders read all."""

from __future__ import annotations

from django.db.models import QuerySet

from gaizao.campaign.models import Task
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Place, Rule
from gaizao.org.choices import Role

TASK_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT, write=UNIT),
}


def task_place(task) -> Place:
    return Place(unit_id=task.unit_id)


def task_scope(user) -> QuerySet[Task]:
    return access.grant(user, "campaign.task").filter(Task.objects.all(), unit="unit_id")


def task_write_scope(user) -> QuerySet[Task]:
    return access.grant(user, "campaign.task", write=True).filter(Task.objects.all(), unit="unit_id")


def task_can_assign(user) -> bool:
    """May create top-level tasks anywhere in the campaign and reassign them (the office, the admin)."""
    return access.grant(user, "campaign.task", write=True).everywhere


access.register("campaign.task", TASK_ROWS, locate=task_place)
