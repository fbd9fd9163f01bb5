"""The campaign's task list (任务清单): tasks assigned to streets and departments, their sub-tasks,
progress notes, attachments and closing.

Who may do what (the access table's ``campaign.task`` rows, ``campaign.policies.tasks``):

- the office (领导小组办公室) and the admin create tasks anywhere in the campaign, edit, reopen
  and cancel them;
- a street or a department works on the tasks of its own unit (notes, attachments, closing) and
  breaks them down: a sub-task under one of its tasks, for itself or a unit below it, which it
  may then edit;
- the system actor (commands, the demo, the meetings' decisions) acts as the office.

Deadlines are dates or a number of working days from a start (``core.calendar``); a date on a
rest day moves to the next working day and ``deadline_note`` says so. On assignment the person
(or the unit's staff) is notified (``campaign.periodic`` sends the reminders before and after).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.choices import OPEN_TASK_STATUSES, CampaignStatus, TaskCategory, TaskStatus
from gaizao.campaign.models import Campaign, Task, TaskAttachment, TaskNote
from gaizao.campaign.policies.tasks import task_can_assign, task_write_scope
from gaizao.core import calendar
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError
from gaizao.core.notifications import notify
from gaizao.core.services import check_text_values, conditional_update, full_clean, load_scoped, parse_date, stale
from gaizao.core.text import strip_refused
from gaizao.core.writes import writes
from gaizao.ledger.models import Village
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import OrgUnit, User
from gaizao.org.selectors import unit_member
from gaizao.progress.services.attachments import MAX_FILES, check_attachment

NOT_FOUND = "任务不存在或无权操作。"
TASK_UNIT_KINDS = (OrgKind.STREET, OrgKind.DEPARTMENT)
MAX_DEPTH = 4  # campaign → unit's task → three levels of sub-tasks
REASON_MAX = 200
UPDATE_FIELDS = {"title", "description", "category", "unit", "person", "village", "deadline", "workdays", "start"}
# The role whose staff answer for a unit's tasks when no person is named.
UNIT_STAFF_ROLE = {OrgKind.STREET: Role.STREET, OrgKind.DEPARTMENT: Role.DEPARTMENT}


def today() -> dt.date:
    return timezone.localdate()


def month_day(day: dt.date) -> str:
    return _("%(m)d月%(d)d日") % {"m": day.month, "d": day.day}


# --- rules shared with the selectors, the forms and the import ----------------------------------

def campaign_units() -> QuerySet[OrgUnit]:
    """The units a task may be assigned to (责任单位): the streets and departments of the district."""
    districts = list(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).values_list("path", flat=True))
    inside = Q(pk__in=[])
    for path in districts:
        inside |= Q(path__startswith=f"{path}/")
    return OrgUnit.objects.filter(inside, kind__in=TASK_UNIT_KINDS).order_by("kind", "path")


def task_can_edit(user, task: Task) -> bool:
    """May change what the task is (title, unit, person, deadline): the office for every task; a
    street or department for the sub-tasks it made under one of its own tasks."""
    if is_system(user) or task_can_assign(user):
        return True
    return task.parent_id is not None and task_write_scope(user).filter(pk=task.parent_id).exists()


def resolve_deadline(*, deadline=None, workdays=None, start=None) -> tuple[dt.date, int | None, str]:
    """(deadline, working days or None, note) from a date or N working days after ``start``.

    A date on a rest day moves to the next working day (顺延), and the note says so.
    """
    has_date = deadline not in (None, "")
    has_days = workdays not in (None, "")
    if has_date and has_days:
        raise AppError(_("完成时限和时限（工作日）只能填一项。"),
                       fields={"deadline": _("只填一项"), "workdays": _("只填一项")})
    if not has_date and not has_days:
        raise AppError(_("请填写完成时限（日期），或时限（工作日）。"), fields={"deadline": _("必填")})
    begin = _day(start, field="start", label=_("起算日期")) if start not in (None, "") else today()
    if has_days:
        try:
            days = int(workdays)
        except (TypeError, ValueError):
            raise AppError(_("时限（工作日）须为整数。"), fields={"workdays": _("须为整数")}) from None
        if days < 1 or days > calendar.MAX_WORKDAYS:
            raise AppError(_("时限（工作日）须在 1 到 %(n)d 之间。") % {"n": calendar.MAX_WORKDAYS},
                           fields={"workdays": _("超出范围")})
        due = calendar.add_workdays(begin, days)
        return due, days, _("自 %(s)s 起 %(n)d 个工作日") % {"s": month_day(begin), "n": days}
    day = _day(deadline, field="deadline", label=_("完成时限"))
    if day < begin:
        raise AppError(_("完成时限 %(d)s 早于起算日期 %(s)s。") % {"d": day, "s": begin},
                       fields={"deadline": _("早于起算日期")})
    due = calendar.next_workday(day)
    note = "" if due == day else _("原定 %(a)s 为休息日，顺延至 %(b)s") % {"a": month_day(day), "b": month_day(due)}
    return due, None, note


def _day(value, *, field: str, label: str) -> dt.date:
    return parse_date(value, field=field, label=label)


def _unit(value) -> OrgUnit:
    if isinstance(value, OrgUnit):
        pk = value.pk
    else:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise AppError(_("请选择责任单位。"), fields={"unit": _("必选")}) from None
    found = campaign_units().filter(pk=pk).first()
    if found is None:
        raise AppError(_("责任单位须为本区的街道或部门。"), fields={"unit": _("不是本区的街道或部门")})
    return found


def _person(value, unit: OrgUnit) -> User | None:
    return unit_member(value, unit, field="person", label=_("责任人"))


def _village(value, unit: OrgUnit) -> Village | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Village) else value
    village = Village.objects.filter(pk=pk).select_related("street").first()
    if village is None:
        raise AppError(_("所选城中村不存在。"), fields={"village": _("不存在")})
    if unit.kind == OrgKind.STREET and village.street_id != unit.pk:
        raise AppError(_("城中村%(v)s不属于责任单位%(u)s。") % {"v": village.name, "u": unit.name},
                       fields={"village": _("不属于责任单位")})
    return village


def _category(value) -> str:
    value = value or TaskCategory.GENERAL
    if value not in TaskCategory.values:
        raise AppError(_("类别「%(c)s」不是可选的值。") % {"c": value}, fields={"category": _("不是可选的值")})
    return value


def _check_sub_unit(actor, parent: Task | None, unit: OrgUnit) -> None:
    """A street or department breaks its own task down for itself or a unit below it."""
    if parent is None or is_system(actor) or task_can_assign(actor):
        return
    if unit.pk == parent.unit_id:
        return
    parent_path = OrgUnit.objects.filter(pk=parent.unit_id).values_list("path", flat=True).first()
    if not unit.path.startswith(f"{parent_path}/"):
        raise AppError(_("子任务的责任单位须为本单位（%(u)s）或其下属单位。") % {"u": parent.unit},
                       fields={"unit": _("不是本单位或下属单位")})


def _load(actor, task: Task | int, *, scope=task_write_scope) -> Task:
    return load_scoped(actor, Task.objects.select_related("unit", "campaign"), task, scope, missing=NOT_FOUND)


def _check_version(task: Task, version) -> int:
    if version is None or isinstance(version, bool) or version == "":
        raise AppError(_("缺少版本号 version：请先读取该任务，再带着读取到的版本号提交修改。"),
                       fields={"version": _("必填")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != task.version:
        raise stale(task, version=version)
    return version


def _require_open(task: Task, doing: str) -> None:
    if task.status not in OPEN_TASK_STATUSES:
        raise AppError(_("任务「%(t)s」%(s)s，不能%(d)s。") % {"t": task.title, "s": task.get_status_display(), "d": doing},
                       fields={"status": task.get_status_display()})


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def task_url(task) -> str:
    return reverse("campaign:task_detail", args=[task.pk])


def unit_staff(unit_id: int, kind: str) -> QuerySet[User]:
    """The staff who answer for a unit's tasks: its members in the street or department role."""
    role = UNIT_STAFF_ROLE.get(kind, Role.STREET)
    return User.objects.filter(is_active=True, memberships__org_unit_id=unit_id, memberships__role=role).distinct()


def task_recipients(task: Task) -> list[User]:
    """Who is told about a task: its person, else the unit's staff."""
    if task.person_id:
        person = task.person if "person" in task._state.fields_cache else User.objects.get(pk=task.person_id)
        return [person] if person.is_active else []
    return list(unit_staff(task.unit_id, task.unit.kind))


def _notify_assigned(task: Task) -> int:
    return notify(recipients=task_recipients(task), kind="campaign.task", link=task_url(task),
                  key=f"task:{task.pk}:assigned:{task.unit_id}:{task.person_id or 0}",
                  title=_("新任务：%(t)s") % {"t": task.title[:120]},
                  body=_("%(u)s：完成时限 %(d)s%(n)s。") % {
                      "u": task.unit.name, "d": task.deadline,
                      "n": f"（{task.deadline_note}）" if task.deadline_note else ""})


# --- services -----------------------------------------------------------------------------------

@writes
def task_create(*, actor, campaign: Campaign, title: str, unit, deadline=None, workdays=None, start=None,
                person=None, category=TaskCategory.GENERAL, parent: Task | int | None = None,
                description: str = "", village=None, ip: str | None = None) -> Task:
    """Assign a task (交办任务) to a street or department, or break one down into a sub-task.

    ``deadline`` a date, or ``workdays`` working days from ``start`` (default today). The office
    creates anywhere; a street or department only under one of its own tasks (``parent``).
    """
    if parent not in (None, ""):
        parent = _load(actor, parent if isinstance(parent, int) else parent.pk)
        if parent.campaign_id != campaign.pk:
            raise AppError(_("上级任务不属于本攻坚行动。"), fields={"parent": _("不属于本攻坚行动")})
        _require_open(parent, _("再分解子任务"))
        if parent.depth >= MAX_DEPTH:
            raise AppError(_("任务最多分解到第 %(n)d 级。") % {"n": MAX_DEPTH + 1}, fields={"parent": _("层级过深")})
    else:
        parent = None
        if not is_system(actor) and not task_can_assign(actor):
            raise AppError(_("街道和部门只能在本单位的任务下分解子任务；新任务由领导小组办公室交办。"),
                           fields={"parent": _("请选择上级任务")})
    if campaign.status == CampaignStatus.CLOSED:
        raise AppError(_("攻坚行动「%(c)s」已结束，不能再交办任务。") % {"c": campaign.name}, fields={"campaign": _("已结束")})
    unit = _unit(unit)
    _check_sub_unit(actor, parent, unit)
    person = _person(person, unit)
    village = _village(village, unit)
    due, days, note = resolve_deadline(deadline=deadline, workdays=workdays, start=start)
    if parent is not None and due > parent.deadline:
        raise AppError(_("子任务的完成时限 %(d)s 晚于上级任务的完成时限 %(p)s。") % {"d": due, "p": parent.deadline},
                       fields={"deadline": _("晚于上级任务")})
    task = Task(campaign=campaign, parent=parent, depth=parent.depth + 1 if parent else 0, title=_text(title),
                description=_text(description), category=_category(category), unit=unit, person=person,
                village=village, deadline=due, deadline_workdays=days, deadline_note=note[:200],
                created_by=as_user(actor))
    if not task.title:
        raise AppError(_("请填写任务名称。"), fields={"title": _("必填")})
    full_clean(task)
    task.save(force_insert=True)
    writes.audit(action="campaign.task_create", obj=task, changes={
        "title": task.title, "unit": unit.pk, "deadline": due, "category": task.category,
        **({"person": person.pk} if person else {}), **({"parent": parent.pk} if parent else {}),
        **({"deadline_note": note} if note else {}), **({"village": village.pk} if village else {}),
    })
    _notify_assigned(task)
    return task


@writes
def task_update(*, actor, task: Task | int, version: int, ip: str | None = None, **changes) -> Task:
    """Change what a task is: title, requirements, category, unit, person, village, deadline.

    ``version`` is what the editor read; a stale one is refused (409). A deadline is given as
    ``deadline`` or ``workdays`` (+ ``start``), as at creation. A new unit or person is told.
    """
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"task_update cannot change {sorted(unknown)}")
    current = _load(actor, task, scope=task_edit_scope)
    if not task_can_edit(actor, current):
        raise AppError(_("任务「%(t)s」由上级交办，只有交办单位可以修改；请填报进展情况。") % {"t": current.title},
                       fields={"title": _("无权修改")})
    version = _check_version(current, version)
    _require_open(current, _("修改"))
    values: dict = {}
    if "title" in changes:
        values["title"] = _text(changes["title"])
        if not values["title"]:
            raise AppError(_("请填写任务名称。"), fields={"title": _("必填")})
    if "description" in changes:
        values["description"] = _text(changes["description"])
    if "category" in changes:
        values["category"] = _category(changes["category"])
    unit = current.unit
    if "unit" in changes and changes["unit"] not in (None, ""):
        unit = _unit(changes["unit"])
        if current.parent_id:
            _check_sub_unit(actor, current.parent, unit)
        values["unit_id"] = unit.pk
    if "person" in changes or unit.pk != current.unit_id:
        # a new unit without a person named: its staff answer for it
        person = _person(changes.get("person", current.person_id if unit.pk == current.unit_id else None), unit)
        values["person_id"] = person.pk if person else None
    if "village" in changes or unit.pk != current.unit_id:
        village = _village(changes.get("village", current.village_id), unit)
        values["village_id"] = village.pk if village else None
    new_date = changes.get("deadline")
    if new_date not in (None, "") and changes.get("workdays") in (None, "") and \
            _day(new_date, field="deadline", label=_("完成时限")) == current.deadline:
        new_date = None  # the deadline as it stands: kept with its note, not counted again from today
    if new_date not in (None, "") or changes.get("workdays") not in (None, ""):
        due, days, note = resolve_deadline(deadline=new_date, workdays=changes.get("workdays"),
                                           start=changes.get("start"))
        if current.parent_id and due > current.parent.deadline:
            raise AppError(_("子任务的完成时限 %(d)s 晚于上级任务的完成时限 %(p)s。") % {"d": due, "p": current.parent.deadline},
                           fields={"deadline": _("晚于上级任务")})
        values.update(deadline=due, deadline_workdays=days, deadline_note=note[:200])
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return current
    check_text_values(Task, {k: v for k, v in changed.items() if k in ("title", "description", "deadline_note")})
    for name in ("title",):
        if name in changed and len(changed[name]) > Task._meta.get_field(name).max_length:
            raise AppError(_("任务名称最多 %(n)d 个字。") % {"n": 200}, fields={"title": _("过长")})
    before = {name: getattr(current, name) for name in changed}
    current.version = conditional_update(Task, pk=current.pk, version=version, values=changed, what=current,
                                         extra_filter=Q(status__in=OPEN_TASK_STATUSES))
    for name, value in changed.items():
        setattr(current, name, value)
    if "unit_id" in changed:
        current.unit = unit
    writes.audit(action="campaign.task_update", obj=current,
                 changes={name.removesuffix("_id"): [before[name], value] for name, value in changed.items()})
    if "unit_id" in changed or "person_id" in changed:
        _notify_assigned(current)
    return current


def task_edit_scope(user) -> QuerySet[Task]:
    """Tasks a user may try to edit: those they write, and the sub-tasks of those."""
    own = task_write_scope(user)
    return Task.objects.filter(Q(pk__in=own.values("pk")) | Q(parent__in=own.values("pk")))


@writes
def task_note_add(*, actor, task: Task | int, text: str, progress: int | None = None,
                  ip: str | None = None) -> TaskNote:
    """Report progress on a task (填报进展): what was done, and optionally the percentage done.

    A task not started moves to 进行中; the percentage may not go back (a note says why instead).
    """
    current = _load(actor, task)
    _require_open(current, _("填报进展"))
    body = _text(text)
    if not body:
        raise AppError(_("请填写进展情况。"), fields={"text": _("必填")})
    pct = None
    if progress not in (None, ""):
        try:
            pct = int(progress)
        except (TypeError, ValueError):
            raise AppError(_("完成进度须为 0 到 100 的整数。"), fields={"progress": _("须为整数")}) from None
        if not 0 <= pct <= 100:
            raise AppError(_("完成进度须在 0 到 100 之间（填的是 %(p)d）。") % {"p": pct}, fields={"progress": _("超出范围")})
        if pct < current.progress:
            raise AppError(_("完成进度 %(p)d%% 低于已填报的 %(c)d%%；如有反复，请在进展情况中说明。") % {
                "p": pct, "c": current.progress}, fields={"progress": _("低于已填报的进度")})
    note = TaskNote(task=current, author=as_user(actor), text=body, progress=pct)
    full_clean(note, exclude=["task", "author"])
    note.save(force_insert=True)
    values: dict = {"updated_at": timezone.now()}
    if pct is not None:
        values["progress"] = pct
    if current.status == TaskStatus.TODO:
        values["status"] = TaskStatus.DOING
    Task.objects.filter(pk=current.pk, status__in=OPEN_TASK_STATUSES).update(version=F("version") + 1, **values)
    writes.audit(action="campaign.task_note", obj=current, changes={
        "note": note.pk,
        **({"progress": [current.progress, pct]} if pct is not None and pct != current.progress else {}),
        **({"status": [current.status, TaskStatus.DOING]} if current.status == TaskStatus.TODO else {})})
    return note


@writes
def task_attach(*, actor, task: Task | int, files, ip: str | None = None) -> list[TaskAttachment]:
    """Attach files to a task (附件): PDF, pictures, Word and Excel, checked by content (the same
    rules as the progress events' attachments: at most 20 MB each, 10 at a time)."""
    current = _load(actor, task)
    uploads = list(files or ())
    if not uploads:
        raise AppError(_("请选择要上传的附件。"), fields={"attachments": _("未选择文件")})
    if len(uploads) > MAX_FILES:
        raise AppError(_("每次最多上传 %(n)d 个附件。") % {"n": MAX_FILES}, fields={"attachments": _("附件过多")})
    checked = [(upload, check_attachment(upload)) for upload in uploads]
    saved = []
    for upload, content_type in checked:
        name = strip_refused(PurePath(upload.name).name, multiline=False)[:200]
        saved.append(TaskAttachment.objects.create(task=current, file=upload, name=name, size=upload.size,
                                                   content_type=content_type, uploaded_by=as_user(actor)))
    writes.audit(action="campaign.task_attach", obj=current, changes={"files": "、".join(a.name for a in saved)})
    return saved


@writes
def task_complete(*, actor, task: Task | int, done_on=None, note: str = "", ip: str | None = None) -> Task:
    """Close a task as done (办结): the day it was done (default today), progress 100 %.

    Refused while a sub-task is still open: the unit closes its breakdown first.
    """
    current = _load(actor, task)
    _require_open(current, _("再次办结"))
    on = _day(done_on, field="done_on", label=_("完成日期")) if done_on not in (None, "") else today()
    if on > today():
        raise AppError(_("完成日期 %(d)s 晚于今天。") % {"d": on}, fields={"done_on": _("不能晚于今天")})
    created = timezone.localtime(current.created_at).date()
    if on < created:
        raise AppError(_("完成日期 %(d)s 早于任务交办日期 %(c)s。") % {"d": on, "c": created},
                       fields={"done_on": _("早于交办日期")})
    open_children = list(current.children.filter(status__in=OPEN_TASK_STATUSES).values_list("title", flat=True)[:3])
    if open_children:
        raise AppError(_("子任务尚未办结（%(t)s），请先办结或由交办单位取消。") % {"t": "、".join(open_children)},
                       fields={"status": _("子任务未办结")})
    text = _text(note)
    if text:
        task_note_add(actor=actor, task=current, text=text, ip=ip)
    done = Task.objects.filter(pk=current.pk, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.DONE, done_on=on, progress=100, version=F("version") + 1, updated_at=timezone.now())
    if done != 1:
        raise stale(current)
    before = current.status
    current.refresh_from_db()
    writes.audit(action="campaign.task_complete", obj=current, changes={
        "status": [before, TaskStatus.DONE], "done_on": on, "on_time": on <= current.deadline})
    return current


@writes
def task_reopen(*, actor, task: Task | int, reason: str = "", ip: str | None = None) -> Task:
    """Reopen a done or cancelled task (重新打开): the office, when the work turns out unfinished."""
    current = _load(actor, task, scope=_assign_scope)
    if current.status in OPEN_TASK_STATUSES:
        raise AppError(_("任务「%(t)s」尚未办结或取消，无需重新打开。") % {"t": current.title}, fields={"status": _("未关闭")})
    text = _reason(reason, required=False)
    before = current.status
    back = TaskStatus.DOING if current.progress or current.notes.exists() else TaskStatus.TODO
    if Task.objects.filter(pk=current.pk, status=before).update(
            status=back, done_on=None, version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise stale(current)
    current.refresh_from_db()
    writes.audit(action="campaign.task_reopen", obj=current, changes={
        "status": [before, back], **({"reason": text} if text else {})})
    return current


@writes
def task_cancel(*, actor, task: Task | int, reason: str, ip: str | None = None) -> Task:
    """Cancel a task (取消任务) with the reason: the office, when the work is no longer needed.
    Its open sub-tasks are cancelled with it."""
    current = _load(actor, task, scope=_assign_scope)
    _require_open(current, _("取消"))
    text = _reason(reason, required=True)
    ids = _open_descendants(current)
    Task.objects.filter(pk__in=[current.pk, *ids], status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.CANCELLED, version=F("version") + 1, updated_at=timezone.now())
    before = current.status
    current.refresh_from_db()
    writes.audit(action="campaign.task_cancel", obj=current, changes={
        "status": [before, TaskStatus.CANCELLED], "reason": text, **({"subtasks": ids} if ids else {})})
    return current


def _assign_scope(user) -> QuerySet[Task]:
    return Task.objects.all() if task_can_assign(user) else Task.objects.none()


def _open_descendants(task: Task) -> list[int]:
    found: list[int] = []
    level = [task.pk]
    while level:
        level = list(Task.objects.filter(parent_id__in=level, status__in=OPEN_TASK_STATUSES)
                     .values_list("pk", flat=True))
        found.extend(level)
    return found


def _reason(value, *, required: bool) -> str:
    text = _text(value)
    if required and not text:
        raise AppError(_("请填写取消原因。"), fields={"reason": _("必填")})
    if len(text) > REASON_MAX:
        raise AppError(_("原因最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": REASON_MAX, "m": len(text)},
                       fields={"reason": _("过长")})
    check_text_values(TaskNote, {"text": text}, aliases={"text": "reason"})
    return text

