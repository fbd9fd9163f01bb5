"""Tasks (任务清单): the office writes all; a street or a department reads and works on the tasks of its
own unit (their progress notes, attachments, sub-tasks and closing); leaders read all."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.campaign.models import Task
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
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


def task_reader(user) -> bool:
    """Reads some tasks (the task list's menu item and page): the district roles, streets, departments."""
    return bool(access.grant(user, "campaign.task"))


def task_can_assign(user) -> bool:
    """May create top-level tasks anywhere in the campaign and reassign them (the office, the admin)."""
    return access.grant(user, "campaign.task", write=True).everywhere


# Reopening and cancelling a task: the office and the admin only (the unit closes its own by 办结).
TASK_ASSIGN_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
}


def _attachment(task) -> int:
    return task.attachments.order_by("id").first().pk


def _shows(task) -> str:
    return task.title


TASK_ENDPOINTS = (
    Endpoint("task_page", lambda t: reverse("campaign:task_detail", args=[t.pk]), shows=_shows),
    Endpoint("task_api", lambda t: f"/api/campaign/tasks/{t.pk}", shows=_shows),
    Endpoint("task_subtask_page", lambda t: reverse("campaign:task_subtask", args=[t.pk]), write=True),
    Endpoint("task_edit_page", lambda t: reverse("campaign:task_edit", args=[t.pk]), write=True, method="POST"),
    Endpoint("task_patch_api", lambda t: f"/api/campaign/tasks/{t.pk}", write=True, method="PATCH"),
    Endpoint("task_note_page", lambda t: reverse("campaign:task_note", args=[t.pk]), write=True, method="POST"),
    Endpoint("task_note_api", lambda t: f"/api/campaign/tasks/{t.pk}/notes", write=True, method="POST"),
    Endpoint("task_attach_page", lambda t: reverse("campaign:task_attach", args=[t.pk]), write=True, method="POST"),
    Endpoint("task_attachment", lambda t: reverse("campaign:task_attachment", args=[_attachment(t)])),
    Endpoint("task_complete_page", lambda t: reverse("campaign:task_complete", args=[t.pk]), write=True,
             method="POST"),
    Endpoint("task_complete_api", lambda t: f"/api/campaign/tasks/{t.pk}/complete", write=True, method="POST"),
)
TASK_ASSIGN_ENDPOINTS = (
    Endpoint("task_reopen_page", lambda t: reverse("campaign:task_reopen", args=[t.pk]), write=True, method="POST"),
    Endpoint("task_cancel_page", lambda t: reverse("campaign:task_cancel", args=[t.pk]), write=True, method="POST"),
)

access.register("campaign.task", TASK_ROWS, locate=task_place, endpoints=TASK_ENDPOINTS)
access.register("campaign.task_assign", TASK_ASSIGN_ROWS, locate=task_place, endpoints=TASK_ASSIGN_ENDPOINTS)
