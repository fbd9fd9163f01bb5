"""Every row is checked, and every problem names its sheet row, 户号, column and reason."""

from __future__ import annotations

import pytest

from gaizao.core.actors import SYSTEM
from gaizao.ledger.importing.engine import ledger_import_preview
from tests.ledger.importing.conftest import Ledger, cid, household_row, three_households


def _preview(cast, path, *, actor=SYSTEM, project="P001"):
    return ledger_import_preview(actor=actor, project_code=project, path=path)


def _problems(plan) -> list[tuple[int, str, str]]:
    return [(e.row, e.household, e.column) for e in plan.errors]


@pytest.mark.parametrize("column, value, reason", [
    ("户主身份证号", "440106198001011010", "校验位"),
    ("户主身份证号", "440106198002301010", "出生日期"),
    ("户主身份证号", "4401061980010110", "18 位"),
    ("联系电话", "1234567", "11 位"),
    ("联系电话", "23800001111", "13–19"),
    ("土地性质", "宅基地", "只能填写：集体土地、国有土地"),
    ("认定结果", "差不多", "合法、未超期临时、违法、待认定"),
    ("家庭人数", 0, "1–50"),
    ("层数", 3.5, "整数"),
    ("合法面积（㎡）", -1, "负数"),
    ("合法面积（㎡）", 10_001, "不合理"),
    ("无证面积（㎡）", "很多", "不是有效的面积"),
    ("建成年份", 2999, "不合理"),
])
def test_bad_cells_are_row_errors_naming_the_column(cast, ledger_file, column, value, reason):
    ledger = three_households()
    ledger.households[2] = household_row("DH-102", "钱二", 102, **{column: value})
    plan = _preview(cast, ledger_file(ledger))
    [error] = plan.errors
    assert (error.sheet, error.row, error.household, error.column) == ("住户房屋", 4, "DH-102", column)
    assert reason in error.reason
    assert plan.counts()["rejected_households"] == 1 and len(plan.new) == 2


def test_required_fields(cast, ledger_file):
    ledger = Ledger(households=[
        household_row("R-1", None, 1),
        household_row(None, "无户号", 2),
        household_row("R-3", "无房号", 3, 房屋编号=None),
    ])
    plan = _preview(cast, ledger_file(ledger))
    assert _problems(plan) == [(2, "R-1", "户主姓名"), (3, "", "户号")]  # a blank 房屋编号 is numbered, not refused
    assert [b.number for b in plan.parsed.households["R-3"].buildings] == ["1"]


def test_the_same_household_number_with_conflicting_data_flags_both_rows(cast, ledger_file):
    ledger = Ledger(households=[household_row("D-1", "甲", 1, building="1"), household_row("D-2", "乙", 2),
                                household_row("D-1", "丙", 1, building="2")])
    plan = _preview(cast, ledger_file(ledger))
    assert _problems(plan) == [(2, "D-1", "户主姓名"), (4, "D-1", "户主姓名")]
    assert "第 2 行和第 4 行" in plan.errors[0].reason
    assert [h.number for h in plan.new] == ["D-2"]


def test_a_building_number_twice_in_one_household(cast, ledger_file):
    ledger = Ledger(households=[household_row("D-1", "甲", 1), household_row("D-1", "甲", 1)])
    [error] = _preview(cast, ledger_file(ledger)).errors
    assert (error.row, error.column) == (3, "房屋编号") and "重复" in error.reason


def test_one_person_heading_two_households_flags_both_rows(cast, ledger_file):
    ledger = Ledger(households=[household_row("P-1", "同一人", 7), household_row("P-2", "别人", 8),
                                household_row("P-3", "同一人", 7)])
    plan = _preview(cast, ledger_file(ledger))
    assert _problems(plan) == [(2, "P-1", "户主身份证号"), (4, "P-3", "户主身份证号")]
    assert "一人只能是一户的户主" in plan.errors[0].reason and "第 4 行（户号 P-3）" in plan.errors[0].reason
    assert [h.number for h in plan.new] == ["P-2"]


def test_an_id_already_heading_a_household_in_the_database(cast, ledger_file):
    # 11010519491231002X heads DH-001 in P001; importing it as the head of a household of P002.
    ledger = Ledger(households=[household_row("XL-009", "李四", 9, 户主身份证号="11010519491231002X")])
    plan = _preview(cast, ledger_file(ledger), project="P002")
    [error] = plan.errors
    assert (error.row, error.household, error.column) == (2, "XL-009", "户主身份证号")
    assert "P001" in error.reason and "DH-001" in error.reason


def test_the_same_head_on_the_same_household_is_not_a_duplicate(cast, ledger_file):
    ledger = Ledger(households=[household_row("DH-001", "李四", 9, 户主身份证号="11010519491231002X")])
    assert _preview(cast, ledger_file(ledger)).errors == []


def test_two_households_swapping_heads_is_not_a_duplicate(cast, ledger_file):
    ledger = Ledger(households=[
        household_row("DH-001", "张三", 1, 户主身份证号="440106199001011235", 联系电话="13812345678"),
        household_row("DH-002", "李四", 2, 户主身份证号="11010519491231002X", 联系电话="13900001111"),
    ])
    plan = _preview(cast, ledger_file(ledger))
    assert plan.errors == [] and len(plan.changed) == 2


def test_a_member_already_registered_in_another_household(cast, ledger_file):
    from gaizao.ledger import services

    services.person_add(actor=SYSTEM, household=cast.household_b1, name="王小五", relation="child",
                        id_number=cid(55, birth="20100101"))
    ledger = three_households()
    ledger.persons.append(["DH-102", "王小五", cid(55, birth="20100101"), "子女", "本村农业户口"])
    [error] = _preview(cast, ledger_file(ledger)).errors
    assert (error.sheet, error.row, error.household, error.column) == ("家庭成员", 5, "DH-102", "身份证号")
    assert "P002" in error.reason and "XL-001" in error.reason


def test_member_rows_are_checked(cast, ledger_file):
    ledger = three_households()
    ledger.persons += [
        ["DH-999", "无此户", cid(900), "子女", "本村农业户口"],
        ["DH-102", None, cid(901), "子女", "本村农业户口"],
        ["DH-102", "关系不明", cid(902), "邻居", "本村农业户口"],
        ["DH-103", "重复", cid(201, birth="19820202"), "配偶", "本村农业户口"],  # 周芳 of DH-101
    ]
    plan = _preview(cast, ledger_file(ledger))
    assert _problems(plan) == [
        (3, "DH-101", "身份证号"), (5, "DH-999", "户号"), (6, "DH-102", "姓名"), (7, "DH-102", "与户主关系"),
        (8, "DH-103", "身份证号"),
    ]
    assert all(e.sheet == "家庭成员" for e in plan.errors)


def test_member_count_differing_from_the_members_listed_is_a_warning_not_an_error(cast, ledger_file):
    ledger = three_households()  # 家庭人数 3 and three members for DH-101
    ledger.households[0][7] = ledger.households[1][7] = 5
    plan = _preview(cast, ledger_file(ledger))
    assert plan.errors == []
    [warning] = plan.parsed.warnings
    assert (warning.row, warning.household, warning.column) == (2, "DH-101", "家庭人数")
    assert "5 人" in warning.reason and "3 人" in warning.reason


def test_masked_numbers_keep_the_stored_value_when_they_fit(cast, ledger_file):
    ledger = Ledger(households=[household_row("DH-001", "李四", 1, 户主身份证号="110105********002X",
                                              联系电话="138****5678")])
    plan = _preview(cast, ledger_file(ledger))
    assert plan.errors == []
    [item] = plan.changed  # the address and the building change, the numbers do not
    assert "head_id_number" not in item.updates and "phone" not in item.updates


@pytest.mark.parametrize("column, value", [("户主身份证号", "110105********003X"), ("联系电话", "139****5678")])
def test_masked_numbers_that_do_not_fit_are_errors(cast, ledger_file, column, value):
    ledger = Ledger(households=[household_row("DH-001", "李四", 1, **{column: value})])
    [error] = _preview(cast, ledger_file(ledger)).errors
    assert error.column == column and "不符" in error.reason


def test_masked_numbers_for_a_new_household_are_errors(cast, ledger_file):
    ledger = Ledger(households=[household_row("NEW-1", "新户", 1, 户主身份证号="110105********002X")])
    [error] = _preview(cast, ledger_file(ledger)).errors
    assert error.column == "户主身份证号" and "新住户" in error.reason


def test_a_masked_member_id_alone_in_a_file_is_checked_too(cast, ledger_file):
    """The plan checks masked numbers only in a file that has one (parse_file notes it): a masked
    member's ID, the file's only masked number, counts."""
    ledger = three_households()
    ledger.persons[1][2] = "440106********2011"
    plan = _preview(cast, ledger_file(ledger))
    assert plan.parsed.masked
    [error] = plan.errors
    assert (error.sheet, error.row, error.column) == ("家庭成员", 3, "身份证号") and "新成员" in error.reason
    assert not _preview(cast, ledger_file(three_households())).parsed.masked


def test_errors_come_sorted_by_sheet_and_row(cast, ledger_file):
    ledger = three_households()
    ledger.persons[1][3] = "邻居"  # members sheet, row 3
    ledger.households[3][2] = "1"  # row 5: found while reading
    ledger.households[2][2] = cid(101)  # row 4 repeats row 2's head (also members row 2): found after reading
    plan = _preview(cast, ledger_file(ledger))
    assert [(e.sheet, e.row) for e in plan.errors] == [("住户房屋", 2), ("住户房屋", 4), ("住户房屋", 5),
                                                       ("家庭成员", 2), ("家庭成员", 3)]
