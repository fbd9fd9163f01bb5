"""Supervision orders (督办单): drafting, the leader's review, issue, receipt, feedback with evidence,
the office's verification (销号) or return, cancellation; raising one in one step from a red target
light or an overdue task.

Lifecycle (``OrderStatus``): draft → review → issued → received → handling → feedback → closed, or
returned (back to the unit, ``returned_count`` + 1) → feedback again …; cancelled from any open state.

Who (``oversight.policies.orders``): the office drafts, submits, verifies and cancels; the leader
reviews (approves for issue, or sends back to the draft with a note); the unit the order was issued
to receives it, starts and feeds back — nobody else (another unit: 404; the office: refused). Nobody
verifies feedback they submitted themselves, nor approves an order they drafted.

Every state change is one conditional UPDATE on (pk, version, status): of two clicks, one wins and
the other is told the order changed (409). Every write is audited; the unit is told when an order is
issued or returned, the office when feedback arrives, the leaders when an order waits for review.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.choices import OPEN_TASK_STATUSES, Light
from gaizao.campaign.models import Campaign, Target, Task
from gaizao.campaign.services.tasks import campaign_units, unit_staff
from gaizao.core import calendar
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.notifications import notify
from gaizao.core.services import check_text_values, conditional_update, full_clean, load_scoped, stale
from gaizao.core.text import strip_refused
from gaizao.core.writes import writes
from gaizao.ledger.models import Household, Village
from gaizao.org.choices import Role
from gaizao.org.models import OrgUnit, User
from gaizao.oversight.choices import OrderLevel, OrderStatus, SubjectKind
from gaizao.oversight.models import Finding, OrderEvidence, SupervisionOrder
from gaizao.oversight.policies.orders import (order_office, order_reviewer, order_unit_condition,
                                              order_write_scope)
from gaizao.progress.services.attachments import MAX_FILES, check_attachment

NOT_FOUND = "督办单不存在或无权操作。"
OPEN_STATUSES = (OrderStatus.DRAFT, OrderStatus.REVIEW, OrderStatus.ISSUED, OrderStatus.RECEIVED,
                 OrderStatus.HANDLING, OrderStatus.FEEDBACK, OrderStatus.RETURNED)
UNIT_WORKING = (OrderStatus.RECEIVED, OrderStatus.HANDLING, OrderStatus.RETURNED)  # the unit may feed back
REASON_MAX = 300
UPDATE_FIELDS = {"title", "requirement", "level", "deadline_workdays", "unit", "campaign"}
DEFAULT_WORKDAYS = {OrderLevel.GENERAL: 5, OrderLevel.KEY: 5, OrderLevel.LISTED: 3}
NUMBER_PREFIX = "督办〔%(y)d〕"
NUMBER_RE = re.compile(r"〔(\d{4})〕(\d+)号$")


def today() -> dt.date:
    return timezone.localdate()


def order_url(order) -> str:
    return reverse("oversight:order_detail", args=[order.pk])


def order_number(year: int, n: int) -> str:
    return (NUMBER_PREFIX % {"y": year}) + f"{n}号"


def _next_number(year: int) -> str:
    """The next number of ``year`` (督办〔2026〕N号): one more than the highest issued that year."""
    prefix = NUMBER_PREFIX % {"y": year}
    highest = 0
    for number in SupervisionOrder.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        found = NUMBER_RE.search(number)
        if found:
            highest = max(highest, int(found.group(2)))
    return order_number(year, highest + 1)


# --- who is told ----------------------------------------------------------------------------------

def unit_recipients(order: SupervisionOrder) -> list[User]:
    """The unit's staff (its members in the street or department role)."""
    unit = order.unit if "unit" in order._state.fields_cache else OrgUnit.objects.get(pk=order.unit_id)
    return list(unit_staff(unit.pk, unit.kind))


def office_recipients(order: SupervisionOrder) -> list[User]:
    """The office: whoever drafted the order and the commanders (领导小组办公室)."""
    users = list(User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).distinct())
    if order.created_by_id:
        users.insert(0, User.objects.get(pk=order.created_by_id))
    return users


def leader_recipients() -> list[User]:
    return list(User.objects.filter(is_active=True, memberships__role=Role.LEADER).distinct())


def _tell(recipients, order, *, what: str, title: str, body: str = "") -> int:
    return notify(recipients=recipients, kind=f"oversight.order_{what}", link=order_url(order),
                  key=f"order:{order.pk}:{what}:{order.version}", title=title[:200], body=body)


# --- checks ----------------------------------------------------------------------------------------

def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _load(actor, order, *, scope=order_write_scope) -> SupervisionOrder:
    return load_scoped(actor, SupervisionOrder.objects.select_related("unit", "campaign"), order, scope,
                       missing=NOT_FOUND)


def _office_scope(user) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.all() if order_office(user) else SupervisionOrder.objects.none()


def _review_scope(user) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.all() if order_reviewer(user) else SupervisionOrder.objects.none()


def _version(order: SupervisionOrder, version) -> int:
    """The version the writer read (a stale one: 409); none given: the one just read."""
    if version is None or version == "":
        return order.version
    if isinstance(version, bool):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != order.version:
        raise stale(order, version=version)
    return version


def _require(order: SupervisionOrder, statuses, doing: str) -> None:
    if order.status not in statuses:
        raise AppError(_("督办单「%(t)s」%(s)s，不能%(d)s。") % {
            "t": order.number or order.title, "s": order.get_status_display(), "d": doing},
            fields={"status": order.get_status_display()})


def _move(order: SupervisionOrder, version: int, values: dict) -> None:
    """The one conditional UPDATE of a state change: on (pk, version, status)."""
    order.version = conditional_update(SupervisionOrder, pk=order.pk, version=version, values=values, what=order,
                                       extra_filter=Q(status=order.status))
    for name, value in values.items():
        setattr(order, name, value)


def _require_unit(actor, order: SupervisionOrder, doing: str) -> None:
    """Receipt, start and feedback: the unit the order was issued to, nobody else."""
    if is_system(actor):
        return
    condition = order_unit_condition(actor)
    if condition is None or not SupervisionOrder.objects.filter(condition, pk=order.pk).exists():
        raise AppError(_("只有承办单位（%(u)s）可以%(d)s。") % {"u": order.unit.name, "d": doing},
                       fields={"unit": _("不是承办单位")})


def _unit(value) -> OrgUnit:
    if value in (None, ""):
        raise AppError(_("请选择承办单位。"), fields={"unit": _("必选")})
    pk = value.pk if isinstance(value, OrgUnit) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise AppError(_("请选择承办单位。"), fields={"unit": _("必选")}) from None
    found = campaign_units().filter(pk=pk).first()
    if found is None:
        raise AppError(_("承办单位须为本区的街道或部门。"), fields={"unit": _("不是本区的街道或部门")})
    return found


def _level(value) -> str:
    value = value or OrderLevel.GENERAL
    if value not in OrderLevel.values:
        raise AppError(_("督办等级「%(l)s」不是可选的值：一般督办、重点督办或挂牌督办。") % {"l": value},
                       fields={"level": _("不是可选的值")})
    return value


def _workdays(value, level: str) -> int:
    if value in (None, ""):
        return DEFAULT_WORKDAYS[level]
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise AppError(_("办理时限（工作日）须为整数。"), fields={"deadline_workdays": _("须为整数")}) from None
    if not 1 <= days <= 250:
        raise AppError(_("办理时限须在 1 到 250 个工作日之间（填的是 %(n)d）。") % {"n": days},
                       fields={"deadline_workdays": _("超出范围")})
    return days


def _campaign(value) -> Campaign | None:
    if value in (None, ""):
        return None
    if isinstance(value, Campaign):
        return value
    found = Campaign.objects.filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise AppError(_("所选攻坚行动不存在。"), fields={"campaign": _("不存在")})
    return found


def _reason(value, *, label: str, field: str = "reason", required: bool = True) -> str:
    text = _text(value)
    if required and not text:
        raise AppError(_("请填写%(l)s。") % {"l": label}, fields={field: _("必填")})
    if len(text) > REASON_MAX:
        raise AppError(_("%(l)s最多 %(n)d 个字（现有 %(m)d 个）。") % {"l": label, "n": REASON_MAX, "m": len(text)},
                       fields={field: _("过长")})
    check_text_values(SupervisionOrder, {"return_reason": text}, aliases={"return_reason": field})
    return text


def subject_of(kind: str, subject_id) -> tuple[str, int | None, str, OrgUnit | None]:
    """(kind, id, label, the unit that answers for it) of what an order is about; refused when the
    thing does not exist. ``other`` has no id and no unit."""
    if kind in (None, ""):
        kind = SubjectKind.OTHER
    if kind not in SubjectKind.values:
        raise AppError(_("督办对象类型「%(k)s」不是可选的值。") % {"k": kind}, fields={"subject_kind": _("不是可选的值")})
    if kind in (SubjectKind.OTHER, SubjectKind.APPEAL) and subject_id in (None, ""):
        return kind, None, "", None
    try:
        pk = int(subject_id)
    except (TypeError, ValueError):
        raise AppError(_("请填写督办对象的编号。"), fields={"subject_id": _("必填")}) from None
    label = unit = None
    if kind == SubjectKind.TASK:
        task = Task.objects.select_related("unit").filter(pk=pk).first()
        if task:
            label, unit = _("任务：%(t)s") % {"t": task.title}, task.unit
    elif kind == SubjectKind.TARGET:
        target = Target.objects.select_related("street", "village", "project").filter(pk=pk).first()
        if target:
            scope = target.project or target.village
            label = _("目标：%(s)s%(w)s%(m)s（目标 %(n)s）") % {
                "s": target.street.name, "w": f"（{scope.name}）" if scope else "", "m": target.get_metric_display(),
                "n": f"{target.target.normalize():f}"}
            unit = target.street
    elif kind == SubjectKind.VILLAGE:
        village = Village.objects.select_related("street").filter(pk=pk).first()
        if village:
            label, unit = _("城中村：%(s)s%(v)s") % {"s": village.street.name, "v": village.name}, village.street
    elif kind == SubjectKind.HOUSEHOLD:
        household = Household.objects.select_related("project__village__street").filter(pk=pk).first()
        if household:
            village = household.project.village
            label = _("户：%(v)s %(n)s（%(h)s）") % {"v": village.name, "n": household.number, "h": household.head_name}
            unit = village.street
    elif kind == SubjectKind.FINDING:
        finding = Finding.objects.select_related("unit").filter(pk=pk).first()
        if finding:
            label, unit = _("督查问题：%(t)s") % {"t": finding.text[:60]}, finding.unit
    else:
        label = _("%(k)s #%(n)d") % {"k": SubjectKind(kind).label, "n": pk}
    if label is None:
        raise AppError(_("%(k)s #%(n)d 不存在。") % {"k": SubjectKind(kind).label, "n": pk},
                       fields={"subject_id": _("不存在")})
    return kind, pk, str(label)[:200], unit


def open_order_for(kind: str, subject_id: int | None, *, exclude: int | None = None) -> SupervisionOrder | None:
    """The open (not closed, not cancelled) order about this subject, if there is one."""
    if subject_id is None or kind in (SubjectKind.OTHER, None, ""):
        return None
    qs = SupervisionOrder.objects.filter(subject_kind=kind, subject_id=subject_id, status__in=OPEN_STATUSES)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("id").first()


def _refuse_duplicate(kind: str, subject_id: int | None, label: str) -> None:
    existing = open_order_for(kind, subject_id)
    if existing is not None:
        raise AppError(_("%(s)s已有未办结的督办单「%(o)s」（%(st)s），不能重复督办。") % {
            "s": label or SubjectKind(kind).label, "o": existing.number or existing.title,
            "st": existing.get_status_display()}, fields={"subject_id": _("已有未办结的督办单")})


def _require_office(actor) -> None:
    if not is_system(actor) and not order_office(actor):
        raise NotFound(NOT_FOUND)


# --- drafting -------------------------------------------------------------------------------------

@writes
def order_create(*, actor, title: str, requirement: str, unit=None, level: str = OrderLevel.GENERAL,
                 deadline_workdays=None, campaign=None, subject_kind: str = SubjectKind.OTHER, subject_id=None,
                 ip: str | None = None) -> SupervisionOrder:
    """Draft a supervision order (拟稿): the office. ``subject_kind``/``subject_id`` name what it is about
    (a task, a target, a village, a household, a finding); the unit defaults to the one answering for it.
    A second open order about the same subject is refused, naming the first."""
    _require_office(actor)
    kind, subject_pk, label, subject_unit = subject_of(subject_kind, subject_id)
    unit = _unit(unit if unit not in (None, "") else subject_unit)
    _refuse_duplicate(kind, subject_pk, label)
    level = _level(level)
    order = SupervisionOrder(
        campaign=_campaign(campaign), title=_text(title), requirement=_text(requirement), unit=unit, level=level,
        deadline_workdays=_workdays(deadline_workdays, level), subject_kind=kind, subject_id=subject_pk,
        subject_label=label, status=OrderStatus.DRAFT, created_by=as_user(actor))
    errors = {}
    if not order.title:
        errors["title"] = _("必填")
    if not order.requirement:
        errors["requirement"] = _("必填")
    if errors:
        raise AppError(_("请填写督办事项和督办要求。"), fields=errors)
    full_clean(order, exclude=["campaign", "unit", "created_by"])
    order.save(force_insert=True)
    writes.audit(action="oversight.order_create", obj=order, changes={
        "title": order.title, "unit": unit.pk, "level": level, "deadline_workdays": order.deadline_workdays,
        "subject_kind": kind, **({"subject_id": subject_pk} if subject_pk else {})})
    return order


@writes
def order_update(*, actor, order, version=None, ip: str | None = None, **changes) -> SupervisionOrder:
    """Change a draft (修改草稿): title, requirement, level, working days, unit, campaign. Only a draft."""
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"order_update cannot change {sorted(unknown)}")
    current = _load(actor, order, scope=_office_scope)
    version = _version(current, version)
    _require(current, (OrderStatus.DRAFT,), _("修改（只有草稿可以修改）"))
    values: dict = {}
    for name in ("title", "requirement"):
        if name in changes:
            values[name] = _text(changes[name])
            if not values[name]:
                raise AppError(_("请填写%(l)s。") % {"l": SupervisionOrder._meta.get_field(name).verbose_name},
                               fields={name: _("必填")})
    level = current.level
    if "level" in changes and changes["level"] not in (None, ""):
        level = values["level"] = _level(changes["level"])
    if "deadline_workdays" in changes and changes["deadline_workdays"] not in (None, ""):
        values["deadline_workdays"] = _workdays(changes["deadline_workdays"], level)
    if "unit" in changes and changes["unit"] not in (None, ""):
        values["unit_id"] = _unit(changes["unit"]).pk
    if "campaign" in changes:
        campaign = _campaign(changes["campaign"])
        values["campaign_id"] = campaign.pk if campaign else None
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return current
    check_text_values(SupervisionOrder, {k: v for k, v in changed.items() if k in ("title", "requirement")})
    if len(changed.get("title", "")) > 200:
        raise AppError(_("督办事项最多 200 个字。"), fields={"title": _("过长")})
    before = {name: getattr(current, name) for name in changed}
    _move(current, version, changed)
    if "unit_id" in changed:
        current.unit = OrgUnit.objects.get(pk=changed["unit_id"])
    writes.audit(action="oversight.order_update", obj=current,
                 changes={name.removesuffix("_id"): [before[name], value] for name, value in changed.items()})
    return current


@writes
def order_submit(*, actor, order, version=None, ip: str | None = None) -> SupervisionOrder:
    """Submit a draft for the leader's review (提交领导审核)."""
    current = _load(actor, order, scope=_office_scope)
    version = _version(current, version)
    _require(current, (OrderStatus.DRAFT,), _("提交审核"))
    _move(current, version, {"status": OrderStatus.REVIEW, "submitted_at": timezone.now()})
    writes.audit(action="oversight.order_submit", obj=current,
                 changes={"status": [OrderStatus.DRAFT, OrderStatus.REVIEW]})
    _tell(leader_recipients(), current, what="review", title=_("督办单待审核：%(t)s") % {"t": current.title[:120]},
          body=_("承办单位：%(u)s；%(l)s，办理时限 %(n)d 个工作日。") % {
              "u": current.unit.name, "l": current.get_level_display(), "n": current.deadline_workdays})
    return current


@writes
def order_review(*, actor, order, approve: bool, note: str = "", version=None, on: dt.date | None = None,
                 ip: str | None = None) -> SupervisionOrder:
    """The leader's review (领导审核). Approved: issued today with the year's next number (督办〔YYYY〕N号)
    and the deadline ``deadline_workdays`` working days on; the unit is told. Sent back: a draft again,
    with the note (required). Nobody approves an order they drafted themselves."""
    current = _load(actor, order, scope=_review_scope)
    version = _version(current, version)
    _require(current, (OrderStatus.REVIEW,), _("审核"))
    if not is_system(actor) and current.created_by_id == getattr(actor, "pk", None):
        raise AppError(_("督办单「%(t)s」由你本人拟稿，须由其他领导审核。") % {"t": current.title},
                       fields={"approve": _("不能审核本人拟稿的督办单")})
    text = _reason(note, label=_("审核意见"), field="note", required=not approve)
    now = timezone.now()
    reviewed = {"reviewed_by_id": as_user(actor).pk if as_user(actor) else None, "reviewed_at": now,
                "review_note": text}
    if approve:
        issued_on = on or today()
        deadline = calendar.add_workdays(issued_on, current.deadline_workdays)
        number = _next_number(issued_on.year)
        _move(current, version, {**reviewed, "status": OrderStatus.ISSUED, "number": number, "issued_on": issued_on,
                                 "issued_by_id": reviewed["reviewed_by_id"], "deadline": deadline})
        writes.audit(action="oversight.order_issue", obj=current, changes={
            "status": [OrderStatus.REVIEW, OrderStatus.ISSUED], "number": number, "issued_on": issued_on,
            "deadline": deadline, **({"review_note": text} if text else {})})
        _tell(unit_recipients(current), current, what="issued",
              title=_("督办通知 %(n)s：%(t)s") % {"n": number, "t": current.title[:120]},
              body=_("%(l)s，请于 %(d)s 前办结并反馈（%(w)d 个工作日），请先签收。") % {
                  "l": current.get_level_display(), "d": deadline, "w": current.deadline_workdays})
    else:
        _move(current, version, {**reviewed, "status": OrderStatus.DRAFT, "submitted_at": None})
        writes.audit(action="oversight.order_send_back", obj=current, changes={
            "status": [OrderStatus.REVIEW, OrderStatus.DRAFT], "review_note": text})
        _tell(office_recipients(current), current, what="sent_back",
              title=_("督办单退回修改：%(t)s") % {"t": current.title[:120]}, body=text)
    return current


# --- the unit -------------------------------------------------------------------------------------

@writes
def order_receive(*, actor, order, version=None, on: dt.date | None = None, ip: str | None = None
                  ) -> SupervisionOrder:
    """Sign for an issued order (签收): the unit it was issued to."""
    current = _load(actor, order)
    _require_unit(actor, current, _("签收"))
    version = _version(current, version)
    _require(current, (OrderStatus.ISSUED,), _("签收"))
    day = on or today()
    _move(current, version, {"status": OrderStatus.RECEIVED, "received_on": day,
                             "received_by_id": getattr(as_user(actor), "pk", None)})
    writes.audit(action="oversight.order_receive", obj=current,
                 changes={"status": [OrderStatus.ISSUED, OrderStatus.RECEIVED], "received_on": day})
    return current


@writes
def order_start(*, actor, order, version=None, ip: str | None = None) -> SupervisionOrder:
    """Start handling (开始办理): a received or returned order; the unit it was issued to."""
    current = _load(actor, order)
    _require_unit(actor, current, _("办理"))
    version = _version(current, version)
    _require(current, (OrderStatus.RECEIVED, OrderStatus.RETURNED), _("开始办理"))
    before = current.status
    _move(current, version, {"status": OrderStatus.HANDLING})
    writes.audit(action="oversight.order_start", obj=current, changes={"status": [before, OrderStatus.HANDLING]})
    return current


@writes
def order_feedback(*, actor, order, text: str, files=(), version=None, ip: str | None = None) -> SupervisionOrder:
    """Report how the order was handled (反馈办理情况) with evidence files (佐证材料: PDF, JPG, PNG, DOCX,
    XLSX, at most 20 MB each and 10 at a time, checked by content): the unit it was issued to, once
    received. Every file is checked before anything is written: a refusal keeps nothing."""
    current = _load(actor, order)
    _require_unit(actor, current, _("反馈办理情况"))
    version = _version(current, version)
    if current.status == OrderStatus.ISSUED:
        raise AppError(_("督办单「%(t)s」尚未签收，请先签收再反馈。") % {"t": current.number or current.title},
                       fields={"status": current.get_status_display()})
    _require(current, UNIT_WORKING, _("反馈"))
    body = _text(text)
    if not body:
        raise AppError(_("请填写办理情况。"), fields={"text": _("必填")})
    check_text_values(SupervisionOrder, {"feedback": body}, aliases={"feedback": "text"})
    uploads = [f for f in (files or ()) if f]
    if len(uploads) > MAX_FILES:
        raise AppError(_("每次最多上传 %(n)d 个佐证材料。") % {"n": MAX_FILES}, fields={"files": _("文件过多")})
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, check_attachment(upload)))
        except AppError as exc:
            raise AppError(exc.message.replace("附件", "佐证材料"), fields={"files": next(iter(exc.fields.values()), "")},
                           status=exc.status) from None
    before = current.status
    now = timezone.now()
    _move(current, version, {"status": OrderStatus.FEEDBACK, "feedback": body, "feedback_at": now,
                             "feedback_by_id": getattr(as_user(actor), "pk", None)})
    saved = []
    for upload, content_type in checked:
        name = strip_refused(PurePath(upload.name).name, multiline=False)[:200]
        saved.append(OrderEvidence.objects.create(order=current, file=upload, name=name, size=upload.size,
                                                  content_type=content_type, uploaded_by=as_user(actor)))
    writes.audit(action="oversight.order_feedback", obj=current, changes={
        "status": [before, OrderStatus.FEEDBACK], "feedback": body[:300],
        **({"files": "、".join(e.name for e in saved)} if saved else {})})
    _tell(office_recipients(current), current, what="feedback",
          title=_("督办反馈待核验：%(n)s %(t)s") % {"n": current.number, "t": current.title[:100]},
          body=_("%(u)s 已反馈办理情况（佐证材料 %(k)d 份），请核验。") % {"u": current.unit.name, "k": len(saved)})
    return current


# --- the office -----------------------------------------------------------------------------------

@writes
def order_verify(*, actor, order, passed: bool, reason: str = "", version=None, on: dt.date | None = None,
                 ip: str | None = None) -> SupervisionOrder:
    """Verify the unit's feedback (核验): passed → closed (销号) today; not passed → returned to the unit
    with the reason (退回重办, ``returned_count`` + 1). Nobody verifies feedback they submitted."""
    current = _load(actor, order, scope=_office_scope)
    version = _version(current, version)
    _require(current, (OrderStatus.FEEDBACK,), _("核验（尚未反馈或已核验）"))
    if not is_system(actor) and current.feedback_by_id and current.feedback_by_id == getattr(actor, "pk", None):
        raise AppError(_("督办单「%(t)s」的办理情况是你本人反馈的，不能由你核验，请由督办部门的其他人员核验。") % {
            "t": current.number or current.title}, fields={"passed": _("不能核验本人反馈的办理情况")})
    text = _reason(reason, label=_("退回原因"), required=not passed)
    now = timezone.now()
    verifier = getattr(as_user(actor), "pk", None)
    if passed:
        day = on or today()
        _move(current, version, {"status": OrderStatus.CLOSED, "verified_at": now, "verified_by_id": verifier,
                                 "closed_on": day})
        writes.audit(action="oversight.order_close", obj=current, changes={
            "status": [OrderStatus.FEEDBACK, OrderStatus.CLOSED], "closed_on": day,
            "on_time": bool(current.deadline and current.feedback_at
                            and timezone.localtime(current.feedback_at).date() <= current.deadline)})
        _tell(unit_recipients(current), current, what="closed",
              title=_("督办单已销号：%(n)s %(t)s") % {"n": current.number, "t": current.title[:100]})
    else:
        _move(current, version, {"status": OrderStatus.RETURNED, "verified_at": now, "verified_by_id": verifier,
                                 "return_reason": text, "returned_count": current.returned_count + 1})
        writes.audit(action="oversight.order_return", obj=current, changes={
            "status": [OrderStatus.FEEDBACK, OrderStatus.RETURNED], "return_reason": text,
            "returned_count": current.returned_count})
        _tell(unit_recipients(current), current, what="returned",
              title=_("督办反馈被退回：%(n)s %(t)s") % {"n": current.number, "t": current.title[:100]},
              body=_("退回原因：%(r)s。请于 %(d)s 前重新办理并反馈。") % {"r": text, "d": current.deadline})
    return current


@writes
def order_cancel(*, actor, order, reason: str, version=None, ip: str | None = None) -> SupervisionOrder:
    """Cancel an order (撤销) with the reason: the office, when it is no longer needed."""
    current = _load(actor, order, scope=_office_scope)
    version = _version(current, version)
    _require(current, OPEN_STATUSES, _("撤销"))
    text = _reason(reason, label=_("撤销原因"))
    before = current.status
    _move(current, version, {"status": OrderStatus.CANCELLED})
    writes.audit(action="oversight.order_cancel", obj=current,
                 changes={"status": [before, OrderStatus.CANCELLED], "reason": text})
    if current.issued_on:
        _tell(unit_recipients(current), current, what="cancelled",
              title=_("督办单已撤销：%(n)s %(t)s") % {"n": current.number, "t": current.title[:100]}, body=text)
    return current


# --- raising in one step --------------------------------------------------------------------------

def _fmt(value) -> str:
    from gaizao.campaign.selectors.status import fmt

    return fmt(value) or "0"


def target_light(campaign: Campaign, street: OrgUnit, metric: str, *, on: dt.date | None = None):
    """The street-level target status of ``metric`` for ``street`` (campaign_status), or None."""
    from gaizao.campaign.selectors.status import campaign_status

    for row in campaign_status(campaign, streets=[street], today=on or today()):
        for target in row.targets:
            if target.key == metric and not target.scope:
                return target
    return None


@writes
def order_raise_from_target(*, actor, campaign: Campaign, street, metric: str, on: dt.date | None = None,
                            ip: str | None = None) -> SupervisionOrder:
    """A draft order (重点督办, 5 working days) from a red target light, its figures in the title and
    requirement: “东湖街道签约户数落后序时进度 35 个百分点”. Refused unless the light is red today."""
    _require_office(actor)
    street = street if isinstance(street, OrgUnit) else OrgUnit.objects.filter(pk=street).first()
    if street is None:
        raise AppError(_("所选街道不存在。"), fields={"street": _("不存在")})
    day = on or today()
    status = target_light(campaign, street, metric, on=day)
    if status is None:
        raise AppError(_("%(s)s没有%(m)s的目标。") % {"s": street.name, "m": metric}, fields={"metric": _("没有目标")})
    if status.light != Light.RED:
        raise AppError(_("%(s)s%(m)s当前为%(l)s，不是红灯，无需一键督办。") % {
            "s": street.name, "m": status.label, "l": status.light_label}, fields={"metric": _("不是红灯")})
    behind = _fmt(status.behind)
    title = _("%(s)s%(m)s落后序时进度 %(b)s 个百分点") % {"s": street.name, "m": status.label, "b": behind}
    requirement = _(
        "截至%(y)d年%(mo)d月%(d)d日，%(s)s%(m)s完成 %(done)s%(u)s，目标 %(t)s%(u)s，完成率 %(r)s%%，"
        "序时进度 %(e)s%%，落后 %(b)s 个百分点，为红灯。请街道主要负责同志研究部署，逐村逐户落实措施和完成时间，"
        "在办理时限内报送整改措施和进展，并附佐证材料。") % {
        "y": day.year, "mo": day.month, "d": day.day, "s": street.name, "m": status.label, "done": _fmt(status.done),
        "u": status.unit, "t": _fmt(status.target), "r": _fmt(status.rate), "e": _fmt(status.expected_rate),
        "b": behind}
    return order_create(actor=actor, title=title[:200], requirement=requirement, unit=street, level=OrderLevel.KEY,
                        deadline_workdays=DEFAULT_WORKDAYS[OrderLevel.KEY], campaign=campaign,
                        subject_kind=SubjectKind.TARGET, subject_id=status.target_id, ip=ip)


@writes
def order_raise_from_task(*, actor, task, on: dt.date | None = None, ip: str | None = None) -> SupervisionOrder:
    """A draft order (一般督办, 3 working days) about an overdue task. Refused unless it is overdue."""
    _require_office(actor)
    pk = task.pk if isinstance(task, Task) else task
    found = Task.objects.select_related("unit", "campaign").filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise AppError(_("所选任务不存在。"), fields={"task": _("不存在")})
    day = on or today()
    if found.status not in OPEN_TASK_STATUSES or found.deadline >= day:
        raise AppError(_("任务「%(t)s」未逾期（%(s)s，完成时限 %(d)s），无需督办。") % {
            "t": found.title, "s": found.get_status_display(), "d": found.deadline}, fields={"task": _("未逾期")})
    late = (day - found.deadline).days
    title = _("任务「%(t)s」逾期 %(n)d 天未办结") % {"t": found.title[:120], "n": late}
    requirement = _("%(u)s承办的任务「%(t)s」完成时限为 %(d)s，截至 %(o)s 逾期 %(n)d 天，完成进度 %(p)d%%。"
                    "请说明逾期原因，明确完成时间，在办理时限内办结并反馈，附佐证材料。") % {
        "u": found.unit.name, "t": found.title, "d": found.deadline, "o": day, "n": late, "p": found.progress}
    return order_create(actor=actor, title=title[:200], requirement=requirement, unit=found.unit,
                        level=OrderLevel.GENERAL, deadline_workdays=3, campaign=found.campaign,
                        subject_kind=SubjectKind.TASK, subject_id=found.pk, ip=ip)
