"""Headers as streets draw them: two header rows with merged group cells, a units row, a numbering
row; and the columns that no import reads, reported rather than dropped (tabular.Table.unread)."""

from __future__ import annotations

import pytest

from gaizao.core import tabular
from gaizao.core.tabular.headers import find_header, grouped_header
from gaizao.core.tabular.reader import Merged
from tests.core.tabular.test_read import workbook

COLUMNS = (
    tabular.Column("户号", synonyms=("户编号",), required=True, key="number"),
    tabular.Column("评估机构", synonyms=("机构",), key="firm"),
    tabular.Column("合法面积", synonyms=("合法建筑面积",), key="legal"),
    tabular.Column("无证面积", synonyms=("无证建筑面积",), key="unlicensed"),
    tabular.Column("房屋结构", synonyms=("结构",), key="structure"),
)
SYNONYMS = tabular.synonym_table(COLUMNS)


def merged(*across: tuple[int, int, int, int]) -> Merged:
    found = Merged()
    found.across = across
    return found


def test_a_grouped_header_is_one_header_matched_on_parent_and_child(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["东湖村房屋面积清单"],
        ["户号", "评估机构", "建筑面积（㎡）", None, None, "备注"],
        [None, None, "合法", "无证", "违建", None],
        ["DH-1", "衡信", 100, 20, 5, "加建"],
        ["DH-2", "衡信", 80, None, None, None],
    ], merges=("A1:F1", "A2:A3", "B2:B3", "C2:E2", "F2:F3"))
    table = tabular.read(path, columns=COLUMNS, min_matched=3)
    assert (table.header.sheet_row, table.header.rows, table.start) == (2, 2, 3)
    assert table.header.columns == {"number": 0, "firm": 1, "legal": 2, "unlicensed": 3}
    assert table.labels["legal"] == "建筑面积（㎡）·合法" and table.labels["unlicensed"] == "建筑面积（㎡）·无证"
    assert [(row.number, row["number"], row["legal"]) for row in table.rows()] == [(4, "DH-1", 100), (5, "DH-2", 80)]
    assert table.unread() == [tabular.UnreadColumn(4, "E", "建筑面积（㎡）·违建", 1),
                              tabular.UnreadColumn(5, "F", "备注", 1)]


def test_a_grouped_header_without_merged_cells_as_a_csv_writes_it(tmp_path):
    path = tmp_path / "清单.csv"
    path.write_text("户号,评估机构,建筑面积,,结构\n,,合法,无证,\nDH-1,衡信,100,20,砖混\n", encoding="utf-8")
    table = tabular.read(path, columns=COLUMNS, min_matched=3)
    assert table.header.columns == {"number": 0, "firm": 1, "legal": 2, "unlicensed": 3, "structure": 4}
    assert [row.number for row in table.rows()] == [3]


@pytest.mark.parametrize("parent, children, keys", [
    ("建筑面积（㎡）", ["合法", "无证"], ["legal", "unlicensed"]),  # child + parent: 合法建筑面积
    ("房屋面积", ["合法面积", "无证面积"], ["legal", "unlicensed"]),  # the child alone
    ("面积(m2)", ["合法", "无证"], ["legal", "unlicensed"]),  # the unit dropped: 合法面积
    ("房屋", ["结构", "评估机构"], ["structure", "firm"]),  # parent + child: 房屋结构; the child alone
])
def test_grouped_columns_are_looked_up_as_parent_and_child_together(parent, children, keys):
    grid = [["户号", parent, ""], ["", *children], ["DH-1", 1, 2]]
    match = find_header(grid, synonyms=SYNONYMS, merged=merged((0, 1, 0, 2)), min_matched=3)
    assert [match.columns[key] for key in keys] == [1, 2] and match.data_start == 2


@pytest.mark.parametrize("grid, across", [
    ([["东湖村清单", "", ""], ["户号", "评估机构", "合法面积"]], [(0, 0, 0, 2)]),  # a title over the table
    ([["填报单位：东湖街道", "", "填报日期"], ["户号", "评估机构", "合法面积"]], [(0, 0, 0, 1)]),  # nothing named alone
    ([["户号", "评估机构", "合法面积"], ["DH-1", "衡信", ""]], []),  # a data row under the header
    ([["户号", "面积", ""], ["DH-1", "合法", "无证"]], [(0, 1, 0, 2)]),  # … even under a merged cell
    ([["户号", "面积", ""], ["", "100", "20"]], [(0, 1, 0, 2)]),  # numbers are not labels
])
def test_rows_that_are_not_a_sub_header(grid, across):
    assert grouped_header(grid, 0, merged(*across)) is None


def test_a_units_row_and_a_numbering_row_under_the_header_are_not_data(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["户号", "评估机构", "合法面积", "无证面积"],
        [None, None, "（㎡）", "(m2)"],
        ["(1)", "(2)", "(3)", "(4)"],
        ["DH-1", "衡信", 100, 20],
    ])
    table = tabular.read(path, columns=COLUMNS, min_matched=3)
    assert table.start == 3 and [row.number for row in table.rows()] == [4]
    numbered = workbook(tmp_path / "n.xlsx", [["户号", "评估机构", "合法面积"], [1, 2, 3], ["DH-1", "衡信", 5]])
    assert [row.number for row in tabular.read(numbered, columns=COLUMNS, min_matched=3).rows()] == [3]


def test_a_first_household_that_looks_like_numbers_is_still_data(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估机构", "合法面积"], [1, "衡信", 3], [2, "衡信", 3]])
    assert [row["number"] for row in tabular.read(path, columns=COLUMNS, min_matched=3).rows()] == [1, 2]


def test_unread_columns_count_their_data_rows_only(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [
        ["序号", "户号", "评估机构", "备注", "户编号", None, "空列"],
        [1, "DH-1", "衡信", "加建", "X-1", "无表头", None],
        [2, "DH-2", "衡信", None, "X-2", None, None],
        [3, "DH-3", "衡信", "  ", None, "又一个", None],
        ["合计", None, None, "3 户", None, None, None],
        ["填表人：王五", None, None, None, None, "审核人：赵六", None],
    ])
    table = tabular.read(path, columns=COLUMNS, min_matched=2)
    unread = table.unread()
    assert unread == [tabular.UnreadColumn(3, "D", "备注", 1), tabular.UnreadColumn(4, "E", "户编号", 2, "number"),
                      tabular.UnreadColumn(5, "F", "", 2)]
    assert [column.reason(table) for column in unread] == [
        "第 D 列「备注」有 1 行数据，系统不认识这个列名，这一列没有导入。",
        "第 E 列「户编号」与第 B 列「户号」是同一列，只读取了第 B 列；第 E 列有 2 行数据没有导入。",
        "第 F 列没有表头，但有 2 行数据，没有导入。",
    ]


def test_a_sheet_whose_columns_are_all_read_has_nothing_unread(tmp_path):
    path = workbook(tmp_path / "v.xlsx", [["户号", "评估机构", "合法面积"], ["DH-1", "衡信", 5]])
    assert tabular.read(path, columns=COLUMNS, min_matched=3).unread() == []


def test_column_letters():
    assert [tabular.column_letter(i) for i in (0, 7, 25, 26, 27, 51, 52)] == ["A", "H", "Z", "AA", "AB", "AZ", "BA"]


def test_the_header_repeated_under_the_data_is_not_data(tmp_path):
    header = [["户号", "评估机构", "建筑面积", None, "备注"], [None, None, "合法", "无证", None], [1, 2, 3, 4, 5]]
    path = workbook(tmp_path / "v.xlsx", [
        *header,
        ["DH-1", "衡信", 100, 20, None],
        *header,  # the second village's sheet pasted under the first, its header and all
        ["DH-2", "衡信", 80, None, None],
        ["户号", "另一家", None, None, None],  # a household numbered 户号 is data: the row is not the header
    ], merges=("C1:D1", "C5:D5"))
    table = tabular.read(path, columns=COLUMNS, min_matched=3)
    assert table.header_repeats() == {1, 2, 3}
    assert [(row.number, row["number"]) for row in table.rows()] == [(4, "DH-1"), (8, "DH-2"), (9, "户号")]
    assert table.unread() == []  # 备注 in the repeated header is not data either
