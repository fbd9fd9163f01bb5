"""The import plan (导入预览): what the file would change in a project, before anything is written.

``make_plan`` compares the parsed households with the project's households in the database and
sorts each into new / changed / unchanged / rejected, with field-level changes (personal numbers
masked). It also makes the checks that need the database: one ID one person (``ledger.identity``:
no head of two households, no member of two, no head of one and member of another, within the file
and across the district), and masked numbers (110105********002X, 138****5678), which mean "keep
the stored value" only when the household exists and the mask fits what is stored.

A building's 处置方式 (拆除 / 保留) is checked against the village's mode (拆除新建 only 拆除, 整治提升
only 保留, ``ledger.ways``); in 拆整结合 a new building or mark that would move a stored household onto
the other way after it recorded a step of its own way is refused on its row (``services.ways``).

The file is the new truth for the households it lists: it may swap or replace heads, and a stored
member whom it lists in another of its households moves there (their record, not a copy: the import
never deletes). A household left out (rejected) takes the rows that needed its change with it.

The plan is plain data: ``summary()`` is JSON-serialisable for the preview page and ``--json``;
``fingerprint`` lets a page check that what is confirmed is what was previewed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.core.bulk import gc_paused
from gaizao.core.crypto import lookup_hash, lookup_hash_many, sm3_hex
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger import identity
from gaizao.ledger.choices import Disposition, HouseholdUse, Hukou, LandType, Legality, RenovationMode, Relation, \
    Structure
from gaizao.ledger.importing import headers as h
from gaizao.ledger.importing.normalise import Masked
from gaizao.ledger.importing.validate import HouseholdIn, ParsedFile, RowError
from gaizao.ledger.models import Building, Household, Person, Project
from gaizao.ledger.selectors.lists import cadre_options
from gaizao.ledger.services.ways import households_way_refusals
from gaizao.ledger.ways import ALLOWED_DISPOSITIONS, DEFAULT_DISPOSITION, disposition_refusal
from gaizao.org.models import User

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
CHUNK = 900  # values per IN (...) list: below SQLite's old 999-variable limit
HOUSEHOLD_FIELDS = ("head_name", "head_id_number", "phone", "address", "land_type", "use", "member_count")
BUILDING_FIELDS = ("structure", "floors", "build_year", "certificate_no", "legal_area", "unlicensed_area", "legality",
                   "disposition")
PERSON_FIELDS = ("name", "id_number", "relation", "hukou")
HOUSEHOLD_DEFAULTS = {"address": "", "land_type": LandType.COLLECTIVE, "use": HouseholdUse.RESIDENTIAL}
BUILDING_DEFAULTS = {"structure": Structure.BRICK_CONCRETE, "floors": 1, "build_year": None, "certificate_no": "",
                     "legal_area": Decimal("0.00"), "unlicensed_area": Decimal("0.00"), "legality": Legality.PENDING}
PERSON_DEFAULTS = {"id_number": None, "hukou": Hukou.LOCAL_RURAL}
_LABELS = {column.key: column for column in (*h.HOUSEHOLD_COLUMNS, *h.PERSON_COLUMNS)}


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def shown(key: str, value) -> str:
    """A value as the preview shows it: personal numbers masked, choices by their Chinese label."""
    if value is None or value == "":
        return ""
    if key in {"head_id_number", "id_number"}:
        return str(value) if isinstance(value, Masked) else mask_citizen_id(str(value))
    if key == "phone":
        return str(value) if isinstance(value, Masked) else mask_phone(str(value))
    column = _LABELS.get(key)
    if column is not None and column.choices is not None:
        try:
            return str(column.choices(value).label)
        except ValueError:
            return str(value)
    return str(value)


@dataclass(slots=True)
class FieldChange:
    """One changed value as the preview shows it (before → after, personal numbers masked)."""

    column: str  # the header as in the file, or "房屋 2·合法面积（㎡）", "家庭成员 周芳"
    before: str
    after: str
    field: str = ""  # the household's model field, for the audit entry; '' for buildings and members


@dataclass
class HouseholdPlan:
    """What applying the file does to one existing household (修改)."""

    number: str
    row: int
    household_id: int
    version: int
    updates: dict = field(default_factory=dict)  # model field -> new value
    changes: list = field(default_factory=list)  # FieldChange, masked
    building_creates: list = field(default_factory=list)  # dicts of model values
    building_updates: list = field(default_factory=list)  # (id, version, {field: value})
    person_creates: list = field(default_factory=list)
    person_updates: list = field(default_factory=list)  # (id, {field: value}); a member moving in: household_id
    moved_out: list = field(default_factory=list)  # ids of members moving to another household of the file

    @property
    def has_changes(self) -> bool:
        return bool(self.updates or self.building_creates or self.building_updates or self.person_creates
                    or self.person_updates or self.moved_out)


@dataclass
class ImportPlan:
    project_id: int
    project_code: str
    parsed: ParsedFile
    mode: str = ""  # the village's mode (改造方式): what a building's 处置方式 may be (ledger.ways)
    new: list[HouseholdIn] = field(default_factory=list)
    changed: list[HouseholdPlan] = field(default_factory=list)
    unchanged: int = 0
    hashes: dict = field(default_factory=dict)  # normalised personal number -> keyed hash
    moves: list = field(default_factory=list)  # identity.Move: stored members the file lists in another household
    depends: list = field(default_factory=list)  # (identity.Claim, 户号 whose change the claim needs)
    # 拆整结合: stored households whose dispositions the file changes (a new building, a new mark), as
    # (HouseholdPlan, HouseholdIn, [(BuildingIn, new, disposition)], has a building to demolish after)
    marked: list = field(default_factory=list)
    # 包户干部 (only with the column): the names of the cadres the file names and the households had, by id.
    cadre_names: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[RowError]:
        return self.parsed.errors

    @property
    def rejected_households(self) -> int:
        return len(self.parsed.rejected)

    def counts(self) -> dict:
        parsed = self.parsed
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged,
                "rejected_households": self.rejected_households, "households": len(parsed.households),
                "buildings": parsed.buildings_read, "persons": parsed.persons_read}

    def summary(self, *, limit: int | None = None) -> dict:
        """The preview as plain data (计划摘要): counts, row errors, warnings, masked changes."""
        labels = self.parsed.labels
        changes = []
        for household in self.new[:limit] if limit else self.new:
            fields = [
                {"column": labels.get(key, key), "before": "", "after": shown(key, household.values.get(key))}
                for key in HOUSEHOLD_FIELDS if household.values.get(key) not in (None, "")
            ]
            if household.values.get("cadre") is not None:
                fields.append({"column": labels["cadre"], "before": "",
                               "after": self.cadre_names.get(household.values["cadre"], "")})
            changes.append({"household": household.number, "row": household.row, "status": NEW, "fields": fields,
                            "buildings": len(household.buildings), "persons": len(household.persons)})
        for item in self.changed[:limit] if limit else self.changed:
            changes.append({"household": item.number, "row": item.row, "status": CHANGED, "fields": [
                {"column": c.column, "before": c.before, "after": c.after} for c in item.changes]})
        return {
            "project": self.project_code, "file": self.parsed.filename, **self.counts(),
            "rejected": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.parsed.warnings],
            "changes": changes,
        }

    @property
    def fingerprint(self) -> str:
        """SM3 of the full summary: the same file against the same data gives the same value."""
        text = json.dumps(self.summary(), ensure_ascii=False, sort_keys=True, default=str)
        return sm3_hex(text.encode("utf-8"))


class _Lookups:
    """The project's existing households, buildings and members that the file mentions."""

    def __init__(self, project: Project, numbers: list[str], *, extra: tuple[str, ...] = ()):
        self.households: dict[str, dict] = {}
        self.buildings: dict[int, dict[str, dict]] = defaultdict(dict)
        self.persons: dict[int, list[dict]] = defaultdict(list)
        self.plain: dict[int, tuple[str | None, str | None]] = {}
        self.moved: dict[int, dict] = {}
        columns = ("id", "number", "version", "head_name", "head_id_hash", "phone_hash", "address", "land_type",
                   "use", "member_count", "decided_on", "demolished_on", *extra)
        base = Household.objects.filter(project=project).order_by()
        total = base.count()
        if total == 0:
            return
        rows = []
        if len(numbers) * 4 >= total:
            wanted = set(numbers)
            rows = [row for row in base.values_list(*columns) if row[1] in wanted]
        else:
            for chunk in _chunks(numbers):
                rows.extend(base.filter(number__in=chunk).values_list(*columns))
        self.households = {row[1]: dict(zip(columns, row)) for row in rows}
        ids = [row[0] for row in rows]
        bcols = ("id", "household_id", "number", "version", "demolished_on", *BUILDING_FIELDS)
        pcols = ("id", "household_id", "name", "id_hash", "relation", "hukou")
        for chunk in _chunks(ids):
            for row in Building.objects.filter(household_id__in=chunk).order_by().values_list(*bcols):
                self.buildings[row[1]][row[2]] = dict(zip(bcols, row))
            for row in Person.objects.filter(household_id__in=chunk).order_by("id").values_list(*pcols):
                self.persons[row[1]].append(dict(zip(pcols, row)))

    def add_moved(self, moves: list[identity.Move]) -> None:
        """The stored members who move to another household of the file (``self.moved``), with the
        户号 they leave (``source``)."""
        pcols = ("id", "household_id", "name", "id_hash", "relation", "hukou")
        sources = {move.person: move.source for move in moves}
        self.moved = {}
        for chunk in _chunks(list(sources)):
            for row in Person.objects.filter(id__in=chunk).order_by().values_list(*pcols):
                self.moved[row[0]] = {**dict(zip(pcols, row)), "source": sources[row[0]]}

    def plain_numbers(self, household_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        """Decrypted ID and phone of a few households (to check masks and show what changes)."""
        out = {}
        for chunk in _chunks(household_ids):
            rows = Household.objects.filter(id__in=chunk).values_list("id", "head_id_number", "phone")
            out.update((pk, (head_id, phone)) for pk, head_id, phone in rows)
        return out

    @staticmethod
    def plain_person_ids(person_ids: list[int]) -> dict[int, str | None]:
        out = {}
        for chunk in _chunks(person_ids):
            out.update(Person.objects.filter(id__in=chunk).values_list("id", "id_number"))
        return out


def _place(parsed: ParsedFile):
    """How a message names another row of the file (ledger.identity's ``place``)."""
    def place(claim: identity.Claim) -> str:
        sheet = parsed.household_sheet if claim.role == identity.HEAD else parsed.person_sheet
        return _("「%(sheet)s」表第 %(r)d 行（户号 %(no)s）") % {"sheet": sheet, "r": claim.ref.row, "no": claim.household}
    return place


def _refuse(parsed: ParsedFile, claim: identity.Claim, reason: str) -> None:
    """A row error on the ID cell of a claim: the household's head, or a member's row."""
    if claim.role == identity.HEAD:
        parsed.error(sheet=parsed.household_sheet, row=claim.ref.row, household=claim.household,
                     column=parsed.labels["head_id_number"], reason=reason)
    else:
        parsed.error(sheet=parsed.person_sheet, row=claim.ref.row, household=claim.household,
                     column=parsed.person_labels["id_number"], reason=reason)


def _check_identity(plan: ImportPlan, project: Project, *, actor) -> None:
    """One ID, one person (一人一证, ``ledger.identity``): every head and member of the file, within the
    file and against every stored household of the district.

    The file is the new truth for the households it lists: a head it replaces, or a member it lists
    in another of its households (moving them, ``plan.moves``), does not count against it. A message
    names another household only when the importing user may read it.
    """
    parsed = plan.parsed
    heads, members = [], []
    for household in parsed.households.values():
        head_id = household.values.get("head_id_number")
        if head_id and not isinstance(head_id, Masked):
            heads.append((household, head_id))
        for person in household.persons:
            person_id = person.values.get("id_number")
            if person_id and not isinstance(person_id, Masked):
                members.append((household, person, person_id))
    numbers = [number for _h, number in heads] + [number for _h, _p, number in members]
    # The heads' hashes from the worker that sealed them while the file was read (sealed.py), if any.
    digests = parsed.sealed.hashes(numbers) if parsed.sealed is not None else [None] * len(numbers)
    missing = [i for i, digest in enumerate(digests) if digest is None]
    for i, digest in zip(missing, lookup_hash_many([numbers[i] for i in missing])):
        digests[i] = digest
    plan.hashes.update(zip(numbers, digests))
    claims = [identity.Claim(digest, household.number, identity.HEAD, ref=household)
              for (household, _n), digest in zip(heads, digests)]
    claims += [identity.Claim(digest, household.number, identity.MEMBER, ref=person)
               for (household, person, _n), digest in zip(members, digests[len(heads):])]
    del heads, members, numbers, digests
    # Households whose members the file lists in full: a masked ID stands for a stored member the
    # plan matches later, so a household with one is not taken to leave anyone out.
    listed = {household.number for household in parsed.households.values() if household.persons and not any(
        isinstance(person.values.get("id_number"), Masked) for person in household.persons)}
    verdict = identity.check(claims, actor=actor, project=project, listed=listed, place=_place(parsed))
    for refusal in verdict.refusals:
        _refuse(parsed, refusal.claim, refusal.message)
    for move in verdict.moves:
        move.claim.ref.moved = move.person
    plan.moves, plan.depends = verdict.moves, verdict.depends


def _reject_dependents(plan: ImportPlan) -> bool:
    """A row that holds only because the file changes another household (a head replaced, a member
    moved out) is rejected when that household is: it would otherwise be written without the
    change it needs (with 只导入无误的住户). Repeated until nothing more is rejected; True if any was."""
    parsed, any_rejected = plan.parsed, False
    while True:
        rejected = [(claim, number) for claim, number in plan.depends
                    if number in parsed.rejected and claim.household not in parsed.rejected]
        if not rejected:
            return any_rejected
        for claim, number in rejected:
            _refuse(parsed, claim, _("该身份证号原登记在户号 %(no)s，本文件修改了户号 %(no)s 才能这样登记；"
                                     "户号 %(no)s 有错误不能导入，本行也不能导入。") % {"no": number})
        any_rejected = True


def make_plan(parsed: ParsedFile, *, project: Project, actor) -> ImportPlan:
    """Compare the parsed file with the project's households (no writes); ``actor`` is the importing
    user (or the system actor, core.actors.SYSTEM), whose scope decides what the reasons may name."""
    with gc_paused():
        return _make_plan(parsed, project=project, actor=actor)


def _make_plan(parsed: ParsedFile, *, project: Project, actor) -> ImportPlan:
    village = project.village
    plan = ImportPlan(project_id=project.id, project_code=project.code, parsed=parsed, mode=village.mode)
    _check_identity(plan, project, actor=actor)
    if "disposition" in parsed.columns:
        _check_dispositions(plan, village=f"{village.name}（{village.code}）")
    with_cadres = "cadre" in parsed.columns
    if with_cadres:
        _resolve_cadres(plan, street=village.street)
    lookups = _Lookups(project, list(parsed.households), extra=("cadre_id",) if with_cadres else ())
    if with_cadres:
        _cadre_names(plan, lookups)
    if plan.moves:
        lookups.add_moved(plan.moves)
    _check_masks(plan, lookups)
    unchanged = []
    for household in parsed.households.values():
        if household.number in parsed.rejected:
            continue
        existing = lookups.households.get(household.number)
        if existing is None:
            plan.new.append(household)
            continue
        item = _compare(plan, household, existing, lookups)
        if household.number in parsed.rejected:
            continue
        if item.has_changes:
            plan.changed.append(item)
        else:
            unchanged.append(household)
    if plan.marked:
        _check_ways(plan)
        plan.changed = [item for item in plan.changed if item.number not in parsed.rejected]
    if plan.depends and _reject_dependents(plan):
        plan.new = [h for h in plan.new if h.number not in parsed.rejected]
        plan.changed = [item for item in plan.changed if item.number not in parsed.rejected]
        unchanged = [h for h in unchanged if h.number not in parsed.rejected]
    if plan.moves:
        unchanged = _moved_out(plan, lookups, unchanged)
    plan.unchanged = len(unchanged)
    if plan.changed:
        _fill_before_values(plan, lookups)
    parsed.errors.sort(key=lambda e: (e.sheet != parsed.household_sheet, e.row, e.column))
    return plan


def _resolve_cadres(plan: ImportPlan, *, street) -> None:
    """包户干部: each name (or username) to a cadre of the project's street, in one query; a name no cadre
    of the street has, or two share, is refused on the household's row and column."""
    parsed = plan.parsed
    if not any(household.values.get("cadre") is not None for household in parsed.households.values()):
        return
    by_username: dict[str, int] = {}
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, username, full_name in cadre_options(street).values_list("id", "username", "full_name"):
        by_username[username] = pk
        if full_name:
            by_name[full_name].append((pk, username))
        plan.cadre_names[pk] = full_name or username
    column = parsed.labels["cadre"]
    for household in parsed.households.values():
        text = household.values.get("cadre")
        if text is None:
            continue
        pk = by_username.get(text)
        named = by_name.get(text, [])
        if pk is None and len(named) == 1:
            pk = named[0][0]
        if pk is not None:
            household.values["cadre"] = pk
            continue
        del household.values["cadre"]
        if named:
            reason = _("%(street)s有 %(n)d 位名为「%(c)s」的包户干部，请改写用户名（%(names)s）。") % {
                "street": street.name, "n": len(named), "c": text, "names": _("、").join(u for _pk, u in named)}
        else:
            reason = _("「%(c)s」不是%(street)s的包户干部（写本街道包户干部的姓名或用户名）。") % {
                "c": text, "street": street.name}
        parsed.error(sheet=parsed.household_sheet, row=household.row, household=household.number, column=column,
                     reason=reason)


def _cadre_names(plan: ImportPlan, lookups: _Lookups) -> None:
    """The names of cadres the stored households have and the street no longer lists (for the preview)."""
    missing = {row["cadre_id"] for row in lookups.households.values()
               if row["cadre_id"] is not None and row["cadre_id"] not in plan.cadre_names}
    for chunk in _chunks(sorted(missing)):
        for pk, username, full_name in User.objects.filter(pk__in=chunk).values_list("id", "username", "full_name"):
            plan.cadre_names[pk] = full_name or username


def _check_dispositions(plan: ImportPlan, *, village: str) -> None:
    """A 处置方式 the village's mode does not allow (拆除新建: only 拆除; 整治提升: only 保留) is refused on
    its row, with the reason the building services give (``ledger.ways.disposition_refusal``)."""
    allowed = ALLOWED_DISPOSITIONS.get(plan.mode, ())
    if len(allowed) != 1:  # 拆整结合 allows both
        return
    parsed = plan.parsed
    column = parsed.labels["disposition"]
    for household in parsed.households.values():
        for building in household.buildings:
            disposition = building.values.get("disposition")
            if disposition is not None and disposition not in allowed:
                parsed.error(sheet=parsed.household_sheet, row=building.row, household=household.number,
                             column=column, reason=_("住户 %(no)s 的房屋 %(b)s：%(why)s") % {
                                 "no": household.number, "b": building.number,
                                 "why": disposition_refusal(plan.mode, disposition, village=village)})


def _check_ways(plan: ImportPlan) -> None:
    """拆整结合: a stored household that the file's 处置方式 (or new buildings) would move onto the other
    way after it recorded a step only its way has is refused, on the row of the building that moves
    it, with the reason the services give (``services.ways.households_way_refusals``)."""
    parsed = plan.parsed
    marked = {item.household_id: (household, changes, razed) for item, household, changes, razed in plan.marked
              if household.number not in parsed.rejected}
    if not marked:
        return

    def causes(pk: int) -> list:
        _household, changes, razed = marked[pk]
        return [change for change in changes if (change[2] == Disposition.DEMOLISH) == razed] or changes

    def what(pk: int) -> str:
        return _("导入%(changes)s") % {"changes": _("、").join(
            (_("新增房屋 %(b)s（%(d)s）") if new else _("将房屋 %(b)s 的处置方式改为「%(d)s」"))
            % {"b": building.number, "d": shown("disposition", disposition)}
            for building, new, disposition in causes(pk))}

    refusals = households_way_refusals(household_ids=list(marked), what=what,
                                       demolish={pk for pk, (_h, _c, razed) in marked.items() if razed})
    for pk, message in refusals.items():
        household = marked[pk][0]
        parsed.error(sheet=parsed.household_sheet, row=causes(pk)[0][0].row, household=household.number,
                     column=parsed.labels["disposition"], reason=message)


def _check_masks(plan: ImportPlan, lookups: _Lookups) -> None:
    """A masked number keeps the stored one when it fits it; otherwise the row is rejected."""
    parsed = plan.parsed
    if not parsed.masked:  # nothing to check (parse_file looked at every personal number's cell)
        return
    need: list[int] = []
    for household in parsed.households.values():
        masked = [k for k in ("head_id_number", "phone") if isinstance(household.values.get(k), Masked)]
        if not masked and household.number in lookups.households:
            continue
        existing = lookups.households.get(household.number)
        if existing is None:
            for person in household.persons:
                if isinstance(person.values.get("id_number"), Masked):
                    parsed.error(sheet=parsed.person_sheet, row=person.row, household=household.number,
                                 column=parsed.person_labels["id_number"],
                                 reason=_("这是脱敏后的号码（含 *），只能用于系统中已有的成员；新成员请填写完整号码。"))
            for key in masked:
                parsed.error(sheet=parsed.household_sheet, row=household.row, household=household.number,
                             column=parsed.labels[key],
                             reason=_("这是脱敏后的号码（含 *），只能用于系统中已有的住户；新住户请填写完整号码。"))
        elif masked:
            need.append(existing["id"])
    if need:
        lookups.plain.update(lookups.plain_numbers(need))
    for household in parsed.households.values():
        existing = lookups.households.get(household.number)
        if existing is None or existing["id"] not in lookups.plain:
            continue
        head_id, phone = lookups.plain[existing["id"]]
        for key, stored, mask in (("head_id_number", head_id, mask_citizen_id), ("phone", phone, mask_phone)):
            value = household.values.get(key)
            if isinstance(value, Masked) and (not stored or mask(stored) != value):
                parsed.error(sheet=parsed.household_sheet, row=household.row, household=household.number,
                             column=parsed.labels[key],
                             reason=_("脱敏号码 %(v)s 与系统中该户的号码不符；要修改请填写完整号码。") % {"v": value})


def _label(plan: ImportPlan, key: str) -> str:
    return plan.parsed.labels.get(key) or plan.parsed.person_labels.get(key) or key


def _compare(plan: ImportPlan, household: HouseholdIn, existing: dict, lookups: _Lookups) -> HouseholdPlan:
    item = HouseholdPlan(number=household.number, row=household.row, household_id=existing["id"],
                         version=existing["version"])
    values = household.values
    for key in HOUSEHOLD_FIELDS:
        value = values.get(key)
        if value is None or isinstance(value, Masked):
            continue
        if key in {"head_id_number", "phone"}:
            digest = plan.hashes.setdefault(value, lookup_hash(value))
            if digest == existing["head_id_hash" if key == "head_id_number" else "phone_hash"]:
                continue
            item.updates[key] = value
            item.changes.append(FieldChange(_label(plan, key), "", shown(key, value), key))  # before: later
        elif value != existing[key]:
            item.updates[key] = value
            item.changes.append(FieldChange(_label(plan, key), shown(key, existing[key]), shown(key, value), key))
    cadre = values.get("cadre")
    if cadre is not None and cadre != existing["cadre_id"]:
        item.updates["cadre_id"] = cadre
        before = plan.cadre_names.get(existing["cadre_id"], "") if existing["cadre_id"] else ""
        item.changes.append(FieldChange(_label(plan, "cadre"), before, plan.cadre_names[cadre], "cadre"))
    use = values.get("use") or existing["use"]
    stored_buildings = lookups.buildings.get(existing["id"], {})
    _check_numbered_buildings(plan, household, stored_buildings)
    # 拆整结合: what may change the household's way (a new building, a new 处置方式), checked after.
    marked = [] if plan.mode == RenovationMode.MIXED else None
    for building in household.buildings:
        old = stored_buildings.get(building.number)
        if not _building_allowed(plan, household, existing, building, old):
            continue
        if old is None:
            item.building_creates.append(_new_building(building, use=use))
            item.changes.append(FieldChange(_("房屋 %(b)s") % {"b": building.number}, "", _("新增")))
            if marked is not None:
                marked.append((building, True, building.values.get("disposition", DEFAULT_DISPOSITION[plan.mode])))
            continue
        updates = {k: v for k, v in building.values.items() if v != old[k]}
        if marked is not None and "disposition" in updates:
            marked.append((building, False, updates["disposition"]))
        if updates:
            item.building_updates.append((old["id"], old["version"], updates))
            for key, value in updates.items():
                item.changes.append(FieldChange(f"{_('房屋 %(b)s') % {'b': building.number}}·{_label(plan, key)}",
                                                shown(key, old[key]), shown(key, value)))
    if marked:
        after = {number: old["disposition"] for number, old in stored_buildings.items()}
        after.update((building.number, disposition) for building, _new, disposition in marked)
        plan.marked.append((item, household, marked, Disposition.DEMOLISH in after.values()))
    _compare_persons(plan, household, item, lookups.persons.get(existing["id"], []), lookups)
    return item


def _building_allowed(plan: ImportPlan, household: HouseholdIn, existing: dict, building, old: dict | None) -> bool:
    """The rules the building services keep, for a stored household (issue 10 items 3–5): no new
    building once the household is demolished; none left 待认定 once it has its 认定; no new 处置方式
    for a building, or under a household, already demolished."""
    parsed = plan.parsed
    label = _("房屋 %(b)s") % {"b": building.number}
    if old is None and existing["demolished_on"]:
        parsed.error(sheet=parsed.household_sheet, row=building.row, household=household.number,
                     column=parsed.labels.get("building_number") or label,
                     reason=_("住户 %(no)s 已于 %(d)s 拆除，不能再新增%(b)s。")
                     % {"no": household.number, "d": f"{existing['demolished_on']:%Y-%m-%d}", "b": label})
        return False
    legality = building.values.get("legality", old["legality"] if old else BUILDING_DEFAULTS["legality"])
    if existing["decided_on"] and legality == Legality.PENDING and (old is None or old["legality"] != legality):
        parsed.error(sheet=parsed.household_sheet, row=building.row, household=household.number,
                     column=_label(plan, "legality"),
                     reason=_("住户 %(no)s 已于 %(d)s 认定，%(b)s须写明认定结果（合法、未超期临时或违法），不能为待认定。")
                     % {"no": household.number, "d": f"{existing['decided_on']:%Y-%m-%d}", "b": label})
        return False
    disposition = building.values.get("disposition")
    if old is not None and disposition is not None and disposition != old["disposition"]:
        # As building_update: a building, or a household, already down keeps its 处置方式.
        reason = None
        if old["demolished_on"]:
            reason = _("住户 %(no)s 的房屋 %(b)s 已于 %(d)s 拆除，不能改变处置方式。") % {
                "no": household.number, "b": building.number, "d": f"{old['demolished_on']:%Y-%m-%d}"}
        elif existing["demolished_on"]:
            reason = _("住户 %(no)s 已于 %(d)s 拆除，不能改变其房屋 %(b)s 的处置方式。") % {
                "no": household.number, "b": building.number, "d": f"{existing['demolished_on']:%Y-%m-%d}"}
        if reason:
            parsed.error(sheet=parsed.household_sheet, row=building.row, household=household.number,
                         column=_label(plan, "disposition"), reason=reason)
            return False
    return True


def _check_numbered_buildings(plan: ImportPlan, household: HouseholdIn, stored: dict[str, dict]) -> None:
    """Buildings the import numbered ("1", "2" …) that are new to a household already holding buildings
    under other numbers: a warning, since the file may mean the same buildings (it adds, never merges)."""
    added = [b.number for b in household.buildings if b.auto and b.number not in stored]
    if not added or not stored:
        return
    others = sorted(set(stored) - {b.number for b in household.buildings})
    if not others:
        return
    parsed = plan.parsed
    parsed.warnings.append(RowError(
        parsed.household_sheet, household.row, household.number, parsed.labels["building_number"],
        _("文件没有写这一户房屋的编号，导入时按顺序编为 %(added)s，将作为新房屋导入；系统中该户已有房屋 %(others)s"
          "（不会修改）。如果是同一栋房屋，请在文件中填写“房屋编号”，写系统中的编号（可先导出台账查看）。")
        % {"added": _("、").join(added), "others": _("、").join(others)}))


def _compare_persons(plan: ImportPlan, household: HouseholdIn, item: HouseholdPlan, stored: list[dict],
                     lookups: _Lookups) -> None:
    """Members are matched by ID (keyed hash), else by name; a masked ID must fit the stored one."""
    if not household.persons:
        return
    parsed = plan.parsed
    if lookups.moved:  # members moving to another household of the file are no longer this one's
        stored = [p for p in stored if p["id"] not in lookups.moved]
    by_hash = {p["id_hash"]: p for p in stored if p["id_hash"]}
    by_name: dict[str, list[dict]] = defaultdict(list)
    for person in stored:
        by_name[person["name"]].append(person)
    any_masked = any(isinstance(p.values.get("id_number"), Masked) for p in household.persons)
    plain = lookups.plain_person_ids([p["id"] for p in stored if p["id_hash"]]) if any_masked else {}
    used: set[int] = set()
    for person in household.persons:
        person_id = person.values.get("id_number")
        match = None
        if isinstance(person_id, Masked):
            candidates = [p for p in by_name.get(person.name, []) if plain.get(p["id"])
                          and mask_citizen_id(plain[p["id"]]) == person_id and p["id"] not in used]
            if not candidates:
                parsed.error(sheet=parsed.person_sheet, row=person.row, household=household.number,
                             column=parsed.person_labels["id_number"],
                             reason=_("脱敏号码 %(v)s 与系统中该户同名成员的号码不符；新成员或要修改时请填写完整号码。")
                             % {"v": person_id})
                continue
            match = candidates[0]
        elif person.moved is not None and person.moved in lookups.moved:
            match = lookups.moved[person.moved]
        elif person_id:
            digest = plan.hashes.setdefault(person_id, lookup_hash(person_id))
            match = by_hash.get(digest)
            if match is None:
                match = next((p for p in by_name.get(person.name, []) if not p["id_hash"] and p["id"] not in used),
                             None)
        else:
            match = next((p for p in by_name.get(person.name, []) if p["id"] not in used), None)
        if match is None:
            item.person_creates.append(_new_person(person))
            item.changes.append(FieldChange(_("家庭成员 %(name)s") % {"name": person.name}, "", _("新增")))
            continue
        used.add(match["id"])
        updates = {}
        if match["household_id"] != item.household_id:
            updates["household_id"] = item.household_id
            item.changes.append(FieldChange(_("家庭成员 %(name)s·所在户") % {"name": match["name"]},
                                            _("户号 %(no)s") % {"no": match["source"]},
                                            _("户号 %(no)s") % {"no": household.number}))
        if person.name != match["name"]:
            updates["name"] = person.name
        if person_id and not isinstance(person_id, Masked) and plan.hashes[person_id] != match["id_hash"]:
            updates["id_number"] = person_id
        for key in ("relation", "hukou"):
            value = person.values.get(key)
            if value is not None and value != match[key]:
                updates[key] = value
        if updates:
            item.person_updates.append((match["id"], updates))
            for key, value in updates.items():
                if key == "household_id":
                    continue
                before = "" if key == "id_number" else shown(key, match[key])
                item.changes.append(FieldChange(f"{_('家庭成员 %(name)s') % {'name': match['name']}}·{_label(plan, key)}",
                                                before, shown(key, value)))


def _moved_out(plan: ImportPlan, lookups: _Lookups, unchanged: list[HouseholdIn]) -> list[HouseholdIn]:
    """Each household a member moves out of shows it, and is changed (its version moves on, its audit
    entry says where they went); a move into a rejected household does not happen."""
    parsed = plan.parsed
    plan.moves = [move for move in plan.moves if move.claim.household not in parsed.rejected]
    items = {item.number: item for item in plan.changed}
    still = {household.number: household for household in unchanged}
    for move in plan.moves:
        item = items.get(move.source)
        if item is None:
            existing = lookups.households[move.source]
            item = items[move.source] = HouseholdPlan(number=move.source, row=still.pop(move.source).row,
                                                      household_id=existing["id"], version=existing["version"])
            plan.changed.append(item)
        name = lookups.moved[move.person]["name"]
        item.moved_out.append(move.person)
        item.changes.append(FieldChange(_("家庭成员 %(name)s·所在户") % {"name": name},
                                        _("户号 %(no)s") % {"no": move.source},
                                        _("户号 %(no)s") % {"no": move.claim.household}))
    return list(still.values())


def _fill_before_values(plan: ImportPlan, lookups: _Lookups) -> None:
    """The masked old value of personal numbers that change (decrypted only for those households)."""
    ids = [item.household_id for item in plan.changed
           if "head_id_number" in item.updates or "phone" in item.updates]
    missing = [pk for pk in ids if pk not in lookups.plain]
    plain = {**lookups.plain, **(lookups.plain_numbers(missing) if missing else {})}
    positions = {"head_id_number": 0, "phone": 1}
    for item in plan.changed:
        if item.household_id not in plain:
            continue
        for change in item.changes:
            index = positions.get(change.field)
            if index is not None and not change.before:
                stored = plain[item.household_id][index]
                change.before = (mask_citizen_id if index == 0 else mask_phone)(stored) if stored else ""


def _new_building(building, *, use: str) -> dict:
    return {"number": building.number, **BUILDING_DEFAULTS, **building.values, "use": use}


def _new_person(person) -> dict:
    values = {**PERSON_DEFAULTS, **person.values, "name": person.name}
    values.setdefault("relation", Relation.OTHER)
    return values
