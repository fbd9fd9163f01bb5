"""Applying an import plan (确认导入): one transaction, all or nothing, one audit entry per household.

New households, buildings and members are written in batches (``gaizao.core.bulk.RowWriter``: values
still stored in the model fields' encryption and keyed-hash format); changed ones with ``bulk_update``, their
keyed hashes set here because ``bulk_update`` does not call ``pre_save``. Street and village are
copied from the project, pinyin initials computed as ``services.name_initials`` does, ``version``
grows by one on every changed household and building. A household someone changed after the
preview makes the whole import stop with a Conflict: nothing is written, preview again.
"""

from __future__ import annotations

import enum
import itertools
from contextlib import ExitStack
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin.constants import PHRASES_DICT

from gaizao.core.actors import is_system
from gaizao.core import audit, crypto
from gaizao.core.bulk import (BATCH_ROWS, RowWriter, checkpoint_later, gc_paused, indexes_rebuilt, overlapped,
                              page_cache_limited, reserve_ids, write_together)
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger import surnames
from gaizao.ledger.choices import Disposition
from gaizao.ledger.hooks import (BUILDING_INPUTS, HOUSEHOLD_INPUTS, PERSON_INPUTS, household_inputs_change_fire,
                                 households_changed_fire)
from gaizao.ledger.importing.plan import (
    BUILDING_DEFAULTS, HOUSEHOLD_DEFAULTS, ImportPlan, _chunks, _new_person,
)
from gaizao.ledger.importing.sealed import answers_for
from gaizao.ledger.models import Building, Household, Person, Project
from gaizao.ledger.services.ways import households_way_refresh
from gaizao.ledger.ways import DEFAULT_DISPOSITION, way_for

Progress = Callable[[int, int], None]
# New households and members are written with their keys reserved first and their personal numbers
# encrypted in a worker process meanwhile (crypto.background). The columns in _SEALED_* arrive ready
# for the database: encrypted numbers and phone hashes from the worker, ID hashes from the plan.
# (the project, its street and village: the same for every row, given once as the writer's fixed columns)
_HOUSEHOLD_COLUMNS = ("id", "number", "head_name", "head_initials", "head_id_hash", "address", "land_type", "use",
                      "member_count", "area", "head_id_number", "phone", "phone_hash", "way")
_SEALED_HOUSEHOLD = ("head_id_hash", "head_id_number", "phone", "phone_hash")
_SEALED_PERSON_COLUMNS = ("household_id", "name", "relation", "hukou", "id_hash", "id_number")
_SEALED_PERSON = ("id_hash", "id_number")
_BUILDING_COLUMNS = ("household_id", "number", "structure", "floors", "build_year", "certificate_no", "legal_area",
                     "unlicensed_area", "legality", "use", "disposition")
_PERSON_COLUMNS = ("household_id", "name", "id_number", "relation", "hukou")
_MAX_PHRASE = 4
# Rows per batch of the new households' (and buildings', members') writes and of their audit entries'.
WRITE_BATCH, AUDIT_BATCH = BATCH_ROWS, 2000
# Audit actions (labels in engine.ACTION_LABELS): one entry per household written, one per import.
IMPORT_CREATE, IMPORT_UPDATE, IMPORT_SUMMARY = "household.import_create", "household.import_update", "ledger.import"


@dataclass
class ApplyResult:
    """What was written (导入结果)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rejected households left out with --skip-invalid
    buildings_created: int = 0
    buildings_updated: int = 0
    persons_created: int = 0
    persons_updated: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


_CHAR_INITIALS: dict[str, str] = {}  # a character -> its letter alone: a few thousand characters at most


def _char_initial(char: str) -> str:
    found = _CHAR_INITIALS.get(char)
    if found is None:
        found = _CHAR_INITIALS[char] = surnames.letters(char)
    return found


def _given_initials(text: str, chars: dict = _CHAR_INITIALS) -> str:
    """``surnames.letters`` of a name (or of what follows its surname), a character at a time when
    no phrase of pypinyin's dictionary is inside. Names of one to three characters, nearly all of
    them, are looked at without a loop and without a cache (a name's own lookups cost less than a
    cache's, and names rarely repeat)."""
    length = len(text)
    try:
        if length == 2:
            return surnames.letters(text) if text in PHRASES_DICT else chars[text[0]] + chars[text[1]]
        if length == 3:
            if text[:2] in PHRASES_DICT or text[1:] in PHRASES_DICT or text in PHRASES_DICT:
                return surnames.letters(text)
            return chars[text[0]] + chars[text[1]] + chars[text[2]]
        if length == 1:
            return chars[text]
    except KeyError:  # a character seen for the first time
        for char in text:
            _char_initial(char)
        return _given_initials(text)
    return _longer_initials(text)


@lru_cache(maxsize=4096)
def _longer_initials(text: str) -> str:
    length = len(text)
    for size in range(2, min(length, _MAX_PHRASE) + 1):
        for start in range(length - size + 1):
            if text[start:start + size] in PHRASES_DICT:
                return surnames.letters(text)
    return "".join(map(_char_initial, text))


def initials(name: str) -> str:
    """``services.name_initials``, faster.

    The surname read as a surname (``ledger.surnames``: 曾 z, 单 s) and the rest on its own, as
    there. pypinyin reads a word from its phrase dictionary differently from its characters (尉迟 is
    "yc", 尉 alone "w"); a name with no such phrase inside reads character by character, so only
    those names go through pypinyin whole. A test compares both on many names.
    """
    head = surnames.surname(name)
    if head is None:
        return _given_initials(name)[:surnames.MAX_LENGTH]
    letters, size = head
    return (letters + _given_initials(name[size:]))[:surnames.MAX_LENGTH]


def _ids_by_number(project: Project, numbers: list[str]) -> dict[str, int]:
    base = Household.objects.filter(project=project).order_by()
    if len(numbers) * 4 >= base.count():
        wanted = set(numbers)
        return {number: pk for number, pk in base.values_list("number", "id") if number in wanted}
    out: dict[str, int] = {}
    for chunk in _chunks(numbers):
        out.update(base.filter(number__in=chunk).values_list("number", "id"))
    return out


def _check_not_stale(plan: ImportPlan, project: Project) -> None:
    """Refuse when a household changed, or a new 户号 appeared, after the preview."""
    stale = 0
    for model, expected in (
        (Household, {item.household_id: item.version for item in plan.changed}),
        (Building, {pk: version for item in plan.changed for pk, version, _values in item.building_updates}),
    ):
        for chunk in _chunks(list(expected)):
            query = model.objects.filter(id__in=chunk).order_by()
            if connection.features.has_select_for_update:
                query = query.select_for_update()
            versions = dict(query.values_list("id", "version"))
            stale += sum(1 for pk in chunk if versions.get(pk) != expected[pk])
    taken = _ids_by_number(project, [h.number for h in plan.new]) if plan.new else {}
    if stale or taken:
        raise Conflict(_("预览之后，有 %(n)d 户已被他人修改或新增，本次导入没有写入任何数据；请重新预览后再确认。")
                       % {"n": stale + len(taken)})


@dataclass
class _Created:
    """New households with their keys reserved, their numbers being encrypted by the worker."""

    households: list
    ids: list[int]
    persons: list[tuple[int, dict]]  # (household key, member values) of their members
    moved: list[tuple[int, dict]]  # (stored member key, values) of members moving in from another household
    sealed: object  # crypto.background(): head IDs, phones and member IDs encrypted, phones hashed


def _prepare_create(plan: ImportPlan) -> _Created:
    """Reserve the new households' keys and start encrypting their numbers; their rows are built
    when they are written (``_write_created``), so that they are not all in memory at once."""
    households = plan.new
    ids = reserve_ids(Household, len(households))
    persons = [(pk, _new_person(person)) for pk, household in zip(ids, households) for person in household.persons
               if person.moved is None]
    # A stored member the file lists here moves with their record (plan.py, ledger.identity).
    moved = [(person.moved, {"household_id": pk, "name": person.name,
                             **{k: v for k, v in person.values.items() if k in ("relation", "hukou")}})
             for pk, household in zip(ids, households) for person in household.persons if person.moved is not None]
    phones = [h.values.get("phone") for h in households]
    head_ids = [h.values.get("head_id_number") for h in households]
    if plan.parsed.sealed is None:
        sealed = crypto.background(encrypt=[head_ids, phones, [p["id_number"] for _pk, p in persons]], hash=[phones])
    else:  # the heads' numbers were sealed while the file was read: only the members' IDs are left
        sealed = _Early(plan.parsed.sealed, head_ids, phones, [p["id_number"] for _pk, p in persons])
    return _Created(households=households, ids=ids, persons=persons, moved=moved, sealed=sealed)


class _Early:
    """``crypto.background``'s answer for the new households from ``ParsedFile.sealed`` (sealed.py):
    the heads' IDs and phones encrypted and the phones hashed while the file was read; the members'
    IDs encrypted now (beside the audit trail's write, as before)."""

    def __init__(self, sealed, head_ids: list, phones: list, person_ids: list):
        self._sealed, self._head_ids, self._phones = sealed, head_ids, phones
        self._persons = crypto.background(encrypt=[person_ids]) if person_ids else None

    def ready(self) -> bool:
        return self._sealed.ready() and (self._persons is None or self._persons.ready())

    def result(self):
        by_id, by_phone, phone_hashes = self._sealed.numbers()
        (person_ids,), _hashes = self._persons.result() if self._persons is not None else (([],), [])
        ids, phones = self._sealed.ids, self._sealed.phones
        return ((answers_for(by_id, ids, self._head_ids, crypto.encrypt),
                 answers_for(by_phone, phones, self._phones, crypto.encrypt), person_ids),
                (answers_for(phone_hashes, phones, self._phones, crypto.lookup_hash),))

    def close(self) -> None:
        self._sealed.close()
        if self._persons is not None:
            self._persons.close()


def _hash(plan: ImportPlan, number: str | None) -> str | None:
    """The keyed hash of a personal number: the plan computed it for its duplicate checks."""
    if not number:
        return None
    return plan.hashes.get(number) or crypto.lookup_hash(number)


# The household columns whose indexes a large import into a small ledger builds after its rows (their
# values come in no order: core.bulk.indexes_rebuilt); bench/bench_import_floor.py does the same.
REBUILT_INDEXES = ("head_id_hash", "head_name", "head_initials")


def _plain(value):
    """A choice as the plain text it stores (``Way.DEMOLISH`` → "demolish"): sqlite3 binds a str subclass
    through its adapter lookup, a plain str at once (each building and household row holds some)."""
    return value.value if isinstance(value, enum.Enum) else value


def _write_created(plan: ImportPlan, created: _Created, project: Project, result: ApplyResult, *,
                   progress: Callable[[int], None], beside: tuple) -> None:
    """The new households, their buildings and members; ``beside``: the audit trail's writer and rows,
    written a batch at a time in turn with the households' (their rows are slow to make, the
    households' slow to insert: core.bulk.write_together)."""
    village = project.village
    zero = Decimal("0")
    area = zero
    # 处置方式 and 进度路径 (ledger.ways): a building takes its 处置方式 column, else what the village's mode
    # does with its buildings; a household's way is keyed by "has a building to demolish".
    disposition = _plain(DEFAULT_DISPOSITION[village.mode])
    ways = {True: _plain(way_for(village.mode, [Disposition.DEMOLISH])), False: _plain(way_for(village.mode, []))}

    def household_rows(sealed):
        nonlocal area
        # what every row looks up, looked up once (100,000 rows)
        default_use, default_land = _plain(HOUSEHOLD_DEFAULTS["use"]), _plain(HOUSEHOLD_DEFAULTS["land_type"])
        demolish = Disposition.DEMOLISH
        for pk, household, (head_id, phone, phone_hash) in zip(created.ids, created.households, sealed):
            values = household.values
            get = values.get
            head_name = values["head_name"]
            number = get("head_id_number")
            own = zero
            razed = False
            for building in household.buildings:  # a plain loop: most households have one building
                m = building.values
                legal, unlicensed = m.get("legal_area"), m.get("unlicensed_area")
                if legal:
                    own += legal
                if unlicensed:
                    own += unlicensed
                if m.get("disposition", disposition) == demolish:
                    razed = True
            area += own
            yield (pk, household.number, head_name, initials(head_name), _hash(plan, number), get("address", ""),
                   get("land_type") or default_land, get("use") or default_use,
                   get("member_count") or len(household.persons) or 1, own, head_id, phone, phone_hash, ways[razed])

    def building_rows():
        # Made as they are written (not kept in a list: 100,000 tuples of 11 values are about 25 MB of
        # the import's peak memory). Their household keys are reserved, and the foreign key is checked
        # at the commit: they may go in before the households. A value the row leaves blank takes
        # BUILDING_DEFAULTS'.
        default_use = _plain(HOUSEHOLD_DEFAULTS["use"])
        structure, floors, year, certificate, legal, unlicensed, legality = (_plain(BUILDING_DEFAULTS[key]) for key in (
            "structure", "floors", "build_year", "certificate_no", "legal_area", "unlicensed_area", "legality"))
        for pk, household in zip(created.ids, created.households):
            use = household.values.get("use") or default_use
            for building in household.buildings:
                get = building.values.get
                yield (pk, building.number, get("structure", structure), get("floors", floors),
                       get("build_year", year), get("certificate_no", certificate), get("legal_area", legal),
                       get("unlicensed_area", unlicensed), get("legality", legality), use,
                       get("disposition", disposition))

    trail, entries = beside
    entries, buildings = iter(entries), building_rows()
    builder = _writer(Building, _BUILDING_COLUMNS)
    built = 0
    # A large import into a small ledger (the first streets' sheets) builds the indexes of the household
    # columns whose values come in no order after the rows are in (core.bulk.indexes_rebuilt).
    with indexes_rebuilt(Household, adding=len(created.ids), columns=REBUILT_INDEXES):
        # Audit entries and buildings first (their rows need none of the worker's numbers): one batch of
        # each, for the inserting thread to run while the worker's answer is read, more while it still
        # encrypts …
        while True:
            written = write_together((trail, itertools.islice(entries, trail.batch_size), None),
                                     (builder, itertools.islice(buildings, builder.batch_size), None))
            built += written[1]
            if not any(written) or created.sealed.ready():
                break
        # … then a batch of each in turn with the households, each batch of buildings after its households'
        # (a building whose household is not yet in is a deferred foreign-key violation SQLite must then
        # resolve on the household's insert).
        (head_ids, phones, person_ids), (phone_hashes,) = created.sealed.result()
        built += write_together((trail, entries, None),
                                (_writer(Household, _HOUSEHOLD_COLUMNS, prepared=_SEALED_HOUSEHOLD, fixed={
                                    "project_id": project.id, "street_id": village.street_id,
                                    "village_id": village.id}),
                                 household_rows(zip(head_ids, phones, phone_hashes)), progress),
                                (builder, buildings, None))[2]
        del head_ids, phones, phone_hashes
    if created.persons:
        _writer(Person, _SEALED_PERSON_COLUMNS, prepared=_SEALED_PERSON).write(
            (pk, p["name"], p["relation"], p["hukou"], _hash(plan, p["id_number"]), number)
            for (pk, p), number in zip(created.persons, person_ids))
    if created.moved:
        _grouped_update(Person, created.moved, extra={"version": F("version") + 1, "updated_at": timezone.now()})
    if "cadre" in plan.parsed.columns:  # 包户干部: one UPDATE per cadre named (nothing without the column)
        by_cadre: dict[int, list[int]] = defaultdict(list)
        for pk, household in zip(created.ids, created.households):
            if household.values.get("cadre") is not None:
                by_cadre[household.values["cadre"]].append(pk)
        for cadre, pks in by_cadre.items():
            for chunk in _chunks(pks):
                Household.objects.filter(pk__in=chunk).update(cadre_id=cadre)
    result.buildings_created += built
    result.persons_created += len(created.persons)
    result.persons_updated += len(created.moved)
    # One way for all: the import's fast path counts them at once; in 拆整结合 each is read (rollups).
    households_changed_fire(created=created.ids, created_in=project, created_area=area)


def _writer(model, columns, *, prepared=(), fixed=None) -> RowWriter:
    return RowWriter(model, columns, who="导入程序（gaizao/ledger/importing）", prepared=prepared, fixed=fixed,
                     batch_size=WRITE_BATCH)


def _create_entries(households, ids: list[int]):
    """The audit entries of new households, made one at a time as record_many takes them."""
    for household, pk in zip(households, ids):
        yield audit.Change(action=IMPORT_CREATE, object_type="ledger.household", object_id=pk,
                           object_repr=f"{household.number} {household.values['head_name']}",
                           text=_created_text(household))


def _created(household) -> dict:
    """What a new household's entry records: its cells as written, personal numbers masked."""
    values = household.values
    return {"after": {
        "number": household.number, "head_name": values["head_name"],
        "head_id_number": mask_citizen_id(values.get("head_id_number")),
        "phone": mask_phone(values.get("phone")), "address": values.get("address", ""),
        "land_type": values.get("land_type") or HOUSEHOLD_DEFAULTS["land_type"],
        "use": values.get("use") or HOUSEHOLD_DEFAULTS["use"],
        "member_count": values.get("member_count") or len(household.persons) or 1,
        **({"cadre": values["cadre"]} if "cadre" in values else {}),
    }}


def _created_text(household) -> str:
    """``_created`` written as the audit chain writes it (``audit.canonical_json``), without the
    encoder: the keys in their sorted order, each string through the encoder's own escaping. A value
    of another type than the entry holds goes the encoder's way; a test holds both equal."""
    values = household.values
    count = values.get("member_count") or len(household.persons) or 1
    cadre = values.get("cadre")
    if type(count) is not int or (cadre is not None and type(cadre) is not int):
        return audit.canonical_json(_created(household))
    string = audit.json_string
    return "".join((
        '{"after":{"address":', string(values.get("address", "")),
        (',"cadre":' + ("null" if cadre is None else str(cadre))) if "cadre" in values else "",
        ',"head_id_number":', string(mask_citizen_id(values.get("head_id_number"))),
        ',"head_name":', string(values["head_name"]),
        ',"land_type":', string(values.get("land_type") or HOUSEHOLD_DEFAULTS["land_type"]),
        ',"member_count":', str(count),
        ',"number":', string(household.number),
        ',"phone":', string(mask_phone(values.get("phone"))),
        ',"use":', string(values.get("use") or HOUSEHOLD_DEFAULTS["use"]), "}}",
    ))


def _grouped_update(model, items: list[tuple[int, dict]], *, extra: dict) -> None:
    """``bulk_update`` per set of changed fields (bulk_update writes the same fields for every row)."""
    groups: dict[tuple[str, ...], list] = defaultdict(list)
    for pk, values in items:
        groups[tuple(sorted(values))].append(model(pk=pk, **values, **extra))
    for fields, objects in groups.items():
        model.objects.bulk_update(objects, [*fields, *extra], batch_size=500)


def _update(plan: ImportPlan, result: ApplyResult, *, actor, project: Project,
            progress: Callable[[int], None]) -> list[audit.Change]:
    now = timezone.now()
    disposition = DEFAULT_DISPOSITION[project.village.mode]
    households, buildings, persons = [], [], []
    building_rows, person_rows = [], []
    changes = []
    for done, item in enumerate(plan.changed, start=1):
        updates = dict(item.updates)
        if "head_name" in updates:
            updates["head_initials"] = initials(updates["head_name"])
        if "head_id_number" in updates:
            updates["head_id_hash"] = crypto.lookup_hash(updates["head_id_number"])
        if "phone" in updates:
            updates["phone_hash"] = crypto.lookup_hash(updates["phone"])
        households.append((item.household_id, {**updates, "version": item.version + 1, "updated_at": now}))
        for pk, _version, values in item.building_updates:
            buildings.append((pk, values))
        for values in item.building_creates:
            building_rows.append((item.household_id, values["number"], values["structure"], values["floors"],
                                  values["build_year"], values["certificate_no"], values["legal_area"],
                                  values["unlicensed_area"], values["legality"], values["use"],
                                  values.get("disposition", disposition)))
        for pk, values in item.person_updates:
            values = dict(values)
            if "id_number" in values:
                values["id_hash"] = crypto.lookup_hash(values["id_number"])
            persons.append((pk, values))
        for values in item.person_creates:
            person_rows.append((item.household_id, values["name"], values["id_number"], values["relation"],
                                values["hukou"]))
        # Household fields by name, as audit.diff writes them; buildings and members by their label.
        changes.append(audit.Change(
            action=IMPORT_UPDATE, object_type="ledger.household", object_id=item.household_id,
            object_repr=item.number,
            changes={**{c.field or c.column: [c.before, c.after] for c in item.changes},
                     "version": [item.version, item.version + 1]},
        ))
        if done % 1000 == 0:
            progress(done)
    # Compensation's gate (ledger.hooks.household_inputs_change): once, with every household whose inputs change.
    household_inputs_change_fire(household_ids=[item.household_id for item in plan.changed if _inputs_change(item)],
                                 project_ids=[project.pk], what=_("导入文件中的房屋、家庭成员或家庭人数"))
    _grouped_update(Household, households, extra={})
    bump = {"version": F("version") + 1, "updated_at": now}
    _grouped_update(Building, buildings, extra=bump)
    _grouped_update(Person, persons, extra=bump if _has_field(Person, "version") else {"updated_at": now})
    if building_rows:
        _writer(Building, _BUILDING_COLUMNS).write(building_rows)
    if person_rows:
        _writer(Person, _PERSON_COLUMNS).write(person_rows)
    grown = [item.household_id for item in plan.changed if item.building_creates
             or any("disposition" in values for _pk, _version, values in item.building_updates)]
    # 拆整结合: a household's first building to demolish puts it on the demolition way, its last one
    # kept puts it on the upgrade way (ledger.ways).
    flipped = (households_way_refresh(actor=actor, household_ids=grown, what="导入新增房屋或修改处置方式")
               if grown else [])
    households_changed_fire(
        changed=[item.household_id for item in plan.changed if item.building_updates or item.building_creates],
        flipped=flipped)
    result.buildings_updated += len(buildings)
    result.buildings_created += len(building_rows)
    result.persons_updated += len(persons)
    result.persons_created += len(person_rows)
    return changes


def _inputs_change(item) -> bool:
    """Whether the file changes an input of this household's compensation (buildings, members, member count)."""
    return bool(item.building_creates or item.person_creates or item.moved_out
                or HOUSEHOLD_INPUTS & item.updates.keys()
                or any(BUILDING_INPUTS & values.keys() for _pk, _version, values in item.building_updates)
                or any(values.keys() & (PERSON_INPUTS | {"household_id"}) for _pk, values in item.person_updates))


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def apply_plan(plan: ImportPlan, *, actor, skip_invalid: bool = False, progress: Progress | None = None,
               ip: str | None = None) -> ApplyResult:
    """Write the plan in one transaction (确认导入); with rejected rows only when ``skip_invalid``.

    ``actor`` is a user or ``core.actors.SYSTEM`` (the command line without --user); a user must be able to write
    the project (``selectors.project_write_scope``).
    """
    from gaizao.ledger.selectors import project_write_scope

    errors = plan.errors
    if errors and not skip_invalid:
        message = _("文件中有 %(n)d 处错误（涉及 %(h)d 户），没有写入任何数据。请按错误清单改正后重新导入，"
                    "或选择只导入无误的住户。") % {"n": len(errors), "h": plan.rejected_households}
        raise AppError(message, fields={"file": message})
    projects = project_write_scope(actor) if not is_system(actor) else Project.objects.select_related("village")
    project = projects.filter(pk=plan.project_id).first()
    if project is None:
        raise NotFound(_("项目 %(code)s 不存在或你无权导入。") % {"code": plan.project_code})
    # Progress counts each household twice: when it is audited and when its rows are written.
    households = len(plan.new) + len(plan.changed)
    total = 2 * households
    result = ApplyResult(unchanged=plan.unchanged, skipped=plan.rejected_households)

    def step(offset: int):
        return (lambda done: progress(offset + done, total)) if progress else (lambda done: None)

    try:
        _apply(plan, actor=actor, project=project, result=result, step=step, ip=ip)
    finally:
        if plan.parsed.sealed is not None:
            plan.parsed.sealed.close()  # read, or no longer wanted (no new household, or a failure)
    result.created = len(plan.new)
    result.updated = len(plan.changed)
    if progress:
        progress(total, total)
    return result


def _counted(items, report):
    for done, item in enumerate(items, start=1):
        if done % 2000 == 0:
            report(done)
        yield item


def _apply(plan: ImportPlan, *, actor, project: Project, result: ApplyResult, step, ip) -> None:
    # overlapped(): on SQLite the rows of each write are made while a thread inserts the ones before
    # (the households' while the audit entries go in): core.bulk.
    # The page cache held to 8 MB: its dirty pages count in the import's memory (bench/README.md; 8, 16
    # and 256 MB inserted in the same time).
    with gc_paused(), checkpoint_later(), page_cache_limited(8192), transaction.atomic(), ExitStack() as cleanup, \
            overlapped():
        _check_not_stale(plan, project)
        # The new households' numbers were encrypted by a worker process while the file was read
        # (parse_file(seal=True)), or are being encrypted now while this one writes the changes.
        created = _prepare_create(plan) if plan.new else None
        if created:
            cleanup.callback(created.sealed.close)  # a write that fails half-way stops the worker
        updated = _update(plan, result, actor=actor, project=project, progress=step(0)) if plan.changed else []
        if plan.new or plan.changed:
            summary = audit.Change(
                action=IMPORT_SUMMARY, object_type="ledger.project", object_id=project.pk, object_repr=str(project),
                changes={"file": plan.parsed.filename, "new": len(plan.new), "changed": len(plan.changed),
                         "unchanged": plan.unchanged, "rejected": plan.rejected_households},
            )
            changed = len(plan.changed)
            entries = itertools.chain(_create_entries(plan.new, created.ids) if created else (), updated)
            if created:
                # The audit entries go in a batch at a time beside the households (write_together); each
                # household written counts twice (its entry and its row).
                trail = audit.entries_to_write(actor=actor, items=itertools.chain(entries, [summary]), ip=ip,
                                               batch_size=AUDIT_BATCH)
                report = step(2 * changed)
                _write_created(plan, created, project, result, progress=lambda done: report(2 * done), beside=trail)
            else:
                audit.record_many(actor=actor, items=itertools.chain(_counted(entries, step(changed)), [summary]),
                                  ip=ip)
