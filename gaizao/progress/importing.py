"""Stage dates from a spreadsheet (从 Excel 导入进度日期), and 户号 lists typed or pasted.

A street keeps its progress in Excel: one row per household, a 户号 and the dates it reached
(入户调查日期、签约日期、腾空交房日期 …). The file is read with the tabular reader
(``gaizao.core.tabular``: header row found below title rows, totals and signature rows skipped,
full-width digits, Excel serial dates, 2026.11.05, 2026年11月5日 …). For each household:

- a date already recorded with the same value: unchanged;
- a date not yet recorded: an event, recorded in funnel order through ``households_record_stage``
  (one call per kind and day, so a few thousand households take seconds);
- a date different from the one recorded: a rejected row (corrections are made on the household
  page, where they keep the original);
- a date the services would refuse (order of stages, a future date, the signing period, a 认定
  while a building is 待认定, a 拆除 of a building with a heritage element without the office's
  override): a rejected row with the service's own reason. An office user may pass one override
  reason for the file (``heritage_reason``), which then covers every such 拆除 in it.

Any rejected row and nothing is written; otherwise everything is written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core.actors import is_system
from gaizao.core import tabular
from gaizao.core.errors import AppError, NotFound
from gaizao.ledger.importing.headers import HOUSEHOLD_COLUMNS, NOTES_SHEET
from gaizao.ledger.models import Household, Project
from gaizao.progress import rollups, signing
from gaizao.progress.choices import EventKind, ResettlementMode
from gaizao.ledger.services.buildings import building_facts, heritage_override_refusal
from gaizao.progress.services.events import guarded, heritage_refusal_line, households_record_stage
from gaizao.progress.stages import BUILDING_KINDS, RECORDABLE, State, check_buildings, check_change

# 户号, with the ledger's synonyms (the ledger's column table is where they are kept).
NUMBER = tabular.Column("户号", synonyms=HOUSEHOLD_COLUMNS[0].synonyms, required=True, key="number")
NUMBER_MAX_LENGTH = 32
MODE = "resettlement_mode"

# The date columns, in the order events are recorded (the funnel; 补偿决定 beside 签约).
DATE_COLUMNS: tuple[tabular.Column, ...] = tuple(
    tabular.Column(header, synonyms=synonyms, key=str(kind))
    for kind, header, synonyms in (
        (EventKind.SURVEYED, "入户调查日期", ("入户调查时间", "调查日期", "调查时间", "入户日期", "入户时间", "入户调查")),
        (EventKind.DECIDED, "认定日期", ("认定时间", "确权认定日期", "认定完成日期")),
        (EventKind.VALUED, "评估日期", ("评估时间", "评估完成日期", "入户评估日期")),
        (EventKind.DECISION, "补偿决定日期", ("补偿决定时间", "决定日期", "征收补偿决定日期", "补偿决定作出日期")),
        (EventKind.SIGNED, "签约日期", ("签约时间", "协议签订日期", "签订日期", "签协议日期", "签约")),
        (EventKind.VACATED, "腾空交房日期", ("交房日期", "腾空日期", "腾空时间", "交房时间", "腾房日期", "腾空交房")),
        (EventKind.DEMOLISHED, "拆除日期", ("拆除时间", "拆迁日期", "拆除完成日期")),
        (EventKind.RESETTLED, "安置日期", ("安置时间", "安置完成日期")),
        # the upgrade way (整治提升)
        (EventKind.AGREED, "同意整治日期", ("同意整治时间", "整治协议日期")),
        (EventKind.WORKS_STARTED, "开工日期", ("开工时间", "整治开工日期")),
        (EventKind.WORKS_ACCEPTED, "竣工验收日期", ("验收日期", "竣工日期", "竣工验收时间")),
    )
)
MODE_COLUMN = tabular.Column("安置方式", synonyms=("安置类型", "补偿安置方式"), key=MODE)
MODE_ALIASES = {
    "货币补偿": ResettlementMode.MONEY, "货币": ResettlementMode.MONEY, "货币安置": ResettlementMode.MONEY,
    "产权调换": ResettlementMode.SWAP, "调换": ResettlementMode.SWAP, "房屋安置": ResettlementMode.SWAP,
    "回迁安置": ResettlementMode.RETURN, "原地回迁": ResettlementMode.RETURN,
}
COLUMNS = (NUMBER, *DATE_COLUMNS, MODE_COLUMN)
KIND_ORDER = [column.key for column in DATE_COLUMNS]
CHUNK = 5000


# --- kinds and 户号 lists (the command line and the bulk page) ---------------------------------

_KIND_WORDS = {
    "调查": EventKind.SURVEYED, "入户": EventKind.SURVEYED, "交房": EventKind.VACATED, "腾空": EventKind.VACATED,
    "撤出": EventKind.WITHDRAWN, "决定": EventKind.DECISION, "验收": EventKind.WORKS_ACCEPTED,
}


def kind_from_text(text: str) -> str:
    """An event kind from its English value (signed) or its Chinese label (签约)."""
    word = tabular.fold(str(text or "")).strip()
    for kind in RECORDABLE:
        if word.lower() == kind.value or word == str(kind.label):
            return kind.value
    if word in _KIND_WORDS:
        return _KIND_WORDS[word].value
    names = "、".join(f"{k.value}（{k.label}）" for k in RECORDABLE)
    raise AppError(_("未知的进度事项「%(k)s」；可用：%(names)s。") % {"k": word, "names": names},
                   fields={"kind": _("未知事项")})


_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_numbers(text: str) -> list[str]:
    """户号 typed or pasted: one per line, or separated by spaces, commas (, ，), 、 or semicolons."""
    out: list[str] = []
    for part in _SEPARATORS.split(tabular.fold(text or "")):
        if part:
            out.append(part)
    return list(dict.fromkeys(out))


def households_by_number(households, *, project: Project, numbers: list[str]) -> list[int]:
    """The ids of the project's households with these 户号 (from ``households``, a scoped queryset).

    Any 户号 that is not there is named in the error, and the caller writes nothing.
    """
    found: dict[str, int] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start:start + CHUNK]
        found.update(households.filter(project=project, number__in=chunk).values_list("number", "id"))
    unknown = [number for number in numbers if number not in found]
    if unknown:
        shown = "、".join(unknown[:20]) + (_("……等 %(n)d 个") % {"n": len(unknown)} if len(unknown) > 20 else "")
        raise AppError(_("项目 %(p)s 中没有这些户号：%(list)s。没有写入任何记录。") % {"p": project.code, "list": shown},
                       fields={"numbers": _("户号不存在")})
    return [found[number] for number in numbers]


def project_for_progress(*, actor, code: str) -> Project:
    """The project whose progress the actor records (the system actor: every project)."""
    from gaizao.ledger.selectors import project_write_scope

    projects = project_write_scope(actor) if not is_system(actor) else Project.objects.select_related(
        "village", "village__street")
    project = projects.filter(code=(code or "").strip()).first()
    if project is None:
        message = _("项目 %(code)s 不存在或你无权记录其进度。") % {"code": code}
        raise NotFound(message, fields={"project": message})
    return project


# --- reading the file ---------------------------------------------------------------------------

@dataclass(slots=True)
class RejectedRow:
    row: int  # as Excel shows it (0 when the problem is not one row's)
    household: str
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "household": self.household, "column": self.column, "reason": self.reason}


@dataclass
class _HouseholdDates:
    number: str
    row: int
    dates: dict[str, tuple[dt.date, int]] = field(default_factory=dict)  # kind -> (date, row)
    mode: tuple[str, int] | None = None


@dataclass
class DatesImportResult:
    """What an import did (or, in a dry run or with rejected rows, would do)."""

    filename: str
    sheet: str
    households: int  # households named in the file
    recorded: int  # events recorded (dry run: that would be recorded)
    unchanged: int  # dates already recorded with the same value
    rejected: list[RejectedRow]
    written: bool

    def as_json(self) -> dict:
        return {"recorded": self.recorded, "unchanged": self.unchanged,
                "rejected": [row.as_dict() for row in self.rejected]}


def _read(path: Path, *, filename: str) -> tuple[str, dict[str, _HouseholdDates], list[RejectedRow], dict[str, str]]:
    # The header row names 户号 and at least one date column.
    table = tabular.read(path, filename=filename, columns=COLUMNS, min_matched=2, one_of=KIND_ORDER,
                         skip_sheets=(NOTES_SHEET,))
    found = table.header.columns
    labels = table.labels
    rejected: list[RejectedRow] = []
    slow, fast = tabular.text_rule(tabular.to_code, label=NUMBER.header, max_length=NUMBER_MAX_LENGTH)
    numbers, number_errors = tabular.column_converter(slow=slow, fast=fast)(table.column(NUMBER.key))
    kinds = [key for key in KIND_ORDER if key in found]
    modes: list = [None] * len(table.data)
    mode_errors: dict[int, str] = {}
    if MODE in found:
        slow, fast = tabular.choice_rule(ResettlementMode, MODE_ALIASES)
        modes, mode_errors = tabular.column_converter(slow=slow, fast=fast)(table.column(MODE))
    problems = {key: table.problems(key) for key in found}
    households: dict[str, _HouseholdDates] = {}
    for row in table.rows():  # blank rows, totals, signatures and notes under the table are skipped
        i, sheet_row = row.offset, row.number
        filled = {kind: row[kind] for kind in kinds if row[kind] not in ("", None) and not (
            isinstance(row[kind], str) and not row[kind].strip())}
        number = numbers[i]
        errors: list[tuple[str, str]] = []
        if i in number_errors:
            errors.append((NUMBER.key, number_errors[i]))
        elif number is None:
            errors.append((NUMBER.key, _("户号不能为空。")))
        values: dict[str, dt.date] = {}
        for kind, value in filled.items():
            try:
                values[kind] = tabular.to_date(value)
            except tabular.CellError as exc:
                errors.append((kind, str(exc)))
        if i in mode_errors:
            errors.append((MODE, mode_errors[i]))
        for key, cells in problems.items():
            if i in cells:
                errors.append((key, cells[i]))
                values.pop(key, None)
        for key, reason in errors:
            rejected.append(RejectedRow(sheet_row, number or "", labels[key], reason))
        if number is None:
            continue
        household = households.setdefault(number, _HouseholdDates(number=number, row=sheet_row))
        for kind, day in values.items():
            before = household.dates.get(kind)
            if before is None:
                household.dates[kind] = (day, sheet_row)
            elif before[0] != day:
                rejected.append(RejectedRow(sheet_row, number, labels[kind], _(
                    "户号 %(no)s 在第 %(a)d 行和第 %(b)d 行的「%(col)s」不一致（%(x)s / %(y)s）。") % {
                    "no": number, "a": before[1], "b": sheet_row, "col": labels[kind], "x": before[0], "y": day}))
        if modes[i] is not None:
            if household.mode is None:
                household.mode = (modes[i], sheet_row)
            elif household.mode[0] != modes[i]:
                rejected.append(RejectedRow(sheet_row, number, labels[MODE], _(
                    "户号 %(no)s 在第 %(a)d 行和第 %(b)d 行的安置方式不一致。") % {
                    "no": number, "a": household.mode[1], "b": sheet_row}))
    return table.name, households, rejected, labels


# --- comparing with the database and writing ---------------------------------------------------

def _load(project: Project, numbers: list[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    fields = ("id", "number", "project_id", "street_id", "village_id", *rollups.HOUSEHOLD_STATE_FIELDS)
    for start in range(0, len(numbers), CHUNK):
        for household in Household.objects.filter(project=project, number__in=numbers[start:start + CHUNK]).only(
                *fields, "village__mode").select_related("village"):  # the mode names the way in refusals
            found[household.number] = household
    return found


def _label(kind: str) -> str:
    return str(EventKind(kind).label)


def _plan(project: Project, households: dict[str, _HouseholdDates], labels: dict[str, str],
          rejected: list[RejectedRow], *, refusal: str | None, actor) -> tuple[list[tuple[int, str, dt.date, str]], int]:
    """The events to record (household id, kind, day, mode) in funnel order, and the unchanged dates.

    ``refusal``: why a 拆除 of a building with a heritage element may not be overridden (None: it may).
    A lapsed project's rows of 腾空交房, 拆除, 安置 and 补偿决定 are refused (``progress.signing``).
    """
    stored = _load(project, list(households))
    gates: dict[str, str | None] = {}
    facts = {}
    if any(kind in wanted.dates for wanted in households.values() for kind in BUILDING_KINDS):
        facts = building_facts([h.pk for h in stored.values()])
    planned: list[tuple[int, str, dt.date, str]] = []
    unchanged = 0
    for number, wanted in households.items():
        household = stored.get(number)
        if household is None:
            rejected.append(RejectedRow(wanted.row, number, labels[NUMBER.key],
                                        _("户号 %(no)s 不在项目 %(p)s 中。") % {"no": number, "p": project.code}))
            continue
        state = State.of(household)
        dates = dict(state.dates)
        mode = wanted.mode[0] if wanted.mode else ""
        for kind in KIND_ORDER:
            if kind not in wanted.dates:
                continue
            day, row = wanted.dates[kind]
            column = labels[kind]
            if kind in dates:
                if dates[kind] == day:
                    unchanged += 1
                    if kind == EventKind.RESETTLED and mode and state.resettlement_mode and mode != state.resettlement_mode:
                        rejected.append(RejectedRow(row, number, labels[MODE], _(
                            "已记录安置方式「%(a)s」，文件为「%(b)s」；如需改正请在住户页更正。") % {
                            "a": ResettlementMode(state.resettlement_mode).label, "b": ResettlementMode(mode).label}))
                else:
                    rejected.append(RejectedRow(row, number, column, _(
                        "已记录%(k)s日期 %(a)s，文件为 %(b)s；如需改正请在住户页更正。") % {
                        "k": _label(kind), "a": dates[kind], "b": day}))
                continue
            if kind == EventKind.RESETTLED and not mode:
                rejected.append(RejectedRow(row, number, labels[MODE], _(
                    "记录安置须填写安置方式（货币补偿、产权调换或回迁）。")))
                continue
            after = state.with_dates(dates).with_event(kind=kind, on=day, resettlement_mode=mode)
            try:
                check_change(after, kind=kind, project=project, on=day)
                if kind in signing.BLOCKED_KINDS:
                    if kind not in gates:
                        gates[kind] = signing.execution_refusal(actor=actor, project=project, kind=kind)
                    if gates[kind]:
                        raise AppError(gates[kind])
                if kind in BUILDING_KINDS:
                    buildings = facts.get(household.pk, [])
                    check_buildings(buildings, kind=kind, on=day, who=_("本户"))
                    if kind == EventKind.DEMOLISHED and refusal is not None and (concerned := guarded(buildings)):
                        raise AppError(heritage_refusal_line(concerned, refusal))
            except AppError as exc:
                rejected.append(RejectedRow(row, number, column, exc.message))
                continue
            dates[kind] = day
            planned.append((household.pk, kind, day, mode if kind == EventKind.RESETTLED else ""))
    return planned, unchanged


def _write(planned: list[tuple[int, str, dt.date, str]], *, actor, note: str, heritage_reason: str,
           ip: str | None) -> int:
    """One bulk service call per kind and day (and mode), kinds in funnel order."""
    groups: dict[tuple[int, dt.date, str], list[int]] = defaultdict(list)
    for household_id, kind, day, mode in planned:
        groups[(KIND_ORDER.index(kind), day, mode)].append(household_id)
    recorded = 0
    for (order, day, mode), ids in sorted(groups.items()):
        recorded += households_record_stage(actor=actor, household_ids=ids, kind=KIND_ORDER[order], on_date=day,
                                            note=note, resettlement_mode=mode, heritage_override_reason=heritage_reason,
                                            ip=ip)
    return recorded


def events_import(*, actor, project_code: str, path: str | Path, filename: str | None = None,
                  dry_run: bool = False, heritage_reason: str = "", ip: str | None = None) -> DatesImportResult:
    """Import the stage dates of a spreadsheet into a project (all or nothing; see the module doc).

    A file that cannot be read, or has no header, raises AppError; row problems are returned.
    ``heritage_reason``: the office's override for the 拆除 of buildings with heritage elements in
    the file (at least 10 characters; refused from a street account, whose such rows are rejected).
    """
    project = project_for_progress(actor=actor, code=project_code)
    filename = filename or Path(path).name
    sheet, households, rejected, labels = _read(Path(path), filename=filename)
    refusal = heritage_override_refusal(actor=actor, reason=heritage_reason)
    written = False
    with transaction.atomic():
        planned, unchanged = _plan(project, households, labels, rejected, refusal=refusal, actor=actor)
        recorded = len(planned)
        if not rejected and not dry_run and planned:
            note = _("由 Excel 导入（%(f)s）") % {"f": filename}
            recorded = _write(planned, actor=actor, note=note[:200], heritage_reason=heritage_reason, ip=ip)
            written = True
    rejected.sort(key=lambda row: (row.row, row.column))
    return DatesImportResult(filename=filename, sheet=sheet, households=len(households),
                             recorded=0 if rejected else recorded, unchanged=unchanged, rejected=rejected,
                             written=written)


__all__ = [
    "DATE_COLUMNS", "DatesImportResult", "RejectedRow", "events_import", "households_by_number",
    "kind_from_text", "project_for_progress", "split_numbers",
]
