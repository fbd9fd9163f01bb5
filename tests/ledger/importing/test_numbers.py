"""Residence permits and landlines in the ledger import and the command (issue 10, item 7): accepted
in any spelling, stored canonical, exported masked and re-imported unchanged; a wrong one is a row
error naming the sheet, row, household, column and the rule."""

from __future__ import annotations

from gaizao.core import crypto
from gaizao.core.actors import SYSTEM
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from gaizao.ledger.models import Household
from tests.ledger.importing.conftest import Ledger, household_row, run_ledger, three_households
from tests.ledger.test_permits_and_landlines import (
    BAD_LANDLINE, BAD_PERMIT, HK_PERMIT, LANDLINE_RULE, PERMIT_RULE, TW_PERMIT, permit,
)


def _bad_numbers() -> Ledger:
    ledger = three_households()
    ledger.households[2] = household_row("DH-102", "钱二", 102, 户主身份证号=BAD_PERMIT)
    ledger.households[3] = household_row("DH-103", "孙三", 103, 联系电话=BAD_LANDLINE)
    ledger.persons[2][2] = permit("820100", 14)
    return ledger


def test_an_import_row_with_a_bad_permit_or_landline_names_row_and_column(cast, ledger_file):
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(_bad_numbers()))
    problems = {(e.sheet, e.row, e.household, e.column): e.reason for e in plan.errors}
    assert set(problems) == {("住户房屋", 4, "DH-102", "户主身份证号"), ("住户房屋", 5, "DH-103", "联系电话"),
                             ("家庭成员", 4, "DH-101", "身份证号")}
    assert PERMIT_RULE in problems[("住户房屋", 4, "DH-102", "户主身份证号")]
    assert LANDLINE_RULE in problems[("住户房屋", 5, "DH-103", "联系电话")]
    assert "前 6 位应为 820000" in problems[("家庭成员", 4, "DH-101", "身份证号")]


def test_the_import_command_reports_the_bad_rows_and_writes_nothing(cast, ledger_file):
    before = Household.objects.count()
    result = run_ledger("import", ledger_file(_bad_numbers()), "--project", "P001", "--json")
    assert result.code == 2
    rejected = {(r["row"], r["household"], r["column"]): r["reason"] for r in result.json["rejected"]}
    assert PERMIT_RULE in rejected[(4, "DH-102", "户主身份证号")]
    assert LANDLINE_RULE in rejected[(5, "DH-103", "联系电话")]
    assert Household.objects.count() == before


def test_a_landline_typed_as_a_number_is_a_row_error(cast, ledger_file):
    ledger = Ledger(households=[household_row("N-1", "甲", 1, 联系电话=2012345678)])
    [error] = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger)).errors
    assert (error.row, error.column) == (2, "联系电话") and "0 已经丢失" in error.reason


def test_permits_and_landlines_import_export_and_import_again_unchanged(cast, ledger_file, tmp_path):
    ledger = Ledger(households=[
        household_row("GA-1", "曾港生", 1, 户主身份证号=HK_PERMIT, 联系电话="(020) 1234 5678"),
        household_row("GA-2", "单台生", 2, 户主身份证号=TW_PERMIT, 联系电话="0755-1234567"),
        household_row("GA-3", "乐嘉", 3, 联系电话="010-12345678-801"),
    ])
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger))
    assert plan.errors == []
    ledger_import_apply(actor=SYSTEM, plan=plan)
    stored = {h.number: (h.head_id_number, h.phone, h.head_initials)
              for h in Household.objects.filter(number__startswith="GA-")}
    assert stored == {"GA-1": (HK_PERMIT, "020-12345678", "zgs"), "GA-2": (TW_PERMIT, "0755-1234567", "sts"),
                      "GA-3": (stored["GA-3"][0], "010-12345678-801", "yj")}
    assert Household.objects.get(number="GA-1").phone_hash == crypto.lookup_hash("020-12345678")
    exported = tmp_path / "导出.xlsx"
    assert run_ledger("export", "--project", "P001", exported).code == 0
    again = run_ledger("import", exported, "--project", "P001", "--json")
    assert again.code == 0 and again.json["changed"] == 0 and again.json["rejected"] == []


def test_the_phone_columns_fast_path_agrees_with_its_rule():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gaizao.ledger.importing import headers as h
    from gaizao.ledger.importing import normalise as n

    convert = n.column_converter(next(c for c in h.HOUSEHOLD_COLUMNS if c.key == "phone"))

    def by_rule(value):
        try:
            return [n.to_phone(value)], {}
        except n.CellError as exc:
            return [None], {0: str(exc)}

    fixed = ["13812345678", "020-12345678", "0755-1234567", "010-12345678-801", "0201-2345678", "020-123456",
             "02012345678", "(020)12345678", "138-1234-5678", "020-****5678", "12345678901", 13812345678.0]
    for value in fixed:
        assert convert([value]) == by_rule(value), value

    @settings(max_examples=300)
    @given(st.from_regex(r"(?:1[0-9]{10}|0[0-9]{2,3}-?[0-9]{6,9}(?:-[0-9]{1,7})?)", fullmatch=True))
    def agree(value):
        assert convert([value]) == by_rule(value), value

    agree()
