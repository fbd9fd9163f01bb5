"""`gaizao ledger template | import | export | projects`: output, exit codes, scope, round trip."""

from __future__ import annotations

import json

import openpyxl
import python_calamine

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry
from gaizao.ledger.importing import headers as h
from gaizao.ledger.models import Building, Household, Person
from tests.ledger.importing.conftest import (
    HOUSEHOLD_HEADER, PERSON_HEADER, Ledger, household_row, run_ledger, three_households,
)

JSON_KEYS = ["new", "changed", "unchanged", "rejected", "households", "buildings", "persons", "warnings"]


def test_the_template_has_the_sheets_headers_drop_downs_and_notes(tmp_path, db):
    out = tmp_path / "模板.xlsx"
    result = run_ledger("template", out)
    assert result.code == 0 and "已生成" in result.stdout
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["住户房屋", "家庭成员", "填写说明"]
    households = workbook["住户房屋"]
    assert [c.value for c in households[1]] == [*HOUSEHOLD_HEADER, "处置方式", "包户干部"]
    assert [c.value for c in workbook["家庭成员"][1]] == PERSON_HEADER
    lists = {str(dv.sqref).rstrip("0123456789:").split(":")[0].rstrip("0123456789"): dv.formula1
             for dv in households.data_validations.dataValidation if dv.type == "list"}
    assert lists == {"F": '"集体土地,国有土地"', "G": '"住宅,非住宅,混合"', "J": '"砖混,框架,砖木,简易,钢混,钢结构,木结构,土木,石木,其他"',
                     "P": '"合法,未超期临时,违法,待认定"', "Q": '"拆除,保留"'}
    member_lists = [dv.formula1 for dv in workbook["家庭成员"].data_validations.dataValidation]
    assert '"户主,配偶,子女,父母,孙子女,兄弟姐妹,其他"' in member_lists
    assert households.column_dimensions["C"].number_format == "@"  # the ID column keeps all 18 digits
    notes = [[c for c in row] for row in workbook["填写说明"].iter_rows(values_only=True)]
    columns_explained = {row[1] for row in notes if row and row[0] == "住户房屋"}
    assert columns_explained == {*HOUSEHOLD_HEADER, "处置方式", "包户干部"}
    assert any("合计" in (row[3] or "") for row in notes if row)


def test_the_template_imports_as_an_empty_ledger(cast, tmp_path):
    out = tmp_path / "模板.xlsx"
    run_ledger("template", out)
    result = run_ledger("import", out, "--project", "P001", "--json")
    # Its example rows (户号 「示例」) are skipped, and the preview says so, on each sheet.
    data = result.json
    warnings = data.pop("warnings")
    assert result.code == 0 and data == {"new": 0, "changed": 0, "unchanged": 0, "rejected": [],
                                                "households": 0, "buildings": 0, "persons": 0}
    assert [(w["sheet"], w["row"], w["column"]) for w in warnings] == [("住户房屋", 2, "户号"), ("家庭成员", 2, "户号")]
    assert all("示例行" in w["reason"] and "已跳过" in w["reason"] for w in warnings)


def test_json_output_is_exactly_one_object_with_the_documented_keys(cast, ledger_file):
    result = run_ledger("import", ledger_file(three_households()), "--project", "P001", "--json")
    assert result.code == 0
    assert list(result.json) == JSON_KEYS
    assert result.json == {"new": 3, "changed": 0, "unchanged": 0, "rejected": [], "households": 3,
                           "buildings": 4, "persons": 3, "warnings": []}
    assert result.stdout.count("\n") == 1


def test_rejected_rows_exit_2_with_row_household_column_and_reason(cast, ledger_file):
    ledger = three_households()
    ledger.households[2][3] = "1234"
    ledger.persons[2][3] = "邻居"
    before = Household.objects.count()
    result = run_ledger("import", ledger_file(ledger), "--project", "P001", "--json")
    assert result.code == 2
    assert result.json["rejected"] == [
        {"row": 4, "household": "DH-102", "column": "联系电话", "reason": "手机号应为 11 位，实际为 4 位。"},
        {"row": 4, "household": "DH-101", "column": "与户主关系",
         "reason": "［家庭成员］“邻居”不是可选值，只能填写：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他。"},
    ]
    assert (result.json["new"], result.json["households"]) == (1, 3)
    assert Household.objects.count() == before
    assert "2 处错误" in result.stderr and "没有写入任何数据" in result.stderr


def test_skip_invalid_writes_the_rest_and_still_exits_2(cast, ledger_file):
    ledger = three_households()
    ledger.households[2][3] = "1234"
    result = run_ledger("import", ledger_file(ledger), "--project", "P001", "--json", "--skip-invalid")
    assert result.code == 2 and len(result.json["rejected"]) == 1
    assert set(Household.objects.filter(project=cast.project_a).values_list("number", flat=True)) == {
        "DH-001", "DH-002", "DH-101", "DH-103"}
    assert "其余住户已写入" in result.stderr


def test_a_file_level_error_exits_1_with_a_chinese_message(cast, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"")
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 1 and result.stdout == "" and "空的" in result.stderr


def test_dry_run_shows_the_changes_and_writes_nothing(cast, ledger_file):
    ledger = Ledger(households=[household_row("DH-001", "李四", 1, 户主身份证号="11010519491231002X",
                                              联系电话="13812345678", 地址="新地址")])
    before = (Household.objects.count(), AuditEntry.objects.count())
    result = run_ledger("import", ledger_file(ledger), "--project", "P001", "--dry-run")
    assert result.code == 0
    assert "修改 1 户" in result.stdout and "地址：（空） → 新地址" in result.stdout
    assert "没有写入任何数据" in result.stdout
    assert (Household.objects.count(), AuditEntry.objects.count()) == before


def test_the_error_report_lists_each_rejected_row(cast, ledger_file, tmp_path):
    ledger = three_households()
    ledger.households[0][2] = "110105194912310021"
    ledger.persons[1][1] = None
    report = tmp_path / "错误清单.xlsx"
    result = run_ledger("import", ledger_file(ledger), "--project", "P001", "--errors", report)
    assert result.code == 2
    rows = python_calamine.CalamineWorkbook.from_path(str(report)).get_sheet_by_name("错误清单").to_python()
    assert rows[0] == ["工作表", "行号", "户号", "列", "原因"]
    assert [row[:4] for row in rows[1:]] == [["住户房屋", 2.0, "DH-101", "户主身份证号"],
                                              ["家庭成员", 3.0, "DH-101", "姓名"]]
    assert "校验位" in rows[1][4] and rows[2][4] == "姓名不能为空。"


def test_a_street_b_user_cannot_import_into_street_a(cast, ledger_file):
    result = run_ledger("import", ledger_file(three_households()), "--project", "P001", "--user", "street_b")
    assert result.code == 1 and "P001 不存在或你无权" in result.stderr
    assert not Household.objects.filter(number="DH-101").exists()
    result = run_ledger("import", ledger_file(three_households()), "--project", "P001", "--user", "street_a",
                        "--json")
    assert result.code == 0 and result.json["new"] == 3
    assert AuditEntry.objects.filter(action="household.import_create", actor=cast.street_user_a).count() == 3


def test_an_unknown_user_is_an_error(cast, ledger_file):
    result = run_ledger("import", ledger_file(three_households()), "--project", "P001", "--user", "nobody")
    assert result.code == 1 and "nobody" in result.stderr


def test_projects_lists_code_name_village_and_street(cast):
    result = run_ledger("projects", "--json")
    assert result.code == 0
    assert json.loads(result.stdout) == [
        {"code": "P001", "name": "东湖村一期", "village": "东湖村", "street": "东湖街道"},
        {"code": "P002", "name": "西岭村一期", "village": "西岭村", "street": "西岭街道"},
    ]
    assert "P001" in run_ledger("projects").stdout


def _sheet(path, name):
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_export_masks_personal_numbers_by_default(cast, tmp_path, ledger_file):
    run_ledger("import", ledger_file(three_households()), "--project", "P001")
    out = tmp_path / "P001.xlsx"
    result = run_ledger("export", "--project", "P001", out)
    assert result.code == 0 and "已脱敏" in result.stdout
    rows = _sheet(out, "住户房屋")
    assert rows[0] == [*HOUSEHOLD_HEADER, "处置方式", "包户干部"]
    dh001 = next(r for r in rows if r[0] == "DH-001")
    assert dh001[2] == "110105********002X" and dh001[3] == "138****5678"
    assert dh001[-1] == "陈包户"  # 包户干部 by name, read back by the import
    assert all("*" in r[2] for r in rows[1:] if r[2])
    members = _sheet(out, "家庭成员")
    assert all("*" in r[2] for r in members[1:])
    entry = AuditEntry.objects.filter(action="ledger.export").get()
    assert entry.changes["full"] is False and entry.changes["households"] == 5


def test_full_export_shows_the_numbers_and_is_audited(cast, tmp_path):
    out = tmp_path / "P001-full.xlsx"
    assert run_ledger("export", "--project", "P001", out, "--full").code == 0  # the system operator
    rows = _sheet(out, "住户房屋")
    assert next(r for r in rows if r[0] == "DH-001")[2] == "11010519491231002X"
    entry = AuditEntry.objects.filter(action="ledger.export_full").get()
    assert entry.actor_name == "system" and entry.changes["full"] is True


def test_full_export_needs_the_right_to_see_the_numbers(cast, tmp_path):
    out = tmp_path / "x.xlsx"
    assert run_ledger("export", "--project", "P001", out, "--full", "--user", "street_a").code == 0
    result = run_ledger("export", "--project", "P001", out, "--full", "--user", "leader")
    assert result.code == 1 and "完整号码" in result.stderr
    assert run_ledger("export", "--project", "P001", out, "--user", "leader").code == 0  # masked is fine
    result = run_ledger("export", "--project", "P001", out, "--user", "street_b")
    assert result.code == 1 and "无权" in result.stderr


def test_round_trip_template_fill_import_export_import_changes_nothing(cast, tmp_path):
    template = tmp_path / "模板.xlsx"
    run_ledger("template", template)
    workbook = openpyxl.load_workbook(template)
    ledger = three_households()
    for row in ledger.households:
        workbook["住户房屋"].append(row)
    for row in ledger.persons:
        workbook["家庭成员"].append(row)
    filled = tmp_path / "填好的.xlsx"
    workbook.save(filled)
    first = run_ledger("import", filled, "--project", "P001", "--json")
    assert first.code == 0 and first.json["new"] == 3
    counts = (Household.objects.count(), Building.objects.count(), Person.objects.count())
    audited = AuditEntry.objects.filter(action__startswith="household.").count()
    exported = tmp_path / "导出.xlsx"
    assert run_ledger("export", "--project", "P001", exported).code == 0
    again = run_ledger("import", exported, "--project", "P001", "--json")
    assert again.code == 0
    assert again.json == {"new": 0, "changed": 0, "unchanged": 5, "rejected": [], "households": 5,
                          "buildings": 5, "persons": 3, "warnings": []}
    assert (Household.objects.count(), Building.objects.count(), Person.objects.count()) == counts
    assert AuditEntry.objects.filter(action__startswith="household.").count() == audited
    full = tmp_path / "完整.xlsx"
    run_ledger("export", "--project", "P001", full, "--full")
    assert run_ledger("import", full, "--project", "P001", "--json").json["unchanged"] == 5


def test_export_then_import_keeps_text_written_with_chinese_punctuation(cast, tmp_path):
    """Data entered on the pages (or by the demo) with full-width brackets and commas comes back
    from its own export unchanged: only full-width letters, digits and number signs are folded."""
    from decimal import Decimal

    from gaizao.ledger import services

    household = services.household_create(actor=SYSTEM, project=cast.project_a, number="DH-900", head_name="欧阳娜娜",
                                          address="东湖村（北片）三巷，8号")
    services.building_add(actor=SYSTEM, household=household, number="1", legal_area=Decimal("88.00"),
                          certificate_no="云集用（2005）第000001号", legality="legal")
    exported = tmp_path / "导出.xlsx"
    assert run_ledger("export", "--project", "P001", exported).code == 0
    again = run_ledger("import", exported, "--project", "P001", "--json")
    assert again.code == 0
    assert again.json["changed"] == 0 and again.json["new"] == 0


def test_a_progress_bar_on_stderr_for_large_files(cast, ledger_file, monkeypatch):
    from gaizao.core import commands

    monkeypatch.setattr(commands, "PROGRESS_MIN_ROWS", 10)
    rows = [household_row(f"G-{i:03d}", "进度", i) for i in range(40)]
    result = run_ledger("import", ledger_file(Ledger(households=rows)), "--project", "P001", "--json")
    assert result.code == 0 and result.json["new"] == 40
    assert "读取并校验" in result.stderr and "100%" in result.stderr and "写入数据库" in result.stderr
    assert "读取" not in result.stdout


def test_documented_header_table_matches_the_code():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "ledger-import.md").read_text(encoding="utf-8")
    for column in (*h.HOUSEHOLD_COLUMNS, *h.PERSON_COLUMNS):
        line = next((line for line in doc.splitlines() if line.startswith(f"| {column.header} |")), None)
        assert line is not None, column.header
        for synonym in column.synonyms:
            assert synonym in line, (column.header, synonym)


def test_the_template_has_a_grey_example_row_that_an_import_never_reads(cast, tmp_path):
    template = tmp_path / "模板.xlsx"
    run_ledger("template", template)
    workbook = openpyxl.load_workbook(template)
    example = [c for c in workbook["住户房屋"][2]]
    assert example[0].value == "示例" and example[1].value == "张三" and example[0].font.italic
    assert example[0].font.color.rgb.endswith("808080")
    assert workbook["家庭成员"]["A2"].value == "示例"
    workbook["住户房屋"].append(household_row("DH-501", "钱五", 501))
    filled = tmp_path / "填好的.xlsx"
    workbook.save(filled)
    result = run_ledger("import", filled, "--project", "P001", "--json")
    assert result.json["new"] == 1 and result.json["rejected"] == []
    assert not Household.objects.filter(number="示例").exists()
    assert not Household.objects.filter(head_name="张三").exclude(pk=cast.household_a2.pk).exists()
