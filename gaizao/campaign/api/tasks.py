"""API: the task list (任务清单) — list, one task, create, change, progress notes, completion.

Reads start from ``task_scope``; out of scope answers 404. Writes go through the same services as
the pages: 400 with the field named when input is wrong, 404 when the user may not make the write,
409 when a PATCH carries a stale ``version``.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router

from gaizao.campaign.api.task_schemas import (CompleteIn, NoteIn, NoteOut, TaskFilters, TaskIn, TaskOut, TaskPageOut,
                                              TaskPatch)
from gaizao.campaign.choices import OPEN_TASK_STATUSES, TaskStatus
from gaizao.campaign.policies import campaign_scope
from gaizao.campaign.selectors import tasks as selectors
from gaizao.campaign.services import tasks as services
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id
from gaizao.core.scoping import get_in_scope

router = Router(tags=["任务清单"])
ERRORS = {400: dict, 404: dict, 409: dict}
# The services name the objects; the API's inputs are their ids.
ALIASES = {"unit": "unit_id", "person": "person_id", "village": "village_id", "parent": "parent_id",
           "campaign": "campaign_id"}


def _renamed(exc: AppError) -> AppError:
    fields = {ALIASES.get(k, k): v for k, v in exc.fields.items()}
    return type(exc)(exc.message, fields=fields, status=exc.status)


def _detail(user, pk: int):
    task = selectors.task_get(user, pk)
    today = timezone.localdate()
    task.unit_name = task.unit.name
    task.status_label = task.get_status_display()
    task.overdue = task.status in OPEN_TASK_STATUSES and task.deadline < today
    task.notes_list = selectors.task_notes(task)
    task.attachments_list = selectors.task_attachments(task)
    task.children_list = selectors.task_children(task, user)
    return {**{name: getattr(task, name) for name in TaskOut.model_fields if name not in (
        "notes", "attachments", "children")},
        "notes": task.notes_list, "attachments": task.attachments_list, "children": task.children_list}


@router.get("/tasks", response=TaskPageOut, summary="任务列表（按 id 翻页）")
def task_list(request, filters: Query[TaskFilters]):
    if filters.status and filters.status not in (selectors.OPEN, *TaskStatus.values):
        raise AppError(f"状态「{filters.status}」不是可选的值：open 或 " + "、".join(TaskStatus.values) + "。",
                       fields={"status": "不是可选的值"})
    page = selectors.task_list(request.auth, campaign=filters.campaign, unit=filters.unit, status=filters.status,
                               overdue=filters.overdue, category=filters.category, after=filters.after)
    return {"items": page.items, "next_after": page.next_after}


@router.get("/tasks/{task_id}", response=TaskOut, summary="任务详情（含进展、附件、子任务）")
def task_detail(request, task_id: Id):
    return _detail(request.auth, task_id)


@router.post("/tasks", response={201: TaskOut, **ERRORS}, summary="交办任务或分解子任务")
def task_create(request, payload: TaskIn):
    campaign = get_in_scope(campaign_scope(request.auth), pk=payload.campaign_id)
    try:
        task = services.task_create(
            actor=request.auth, campaign=campaign, title=payload.title, unit=payload.unit_id,
            person=payload.person_id, deadline=payload.deadline, workdays=payload.workdays, start=payload.start,
            category=payload.category, parent=payload.parent_id, village=payload.village_id,
            description=payload.description, ip=_ip(request))
    except AppError as exc:
        raise _renamed(exc) from None
    return 201, _detail(request.auth, task.pk)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="修改任务（带 version）")
def task_patch(request, task_id: Id, payload: TaskPatch):
    selectors.task_get(request.auth, task_id)  # out of read scope: 404 before anything else
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    names = {"unit_id": "unit", "person_id": "person", "village_id": "village"}
    renamed = {names.get(k, k): v for k, v in changes.items()}
    try:
        services.task_update(actor=request.auth, task=task_id, version=version, ip=_ip(request), **renamed)
    except AppError as exc:
        raise _renamed(exc) from None
    return 200, _detail(request.auth, task_id)


@router.post("/tasks/{task_id}/notes", response={201: NoteOut, **ERRORS}, summary="填报进展")
def task_note(request, task_id: Id, payload: NoteIn):
    selectors.task_get(request.auth, task_id)
    note = services.task_note_add(actor=request.auth, task=task_id, text=payload.text, progress=payload.progress,
                                  ip=_ip(request))
    return 201, note


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS}, summary="办结任务")
def task_complete(request, task_id: Id, payload: CompleteIn):
    selectors.task_get(request.auth, task_id)
    services.task_complete(actor=request.auth, task=task_id, done_on=payload.done_on, note=payload.note,
                           ip=_ip(request))
    return 200, _detail(request.auth, task_id)
