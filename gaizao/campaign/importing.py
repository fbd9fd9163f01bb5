"""Tasks from a spreadsheet (从 Excel 批量交办任务): the office's task list, decomposed in Excel.

One row per task: 任务名称*, 责任单位*, 责任人, 完成时限 (a date) or 时限（工作日）, 类别, 上级任务
(the 序号 of an earlier row of the file, or the name of a task already in the campaign), 城中村,
任务要求. The file is read with the tabular reader (``core.tabular``); each row is then created
through ``services.tasks.task_create`` itself, so the rules and the messages are the pages' own.

Two stages: ``tasks_preview`` tries every row inside a transaction that is rolled back and says
which rows would be created and which are refused (row number and reason); ``tasks_import``
does the same and keeps everything only when no row is refused (all or nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.campaign.choices import TaskCategory
from gaizao.campaign.models import Campaign, Task
from gaizao.campaign.services.tasks import campaign_units, task_create
from gaizao.core import tabular
from gaizao.core.errors import AppError
from gaizao.ledger.models import Village
from gaizao.org.models import Membership

SEQ = tabular.Column("序号", synonyms=("编号", "任务序号"), key="seq")
TITLE = tabular.Column("任务名称", synonyms=("任务", "任务内容", "工作任务", "事项"), required=True, key="title")
UNIT = tabular.Column("责任单位", synonyms=("牵头单位", "承办单位", "责任部门"), required=True, key="unit")
PERSON = tabular.Column("责任人", synonyms=("联系人", "经办人"), key="person")
DEADLINE = tabular.Column("完成时限", synonyms=("完成时间", "截止日期", "完成期限", "时限"), key="deadline")
WORKDAYS = tabular.Column("时限（工作日）", synonyms=("时限(工作日)", "工作日", "时限工作日", "办理时限（工作日）"),
                          key="workdays")
CATEGORY = tabular.Column("类别", synonyms=("任务类别", "分类"), key="category")
PARENT = tabular.Column("上级任务", synonyms=("上级任务序号", "上级任务名称", "上级任务序号/名称", "所属任务"), key="parent")
VILLAGE = tabular.Column("城中村", synonyms=("村", "涉及城中村"), key="village")
DESCRIPTION = tabular.Column("任务要求", synonyms=("工作要求", "具体要求", "说明"), key="description")
COLUMNS = (SEQ, TITLE, UNIT, PERSON, DEADLINE, WORKDAYS, CATEGORY, PARENT, VILLAGE, DESCRIPTION)
CATEGORY_ALIASES = {"一般": TaskCategory.GENERAL, "土地": TaskCategory.LAND, "规划": TaskCategory.PLANNING,
                    "税费": TaskCategory.TAX, "融资": TaskCategory.FINANCING, "四通一平": TaskCategory.SITE,
                    "场地平整": TaskCategory.SITE, "公共服务": TaskCategory.PUBLIC_SERVICE}
MAX_ROWS = 5000


@dataclass
class RowResult:
    row: int  # as Excel shows it
    title: str
    unit: str = ""
    deadline: dt.date | None = None
    deadline_note: str = ""
    parent: str = ""
    reason: str = ""  # empty: the row is fine

    @property
    def ok(self) -> bool:
        return not self.reason

    def as_dict(self) -> dict:
        return {"row": self.row, "title": self.title, "unit": self.unit,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "deadline_note": self.deadline_note, "parent": self.parent, "reason": self.reason}


@dataclass
class TaskImportResult:
    filename: str
    rows: list[RowResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def accepted(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    def as_json(self) -> dict:
        return {"filename": self.filename, "written": self.written, "accepted": len(self.accepted),
                "refused": [row.as_dict() for row in self.refused], "warnings": self.warnings}


@dataclass
class _Row:
    number: int
    values: dict
    error: str = ""


def _cell_text(value) -> str:
    if value in (None, ""):
        return ""
    return tabular.as_text(value).strip()


def _filled(value) -> bool:
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())


def _read(path: Path, *, filename: str) -> tuple[list[_Row], list[str]]:
    table = tabular.read(path, filename=filename, columns=COLUMNS, min_matched=2, max_rows=MAX_ROWS)
    labels = table.labels
    warnings = [_("第 %(c)s 列「%(h)s」不是任务清单的列，未导入（%(n)d 行有内容）。") % {
        "c": col.letter, "h": col.header, "n": col.rows} for col in table.unread()]
    categories = tabular.choice_table(TaskCategory, CATEGORY_ALIASES)
    rows: list[_Row] = []
    for row in table.rows():
        values: dict = {}
        errors: list[str] = []
        for key in ("seq", "title", "unit", "person", "parent", "village", "description"):
            values[key] = _cell_text(row[key]) if key in table.header.columns else ""
        if "deadline" in table.header.columns and _filled(row["deadline"]):
            try:
                values["deadline"] = tabular.to_date(row["deadline"])
            except tabular.CellError as exc:
                errors.append(f"{labels['deadline']}：{exc}")
        if "workdays" in table.header.columns and _filled(row["workdays"]):
            try:
                values["workdays"] = tabular.to_integer(row["workdays"], low=1, high=1000, what=labels["workdays"])
            except tabular.CellError as exc:
                errors.append(f"{labels['workdays']}：{exc}")
        if "category" in table.header.columns and _filled(row["category"]):
            try:
                values["category"] = tabular.to_choice(row["category"], table=categories, choices=TaskCategory)
            except tabular.CellError as exc:
                errors.append(f"{labels['category']}：{exc}")
        if values["seq"].endswith(".0"):
            values["seq"] = values["seq"][:-2]
        if values["parent"].endswith(".0"):
            values["parent"] = values["parent"][:-2]
        rows.append(_Row(number=row.number, values=values, error="；".join(errors)))
    return rows, warnings


def _resolve(rows: list[_Row], campaign: Campaign):
    """Units, people and villages by name, in three queries for the whole file."""
    units = {}
    for unit in campaign_units():
        units.setdefault(unit.name, unit)
        units.setdefault(unit.code, unit)
    people: dict[tuple[int, str], list] = {}
    for membership in Membership.objects.filter(org_unit__in=list({u.pk: u for u in units.values()}.values()),
                                                user__is_active=True).select_related("user"):
        user = membership.user
        for name in {user.full_name, user.username} - {""}:
            found = people.setdefault((membership.org_unit_id, name), [])
            if user not in found:
                found.append(user)
    villages = {}
    for village in Village.objects.all().only("id", "name", "code", "street_id"):
        villages.setdefault(village.name, village)
        villages.setdefault(village.code, village)
    return units, people, villages


def _run(*, actor, campaign: Campaign, rows: list[_Row], filename: str, keep: bool,
         ip: str | None) -> TaskImportResult:
    result = TaskImportResult(filename=filename)
    units, people, villages = _resolve(rows, campaign)
    by_seq: dict[str, tuple[int, Task | None]] = {}
    with transaction.atomic():
        for source in rows:
            values = source.values
            out = RowResult(row=source.number, title=values["title"], unit=values["unit"], parent=values["parent"])
            result.rows.append(out)
            reason = source.error
            task: Task | None = None
            if not reason:
                try:
                    kwargs = _arguments(values, units=units, people=people, villages=villages, by_seq=by_seq,
                                        campaign=campaign, row=source.number)
                    with transaction.atomic():
                        task = task_create(actor=actor, campaign=campaign, ip=ip, **kwargs)
                except AppError as exc:
                    reason = exc.message
            if task is not None:
                out.deadline, out.deadline_note = task.deadline, task.deadline_note
            out.reason = reason
            if values["seq"]:
                if values["seq"] in by_seq:
                    out.reason = out.reason or _("序号 %(s)s 与第 %(r)d 行重复。") % {
                        "s": values["seq"], "r": by_seq[values["seq"]][0]}
                else:
                    by_seq[values["seq"]] = (source.number, task if out.ok else None)
        if not result.rows:
            raise AppError(_("文件「%(f)s」中没有任务行。") % {"f": filename}, fields={"file": _("没有数据")})
        result.written = keep and not result.refused
        if not result.written:
            transaction.set_rollback(True)
    return result


def _arguments(values: dict, *, units, people, villages, by_seq, campaign: Campaign, row: int) -> dict:
    if not values["title"]:
        raise AppError(_("任务名称不能为空。"))
    unit = units.get(values["unit"])
    if not values["unit"]:
        raise AppError(_("责任单位不能为空。"))
    if unit is None:
        raise AppError(_("责任单位「%(u)s」不是本区的街道或部门。") % {"u": values["unit"]})
    person = None
    if values["person"]:
        found = people.get((unit.pk, values["person"]), [])
        if not found:
            raise AppError(_("责任人「%(p)s」不在责任单位%(u)s任职。") % {"p": values["person"], "u": unit.name})
        if len(found) > 1:
            raise AppError(_("责任单位%(u)s有 %(n)d 人名为「%(p)s」，请填写账号名。") % {
                "u": unit.name, "n": len(found), "p": values["person"]})
        person = found[0]
    parent = None
    if values["parent"]:
        reference = values["parent"]
        if reference in by_seq:
            parent_row, parent = by_seq[reference]
            if parent is None:
                raise AppError(_("上级任务（第 %(r)d 行）未通过检查。") % {"r": parent_row})
        else:
            matches = list(Task.objects.filter(campaign=campaign, title=reference).values_list("pk", flat=True)[:2])
            if not matches:
                raise AppError(_("上级任务「%(p)s」既不是本文件前面行的序号，也不是本攻坚行动中的任务。") % {"p": reference})
            if len(matches) > 1:
                raise AppError(_("本攻坚行动中有多个名为「%(p)s」的任务，请改填本文件中的序号。") % {"p": reference})
            parent = matches[0]
    village = None
    if values["village"]:
        village = villages.get(values["village"])
        if village is None:
            raise AppError(_("城中村「%(v)s」不存在。") % {"v": values["village"]})
    if values.get("deadline") is None and values.get("workdays") is None:
        raise AppError(_("请填写完成时限（日期）或时限（工作日）。"))
    return {"title": values["title"], "unit": unit, "person": person, "parent": parent, "village": village,
            "deadline": values.get("deadline"), "workdays": values.get("workdays"),
            "category": values.get("category") or TaskCategory.GENERAL, "description": values["description"]}


def tasks_preview(*, actor, campaign: Campaign, path: str | Path, filename: str | None = None,
                  ip: str | None = None) -> TaskImportResult:
    """What the file would create: every row tried through the service, nothing kept."""
    filename = filename or Path(path).name
    rows, warnings = _read(Path(path), filename=filename)
    result = _run(actor=actor, campaign=campaign, rows=rows, filename=filename, keep=False, ip=ip)
    result.warnings = warnings
    return result


def tasks_import(*, actor, campaign: Campaign, path: str | Path, filename: str | None = None,
                 ip: str | None = None) -> TaskImportResult:
    """Create every task of the file, or none when a row is refused (``result.written``)."""
    filename = filename or Path(path).name
    rows, warnings = _read(Path(path), filename=filename)
    result = _run(actor=actor, campaign=campaign, rows=rows, filename=filename, keep=True, ip=ip)
    result.warnings = warnings
    return result


TEMPLATE_HEADERS = ("序号", "任务名称*", "责任单位*", "责任人", "完成时限", "时限（工作日）", "类别", "上级任务序号/名称",
                    "城中村", "任务要求")
TEMPLATE_EXAMPLES = (
    (1, "完成东湖村一期土地收储", "自然资源局", "", "2026-12-31", "", "土地供应", "", "", "完成收储并纳入供地计划"),
    (2, "东湖村一期规划条件出具", "自然资源局", "", "", 15, "规划审批", 1, "", ""),
)
def template_notes() -> tuple[str, ...]:
    return (
    "任务名称、责任单位必填；责任单位填街道或部门的名称（与系统中的名称一致）。",
    "完成时限填日期（如 2026-12-31），或在「时限（工作日）」填工作日数（从导入当天起算），二者只填一项；遇休息日自动顺延。",
    "责任人须在责任单位任职，填姓名或账号名；不填则由单位负责。",
    "类别可填：" + "、".join(str(label) for _v, label in TaskCategory.choices) + "；不填为一般任务。",
    "上级任务填本表前面行的序号，或本攻坚行动中已有任务的完整名称；子任务的完成时限不能晚于上级任务。",
    "先预览：每行是否可导入及原因；确认后一次全部导入，有任何一行不通过则不导入。",
    )


def template_workbook() -> bytes:
    """The XLSX template (任务清单导入模板): the header row, two example rows, and the notes; written through
    ``gaizao.documents.xlsx`` (text that starts like a formula is written as text)."""
    from gaizao.documents import xlsx

    book = xlsx.new_workbook()
    sheet = book.create_sheet("任务清单")
    xlsx.write_header(sheet, TEMPLATE_HEADERS, widths=(6, 30, 18, 10, 12, 14, 12, 18, 12, 40), required=(1, 2))
    for example in TEMPLATE_EXAMPLES:
        sheet.append(list(example))
    notes = book.create_sheet("填写说明")
    for line in template_notes():
        notes.append([line])
    xlsx.set_widths(notes, (110,))
    return xlsx.to_bytes(book)
