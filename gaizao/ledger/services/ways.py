"""Keeping households' ways (进度路径) with their village's mode and their buildings' dispositions.

``gaizao.ledger.ways`` says what a way is; this keeps ``Household.way`` true when what decides it
changes: a building added to, or re-marked in, a 拆整结合 village (``households_way_refresh``, called by
the building services) and a village whose mode changes (``village_mode_change``, called by
``village_update`` inside its transaction before the mode is stored).

A change that would flip a household onto the other way after it recorded a step that only its
way has (a 签约 on the demolition way, a 同意整治 on the upgrade way) is refused with the
households and their steps named: the recorded progress would be stranded. 入户调查 belongs to both
ways, so a surveyed household may still change. Every flip is audited (``household.way``) and
tells the receivers of ``households_changed`` (``flipped``: progress moves the household from one
scope of its rollups to the other).
"""

from __future__ import annotations

from typing import Callable, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.errors import AppError
from gaizao.ledger.choices import Disposition, RenovationMode, Way
from gaizao.ledger.hooks import household_inputs_change_fire, households_changed_fire
from gaizao.ledger.models import Building, Household, Village
from gaizao.ledger.ways import ALLOWED_DISPOSITIONS, DEFAULT_DISPOSITION, WAY_DATE_FIELDS, mode_label, steps_reached, \
    way_for

CHUNK = 5000
SHOWN = 10
_DATE_NAMES = [name for names in WAY_DATE_FIELDS.values() for name in names]


def _flips(rows: list[dict], *, mode_of, demolish: set[int]) -> list[tuple[dict, str]]:
    """(household row, its new way) for each household whose way changes."""
    out = []
    for row in rows:
        new = way_for(mode_of(row), [Disposition.DEMOLISH] if row["id"] in demolish else [])
        if new != row["way"]:
            out.append((row, new))
    return out


def _stranded_message(flips: list[tuple[dict, str]], *, what: str) -> str | None:
    """Why these flips are refused (the households that recorded a step only their way has), or None."""
    stranded = [(row, steps) for row, _new in flips if (steps := steps_reached(row, row["way"]))]
    if not stranded:
        return None
    lines = [f"住户 {row['number']} {row['head_name']} 已记录「{'、'.join(steps)}」（{Way(row['way']).label}路径）"
             for row, steps in stranded[:SHOWN]]
    more = f"……等 {len(stranded)} 户" if len(stranded) > SHOWN else ""
    return (f"{what}会使 {len(stranded)} 户改走另一条进度路径，而其已记录的进度只属于原路径，不能改变："
            f"{'；'.join(lines)}{more}。如确属登记错误，请先更正（撤销）这些进度记录。")


def _refuse_stranded(flips: list[tuple[dict, str]], *, what: str, field: str) -> None:
    message = _stranded_message(flips, what=what)
    if message:
        raise AppError(message, fields={field: "已有进度的住户不能改变路径"})


def _store(flips: list[tuple[dict, str]], *, actor, ip: str | None) -> list[int]:
    now = timezone.now()
    for way in Way.values:
        pks = [row["id"] for row, new in flips if new == way]
        for start in range(0, len(pks), CHUNK):
            Household.objects.filter(pk__in=pks[start:start + CHUNK]).update(
                way=way, version=F("version") + 1, updated_at=now)
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="household.way", object_type="ledger.household", object_id=row["id"],
                     object_repr=f"{row['number']} {row['head_name']}", changes={"way": [row["way"], new]})
        for row, new in flips])
    return [row["id"] for row, _new in flips]


def _rows(households):
    return list(households.order_by("id").values("id", "number", "head_name", "way", "village__mode", *_DATE_NAMES))


def _to_demolish(household_ids: list[int]) -> set[int]:
    out: set[int] = set()
    for start in range(0, len(household_ids), CHUNK):
        out.update(Building.objects.filter(household_id__in=household_ids[start:start + CHUNK],
                                           disposition=Disposition.DEMOLISH)
                   .order_by().values_list("household_id", flat=True).distinct())
    return out


def households_way_refresh(*, actor, household_ids: Iterable[int], what: str, ip: str | None = None) -> list[int]:
    """Give these households the way their village's mode and buildings say (inside a ledger write).

    Refuses (nothing written) a flip that strands recorded steps; ``what`` names the change in that
    message (房屋 3 改为「保留」). Returns the flipped ids; the caller tells ``households_changed``
    (``changed`` and ``flipped``), since it may have more to tell in the same call.
    """
    assert transaction.get_connection().in_atomic_block, "a household's way moves inside the ledger's write"
    ids = list(dict.fromkeys(household_ids))
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows.extend(_rows(Household.objects.filter(pk__in=ids[start:start + CHUNK])))
    flips = _flips(rows, mode_of=lambda row: row["village__mode"], demolish=_to_demolish(ids))
    if not flips:
        return []
    _refuse_stranded(flips, what=what, field="disposition")
    return _store(flips, actor=actor, ip=ip)


def households_way_refusals(*, household_ids: Iterable[int], demolish: set[int],
                            what: Callable[[int], str]) -> dict[int, str]:
    """The refusal ``households_way_refresh`` would give each of these households, read only (an
    import's preview, which refuses by row before anything is written).

    ``demolish`` are the ones that would have a building to demolish after the change; ``what(id)``
    names a household's change in its message. Returns, by household id, the message of each
    household whose way would change after it recorded a step only its way has.
    """
    ids = list(dict.fromkeys(household_ids))
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows.extend(_rows(Household.objects.filter(pk__in=ids[start:start + CHUNK])))
    refusals = {}
    for row, new in _flips(rows, mode_of=lambda row: row["village__mode"], demolish=demolish):
        if message := _stranded_message([(row, new)], what=what(row["id"])):
            refusals[row["id"]] = message
    return refusals


def village_mode_change(*, actor, village: Village, mode: str, ip: str | None = None) -> list[int]:
    """Follow a village's new mode (inside ``village_update``, before the mode is stored).

    拆除新建 and 整治提升 give every building of the village their one disposition (拆除 / 保留);
    拆整结合 keeps the marks the buildings have. Every household then takes the way the new mode
    says; a household that would leave a way on which it recorded a step is refused by name, and
    so is a 保留 for a building already demolished. Returns the flipped households' ids (the hook
    is told here).
    """
    assert transaction.get_connection().in_atomic_block, "a village's mode changes inside its write"
    if mode == village.mode or mode not in RenovationMode.values:
        return []
    what = f"城中村 {village.name}（{village.code}）的改造方式由「{mode_label(village.mode)}」改为「{mode_label(mode)}」"
    buildings = Building.objects.filter(household__village_id=village.pk)
    moved: list[tuple[int, str, str]] = []
    if mode != RenovationMode.MIXED:
        target = DEFAULT_DISPOSITION[mode]
        if target == Disposition.KEEP:
            down = list(buildings.filter(demolished_on__isnull=False).order_by("id")
                        .values_list("household__number", "number", "demolished_on")[:SHOWN])
            if down:
                shown = "；".join(f"住户 {h} 的房屋 {b}（{d:%Y-%m-%d} 拆除）" for h, b, d in down)
                raise AppError(f"{what}会把已拆除的房屋改为「保留」，不能改变：{shown}。",
                               fields={"mode": "村内已有房屋拆除"})
        moved = list(buildings.exclude(disposition__in=ALLOWED_DISPOSITIONS[mode])
                     .values_list("id", "household__number", "number", "disposition", "household_id",
                                  "household__project_id"))
    rows = _rows(Household.objects.filter(village_id=village.pk))
    ids = [row["id"] for row in rows]
    demolish = _to_demolish(ids) if mode == RenovationMode.MIXED else (
        set(ids) if DEFAULT_DISPOSITION[mode] == Disposition.DEMOLISH else set())
    flips = _flips(rows, mode_of=lambda _row: mode, demolish=demolish)
    _refuse_stranded(flips, what=what, field="mode")
    if moved:
        household_inputs_change_fire(household_ids=sorted({row[4] for row in moved}), what=f"房屋的处置方式（{what}）",
                                     project_ids=sorted({row[5] for row in moved}))
        now = timezone.now()
        pks = [pk for pk, *_rest in moved]
        for start in range(0, len(pks), CHUNK):
            Building.objects.filter(pk__in=pks[start:start + CHUNK]).update(
                disposition=DEFAULT_DISPOSITION[mode], version=F("version") + 1, updated_at=now)
        audit.record_many(actor=actor, ip=ip, items=[
            audit.Change(action="building.update", object_type="ledger.building", object_id=pk,
                         object_repr=f"{h}/{b}", changes={"disposition": [d, DEFAULT_DISPOSITION[mode]],
                                                          "village_mode": mode})
            for pk, h, b, d, *_ids in moved])
    flipped = _store(flips, actor=actor, ip=ip) if flips else []
    households_changed_fire(changed=flipped, flipped=flipped)
    return flipped
