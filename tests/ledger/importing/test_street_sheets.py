"""Excel as streets really keep it (issue 10 item 8): no building-number column, household cells
merged over their building rows, a two-row grouped header with a numbering row under it, and
columns the import does not know — numbered, understood, or reported on every path (the page
preview, the command's text and --json, the error report), never dropped silently."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from gaizao.ledger.importing.validate import parse_file
from gaizao.ledger.models import Building, Household, ImportJob
from tests.ledger.importing.conftest import Ledger, cid, household_row, run_ledger

pytestmark = pytest.mark.django_db

START = reverse("ledger:import_start")
# The street's own layout: 序号, household columns, 建筑面积 over 合法 / 无证 / 违建, 层数, 结构, 备注.
UPPER = ["序号", "户号", "户主姓名", "身份证号", "联系电话", "房屋坐落", "建筑面积（㎡）", None, None, "层数", "结构", "备注"]
LOWER = [None] * 6 + ["合法", "无证", "违建"] + [None] * 3
NUMBERING = list(range(1, 13))


def header_merges(top: int) -> list[str]:
    """The header's merged cells when its upper row is sheet row ``top``: 建筑面积 over three columns,
    every other header merged over both rows."""
    return [*(f"{c}{top}:{c}{top + 1}" for c in "ABCDEFJKL"), f"G{top}:I{top}"]


UNLISTED = "第 I 列「建筑面积（㎡）·违建」有 2 行数据，系统不认识这个列名，这一列没有导入。"
REMARKS = "第 L 列「备注」有 1 行数据，系统不认识这个列名，这一列没有导入。"


def street_row(seq: int, number: str | None, name: str | None, *, legal=120.5, unlicensed=None, illegal=None,
               floors=2, structure="砖混", remark=None) -> list:
    household = [number, name, cid(seq), f"1390000{seq:04d}", f"东湖路{seq}号"] if number else [None] * 5
    return [seq, *household, legal, unlicensed, illegal, floors, structure, remark]


def street_rows() -> list[list]:
    """JD-001 one building; JD-002 one building with 违建 and a remark; JD-003 two building rows under
    merged household cells (sheet rows 7 and 8); JD-004 no building at all."""
    return [
        street_row(1, "JD-001", "张三"),
        street_row(2, "JD-002", "李四", legal=80, illegal=15, remark="加建部分未登记"),
        street_row(3, "JD-003", "王五", legal=60, unlicensed=12.5, structure="框架"),
        street_row(4, None, None, legal=30, illegal=0, floors=1, structure="简易"),
        street_row(5, "JD-004", "赵六", legal=None, floors=None, structure=None),
    ]


def street_sheet(path: Path, rows: list[list] | None = None) -> Path:
    """东湖村 as the street keeps it: a title, the two header rows, a numbering row, the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "东湖村"
    for row in [["东湖村城中村改造住户情况登记表"], UPPER, LOWER, NUMBERING, *(rows or street_rows())]:
        sheet.append(row)
    for cells in ["A1:L1", *header_merges(2), *(f"{c}7:{c}8" for c in "ABCDEF")]:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def _report(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


# --- reading ---------------------------------------------------------------------------------

def test_the_street_layout_is_read_with_its_buildings_numbered_in_order(tmp_path):
    parsed = parse_file(street_sheet(tmp_path / "东湖村.xlsx"))
    assert parsed.errors == []
    assert list(parsed.households) == ["JD-001", "JD-002", "JD-003", "JD-004"]  # header rows are not households
    assert {n: [b.number for b in h.buildings] for n, h in parsed.households.items()} == {
        "JD-001": ["1"], "JD-002": ["1"], "JD-003": ["1", "2"], "JD-004": []}
    first, second = parsed.households["JD-003"].buildings
    assert (first.row, second.row) == (7, 8)
    assert (first.values["legal_area"], first.values["unlicensed_area"]) == (Decimal("60.00"), Decimal("12.50"))
    assert (second.values["legal_area"], second.values["structure"]) == (Decimal("30.00"), "simple")
    assert parsed.labels["legal_area"] == "建筑面积（㎡）·合法"
    assert parsed.households["JD-001"].values["head_id_number"] == cid(1)
    assert [(w.sheet, w.row, w.letter, w.column, w.rows, w.reason) for w in parsed.warnings] == [
        ("东湖村", 2, "I", "建筑面积（㎡）·违建", 2, UNLISTED), ("东湖村", 2, "L", "备注", 1, REMARKS)]


def test_a_header_pasted_again_under_the_data_is_never_a_household(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    first, second = street_rows()[:2], [street_row(6, "XC-001", "周七")]
    for row in [UPPER, LOWER, NUMBERING, *first, UPPER, LOWER, NUMBERING, *second]:
        sheet.append(row)
    for cells in [*header_merges(1), *header_merges(6)]:
        sheet.merge_cells(cells)
    workbook.save(tmp_path / "两村.xlsx")
    parsed = parse_file(tmp_path / "两村.xlsx")
    assert parsed.errors == []
    assert list(parsed.households) == ["JD-001", "JD-002", "XC-001"]
    assert parsed.households["XC-001"].row == 9
    assert [(w.letter, w.rows) for w in parsed.warnings] == [("I", 1), ("L", 1)]  # the repeat is not data


def test_a_column_of_blank_building_numbers_is_as_if_there_were_none(tmp_path, ledger_file):
    ledger = Ledger(households=[household_row("N-1", "甲", 1, building=None), household_row("N-2", "乙", 2, building=None)])
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == [] and parsed.warnings == []
    assert [b.number for h in parsed.households.values() for b in h.buildings] == ["1", "1"]


def test_blank_numbers_beside_given_ones_come_after_the_highest_with_a_warning(ledger_file):
    ledger = Ledger(households=[
        household_row("M-1", "甲", 1, building=None),
        household_row("M-1", "甲", 1, building="2"),
        household_row("M-1", "甲", 1, building=None, legal=30),
        household_row("M-2", "乙", 2, building="A"),
        household_row("M-3", "丙", 3, building=None),
        household_row("M-3", "丙", 3, building=None, legal=40),
    ])
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == []
    assert {n: [(b.row, b.number) for b in h.buildings] for n, h in parsed.households.items()} == {
        "M-1": [(2, "3"), (3, "2"), (4, "4")], "M-2": [(5, "A")], "M-3": [(6, "1"), (7, "2")]}
    assert [(w.row, w.household, w.column, w.reason) for w in parsed.warnings] == [
        (2, "M-1", "房屋编号", "房屋编号为空，已按本户房屋的顺序编号：第 2 行为 3、第 4 行为 4。以后导入请保留这些编号。"),
        (6, "M-3", "房屋编号", "房屋编号为空，已按本户房屋的顺序编号：第 6 行为 1、第 7 行为 2。以后导入请保留这些编号。"),
    ]


def test_a_household_row_without_building_data_is_a_household_without_buildings(ledger_file):
    ledger = Ledger(households=[["H-1", "甲", cid(1)] + [None] * 13])
    parsed = parse_file(ledger_file(ledger))
    assert parsed.errors == [] and parsed.households["H-1"].buildings == [] and parsed.buildings_read == 0


# --- the command: import, import again -------------------------------------------------------

def test_importing_the_street_sheet_again_changes_nothing(cast, tmp_path):
    path = street_sheet(tmp_path / "东湖村.xlsx")
    first = run_ledger("import", path, "--project", "P001", "--json")
    assert first.code == 0, first.stderr
    assert (first.json["new"], first.json["buildings"], first.json["rejected"]) == (4, 4, [])
    numbers = sorted(Building.objects.filter(household__number__startswith="JD-")
                     .values_list("household__number", "number", "legal_area"))
    assert numbers == [("JD-001", "1", Decimal("120.50")), ("JD-002", "1", Decimal("80.00")),
                       ("JD-003", "1", Decimal("60.00")), ("JD-003", "2", Decimal("30.00"))]
    versions = list(Building.objects.order_by("id").values_list("version", flat=True))
    again = run_ledger("import", path, "--project", "P001", "--json")
    assert again.code == 0
    assert (again.json["new"], again.json["changed"], again.json["unchanged"]) == (0, 0, 4)
    assert list(Building.objects.order_by("id").values_list("version", flat=True)) == versions


def test_numbers_given_beside_blank_ones_are_stable_across_imports(cast, ledger_file):
    path = ledger_file(Ledger(households=[household_row("M-1", "甲", 1, building=None),
                                          household_row("M-1", "甲", 1, building="2", legal=30)]))
    assert run_ledger("import", path, "--project", "P001", "--json").json["new"] == 1
    assert sorted(Building.objects.filter(household__number="M-1").values_list("number", flat=True)) == ["2", "3"]
    again = run_ledger("import", path, "--project", "P001", "--json").json
    assert (again["changed"], again["unchanged"]) == (0, 1)


def test_numbered_buildings_new_beside_differently_numbered_stored_ones_are_a_warning(cast, ledger_file):
    stored = ledger_file(Ledger(households=[household_row("W-1", "甲", 1, building="东厢")]))
    assert run_ledger("import", stored, "--project", "P001").code == 0
    unnumbered = ledger_file(Ledger(households=[household_row("W-1", "甲", 1, building=None)]))
    result = run_ledger("import", unnumbered, "--project", "P001", "--json", "--dry-run")
    assert result.code == 0 and result.json["changed"] == 1
    [warning] = [w for w in result.json["warnings"] if w["household"] == "W-1" and "东厢" in w["reason"]]
    assert (warning["row"], warning["column"]) == (2, "房屋编号")
    assert "按顺序编为 1，将作为新房屋导入；系统中该户已有房屋 东厢" in warning["reason"]


# --- unread columns on every path ------------------------------------------------------------

def test_the_command_reports_unread_columns_in_text_json_and_the_error_report(cast, tmp_path):
    path = street_sheet(tmp_path / "东湖村.xlsx")
    report = tmp_path / "清单.xlsx"
    text = run_ledger("import", path, "--project", "P001", "--dry-run", "--errors", report)
    assert text.code == 0
    assert "提示（不影响导入）：" in text.stdout
    assert f"「东湖村」{UNLISTED}" in text.stdout and f"「东湖村」{REMARKS}" in text.stdout

    result = run_ledger("import", path, "--project", "P001", "--json", "--dry-run")
    assert result.json["warnings"] == [
        {"sheet": "东湖村", "row": 2, "household": "", "column": "建筑面积（㎡）·违建", "reason": UNLISTED,
         "letter": "I", "rows": 2},
        {"sheet": "东湖村", "row": 2, "household": "", "column": "备注", "reason": REMARKS, "letter": "L", "rows": 1},
    ]
    assert list(result.json)[:7] == ["new", "changed", "unchanged", "rejected", "households", "buildings", "persons"]

    workbook = _report(report)
    assert workbook.sheetnames == ["错误清单", "未导入的列", "说明"]
    assert list(workbook["未导入的列"].iter_rows(values_only=True)) == [
        ("工作表", "列号", "表头", "有数据的行数", "说明"),
        ("东湖村", "I", "建筑面积（㎡）·违建", 2, UNLISTED),
        ("东湖村", "L", "备注", 1, REMARKS),
    ]
    assert list(workbook["错误清单"].iter_rows(values_only=True))[1:] == []


def test_building_number_warnings_go_to_the_notes_sheet_of_the_report(cast, ledger_file, tmp_path):
    path = ledger_file(Ledger(households=[household_row("M-1", "甲", 1, building="1"),
                                          household_row("M-1", "甲", 1, building=None, legal=9)]))
    report = tmp_path / "清单.xlsx"
    assert run_ledger("import", path, "--project", "P001", "--dry-run", "--errors", report).code == 0
    rows = list(_report(report)["提示"].iter_rows(values_only=True))
    assert rows[1][:4] == ("住户房屋", 3, "M-1", "房屋编号") and "第 3 行为 2" in rows[1][4]


# --- bad input on every path: the row and the column as the file names them ---------------------

def _bad_street_rows() -> list[list]:
    rows = street_rows()
    rows[1][6] = -5  # JD-002's 合法 area (sheet row 6, column 建筑面积（㎡）·合法)
    rows.append([6, None, "孙七", None, None, None, 40, None, None, 1, "砖混", None])  # row 10: another head, no 户号
    return rows


BAD = [(6, "JD-002", "建筑面积（㎡）·合法", "负数"), (10, "", "户号", "户号不能为空")]


def test_bad_rows_name_the_row_and_the_grouped_column_in_text_json_and_report(cast, tmp_path):
    path = street_sheet(tmp_path / "有错.xlsx", _bad_street_rows())
    report = tmp_path / "清单.xlsx"
    text = run_ledger("import", path, "--project", "P001", "--errors", report)
    assert text.code == 2 and not Household.objects.filter(number__startswith="JD-").exists()
    for row, household, column, reason in BAD:
        line = next(line for line in text.stdout.splitlines() if f"第 {row} 行" in line and "【" in line)
        assert f"户号 {household or '（空）'} 【{column}】" in line and reason in line

    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 2
    assert [(e["row"], e["household"], e["column"]) for e in result.json["rejected"]] == [b[:3] for b in BAD]
    assert all(b[3] in e["reason"] for e, b in zip(result.json["rejected"], BAD))

    rows = list(_report(report)["错误清单"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1], r[2] or "", r[3]) for r in rows] == [("东湖村", *b[:3]) for b in BAD]
    assert all(b[3] in r[4] for r, b in zip(rows, BAD))


def test_a_repeated_building_number_is_still_refused_naming_the_row(cast, ledger_file):
    path = ledger_file(Ledger(households=[household_row("R-1", "甲", 1, building="1"),
                                          household_row("R-1", "甲", 1, building="1", legal=9)]))
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 2
    assert result.json["rejected"] == [{"row": 3, "household": "R-1", "column": "房屋编号",
                                        "reason": "户号 R-1 的房屋编号 1 重复（第 2 行已有）。"}]


# --- the page --------------------------------------------------------------------------------

def _upload(client, path: Path) -> ImportJob:
    with open(path, "rb") as handle:
        response = client.post(START, {"project": "P001", "file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def _download(client, job) -> openpyxl.Workbook:
    response = client.get(reverse("ledger:import_errors", args=[job.pk]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_preview_page_shows_unread_columns_and_offers_their_list(cast, login_as, tmp_path, media, sync_jobs):
    client = login_as(cast.street_user_a)
    job = _upload(client, street_sheet(tmp_path / "东湖村.xlsx"))
    page = client.get(reverse("ledger:import_job", args=[job.pk]))
    html = page.content.decode()
    summary = page.context["summary"]
    assert (summary["new"], summary["buildings"], summary["rejected"]) == (4, 4, [])
    assert [(w["letter"], w["column"], w["rows"]) for w in summary["warnings"]] == [
        ("I", "建筑面积（㎡）·违建", 2), ("L", "备注", 1)]
    assert html.count('data-testid="unread-column"') == 2
    assert "I 列" in html and UNLISTED in html and REMARKS in html
    assert 'data-testid="warning-report"' in html and 'data-testid="confirm"' in html
    unread = list(_download(client, job)["未导入的列"].iter_rows(values_only=True))
    assert unread[1] == ("东湖村", "I", "建筑面积（㎡）·违建", 2, UNLISTED)

    client.post(reverse("ledger:import_confirm", args=[job.pk]), {"fingerprint": job.fingerprint})
    assert Building.objects.filter(household__number="JD-003").count() == 2
    again = _upload(client, street_sheet(tmp_path / "东湖村again.xlsx"))
    summary = client.get(reverse("ledger:import_job", args=[again.pk])).context["summary"]
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 0, 4)


def test_the_preview_page_names_the_row_and_grouped_column_of_bad_rows(cast, login_as, tmp_path, media, sync_jobs):
    client = login_as(cast.street_user_a)
    job = _upload(client, street_sheet(tmp_path / "有错.xlsx", _bad_street_rows()))
    page = client.get(reverse("ledger:import_job", args=[job.pk]))
    html = page.content.decode()
    rejected = page.context["summary"]["rejected"]
    assert [(e["row"], e["household"], e["column"]) for e in rejected] == [b[:3] for b in BAD]
    for error in rejected:
        assert error["reason"] in html
    assert "建筑面积（㎡）·合法" in html and 'data-testid="confirm" disabled' in html
    rows = list(_download(client, job)["错误清单"].iter_rows(values_only=True))[1:]
    assert [(r[1], r[3]) for r in rows] == [(6, "建筑面积（㎡）·合法"), (10, "户号")]
