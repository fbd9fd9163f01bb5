"""Writes of buildings (房屋): their record, and marking one demolished under the heritage guard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.checking import Checker
from gaizao.core.errors import AppError
from gaizao.core.services import (
    conditional_update,
    create,
    load_for_update,
    only,
    require_in_scope,
    save_changes,
    stale,
)
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.hooks import households_changed_fire
from gaizao.ledger.models import Building, HeritageElement, Household

BUILDING_FIELDS = {"number", "structure", "floors", "build_year", "certificate_no", "legal_area",
                   "unlicensed_area", "legality", "use"}
REASON_MAX = 500


def _check_building(values: dict, *, household: Household, building: Building | None) -> None:
    check = Checker(Building)
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
    check.done()


@writes
def building_add(*, actor, household: Household, number: str, legal_area: Decimal = Decimal("0"),
                 unlicensed_area: Decimal = Decimal("0"), ip: str | None = None, **fields) -> Building:
    """Register a building (房屋) of a household with its areas and legality decision (认定)."""
    require_in_scope(actor, selectors.household_write_scope, household)
    values = {"number": number, "legal_area": legal_area, "unlicensed_area": unlicensed_area, **fields}
    _check_building(values, household=household, building=None)
    building = create(actor=actor, instance=Building(household=household, **values), action="building.create", ip=ip)
    households_changed_fire(changed=[household.pk])
    return building


@writes
def building_update(*, actor, building: Building, version: int, ip: str | None = None, **changes) -> Building:
    """Change a building's record (not its demolition: see ``building_mark_demolished``)."""
    only(changes, BUILDING_FIELDS, "building_update")
    require_in_scope(actor, selectors.building_write_scope, building)
    current = load_for_update(building, version)
    values = dict(changes)
    _check_building(values, household=current.household, building=current)
    building = save_changes(actor=actor, current=current, version=version, values=values,
                            action="building.update", ip=ip)
    if {"legal_area", "unlicensed_area"} & changes.keys():
        households_changed_fire(changed=[current.household_id])
    return building


@writes
def building_mark_demolished(*, actor, building: Building, on_date: dt.date | str,
                             heritage_override_reason: str = "", version: int | None = None,
                             ip: str | None = None) -> Building:
    """Record that a building was demolished (拆除) on a day (not in the future, Beijing time).

    A building with a heritage element (历史文化要素) is preserved: it is marked demolished only
    with an explicit reason, and the override is audited with that reason
    (``building.demolish_heritage_override``). The write is a conditional UPDATE on the version
    and on "not yet demolished", so two people cannot both record it.
    """
    require_in_scope(actor, selectors.building_write_scope, building)
    current = Building.objects.get(pk=building.pk)
    if version is not None and current.version != version:
        raise stale(current, version=version)
    if current.demolished_on is not None:
        raise AppError(f"房屋「{current}」已于 {current.demolished_on:%Y-%m-%d} 标记为拆除。", status=409)
    values = {"demolished_on": on_date}
    check = Checker(Building)
    check.date(values, "demolished_on", not_after_today=True)
    if values["demolished_on"] is None and "demolished_on" not in check.fields:
        check.error("demolished_on", "请填写拆除日期。")
    check.done()
    on_date = values["demolished_on"]
    heritage = list(HeritageElement.objects.filter(building=current).order_by("id"))
    reason = (heritage_override_reason or "").strip()
    if heritage and not reason:
        names = "、".join(f"{h.get_kind_display()}「{h.name}」" for h in heritage)
        raise AppError(
            f"该房屋登记有历史文化要素（{names}），应予保护，不能直接标记拆除。"
            "确需拆除的，请填写拆除理由（如批准文件），该操作将记入审计日志。",
            fields={"heritage_override_reason": "涉及历史文化要素，须填写拆除理由。"},
        )
    if len(reason) > REASON_MAX:
        raise AppError(f"拆除理由最多 {REASON_MAX} 个字。",
                       fields={"heritage_override_reason": f"最多 {REASON_MAX} 个字。"})
    new_version = conditional_update(Building, pk=current.pk, version=current.version, values={"demolished_on": on_date},
                                     extra_filter=Q(demolished_on__isnull=True), what=current)
    changes: dict = {"demolished_on": [None, on_date]}
    action = "building.demolish"
    if heritage:
        action = "building.demolish_heritage_override"
        changes["heritage_override_reason"] = reason
        changes["heritage"] = [f"{h.get_kind_display()}「{h.name}」（#{h.pk}）" for h in heritage]
    current.demolished_on, current.version = on_date, new_version
    audit.record(actor=actor, action=action, obj=current, changes=changes, ip=ip)
    return current
