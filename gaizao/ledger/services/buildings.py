"""Writes of buildings (房屋): their record, and marking them demolished under the heritage guard.

Two ways a building comes down, one rule for both (the heritage guard, ``heritage_override_check``):

- one building, on its page or the API (``building_mark_demolished``): an annex torn down early;
  the last standing building of a household is not demolished this way, since a household whose
  buildings are all down is demolished (拆除), which is the household's stage event;
- a household's 拆除 (the stage event, recorded by ``gaizao.progress``): every building of the
  household not yet demolished is marked with the event's day in the same transaction
  (``household_buildings_demolish``), and a correction of that event moves or lifts those marks
  (``household_buildings_redate``).

So "demolished" has one source of truth: a household has a 拆除 date exactly when all its buildings
to demolish are demolished, and that date is the day its last building came down (``gaizao rollups
verify`` checks it). A building's disposition (处置方式, ``gaizao.ledger.ways``) says whether it is to
demolish: a 保留 building (整治提升, or kept in 拆整结合) is never marked demolished, on any path,
and a household's 拆除 brings down only its buildings to demolish. Adding a building or changing a
disposition in a 拆整结合 village may change its household's way (``services.ways``). A building with a heritage element (历史文化要素) comes down only with the office's
override (特批): an account of the office or the admin (``policies.heritage_can_override``), a
reason of at least ``HERITAGE_REASON_MIN`` characters, audited with the elements concerned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.actors import is_system
from gaizao.core.checking import Checker
from gaizao.core.errors import AppError, Conflict
from gaizao.core.services import (
    conditional_update,
    create,
    load_for_update,
    only,
    require_in_scope,
    save_changes,
    stale,
)
from gaizao.core.text import check_text
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.choices import Disposition, HeritageKind, Legality
from gaizao.ledger.hooks import (BUILDING_INPUTS, changed_inputs, household_inputs_change_fire,
                                 households_changed_fire)
from gaizao.ledger.models import Building, HeritageElement, Household
from gaizao.ledger.policies import heritage_can_override
from gaizao.ledger.services.ways import households_way_refresh
from gaizao.ledger.ways import DEFAULT_DISPOSITION, disposition_refusal

BUILDING_FIELDS = {"number", "structure", "floors", "build_year", "certificate_no", "legal_area",
                   "unlicensed_area", "legality", "use", "disposition"}
REASON_FIELD = "heritage_override_reason"
HERITAGE_REASON_MIN = 10
REASON_MAX = 500
CHUNK = 5000


# ---------------------------------------------------------------- what the rules read of buildings

@dataclass(slots=True)
class BuildingFacts:
    """What the rules read of one building: number, legality decision (认定), demolition, heritage, disposition."""

    id: int
    household_id: int
    number: str
    legality: str
    demolished_on: dt.date | None
    heritage: list[tuple[int, str, str]] = field(default_factory=list)  # (id, kind, name) of its elements
    disposition: str = Disposition.DEMOLISH

    @property
    def pending(self) -> bool:
        return self.legality == Legality.PENDING

    @property
    def kept(self) -> bool:
        return self.disposition == Disposition.KEEP

    def heritage_labels(self, *, ids: bool = False) -> list[str]:
        """祠堂「李氏宗祠」 (with ids: 祠堂「李氏宗祠」（#3）, as the audit keeps them)."""
        return [f"{HeritageKind(kind).label}「{name}」" + (f"（#{pk}）" if ids else "") for pk, kind, name in self.heritage]


def building_facts(household_ids: Iterable[int]) -> dict[int, list[BuildingFacts]]:
    """The buildings of these households with their heritage elements, by household id, in the order
    they were registered: one indexed query (building by household, element by building) per 5,000."""
    ids = list(household_ids)
    out: dict[int, list[BuildingFacts]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (Building.objects.filter(household_id__in=ids[start:start + CHUNK])
                .order_by("household_id", "id", "heritage_elements__id")
                .values_list("id", "household_id", "number", "legality", "demolished_on",
                             "heritage_elements__id", "heritage_elements__kind", "heritage_elements__name",
                             "disposition"))
        current = None
        for pk, household_id, number, legality, demolished_on, element, kind, name, disposition in rows:
            if current is None or current.id != pk:
                current = BuildingFacts(pk, household_id, number, legality, demolished_on, disposition=disposition)
                out.setdefault(household_id, []).append(current)
            if element is not None:
                current.heritage.append((element, kind, name))
    return out


def numbers(buildings: Iterable[BuildingFacts]) -> str:
    """房屋编号 for a message: 1、2、3."""
    return "、".join(b.number for b in buildings)


def kept_refusal(*, household, number: str) -> str:
    """Why a kept building (保留) is not demolished, naming it: one sentence for every path."""
    return (f"住户 {household} 的房屋 {number} 的处置方式为「保留」（整治提升或拆整结合中保留的房屋），不能标记拆除；"
            "确需拆除的，请先在村的改造方式为「拆整结合」时把该房屋的处置方式改为「拆除」。")


# ---------------------------------------------------------------- the heritage override (特批拆除)

def heritage_override_refusal(*, actor, reason: str) -> str | None:
    """Why ``actor`` may not override the heritage guard with ``reason`` (a clause that follows
    "确需拆除的，"), or None when the override holds: the office's role, and a reason of
    ``HERITAGE_REASON_MIN`` to ``REASON_MAX`` characters without invisible control characters."""
    if not is_system(actor) and not heritage_can_override(actor):
        return "须由领导小组办公室（指挥部）账号特批并写明理由，街道账号不能特批"
    reason = (reason or "").strip()
    if not reason:
        return f"须填写不少于 {HERITAGE_REASON_MIN} 个字的拆除理由（如批准文件文号）"
    if len(reason) < HERITAGE_REASON_MIN:
        return f"拆除理由须不少于 {HERITAGE_REASON_MIN} 个字（现为 {len(reason)} 个字），请写明理由和批准文件"
    if len(reason) > REASON_MAX:
        return f"拆除理由最多 {REASON_MAX} 个字（现为 {len(reason)} 个字）"
    return check_text(reason, multiline=True, field_label="拆除理由")


def heritage_override_check(*, actor, reason: str, what: str, elements: list[str]) -> str:
    """The reason of an override, checked (``heritage_override_refusal``); else an AppError naming
    ``what`` (住户 DH-001 李四的房屋 1) and ``elements``, 403 when the account may not override."""
    refusal = heritage_override_refusal(actor=actor, reason=reason)
    if refusal is not None:
        role = not is_system(actor) and not heritage_can_override(actor)
        raise AppError(f"{what}登记有历史文化要素（{'、'.join(elements)}），应予保护，不能直接拆除。"
                       f"确需拆除的，{refusal}；理由和操作人记入审计日志。",
                       fields={REASON_FIELD: refusal}, status=403 if role else None)
    return (reason or "").strip()


def _demolition_change(building: BuildingFacts, *, household: Household, on: dt.date, reason: str,
                       event_id: int | None) -> audit.Change:
    changes: dict = {"demolished_on": [None, on], "kind": "demolished"}
    if event_id is not None:
        changes["event"] = event_id
    action = "building.demolish"
    if building.heritage:
        action = "building.demolish_heritage_override"
        changes[REASON_FIELD] = reason
        changes["heritage"] = building.heritage_labels(ids=True)
    return audit.Change(action=action, object_type="ledger.building", object_id=building.id,
                        object_repr=f"{household.number}/{building.number}", changes=changes)


def household_buildings_demolish(*, actor, plans: Iterable[tuple[Household, list[BuildingFacts], int | None]],
                                 on_date: dt.date, heritage_reason: str = "", ip: str | None = None) -> int:
    """Mark demolished, on ``on_date``, every standing building to demolish of households that reach 拆除
    (a 保留 building of 拆整结合 stays standing).

    Part of the stage event's write (``gaizao.progress``), in its transaction: ``plans`` are
    (household, its ``building_facts``, the event's id or None), read and checked by the caller
    (the heritage override included; ``heritage_reason`` is the checked reason). One UPDATE per
    5,000 buildings, on "not yet demolished": a building someone marked meanwhile makes the write
    stale (409), nothing half-done. Each building is audited as a demolition of its own
    (``building.demolish``, or ``building.demolish_heritage_override`` with the reason and the
    elements), so its page's history says when and by which event it came down.
    """
    assert transaction.get_connection().in_atomic_block, "a household's buildings fall inside its event's write"
    items: list[audit.Change] = []
    standing: list[int] = []
    for household, buildings, event_id in plans:
        for building in buildings:
            if building.demolished_on is None and not building.kept:
                standing.append(building.id)
                items.append(_demolition_change(building, household=household, on=on_date, reason=heritage_reason,
                                                event_id=event_id))
    if not standing:
        return 0
    now = timezone.now()
    marked = 0
    for start in range(0, len(standing), CHUNK):
        marked += Building.objects.filter(pk__in=standing[start:start + CHUNK], demolished_on__isnull=True).update(
            demolished_on=on_date, version=F("version") + 1, updated_at=now)
    if marked != len(standing):
        raise Conflict("有房屋刚被他人标记拆除，本次没有写入任何记录。请刷新页面，核对后再试。")
    audit.record_many(actor=actor, ip=ip, items=items)
    return marked


def household_buildings_redate(*, actor, household: Household, buildings: list[BuildingFacts], old: dt.date,
                               new: dt.date | None, event_id: int, ip: str | None = None) -> int:
    """A household's 拆除 corrected (更正): its buildings marked on ``old`` move to ``new``, or stand
    again when the event is voided (``new`` None). The caller checked the new date against the
    household's other buildings; each building's change is audited (``building.update``)."""
    assert transaction.get_connection().in_atomic_block, "a household's buildings move inside its correction"
    moved = [b for b in buildings if b.demolished_on == old]
    if not moved:
        return 0
    count = Building.objects.filter(pk__in=[b.id for b in moved], demolished_on=old).update(
        demolished_on=new, version=F("version") + 1, updated_at=timezone.now())
    if count != len(moved):
        raise Conflict("有房屋刚被他人修改，本次没有写入任何记录。请刷新页面，核对后再试。")
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="building.update", object_type="ledger.building", object_id=b.id,
                     object_repr=f"{household.number}/{b.number}",
                     changes={"demolished_on": [old, new], "event": event_id}) for b in moved])
    return count


# ---------------------------------------------------------------- a building's own record

def _check_building(values: dict, *, household: Household, building: Building | None,
                    decided_on: dt.date | None, demolished_on: dt.date | None = None) -> None:
    check = Checker(Building)
    check.choice(values, "disposition")
    check.text(values, "number", required=True)
    check.text(values, "certificate_no")
    check.choice(values, "structure")
    check.choice(values, "legality")
    check.choice(values, "use")
    check.integer(values, "floors", low=0, high=200)
    check.integer(values, "build_year", low=1000, high=timezone.localdate().year, required=False)
    check.decimal(values, "legal_area")
    check.decimal(values, "unlicensed_area")
    if values.get("number") and "number" not in check.fields:
        taken = Building.objects.filter(household=household, number=values["number"])
        if building is not None:
            taken = taken.exclude(pk=building.pk)
        if taken.exists():
            check.error("number", f"本户已有编号「{values['number']}」的房屋。")
    disposition = values.get("disposition")
    if disposition and "disposition" not in check.fields:
        village = household.village
        refusal = disposition_refusal(village.mode, disposition, village=f"{village.name}（{village.code}）")
        if refusal:
            check.error("disposition", f"住户 {household} 的房屋 {values.get('number') or building}：{refusal}")
        elif building is not None and disposition != building.disposition:
            if building.demolished_on is not None:
                check.error("disposition", f"住户 {household} 的房屋 {building.number} 已于 "
                                           f"{building.demolished_on:%Y-%m-%d} 拆除，不能改变处置方式。")
            elif demolished_on is not None:
                check.error("disposition", f"住户 {household} 已于 {demolished_on:%Y-%m-%d} 拆除，"
                                           f"不能改变其房屋 {building.number} 的处置方式。")
    # 认定 follows the buildings: a household decided has no building left undecided (待认定).
    legality = values.get("legality", Legality.PENDING if building is None else None)
    if legality == Legality.PENDING and decided_on is not None:
        check.error("legality", f"住户 {household} 已于 {decided_on:%Y-%m-%d} 完成认定，其每栋房屋都须有"
                                "认定结果（合法、未超期临时或违法），不能为“待认定”。")
    check.done()


@writes
def building_add(*, actor, household: Household, number: str, legal_area: Decimal = Decimal("0"),
                 unlicensed_area: Decimal = Decimal("0"), ip: str | None = None, **fields) -> Building:
    """Register a building (房屋) of a household with its areas and legality decision (认定).

    Refused on a household already demolished (拆除: all its buildings are down), and without a
    decision on a household already decided (认定).
    """
    require_in_scope(actor, selectors.household_write_scope, household)
    # The stored dates, not the caller's copy of the household (it may predate the events).
    decided_on, demolished_on = Household.objects.filter(pk=household.pk).values_list(
        "decided_on", "demolished_on").get()
    if demolished_on is not None:
        raise AppError(f"住户 {household} 已于 {demolished_on:%Y-%m-%d} 拆除，不能再登记房屋。",
                       fields={"number": "住户已拆除"})
    household = Household.objects.select_related("village").get(pk=household.pk)
    values = {"number": number, "legal_area": legal_area, "unlicensed_area": unlicensed_area, **fields}
    if not values.get("disposition"):  # unmarked: what the village's mode does with its buildings
        values["disposition"] = DEFAULT_DISPOSITION.get(household.village.mode, Disposition.DEMOLISH)
    _check_building(values, household=household, building=None, decided_on=decided_on)
    household_inputs_change_fire(household_ids=[household.pk], project_ids=[household.project_id],
                                 what=f"房屋（登记房屋 {values['number']}）")
    building = create(actor=actor, instance=Building(household=household, **values), action="building.create", ip=ip)
    flipped = households_way_refresh(actor=actor, household_ids=[household.pk], ip=ip,
                                     what=f"登记房屋 {building.number}（{building.get_disposition_display()}）")
    households_changed_fire(changed=[household.pk], flipped=flipped)
    return building


@writes
def building_update(*, actor, building: Building, version: int, ip: str | None = None, **changes) -> Building:
    """Change a building's record (not its demolition: see ``building_mark_demolished``)."""
    only(changes, BUILDING_FIELDS, "building_update")
    require_in_scope(actor, selectors.building_write_scope, building)
    current = load_for_update(building, version)
    values = dict(changes)
    old_disposition = current.disposition
    _check_building(values, household=current.household, building=current,
                    decided_on=current.household.decided_on, demolished_on=current.household.demolished_on)
    if inputs := changed_inputs(current, values, BUILDING_INPUTS):
        household_inputs_change_fire(household_ids=[current.household_id], what=f"房屋 {current.number} 的{inputs}",
                                     project_ids=[current.household.project_id])
    building = save_changes(actor=actor, current=current, version=version, values=values,
                            action="building.update", ip=ip)
    flipped = []
    if building.disposition != old_disposition:
        flipped = households_way_refresh(actor=actor, household_ids=[current.household_id], ip=ip,
                                         what=f"房屋 {building.number} 的处置方式改为「{building.get_disposition_display()}」")
    if {"legal_area", "unlicensed_area"} & changes.keys() or flipped:
        households_changed_fire(changed=[current.household_id], flipped=flipped)
    return building


@writes
def building_mark_demolished(*, actor, building: Building, on_date: dt.date | str,
                             heritage_override_reason: str = "", version: int | None = None,
                             ip: str | None = None) -> Building:
    """Record that one building was demolished (拆除) on a day (not in the future, Beijing time).

    A building with a heritage element (历史文化要素) is preserved: it comes down only with the
    office's override (``heritage_override_check``), audited with the reason and the elements
    (``building.demolish_heritage_override``). The last standing building of a household is not
    marked here: that is the household's 拆除, recorded on the household (its buildings follow).
    The write is a conditional UPDATE on the version and on "not yet demolished", so two people
    cannot both record it.
    """
    require_in_scope(actor, selectors.building_write_scope, building)
    current = Building.objects.select_related("household").get(pk=building.pk)
    if version is not None and current.version != version:
        raise stale(current, version=version)
    household = current.household
    if current.demolished_on is not None:
        raise AppError(f"房屋「{current}」已于 {current.demolished_on:%Y-%m-%d} 标记为拆除。", status=409)
    if current.kept:
        raise AppError(kept_refusal(household=household, number=current.number), fields={"demolished_on": "保留的房屋"})
    values = {"demolished_on": on_date}
    check = Checker(Building)
    check.date(values, "demolished_on", not_after_today=True)
    if values["demolished_on"] is None and "demolished_on" not in check.fields:
        check.error("demolished_on", "请填写拆除日期。")
    check.done()
    on_date = values["demolished_on"]
    if not Building.objects.filter(household_id=household.pk, demolished_on__isnull=True,
                                   disposition=Disposition.DEMOLISH).exclude(pk=current.pk).exists():
        raise AppError(f"房屋 {current.number} 是住户 {household} 最后一栋未拆除的房屋：拆完即本户拆除，"
                       "请在住户详情的“进度”中记录“拆除”（须已腾空交房），该记录同时把本房屋标记为拆除。",
                       fields={"demolished_on": "请在住户页记录拆除"})
    heritage = list(HeritageElement.objects.filter(building=current).order_by("id"))
    reason = ""
    if heritage:
        reason = heritage_override_check(
            actor=actor, reason=heritage_override_reason, what=f"住户 {household} 的房屋 {current.number} ",
            elements=[f"{h.get_kind_display()}「{h.name}」" for h in heritage])
    new_version = conditional_update(Building, pk=current.pk, version=current.version, values={"demolished_on": on_date},
                                     extra_filter=Q(demolished_on__isnull=True), what=current)
    changes: dict = {"demolished_on": [None, on_date]}
    action = "building.demolish"
    if heritage:
        action = "building.demolish_heritage_override"
        changes[REASON_FIELD] = reason
        changes["heritage"] = [f"{h.get_kind_display()}「{h.name}」（#{h.pk}）" for h in heritage]
    current.demolished_on, current.version = on_date, new_version
    audit.record(actor=actor, action=action, obj=current, changes=changes, ip=ip)
    return current
