"""Formula injection (公式注入) in every XLSX the platform writes (issue 15, item 2).

Text that starts like a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``+``, ``-``, ``@``,
tab, CR) is typed by a street into a name or an address and then opened by a leader in Excel. Each
writer is exported with such values in every text column it has; the file is opened as a zip:
no ``<f>`` element in any sheet, the text reads back with a leading quote, numbers stay numbers.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineWorkbook

from gaizao.documents import xlsx
from gaizao.ledger import services as ledger_services
from gaizao.ledger.importing.report import write_error_report
from gaizao.ledger.importing.template import write_ledger
from gaizao.ledger.importing.validate import RowError
from gaizao.ledger.models import Building, Person, Village
from gaizao.org.models import OrgUnit
from tests.ledger.importing.conftest import run_ledger

LINK = '=HYPERLINK("http://x.example/","点此")'
CMD = "=cmd|' /C calc'!A0"
PLUS = "+86-1(2)"
MINUS = "-2+3"
AT = "@SUM(1,2)"
TAB = "\t=1+1"
CR = "\r=1+1"
ATTACKS = [LINK, CMD, PLUS, MINUS, AT, TAB, CR]
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def sheet_xml(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}


def assert_no_formula(content: bytes) -> None:
    sheets = sheet_xml(content)
    assert sheets
    for name, body in sheets.items():
        assert not _FORMULA_ELEMENT.search(body), f"a formula in {name}"
        assert b't="e"' not in body, f"an error value in {name}"


def calamine_values(content: bytes) -> list:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [value for name in workbook.sheet_names
            for row in workbook.get_sheet_by_name(name).to_python() for value in row]


def assert_quoted(content: bytes, texts) -> None:
    values = calamine_values(content)
    for text in texts:
        assert "'" + text in values, f"{text!r} not written as quoted text"
        assert text not in values


# --- the writers ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_ledger_export_writes_formula_like_text_as_quoted_text(cast, tmp_path):
    household = ledger_services.household_create(actor=cast.admin, project=cast.project_a, number="DH-900",
                                                  head_name=LINK, address=CMD)
    ledger_services.building_add(actor=cast.admin, household=household, number="1", legal_area=Decimal("88.50"),
                                 certificate_no=AT, legality="legal")
    ledger_services.person_add(actor=cast.admin, household=household, name=PLUS, relation="spouse")
    out = tmp_path / "export.xlsx"
    assert run_ledger("export", "--project", "P001", out).code == 0
    content = out.read_bytes()
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, AT, PLUS])
    sheet = load_workbook(io.BytesIO(content))["住户房屋"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "DH-900")
    assert row[1].data_type == "s" and row[1].value == "'" + LINK
    assert row[13].data_type == "n" and row[13].value == 88.5  # 合法面积 stays a number
    assert row[7].data_type == "n"  # 家庭人数


@pytest.mark.django_db
def test_an_exported_formula_like_name_imports_again_unchanged(cast, tmp_path):
    household = ledger_services.household_create(actor=cast.admin, project=cast.project_a, number="DH-900",
                                                  head_name=LINK, address=MINUS)
    ledger_services.building_add(actor=cast.admin, household=household, number="1", legal_area=Decimal("60"),
                                 certificate_no="'" + AT, legality="legal")  # a quote of its own stays
    ledger_services.person_add(actor=cast.admin, household=household, name=PLUS, relation="spouse")
    exported = tmp_path / "导出.xlsx"
    assert run_ledger("export", "--project", "P001", exported).code == 0
    again = run_ledger("import", exported, "--project", "P001", "--json")
    assert again.code == 0, again.stderr
    assert again.json["changed"] == 0 and again.json["new"] == 0 and again.json["rejected"] == []
    household.refresh_from_db()
    assert (household.head_name, household.address) == (LINK, MINUS)
    assert Building.objects.get(household=household).certificate_no == "'" + AT
    assert Person.objects.get(household=household, relation="spouse").name == PLUS


def test_the_template_layout_quotes_formula_like_text_in_every_text_column(db):
    # (db: the template's drop-downs list the office's known values, ledger.known, read from the database)
    household = ["DH-1", LINK, "", "", CMD, "集体土地", "住宅", 3, AT, "砖混", 2, 2001, PLUS, 12.5, 0, "合法"]
    person = ["DH-1", MINUS, "", "配偶", TAB]
    buffer = io.BytesIO()
    write_ledger(buffer, household_rows=[household], person_rows=[person])
    content = buffer.getvalue()
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, AT, PLUS, MINUS, TAB])
    values = calamine_values(content)
    assert 12.5 in values and 2001.0 in values


def test_the_error_report_quotes_formula_like_text():
    errors = [RowError("住户房屋", 7, LINK, CMD, AT), RowError("家庭成员", 8, PLUS, MINUS, CR)]
    warnings = [RowError("住户房屋", 9, TAB, AT, LINK)]
    buffer = io.BytesIO()
    write_error_report(buffer, errors=errors, warnings=warnings, filename=CMD + ".xlsx")
    content = buffer.getvalue()
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, AT, PLUS, MINUS, CR, TAB])
    assert 7.0 in calamine_values(content)  # the row number stays a number


@pytest.mark.django_db
def test_the_progress_table_quotes_formula_like_street_and_village_names(cast, login_as):
    Village.objects.filter(pk=cast.village_a.pk).update(name=LINK)
    OrgUnit.objects.filter(pk=cast.street_a.pk).update(name=CMD)
    ledger_services.village_create(actor=cast.admin, street=cast.street_b, code="V009", name=AT,
                                   mode="upgrade", year=2027)
    response = login_as(cast.commander).get("/progress/table.xlsx")
    assert response.status_code == 200
    content = response.content
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, AT])
    sheet = load_workbook(io.BytesIO(content)).active
    counts = [cell for row in sheet.iter_rows(min_row=5) for cell in row[3:4] if cell.value is not None]
    assert counts and all(cell.data_type == "n" for cell in counts)


# --- the shared writer, through every door ------------------------------------------------------

def test_every_way_into_an_ordinary_sheet_is_neutralised():
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet("t")
    sheet.append([LINK, 5, Decimal("1.25"), dt.date(2026, 1, 2), None, True])
    sheet.append({"A": CMD, 2: PLUS})
    sheet.append([WriteOnlyCell(sheet, value=AT)])  # a styled cell made with openpyxl's own helper
    sheet.cell(row=4, column=1, value=MINUS)
    sheet["B4"] = TAB
    sheet.cell(row=1, column=2).value = CR  # a cell append made, assigned again
    sheet.append(["#N/A", "'" + LINK, "a\x01b\x00c\u202ed"])
    content = xlsx.to_bytes(workbook)
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, PLUS, AT, MINUS, TAB, CR])
    values = calamine_values(content)
    assert "#N/A" in values  # text, not an error value
    assert "''" + LINK in values  # one more quote, so the import's unquote gives it back exactly
    assert "abcd" in values  # control characters removed, no IllegalCharacterError
    assert 1.25 in values and dt.date(2026, 1, 2) in values


def test_every_way_into_a_streaming_sheet_is_neutralised():
    workbook = xlsx.new_workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    sheet.append([LINK, 5, "#N/A", xlsx.cell(sheet, CMD), WriteOnlyCell(sheet, value=AT), PLUS, "plain"])
    sheet.append(value for value in [MINUS, "a\x01b", Decimal("2.50")])
    content = xlsx.to_bytes(workbook)
    assert_no_formula(content)
    assert_quoted(content, [LINK, CMD, AT, PLUS, MINUS])
    values = calamine_values(content)
    assert "plain" in values and "ab" in values and 5.0 in values and 2.5 in values and "#N/A" in values


@pytest.mark.parametrize("stored", [*ATTACKS, "'" + LINK, "''-1", "plain", "'plain", "it's", "", "5"])
def test_the_import_removes_exactly_the_quote_the_export_added(stored):
    from gaizao.ledger.importing.normalise import unquote

    assert unquote(xlsx.safe_text(stored)) == stored


# --- no writer around the shared one ----------------------------------------------------------

GAIZAO = Path(__file__).resolve().parents[2] / "gaizao"
SHARED_WRITER = GAIZAO / "documents" / "xlsx.py"
# openpyxl modules other code may use: styles, coordinates, sheet settings; never cells or workbooks.
ALLOWED_OPENPYXL = ("openpyxl.styles", "openpyxl.utils", "openpyxl.worksheet.properties",
                    "openpyxl.worksheet.datavalidation", "openpyxl.worksheet.page", "openpyxl.formatting")


def _bypasses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] if node.module != "openpyxl" else [f"openpyxl.{a.name}" for a in node.names]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in {"openpyxl", "xlsxwriter", "pyexcelerate"} and not module.startswith(
                    ALLOWED_OPENPYXL):
                found.append(f"{path.relative_to(GAIZAO.parent)}:{node.lineno} imports {module}")
    return found


def test_no_code_outside_the_shared_writer_makes_workbooks_or_cells():
    """A future writer cannot forget the neutralising: it has no way to a workbook but xlsx.new_workbook."""
    found = [hit for path in sorted(GAIZAO.rglob("*.py")) if path != SHARED_WRITER for hit in _bypasses(path)]
    assert found == []


def test_the_bypass_check_sees_a_direct_workbook(tmp_path):
    sample = GAIZAO / "documents" / "_sample_bypass.py"
    try:
        sample.write_text("from openpyxl import Workbook\nimport openpyxl.cell\nfrom openpyxl.styles import Font\n",
                          encoding="utf-8")
        assert [hit.split(" imports ")[1] for hit in _bypasses(sample)] == ["openpyxl.Workbook", "openpyxl.cell"]
    finally:
        sample.unlink()
