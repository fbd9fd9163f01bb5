"""The progress table (进度表): per street and village, the households and areas at each stage.

The layout the district office asks streets for every week: a title across the width, the date
the figures stand at and their units, a two-row header (a group per stage — 入户调查 … 安置 — each
with 户数 / 比例 / 面积（㎡）), then each street as a bold subtotal row followed by its villages
(indented), and a 合计 row that is the sum of the street rows. Rates are numbers shown as 0.0%,
areas 0.00 with thousands separators, so the file can be summed and re-sorted in Excel or WPS.
Printed on A4 landscape, fitted to the page width, the header repeated on each page.

With a campaign running, a second sheet 目标与序时进度 lists the district's goals and each street's
targets: 指标, 目标, 完成, 完成率, 序时应完成 (the share due by now) and the light as 绿/黄/红 on a cell
filled in its colour (the page shows the same block under the table).

``build_table`` turns the selectors' plain figures (``UnitSummary`` lists, forecasts, ``UnitTargets``)
into rows; ``write_progress_table`` / ``progress_table_bytes`` write them. Nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from gaizao.documents import xlsx

ZERO = Decimal("0.00")
# A campaign target's light (extensions.TargetCell.light) as officials write it in a table.
LIGHT_LABELS = {"green": gettext_lazy("绿"), "yellow": gettext_lazy("黄"), "red": gettext_lazy("红"), "none": "—"}
CHINESE_NUMERALS = "一二三四五六七八九十"

# Short words for a project's signing status (签约期) in a narrow column; the page shows the long ones.
SIGNING_SHORT = {
    "none": gettext_lazy("未设签约期"),
    "not_started": gettext_lazy("未开始"),
    "open": gettext_lazy("签约中"),
    "reached": gettext_lazy("已达生效比例"),
    "due": gettext_lazy("待判定"),
    "effective": gettext_lazy("已生效"),
    "lapsed": gettext_lazy("未生效"),
    "ended": gettext_lazy("已终止"),
}
# The order statuses are listed in a subtotal: what needs attention first.
SIGNING_ORDER = ["lapsed", "due", "open", "reached", "not_started", "effective", "ended", "none"]

COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
AREA_FORMAT = "#,##0.00"


def chinese_number(n: int) -> str:
    """一, 二, … 十, 十一, … 二十一 … (序号 of the street rows)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class StageCell:
    """One stage of one row: households that reached it, their share of the scope, their area."""

    households: int
    rate: Decimal | None  # percent, one decimal (99.8); None when the scope is empty
    area: Decimal


@dataclass
class TableRow:
    kind: str  # "street" (subtotal), "village" or "total"
    number: str  # 序号: 一、二 for streets, 1、2 for the villages of a street
    code: str
    street: str
    village: str
    households: int
    area: Decimal
    stages: list[StageCell]
    signing: str = ""
    signing_detail: str = ""  # the long words, for the page's tooltip
    forecast: str = ""

    @property
    def is_street(self) -> bool:
        return self.kind == "street"

    @property
    def is_total(self) -> bool:
        return self.kind == "total"


@dataclass
class TargetRow:
    """One target of a street (or one goal of the district) in the running campaign (目标与序时进度)."""

    unit: str  # the street's name, or the district's for its goals
    label: str
    measure: str  # 户 / 个 / 万㎡ / 项
    target: Decimal
    done: Decimal
    rate: Decimal | None  # percent
    expected_rate: Decimal  # percent due by now (序时进度)
    light: str  # green / yellow / red / none
    first: bool = False  # the unit's first row (the page names the unit once)

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS.get(self.light, "—"))

    @property
    def target_text(self) -> str:
        return _plain(self.target)

    @property
    def done_text(self) -> str:
        return _plain(self.done)


def _plain(value: Decimal) -> str:
    """400, 12.5 (as the campaign writes its figures; never an exponent)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class ProgressTable:
    title: str
    as_of: dt.date
    stages: list[tuple[str, str]]  # (key, label) in the funnel's order
    rows: list[TableRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)  # empty without a campaign
    campaign: str = ""

    @property
    def street_rows(self) -> list[TableRow]:
        return [row for row in self.rows if row.is_street]

    @property
    def village_rows(self) -> list[TableRow]:
        return [row for row in self.rows if row.kind == "village"]

    @property
    def total(self) -> TableRow:
        return self.rows[-1]

    @property
    def as_of_text(self) -> str:
        return _("统计截至 %(y)d年%(m)d月%(d)d日") % {"y": self.as_of.year, "m": self.as_of.month, "d": self.as_of.day}

    @property
    def filename(self) -> str:
        return f"{self.title}-{self.as_of:%Y%m%d}.xlsx"


# ---------------------------------------------------------------- from the selectors' figures

def _cells(summary, keys) -> list[StageCell]:
    return [StageCell(households=summary.count(k), rate=summary.rate(k), area=summary.area(k)) for k in keys]


def _forecast_text(forecast) -> str:
    if forecast is None:
        return ""
    if forecast.state != "forecast" or forecast.done_on is None:
        text = forecast.text  # 期满未达标、未启动、签约期未开始、全部签约、近四周无签约: said in words
    else:
        day = forecast.done_on
        text = _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}
    if forecast.deadline_state in ("at_risk", "overdue"):  # the dashboard's badge, in the same words
        text += _("（%(label)s）") % {"label": forecast.deadline_label}
    return text


def _signing(statuses: list[tuple[str, object]], *, by_project: bool) -> tuple[str, str]:
    """The short cell text and the long tooltip for the projects' signing statuses.

    A village lists each project (one project: just its status); a street or the total counts
    the projects in each status, the ones needing attention first.
    """
    if not statuses:
        return "", ""
    detail = "；".join(f"{code} {status.label}" for code, status in statuses)
    if by_project:
        if len(statuses) == 1:
            return str(SIGNING_SHORT[statuses[0][1].code]), detail
        return "；".join(f"{code} {SIGNING_SHORT[status.code]}" for code, status in statuses), detail
    counts = Counter(status.code for _code, status in statuses)
    parts = [_("%(s)s%(n)d个") % {"s": SIGNING_SHORT[code], "n": counts[code]} for code in SIGNING_ORDER if counts[code]]
    return "、".join(parts), detail


def _target_rows(unit: str, targets) -> list[TargetRow]:
    rows = [TargetRow(unit=unit, label=c.label, measure=c.unit, target=Decimal(c.target), done=Decimal(c.done),
                      rate=None if c.rate is None else Decimal(c.rate), expected_rate=Decimal(c.expected_rate),
                      light=c.light) for c in targets.cells]
    if rows:
        rows[0].first = True
    return rows


def build_table(*, title: str, as_of: dt.date, stage_labels: list[tuple[str, str]], streets: list, villages: list,
                projects: list, street_forecasts: dict, village_forecasts: dict,
                total_forecast=None, street_targets: dict | None = None, total_targets=None,
                total_name: str = "") -> ProgressTable:
    """Rows: each street (by code) as a subtotal, its villages (by code) under it, then 合计.

    ``streets``/``villages``/``projects`` are ``UnitSummary`` lists from the progress selectors
    (villages carry ``extra["street_code"]``, projects ``extra["project"]`` and
    ``extra["signing"]``); the forecasts are keyed by unit id. The total row adds the street rows.
    ``street_targets`` (by street id) and ``total_targets`` (the district's goals, named ``total_name``)
    are ``extensions.UnitTargets``: the targets block lists the goals, then each street's targets.
    """
    keys = [key for key, _label in stage_labels]
    table = ProgressTable(title=title, as_of=as_of, stages=list(stage_labels))
    street_targets = street_targets or {}
    if total_targets is not None:
        table.campaign = total_targets.campaign
        table.targets += _target_rows(total_name, total_targets)
    for street in sorted(streets, key=lambda s: s.code):
        if street.unit_id in street_targets:
            table.campaign = street_targets[street.unit_id].campaign
            table.targets += _target_rows(street.name, street_targets[street.unit_id])
    villages_of: dict[str, list] = defaultdict(list)
    for village in villages:
        villages_of[village.extra.get("street_code", "")].append(village)
    projects_of: dict[int, list] = defaultdict(list)
    for project in projects:
        projects_of[project.extra["project"].village_id].append((project.code, project.extra["signing"]))
    all_statuses = []
    for index, street in enumerate(sorted(streets, key=lambda s: s.code), start=1):
        street_statuses = [item for v in villages_of[street.code] for item in projects_of[v.unit_id]]
        all_statuses += street_statuses
        signing, detail = _signing(street_statuses, by_project=False)
        table.rows.append(TableRow(
            kind="street", number=chinese_number(index), code=street.code, street=street.name, village=_("小计"),
            households=street.households, area=street.total_area, stages=_cells(street, keys),
            signing=signing, signing_detail=detail, forecast=_forecast_text(street_forecasts.get(street.unit_id)),
        ))
        for number, village in enumerate(sorted(villages_of[street.code], key=lambda v: v.code), start=1):
            signing, detail = _signing(projects_of[village.unit_id], by_project=True)
            table.rows.append(TableRow(
                kind="village", number=str(number), code=village.code, street=street.name, village=village.name,
                households=village.households, area=village.total_area, stages=_cells(village, keys),
                signing=signing, signing_detail=detail,
                forecast=_forecast_text(village_forecasts.get(village.unit_id)),
            ))
    street_rows = table.street_rows
    households = sum(row.households for row in street_rows)
    stages = []
    for i, _key in enumerate(keys):
        count = sum(row.stages[i].households for row in street_rows)
        stages.append(StageCell(households=count, rate=_rate(count, households),
                                area=sum((row.stages[i].area for row in street_rows), ZERO)))
    signing, detail = _signing(all_statuses, by_project=False)
    table.rows.append(TableRow(
        kind="total", number="", code="", street=_("合计"), village="", households=households,
        area=sum((row.area for row in street_rows), ZERO), stages=stages, signing=signing, signing_detail=detail,
        forecast=_forecast_text(total_forecast),
    ))
    return table


# ---------------------------------------------------------------- the workbook

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name=xlsx.FONT_NAME, bold=True, size=16)
SUBTITLE_FONT = Font(name=xlsx.FONT_NAME, size=10)
BODY_FONT = Font(name=xlsx.FONT_NAME, size=10)
BOLD_FONT = Font(name=xlsx.FONT_NAME, size=10, bold=True)
STREET_FILL = PatternFill("solid", fgColor="F2F2F2")
# The lights in the colours spreadsheets use for good / neutral / bad.
LIGHT_FILLS = {"green": PatternFill("solid", fgColor="C6EFCE"), "yellow": PatternFill("solid", fgColor="FFEB9C"),
               "red": PatternFill("solid", fgColor="FFC7CE")}
LIGHT_FONTS = {"green": Font(name=xlsx.FONT_NAME, size=10, bold=True, color="006100"),
               "yellow": Font(name=xlsx.FONT_NAME, size=10, bold=True, color="9C5700"),
               "red": Font(name=xlsx.FONT_NAME, size=10, bold=True, color="9C0006")}
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
CENTER = Alignment(horizontal="center", vertical="center")
LEFT = Alignment(horizontal="left", vertical="center")
INDENTED = Alignment(horizontal="left", vertical="center", indent=1)
RIGHT = Alignment(horizontal="right", vertical="center")
WRAPPED = Alignment(horizontal="left", vertical="center", wrap_text=True)

# Columns before the stages: 序号, 街道, 城中村, then the scope (改造范围: 户数, 面积).
LEAD_COLUMNS = 3
HEADER_TOP, HEADER_BOTTOM = 3, 4
FIRST_DATA_ROW = 5
# Column widths in characters (a Chinese character counts two): as narrow as the figures allow, so
# that 28 columns fitted to an A4 landscape page stay legible.
WIDTHS_LEAD = [5, 10, 12]
WIDTH_COUNT, WIDTH_RATE, WIDTH_AREA = 6, 7, 11
WIDTH_SIGNING, WIDTH_FORECAST = 18, 16
LINE_HEIGHT = 14  # points per line of 10-point text


def _columns(table: ProgressTable) -> int:
    return LEAD_COLUMNS + 2 + 3 * len(table.stages) + 2


def _header(sheet, row: int, col: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    sheet.cell(row=row, column=col, value=text)
    if rows > 1 or cols > 1:
        sheet.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            target = sheet.cell(row=r, column=c)
            target.font = xlsx.HEADER_FONT
            target.fill = xlsx.HEADER_FILL
            target.border = BORDER
            target.alignment = xlsx.HEADER_ALIGNMENT


def _write_headers(sheet, table: ProgressTable) -> None:
    width = _columns(table)
    last = get_column_letter(width)
    sheet.cell(row=1, column=1, value=table.title).font = TITLE_FONT
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 32
    # Row 2: the date on the left, the units on the right.
    split = width - 6
    sheet.cell(row=2, column=1, value=table.as_of_text).font = SUBTITLE_FONT
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=split)
    sheet["A2"].alignment = LEFT
    unit = sheet.cell(row=2, column=split + 1, value=_("单位：户、平方米（㎡）"))
    unit.font = SUBTITLE_FONT
    unit.alignment = RIGHT
    sheet.merge_cells(start_row=2, start_column=split + 1, end_row=2, end_column=width)
    sheet.row_dimensions[2].height = 20

    _header(sheet, HEADER_TOP, 1, _("序号"), rows=2)
    _header(sheet, HEADER_TOP, 2, _("街道"), rows=2)
    _header(sheet, HEADER_TOP, 3, _("城中村"), rows=2)
    col = LEAD_COLUMNS + 1
    _header(sheet, HEADER_TOP, col, _("改造范围"), cols=2)
    _header(sheet, HEADER_BOTTOM, col, _("户数"))
    _header(sheet, HEADER_BOTTOM, col + 1, _("面积（㎡）"))
    col += 2
    for _key, label in table.stages:
        _header(sheet, HEADER_TOP, col, str(label), cols=3)
        _header(sheet, HEADER_BOTTOM, col, _("户数"))
        _header(sheet, HEADER_BOTTOM, col + 1, _("比例"))
        _header(sheet, HEADER_BOTTOM, col + 2, _("面积（㎡）"))
        col += 3
    _header(sheet, HEADER_TOP, col, _("签约期"), rows=2)
    _header(sheet, HEADER_TOP, col + 1, _("预计完成签约"), rows=2)
    sheet.row_dimensions[HEADER_TOP].height = 22
    sheet.row_dimensions[HEADER_BOTTOM].height = 22


def _put(sheet, row: int, col: int, value, *, number_format: str | None = None, font=BODY_FONT, fill=None,
         alignment=None) -> None:
    cell = sheet.cell(row=row, column=col, value=value)
    cell.font = font
    cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
        cell.alignment = alignment or RIGHT
    else:
        cell.alignment = alignment or LEFT


def _write_row(sheet, r: int, row: TableRow) -> None:
    font = BOLD_FONT if row.kind != "village" else BODY_FONT
    fill = STREET_FILL if row.is_street else TOTAL_FILL if row.is_total else None

    def put(col: int, value, fmt: str | None = None, align=None) -> None:
        _put(sheet, r, col, value, number_format=fmt, font=font, fill=fill, alignment=align)

    if row.is_total:
        put(1, row.street, align=CENTER)
        put(2, None)
        put(3, None)
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=LEAD_COLUMNS)
    else:
        put(1, row.number, align=CENTER)
        put(2, row.street if row.is_street else None)
        put(3, row.village, align=INDENTED if row.kind == "village" else LEFT)
    col = LEAD_COLUMNS + 1
    put(col, row.households, COUNT_FORMAT)
    put(col + 1, row.area, AREA_FORMAT)
    col += 2
    for cell in row.stages:
        put(col, cell.households, COUNT_FORMAT)
        put(col + 1, None if cell.rate is None else cell.rate / 100, RATE_FORMAT)
        put(col + 2, cell.area, AREA_FORMAT)
        col += 3
    put(col, row.signing, align=WRAPPED)
    put(col + 1, row.forecast, align=WRAPPED)
    # Spreadsheets do not grow a row for wrapped text they did not lay out themselves: say how tall.
    lines = max(_lines(row.signing, WIDTH_SIGNING), _lines(row.forecast, WIDTH_FORECAST))
    if lines > 1:
        sheet.row_dimensions[r].height = LINE_HEIGHT * lines + 2


def _lines(text: str, width: int) -> int:
    wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text or "")
    return max(1, math.ceil(wide / max(width - 1, 1)))


def _print_setup(sheet, table: ProgressTable) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_TOP}:{HEADER_BOTTOM}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
    sheet.oddFooter.center.size = 9


TARGET_WIDTHS = [14, 22, 8, 12, 12, 10, 12, 6]
TARGET_FORMAT = "#,##0.##"


def _write_targets(workbook, table: ProgressTable) -> None:
    """The sheet 目标与序时进度: the goals and each street's targets, the light filled in its colour."""
    sheet = workbook.create_sheet(_("目标与序时进度"))
    headers = [_("单位"), _("指标"), _("计量单位"), _("目标"), _("完成"), _("完成率"), _("序时应完成"), _("灯")]
    width = len(headers)
    sheet.cell(row=1, column=1, value=_("%(t)s：目标与序时进度") % {"t": table.title}).font = TITLE_FONT
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 32
    sheet.cell(row=2, column=1, value=f"{table.campaign} {table.as_of_text}").font = SUBTITLE_FONT
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for col, text in enumerate(headers, start=1):
        _header(sheet, 3, col, text)
    for r, row in enumerate(table.targets, start=4):
        _put(sheet, r, 1, row.unit, font=BOLD_FONT if row.first else BODY_FONT)
        _put(sheet, r, 2, row.label)
        _put(sheet, r, 3, row.measure, alignment=CENTER)
        _put(sheet, r, 4, row.target, number_format=TARGET_FORMAT)
        _put(sheet, r, 5, row.done, number_format=TARGET_FORMAT)
        _put(sheet, r, 6, None if row.rate is None else row.rate / 100, number_format=RATE_FORMAT)
        _put(sheet, r, 7, row.expected_rate / 100, number_format=RATE_FORMAT)
        _put(sheet, r, 8, row.light_label, font=LIGHT_FONTS.get(row.light, BODY_FONT), fill=LIGHT_FILLS.get(row.light),
             alignment=CENTER)
    xlsx.set_widths(sheet, TARGET_WIDTHS)
    sheet.freeze_panes = "A4"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "3:3"


def workbook_for(table: ProgressTable):
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet(_("进度表"))
    _write_headers(sheet, table)
    for offset, row in enumerate(table.rows):
        _write_row(sheet, FIRST_DATA_ROW + offset, row)
    widths = [*WIDTHS_LEAD, WIDTH_COUNT, WIDTH_AREA]
    widths += [WIDTH_COUNT, WIDTH_RATE, WIDTH_AREA] * len(table.stages)
    widths += [WIDTH_SIGNING, WIDTH_FORECAST]
    xlsx.set_widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=LEAD_COLUMNS + 1).coordinate
    _print_setup(sheet, table)
    if table.targets:
        _write_targets(workbook, table)
    return workbook


def write_progress_table(table: ProgressTable, out: str | Path | BinaryIO) -> None:
    """Write the table to a path or a binary file object."""
    xlsx.save(workbook_for(table), out)


def progress_table_bytes(table: ProgressTable) -> bytes:
    buffer = io.BytesIO()
    write_progress_table(table, buffer)
    return buffer.getvalue()
