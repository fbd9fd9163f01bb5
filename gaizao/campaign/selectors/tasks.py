"""Reads of the task list (任务清单): lists, the tree, one task, overdue tasks, figures per unit.

Every read for a user starts from ``task_scope`` (``campaign.policies.tasks``): the office, the
admin and leaders read every task; a street or a department the tasks of its own units. Lists cost
a fixed number of queries whatever their length (keyset pages by id, one query per page).

A task is overdue (逾期) while it is open (未开始、进行中) and its deadline has passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When, Window
from django.utils import timezone

from gaizao.campaign.choices import OPEN_TASK_STATUSES, TaskCategory, TaskStatus
from gaizao.campaign.models import Campaign, Task, TaskAttachment, TaskNote
from gaizao.campaign.policies.tasks import task_scope
from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.scoping import get_in_scope

PAGE_SIZE = 50
OPEN = "open"  # a status filter: not started or in progress


def overdue_condition(on: dt.date) -> Q:
    """Open with its deadline passed: the one rule of 逾期, in SQL."""
    return Q(status__in=OPEN_TASK_STATUSES, deadline__lt=on)


@dataclass
class TaskRow:
    """One task as lists, the tree, the API and the command show it."""

    id: int
    version: int
    campaign_id: int
    parent_id: int | None
    depth: int
    title: str
    category: str
    category_label: str
    unit_id: int
    unit_name: str
    unit_kind: str
    person_id: int | None
    person_name: str
    village_id: int | None
    village_name: str
    deadline: dt.date
    deadline_note: str
    status: str
    status_label: str
    progress: int
    done_on: dt.date | None
    overdue: bool
    days_overdue: int  # calendar days past the deadline (0 when not overdue)
    days_left: int | None  # calendar days to the deadline, while open and not overdue
    children: list["TaskRow"] = field(default_factory=list)


_ROW_FIELDS = ("id", "version", "campaign_id", "parent_id", "depth", "title", "category", "unit_id", "person_id",
               "village_id", "deadline", "deadline_note", "status", "progress", "done_on")
_ROW_VALUES = dict(unit_name=F("unit__name"), unit_kind=F("unit__kind"), person_full_name=F("person__full_name"),
                   person_username=F("person__username"), village_name=F("village__name"))


def _row(values: dict, on: dt.date) -> TaskRow:
    categories = dict(TaskCategory.choices)
    statuses = dict(TaskStatus.choices)
    is_open = values["status"] in OPEN_TASK_STATUSES
    late = is_open and values["deadline"] < on
    return TaskRow(
        id=values["id"], version=values["version"], campaign_id=values["campaign_id"], parent_id=values["parent_id"],
        depth=values["depth"], title=values["title"], category=values["category"],
        category_label=str(categories.get(values["category"], values["category"])),
        unit_id=values["unit_id"], unit_name=values["unit_name"], unit_kind=values["unit_kind"],
        person_id=values["person_id"], person_name=values["person_full_name"] or values["person_username"] or "",
        village_id=values["village_id"], village_name=values["village_name"] or "",
        deadline=values["deadline"], deadline_note=values["deadline_note"], status=values["status"],
        status_label=str(statuses.get(values["status"], values["status"])), progress=values["progress"],
        done_on=values["done_on"], overdue=late, days_overdue=(on - values["deadline"]).days if late else 0,
        days_left=(values["deadline"] - on).days if is_open and not late else None,
    )


def _rows(qs: QuerySet[Task]) -> QuerySet:
    return qs.values(*_ROW_FIELDS, **_ROW_VALUES)


def _filtered(qs: QuerySet[Task], *, campaign=None, unit=None, status=None, overdue=None, category=None,
              on: dt.date) -> QuerySet[Task]:
    if campaign:
        qs = qs.filter(campaign_id=getattr(campaign, "pk", campaign))
    if unit:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    if status == OPEN:
        qs = qs.filter(status__in=OPEN_TASK_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if overdue is True:
        qs = qs.filter(overdue_condition(on))
    elif overdue is False:
        qs = qs.exclude(overdue_condition(on))
    return qs


def task_list(user, *, campaign=None, unit=None, status: str | None = None, overdue: bool | None = None,
              category: str | None = None, after: int | None = None, limit: int = PAGE_SIZE,
              today: dt.date | None = None) -> KeysetPage:
    """One page of tasks in scope, filtered, in id order after ``after``: one query (KeysetPage of TaskRow).

    ``status`` is a ``TaskStatus`` or ``"open"`` (未开始 and 进行中).
    """
    on = today or timezone.localdate()
    qs = _filtered(task_scope(user), campaign=campaign, unit=unit, status=status, overdue=overdue, category=category,
                   on=on)
    if after:
        qs = qs.filter(id__gt=after)
    page = keyset_page(_rows(qs.order_by("id"))[: limit + 1], limit=limit, key=lambda values: values["id"])
    return KeysetPage(items=[_row(values, on) for values in page.items], next_after=page.next_after)


def task_tree(campaign, user, *, today: dt.date | None = None) -> list[TaskRow]:
    """The campaign's tasks in scope as a tree (one query): the roots with their ``children``.

    A task whose parent the user does not read stands as a root (a street sees its own tasks and
    their sub-tasks, not the office's whole list). Siblings in deadline order.
    """
    on = today or timezone.localdate()
    qs = task_scope(user).filter(campaign_id=getattr(campaign, "pk", campaign)).order_by("deadline", "id")
    rows = [_row(values, on) for values in _rows(qs)]
    by_id = {row.id: row for row in rows}
    roots = []
    for row in rows:
        parent = by_id.get(row.parent_id) if row.parent_id else None
        (parent.children if parent else roots).append(row)
    return roots


def flatten(nodes: list[TaskRow], level: int = 0) -> list[tuple[int, TaskRow]]:
    """The tree as (level, row) in display order, for a table."""
    out: list[tuple[int, TaskRow]] = []
    for node in nodes:
        out.append((level, node))
        out.extend(flatten(node.children, level + 1))
    return out


def task_get(user, pk) -> Task:
    """The task with its campaign, unit, person, village and parent if the user reads it, else 404."""
    return get_in_scope(task_scope(user).select_related("campaign", "unit", "person", "village", "parent",
                                                        "created_by"), pk=pk)


def task_notes(task: Task) -> list[TaskNote]:
    return list(TaskNote.objects.filter(task=task).select_related("author").order_by("-id"))


def task_attachments(task: Task) -> list[TaskAttachment]:
    return list(TaskAttachment.objects.filter(task=task).select_related("uploaded_by").order_by("id"))


def task_children(task: Task, user, *, today: dt.date | None = None) -> list[TaskRow]:
    """The sub-tasks of a task the user reads (one query)."""
    on = today or timezone.localdate()
    return [_row(values, on) for values in _rows(task_scope(user).filter(parent=task).order_by("deadline", "id"))]


def task_attachment_scope(user) -> QuerySet[TaskAttachment]:
    return TaskAttachment.objects.filter(task__in=task_scope(user))


def tasks_overdue(*, campaign=None, today: dt.date | None = None, batch: int = 1000) -> list[TaskRow]:
    """Every overdue task (of one campaign, or of every campaign): the system's view, for the command
    and the reminders. Most overdue first."""
    on = today or timezone.localdate()
    qs = _filtered(Task.objects.all(), campaign=campaign, overdue=True, on=on)
    rows: list[TaskRow] = []
    after = None
    while True:
        chunk = qs.filter(id__gt=after) if after else qs
        values = list(_rows(chunk.order_by("id"))[:batch])
        rows.extend(_row(v, on) for v in values)
        if len(values) < batch:
            break
        after = values[-1]["id"]
    rows.sort(key=lambda row: (row.deadline, row.unit_name, row.id))
    return rows


def task_figures(campaign, *, today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """Per responsible unit: total, done, open, overdue and done on time (按期完成) tasks of the
    campaign, cancelled ones left out (one grouped query). The overview and the assessment read it."""
    on = today or timezone.localdate()
    grouped = (
        Task.objects.filter(campaign_id=getattr(campaign, "pk", campaign)).exclude(status=TaskStatus.CANCELLED)
        .order_by().values("unit_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)),
                  open=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES)),
                  overdue=Count("id", filter=overdue_condition(on)),
                  done_on_time=Count("id", filter=Q(status=TaskStatus.DONE, done_on__lte=F("deadline"))))
    )
    return {row["unit_id"]: {name: row[name] for name in ("total", "done", "open", "overdue", "done_on_time")}
            for row in grouped}


def upcoming_deadlines(user, *, days: int = 7, today: dt.date | None = None, limit: int = 20) -> list[TaskRow]:
    """Open tasks in scope whose deadline is within ``days`` days from today, soonest first (one query)."""
    on = today or timezone.localdate()
    qs = task_scope(user).filter(status__in=OPEN_TASK_STATUSES, deadline__gte=on,
                                 deadline__lte=on + dt.timedelta(days=days)).order_by("deadline", "id")
    return [_row(values, on) for values in _rows(qs)[:limit]]


@dataclass
class HomeTasks:
    """A unit's open tasks on its home page: overdue first, then by deadline."""

    rows: list[TaskRow]
    open: int
    overdue: int
    due_soon: int


def home_tasks(user, *, days: int = 7, limit: int = 8, today: dt.date | None = None) -> HomeTasks:
    """The open tasks of the user's own units (overdue first, then soonest) and their counts: one
    query whatever their number (the counts are window sums over the same rows, taken before the limit)."""
    on = today or timezone.localdate()
    soon = on + dt.timedelta(days=days)

    def flag(condition: Q):
        return Window(Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())))

    qs = task_scope(user).filter(status__in=OPEN_TASK_STATUSES).annotate(
        late=Case(When(deadline__lt=on, then=Value(0)), default=Value(1), output_field=IntegerField()),
        n_open=Window(Count("id")), n_overdue=flag(Q(deadline__lt=on)),
        n_soon=flag(Q(deadline__gte=on, deadline__lte=soon)),
    ).order_by("late", "deadline", "id")
    found = list(qs.values(*_ROW_FIELDS, "n_open", "n_overdue", "n_soon", **_ROW_VALUES)[:limit])
    first = found[0] if found else {"n_open": 0, "n_overdue": 0, "n_soon": 0}
    return HomeTasks(rows=[_row(values, on) for values in found], open=first["n_open"],
                     overdue=first["n_overdue"] or 0, due_soon=first["n_soon"] or 0)


def current_campaign(user=None) -> Campaign | None:
    """The campaign the task pages open on: the current one (``status.current_campaign``, one query)."""
    from gaizao.campaign.selectors.status import current_campaign as current

    return current()


__all__ = [
    "HomeTasks", "OPEN", "TaskRow", "current_campaign", "flatten", "home_tasks", "overdue_condition",
    "task_attachment_scope", "task_attachments", "task_children", "task_figures", "task_get", "task_list",
    "task_notes", "task_tree", "tasks_overdue", "upcoming_deadlines",
]
