"""The valuer's results from a spreadsheet (导入评估结果), in two stages, by the ledger importer's rules.

The valuer (评估机构) fills one row per building: 户号 (within the project), 房屋编号, 评估单价（元/㎡）,
装修评估（元）, 评估日期, 评估机构, 估价师, 评估报告编号, and for a re-valuation 评估类别 (复核 / 鉴定)
and 理由. The file is read with the tabular reader (``gaizao.core.tabular``: header below title rows,
totals and signatures skipped, full-width digits, dates in every spelling).

1. **Preview** (``valuations_preview``): every row is sorted into new (no valuation in force yet),
   changed (a 复核 or 鉴定 replacing the one in force), unchanged (the valuation in force says exactly
   this: re-importing a file changes nothing) or rejected, with its row, column and a Chinese reason
   — the same checks the page and the API make (``services.valuations.check_entry``), the progress
   rule the household's 评估 stage will meet, and the file's own: an unknown 户号 or 房屋编号, the
   same building twice, text in a number cell. A row without 房屋编号 is the household's only
   building; a household with several is refused on that row. Columns the import does not read are
   warnings. Rows with no valuation filled in (a template's rows left blank) are skipped and counted.
2. **Confirm** (``valuations_import``): the file is read again and compared with the preview by its
   fingerprint (the same file against the same data); with any rejected row nothing is written,
   otherwise every row is written in one transaction through ``services.valuations``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.compensation.choices import ValuationKind
from gaizao.compensation.models import Valuation
from gaizao.compensation.policies.valuations import valuation_household_scope
from gaizao.compensation.services import valuations as services
from gaizao.core import tabular
from gaizao.core.actors import is_system
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.writes import writes
from gaizao.documents import xlsx
from gaizao.ledger.choices import Disposition, Stage
from gaizao.ledger.importing.headers import HOUSEHOLD_COLUMNS, NOTES_SHEET
from gaizao.ledger.models import Building, Household, Project

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
SHEET = "评估结果"
CHUNK = 900

COLUMNS = (
    tabular.Column("户号", synonyms=HOUSEHOLD_COLUMNS[0].synonyms, required=True, key="number"),
    tabular.Column("户主姓名", synonyms=("户主", "被征收人", "被征收人姓名", "产权人"), key="head_name"),
    tabular.Column("房屋编号", synonyms=("房号", "房屋号", "幢号", "栋号", "房屋序号"), key="building"),
    tabular.Column("评估单价（元/㎡）", synonyms=("评估单价", "评估单价(元/平方米)", "单价", "房屋评估单价", "评估价格"),
                   required=True, key="unit_price"),
    tabular.Column("装修评估（元）", synonyms=("装修评估", "装修评估价", "装修补偿", "装饰装修评估", "装修价值", "装修"),
                   key="decoration"),
    tabular.Column("评估日期", synonyms=("评估时间", "估价时点", "价值时点", "评估基准日"), required=True, key="valued_on"),
    tabular.Column("评估机构", synonyms=("评估单位", "估价机构", "房地产估价机构", "评估公司"), required=True, key="valuer"),
    tabular.Column("估价师", synonyms=("注册房地产估价师", "评估师", "估价人员", "评估人员"), key="appraiser"),
    tabular.Column("评估报告编号", synonyms=("报告编号", "评估报告号", "报告号", "估价报告编号"), key="report_no"),
    tabular.Column("评估类别", synonyms=("类别", "评估类型", "评估性质"), key="kind"),
    tabular.Column("理由", synonyms=("复核理由", "鉴定理由", "复核或鉴定理由", "原因", "复核鉴定理由"), key="reason"),
)
VALUE_KEYS = ("unit_price", "decoration", "valued_on", "valuer", "appraiser", "report_no", "kind", "reason")
KIND_ALIASES = {"初评": ValuationKind.INITIAL, "初次评估": ValuationKind.INITIAL, "首次评估": ValuationKind.INITIAL,
                "复核评估": ValuationKind.REVIEW, "重新评估": ValuationKind.REVIEW, "专家鉴定": ValuationKind.APPRAISAL,
                "鉴定评估": ValuationKind.APPRAISAL}
# A service's field, as the file names its column (when the file has no such column: the model's label).
FIELD_COLUMN = {"household": "number", "building": "building", "unit_price": "unit_price", "decoration": "decoration",
                "valued_on": "valued_on", "valuer": "valuer", "appraiser": "appraiser", "report_no": "report_no",
                "kind": "kind", "reason": "reason"}


@dataclass(slots=True)
class RejectedRow:
    row: int  # as Excel shows it
    household: str
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "household": self.household, "column": self.column, "reason": self.reason}


@dataclass
class PlannedRow:
    row: int
    household: Household
    entry: services.Entry
    status: str  # NEW or CHANGED

    def as_dict(self) -> dict:
        values = self.entry.values
        before = self.entry.current
        fields = []
        for name in services.VALUE_FIELDS:
            old = "" if before is None else str(getattr(before, name) or "")
            new = str(values[name] or "")
            if old != new:
                fields.append({"column": services._label(name), "before": old, "after": new})
        return {"row": self.row, "household": self.household.number, "building": self.entry.building.number,
                "status": self.status, "kind": str(ValuationKind(self.entry.kind).label),
                "reason": values.get("reason", ""), "fields": fields}


@dataclass
class ValuationPlan:
    """What the file would do to the project's valuations (导入预览), before anything is written."""

    project: Project
    filename: str
    sheet: str
    planned: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    blank: int = 0  # rows with no valuation filled in, skipped
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)  # 户号 whose 评估 stage the import records

    @property
    def new(self) -> int:
        return sum(1 for p in self.planned if p.status == NEW)

    @property
    def changed(self) -> int:
        return sum(1 for p in self.planned if p.status == CHANGED)

    def summary(self) -> dict:
        """The preview as plain data (the page, the API, the fingerprint)."""
        return {"project": self.project.code, "file": self.filename, "sheet": self.sheet, "new": self.new,
                "changed": self.changed, "unchanged": self.unchanged, "blank": self.blank,
                "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: (r.row, r.column))],
                "warnings": list(self.warnings), "stages": list(self.stages),
                "changes": [p.as_dict() for p in self.planned]}

    @property
    def fingerprint(self) -> str:
        """SM3 of the summary: the same file against the same data gives the same value."""
        text = json.dumps(self.summary(), ensure_ascii=False, sort_keys=True, default=str)
        return sm3_hex(text.encode("utf-8"))


@dataclass
class _RowIn:
    row: int
    number: str
    head_name: str
    building: str
    values: dict
    errors: list[tuple[str, str]]  # (key, reason)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read(path: Path, *, filename: str) -> tuple[tabular.Table, list[_RowIn], int]:
    table = tabular.read(path, filename=filename, columns=COLUMNS, min_matched=4, skip_sheets=(NOTES_SHEET,))
    found = table.header.columns
    labels = table.labels
    kinds = tabular.choice_table(ValuationKind, KIND_ALIASES)
    problems = {key: table.problems(key) for key in found}
    rows: list[_RowIn] = []
    blank = 0
    for row in table.rows():
        errors: list[tuple[str, str]] = []
        raw = {key: row.get(key) for key in VALUE_KEYS if key in found}
        if all(_blank(v) for v in raw.values()):
            blank += 1
            continue

        def code(key: str) -> str:
            if key not in found or _blank(row[key]):
                return ""
            try:
                return tabular.to_code(row[key])
            except tabular.CellError as exc:
                errors.append((key, str(exc)))
                return ""

        number, building = code("number"), code("building")
        if not number:
            errors.append(("number", _("户号不能为空。")))
        head_name = tabular.as_text(row["head_name"]).strip() if "head_name" in found and not _blank(
            row["head_name"]) else ""
        values: dict = {}
        for key in ("unit_price", "decoration"):
            if key in found and not _blank(row[key]):
                try:
                    values[key] = tabular.parse_number(row[key], what=labels[key])
                except tabular.CellError as exc:
                    errors.append((key, str(exc)))
                    values[key] = None
        if "valued_on" in found and not _blank(row["valued_on"]):
            try:
                values["valued_on"] = tabular.to_date(row["valued_on"])
            except tabular.CellError as exc:
                errors.append(("valued_on", str(exc)))
        if "kind" in found and not _blank(row["kind"]):
            try:
                values["kind"] = tabular.to_choice(row["kind"], table=kinds, choices=ValuationKind)
            except tabular.CellError as exc:
                errors.append(("kind", str(exc)))
        for key in ("valuer", "appraiser", "report_no", "reason"):
            if key in found and not _blank(row[key]):
                values[key] = tabular.as_text(row[key]).strip()
        for key, cells in problems.items():
            if row.offset in cells:
                errors.append((key, cells[row.offset]))
        rows.append(_RowIn(row=row.number, number=number, head_name=head_name, building=building, values=values,
                           errors=errors))
    return table, rows, blank


def _column(key: str, labels: dict[str, str]) -> str:
    if key in labels:
        return labels[key]
    column = next((c for c in COLUMNS if c.key == key), None)
    return column.header if column is not None else key


def _households(actor, project: Project, numbers: list[str]) -> dict[str, Household]:
    base = Household.objects.filter(project=project).select_related("project")
    if not is_system(actor):
        base = base.filter(pk__in=valuation_household_scope(actor, write=True).values("pk"))
    found: dict[str, Household] = {}
    for start in range(0, len(numbers), CHUNK):
        for household in base.filter(number__in=numbers[start:start + CHUNK]):
            found[household.number] = household
    return found


def _stage_refusal(household: Household, dates: dict[int, object], taken: list[int]) -> str | None:
    """Why progress would refuse the 评估 stage the import records for this household (None: it would not,
    or the stage is not recorded)."""
    from gaizao.progress.choices import EventKind
    from gaizao.progress.stages import State, check_change

    if household.valued_on is not None or household.stage != Stage.DECIDED or not taken:
        return None
    if any(pk not in dates for pk in taken):
        return None
    on = max(dates[pk] for pk in taken)
    state = State.of(household)
    try:
        check_change(state.with_event(kind=EventKind.VALUED, on=on), kind=EventKind.VALUED, project=household.project,
                     on=on)
    except AppError as exc:
        return exc.message
    return ""


def make_plan(*, actor, project: Project, path: Path, filename: str) -> ValuationPlan:
    """Read the file and compare it with the project's valuations (see the module doc); writes nothing."""
    table, rows, blank = _read(path, filename=filename)
    labels = table.labels
    plan = ValuationPlan(project=project, filename=filename, sheet=table.name, blank=blank,
                         warnings=[column.reason(table) for column in table.unread()])
    households = _households(actor, project, list(dict.fromkeys(r.number for r in rows if r.number)))
    buildings: dict[int, list[Building]] = defaultdict(list)
    ids = [h.pk for h in households.values()]
    for start in range(0, len(ids), CHUNK):
        for building in Building.objects.filter(household_id__in=ids[start:start + CHUNK]).order_by("number"):
            buildings[building.household_id].append(building)
    current: dict[int, Valuation] = {}
    for start in range(0, len(ids), CHUNK):
        for valuation in Valuation.objects.filter(household_id__in=ids[start:start + CHUNK], in_force=True):
            current[valuation.building_id] = valuation
    today = timezone.localdate()
    seen: dict[tuple, int] = {}
    by_household: dict[int, list[PlannedRow]] = defaultdict(list)

    def reject(r: _RowIn, key: str, reason: str) -> None:
        plan.rejected.append(RejectedRow(r.row, r.number, _column(key, labels), reason))

    for r in rows:
        for key, reason in r.errors:
            reject(r, key, reason)
        if not r.number:
            continue
        household = households.get(r.number)
        if household is None:
            if not r.errors:
                reject(r, "number", _("户号 %(no)s 不在项目 %(p)s 中（或你无权录入其评估结果）。") % {
                    "no": r.number, "p": project.code})
            continue
        if r.head_name and r.head_name != household.head_name:
            reject(r, "head_name", _("户号 %(no)s 的户主是 %(a)s，文件为 %(b)s；请核对户号。") % {
                "no": r.number, "a": household.head_name, "b": r.head_name})
            continue
        own = buildings.get(household.pk, [])
        listed = "、".join(b.number for b in own)
        if r.building:
            building = next((b for b in own if b.number == r.building), None)
            if building is None:
                reject(r, "building", _("房屋编号 %(b)s 不是户号 %(no)s 的房屋（该户登记的房屋：%(list)s）。") % {
                    "b": r.building, "no": r.number, "list": listed or _("无")})
                continue
        elif len(own) == 1:
            building = own[0]
        else:
            reject(r, "building", _("户号 %(no)s 登记了 %(n)d 栋房屋（%(list)s），请填写房屋编号。") % {
                "no": r.number, "n": len(own), "list": listed} if own else _("户号 %(no)s 未登记房屋。") % {
                "no": r.number})
            continue
        if (household.pk, building.pk) in seen:
            reject(r, "building", _("与第 %(first)d 行重复：户号 %(no)s 房屋 %(b)s 在文件中出现了两次。") % {
                "first": seen[household.pk, building.pk], "no": r.number, "b": building.number})
            continue
        seen[household.pk, building.pk] = r.row
        if r.errors:
            continue
        old = current.get(building.pk)
        entry, errors = services.check_entry(r.values, household=household, building=building, current=old,
                                             today=today)
        if errors and old is not None:
            probe, probe_errors = services.check_entry({**r.values, "kind": ValuationKind.INITIAL}, household=household,
                                                       building=building, current=None, today=today)
            if not probe_errors and all(getattr(old, f) == probe.values[f] for f in services.VALUE_FIELDS):
                plan.unchanged += 1
                continue
        if errors:
            for name, reason in errors.items():
                reject(r, FIELD_COLUMN.get(name, name), reason)
            continue
        if entry.same_as_current():
            plan.unchanged += 1
            continue
        planned = PlannedRow(row=r.row, household=household, entry=entry, status=CHANGED if old else NEW)
        by_household[household.pk].append(planned)
    by_id = {h.pk: h for h in households.values()}
    for household_id, planned in by_household.items():
        household = by_id[household_id]
        dates = {pk: v.valued_on for pk, v in current.items() if v.household_id == household_id}
        dates.update({p.entry.building.pk: p.entry.values["valued_on"] for p in planned})
        taken = [b.pk for b in buildings.get(household_id, []) if b.disposition == Disposition.DEMOLISH]
        refusal = _stage_refusal(household, dates, taken)
        if refusal:
            for p in planned:
                plan.rejected.append(RejectedRow(p.row, household.number, _column("valued_on", labels), _(
                    "全部房屋评估后将记录本户的「评估」阶段，但：%(m)s") % {"m": refusal}))
            continue
        if refusal == "":
            plan.stages.append(household.number)
        plan.planned.extend(planned)
    plan.planned.sort(key=lambda p: p.row)
    return plan


def project_for_valuations(*, actor, project) -> Project:
    """The project whose valuations the actor imports (an instance, its id or its code); else the one 404."""
    from gaizao.compensation.selectors.valuations import valuation_projects

    projects = Project.objects.all() if is_system(actor) else valuation_projects(actor)
    if isinstance(project, Project):
        found = projects.filter(pk=project.pk).first()
    elif str(project or "").strip().isdigit():
        found = projects.filter(pk=int(str(project).strip())).first()
    else:
        found = projects.filter(code=str(project or "").strip()).first()
    if found is None:
        message = _("项目不存在或你无权录入其评估结果。")
        raise NotFound(message, fields={"project": message})
    return found


def valuations_preview(*, actor, project, path: str | Path, filename: str | None = None) -> ValuationPlan:
    """Stage one (预览): what the file would do, nothing written. A file that cannot be read, or without
    a header, raises AppError; row problems are in ``plan.rejected``."""
    project = project_for_valuations(actor=actor, project=project)
    return make_plan(actor=actor, project=project, path=Path(path), filename=filename or Path(path).name)


@dataclass
class ImportOutcome:
    plan: ValuationPlan
    written: int
    stages: int


@writes
def _apply(*, actor, plan: ValuationPlan, ip: str | None = None) -> tuple[int, int]:
    grouped: dict[int, tuple[Household, list]] = {}
    for p in plan.planned:
        grouped.setdefault(p.household.pk, (p.household, []))[1].append(p.entry)
    written, stages = services.valuations_apply(actor=actor, plans=list(grouped.values()), ip=ip)
    writes.audit(action="compensation.valuation_import", obj=plan.project, changes={
        "file": plan.filename, "new": plan.new, "changed": plan.changed, "unchanged": plan.unchanged,
        "stages": stages})
    return written, stages


def valuations_import(*, actor, project, path: str | Path, filename: str | None = None,
                      fingerprint: str | None = None, ip: str | None = None) -> ImportOutcome:
    """Stage two (确认导入): read the file again, check it is what was previewed (``fingerprint``, when
    given), and write every row in one transaction — or nothing, when any row is rejected."""
    project = project_for_valuations(actor=actor, project=project)
    filename = filename or Path(path).name
    with transaction.atomic():
        plan = make_plan(actor=actor, project=project, path=Path(path), filename=filename)
        if fingerprint is not None and fingerprint != plan.fingerprint:
            raise Conflict(_("文件或系统中的数据在预览之后有了变化，请重新预览后再确认导入。"),
                           fields={"file": _("预览已过期")})
        if plan.rejected:
            raise AppError(_("文件中有 %(n)d 处问题，没有导入任何评估结果；请改正后重新上传。") % {"n": len(plan.rejected)},
                           fields={"file": _("有被拒绝的行")})
        if not plan.planned:
            return ImportOutcome(plan=plan, written=0, stages=0)
        written, stages = _apply(actor=actor, plan=plan, ip=ip)
    return ImportOutcome(plan=plan, written=written, stages=stages)


# --- the template -----------------------------------------------------------------------------------

NOTES = (
    ("户号", gettext_lazy("必填。住户在本项目中的户号，与台账一致。")),
    ("户主姓名", gettext_lazy("可不填；填写时须与台账一致，用于核对户号。")),
    ("房屋编号", gettext_lazy("住户只有一栋房屋时可不填；有多栋房屋时必填，与台账一致。")),
    ("评估单价（元/㎡）", gettext_lazy("必填。大于 0 的数字，最多两位小数。")),
    ("装修评估（元）", gettext_lazy("可不填（按 0 计）。不小于 0 的数字，最多两位小数。")),
    ("评估日期", gettext_lazy("必填。如 2026-11-05，不能晚于导入之日。")),
    ("评估机构", gettext_lazy("必填。房地产估价机构名称。")),
    ("估价师", gettext_lazy("可不填。注册房地产估价师姓名。")),
    ("评估报告编号", gettext_lazy("可不填。")),
    ("评估类别", gettext_lazy("可不填（按「评估」计）。复核、鉴定须填写「复核」或「鉴定」，并填写理由；原评估结果保留，"
                "新的结果取代原结果成为现行有效的评估。")),
    ("理由", gettext_lazy("复核、鉴定时必填（至少 4 个字）。")),
)


def template_workbook(*, households=None) -> bytes:
    """The template the valuer fills (评估结果导入模板): the header, a notes sheet, and — for a project —
    one row per building to be demolished (户号, 户主姓名, 房屋编号), the rest to fill in."""
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet(SHEET)
    headers = [str(c.header) for c in COLUMNS]
    xlsx.write_header(sheet, headers, widths=[12, 12, 10, 16, 14, 14, 24, 12, 18, 10, 30],
                      required=[i for i, c in enumerate(COLUMNS) if c.required])
    xlsx.text_columns(sheet, [0, 2, 8])
    last = 20001
    xlsx.choice_list(sheet, column=9, options=[str(label) for _v, label in ValuationKind.choices], first_row=2,
                     last_row=last, title=_("评估类别"), prompt=_("请从下拉列表选择"))
    xlsx.number_range(sheet, column=3, first_row=2, last_row=last, minimum=0.01, maximum=999999999, whole=False,
                      title=headers[3])
    xlsx.number_range(sheet, column=4, first_row=2, last_row=last, minimum=0, maximum=999999999999, whole=False,
                      title=headers[4])
    if households is not None:
        at = 2  # by row number: freezing the panes made cell A2, so ``append`` would skip a row
        for household in households:
            for building in household.buildings.all():
                if building.disposition == Disposition.DEMOLISH:
                    for column, text in enumerate((household.number, household.head_name, building.number), start=1):
                        sheet.cell(row=at, column=column, value=text)
                    at += 1
    xlsx.add_notes_sheet(workbook, title=NOTES_SHEET, headers=[_("列"), _("填写要求")],
                         rows=[(str(a), str(b)) for a, b in NOTES], widths=[20, 80],
                         heading=_("评估结果导入模板：每栋房屋一行"))
    return xlsx.to_bytes(workbook)


__all__ = [
    "COLUMNS", "ImportOutcome", "RejectedRow", "ValuationPlan", "make_plan", "project_for_valuations",
    "template_workbook", "valuations_import", "valuations_preview",
]
