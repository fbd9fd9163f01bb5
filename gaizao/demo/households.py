"""Households (住户), their members (家庭成员) and buildings (房屋) for the demo villages.

This is the bulk path: rows are made as tuples with primary keys chosen here (so persons and
buildings point at their household without reading anything back) and written in chunks of
``CHUNK`` households by ``gaizao.core.bulk.RowWriter``, which encrypts and hashes in the storage
format of the model's fields (``EncryptedTextField``/``LookupHashField``). Each household's
progress history (``gaizao.demo.progress.HistoryWriter``) is made as it is written: its stage
columns go in the household row, its events and hard case in the same chunk.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gaizao.core.bulk import RowWriter, gc_paused
from gaizao.demo.district import ProjectPlan, VillagePlan
from gaizao.demo.identity import IdentityFactory, day_of, year_of
from gaizao.demo.names import NamePicker, expand
from gaizao.demo.progress import DECIDED_AT, DEMOLISHED_AT, HistoryWriter
from gaizao.demo.progress import HOUSEHOLD_COLUMNS as PROGRESS_COLUMNS
from gaizao.ledger.choices import Disposition, Hukou, HouseholdUse, LandType, Legality, Relation, RenovationMode, Structure
from gaizao.ledger.models import Building, Household, Person
from gaizao.ledger.services import name_initials
from gaizao.ledger.ways import DEFAULT_DISPOSITION, way_for

CHUNK = 5000
HOUSEHOLD_COLUMNS = ("id", "project_id", "street_id", "village_id", "number", "head_name", "head_initials",
                     "head_id_number", "phone", "address", "land_type", "use", "member_count", *PROGRESS_COLUMNS)
PERSON_COLUMNS = ("id", "household_id", "name", "id_number", "relation", "hukou")
BUILDING_COLUMNS = ("id", "household_id", "number", "structure", "floors", "build_year", "certificate_no",
                    "legal_area", "unlicensed_area", "legality", "use", "disposition", "demolished_on")
_YEAR = 365.25

# Heads are adults on the anchor date: born 1938–2003, most around 1968.
HEAD_FIRST, HEAD_LAST, HEAD_MODE = day_of(1938), day_of(2003, 6, 30), day_of(1968)
ADULT_LAST = day_of(2007, 12, 31)
OLDEST_PARENT = day_of(1931)
LAST_DAY = day_of(2024, 12, 31)

PERSONS = expand({1: 10, 2: 20, 3: 26, 4: 22, 5: 14, 6: 8})
BUILDINGS = expand({1: 55, 2: 33, 3: 12})
HUKOU = expand({Hukou.LOCAL_RURAL.value: 55, Hukou.CONVERTED.value: 30, Hukou.LOCAL_URBAN.value: 7,
                Hukou.OUTSIDE.value: 8})
USES = expand({HouseholdUse.RESIDENTIAL.value: 86, HouseholdUse.MIXED.value: 10,
               HouseholdUse.NON_RESIDENTIAL.value: 4})
FLOORS = expand({1: 6, 2: 10, 3: 18, 4: 22, 5: 20, 6: 14, 7: 10})
# The main building is mostly legal; second and third ones (extensions, sheds) less so.
LEGALITY_MAIN = expand({Legality.LEGAL.value: 74, Legality.TEMPORARY.value: 5, Legality.ILLEGAL.value: 10,
                        Legality.PENDING.value: 11})
LEGALITY_EXTRA = expand({Legality.LEGAL.value: 45, Legality.TEMPORARY.value: 12, Legality.ILLEGAL.value: 30,
                         Legality.PENDING.value: 13})
LANE_PREFIXES = ("东", "西", "南", "北", "中", "新", "大", "后")
HOUSES_PER_LANE = 24
_DIGITS = "零一二三四五六七八九"

# Who else lives in the household: (relation, weight, at most per household); whether a relation
# is possible at all depends on the head's age (``LedgerWriter._possible``).
_RELATION_WEIGHTS = ((Relation.CHILD.value, 50, 4), (Relation.PARENT.value, 20, 2),
                     (Relation.GRANDCHILD.value, 18, 3), (Relation.SIBLING.value, 8, 2),
                     (Relation.OTHER.value, 4, 1))


_LEGALITY_AT = BUILDING_COLUMNS.index("legality")
_CERTIFICATE_AT = BUILDING_COLUMNS.index("certificate_no")


def decided(row: tuple) -> tuple:
    """A building row of a household that reached 认定, its legality decided: a pending building with
    a certificate is found legal (its uncertified floors stay unlicensed area), one without, illegal
    (all its area is unlicensed already). Areas, and so every figure, stay as they were."""
    if row[_LEGALITY_AT] != Legality.PENDING.value:
        return row
    legality = Legality.LEGAL.value if row[_CERTIFICATE_AT] else Legality.ILLEGAL.value
    return (*row[:_LEGALITY_AT], legality, *row[_LEGALITY_AT + 1:])


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 35 -> 三十五; Arabic digits from 100 on (lanes of huge villages)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")
    return str(n)


_NO_AREA = Decimal("0.00")


def area(cents: int) -> Decimal:
    """Square metres with two decimals from a whole number of hundredths (exact, no float)."""
    return Decimal(cents).scaleb(-2) if cents else _NO_AREA


@dataclass
class LedgerCounts:
    """Rows written by one load."""

    households: int = 0
    persons: int = 0
    buildings: int = 0


class LedgerWriter:
    """Generates the households of the villages in order and writes them in chunks."""

    def __init__(self, *, rng: random.Random, history: HistoryWriter, first_household_pk: int, first_person_pk: int,
                 first_building_pk: int, progress: Callable[[int], None] | None = None):
        self.rng = rng
        self.history = history
        self._random = rng.random
        self.names = NamePicker(rng)
        self.ids = IdentityFactory(rng)
        self.progress = progress
        self.counts = LedgerCounts()
        self._next_household = first_household_pk
        self._next_person = first_person_pk
        self._next_building = first_building_pk
        self._initials: dict[str, str] = {}
        self._certificates = 0
        self._households: list[tuple] = []
        self._persons: list[tuple] = []
        self._buildings: list[tuple] = []
        self._writers = tuple(RowWriter(model, columns, who="演示数据生成器（gaizao/demo）")
                              for model, columns in ((Household, HOUSEHOLD_COLUMNS), (Person, PERSON_COLUMNS),
                                                     (Building, BUILDING_COLUMNS)))
        self.first_household_pk = first_household_pk

    # --- the load -------------------------------------------------------------------------
    def write(self, *, villages: list[VillagePlan],
              cadre_ranges: dict[int, list[tuple[int, int, int]]]) -> LedgerCounts:
        """All households of ``villages`` in order; ``cadre_ranges`` as from ``AccountMaker.cadres``."""
        with gc_paused():  # millions of tuples, no cycles: the collector would only walk them
            self._write(villages=villages, cadre_ranges=cadre_ranges)
        return self.counts

    def _write(self, *, villages: list[VillagePlan], cadre_ranges: dict[int, list[tuple[int, int, int]]]) -> None:
        for village in villages:
            cadre_of: dict[int, int] = {}
            for first, stop, cadre_pk in cadre_ranges.get(village.pk, ()):
                cadre_of.update(dict.fromkeys(range(first, stop), cadre_pk))
            position = 0
            for project in village.projects:
                for number in range(1, project.households + 1):
                    village.population += self.household(
                        village=village, project=project, number=number, position=position,
                        cadre_pk=cadre_of.get(position))
                    position += 1
                    if len(self._households) >= CHUNK:
                        self.flush()
        self.flush()

    def flush(self) -> None:
        if not self._households:
            return
        households, persons, buildings = self._writers
        self.counts.households += households.write(self._households)
        self.counts.persons += persons.write(self._persons)
        self.counts.buildings += buildings.write(self._buildings)
        self.history.flush()
        self._households, self._persons, self._buildings = [], [], []
        if self.progress:
            self.progress(self.counts.households)

    # --- one household --------------------------------------------------------------------
    def initials(self, name: str) -> str:
        """Pinyin initials through the ledger's own function, cached per distinct name."""
        found = self._initials.get(name)
        if found is None:
            found = self._initials[name] = name_initials(name)
        return found

    def household(self, *, village: VillagePlan, project: ProjectPlan, number: int, position: int,
                  cadre_pk: int | None) -> int:
        """Queue one household with its members and buildings; returns its member count."""
        rnd = self._random
        pk = self._next_household
        self._next_household += 1
        male = rnd() < 0.78
        day = int(self.rng.triangular(HEAD_FIRST, HEAD_LAST, HEAD_MODE))
        hukou = HUKOU[int(rnd() * len(HUKOU))]
        clans = village.clans
        surname = clans[int(rnd() * rnd() * len(clans))] if rnd() < 0.6 else self.names.surname()
        name = surname + self.names.given(male=male, birth_year=year_of(day))
        head_id = self.ids.citizen_id(day=day, male=male, region=self.ids.region(hukou=hukou))
        members = self.members(pk=pk, head=(name, surname, male, day, hukou, head_id))
        use = USES[int(rnd() * len(USES))]
        lane, house = divmod(position, HOUSES_PER_LANE)
        lane_prefix, lane_number = LANE_PREFIXES[lane % len(LANE_PREFIXES)], lane // len(LANE_PREFIXES) + 1
        phone = self.ids.mobile() if rnd() < 0.97 else None
        land_type = LandType.COLLECTIVE.value if rnd() < 0.93 else LandType.STATE.value
        buildings, cents = self.buildings(household_pk=pk, use=use)
        dispositions = self.dispositions(village.mode, len(buildings))
        stage = self.history.household(pk=pk, village=village, plan=project, area=area(cents), area_centi=cents,
                                       cadre_pk=cadre_pk, way=way_for(village.mode, dispositions))
        self._households.append((  # in the order of HOUSEHOLD_COLUMNS
            pk, project.pk, village.street.pk, village.pk, f"{project.code}-{number:05d}", name,
            self.initials(name), head_id, phone,
            f"{village.name}{lane_prefix}{chinese_number(lane_number)}巷{house + 1}号", land_type, use, members,
            *stage,
        ))
        demolished = stage[DEMOLISHED_AT]  # a demolished household's buildings are gone with it, that day
        if stage[DECIDED_AT] is not None:  # 认定 follows the buildings: none of them left 待认定
            buildings = [decided(row) for row in buildings]
        # Only the buildings to demolish come down with the household (a 保留 one of 拆整结合 stands).
        self._buildings.extend([(*row, disposition, demolished if disposition == Disposition.DEMOLISH else None)
                                for row, disposition in zip(buildings, dispositions)])
        return members

    def dispositions(self, mode: str, count: int) -> list[str]:
        """处置方式 of a household's buildings: what the mode does; in 拆整结合, a core area demolished
        (about 55 % of households), some households keeping their main building and losing their
        extensions, the rest kept (ledger.ways)."""
        if mode != RenovationMode.MIXED:
            return [DEFAULT_DISPOSITION[mode]] * count
        draw = self._random()
        if draw < 0.55:
            return [Disposition.DEMOLISH.value] * count
        if draw < 0.65 and count > 1:
            return [Disposition.KEEP.value] + [Disposition.DEMOLISH.value] * (count - 1)
        return [Disposition.KEEP.value] * count

    def person(self, *, household_pk: int, name: str, relation: str, hukou: str, id_number: str) -> None:
        self._persons.append((self._next_person, household_pk, name, id_number, relation, hukou))
        self._next_person += 1

    def members(self, *, pk: int, head: tuple) -> int:
        """The head and up to five relatives, each with an ID consistent with age and sex."""
        rnd, rng, names, ids = self._random, self.rng, self.names, self.ids
        name, surname, male, day, hukou, head_id = head
        self.person(household_pk=pk, name=name, relation=Relation.HEAD.value, hukou=hukou, id_number=head_id)
        size = PERSONS[int(rnd() * len(PERSONS))]
        count = 1
        family_surname = surname  # children take the father's surname
        head_year = year_of(day)

        def add(relation: str, member_day: int, member_male: bool, member_surname: str | None) -> None:
            member_hukou = hukou if rnd() < 0.85 else HUKOU[int(rnd() * len(HUKOU))]
            self.person(
                household_pk=pk, relation=relation, hukou=member_hukou,
                name=names.full(male=member_male, birth_year=year_of(member_day), surname=member_surname),
                id_number=ids.citizen_id(day=member_day, male=member_male, region=ids.region(hukou=member_hukou)),
            )

        if size > 1 and rnd() < 0.88:
            spouse_day = self._between(day - 6 * _YEAR, day + 6 * _YEAR, HEAD_FIRST, ADULT_LAST)
            spouse_surname = names.surname()
            if not male:
                family_surname = spouse_surname
            add(Relation.SPOUSE.value, spouse_day, not male, spouse_surname)
            count += 1
        used = {relation: 0 for relation, _w, _m in _RELATION_WEIGHTS}
        while count < size:
            options = [(relation, weight) for relation, weight, most in _RELATION_WEIGHTS
                       if used[relation] < most and self._possible(relation, head_year)]
            if not options:
                break
            relation = rng.choices([r for r, _w in options], weights=[w for _r, w in options])[0]
            used[relation] += 1
            count += 1
            member_male = rnd() < 0.5
            if relation == Relation.CHILD:
                add(relation, self._between(day + 20 * _YEAR, day + 38 * _YEAR), member_male, family_surname)
            elif relation == Relation.GRANDCHILD:
                add(relation, self._between(day + 44 * _YEAR, day + 62 * _YEAR), member_male, family_surname)
            elif relation == Relation.PARENT:
                member_male = used[relation] == 1  # the father first, then the mother
                parent_day = self._between(day - 36 * _YEAR, day - 20 * _YEAR, OLDEST_PARENT)
                add(relation, parent_day, member_male, surname if member_male else None)
            elif relation == Relation.SIBLING:
                add(relation, self._between(day - 12 * _YEAR, day + 12 * _YEAR), member_male, surname)
            else:
                add(relation, int(rng.triangular(HEAD_FIRST, ADULT_LAST, HEAD_MODE)), member_male, None)
        return count

    def _between(self, low: float, high: float, floor: int = HEAD_FIRST, ceiling: int = LAST_DAY) -> int:
        """A day drawn evenly from [low, high] cut to [floor, ceiling]. Drawing inside the window,
        rather than clamping a draw to it, keeps birthdays from piling up on its edges."""
        low, high = max(low, floor), min(high, ceiling)
        return int(low + self._random() * (high - low))

    @staticmethod
    def _possible(relation: str, head_year: int) -> bool:
        # Children are born when the head is 20-38, grandchildren at 44-62, parents are 20-36
        # years older than the head and born 1931 or later; the window must not be empty.
        if relation == Relation.CHILD:
            return head_year <= 2002
        if relation == Relation.PARENT:
            return head_year >= 1952
        if relation == Relation.GRANDCHILD:
            return head_year <= 1978
        return True

    def buildings(self, *, household_pk: int, use: str) -> tuple[list[tuple], int]:
        """One to three buildings with structure, floors, year, certificate, areas, legality: their
        rows (all of BUILDING_COLUMNS but the demolition date) and their total area in hundredths."""
        rnd, rng = self._random, self.rng
        rows, cents = [], 0
        for k in range(1, BUILDINGS[int(rnd() * len(BUILDINGS))] + 1):
            year = int(rng.triangular(1980, 2021, 2003))
            floors = FLOORS[int(rnd() * len(FLOORS))]
            table = LEGALITY_MAIN if k == 1 else LEGALITY_EXTRA
            legality = table[int(rnd() * len(table))]
            if k > 1 and rnd() < 0.35:
                structure, floors = Structure.SIMPLE.value, 1  # sheds and lean-tos (铁皮房、搭建)
            elif year < 1990:
                floors = min(floors, 3)
                structure = Structure.BRICK_WOOD.value if rnd() < 0.45 else Structure.BRICK_CONCRETE.value
            elif floors >= 6 or (year >= 2005 and rnd() < 0.6):
                structure = Structure.FRAME.value
            else:
                structure = Structure.BRICK_CONCRETE.value
            footprint = rng.randrange(4500, 13000)  # 45–130 ㎡ a floor, in hundredths of a ㎡
            total = footprint * floors
            legal, unlicensed, certificate = total, 0, ""
            if legality == Legality.LEGAL:
                certificate = self.certificate(year)
                if floors > 2 and rnd() < 0.35:  # floors added on top of the certified ones (加建)
                    unlicensed = footprint * min(floors - 1, 1 + int(rnd() * 2))
                    legal = total - unlicensed
            elif legality == Legality.TEMPORARY:
                certificate = f"云临建〔{min(year, 2024)}〕{rng.randrange(1, 999):03d}号" if rnd() < 0.7 else ""
            elif legality == Legality.ILLEGAL:
                legal, unlicensed = 0, total
            elif rnd() < 0.4:  # pending, with a certificate that may not cover everything
                certificate = self.certificate(year)
                legal = footprint * max(1, floors - 1 - int(rnd() * 2))
                unlicensed = total - legal
            else:
                legal, unlicensed = 0, total
            rows.append((  # in the order of BUILDING_COLUMNS
                self._next_building, household_pk, str(k), structure, floors, year, certificate,
                area(legal), area(unlicensed), legality,
                use if k == 1 else (HouseholdUse.RESIDENTIAL.value if rnd() < 0.7 else use),
            ))
            cents += legal + unlicensed
            self._next_building += 1
        return rows, cents

    def certificate(self, build_year: int) -> str:
        """A unique certificate number in the format of its time (集体土地使用证 / 不动产权证书)."""
        self._certificates += 1 + int(self._random() * 3)
        issued = min(build_year + int(self._random() * 4), 2024)
        if issued >= 2016:
            return f"粤（{issued}）云溪区不动产权第{self._certificates:07d}号"
        return f"云集用（{issued}）第{self._certificates:06d}号"
