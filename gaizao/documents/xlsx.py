"""XLSX writing helpers (Excel 表格) shared by all apps, on openpyxl.

The house style of every workbook the platform hands out: a Chinese header row in bold on a
light fill with borders and frozen below, sensible column widths, drop-down lists where the values
are fixed, text-formatted columns for long numbers (an 18-digit ID typed into a General cell loses
its last digits), and a notes sheet (填写说明) that explains each column.

Works with ordinary and write-only workbooks (``write_only=True`` for exports of 100,000 rows).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

FONT_NAME = "宋体"
HEADER_FONT = Font(name=FONT_NAME, bold=True, size=11)
REQUIRED_FONT = Font(name=FONT_NAME, bold=True, size=11, color="C00000")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TEXT_FORMAT = "@"
# Excel's limit for an inline list (the quoted, comma-separated formula).
_INLINE_LIST_LIMIT = 255


def new_workbook(*, write_only: bool = False) -> Workbook:
    """An empty workbook (the default sheet removed, so sheets come in the order they are made)."""
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


def set_widths(sheet, widths: Sequence[int | float]) -> None:
    """Column widths in characters (a Chinese character counts about two)."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def header_cells(sheet, headers: Sequence[str], *, required: Iterable[int] = ()) -> list[WriteOnlyCell]:
    """Styled header cells for a write-only sheet (``sheet.append(header_cells(...))``)."""
    required = set(required)
    cells = []
    for index, text in enumerate(headers):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = REQUIRED_FONT if index in required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
        cells.append(cell)
    return cells


def write_header(sheet, headers: Sequence[str], *, row: int = 1, widths: Sequence[int] | None = None,
                 required: Iterable[int] = (), freeze: bool = True) -> None:
    """A styled header row on an ordinary sheet; required columns (0-based) in dark red."""
    required = set(required)
    for index, text in enumerate(headers):
        cell = sheet.cell(row=row, column=index + 1, value=text)
        cell.font = REQUIRED_FONT if index in required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
    sheet.row_dimensions[row].height = 30
    if widths:
        set_widths(sheet, widths)
    if freeze:
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1).coordinate


def text_columns(sheet, columns: Iterable[int]) -> None:
    """Format whole columns (0-based) as text (``@``) so long numbers typed in keep every digit.

    Sets the column's default style, which Excel and WPS apply to cells typed in later; call it
    before writing rows on a write-only sheet.
    """
    for column in columns:
        sheet.column_dimensions[get_column_letter(column + 1)].number_format = TEXT_FORMAT


def choice_list(sheet, *, column: int, options: Sequence[str], first_row: int, last_row: int,
                title: str = "", prompt: str = "") -> DataValidation:
    """A drop-down list (数据有效性) on one column (0-based), refusing values not in the list."""
    formula = '"' + ",".join(options) + '"'
    if len(formula) > _INLINE_LIST_LIMIT:
        raise ValueError("drop-down list too long for an inline list; put the options on a sheet")
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                                showErrorMessage=True, errorStyle="stop", errorTitle=title or "输入有误",
                                error="请从下拉列表中选择：" + "、".join(options),
                                showInputMessage=bool(prompt), promptTitle=title, prompt=prompt)
    letter = get_column_letter(column + 1)
    validation.add(f"{letter}{first_row}:{letter}{last_row}")
    sheet.data_validations.append(validation)
    return validation


def number_range(sheet, *, column: int, first_row: int, last_row: int, minimum, maximum, whole: bool,
                 title: str = "") -> DataValidation:
    """Accept only numbers in ``minimum..maximum`` in one column (0-based)."""
    validation = DataValidation(type="whole" if whole else "decimal", operator="between",
                                formula1=str(minimum), formula2=str(maximum), allow_blank=True,
                                showErrorMessage=True, errorTitle=title or "输入有误",
                                error=f"请输入 {minimum}–{maximum} 之间的{'整数' if whole else '数字'}。")
    letter = get_column_letter(column + 1)
    validation.add(f"{letter}{first_row}:{letter}{last_row}")
    sheet.data_validations.append(validation)
    return validation


def add_notes_sheet(workbook: Workbook, *, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                    widths: Sequence[int], heading: str = "") -> None:
    """A notes sheet (填写说明): an optional heading line, then a styled table of explanations.

    Written row by row with ``append``, so it works in write-only workbooks as well.
    """
    sheet = workbook.create_sheet(title)
    set_widths(sheet, widths)
    if heading:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = TITLE_FONT
        sheet.append([cell])
        sheet.append([])
    sheet.append(header_cells(sheet, headers))
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = WRAP
            cell.border = HEADER_BORDER
            cells.append(cell)
        sheet.append(cells)


def save(workbook: Workbook, out: str | Path | BinaryIO) -> None:
    """Save to a path or a binary file object (an HttpResponse, a BytesIO)."""
    workbook.save(out)


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
