"""XLSX writing helpers (Excel 表格) shared by all apps, on openpyxl.

The house style of every workbook the platform hands out: a Chinese header row in bold on a
light fill with borders and frozen below, sensible column widths, drop-down lists where the values
are fixed, text-formatted columns for long numbers (an 18-digit ID typed into a General cell loses
its last digits), and a notes sheet (填写说明) that explains each column.

Works with ordinary and write-only workbooks (``write_only=True`` for exports of 100,000 rows).

Text is never a formula (公式注入). openpyxl turns any str starting with ``=`` into a live formula
cell, so a household head named ``=HYPERLINK("http://x","点此")`` would plant a link in the table
a leader opens. Every workbook comes from ``new_workbook``, a ``SafeWorkbook`` whose sheets pass
every value — ``append``, ``cell(value=...)``, ``sheet["A1"] = ...``, ``cell.value = ...``, styled
cells made by ``cell()`` or elsewhere — through one function, ``safe_text``:

- text is written as a string cell (type ``s``), never a formula or an error value;
- text starting with ``= + - @``, tab or carriage return gets a leading ``'`` (OWASP's advice for
  CSV injection; Excel, WPS and LibreOffice then show it as text even after the cell is edited);
- control characters openpyxl refuses (and the others ``core.text`` refuses) are removed, so an
  export never crashes on text stored before input was checked;
- numbers, dates, booleans and None are written as they are.

Why sheets that neutralise rather than a helper every writer must remember to call: the guard sits
below every way of putting a value into a cell, so a writer written next year is safe without
knowing about it, and a test (tests/documents/test_xlsx_injection.py) refuses code outside this
module that makes an openpyxl Workbook, Worksheet or Cell itself. The import's cell normaliser
removes exactly that one quote again (``ledger.importing.normalise.unquote``), so an exported
ledger re-imports unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from inspect import isgenerator
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from gaizao.core.text import strip_refused

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


# --- text is never a formula ------------------------------------------------------------------

# What a spreadsheet reads as the start of a formula (OWASP: = + - @ tab CR). A value that already
# starts with quotes before one of these gets one more, so that removing one quote on import
# (normalise.unquote) gives back exactly what was stored, whatever it was.
FORMULA_START = "=+-@\t\r"
NEEDS_QUOTE = re.compile("'*[" + re.escape(FORMULA_START) + "]")


def safe_text(value: str) -> str:
    """Text as it may go into a cell: refused characters removed, a formula start quoted."""
    text = strip_refused(str(value))[:32767]  # Excel's limit for a cell
    return "'" + text if NEEDS_QUOTE.match(text) else text


def _bind(cell: Cell, value) -> None:
    """Put ``value`` into ``cell``: text through ``safe_text`` as a string cell, the rest as openpyxl does."""
    if isinstance(value, str):
        cell._value = safe_text(value)
        cell.data_type = "s"  # never "f" (formula) or "e" (an error value such as "#N/A")
    else:
        Cell._bind_value(cell, value)


class SafeCell(Cell):
    """A cell that binds every value through ``_bind`` (on creation and on ``cell.value = ...``)."""

    __slots__ = ()

    def _bind_value(self, value):
        _bind(self, value)


def _safe_cell(sheet, value) -> Cell:
    """What an appended value becomes: a ``SafeCell``, or the given cell with its value made safe."""
    if isinstance(value, Cell):
        if not isinstance(value, SafeCell):
            _bind(value, value.value)  # a styled cell made with openpyxl's own Cell/WriteOnlyCell
        return value
    return SafeCell(sheet, row=1, column=1, value=value)


class SafeWorksheet(Worksheet):
    """An ordinary sheet whose cells are ``SafeCell`` however they are reached.

    Cells stay in the sheet and can be assigned again later, so every one must be a ``SafeCell``:
    the ones ``cell()``/``sheet["A1"]`` create (``_get_cell``) and the ones ``append`` creates.
    """

    def _get_cell(self, row, column):
        if 0 < row < 1048577 and (row, column) not in self._cells:
            self._add_cell(SafeCell(self, row=row, column=column))
        return super()._get_cell(row, column)

    def append(self, iterable):
        if isinstance(iterable, dict):  # openpyxl takes no cells in a dict: set the values here
            row = self._current_row + 1
            for key, value in iterable.items():
                column = column_index_from_string(key) if isinstance(key, str) else key
                self._get_cell(row, column).value = value
            self._current_row = row
            return
        if isinstance(iterable, (list, tuple, range)) or isgenerator(iterable):
            iterable = [_safe_cell(self, value) for value in iterable]
        super().append(iterable)  # anything else: openpyxl's own TypeError


class SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only (streaming) sheet whose rows are turned into ``SafeCell``s.

    openpyxl's own ``_values_to_row`` binds plain values into one reused ``Cell``; this is the
    same loop with a ``SafeCell`` (a cell is written as soon as it is yielded, so one can be reused
    until it carries a style or was handed in).
    """

    def _values_to_row(self, values, row_idx):
        reusable = SafeCell(self, row=1, column=1)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = _safe_cell(self, value)
            else:
                cell = reusable
                cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell is not reusable or cell.has_style or cell.hyperlink:
                reusable = SafeCell(self, row=1, column=1)


class SafeWorkbook(Workbook):
    """A workbook whose sheets never write text as a formula; made by ``new_workbook``."""

    def __init__(self, *, write_only: bool = False):
        super().__init__(write_only=write_only)
        if not write_only:
            self.remove(self.active)  # sheets come in the order they are made

    def create_sheet(self, title=None, index=None):
        if self.read_only:
            return super().create_sheet(title, index)  # openpyxl's own refusal
        sheet_class = SafeWriteOnlyWorksheet if self.write_only else SafeWorksheet
        sheet = sheet_class(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet


def new_workbook(*, write_only: bool = False) -> SafeWorkbook:
    """An empty workbook (no default sheet, so sheets come in the order they are made)."""
    return SafeWorkbook(write_only=write_only)


def cell(sheet, value=None, **style) -> SafeCell:
    """A styled cell for ``sheet.append([...])`` (font=, fill=, border=, alignment=, number_format=)."""
    made = SafeCell(sheet, row=1, column=1, value=value)
    for name, setting in style.items():
        setattr(made, name, setting)
    return made


def set_widths(sheet, widths: Sequence[int | float]) -> None:
    """Column widths in characters (a Chinese character counts about two)."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def header_cells(sheet, headers: Sequence[str], *, required: Iterable[int] = ()) -> list[SafeCell]:
    """Styled header cells for a write-only sheet (``sheet.append(header_cells(...))``)."""
    required = set(required)
    cells = []
    for index, text in enumerate(headers):
        cells.append(cell(sheet, text, font=REQUIRED_FONT if index in required else HEADER_FONT,
                          fill=HEADER_FILL, border=HEADER_BORDER, alignment=HEADER_ALIGNMENT))
    return cells


def write_header(sheet, headers: Sequence[str], *, row: int = 1, widths: Sequence[int] | None = None,
                 required: Iterable[int] = (), freeze: bool = True) -> None:
    """A styled header row on an ordinary sheet; required columns (0-based) in dark red."""
    required = set(required)
    for index, text in enumerate(headers):
        target = sheet.cell(row=row, column=index + 1, value=text)
        target.font = REQUIRED_FONT if index in required else HEADER_FONT
        target.fill = HEADER_FILL
        target.border = HEADER_BORDER
        target.alignment = HEADER_ALIGNMENT
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
        sheet.append([cell(sheet, heading, font=TITLE_FONT)])
        sheet.append([])
    sheet.append(header_cells(sheet, headers))
    for values in rows:
        sheet.append([cell(sheet, value, alignment=WRAP, border=HEADER_BORDER) for value in values])


def save(workbook: Workbook, out: str | Path | BinaryIO) -> None:
    """Save to a path or a binary file object (an HttpResponse, a BytesIO)."""
    workbook.save(out)


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
