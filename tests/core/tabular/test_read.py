"""The tabular reader's API (gaizao.core.tabular.read): what every import gets from it.

The sheets here are a valuation list (评估清单), not a ledger: the reader knows no app's columns.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from gaizao.core import tabular
from gaizao.core.errors import AppError

COLUMNS = (
    tabular.Column("户号", synonyms=("户编号", "住户编号"), required=True, key="number"),
    tabular.Column("评估金额", synonyms=("评估价", "评估总价（元）"), key="amount"),
    tabular.Column("评估日期", synonyms=("评估时间",), key="valued_on"),
    tabular.Column("评估机构", synonyms=("机构",), key="firm"),
)


def workbook(path, rows, *, title="评估清单", merges=(), extra_sheets=()):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for name, sheet_rows in extra_sheets:
        other = book.create_sheet(name)
        for row in sheet_rows:
            other.append(row)
    book.save(path)
    return path


def refusal(path, **kwargs) -> str:
    with pytest.raises(AppError) as caught:
        tabular.read(path, columns=COLUMNS, **kwargs)
    return caught.value.message


def test_the_header_is_found_below_title_rows_by_any_synonym(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["东湖村房屋评估清单"],
        ["填报单位：东湖街道", None, "2026年11月"],
        ["*住户编号", "评估总价(元)", "评估时间", "备注"],
        ["DH-001", 350000.5, dt.datetime(2026, 11, 5), "无"],
    ])
    table = tabular.read(path, columns=COLUMNS, min_matched=3)
    assert table.name == "评估清单" and table.header.sheet_row == 3
    assert table.labels == {"number": "*住户编号", "amount": "评估总价(元)", "valued_on": "评估时间", "firm": "评估机构"}
    (row,) = table.rows()
    assert row.number == 4 and row["number"] == "DH-001" and row["amount"] == 350000.5
    assert tabular.to_date(row["valued_on"]) == dt.date(2026, 11, 5)
    assert row.cells[3] == "无" and row.get("firm") is None


def test_merged_cells_give_their_value_to_every_row_they_cover(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["户号", "评估金额", "评估机构"],
        ["DH-001", 100, "衡信评估"],
        [None, 200, None],
        ["DH-002", 300, None],
    ], merges=("A2:A3", "C2:C4"))
    rows = list(tabular.read(path, columns=COLUMNS).rows())
    assert [(row.number, row["number"], row["firm"]) for row in rows] == [
        (2, "DH-001", "衡信评估"), (3, "DH-001", "衡信评估"), (4, "DH-002", "衡信评估")]
    assert tabular.read(path, columns=COLUMNS).column("number") == ["DH-001", "DH-001", "DH-002"]


def test_totals_signature_notes_and_blank_rows_are_not_data(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["户号", "评估金额", "评估日期"],
        ["DH-001", 100, "2026.11.05"],
        [None, None, None],
        ["   ", None, " "],
        ["合 计", 100, None],
        [None, "小计：", None],
        ["填表人：王五", None, "审核人：赵六"],
        ["注：金额单位为元"],
    ])
    assert [row.number for row in tabular.read(path, columns=COLUMNS).rows()] == [2]


def test_too_few_matched_columns_are_refused_naming_the_sheets_and_the_closest_row(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["东湖村房屋评估清单"], ["户号", "评估金额", "金额大写"], ["DH-001", 100, "壹佰元"]],
                    extra_sheets=[("说明", [["本表由评估机构填写"]])])
    message = refusal(path, min_matched=3)
    assert "在工作表 「评估清单」、「说明」 的前 30 行中找不到表头" in message
    assert "包含“户号”" in message and "至少 3 个以下列：户号、评估金额、评估日期、评估机构" in message
    assert "最接近的是「评估清单」第 2 行，只认出：户号、评估金额" in message
    assert tabular.read(path, columns=COLUMNS, min_matched=2).header.sheet_row == 2


def test_a_header_without_a_required_column_is_refused(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["编号", "评估金额", "评估日期", "评估机构"], ["DH-001", 100, None, "衡信"]])
    assert "找不到表头" in refusal(path)


def test_one_of_asks_for_at_least_one_of_these_columns(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估机构"], ["DH-001", "衡信"]])
    message = refusal(path, min_matched=2, one_of=("amount", "valued_on"))
    assert "至少一个以下列：评估金额、评估日期" in message
    assert tabular.read(path, columns=COLUMNS, min_matched=2).header.columns == {"number": 0, "firm": 1}


def test_skipped_sheets_are_not_searched(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估金额", "评估日期"]], title="填写说明",
                    extra_sheets=[("清单", [["户号", "评估金额", "评估日期"], ["DH-9", 1, None]])])
    assert tabular.read(path, columns=COLUMNS, skip_sheets=("填写说明",)).name == "清单"


def test_rows_over_the_setting_or_the_imports_own_limit_are_refused_before_reading(tmp_path, settings):
    rows = [["户号", "评估金额"]] + [[f"DH-{i}", i] for i in range(120)]
    path = workbook(tmp_path / "v.xlsx", rows)
    settings.GAIZAO_IMPORT_MAX_ROWS = 60
    assert "工作表「评估清单」有 121 行，超过单次导入上限 60 行" in refusal(path, min_matched=2)
    settings.GAIZAO_IMPORT_MAX_ROWS = 10_000
    assert "超过单次导入上限 20 行" in refusal(path, min_matched=2, max_rows=20)
    assert len(list(tabular.read(path, columns=COLUMNS, min_matched=2).rows())) == 120


def test_an_imports_own_file_size_limit(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估金额"], ["DH-1", 1]])
    assert "超过单次导入上限 1 KB" in refusal(path, min_matched=2, max_bytes=1024)


def test_a_word_document_under_an_excel_name_is_refused(tmp_path):
    path = tmp_path / "清单.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "是 Word 文档（.docx），不是 Excel 表格" in refusal(path)


def test_csv_in_gb18030_reads_through_the_same_api(tmp_path):
    path = tmp_path / "清单.csv"
    path.write_bytes("评估清单\n户编号,评估价,评估时间\nＤＨ－００１,\"1,200.50\",2026年11月5日\n合计,1200.5,\n".encode("gb18030"))
    table = tabular.read(path, columns=COLUMNS)
    assert table.name == "清单"
    (row,) = table.rows()
    assert row.number == 3 and tabular.to_code(row["number"]) == "DH-001"
    assert tabular.parse_number(row["amount"], what="评估金额") == Decimal("1200.50")
    assert tabular.to_date(row["valued_on"]) == dt.date(2026, 11, 5)


def test_a_formula_without_a_result_is_a_problem_of_its_cell(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估金额"], ["DH-1", "=B3*2"], ["DH-2", 5]])
    table = tabular.read(path, columns=COLUMNS, min_matched=2)
    assert list(table.problems("amount")) == [0] and "公式但没有计算结果" in table.problems("amount")[0]
    assert table.problems("number") == {}


class Firm(models.TextChoices):
    LOCAL = "local", "本地机构"
    OUTSIDE = "outside", "外地机构"


def test_column_rules_convert_a_whole_column_and_name_each_bad_cell():
    slow, fast = tabular.choice_rule(Firm, {"本地": Firm.LOCAL})
    values, errors = tabular.column_converter(slow=slow, fast=fast)(["本地机构", " 本 地 ", "outside", "", "省外", None])
    assert values[:4] == ["local", "local", "outside", None] and values[5] is None
    assert errors == {4: "“省外”不是可选值，只能填写：本地机构、外地机构。"}
    slow, fast = tabular.text_rule(tabular.to_code, label="户号", max_length=5)
    values, errors = tabular.column_converter(slow=slow, fast=fast)(["DH 01", 12.0, "DH-0001", "a\u202eb"])
    assert values[:2] == ["DH01", "12"] and set(errors) == {2, 3}
    assert "不能超过 5 个字" in errors[2]


# Cells the text rules treat differently: clean, blank, spaces, quotes, full-width, control and
# bidi characters, numbers, None, too long.
_CELLS = st.one_of(
    st.sampled_from(["DH-001", "张三", "", "  ", "a'b", "'=1", "ＤＨ０１", "a b", "x\u202ey", "a\x00b", "东湖村3组",
                     "12345678", "é"]),
    st.text(alphabet=st.sampled_from("aA1-_'张 ａ\t\u200b"), max_size=9),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.none(),
)


@given(st.lists(_CELLS, max_size=12))
def test_a_whole_text_column_converts_as_cell_by_cell(values):
    """The whole-column fast path of text rules (one pass over the joined column) must give what
    the per-cell rules give, errors included, for any mix of cells."""
    slow, fast = tabular.text_rule(tabular.to_code, label="户号", max_length=8)
    whole = tabular.column_converter(slow=slow, fast=fast)(values)
    cell_by_cell = tabular.column_converter(slow=slow, fast=lambda v: fast(v))(values)
    assert whole == cell_by_cell


def test_a_clean_text_column_takes_the_whole_column_path():
    slow, fast = tabular.text_rule(tabular.to_name, label="姓名", max_length=10)
    assert fast.column(["张三", "", "李四"]) == ["张三", None, "李四"]
    for bad in (["张三", "李 四"], ["'=1"], ["张三", "a\u202eb"], ["ＡＢ"], ["张三" * 6], ["张三", 1.0]):
        assert fast.column(bad) is None, bad


def test_cell_rules_for_years_and_numbers_take_the_imports_words():
    assert tabular.to_year("1998年", low=1900, what="评估年份") == 1998
    with pytest.raises(tabular.CellError, match="评估年份 1850 不合理（应在 1900–"):
        tabular.to_year(1850.0, low=1900, what="评估年份")
    assert tabular.parse_number("3人", what="人数") == 3
    assert tabular.to_integer("３层", low=1, high=10, what="层数") == 3
