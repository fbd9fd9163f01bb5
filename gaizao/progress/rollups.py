"""Rollups (进度汇总): what dashboards, rankings and documents read instead of the household table.

A household *contributes* to its units (district, street, village, project): one household and
its area to the scope of its way (``scope``: the demolition way, whose households sign and are
demolished; ``scope_upgrade``: the upgrade way, 整治提升), and one to each stage it reached, on
the day it reached it. A household whose way flips (拆整结合: a building's disposition changed)
moves from one scope to the other (``household_areas_changed(…, flipped=…)``). A write that
changes a household computes its contributions before and after and adds the difference to
``DailyRollup`` (per day) and ``Rollup`` (the running total) with one upsert each, inside the
writer's transaction. ``recompute`` derives the same figures from the events and the buildings
alone; ``verify`` and ``rebuild`` compare and repair (`gaizao rollups verify|rebuild`).
``verify`` also holds "demolished" to one source of truth: a household has a 拆除 date exactly when
all its buildings are demolished, the day the last of them came down (``demolition_mismatch``;
``rebuild`` does not guess which side is right: a person corrects it).

Withdrawn households (撤出改造范围) contribute nothing: they left the scope, and every figure
(including the days they had reached before) is counted without them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Count, Max, Q

from gaizao.ledger.choices import Disposition, RenovationMode, Way
from gaizao.ledger.models import Building, Household, Project
from gaizao.ledger.ways import other, way_for
from gaizao.progress.choices import KEY_LABELS, SCOPE, SCOPE_UPGRADE, EventKind, Level
from gaizao.progress.models import DailyRollup, Rollup, StageEvent
# The household's state and the replay of its events are the stage rules' (one home for both).
from gaizao.progress.stages import DATE_FIELDS, State, replay

Key = tuple[str, "dt.date | None"]  # (rollup key, day) — day None: counted in totals only
Contributions = dict[Key, tuple[int, int]]
Units = tuple[tuple[int, int], ...]  # ((level, unit id), ...)
HOUSEHOLD_STATE_FIELDS = [*DATE_FIELDS.values(), "resettlement_mode", "stage", "area", "way"]
SCOPE_OF_WAY = {Way.DEMOLISH: SCOPE, Way.UPGRADE: SCOPE_UPGRADE}


def centi(area: Decimal | None) -> int:
    """Area in hundredths of ㎡ (rollups add integers: exact on SQLite and PostgreSQL)."""
    return int((area or Decimal("0")) * 100)


def from_centi(value: int | None) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(Decimal("0.01"))


def contributions(state: State, area_centi: int) -> Contributions:
    if EventKind.WITHDRAWN in state.dates:
        return {}
    out: Contributions = {(SCOPE_OF_WAY.get(state.way, SCOPE), None): (1, area_centi)}
    for kind, day in state.dates.items():
        out[(str(kind), day)] = (1, area_centi)
    return out


def difference(before: Contributions, after: Contributions) -> Contributions:
    out: Contributions = {}
    for key in before.keys() | after.keys():
        b, a = before.get(key, (0, 0)), after.get(key, (0, 0))
        delta = (a[0] - b[0], a[1] - b[1])
        if delta != (0, 0):
            out[key] = delta
    return out


def units_of(household: Household, district_id: int | None) -> Units:
    units = [(Level.STREET, household.street_id), (Level.VILLAGE, household.village_id),
             (Level.PROJECT, household.project_id)]
    if district_id is not None:
        units.insert(0, (Level.DISTRICT, district_id))
    return tuple(units)


class Delta:
    """Differences collected over many households, written with one upsert per table."""

    def __init__(self) -> None:
        self.daily: dict[tuple[int, int, str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
        self.totals: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, units: Units, diff: Contributions) -> None:
        for (key, day), (households, area) in diff.items():
            for level, unit in units:
                total = self.totals[(level, unit, key)]
                total[0] += households
                total[1] += area
                if day is not None:
                    daily = self.daily[(level, unit, key, day)]
                    daily[0] += households
                    daily[1] += area

    def __bool__(self) -> bool:
        return bool(self.totals)

    def write(self) -> None:
        """Add the differences to the stored rollups (INSERT … ON CONFLICT DO UPDATE, both databases)."""
        _upsert(DailyRollup._meta.db_table, ("level", "unit", "key", "day"),
                [(*k, v[0], v[1]) for k, v in self.daily.items() if v != [0, 0]])
        _upsert(Rollup._meta.db_table, ("level", "unit", "key"),
                [(*k, v[0], v[1]) for k, v in self.totals.items() if v != [0, 0]])


def _upsert(table: str, keys: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = (*keys, "households", "area_centi")
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # SQLite binds at most 32,766 variables per statement: 4,000 rows of 6 stay well below.
    for start in range(0, len(rows), 4000):
        chunk = rows[start:start + 4000]
        sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES {', '.join([one] * len(chunk))} "
               f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
               f"households = {qn(table)}.households + excluded.households, "
               f"area_centi = {qn(table)}.area_centi + excluded.area_centi")
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


def district_of_streets(street_ids: Iterable[int]) -> dict[int, int | None]:
    from gaizao.org.models import OrgUnit

    return dict(OrgUnit.objects.filter(id__in=set(street_ids)).values_list("id", "parent_id"))


# ---------------------------------------------------------------- ledger writes that move rollups

def scope_added(*, project: Project, households: int, area_centi: int, way: str = Way.DEMOLISH) -> None:
    """New households without events, all on ``way``, entered ``project``'s scope (the import's fast path)."""
    if not households:
        return
    street = project.village.street
    delta = Delta()
    units = ((Level.DISTRICT, street.parent_id),) if street.parent_id else ()
    units += ((Level.STREET, street.id), (Level.VILLAGE, project.village_id), (Level.PROJECT, project.id))
    delta.add(units, {(SCOPE_OF_WAY[way], None): (households, area_centi)})
    delta.write()


def scope_added_or_read(*, project: Project, household_ids, area_centi: int) -> None:
    """The import's fast path when the village's mode gives every new household one way (拆除新建:
    拆除安置, 整治提升: 整治); in a 拆整结合 village each household's way is read (its buildings say it)."""
    if project.village.mode == RenovationMode.MIXED:
        households_added(household_ids)
    else:
        scope_added(project=project, households=len(household_ids), area_centi=area_centi,
                    way=way_for(project.village.mode, [Disposition.DEMOLISH]))


def households_added(household_ids: Iterable[int]) -> None:
    """New households enter their project's scope (call after their buildings are written)."""
    _refresh(list(household_ids), new=True)


def household_areas_changed(household_ids: Iterable[int], *, flipped: Iterable[int] = ()) -> None:
    """Buildings of these households changed: recount their area where it differs; those ``flipped``
    changed their way (stored already), so they leave the other way's scope for their own."""
    _refresh(list(household_ids), new=False, flipped=set(flipped))


def _refresh(ids: list[int], *, new: bool, flipped: set[int] = frozenset()) -> None:
    if not ids:
        return
    assert transaction.get_connection().in_atomic_block, "rollups change inside the writer's transaction"
    delta = Delta()
    updates: list[tuple[int, Decimal]] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        areas = building_areas(chunk)
        households = list(Household.objects.filter(id__in=chunk).only(
            "id", "street_id", "village_id", "project_id", *HOUSEHOLD_STATE_FIELDS))
        districts = district_of_streets(h.street_id for h in households)
        for household in households:
            area = areas.get(household.id, Decimal("0.00"))
            state = State.of(household)
            was = State(dates=state.dates, way=other(state.way)) if household.id in flipped else state
            before = {} if new else contributions(was, centi(household.area))
            if area != household.area:
                updates.append((household.id, area))
            after = contributions(state, centi(area))
            diff = difference(before, after)
            if diff:
                delta.add(units_of(household, districts.get(household.street_id)), diff)
    # One UPDATE … CASE per 500 households, not one statement each (an import changes thousands).
    Household.objects.bulk_update([Household(pk=pk, area=area) for pk, area in updates], ["area"], batch_size=500)
    delta.write()


def building_areas(household_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Sum of legal and unlicensed area per household, in Decimal (never the database's float sum)."""
    qs = Building.objects.order_by()
    if household_ids is not None:
        qs = qs.filter(household_id__in=household_ids)
    out: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for household_id, legal, unlicensed in qs.values_list("household_id", "legal_area", "unlicensed_area").iterator(
            chunk_size=20000):
        out[household_id] += (legal or 0) + (unlicensed or 0)
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}


# ---------------------------------------------------------------- recompute, verify, rebuild

@dataclass
class Recomputed:
    daily: dict[tuple[int, int, str, dt.date], tuple[int, int]]
    totals: dict[tuple[int, int, str], tuple[int, int]]
    households: dict[int, dict]  # household id -> the fields the events and buildings say
    numbers: dict[int, str]


def _events_by_household() -> Iterator[tuple[int, list]]:
    rows = (StageEvent.objects.order_by("household_id", "id")
            .values_list("household_id", "id", "kind", "on_date", "corrects_id", "resettlement_mode")
            .iterator(chunk_size=20000))
    current, events = None, []
    for household_id, pk, kind, on_date, corrects_id, mode in rows:
        if household_id != current:
            if current is not None:
                yield current, events
            current, events = household_id, []
        events.append(_Event(pk, kind, on_date, corrects_id, mode))
    if current is not None:
        yield current, events


@dataclass(slots=True)
class _Event:
    id: int
    kind: str
    on_date: dt.date
    corrects_id: int | None
    resettlement_mode: str


def expected_ways() -> dict[int, str]:
    """Each household's way from its village's mode and its buildings' dispositions (one query each)."""
    to_demolish = set(Building.objects.filter(disposition=Disposition.DEMOLISH).order_by()
                      .values_list("household_id", flat=True).distinct().iterator(chunk_size=20000))
    return {hid: way_for(mode, [Disposition.DEMOLISH] if hid in to_demolish else [])
            for hid, mode in Household.objects.order_by().values_list("id", "village__mode").iterator(chunk_size=20000)}


def recompute() -> Recomputed:
    """Every rollup and every household's stage, dates, area and way, from events, buildings and modes only."""
    states = {hid: replay(events) for hid, events in _events_by_household()}
    areas = building_areas()
    ways = expected_ways()
    projects = {pid: (vid, sid, did) for pid, vid, sid, did in Project.objects.values_list(
        "id", "village_id", "village__street_id", "village__street__parent_id")}
    by_project: dict[tuple[int, str, dt.date | None], list[int]] = defaultdict(lambda: [0, 0])
    households: dict[int, dict] = {}
    numbers: dict[int, str] = {}
    for hid, project_id, number in Household.objects.order_by("id").values_list("id", "project_id", "number").iterator(
            chunk_size=20000):
        state = states.get(hid) or State()
        state.way = ways[hid]
        area = areas.get(hid, Decimal("0.00"))
        households[hid] = {**state.household_fields(), "area": area, "way": state.way}
        numbers[hid] = number
        for key, (count, area_c) in contributions(state, centi(area)).items():
            cell = by_project[(project_id, *key)]
            cell[0] += count
            cell[1] += area_c
    daily: dict = defaultdict(lambda: [0, 0])
    totals: dict = defaultdict(lambda: [0, 0])
    for (project_id, key, day), (count, area_c) in by_project.items():
        village_id, street_id, district_id = projects[project_id]
        units = [(Level.PROJECT, project_id), (Level.VILLAGE, village_id), (Level.STREET, street_id)]
        if district_id is not None:
            units.append((Level.DISTRICT, district_id))
        for level, unit in units:
            for target, k in ((totals, (level, unit, key)), (daily, (level, unit, key, day))):
                if target is daily and day is None:
                    continue
                target[k][0] += count
                target[k][1] += area_c
    return Recomputed(
        daily={k: tuple(v) for k, v in daily.items() if v != [0, 0]},
        totals={k: tuple(v) for k, v in totals.items() if v != [0, 0]},
        households=households, numbers=numbers,
    )


def _stored_daily() -> dict:
    return {(lv, u, k, d): (h, a) for lv, u, k, d, h, a in DailyRollup.objects.values_list(
        "level", "unit", "key", "day", "households", "area_centi").iterator(chunk_size=20000) if (h, a) != (0, 0)}


def _stored_totals() -> dict:
    return {(lv, u, k): (h, a) for lv, u, k, h, a in Rollup.objects.values_list(
        "level", "unit", "key", "households", "area_centi") if (h, a) != (0, 0)}


@dataclass
class VerifyResult:
    ok: bool
    households: int
    rollups: int
    mismatch: str = ""
    rebuildable: bool = True  # False: a household and its buildings disagree (a person corrects it)




def _describe(key: tuple) -> str:
    level, unit, name = key[0], key[1], key[2]
    day = f" {key[3]:%Y-%m-%d}" if len(key) > 3 else ""
    return f"{Level(level).label} #{unit} 的「{KEY_LABELS.get(name, name)}」{day}"


def demolition_mismatch() -> str:
    """The first household whose 拆除 disagrees with its buildings, said in Chinese ("" when none).

    With buildings to demolish (处置方式「拆除」; kept ones never come down), a household's 拆除 date is
    set exactly when every one of them is demolished, and equals the day the last came down; a kept
    building marked demolished is named too. One aggregate query over the buildings, one over the
    households with a 拆除 date or a demolished building.
    """
    per_household = {hid: (n, standing, last) for hid, n, standing, last in (
        Building.objects.filter(disposition=Disposition.DEMOLISH).order_by().values("household_id")
        .annotate(n=Count("id"), standing=Count("id", filter=Q(demolished_on__isnull=True)),
                  last=Max("demolished_on"))
        .values_list("household_id", "n", "standing", "last").iterator(chunk_size=20000))}
    kept = (Building.objects.filter(disposition=Disposition.KEEP, demolished_on__isnull=False).order_by("id")
            .values_list("household__number", "household_id", "number", "demolished_on").first())
    if kept is not None:
        return (f"住户 {kept[0]}（#{kept[1]}）的房屋 {kept[2]} 处置方式为「保留」，却于 {kept[3]:%Y-%m-%d} 标记拆除："
                "保留的房屋不能拆除。")
    households = Household.objects.order_by("id").values_list("id", "number", "demolished_on")
    for hid, number, demolished_on in households.iterator(chunk_size=20000):
        n, standing, last = per_household.get(hid, (0, 0, None))
        if not n or (demolished_on is None and last is None):
            continue  # no building registered (nothing to agree with), or nothing demolished
        if demolished_on is not None and standing:
            return (f"住户 {number}（#{hid}）已于 {demolished_on:%Y-%m-%d} 记录拆除，但其 {n} 栋房屋中有 {standing} 栋"
                    "未标记拆除：住户的拆除与其房屋不一致。")
        if demolished_on is None and not standing:
            return (f"住户 {number}（#{hid}）的 {n} 栋房屋均已标记拆除（最后一栋 {last:%Y-%m-%d}），但住户未记录拆除："
                    "住户的拆除与其房屋不一致。")
        if demolished_on is not None and last != demolished_on:
            return (f"住户 {number}（#{hid}）的拆除日期为 {demolished_on:%Y-%m-%d}，其最后一栋房屋的拆除日期为 "
                    f"{last:%Y-%m-%d}：住户的拆除日期应为最后一栋房屋拆除之日。")
    return ""


def verify() -> VerifyResult:
    """Compare stored rollups and households with ``recompute``; name the first difference."""
    fresh = recompute()
    stored_households = Household.objects.order_by("id").values_list("id", *HOUSEHOLD_STATE_FIELDS).iterator(
        chunk_size=20000)
    names = ["id", *HOUSEHOLD_STATE_FIELDS]
    for row in stored_households:
        stored = dict(zip(names, row))
        expected = fresh.households[stored["id"]]
        for name, value in expected.items():
            if stored[name] != value and not (name == "resettlement_mode" and not stored[name] and not value):
                label = str(Household._meta.get_field(name).verbose_name)
                return VerifyResult(False, len(fresh.households), len(fresh.totals),
                                    f"住户 {fresh.numbers[stored['id']]}（#{stored['id']}）的{label}：按事件与房屋应为 "
                                    f"{_show(value)}，台账中为 {_show(stored[name])}。")
    for label, expected, stored in (("合计", fresh.totals, _stored_totals()), ("按日", fresh.daily, _stored_daily())):
        for key in sorted(expected.keys() | stored.keys(), key=_sort_key):
            want, have = expected.get(key, (0, 0)), stored.get(key, (0, 0))
            if want != have:
                return VerifyResult(False, len(fresh.households), len(fresh.totals),
                                    f"{label}汇总 {_describe(key)}：重算为 {want[0]} 户 {from_centi(want[1])} ㎡，"
                                    f"已存为 {have[0]} 户 {from_centi(have[1])} ㎡。")
    mismatch = demolition_mismatch()
    if mismatch:
        return VerifyResult(False, len(fresh.households), len(fresh.totals), mismatch, rebuildable=False)
    return VerifyResult(True, len(fresh.households), len(fresh.totals))


def _sort_key(key: tuple):
    return tuple(str(part) for part in key)


def _show(value) -> str:
    return "（空）" if value in (None, "") else str(value)


def rebuild() -> tuple[int, int]:
    """Replace every rollup and repair households' stage fields from events; returns (rollups, households fixed)."""
    fresh = recompute()
    fixed = 0
    names = ["id", *HOUSEHOLD_STATE_FIELDS]
    with transaction.atomic():
        for row in Household.objects.order_by("id").values_list(*names).iterator(chunk_size=20000):
            stored = dict(zip(names, row))
            expected = fresh.households[stored["id"]]
            if any(stored[n] != v and not (n == "resettlement_mode" and not stored[n] and not v)
                   for n, v in expected.items()):
                Household.objects.filter(pk=stored["id"]).update(**expected)
                fixed += 1
        DailyRollup.objects.all().delete()
        Rollup.objects.all().delete()
        DailyRollup.objects.bulk_create(
            [DailyRollup(level=k[0], unit=k[1], key=k[2], day=k[3], households=v[0], area_centi=v[1])
             for k, v in fresh.daily.items()], batch_size=5000)
        Rollup.objects.bulk_create(
            [Rollup(level=k[0], unit=k[1], key=k[2], households=v[0], area_centi=v[1])
             for k, v in fresh.totals.items()], batch_size=5000)
    return len(fresh.totals), fixed


__all__ = [
    "Delta", "State", "scope_added", "centi", "contributions", "difference", "from_centi", "households_added",
    "household_areas_changed", "rebuild", "recompute", "replay", "units_of", "verify",
]
