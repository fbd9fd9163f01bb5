"""Inspections and rectification (督查 / 整改): the office records an inspection (when, who, which units
and places), adds what it found (督查问题) with photos; each finding is a rectification item (整改事项)
of one inspected unit, with its owner and deadline. The unit submits its fix (整改情况, with photos),
the office verifies it (核验销号) or returns it with the reason; nobody verifies a fix they submitted.
A finding can raise a supervision order (督办单) for the unit.

Who may (``oversight.policies.inspections``): the office and the admin write inspections, findings,
verifications and orders; the finding's unit alone submits its fix (anyone else: 404). The system
actor (the demo, commands) acts as the office.

Photos are stored as progress stores a visit's (``progress.services.photos``: checked by Pillow, turned
upright, EXIF stripped, at most 1600 px, JPEG under a random name); a bad photo refuses the whole
write and leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.services.tasks import campaign_units, unit_staff
from gaizao.core import calendar
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.notifications import notify
from gaizao.core.services import check_text_values, conditional_update, full_clean, load_scoped, parse_date, stale
from gaizao.core.writes import writes
from gaizao.org.models import OrgUnit, User
from gaizao.org.selectors import unit_member
from gaizao.oversight.choices import FindingStatus, OrderLevel, OrderStatus, PhotoKind, SubjectKind
from gaizao.oversight.models import Finding, FindingPhoto, Inspection, SupervisionOrder
from gaizao.oversight.policies.inspections import (finding_fix_scope, finding_office_scope, inspection_can_write,
                                                   inspection_scope)
from gaizao.oversight.services.orders import order_create
from gaizao.progress.services.photos import MAX_PHOTOS, PreparedPhoto, prepare_photos, written_files

NOT_FOUND = "督查或督查问题不存在，或无权操作。"
REASON_MAX = 300
ORDER_WORKDAYS = 5
CLOSED_ORDERS = (OrderStatus.CLOSED, OrderStatus.CANCELLED)
FIXABLE = (FindingStatus.OPEN, FindingStatus.RETURNED)
INSPECTION_FIELDS = {"title", "held_on", "inspectors", "units", "places", "summary", "campaign"}


def today() -> dt.date:
    return timezone.localdate()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _day(value, *, field: str, label: str) -> dt.date:
    return parse_date(value, field=field, label=label)


def _check_version(obj, version) -> int:
    if version is None or isinstance(version, bool) or version == "":
        raise AppError(_("缺少版本号 version：请先读取，再带着读取到的版本号提交。"), fields={"version": _("必填")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != obj.version:
        raise stale(obj, version=version)
    return version


def _require_office(actor) -> None:
    if not is_system(actor) and not inspection_can_write(actor):
        raise NotFound(NOT_FOUND)


def _units(values) -> list[OrgUnit]:
    """The inspected units: streets and departments of the district, at least one."""
    if values in (None, ""):
        values = []
    if isinstance(values, (OrgUnit, int, str)):
        values = [values]
    ids = []
    for value in values:
        pk = value.pk if isinstance(value, OrgUnit) else value
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise AppError(_("被督查单位「%(u)s」不存在。") % {"u": value}, fields={"units": _("不存在")}) from None
    if not ids:
        raise AppError(_("请选择被督查单位（街道或部门），至少一个。"), fields={"units": _("必选")})
    found = list(campaign_units().filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise AppError(_("被督查单位须为本区的街道或部门。"), fields={"units": _("不是本区的街道或部门")})
    return found


def _owner(value, unit: OrgUnit) -> User | None:
    return unit_member(value, unit, field="owner", label=_("整改责任人"))


def resolve_deadline(*, deadline=None, workdays=None) -> dt.date:
    """The rectification deadline (整改期限): a date (not before today; a rest day moves to the next
    working day), or N working days from today (``core.calendar``)."""
    has_date = deadline not in (None, "")
    has_days = workdays not in (None, "")
    if has_date and has_days:
        raise AppError(_("整改期限和整改时限（工作日）只能填一项。"),
                       fields={"deadline": _("只填一项"), "workdays": _("只填一项")})
    if not has_date and not has_days:
        raise AppError(_("请填写整改期限（日期），或整改时限（工作日）。"), fields={"deadline": _("必填")})
    if has_days:
        try:
            days = int(workdays)
        except (TypeError, ValueError):
            raise AppError(_("整改时限（工作日）须为整数。"), fields={"workdays": _("须为整数")}) from None
        if days < 1 or days > calendar.MAX_WORKDAYS:
            raise AppError(_("整改时限（工作日）须在 1 到 %(n)d 之间。") % {"n": calendar.MAX_WORKDAYS},
                           fields={"workdays": _("超出范围")})
        return calendar.add_workdays(today(), days)
    day = _day(deadline, field="deadline", label=_("整改期限"))
    if day < today():
        raise AppError(_("整改期限 %(d)s 早于今天（%(t)s）。") % {"d": day, "t": today()},
                       fields={"deadline": _("不能早于今天")})
    return calendar.next_workday(day)


def _photos(photos) -> list[PreparedPhoto]:
    uploads = [photo for photo in (photos or ()) if photo]
    if len(uploads) > MAX_PHOTOS:
        message = _("每次最多上传 %(n)d 张照片（选择了 %(m)d 张）。") % {"n": MAX_PHOTOS, "m": len(uploads)}
        raise AppError(message, fields={"photos": message})
    return prepare_photos(uploads)


def _save_photos(finding: Finding, photos: list[PreparedPhoto], kind: str, actor, written: list[str]) -> list:
    saved = []
    for photo in photos:
        row = FindingPhoto(finding=finding, kind=kind, name=photo.name, size=len(photo.data),
                           uploaded_by=as_user(actor))
        row.file.save(f"{uuid.uuid4().hex}.jpg", ContentFile(photo.data), save=False)
        written.append(row.file.name)
        row.save(force_insert=True)
        saved.append(row)
    return saved


def _load_finding(actor, finding, scope) -> Finding:
    return load_scoped(actor, Finding.objects.select_related("unit", "inspection"), finding, scope,
                       missing=NOT_FOUND)


def finding_url(finding) -> str:
    return reverse("oversight:finding_detail", args=[finding.pk])


def _unit_people(finding: Finding) -> list[User]:
    """Who answers for a finding: its owner, else the unit's staff."""
    if finding.owner_id:
        owner = User.objects.filter(pk=finding.owner_id, is_active=True).first()
        return [owner] if owner else []
    return list(unit_staff(finding.unit_id, finding.unit.kind))


# --- inspections ------------------------------------------------------------------------------------

@writes
def inspection_create(*, actor, title: str, held_on, inspectors: str, units, places: str = "", summary: str = "",
                      campaign=None, ip: str | None = None) -> Inspection:
    """Record an inspection (督查): its date (not after today), the inspectors, the inspected units
    (streets or departments) and places, and the overall picture."""
    _require_office(actor)
    if held_on in (None, ""):
        raise AppError(_("请填写督查日期。"), fields={"held_on": _("必填")})
    on = _day(held_on, field="held_on", label=_("督查日期"))
    if on > today():
        raise AppError(_("督查日期 %(d)s 晚于今天，不能预先记录。") % {"d": on}, fields={"held_on": _("不能晚于今天")})
    found_units = _units(units)
    inspection = Inspection(campaign=campaign, title=_text(title), held_on=on, inspectors=_text(inspectors),
                            places=_text(places), summary=_text(summary), created_by=as_user(actor))
    if not inspection.title:
        raise AppError(_("请填写督查名称。"), fields={"title": _("必填")})
    if not inspection.inspectors:
        raise AppError(_("请填写督查人员。"), fields={"inspectors": _("必填")})
    full_clean(inspection)
    inspection.save(force_insert=True)
    inspection.units.set(found_units)
    writes.audit(action="oversight.inspection_create", obj=inspection, changes={
        "title": inspection.title, "held_on": on, "inspectors": inspection.inspectors,
        "units": "、".join(unit.name for unit in found_units),
        **({"places": inspection.places} if inspection.places else {})})
    return inspection


@writes
def inspection_update(*, actor, inspection: Inspection | int, version, ip: str | None = None,
                      **changes) -> Inspection:
    """Change what an inspection records (``version`` as read; a stale one is refused, 409). A unit with
    findings stays among the inspected units."""
    unknown = set(changes) - INSPECTION_FIELDS
    if unknown:
        raise TypeError(f"inspection_update cannot change {sorted(unknown)}")
    _require_office(actor)
    pk = inspection if isinstance(inspection, int) else inspection.pk
    current = Inspection.objects.filter(pk=pk).first()
    if current is None:
        raise NotFound(NOT_FOUND)
    version = _check_version(current, version)
    values: dict = {}
    for name in ("title", "inspectors", "places", "summary"):
        if name in changes and changes[name] is not None:
            values[name] = _text(changes[name])
    for name, label in (("title", _("督查名称")), ("inspectors", _("督查人员"))):
        if name in values and not values[name]:
            raise AppError(_("请填写%(l)s。") % {"l": label}, fields={name: _("必填")})
    if changes.get("held_on") not in (None, ""):
        on = _day(changes["held_on"], field="held_on", label=_("督查日期"))
        if on > today():
            raise AppError(_("督查日期 %(d)s 晚于今天。") % {"d": on}, fields={"held_on": _("不能晚于今天")})
        values["held_on"] = on
    if "campaign" in changes:
        values["campaign_id"] = getattr(changes["campaign"], "pk", changes["campaign"])
    before_units = set(current.units.values_list("pk", flat=True))
    new_units = None
    if changes.get("units") is not None:
        new_units = _units(changes["units"])
        dropped = before_units - {unit.pk for unit in new_units}
        held = list(OrgUnit.objects.filter(pk__in=Finding.objects.filter(inspection=current, unit_id__in=dropped)
                                           .values("unit_id")).values_list("name", flat=True))
        if held:
            raise AppError(_("%(u)s已有督查问题，不能从被督查单位中去掉。") % {"u": "、".join(held)},
                           fields={"units": _("已有督查问题")})
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    units_changed = new_units is not None and {u.pk for u in new_units} != before_units
    if not changed and not units_changed:
        return current
    check_text_values(Inspection, {k: v for k, v in changed.items() if k in ("title", "inspectors", "places",
                                                                            "summary")})
    for name in ("title", "inspectors", "places"):
        limit = Inspection._meta.get_field(name).max_length
        if name in changed and len(changed[name]) > limit:
            raise AppError(_("%(l)s最多 %(n)d 个字。") % {"l": Inspection._meta.get_field(name).verbose_name,
                                                        "n": limit}, fields={name: _("过长")})
    before = {name: getattr(current, name) for name in changed}
    current.version = conditional_update(Inspection, pk=current.pk, version=version, values=changed, what=current)
    for name, value in changed.items():
        setattr(current, name, value)
    audit_changes = {name.removesuffix("_id"): [before[name], value] for name, value in changed.items()}
    if units_changed:
        current.units.set(new_units)
        names = dict(OrgUnit.objects.filter(pk__in=before_units).values_list("pk", "name"))
        audit_changes["units"] = ["、".join(names[pk] for pk in sorted(before_units)),
                                  "、".join(unit.name for unit in new_units)]
    writes.audit(action="oversight.inspection_update", obj=current, changes=audit_changes)
    return current


# --- findings ------------------------------------------------------------------------------------------

@writes
def finding_add(*, actor, inspection: Inspection | int, unit, text: str, place: str = "", requirement: str = "",
                owner=None, deadline=None, workdays=None, photos=(), ip: str | None = None) -> Finding:
    """Add a finding (督查问题) to an inspection: it becomes the unit's rectification item (整改事项).

    ``unit`` must be one of the inspection's units; ``owner`` (整改责任人, optional) one of its staff;
    the deadline a date not before today or ``workdays`` working days from today. The photos are
    checked and re-encoded before anything is written: one bad photo refuses the whole finding.
    """
    _require_office(actor)
    pk = inspection if isinstance(inspection, int) else inspection.pk
    current = inspection_scope(actor).filter(pk=pk).first() if not is_system(actor) else \
        Inspection.objects.filter(pk=pk).first()
    if current is None:
        raise NotFound(NOT_FOUND)
    unit_pk = getattr(unit, "pk", unit)
    if unit_pk in (None, ""):
        raise AppError(_("请选择整改责任单位。"), fields={"unit": _("必选")})
    try:
        found_unit = current.units.filter(pk=int(unit_pk)).first()
    except (TypeError, ValueError):
        found_unit = None
    if found_unit is None:
        names = "、".join(current.units.order_by("path").values_list("name", flat=True))
        raise AppError(_("整改责任单位须为本次督查的被督查单位（%(u)s）。") % {"u": names},
                       fields={"unit": _("不是本次督查的被督查单位")})
    body = _text(text)
    if not body:
        raise AppError(_("请填写发现的问题。"), fields={"text": _("必填")})
    who = _owner(owner, found_unit)
    due = resolve_deadline(deadline=deadline, workdays=workdays)
    finding = Finding(inspection=current, unit=found_unit, place=_text(place), text=body,
                      requirement=_text(requirement), owner=who, deadline=due)
    full_clean(finding, exclude=["inspection", "unit", "owner"])
    prepared = _photos(photos)
    with written_files() as written:
        finding.save(force_insert=True)
        saved = _save_photos(finding, prepared, PhotoKind.FINDING, actor, written)
        writes.audit(action="oversight.finding_add", obj=finding, changes={
            "inspection": current.pk, "unit": found_unit.name, "text": body, "deadline": due,
            **({"owner": str(who)} if who else {}), **({"place": finding.place} if finding.place else {}),
            **({"photos": "、".join(photo.name for photo in saved)} if saved else {})})
    notify(recipients=_unit_people(finding), kind="oversight.finding", link=finding_url(finding),
           key=f"finding:{finding.pk}:added", title=_("督查问题待整改：%(t)s") % {"t": body[:100]},
           body=_("%(i)s：%(u)s，整改期限 %(d)s。") % {"i": current.title, "u": found_unit.name, "d": due})
    return finding


@writes
def finding_fix(*, actor, finding: Finding | int, version, note: str, photos=(), ip: str | None = None) -> Finding:
    """Submit the fix of a finding (提交整改): what was done, with photos; the finding waits for the
    office's verification (已整改，待核验). Only the finding's unit submits it (anyone else: 404)."""
    current = _load_finding(actor, finding, finding_fix_scope)
    version = _check_version(current, version)
    if current.status not in FIXABLE:
        raise AppError(_("该问题%(s)s，不能再提交整改。") % {"s": current.get_status_display()},
                       fields={"status": current.get_status_display()})
    text = _text(note)
    if not text:
        raise AppError(_("请填写整改情况。"), fields={"note": _("必填")})
    check_text_values(Finding, {"fix_note": text}, aliases={"fix_note": "note"})
    prepared = _photos(photos)
    now = timezone.now()
    with written_files() as written:
        before = current.status
        current.version = conditional_update(
            Finding, pk=current.pk, version=version, what=current,
            values={"status": FindingStatus.FIXED, "fix_note": text, "fixed_at": now, "fixed_by_id": getattr(
                as_user(actor), "pk", None)})
        current.status, current.fix_note, current.fixed_at = FindingStatus.FIXED, text, now
        current.fixed_by = as_user(actor)
        saved = _save_photos(current, prepared, PhotoKind.FIX, actor, written)
        writes.audit(action="oversight.finding_fix", obj=current, changes={
            "status": [before, FindingStatus.FIXED], "note": text, "on_time": now.date() <= current.deadline,
            **({"photos": "、".join(photo.name for photo in saved)} if saved else {})})
    recorder = User.objects.filter(pk=current.inspection.created_by_id, is_active=True).first() \
        if current.inspection.created_by_id else None
    notify(recipients=[recorder], kind="oversight.finding", link=finding_url(current),
           title=_("整改待核验：%(t)s") % {"t": current.text[:100]},
           body=_("%(u)s已提交整改情况，请核验。") % {"u": current.unit.name})
    return current


@writes
def finding_verify(*, actor, finding: Finding | int, version, passed: bool, reason: str = "",
                   ip: str | None = None) -> Finding:
    """Verify a submitted fix (核验): passed → 已核验销号; not passed → returned to the unit with the
    reason (核验未通过，重新整改). The office only; nobody verifies a fix they submitted."""
    current = _load_finding(actor, finding, finding_office_scope)
    version = _check_version(current, version)
    if current.status != FindingStatus.FIXED:
        raise AppError(_("该问题%(s)s，没有待核验的整改。") % {"s": current.get_status_display()},
                       fields={"status": current.get_status_display()})
    user = as_user(actor)
    if user is not None and current.fixed_by_id == user.pk:
        raise AppError(_("不能核验自己提交的整改，请由其他人员核验。"), fields={"passed": _("不能核验自己提交的整改")})
    text = _text(reason)
    if len(text) > REASON_MAX:
        raise AppError(_("原因最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": REASON_MAX, "m": len(text)},
                       fields={"reason": _("过长")})
    check_text_values(Finding, {"return_reason": text}, aliases={"return_reason": "reason"})
    if passed:
        values = {"status": FindingStatus.VERIFIED, "verified_at": timezone.now(), "verified_by_id": getattr(
            user, "pk", None)}
        action = "oversight.finding_verify"
    else:
        if not text:
            raise AppError(_("请填写核验不通过的原因。"), fields={"reason": _("必填")})
        values = {"status": FindingStatus.RETURNED, "return_reason": text}
        action = "oversight.finding_return"
    current.version = conditional_update(Finding, pk=current.pk, version=version, values=values, what=current)
    before = current.status
    for name, value in values.items():
        setattr(current, name, value)
    writes.audit(action=action, obj=current, changes={
        "status": [before, values["status"]], **({"reason": text} if text else {})})
    if not passed:
        fixer = User.objects.filter(pk=current.fixed_by_id, is_active=True).first() if current.fixed_by_id else None
        notify(recipients=[fixer, *_unit_people(current)], kind="oversight.finding", link=finding_url(current),
               title=_("整改核验未通过：%(t)s") % {"t": current.text[:100]},
               body=_("原因：%(r)s。请重新整改，整改期限 %(d)s。") % {"r": text, "d": current.deadline})
    return current


@writes
def finding_raise_order(*, actor, finding: Finding | int, ip: str | None = None) -> SupervisionOrder:
    """Raise a supervision order (督办) from a finding: a draft order to the finding's unit, about the
    finding (its text and requirement), 一般督办 within 5 working days, for the office to complete and
    send for review. Refused while an order raised from it is still open, and for a verified finding."""
    current = _load_finding(actor, finding, finding_office_scope)
    if current.status == FindingStatus.VERIFIED:
        raise AppError(_("该问题已核验销号，无需督办。"), fields={"status": current.get_status_display()})
    if current.order_id:
        existing = SupervisionOrder.objects.filter(pk=current.order_id).exclude(status__in=CLOSED_ORDERS).first()
        if existing is not None:
            raise AppError(_("该问题已有督办单（%(o)s，%(s)s），不能重复督办。") % {
                "o": existing.number or existing.title, "s": existing.get_status_display()},
                fields={"order": _("已有督办单")})
    title = _("督查问题整改：%(t)s") % {"t": current.text}
    # the one way an order is drafted (numbering, the duplicate check and the notices are the orders')
    order = order_create(actor=actor, title=title[:200], requirement=current.requirement or current.text,
                         unit=current.unit_id, level=OrderLevel.GENERAL, deadline_workdays=ORDER_WORKDAYS,
                         campaign=current.inspection.campaign_id, subject_kind=SubjectKind.FINDING,
                         subject_id=current.pk, ip=ip)
    if Finding.objects.filter(pk=current.pk, version=current.version).update(
            order=order, version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise stale(current)
    current.order, current.version = order, current.version + 1
    writes.audit(action="oversight.order_raise_from_finding", obj=current, changes={"order": order.pk})
    return order


def finding_units(inspection: Inspection) -> QuerySet[OrgUnit]:
    """The units a finding of ``inspection`` may be given to: its inspected units."""
    return inspection.units.order_by("kind", "path")


__all__ = ["finding_add", "finding_fix", "finding_raise_order", "finding_units", "finding_verify",
           "inspection_create", "inspection_update", "resolve_deadline"]
