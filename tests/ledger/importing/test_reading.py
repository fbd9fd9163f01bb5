"""Reading sheets the way streets keep them: titles above the header, synonyms, merged household
cells, totals and signature lines, and the ways people write numbers, IDs and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.ledger.importing import normalise as n
from gaizao.ledger.importing.headers import HOUSEHOLD_SYNONYMS, find_header, normalise_header
from gaizao.ledger.importing.validate import parse_file
from tests.ledger.importing.conftest import HOUSEHOLD_HEADER, Ledger, cid, household_row, three_households

pytestmark = pytest.mark.django_db


def test_it_reads_the_template_layout(ledger_file):
    parsed = parse_file(ledger_file(three_households()))
    assert parsed.errors == []
    assert list(parsed.households) == ["DH-101", "DH-102", "DH-103"]
    first = parsed.households["DH-101"]
    assert first.row == 2 and first.values["head_id_number"] == cid(101)
    assert [b.number for b in first.buildings] == ["1", "2"]
    assert first.buildings[1].values["legal_area"] == Decimal("45.00")
    assert first.buildings[1].values["structure"] == "simple"
    assert [p.name for p in first.persons] == ["赵一", "周芳", "赵小一"]
    assert (parsed.buildings_read, parsed.persons_read) == (4, 3)
    assert parsed.households["DH-103"].values["land_type"] == "state"


def test_it_finds_the_header_below_title_rows_and_merged_title_cells(ledger_file):
    ledger = three_households()
    ledger.above = [["东湖村城中村改造住户台账"], ["填报单位：东湖街道", None, None, "填报日期：2026年11月5日"], []]
    path = ledger_file(ledger, merges=["A1:P1", "A2:C2"])
    parsed = parse_file(path)
    assert parsed.errors == []
    assert parsed.households["DH-101"].row == 5  # sheet row numbers as Excel shows them
    assert parsed.households["DH-102"].row == 7


def test_it_maps_header_synonyms(ledger_file):
    ledger = three_households()
    ledger.household_header = ["编号", "户主", "身份证号码", "手机号码", "房屋坐落", "土地类型", "房屋用途", "人数",
                               "幢号", "房屋结构", "楼层", "建成年代", "不动产权证号", "合法建筑面积（㎡）",
                               "无证建筑面积", "合法性认定"]
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == []
    assert parsed.households["DH-102"].values["phone"] == "13900000102"
    assert parsed.labels["legal_area"] == "合法建筑面积（㎡）"
    assert parsed.households["DH-101"].buildings[0].values["legal_area"] == Decimal("120.50")


@pytest.mark.parametrize("text, key", [
    ("户主", "head_name"), ("户主姓名", "head_name"), ("姓名", "head_name"),
    ("身份证", "head_id_number"), ("身份证号", "head_id_number"), ("身份证号码", "head_id_number"),
    ("合法面积", "legal_area"), ("合法建筑面积（㎡）", "legal_area"), ("合法面积(m2)", "legal_area"),
    ("*户号", "number"), ("合法面积\n（平方米）", "legal_area"), ("无证面积（㎡）", "unlicensed_area"),
])
def test_header_synonyms_table(text, key):
    assert HOUSEHOLD_SYNONYMS[normalise_header(text)].key == key


def test_the_column_order_does_not_matter(ledger_file):
    ledger = three_households()
    order = list(reversed(range(len(HOUSEHOLD_HEADER))))
    ledger.household_header = [HOUSEHOLD_HEADER[i] for i in order]
    ledger.households = [[row[i] for i in order] for row in ledger.households]
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == [] and len(parsed.households["DH-101"].buildings) == 2


def test_vertically_merged_household_cells_cover_several_building_rows(ledger_file):
    rows = [household_row("DH-201", "冯八", 801, building=str(i), legal=50 + i) for i in range(1, 4)]
    for row in rows[1:]:
        for column in range(8):  # the household columns are blank under a merge
            row[column] = None
    ledger = Ledger(households=[*rows, household_row("DH-202", "陈九", 802)])
    path = ledger_file(ledger, merges=[f"{c}2:{c}4" for c in "ABCDEFGH"])
    parsed = parse_file(path)
    assert parsed.errors == []
    household = parsed.households["DH-201"]
    assert [b.number for b in household.buildings] == ["1", "2", "3"]
    assert household.rows == [2, 3, 4]
    assert household.values["head_name"] == "冯八"
    assert len(parsed.households) == 2


def test_a_blank_household_number_under_a_household_is_another_building(ledger_file):
    second = household_row("", None, 0, building="2", legal=30)
    for column in range(1, 8):
        second[column] = None
    ledger = Ledger(households=[household_row("DH-301", "褚十", 901), second])
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == []
    assert [b.number for b in parsed.households["DH-301"].buildings] == ["1", "2"]


def test_repeated_household_columns_with_the_same_values_are_one_household(ledger_file):
    ledger = Ledger(households=[household_row("DH-401", "卫一", 401, building="A"),
                                household_row("DH-401", "卫一", 401, building="B")])
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == [] and len(parsed.households) == 1


def test_blank_rows_totals_and_signature_lines_are_skipped(ledger_file):
    ledger = three_households()
    ledger.households.insert(2, [None] * 16)
    ledger.below = [
        [],
        ["合计", None, None, None, None, None, None, None, None, None, None, None, None, 285.75, 12.25, None],
        [None, "小  计", None, None, None, None, None, None, None, None, None, None, None, 100, None, None],
        ["填表人：王东湖", None, None, "审核人：李主任", None, None, "负责人：赵书记"],
        [None, None, "填报日期：2026.11.05"],
        ["注：面积单位为平方米。"],
    ]
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == []
    assert list(parsed.households) == ["DH-101", "DH-102", "DH-103"]


def test_people_write_numbers_ids_and_areas_in_many_ways(ledger_file):
    messy = household_row(
        "ＤＨ－５０１", "蒋 十一", 501, building="１",
        户主身份证号=" 110105 19491231 002x ", 联系电话="１３８ １２３４ ５６７８", 家庭人数="４人", 土地性质="集体",
        结构="砖混结构", 层数="3层", 建成年份="2001年", 权证号="集用（1995）第 12 号",
        **{"合法面积（㎡）": "120.5㎡", "无证面积（㎡）": "1,030.255平方米"},
    )
    parsed = parse_file(ledger_file(Ledger(households=[messy])))
    assert parsed.errors == []
    household = parsed.households["DH-501"]
    assert household.values["head_name"] == "蒋十一"
    assert household.values["head_id_number"] == "11010519491231002X"
    assert household.values["phone"] == "13812345678"
    assert household.values["member_count"] == 4
    assert household.values["land_type"] == "collective"
    building = household.buildings[0]
    assert building.number == "1"
    assert building.values == {"structure": "brick_concrete", "floors": 3, "build_year": 2001,
                               "certificate_no": "集用（1995）第12号", "legal_area": Decimal("120.50"),
                               "unlicensed_area": Decimal("1030.26"), "legality": "legal"}


def test_lowercase_x_in_an_id_is_accepted():
    assert n.to_citizen_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("value, expected", [
    (dt.date(2026, 11, 5), dt.date(2026, 11, 5)),
    (dt.datetime(2026, 11, 5, 8, 30), dt.date(2026, 11, 5)),
    (46331.0, dt.date(2026, 11, 5)),  # an Excel serial date
    ("46331", dt.date(2026, 11, 5)),
    ("2026.11.05", dt.date(2026, 11, 5)),
    ("2026-11-5", dt.date(2026, 11, 5)),
    ("2026/11/05", dt.date(2026, 11, 5)),
    ("2026年11月5日", dt.date(2026, 11, 5)),
    ("２０２６年１１月５日", dt.date(2026, 11, 5)),
    ("20261105", dt.date(2026, 11, 5)),
])
def test_dates_in_every_common_spelling(value, expected):
    assert n.to_date(value) == expected


@pytest.mark.parametrize("value", ["2026.13.05", "2026年2月30日", "明年", "-3"])
def test_impossible_dates_are_errors(value):
    with pytest.raises(n.CellError):
        n.to_date(value)


@pytest.mark.parametrize("value, year", [
    (2001.0, 2001), ("2001", 2001), ("２００１年", 2001), ("2001.05", 2001), ("2001年5月", 2001),
    ("2001.05.01", 2001), ("2001年5月1日", 2001), (dt.date(2001, 5, 1), 2001), (36982.0, 2001), ("36982", 2001),
])
def test_build_year_from_years_and_dates(value, year):
    assert n.to_year(value) == year


@pytest.mark.parametrize("value", ["1700", 2001.5, "3001", "去年"])
def test_implausible_build_years_are_errors(value):
    with pytest.raises(n.CellError):
        n.to_year(value)


@pytest.mark.parametrize("value, area", [
    (120.5, Decimal("120.50")), ("120.5", Decimal("120.50")), ("１２０．５", Decimal("120.50")),
    ("120.5㎡", Decimal("120.50")), ("120.5 平方米", Decimal("120.50")), ("120.5m2", Decimal("120.50")),
    ("120.5 M²", Decimal("120.50")), ("1,200", Decimal("1200.00")), ("0.005", Decimal("0.01")), (0.0, Decimal("0.00")),
])
def test_areas_with_units_and_numbers_as_text(value, area):
    assert n.to_area(value) == area


@pytest.mark.parametrize("value, message", [
    ("-5", "负数"), (10000.5, "不合理"), ("一百", "不是有效"),
])
def test_bad_areas_say_why(value, message):
    with pytest.raises(n.CellError, match=message):
        n.to_area(value)


def test_an_id_stored_as_a_number_lost_its_digits():
    with pytest.raises(n.CellError, match="存成了数字"):
        n.to_citizen_id(1.1010519491231e17)


def test_masked_numbers_are_recognised():
    assert isinstance(n.to_citizen_id("110105********002X"), n.Masked)
    assert isinstance(n.to_phone("138****5678"), n.Masked)


def test_the_fast_id_check_agrees_with_the_validator():
    from django.core.exceptions import ValidationError

    from gaizao.core.validators import normalize_citizen_id

    samples = [cid(i, birth=f"19{50 + i % 50:02d}{1 + i % 12:02d}{1 + i % 28:02d}") for i in range(300)]
    samples += [s[:17] + ("0" if s[17] != "0" else "1") for s in samples[:100]]  # wrong check digits
    samples += ["11010519491231002X", "530102192005080119", "990105194912310021", "110105194902300028",
                "11010520991231002X", "110105194912310021"]
    for text in samples:
        try:
            expected = normalize_citizen_id(text) == text
        except ValidationError:
            expected = False
        assert n._fast_citizen_id(text) == expected, text


def test_find_header_needs_the_required_columns():
    grid = [["标题"], ["户主姓名", "身份证号", "电话", "地址"]]
    assert find_header(grid, synonyms=HOUSEHOLD_SYNONYMS) is None
    grid[1].insert(0, "户号")
    match = find_header(grid, synonyms=HOUSEHOLD_SYNONYMS)
    assert match.sheet_row == 2 and match.columns["number"] == 0
