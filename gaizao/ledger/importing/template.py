"""The ledger template (台账导入模板): the workbook streets download, fill and upload.

Sheet 「住户房屋」 has one building per row (the household columns repeat, or are merged
vertically, for a household with several buildings); 「家庭成员」 lists the members; 「填写说明」
explains every column. Fixed values have drop-down lists with the Chinese labels of
gaizao/ledger/choices.py. The export writes the same layout with data (export.py), so a file
exported can be edited and imported again.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from gaizao.documents import xlsx
from gaizao.ledger import known
from gaizao.ledger.importing import headers as h

# Rows that carry drop-down lists and number checks (Excel stores ranges, not cells: no cost).
VALIDATED_ROWS = 200_000
_TEXT_KINDS = {h.CODE, h.CITIZEN_ID, h.PHONE}
_NUMBER_RULES = {
    "member_count": (1, h.MAX_MEMBERS, True),
    "floors": (1, h.MAX_FLOORS, True),
    "build_year": (h.MIN_BUILD_YEAR, 2100, True),
    "legal_area": (0, h.MAX_AREA, False),
    "unlicensed_area": (0, h.MAX_AREA, False),
}


def _labels(column: h.Column) -> list[str]:
    """The drop-down's labels: structures and uses with the values the office added (ledger.known)."""
    from gaizao.ledger.importing.normalise import EXTENDABLE

    if column.key in EXTENDABLE:
        return [label for _value, label in known.choices(EXTENDABLE[column.key], offered=True)]
    return [str(label) for _value, label in column.choices.choices]


def _data_sheet(workbook, *, title: str, columns: tuple[h.Column, ...], rows: Iterable[list], style=None) -> None:
    sheet = workbook.create_sheet(title)
    xlsx.set_widths(sheet, [column.width for column in columns])
    xlsx.text_columns(sheet, [i for i, column in enumerate(columns) if column.kind in _TEXT_KINDS])
    sheet.freeze_panes = "B2"
    last = VALIDATED_ROWS + 1
    for index, column in enumerate(columns):
        if column.choices is not None:
            xlsx.choice_list(sheet, column=index, options=_labels(column), first_row=2, last_row=last,
                             title=column.header, prompt=_("请从下拉列表选择"))
        elif column.key in _NUMBER_RULES:
            low, high, whole = _NUMBER_RULES[column.key]
            xlsx.number_range(sheet, column=index, first_row=2, last_row=last, minimum=low, maximum=high,
                              whole=whole, title=column.header)
    required = [i for i, column in enumerate(columns) if column.required]
    sheet.append(xlsx.header_cells(sheet, [str(column.header) for column in columns], required=required))
    for row in rows:
        sheet.append(style(sheet, row) if style else row)


def notes_rows() -> list[list[str]]:
    """The rows of the notes sheet: one per column, then the general rules."""
    rows = []
    for sheet, columns in ((h.HOUSEHOLD_SHEET, h.HOUSEHOLD_COLUMNS), (h.PERSON_SHEET, h.PERSON_COLUMNS)):
        for column in columns:
            allowed = "、".join(_labels(column)) if column.choices is not None else ""
            synonyms = "、".join(s for s in column.synonyms if s != column.header)
            rows.append([sheet, column.header, _("必填") if column.required else _("选填"), str(column.note),
                         allowed, synonyms])
    general = [
        _("一栋房屋一行。一户有几栋房屋就写几行：户号相同，住户各列可以重复填写，也可以纵向合并单元格或留空（沿用上一行）。"),
        _("表头可以不在第一行（上面可有标题行、合并单元格）；列的顺序不限；常见的列名写法也能识别（见最后一列）。"),
        _("两行表头也可以：上一行合并单元格写大类（如“建筑面积（㎡）”），下一行写小类（如“合法”“无证”）。"
          "表头下面的单位行（㎡）、列序号行（1、2、3…）不算数据。"),
        _("系统不认识的列（如“备注”）不导入；其中有数据的，预览和错误清单会逐列提示（列号、列名、有数据的行数）。"),
        _("空行、合计/小计行、填表人/审核人等签字行会被跳过。"),
        _("已有住户：空白单元格表示不修改；新住户：空白取默认值。导入只新增和修改，不删除住户、房屋和家庭成员。"),
        _("全角数字、多余空格、小写 x、文本格式的数字、带单位的面积（㎡、平方米、m2）、各种写法的日期都可以。"),
        _("一人一证：同一身份证号只能是一户的户主、一户的家庭成员，户主不能又是别户的成员（户主本人可以列在本户成员中，"
          "关系填“户主”）；文件内、全区系统内都检查。有错误的住户整户不导入，错误清单列出行号、列名和原因。"),
        _("模板第 2 行是示例（户号为“示例”，灰色斜体），导入时跳过、不会当作住户；可以留着，也可以删掉。"),
        _("导出的文件中身份证号、手机号是脱敏的（如 110105********002X、138****5678），原样导入表示保留系统中的号码。"),
    ]
    for text in general:
        rows.append([_("通用规则"), "", "", text, "", ""])
    return rows


def write_ledger(out: str | Path | BinaryIO, *, household_rows: Iterable[list] = (),
                 person_rows: Iterable[list] = (), extra_household: tuple[h.Column, ...] = (),
                 extra_person: tuple[h.Column, ...] = (), styled_rows=None) -> None:
    """Write the template layout, empty or with rows (export); ``out`` is a path or a binary file.

    ``extra_*``: columns after the template's (the list's export: 城中村, 项目编码), which an import
    reports as columns it does not read."""
    workbook = xlsx.new_workbook(write_only=True)
    _data_sheet(workbook, title=h.HOUSEHOLD_SHEET, columns=(*h.HOUSEHOLD_COLUMNS, *extra_household),
                rows=household_rows, style=styled_rows)
    _data_sheet(workbook, title=h.PERSON_SHEET, columns=(*h.PERSON_COLUMNS, *extra_person), rows=person_rows,
                style=styled_rows)
    xlsx.add_notes_sheet(
        workbook, title=h.NOTES_SHEET, heading=_("城中村改造住户台账 填写说明"),
        headers=[_("工作表"), _("列名"), _("必填"), _("填写规则"), _("可选值"), _("也可写作")],
        rows=notes_rows(), widths=[12, 16, 8, 70, 30, 40],
    )
    xlsx.save(workbook, out)


# The example rows (示例行) of the template: 户号 「示例」 marks them; the import skips such a row and says
# so (validate.py), so a street may leave them in place. Grey and italic, so nobody takes them for data.
EXAMPLE_FONT = Font(name=xlsx.FONT_NAME, italic=True, color="808080")


def _example(sheet, values: list) -> list:
    return [xlsx.cell(sheet, value, font=EXAMPLE_FONT) for value in values]


def example_household_row() -> list:
    """One household with one building, each column filled as the notes ask (户号 「示例」)."""
    by_key = {"number": h.EXAMPLE, "head_name": _("张三"), "head_id_number": "11010519491231002X",
              "phone": "13800000000", "address": _("东湖路 1 号"), "land_type": _("集体土地"), "use": _("住宅"),
              "member_count": 3, "building_number": "1", "structure": _("砖混"), "floors": 3, "build_year": 2001,
              "certificate_no": "", "legal_area": 120.5, "unlicensed_area": 30, "legality": _("合法"),
              "disposition": _("拆除"), "cadre": ""}
    return [by_key.get(column.key, "") for column in h.HOUSEHOLD_COLUMNS]


def example_person_row() -> list:
    by_key = {"number": h.EXAMPLE, "name": _("张三"), "id_number": "11010519491231002X", "relation": _("户主"),
              "hukou": _("本村农业户口")}
    return [by_key.get(column.key, "") for column in h.PERSON_COLUMNS]


def write_template(out: str | Path | BinaryIO) -> None:
    """The template (模板下载): ``gaizao ledger template OUT.xlsx`` and the download button; each data sheet
    has one example row (户号 「示例」, grey) that the import skips."""
    write_ledger(out, household_rows=[example_household_row()], person_rows=[example_person_row()],
                 styled_rows=_example)


def template_bytes() -> bytes:
    """The empty template as bytes, for an HttpResponse."""
    import io

    buffer = io.BytesIO()
    write_ledger(buffer)
    return buffer.getvalue()
