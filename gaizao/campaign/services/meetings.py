"""Meetings (例会) and their decisions (议定事项), and a decision made a task in one step (转办).

The office holds leading-group meetings (领导小组会议) and dispatch meetings (调度会), on the office's
unit; a street holds its own street meetings (街道例会), on the street. Decisions are numbered in
their meeting (1, 2, 3 …). ``decision_to_task`` creates the task (``tasks.task_create``, category
会议议定事项) and links it to the decision in the same transaction; a decision becomes a task once.
The minutes (会议纪要) are rendered as a 公文 from ``campaign.documents.minutes_context``.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.campaign.choices import MeetingKind, TaskCategory
from gaizao.campaign.models import Campaign, Decision, Meeting
from gaizao.campaign.policies.meetings import meeting_can_hold_district, meeting_can_write
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import check_text_values, conditional_update, full_clean, parse_date, stale
from gaizao.core.writes import writes
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

NOT_FOUND = "会议不存在或无权操作。"
DECISION_NOT_FOUND = "议定事项不存在或无权操作。"
FIELDS = ("title", "number", "held_on", "place", "chair", "attendees", "agenda", "minutes")
DECISION_MAX = 2000
DISTRICT_KINDS = (MeetingKind.LEADING_GROUP, MeetingKind.DISPATCH)


def _lock(qs):
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update else qs


def office_unit() -> OrgUnit:
    """The unit the office's meetings sit on: the office (领导小组办公室), else the district."""
    found = OrgUnit.objects.filter(kind=OrgKind.OFFICE).order_by("path").first()
    found = found or OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("path").first()
    if found is None:
        raise AppError(_("尚未建立区或领导小组办公室的组织机构，不能登记会议。"), fields={"unit": _("缺少组织机构")})
    return found


def _kind(value) -> str:
    kind = "" if value is None else str(value).strip()
    if kind not in MeetingKind.values:
        raise AppError(_("会议类型「%(k)s」不是可选的值（领导小组会议、调度会、街道例会）。") % {"k": kind},
                       fields={"kind": _("不是可选的值")})
    return kind


def _unit_for(actor, kind: str, unit) -> OrgUnit:
    """Who holds the meeting: the office for its kinds, a street the actor writes for a street meeting."""
    if kind in DISTRICT_KINDS:
        if not is_system(actor) and not meeting_can_hold_district(actor):
            raise AppError(_("领导小组会议和调度会由指挥部登记；街道请登记街道例会。"), fields={"kind": _("无权登记此类会议")})
        return office_unit()
    if unit in (None, ""):
        raise AppError(_("请选择召开街道例会的街道。"), fields={"unit": _("必选")})
    pk = unit.pk if isinstance(unit, OrgUnit) else unit
    found = OrgUnit.objects.filter(pk=pk, kind=OrgKind.STREET).first() if str(pk).isdigit() else None
    if found is None:
        raise AppError(_("街道例会的召集单位须是街道。"), fields={"unit": _("不是街道")})
    if not is_system(actor) and not meeting_can_write(actor, Meeting(unit_id=found.pk)):
        raise AppError(_("只能登记本街道的街道例会（%(s)s 不是你的街道）。") % {"s": found.name},
                       fields={"unit": _("不是你的街道")})
    return found


def _values(raw: dict) -> dict:
    out = {}
    for name in FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if name == "held_on":
            out[name] = _day(value)
        else:
            out[name] = "" if value is None else str(value).strip()
    return out


def _day(value) -> dt.date:
    return parse_date(value, field="held_on", label=_("会议日期"))


def _check_dates(campaign: Campaign, held_on: dt.date) -> None:
    if held_on > timezone.localdate() + dt.timedelta(days=366):
        raise AppError(_("会议日期 %(d)s 过远。") % {"d": held_on}, fields={"held_on": _("过远")})


def _load(actor, meeting: Meeting | int) -> Meeting:
    pk = meeting if isinstance(meeting, int) else meeting.pk
    found = _lock(Meeting.objects.select_related("campaign", "unit")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not meeting_can_write(actor, found)):
        raise NotFound(_(NOT_FOUND))
    return found


@writes
def meeting_create(*, actor, campaign: Campaign, kind: str, title: str, held_on, unit=None, number: str = "",
                   place: str = "", chair: str = "", attendees: str = "", agenda: str = "", minutes: str = "",
                   ip: str | None = None) -> Meeting:
    """Record a meeting (登记会议): the office's leading-group or dispatch meeting, or a street's own
    street meeting."""
    kind = _kind(kind)
    where = _unit_for(actor, kind, unit)
    values = _values({"title": title, "number": number, "held_on": held_on, "place": place, "chair": chair,
                      "attendees": attendees, "agenda": agenda, "minutes": minutes})
    if not values["title"]:
        raise AppError(_("请填写会议名称。"), fields={"title": _("必填")})
    _check_dates(campaign, values["held_on"])
    meeting = Meeting(campaign=campaign, kind=kind, unit=where, created_by=None if is_system(actor) else actor,
                      **values)
    full_clean(meeting, exclude=["campaign", "unit", "created_by"])
    meeting.save(force_insert=True)
    writes.audit(action="campaign.meeting_create", obj=meeting,
                 changes={"after": {"kind": kind, "unit": where.name, "title": values["title"],
                                    "held_on": str(values["held_on"])}})
    return meeting


@writes
def meeting_update(*, actor, meeting: Meeting | int, version, ip: str | None = None, **changes) -> Meeting:
    """Change a meeting's record (修改会议: title, number, date, place, chair, attendees, agenda, minutes).
    Its kind and unit stay."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"meeting_update cannot change {sorted(unknown)}")
    meeting = _load(actor, meeting)
    if version is None or isinstance(version, bool) or not str(version).isdigit():
        raise AppError(_("缺少版本号 version：请先读取该会议，再带着读取到的版本号提交修改。"), fields={"version": _("必填")})
    if int(version) != meeting.version:
        raise stale(meeting, version=int(version))
    values = _values(changes)
    if "title" in values and not values["title"]:
        raise AppError(_("请填写会议名称。"), fields={"title": _("必填")})
    before = {k: getattr(meeting, k) for k in values}
    for name, value in values.items():
        setattr(meeting, name, value)
    full_clean(meeting, exclude=["campaign", "unit", "created_by"])
    if "held_on" in values:
        _check_dates(meeting.campaign, values["held_on"])
    check_text_values(Meeting, {k: v for k, v in values.items() if isinstance(v, str)})
    meeting.version = conditional_update(Meeting, pk=meeting.pk, version=int(version), values=values, what=meeting)
    diff = {k: [str(before[k]), str(v)] for k, v in values.items() if before[k] != v}
    writes.audit(action="campaign.meeting_update", obj=meeting, changes=diff)
    return meeting


@writes
def decision_add(*, actor, meeting: Meeting | int, text: str, ip: str | None = None) -> Decision:
    """Add a decision to a meeting (议定事项), numbered after the meeting's last one."""
    meeting = _load(actor, meeting)
    body = "" if text is None else str(text).strip()
    if not body:
        raise AppError(_("请填写议定事项。"), fields={"text": _("必填")})
    if len(body) > DECISION_MAX:
        raise AppError(_("议定事项最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": DECISION_MAX, "m": len(body)},
                       fields={"text": _("过长")})
    # the meeting row is locked above (PostgreSQL), and SQLite has one writer: the numbers do not collide
    last = meeting.decisions.aggregate(m=Max("order"))["m"] or 0
    decision = Decision(meeting=meeting, order=last + 1, text=body)
    full_clean(decision, exclude=["meeting", "task"])
    decision.save(force_insert=True)
    writes.audit(action="campaign.decision_add", obj=decision,
                 changes={"after": {"meeting": meeting.title, "order": decision.order, "text": body}})
    return decision


@writes
def decision_to_task(*, actor, decision: Decision | int, unit, deadline=None, workdays=None, person=None,
                     title: str = "", parent=None, start=None, ip: str | None = None) -> Decision:
    """Make a decision a task (转为任务) in one step: the task is created for the responsible unit and
    person with its deadline (a date, or a number of working days from today), category 会议议定事项,
    and linked to the decision in the same transaction. A decision becomes a task once.

    ``start``: the day ``workdays`` count from (default today). ``parent``: the task it is broken down
    from — a street, which does not assign new tasks
    (``task_create``), hangs its street meeting's decisions under one of its own tasks."""
    from gaizao.campaign.services.tasks import task_create

    pk = decision if isinstance(decision, int) else decision.pk
    found = _lock(Decision.objects.select_related("meeting", "meeting__campaign")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not meeting_can_write(actor, found.meeting)):
        raise NotFound(_(DECISION_NOT_FOUND))
    decision = found
    if decision.task_id is not None:
        raise AppError(_("该议定事项已转为任务（%(t)s），不能重复转办。") % {"t": decision.task},
                       fields={"task": _("已转为任务")})
    if unit in (None, ""):
        raise AppError(_("请选择责任单位。"), fields={"unit": _("必选")})
    meeting = decision.meeting
    name = ("" if title is None else str(title).strip()) or _task_title(decision)
    description = _("%(m)s（%(d)s）议定事项第 %(n)d 项：%(t)s") % {
        "m": meeting.title, "d": meeting.held_on, "n": decision.order, "t": decision.text}
    task = task_create(actor=actor, campaign=meeting.campaign, title=name, unit=unit, deadline=deadline or None,
                       workdays=workdays or None, person=person or None, category=TaskCategory.DECISION,
                       description=description, parent=parent or None, start=start, ip=ip)
    if Decision.objects.filter(pk=decision.pk, task__isnull=True).update(task=task) != 1:
        raise Conflict(_("该议定事项刚被他人转为任务，请刷新页面。"))
    decision.task = task
    writes.audit(action="campaign.decision_to_task", obj=decision,
                 changes={"task": [None, task.title], "unit": str(task.unit), "deadline": str(task.deadline)})
    return decision


def _task_title(decision: Decision) -> str:
    text = " ".join(decision.text.split())
    return text if len(text) <= 60 else text[:59] + "…"


ACTION_LABELS = {  # registered by registrations.meetings
    "campaign.meeting_create": gettext_lazy("登记会议"),
    "campaign.meeting_update": gettext_lazy("修改会议"),
    "campaign.decision_add": gettext_lazy("添加议定事项"),
    "campaign.decision_to_task": gettext_lazy("议定事项转为任务"),
}
