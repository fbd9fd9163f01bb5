"""The error report (错误清单): an XLSX listing every rejected row, to fix the file and import again."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from gaizao.documents import xlsx
from gaizao.ledger.importing.validate import RowError

HEADERS = ("工作表", "行号", "户号", "列", "原因")
WIDTHS = (12, 8, 14, 18, 80)
UNREAD_HEADERS = ("工作表", "列号", "表头", "有数据的行数", "说明")
UNREAD_WIDTHS = (12, 8, 24, 12, 80)


def write_error_report(out: str | Path | BinaryIO, *, errors: list[RowError], warnings: list[RowError] = (),
                       filename: str = "") -> None:
    """One row per problem: sheet, row number as Excel shows it, 户号, column as in the file, reason.

    Warnings follow on their own sheets: columns with data that were not imported (未导入的列: sheet,
    column letter, header, rows holding data) and the other notes (提示), row by row.
    """
    workbook = xlsx.new_workbook(write_only=True)
    _rows_sheet(workbook, _("错误清单"), HEADERS, WIDTHS,
                ([e.sheet, e.row, e.household, e.column, e.reason] for e in errors), frozen=True)
    unread = [warning for warning in warnings if warning.letter]
    notes = [warning for warning in warnings if not warning.letter]
    if unread:
        _rows_sheet(workbook, _("未导入的列"), UNREAD_HEADERS, UNREAD_WIDTHS,
                    ([w.sheet, w.letter, w.column, w.rows, w.reason] for w in unread))
    if notes:
        _rows_sheet(workbook, _("提示"), HEADERS, WIDTHS,
                    ([w.sheet, w.row, w.household, w.column, w.reason] for w in notes))
    about = workbook.create_sheet(_("说明"))
    about.column_dimensions["A"].width = 100
    about.append([_("导入文件：%(f)s") % {"f": filename} if filename else _("导入错误清单")])
    about.append([_("“错误清单”中的每一行是一处错误：按行号找到原文件中的那一行，改正所列的列后重新导入。")])
    about.append([_("有错误的住户整户没有导入；其他住户是否已导入，以导入结果为准（选择“只导入无误的住户”时已导入）。")])
    if unread:
        about.append([_("“未导入的列”列出文件中有数据、但系统不认识的列：这些数据没有导入。需要导入的，"
                        "请把表头改成“填写说明”中的列名后重新导入。")])
    if notes:
        about.append([_("“提示”不影响导入，请核对。")])
    xlsx.save(workbook, out)


def _rows_sheet(workbook, title: str, headers, widths, rows, *, frozen: bool = False) -> None:
    """A sheet of the report: its header row, then one row per problem."""
    sheet = workbook.create_sheet(title)
    xlsx.set_widths(sheet, widths)
    if frozen:
        sheet.freeze_panes = "A2"
    sheet.append(xlsx.header_cells(sheet, [_(text) for text in headers]))
    for row in rows:
        sheet.append(row)
