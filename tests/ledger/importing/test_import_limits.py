"""Resource limits of an upload: a sheet above GAIZAO_IMPORT_MAX_ROWS is refused before it is parsed.

The workbooks are small files whose sheets reach far: many short rows, a lying or missing
``<dimension>``, or two cells a million rows apart (calamine would build the whole grid between
them). Each is refused with a message naming the sheet and the limit, by the ledger import (command
line and upload page's job) and by the stage dates import, which share the reader.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaizao.core import sheetscan
from gaizao.core.errors import AppError
from gaizao.core.tabular import reader
from gaizao.core.tabular.headers import column_letter
from gaizao.ledger.importing.engine import ledger_import_preview
from gaizao.progress.importing import events_import
from tests.ledger.importing.conftest import HOUSEHOLD_HEADER, Ledger, household_row, run_ledger

LIMIT = 1_000
SHEET = "住户房屋"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.GAIZAO_IMPORT_MAX_ROWS = LIMIT


def _cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def write_xlsx(path: Path, rows: dict[int, list], *, dimension: str | None) -> Path:
    """A minimal workbook written by hand: ``rows`` maps a sheet row number to its cells from A."""
    body = []
    for number in sorted(rows):
        cells = "".join(_cell(f"{column_letter(i)}{number}", v) for i, v in enumerate(rows[number]) if v is not None)
        body.append(f'<row r="{number}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">{dim}<sheetData>'
            + "".join(body) + "</sheetData></worksheet>"))
    return path


def _many(count: int) -> dict[int, list]:
    rows = {1: list(HOUSEHOLD_HEADER)}
    for i in range(count):
        rows[i + 2] = household_row(f"R-{i}", "行多", i % 1000)
    return rows


def _refusal(path: Path) -> str:
    result = run_ledger("import", path, "--project", "P001", "--json")
    assert result.code == 1 and result.stdout == ""
    return result.stderr


def test_a_sheet_with_more_rows_than_the_limit_is_refused_naming_the_sheet_and_the_limit(cast, tmp_path):
    path = write_xlsx(tmp_path / "多.xlsx", _many(5_000), dimension="A1:P5001")
    assert path.stat().st_size < 1_000_000  # a modest file
    assert "工作表「住户房屋」有 5,001 行，超过单次导入上限 1,000 行" in _refusal(path)


def test_the_guard_refuses_it_before_calamine_parses_the_sheet(tmp_path):
    path = write_xlsx(tmp_path / "多.xlsx", _many(5_000), dimension="A1:P5001")
    with pytest.raises(AppError, match="超过单次导入上限 1,000 行"):
        reader._XlsxGuard(path).check([SHEET])


def test_a_sheet_that_hides_its_rows_behind_a_small_dimension_is_refused(cast, tmp_path):
    path = write_xlsx(tmp_path / "谎报.xlsx", _many(5_000), dimension="A1:P2")
    assert "工作表「住户房屋」的行数超过单次导入上限 1,000 行" in _refusal(path)


def test_two_cells_a_million_rows_apart_are_refused_without_a_dimension(cast, tmp_path):
    rows = {1: list(HOUSEHOLD_HEADER), 2: household_row("R-1", "甲", 1), 1_000_001: [None] * 19 + ["x"]}
    path = write_xlsx(tmp_path / "稀疏.xlsx", rows, dimension=None)
    assert path.stat().st_size < 10_000
    with pytest.raises(AppError, match="超过单次导入上限 1,000 行"):
        reader._XlsxGuard(path).check([SHEET])
    assert "超过单次导入上限 1,000 行" in _refusal(path)


def test_a_cell_far_to_the_right_is_refused(cast, tmp_path):
    rows = {1: list(HOUSEHOLD_HEADER), 2: household_row("R-1", "甲", 1)}
    rows[3] = [None] * 16383 + ["x"]  # column XFD, the last Excel has
    path = write_xlsx(tmp_path / "宽.xlsx", rows, dimension=None)
    assert "有 16384 列，超过单次导入上限 100 列" in _refusal(path)


def test_a_sheet_at_the_limit_still_imports(cast, tmp_path):
    path = write_xlsx(tmp_path / "刚好.xlsx", _many(LIMIT), dimension=f"A1:P{LIMIT + 1}")
    plan = ledger_import_preview(actor=cast.street_user_a, project_code="P001", path=path)
    assert len(plan.new) == LIMIT and plan.errors == []


def test_an_openpyxl_workbook_over_the_limit_is_refused(cast, ledger_file):
    ledger = Ledger(households=[household_row(f"R-{i}", "行多", i % 1000) for i in range(LIMIT + 60)])
    assert "超过单次导入上限 1,000 行" in _refusal(ledger_file(ledger))


def test_a_csv_over_the_limit_is_refused(cast, tmp_path):
    path = tmp_path / "多.csv"
    lines = [",".join(HOUSEHOLD_HEADER)] + [",".join(str(v) for v in household_row(f"R-{i}", "行多", i % 1000))
                                            for i in range(5_000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert "工作表「多」的行数超过单次导入上限 1,000 行" in _refusal(path)


def test_the_stage_dates_import_is_refused_too(cast, tmp_path):
    rows = {1: ["户号", "签约日期"], **{i + 2: [f"DH-{i}", "2026-03-01"] for i in range(5_000)}}
    path = write_xlsx(tmp_path / "日期.xlsx", rows, dimension="A1:B5001")
    with pytest.raises(AppError, match="工作表「住户房屋」有 5,001 行，超过单次导入上限 1,000 行"):
        events_import(actor=cast.street_user_a, project_code="P001", path=path)


def test_an_upload_page_job_over_the_limit_fails_with_the_message(cast, login_as, tmp_path, settings, monkeypatch):
    from django.urls import reverse

    from gaizao.ledger.importing import jobs
    from gaizao.ledger.models import ImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(jobs, "start", lambda job_id, runner: runner(job_id))
    client = login_as(cast.street_user_a)
    path = write_xlsx(tmp_path / "多.xlsx", _many(5_000), dimension="A1:P5001")
    with open(path, "rb") as handle:
        response = client.post(reverse("ledger:import_start"), {"project": "P001", "file": handle})
    job = ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == ImportJob.Status.FAILED
    assert "超过单次导入上限 1,000 行" in job.error_message
    assert job.stored_path == ""



# --- an import interrupted by a crash ------------------------------------------------------------

def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running_job(cast, media: Path, *, status="previewing", **worker) -> "ImportJob":
    import uuid

    from gaizao.ledger.models import ImportJob

    job_id = uuid.uuid4()
    stored = media / "imports" / f"{job_id.hex}.xlsx"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"440106198001010010")  # an upload holds plain ID numbers
    return ImportJob.objects.create(id=job_id, actor=cast.street_user_a, project=cast.project_a,
                                    filename="台账.xlsx", stored_path=f"imports/{stored.name}", status=status,
                                    **worker)


def test_a_job_of_a_dead_process_is_failed_at_start_up_and_its_upload_deleted(cast, media):
    from gaizao.core.models import AuditEntry
    from gaizao.ledger.importing import jobs
    from gaizao.ledger.models import ImportJob

    me = jobs.this_worker()
    dead = _running_job(cast, media, status="applying", worker_host=me.host, worker_pid=_dead_pid(),
                        worker_token=me.token)
    reused = _running_job(cast, media, worker_host=me.host, worker_pid=me.pid, worker_token="another-start")
    live = _running_job(cast, media, **me.fields())
    elsewhere = _running_job(cast, media, worker_host="app-2.example", worker_pid=_dead_pid(), worker_token="x")

    assert jobs.import_jobs_recover() == 2

    for job in (dead, reused):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and "服务进程意外停止" in job.error_message
        assert job.stored_path == "" and not list((media / "imports").glob(f"{job.pk.hex}*"))
        entry = AuditEntry.objects.get(action="ledger.import_interrupted", object_id=str(job.pk))
        assert entry.actor_id is None
    for job in (live, elsewhere):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.PREVIEWING
        assert (media / job.stored_path).exists()


def test_the_server_start_recovers_interrupted_jobs(cast, media):
    import io

    from django.apps import apps

    from gaizao.ledger.importing import jobs
    from gaizao.ledger.models import ImportJob

    me = jobs.this_worker()
    job = _running_job(cast, media, worker_host=me.host, worker_pid=_dead_pid(), worker_token=me.token)
    out = io.StringIO()
    apps.get_app_config("ledger").on_server_start(stdout=out)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "1 个导入任务" in out.getvalue()



def _reaches_far(letters: str, digits: str, limit: int) -> tuple[bool, str | None]:
    """What the guard's pattern means, written out: a column past CZ (three letters, or two from D),
    or a row whose digits say it is past ``limit`` (more digits, or a larger first or second digit)."""
    if len(letters) == 3 or (len(letters) == 2 and letters[0] >= "D"):
        return True, letters
    if len(letters) > 3:
        return False, None  # no reference of Excel's: not the guard's to judge
    bound = str(limit)
    longer = len(digits) > len(bound)
    return longer or (len(digits) == len(bound) and (digits[0], digits[1]) > (bound[0], bound[1])), None


@settings(max_examples=400, deadline=None)
@given(letters=st.text(alphabet="ABCDXZ", max_size=4), digits=st.text(alphabet="0123456789", min_size=1, max_size=8),
       limit=st.sampled_from([1_050, 20_050, 200_050, 99_050, 1_000_050]), quote=st.sampled_from(['"', "'"]))
def test_the_guards_pattern_finds_exactly_the_far_references(letters, digits, limit, quote):
    text = f'<row r="1"><c r={quote}{letters}{digits}{quote} s="1"><v>1</v></c></row>'.encode()
    match = sheetscan.far_reference(limit).search(text)
    far, column = _reaches_far(letters, digits, limit)
    assert bool(match) == far
    assert (match.group("column").decode() if match and match.group("column") else None) == column


@pytest.fixture
def split(monkeypatch):
    """Every sheet is scanned in two parts, its back by a second process (a large sheet's way); the
    list holds that process's answers."""
    monkeypatch.setattr(sheetscan, "SPLIT_MIN_BYTES", 0)
    answers = []
    found = sheetscan.Back.found
    monkeypatch.setattr(sheetscan.Back, "found", lambda self: answers.append(found(self)) or answers[-1])
    return answers


FAR_IN_THE_BACK = [
    ({1_200: ["x"]}, "工作表「住户房屋」的行数超过单次导入上限 1,000 行"),
    ({801: [None] * 16383 + ["x"]}, "工作表「住户房屋」有 16384 列，超过单次导入上限 100 列"),
]


@pytest.mark.parametrize("far, message", FAR_IN_THE_BACK, ids=["row", "column"])
def test_a_large_sheet_is_refused_for_what_its_back_holds(split, tmp_path, far, message):
    path = write_xlsx(tmp_path / "后半.xlsx", {**_many(800), **far}, dimension=None)
    with pytest.raises(AppError, match=message):
        reader._XlsxGuard(path).check([SHEET])
    assert len(split) == 1 and (split[0].far_row or split[0].column)  # found by the second process


def test_a_large_sheet_within_the_limit_is_read_in_two_parts_and_imports(split, cast, tmp_path):
    rows = _many(800)
    assert reader._XlsxGuard(write_xlsx(tmp_path / "干净.xlsx", rows, dimension=None)).check([SHEET]) == set()
    rows[801][4] = "f>"  # an address that looks like a formula's end tag, in the back: the formula scan reads it
    path = write_xlsx(tmp_path / "公式.xlsx", rows, dimension=None)
    assert reader._XlsxGuard(path).check([SHEET]) == {SHEET}
    assert [found.marker for found in split] == [False, True]
    plan = ledger_import_preview(actor=cast.street_user_a, project_code="P001", path=path)
    assert len(plan.new) == 800


@pytest.mark.parametrize("far, message", FAR_IN_THE_BACK, ids=["row", "column"])
def test_without_the_second_process_the_back_is_read_here(split, tmp_path, monkeypatch, far, message):
    monkeypatch.setattr(sys, "executable", "/bin/false")
    path = write_xlsx(tmp_path / "后半.xlsx", {**_many(800), **far}, dimension=None)
    with pytest.raises(AppError, match=message):
        reader._XlsxGuard(path).check([SHEET])
    assert split == [None]
