"""Bad input of every kind gets a clear Chinese message and leaves the database unchanged."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from gaizao.core.errors import AppError
from gaizao.core.tabular import reader
from gaizao.ledger.importing.validate import parse_file
from gaizao.ledger.models import Building, Household, Person
from tests.ledger.importing.conftest import (
    HOUSEHOLD_HEADER, PERSON_HEADER, Ledger, cid, household_row, run_ledger, three_households,
)

# ledger.xls: an Excel 97-2003 workbook written once with xlwt 1.3 (not a dependency): a merged
# title row, the template header, households XLS-01 (吴六) and XLS-02 (郑七), two members of XLS-01.
FIXTURES = Path(__file__).parent / "fixtures"


def _counts():
    return Household.objects.count(), Building.objects.count(), Person.objects.count()


@pytest.fixture
def refused(cast):
    """``refused(path)``: the import exits 1 with a message, nothing written; returns the message."""

    def _refused(path) -> str:
        before = _counts()
        result = run_ledger("import", path, "--project", "P001", "--json")
        assert result.code == 1, result
        assert result.stdout == ""
        assert _counts() == before
        return result.stderr

    return _refused


def test_a_word_document_renamed_xlsx(tmp_path, refused):
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "Word 文档" in refused(path)


def test_an_empty_file(tmp_path, refused):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "是空的" in refused(path)


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.7 not a sheet", "PDF"),
    (b"just some text that is not a workbook" * 10, "内容不是 Excel 工作簿"),
    (b"PK\x03\x04broken zip", "已损坏"),
])
def test_files_that_are_not_workbooks(tmp_path, refused, content, message):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    assert message in refused(path)


def test_a_truncated_workbook(tmp_path, refused, ledger_file):
    good = ledger_file(three_households()).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert "已损坏" in refused(path)


def test_a_sheet_without_a_recognisable_header_says_what_was_expected(tmp_path, refused):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["序号", "名字", "金额"])
    workbook.active.append([1, "张三", 100])
    path = tmp_path / "other.xlsx"
    workbook.save(path)
    message = refused(path)
    assert "找不到住户表头" in message and "「Sheet1」" in message
    for header in ("户号", "户主姓名", "户主身份证号", "合法面积（㎡）"):
        assert header in message


def test_a_password_protected_workbook(tmp_path, refused):
    # Excel keeps an encrypted .xlsx in an OLE2 compound file with these two streams.
    header = reader.OLE_SIGNATURE + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 484
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
                         for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    path = tmp_path / "locked.xlsx"
    path.write_bytes(header + directory + b"\x00" * 4096)
    message = refused(path)
    assert "密码" in message and "加密" in message


def test_a_file_over_50_mb_is_refused_before_it_is_read(tmp_path, refused):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as handle:  # sparse: 51 MB on paper, nothing on disk
        handle.truncate(51 * 1024 * 1024)
    message = refused(path)
    assert "有 51 MB，超过单次导入上限 50 MB" in message


def test_the_size_limit_is_a_setting_of_the_reader(tmp_path, refused, ledger_file, monkeypatch):
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024)
    assert "超过单次导入上限 1 KB" in refused(ledger_file(three_households()))


def test_too_many_rows(refused, ledger_file, settings):
    settings.GAIZAO_IMPORT_MAX_ROWS = 2
    ledger = Ledger(households=[household_row(f"R-{i}", "行多", i) for i in range(60)])
    assert "超过单次导入上限 2 行" in refused(ledger_file(ledger))


def test_ten_thousand_bad_rows_are_all_reported_and_nothing_is_written(cast, ledger_file):
    rows = []
    for i in range(10_000):
        row = household_row(f"B-{i:05d}", "错误", i % 1000, building="1")
        good = row[2]
        row[2] = good[:17] + ("0" if good[17] != "0" else "1")  # a wrong check digit on every row
        rows.append(row)
    before = _counts()
    result = run_ledger("import", ledger_file(Ledger(households=rows)), "--project", "P001", "--json")
    assert result.code == 2
    report = result.json
    assert len(report["rejected"]) == 10_000
    assert [item["row"] for item in report["rejected"]] == list(range(2, 10_002))
    assert {item["column"] for item in report["rejected"]} == {"户主身份证号"}
    assert all("校验位" in item["reason"] for item in report["rejected"])
    assert report["households"] == 10_000 and report["new"] == 0
    assert _counts() == before


def _set_cached_values(path: Path, values: dict[str, str]) -> None:
    """Give openpyxl's formulas the cached results Excel would have saved."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    for cell, value in values.items():
        xml = re.sub(rf'(<c r="{cell}"[^>]*>.*?<f>[^<]*</f>)<v\s*/?>(?:</v>)?', rf"\1<v>{value}</v>", xml)
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_formulas_with_cached_values_are_read(cast, ledger_file):
    ledger = Ledger(households=[household_row("F-1", "公式", 1, **{"合法面积（㎡）": "=100+20.5", "家庭人数": "=1+2"})])
    path = ledger_file(ledger)
    _set_cached_values(path, {"N2": "120.5", "H2": "3"})
    parsed = parse_file(path)
    assert parsed.errors == []
    household = parsed.households["F-1"]
    assert household.values["member_count"] == 3
    assert str(household.buildings[0].values["legal_area"]) == "120.50"


def test_a_formula_without_a_cached_value_is_a_row_error(cast, ledger_file):
    ledger = Ledger(households=[household_row("F-1", "公式", 1, **{"合法面积（㎡）": "=SUM(1,2)"}),
                                household_row("F-2", "正常", 2)])
    before = _counts()
    result = run_ledger("import", ledger_file(ledger), "--project", "P001", "--json")
    assert result.code == 2
    [error] = result.json["rejected"]
    assert error["row"] == 2 and error["column"] == "合法面积（㎡）" and "公式" in error["reason"]
    assert _counts() == before


def test_an_error_value_cell_is_a_row_error(cast, ledger_file, tmp_path):
    path = ledger_file(Ledger(households=[household_row("E-1", "错误值", 1)]))
    workbook = openpyxl.load_workbook(path)
    cell = workbook["住户房屋"]["N2"]
    cell.value, cell.data_type = "#DIV/0!", "e"
    workbook.save(path)
    parsed = parse_file(path)
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "合法面积（㎡）")]
    assert "#DIV/0!" in parsed.errors[0].reason


def test_merged_cells_everywhere(cast, ledger_file):
    """A title, a two-level header with group cells, a header merged over two rows, household cells
    merged over their buildings, a building cell merged over two rows and a merged note line."""
    header = list(HOUSEHOLD_HEADER)
    group = ["住户信息"] + [None] * 7 + ["房屋信息"] + [None] * 7
    top, bottom = list(header), list(header)
    top[0] = "户号"  # 户号 is merged over both header rows
    bottom[0] = None
    first = household_row("M-1", "合并", 11, building="1", 结构="框架")
    second = [None] * 8 + household_row("M-1", "合并", 11, building="2", legal=60)[8:]
    second[9] = None  # 结构 merged with the row above
    third = household_row("M-2", "另一户", 12)
    ledger = Ledger(households=[first, second, third],
                    above=[["东湖村住户台账"], group, top[:1] + [None] * 15])
    ledger.household_header = bottom
    ledger.below = [["注：本表由东湖街道填报。"]]
    path = ledger_file(ledger, merges=["A1:P1", "A2:H2", "I2:P2", "A3:A4", *(f"{c}5:{c}6" for c in "ABCDEFGHJ"),
                                       "A8:P8"])
    parsed = parse_file(path)
    assert parsed.errors == []
    household = parsed.households["M-1"]
    assert [b.number for b in household.buildings] == ["1", "2"]
    assert [b.values["structure"] for b in household.buildings] == ["frame", "frame"]
    assert list(parsed.households) == ["M-1", "M-2"]


def test_an_xls_workbook_is_read(cast, tmp_path):
    path = tmp_path / "旧版台账.xls"
    shutil.copy(FIXTURES / "ledger.xls", path)
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 0, result
    assert result.json | {"rejected": []} == {"new": 2, "changed": 0, "unchanged": 0, "rejected": [],
                                              "households": 2, "buildings": 2, "persons": 2, "warnings": []}
    household = Household.objects.get(project=cast.project_a, number="XLS-02")
    assert (household.land_type, household.use, household.member_count) == ("state", "mixed", 4)
    assert household.buildings.get().unlicensed_area == pytest.approx(15.5)


def test_an_xls_renamed_xlsx_is_still_read(cast, tmp_path):
    path = tmp_path / "renamed.xlsx"
    shutil.copy(FIXTURES / "ledger.xls", path)
    assert len(parse_file(path).households) == 2


def _ods(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    def cell(value):
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        if value is None:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def test_an_ods_workbook_is_read(cast, tmp_path):
    ledger = three_households()
    path = _ods(tmp_path / "台账.ods", [("住户房屋", [HOUSEHOLD_HEADER, *ledger.households]),
                                        ("家庭成员", [PERSON_HEADER, *ledger.persons])])
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 0, result
    assert (result.json["new"], result.json["buildings"], result.json["persons"]) == (3, 4, 3)


def _csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_csv_file_in_utf8_or_gbk(cast, tmp_path, encoding):
    ledger = three_households()
    path = tmp_path / "台账.csv"
    path.write_bytes(_csv_text([HOUSEHOLD_HEADER, *ledger.households]).encode(encoding))
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 0, result
    assert (result.json["new"], result.json["buildings"]) == (3, 4)
    assert Household.objects.get(project=cast.project_a, number="DH-101").head_name == "赵一"


def test_a_binary_file_named_csv(tmp_path, refused):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    assert "CSV" in refused(path)


def test_an_unsupported_extension(tmp_path, refused):
    path = tmp_path / "ledger.txt"
    path.write_text("户号,户主姓名\n", encoding="utf-8")
    assert ".xlsx" in refused(path)


def test_file_level_errors_are_app_errors_with_fields(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(AppError) as caught:
        parse_file(path)
    assert caught.value.fields == {"file": caught.value.message}


def test_an_id_typed_as_a_number(cast, ledger_file):
    ledger = Ledger(households=[household_row("N-1", "数字", 1, 户主身份证号=float(cid(1)))])
    [error] = parse_file(ledger_file(ledger)).errors
    assert "存成了数字" in error.reason
