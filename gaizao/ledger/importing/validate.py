"""Parsing and checking every row of a ledger file (逐行校验), before the database is consulted.

``parse_file`` turns the sheets into households with their buildings and members, and collects
row errors with the sheet row number as Excel shows it, the 户号, the header as written in the
file and a Chinese reason. Checks that need the database (one ID one person, within the file and
against every stored household: ``ledger.identity``; masked numbers) are made in plan.py.

Building numbers (房屋编号): most street sheets have none. A building row without one is numbered
by the import from its household's rows in order — "1", "2", … after the highest number the
household's other rows give — so the same sheet gives the same numbers every time and importing
it again changes nothing (``_number_buildings``). Columns holding data that the import does not
read are reported as warnings (``_unread_columns``), never dropped silently.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from django.utils.translation import gettext as _

from gaizao.core.bulk import gc_paused
from gaizao.core.errors import AppError
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.tabular import Sheet, Table, is_filler, open_file
from gaizao.ledger.choices import Relation
from gaizao.ledger.importing import headers as h
from gaizao.ledger.importing import normalise as n
from gaizao.ledger.importing.sealed import Sealed
from gaizao.ledger.models import Building, Household, Person

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000
SEALED_FIRST = ("head_id_number", "phone")  # converted first, then sealed while the rest is read (sealed.py)


@dataclass(slots=True)
class RowError:
    """One problem in one row (行错误): shown in the preview, the JSON and the error report."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    household: str
    column: str  # the header as written in the file; '' for the row as a whole
    reason: str
    letter: str = ""  # a column not imported (未导入的列): its letter ("H"); '' for a row's problem
    rows: int = 0  # … and how many data rows hold a value in it

    def as_dict(self) -> dict:
        found = {"sheet": self.sheet, "row": self.row, "household": self.household,
                 "column": self.column, "reason": self.reason}
        if self.letter:
            found.update(letter=self.letter, rows=self.rows)
        return found


@dataclass(slots=True)
class BuildingIn:
    row: int
    number: str
    values: dict  # only the cells that were filled
    auto: bool = False  # numbered by the import (the sheet gave no 房屋编号 for it)


@dataclass(slots=True)
class PersonIn:
    row: int
    name: str
    values: dict
    moved: int | None = None  # a stored member of another household of the file who moves here (plan.py)


@dataclass(slots=True)
class HouseholdIn:
    """A household as the file gives it: the household cells, its building rows and member rows."""

    number: str
    row: int  # its first row
    values: dict
    buildings: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    rows: list = field(default_factory=list)


@dataclass
class ParsedFile:
    filename: str
    household_sheet: str
    person_sheet: str | None
    labels: dict[str, str]  # household sheet: column key -> header as written
    person_labels: dict[str, str]
    households: dict[str, HouseholdIn]
    errors: list[RowError]
    warnings: list[RowError]
    rejected: set[str]  # 户号 of households with at least one error
    buildings_read: int = 0
    persons_read: int = 0
    columns: frozenset[str] = frozenset()  # household sheet: keys of the columns the file has
    sealed: Sealed | None = None  # head IDs and phones hashed and encrypted meanwhile (parse_file(seal=True))
    # Whether a personal number in the file is masked (as exported: 110105********002X): the plan's
    # checks of masked numbers run only then. True unless parse_file found none.
    masked: bool = True

    def error(self, *, sheet: str, row: int, household: str, column: str, reason: str) -> None:
        self.errors.append(RowError(sheet, row, household, column, reason))
        if household:
            self.rejected.add(household)


def _max_lengths() -> dict[tuple[str, str], int]:
    lengths = {}
    for part, model, keys in (
        (h.HOUSEHOLD, Household, ("number", "head_name", "address")),
        (h.BUILDING, Building, ("certificate_no",)),
        (h.PERSON, Person, ("name",)),
    ):
        for key in keys:
            lengths[(part, key)] = model._meta.get_field(key).max_length
    lengths[(h.BUILDING, "building_number")] = Building._meta.get_field("number").max_length
    lengths[(h.PERSON, "number")] = lengths[(h.HOUSEHOLD, "number")]
    lengths[(h.HOUSEHOLD, "cadre")] = 150  # a username at most (org.User)
    return lengths


def labels_for(match: h.HeaderMatch, columns: tuple[h.Column, ...]) -> dict[str, str]:
    """Column key -> the header as written in the file (the template header when the column is absent)."""
    return {column.key: match.labels.get(column.key, column.header) for column in columns}


@dataclass
class _Columns:
    """A sheet's data rows, converted column by column (faster than cell by cell)."""

    start: int  # grid index of the first data row
    raw: dict[str, list]  # key -> the cells as read
    values: dict[str, list]  # key -> converted values (None: blank or bad)
    errors: dict[int, list[tuple[str, str]]]  # data row offset -> [(key, reason)]
    rows: list  # the grid rows themselves (for totals and signature lines)


def _unread_columns(table: Table, parsed: ParsedFile) -> None:
    """A warning for each column with data that the import does not read: its letter, header and rows."""
    for column in table.unread():
        parsed.warnings.append(RowError(
            table.name, table.header.sheet_row, "", column.header or _("（无表头）"), column.reason(table),
            letter=column.letter, rows=column.rows))


def _convert(sheet: Sheet, match: h.HeaderMatch, columns: tuple[h.Column, ...], parsed: ParsedFile, *,
             first: tuple[str, ...] = (), then: Callable[[dict[str, list]], None] | None = None) -> _Columns:
    """Every column of the sheet converted; the columns ``first`` before the others, ``then`` called
    with their values as soon as they are (the worker that seals them starts while the rest converts)."""
    lengths = _max_lengths()
    table = Table(sheet=sheet, header=match, columns=columns)
    _unread_columns(table, parsed)
    result = _Columns(start=table.start, raw={}, values={}, errors=defaultdict(list), rows=table.data)
    ordered = sorted(columns, key=lambda column: column.key not in first)
    for index, column in enumerate(ordered):
        if then is not None and index == len(first):
            then({key: result.values.get(key, ()) for key in first})
        if column.key not in match.columns:
            continue
        raw = table.column(column.key)
        convert = n.column_converter(column, max_length=lengths.get((column.part, column.key)))
        values, errors = convert(raw)
        if column.kind in (h.CITIZEN_ID, h.PHONE) and n.Masked in set(map(type, values)):
            parsed.masked = True
        for offset, reason in errors.items():
            result.errors[offset].append((column.key, reason))
        for offset, reason in table.problems(column.key).items():
            values[offset] = None
            result.errors[offset].append((column.key, reason))
        result.raw[column.key], result.values[column.key] = raw, values
    for offset in table.header_repeats():  # the header again under the data: a blank row, never a household
        result.errors.pop(offset, None)
        for values in result.values.values():
            values[offset] = None
    return result


def _parse_households(sheet: Sheet, match: h.HeaderMatch, parsed: ParsedFile, *, progress: Progress | None,
                      total: int, seal: bool = False) -> int:
    def start_sealing(values: dict[str, list]) -> None:
        parsed.sealed = Sealed(values["head_id_number"], values["phone"])

    data = _convert(sheet, match, h.HOUSEHOLD_COLUMNS, parsed, first=SEALED_FIRST if seal else (),
                    then=start_sealing if seal else None)
    labels, name, households = parsed.labels, sheet.name, parsed.households
    numbers_given = data.values.get("building_number")
    if numbers_given is not None and numbers_given.count(None) == len(numbers_given):
        del data.values["building_number"]  # a 房屋编号 column left blank throughout: as if there were none
    numbered = "building_number" in data.values
    unnumbered: dict[str, HouseholdIn] = {}  # households with a building row left without a number
    # A column blank throughout (包户干部, 处置方式 left empty) gives no row a value: it is not zipped,
    # and the rows without it take dict(zip(…)) below, not the comprehension that drops blanks.
    # (cells[0] first: comparing a Decimal with None goes through the numbers ABCs, 1 µs a cell)
    filled = {key for key, cells in data.values.items()
              if not cells or cells[0] is not None or cells.count(None) < len(cells)}
    household_keys = [c.key for c in h.HOUSEHOLD_COLUMNS if c.part == h.HOUSEHOLD and c.key != "number"
                      and c.key in filled]
    building_keys = [c.key for c in h.HOUSEHOLD_COLUMNS if c.part == h.BUILDING and c.key in filled]
    # the rows' cells, column by column turned into one tuple per row (zip: in C)
    hrows = zip(*(data.values[key] for key in household_keys)) if household_keys else itertools.repeat(())
    brows = zip(*(data.values[key] for key in building_keys)) if building_keys else itertools.repeat(())
    numbers, raw_numbers = data.values["number"], data.raw["number"]
    errors = data.errors
    current: HouseholdIn | None = None
    count = len(data.rows)
    for i, hrow, brow in zip(range(count), hrows, brows):
        if progress is not None and i % PROGRESS_EVERY == 0 and i:
            progress(i, total)
        number = numbers[i]
        # only the cells that were filled (a row with none blank, nearly every row: dict() in C)
        hvalues = (dict(zip(household_keys, hrow)) if None not in hrow
                   else {key: value for key, value in zip(household_keys, hrow) if value is not None})
        bvalues = (dict(zip(building_keys, brow)) if None not in brow
                   else {key: value for key, value in zip(building_keys, brow) if value is not None})
        row_errors = errors.get(i)
        if number is None and not hvalues and not bvalues and not row_errors:
            continue  # a blank row (or one holding only cells of columns we do not read)
        if is_filler(data.rows[i], raw_numbers[i]):
            continue
        sheet_row = data.start + i + 1
        if number == h.EXAMPLE:
            _skip_example(parsed, sheet=name, row=sheet_row, column=labels["number"])
            current = None
            continue
        row_errors = list(row_errors or ())
        if number is None and not any(key == "number" for key, _m in row_errors):
            if current is not None and bvalues and all(current.values.get(k) in (None, v) for k, v in hvalues.items()):
                number = current.number  # another building row of the household above (merged 户号)
            else:
                row_errors.append(("number", _("户号不能为空。")))
        for key, message in row_errors:
            parsed.error(sheet=name, row=sheet_row, household=number or "", column=labels[key], reason=message)
        if number is None:
            current = None
            continue
        household = households.get(number)
        if household is None:
            household = households[number] = HouseholdIn(number=number, row=sheet_row, values=hvalues)
        else:
            _merge_household(household, hvalues, sheet_row=sheet_row, parsed=parsed, sheet=name, labels=labels)
        household.rows.append(sheet_row)
        current = household
        if not bvalues:
            continue
        if numbered:
            if not _add_building(household, bvalues, sheet_row=sheet_row, parsed=parsed, sheet=name, labels=labels):
                unnumbered[household.number] = household
        else:  # no 房屋编号 column: the household's building rows in order
            household.buildings.append(BuildingIn(sheet_row, str(len(household.buildings) + 1), bvalues, True))
            parsed.buildings_read += 1
    if unnumbered:
        _number_buildings(unnumbered.values(), parsed=parsed, sheet=name, labels=labels)
    for household in households.values():
        if "head_name" not in household.values:
            parsed.error(sheet=name, row=household.row, household=household.number, column=labels["head_name"],
                         reason=_("户主姓名不能为空。"))
    return count


def _skip_example(parsed: ParsedFile, *, sheet: str, row: int, column: str) -> None:
    """The template's example row (户号 「示例」): never a household; the preview says it was skipped."""
    parsed.warnings.append(RowError(sheet, row, "", column, _("第 %(r)d 行是模板的示例行（户号为“示例”），已跳过，未导入。")
                                    % {"r": row}))


def _merge_household(household: HouseholdIn, values: dict, *, sheet_row: int, parsed: ParsedFile, sheet: str,
                     labels: dict[str, str]) -> None:
    """A second row with the same 户号: blank cells inherit, different cells are a conflict."""
    for key, value in values.items():
        before = household.values.get(key)
        if before is None:
            household.values[key] = value
        elif before != value:
            reason = _("户号 %(no)s 在第 %(a)d 行和第 %(b)d 行的「%(col)s」不一致（%(x)s / %(y)s）。") % {
                "no": household.number, "a": household.row, "b": sheet_row, "col": labels[key],
                "x": _shown(key, before), "y": _shown(key, value)}
            parsed.error(sheet=sheet, row=sheet_row, household=household.number, column=labels[key], reason=reason)
            parsed.error(sheet=sheet, row=household.row, household=household.number, column=labels[key], reason=reason)


def _shown(key: str, value) -> str:
    """A value inside a message: personal numbers masked (a message may end up in a shared report)."""
    if key in {"head_id_number", "id_number"} and not isinstance(value, n.Masked):
        return mask_citizen_id(str(value))
    if key == "phone" and not isinstance(value, n.Masked):
        return mask_phone(str(value))
    return str(value)


def _add_building(household: HouseholdIn, values: dict, *, sheet_row: int, parsed: ParsedFile, sheet: str,
                  labels: dict[str, str]) -> bool:
    """Add a building row of a sheet with a 房屋编号 column; False when its number is blank (numbered later)."""
    number = values.pop("building_number", None)
    if number is None:  # numbered with the household's other rows in view (_number_buildings)
        household.buildings.append(BuildingIn(row=sheet_row, number="", values=values, auto=True))
        parsed.buildings_read += 1
        return False
    for other in household.buildings:
        if other.number == number:
            parsed.error(sheet=sheet, row=sheet_row, household=household.number, column=labels["building_number"],
                         reason=_("户号 %(no)s 的房屋编号 %(b)s 重复（第 %(a)d 行已有）。")
                         % {"no": household.number, "b": number, "a": other.row})
            return True
    household.buildings.append(BuildingIn(row=sheet_row, number=number, values=values))
    parsed.buildings_read += 1
    return True


def _number_buildings(households: Iterable[HouseholdIn], *, parsed: ParsedFile, sheet: str,
                      labels: dict[str, str]) -> None:
    """Number the building rows left without a 房屋编号 in a sheet that has the column.

    After the highest number the household's rows give (its buildings "1", "2" and a blank row:
    the blank one is "3"), in row order; "1", "2", … when none is given. The numbers depend on the
    sheet only, never on the database, so importing the same sheet again finds the same buildings.
    Not a refusal, but said in a warning: the street sees which row got which number.
    """
    for household in households:
        blank = [building for building in household.buildings if building.auto]
        given = [b.number for b in household.buildings if not b.auto and b.number.isascii() and b.number.isdigit()]
        last = max(map(int, given), default=0)
        width = max((len(number) for number in given if number.startswith("0")), default=0)
        for step, building in enumerate(blank, start=1):
            building.number = str(last + step).zfill(width)
        shown = _("、").join(_("第 %(r)d 行为 %(b)s") % {"r": b.row, "b": b.number} for b in blank)
        parsed.warnings.append(RowError(
            sheet, blank[0].row, household.number, labels["building_number"],
            _("房屋编号为空，已按本户房屋的顺序编号：%(shown)s。以后导入请保留这些编号。") % {"shown": shown}))


def _parse_persons(sheet: Sheet, match: h.HeaderMatch, parsed: ParsedFile, *, progress: Progress | None,
                   done: int, total: int) -> None:
    data = _convert(sheet, match, h.PERSON_COLUMNS, parsed)
    labels, name = parsed.person_labels, sheet.name
    columns = [(key, values) for key, values in data.values.items() if key != "number"]
    numbers, raw_numbers = data.values["number"], data.raw["number"]
    current = None
    for i in range(len(data.rows)):
        if progress is not None and (done + i) % PROGRESS_EVERY == 0 and i:
            progress(done + i, total)
        number = numbers[i]
        values = {key: column[i] for key, column in columns if column[i] is not None}
        row_errors = list(data.errors.get(i, ()))
        if number is None and not values and not row_errors:
            continue
        if is_filler(data.rows[i], raw_numbers[i]):
            continue
        sheet_row = data.start + i + 1
        if number == h.EXAMPLE:
            _skip_example(parsed, sheet=name, row=sheet_row, column=labels["number"])
            current = None
            continue
        if number is None and not any(key == "number" for key, _m in row_errors):
            number = current  # a blank (or merged) 户号 continues the household above
            if number is None:
                row_errors.append(("number", _("户号不能为空。")))
        if number is not None and number not in parsed.households:
            row_errors.append(("number", _("户号 %(no)s 不在「%(sheet)s」表中；请先在该表中填写这一户。")
                               % {"no": number, "sheet": parsed.household_sheet}))
        for key, required in (("name", _("姓名不能为空。")), ("relation", _("与户主关系不能为空。"))):
            if key not in values and not any(k == key for k, _m in row_errors):
                row_errors.append((key, required))
        for key, message in row_errors:
            parsed.error(sheet=name, row=sheet_row, household=number or "", column=labels[key], reason=message)
        current = number
        household = parsed.households.get(number) if number is not None else None
        if household is None or "name" not in values:
            continue
        household.persons.append(PersonIn(row=sheet_row, name=values.pop("name"), values=values))
        parsed.persons_read += 1


def _cross_checks(parsed: ParsedFile) -> None:
    """Checks across one household's rows: one head among its members, the head's ID, 家庭人数.

    Who may be the head or a member of which household (one ID, one person) is checked with the
    database, in plan.py, by ``ledger.identity``."""
    labels, plabels = parsed.labels, parsed.person_labels
    for household in parsed.households.values():
        relations_head = [p for p in household.persons if p.values.get("relation") == Relation.HEAD]
        if len(relations_head) > 1:
            for person in relations_head:
                parsed.error(sheet=parsed.person_sheet, row=person.row, household=household.number,
                             column=plabels["relation"], reason=_("一户只能有一位户主。"))
        head_id = household.values.get("head_id_number")
        for person in relations_head:
            person_id = person.values.get("id_number")
            if (person_id and not isinstance(person_id, n.Masked) and head_id and not isinstance(head_id, n.Masked)
                    and person_id != head_id):
                parsed.error(sheet=parsed.person_sheet, row=person.row, household=household.number,
                             column=plabels["id_number"],
                             reason=_("关系为“户主”，但身份证号与「%(sheet)s」表中的户主身份证号不一致。")
                             % {"sheet": parsed.household_sheet})
        count = household.values.get("member_count")
        if household.persons and count is not None and count != len(household.persons):
            parsed.warnings.append(RowError(
                parsed.household_sheet, household.row, household.number, labels["member_count"],
                _("家庭人数填 %(a)d 人，「%(sheet)s」表列出 %(b)d 人。")
                % {"a": count, "sheet": parsed.person_sheet, "b": len(household.persons)}))


def _choose_sheets(source) -> tuple[tuple[str, h.HeaderMatch], tuple[str, h.HeaderMatch] | None]:
    """The household sheet and the members sheet: by name first, else by their header rows."""
    found_households = found_persons = None
    candidates = []
    for name in source.names:
        if h.normalise_header(name) == h.NOTES_SHEET:
            continue
        head, merged = source.head(name, h.HEADER_SCAN_ROWS + h.HEADER_TAIL_ROWS)
        household = h.find_header(head, synonyms=h.HOUSEHOLD_SYNONYMS, merged=merged)
        person = h.find_header(head, synonyms=h.PERSON_SYNONYMS, merged=merged)
        is_person = person is not None and "relation" in person.columns and (
            household is None or len(person.columns) >= len(household.columns))
        candidates.append((name, household, person, is_person))
    by_name = {h.normalise_header(candidate[0]): candidate for candidate in candidates}
    named = by_name.get(h.HOUSEHOLD_SHEET)
    if named and named[1]:
        found_households = (named[0], named[1])
    named = by_name.get(h.PERSON_SHEET)
    if named and named[2]:
        found_persons = (named[0], named[2])
    for name, household, person, is_person in candidates:
        if found_households is None and household is not None and not is_person:
            found_households = (name, household)
        elif found_persons is None and is_person and (found_households is None or found_households[0] != name):
            found_persons = (name, person)
    if found_households is None:
        sheets = _("、").join(f"「{name}」" for name, *_rest in candidates) or _("（没有工作表）")
        message = _("在工作表 %(sheets)s 的前 %(n)d 行中找不到住户表头。应有一行表头，至少包含“户号”“户主姓名”，"
                    "并包含以下列中的几列：%(expected)s。") % {
            "sheets": sheets, "n": h.HEADER_SCAN_ROWS, "expected": h.expected_headers(h.HOUSEHOLD_COLUMNS)}
        raise AppError(message, fields={"file": message})
    return found_households, found_persons


def parse_file(path: Path, *, filename: str | None = None, progress: Progress | None = None,
               seal: bool = False) -> ParsedFile:
    """Read and check a ledger file; file-level problems raise AppError, row problems are collected.

    ``seal``: the file is read to be written — its head IDs and phones are hashed and encrypted by a
    worker process meanwhile (``parsed.sealed``, sealed.py).
    """
    with gc_paused():
        return _parse(Path(path), filename=filename or Path(path).name, progress=progress, seal=seal)


def _parse(path: Path, *, filename: str, progress: Progress | None, seal: bool) -> ParsedFile:
    source = open_file(path, filename=filename)
    (household_name, household_match), persons = _choose_sheets(source)
    household_sheet = source.sheet(household_name)
    parsed = ParsedFile(
        filename=filename, household_sheet=household_name, person_sheet=persons[0] if persons else None,
        labels={}, person_labels={column.key: column.header for column in h.PERSON_COLUMNS},
        households={}, errors=[], warnings=[], rejected=set(), masked=False,
    )
    parsed.labels = labels_for(household_match, h.HOUSEHOLD_COLUMNS)
    parsed.columns = frozenset(household_match.columns)
    if persons:
        parsed.person_labels = labels_for(persons[1], h.PERSON_COLUMNS)
    # The members sheet is read after the household rows are released, so that only one grid of
    # cells is in memory at a time.
    total = len(household_sheet.grid) - household_match.data_start
    if persons:
        total += max(0, source.row_count(persons[0]) - persons[1].data_start)
    done = _parse_households(household_sheet, household_match, parsed, progress=progress, total=total, seal=seal)
    household_sheet.grid = []
    if persons:
        person_sheet = source.sheet(persons[0])
        _parse_persons(person_sheet, persons[1], parsed, progress=progress, done=done, total=total)
    if progress is not None:
        progress(total, total)
    _cross_checks(parsed)
    return parsed
