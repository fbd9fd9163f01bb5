"""Stage dates from Excel (从 Excel 导入进度日期): real workbooks written with openpyxl, the ledger
importer's cell rules, all or nothing, rejected rows named — by the command and on the bulk page."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import openpyxl
import pytest
from django.db import transaction
from django.utils import timezone

from gaizao.ledger.models import Building, Household, Project
from gaizao.progress import rollups
from gaizao.progress.importing import events_import
from gaizao.progress.models import StageEvent
from gaizao.progress.services import household_record_event
from tests.progress.helpers import run_progress_command as run

D = dt.date
EXCEL_EPOCH = D(1899, 12, 30)
HEADER = ["户号", "户主姓名", "入户调查日期", "认定日期", "评估日期", "签约日期", "腾空交房日期", "安置日期", "安置方式"]

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def serial(day: dt.date) -> int:
    """The number Excel stores for a date."""
    return (day - EXCEL_EPOCH).days


def workbook(path: Path, rows: list[list], *, header=HEADER, titles=(("东湖村一期住户进度台账",), ("填报单位：东湖街道",)),
             below=()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "进度"
    for row in [*titles, header, *rows, *below]:
        sheet.append(list(row))
    book.save(path)
    return path


def fresh(household) -> Household:
    return Household.objects.get(pk=household.pk)


# --- reading what people write ----------------------------------------------------------------------

def test_dates_in_every_form_people_write_are_recorded_in_funnel_order(cast, tmp_path):
    path = workbook(tmp_path / "进度.xlsx", [
        # full-width 户号, an Excel serial date, 2026.03.05, 2026年3月6日, full-width digits
        ["ＤＨ－００１", "李四", serial(D(2026, 3, 1)), "2026.03.05", "2026年3月6日", "２０２６－０４－０１", None, None, None],
        ["DH-002", "张三", "2026-03-02", None, None, None, None, None, None],
    ], below=[("合计", "2户"), ("填表人：王东湖",)])
    code, out, err = run("import", path, "--project", "P001", "--json")
    assert code == 0, err
    assert json.loads(out) == {"recorded": 5, "unchanged": 0, "rejected": []}
    a1, a2 = fresh(cast.household_a1), fresh(cast.household_a2)
    assert (a1.stage, a1.surveyed_on, a1.decided_on, a1.valued_on, a1.signed_on) == (
        "signed", D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 6), D(2026, 4, 1))
    assert (a2.stage, a2.surveyed_on) == ("surveyed", D(2026, 3, 2))
    kinds = list(StageEvent.objects.filter(household=a1).order_by("id").values_list("kind", flat=True))
    assert kinds == ["surveyed", "decided", "valued", "signed"]
    assert StageEvent.objects.filter(note="由 Excel 导入（进度.xlsx）").count() == 5


def test_the_same_file_again_changes_nothing(cast, tmp_path):
    path = workbook(tmp_path / "进度.xlsx", [["DH-001", "李四", "2026-03-01", "2026-03-02", None, None, None, None, None]])
    assert run("import", path, "--project", "P001", "--json")[0] == 0
    version = fresh(cast.household_a1).version
    code, out, _err = run("import", path, "--project", "P001", "--json")
    assert code == 0 and json.loads(out) == {"recorded": 0, "unchanged": 2, "rejected": []}
    assert fresh(cast.household_a1).version == version and StageEvent.objects.count() == 2
    code, out, _err = run("import", path, "--project", "P001")
    assert "没有需要记录的新日期（2 个日期与已记录的相同）" in out


def test_header_synonyms_are_understood(cast, tmp_path):
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed", on_date=D(2026, 3, 1))
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="decided", on_date=D(2026, 3, 2))
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="valued", on_date=D(2026, 3, 3))
    path = workbook(tmp_path / "s.xlsx", [["DH-001", "2026-03-01", "2026-04-01", "2026-05-01"]],
                    header=["户 号", "调查日期", "签约时间", "交房日期"], titles=())
    code, out, err = run("import", path, "--project", "P001", "--json")
    assert code == 0, err
    assert json.loads(out) == {"recorded": 2, "unchanged": 1, "rejected": []}
    assert fresh(cast.household_a1).stage == "vacated"


def test_resettlement_needs_its_mode_and_takes_the_chinese_label(cast, tmp_path):
    row = ["DH-001", "李四", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    path = workbook(tmp_path / "a.xlsx", [[*row, None]])
    code, out, _err = run("import", path, "--project", "P001", "--json")
    assert code == 2
    assert json.loads(out)["rejected"] == [{"row": 4, "household": "DH-001", "column": "安置方式",
                                            "reason": "记录安置须填写安置方式（货币补偿、产权调换或回迁）。"}]
    path = workbook(tmp_path / "b.xlsx", [[*row, "货币补偿"]])
    assert run("import", path, "--project", "P001")[0] == 0
    household = fresh(cast.household_a1)
    assert (household.stage, household.resettlement_mode) == ("resettled", "money")


# --- rejected rows: nothing written ----------------------------------------------------------------

def test_a_date_different_from_the_recorded_one_is_rejected_and_nothing_is_written(cast, tmp_path):
    for kind, day in (("surveyed", 1), ("decided", 2), ("valued", 3), ("signed", 4)):
        household_record_event(actor=cast.admin, household=cast.household_a1, kind=kind, on_date=D(2026, 3, day))
    path = workbook(tmp_path / "x.xlsx", [
        ["DH-001", "李四", None, None, None, "2026-03-09", None, None, None],
        ["DH-002", "张三", "2026-03-01", None, None, None, None, None, None],
    ])
    code, out, err = run("import", path, "--project", "P001", "--json")
    assert code == 2 and "有 1 行被拒绝，没有写入任何记录" in err
    assert json.loads(out) == {"recorded": 0, "unchanged": 0, "rejected": [{
        "row": 4, "household": "DH-001", "column": "签约日期",
        "reason": "已记录签约日期 2026-03-04，文件为 2026-03-09；如需改正请在住户页更正。"}]}
    assert fresh(cast.household_a2).stage == "registered"  # the good row was not written either
    assert StageEvent.objects.count() == 4


def test_service_refusals_are_rejected_rows_naming_row_household_column_and_reason(cast, tmp_path):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=D(2026, 4, 1), signing_end=D(2026, 6, 30))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    path = workbook(tmp_path / "x.xlsx", [
        ["DH-001", "李四", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-20", None, None, None],  # before the period
        ["DH-002", "张三", "2026-03-05", "2026-03-04", None, None, None, None, None],  # decided before surveyed
        ["DH-404", "无此户", "2026-03-01", None, None, None, None, None, None],
        ["DH-002", "张三", tomorrow.isoformat(), None, None, None, None, None, None],  # conflicts with row 5
        ["", "无户号", "2026-03-01", None, None, None, None, None, None],
        ["DH-001", "李四", None, None, None, None, "下周", None, None],
    ])
    code, out, _err = run("import", path, "--project", "P001", "--json")
    assert code == 2
    rejected = json.loads(out)["rejected"]
    assert {"row": 4, "household": "DH-001", "column": "签约日期",
            "reason": "签约日期 2026-03-20 早于项目签约期开始日 2026-04-01。"} in rejected
    assert {"row": 5, "household": "DH-002", "column": "认定日期",
            "reason": "认定日期 2026-03-04 早于入户调查日期 2026-03-05。"} in rejected
    assert {"row": 6, "household": "DH-404", "column": "户号", "reason": "户号 DH-404 不在项目 P001 中。"} in rejected
    assert any(r["row"] == 7 and r["column"] == "入户调查日期" and "不一致" in r["reason"] for r in rejected)
    assert {"row": 8, "household": "", "column": "户号", "reason": "户号不能为空。"} in rejected
    assert any(r["row"] == 9 and r["column"] == "腾空交房日期" and "不是可识别的日期" in r["reason"] for r in rejected)
    assert [r["row"] for r in rejected] == sorted(r["row"] for r in rejected)
    assert StageEvent.objects.count() == 0


def test_a_future_date_is_a_rejected_row(cast, tmp_path):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    path = workbook(tmp_path / "x.xlsx", [["DH-001", "李四", tomorrow, None, None, None, None, None, None]])
    code, out, _err = run("import", path, "--project", "P001", "--json")
    assert code == 2
    reason = json.loads(out)["rejected"][0]["reason"]
    assert "晚于今天" in reason and "不能预先记录" in reason


def test_dry_run_writes_nothing_and_says_what_it_would_do(cast, tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["DH-001", "李四", "2026-03-01", "2026-03-02", None, None, None, None, None]])
    code, out, _err = run("import", path, "--project", "P001", "--dry-run")
    assert code == 0 and "将记录 2 条进度" in out and "没有写入" in out
    assert StageEvent.objects.count() == 0


# --- file errors: exit 1 ----------------------------------------------------------------------------

def test_a_file_that_is_not_a_workbook_exits_1(cast, tmp_path):
    path = tmp_path / "进度.xlsx"
    path.write_text("这不是表格")
    code, _out, err = run("import", path, "--project", "P001")
    assert code == 1 and "不是 Excel 工作簿" in err


def test_a_sheet_without_the_header_exits_1_naming_the_columns(cast, tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["DH-001", "李四"]], header=["户号", "户主姓名"])
    code, _out, err = run("import", path, "--project", "P001")
    assert code == 1 and "找不到表头" in err and "签约日期" in err


def test_another_streets_project_is_refused(cast, tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["XL-001", "王五", "2026-03-01", None, None, None, None, None, None]])
    code, _out, err = run("import", path, "--project", "P002", "--user", "street_a")
    assert code == 1 and "项目 P002 不存在或你无权记录其进度" in err
    assert StageEvent.objects.count() == 0


# --- speed --------------------------------------------------------------------------------------------

def test_three_thousand_households_take_seconds(cast, tmp_path):
    project = cast.project_a
    village = project.village
    rows = [Household(project=project, street_id=village.street_id, village=village, number=f"K-{i:05d}",
                      head_name=f"户{i}", head_id_number=None, phone=None) for i in range(3000)]
    made = Household.objects.bulk_create(rows, batch_size=1000)
    Building.objects.bulk_create([Building(household=h, number="1", legality="legal") for h in made], batch_size=1000)
    with transaction.atomic():
        rollups.households_added([h.pk for h in made])
    data = [[f"K-{i:05d}", f"户{i}", D(2026, 3, 1) + dt.timedelta(days=i % 20),
             D(2026, 4, 1) + dt.timedelta(days=i % 15), D(2026, 5, 1) + dt.timedelta(days=i % 10),
             None, None, None, None] for i in range(3000)]
    path = workbook(tmp_path / "big.xlsx", data)
    started = time.monotonic()
    result = events_import(actor=cast.street_user_a, project_code="P001", path=path)
    elapsed = time.monotonic() - started
    assert (result.recorded, result.rejected, result.written) == (9000, [], True)
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert Household.objects.filter(number__startswith="K-", stage="valued").count() == 3000


# --- the bulk page --------------------------------------------------------------------------------

def test_the_bulk_page_imports_and_shows_the_result(cast, login_as, tmp_path):
    path = workbook(tmp_path / "进度.xlsx", [["DH-001", "李四", "2026-03-01", None, None, None, None, None, None]])
    client = login_as(cast.street_user_a)
    with open(path, "rb") as handle:
        response = client.post("/progress/record/import/", {"project": "P001", "file": handle})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-recorded">1<' in html and "已从「进度.xlsx」导入 1 条进度记录" in html
    assert fresh(cast.household_a1).stage == "surveyed"


def test_the_bulk_page_lists_rejected_rows_and_writes_nothing(cast, login_as, tmp_path):
    path = workbook(tmp_path / "进度.xlsx", [
        ["DH-001", "李四", "2026-03-01", None, None, None, None, None, None],
        ["DH-002", "张三", None, "2026-03-01", None, None, None, None, None],
    ])
    client = login_as(cast.street_user_a)
    with open(path, "rb") as handle:
        response = client.post("/progress/record/import/", {"project": "P001", "file": handle})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="rejected-rows"' in html and "本户尚未记录「入户调查」，不能记录「认定」。" in html
    assert "有被拒绝的行，没有写入任何记录" in html
    assert StageEvent.objects.count() == 0


def test_the_bulk_page_import_refuses_an_unreadable_file(cast, login_as, tmp_path):
    path = tmp_path / "进度.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    client = login_as(cast.street_user_a)
    with open(path, "rb") as handle:
        response = client.post("/progress/record/import/", {"project": "P001", "file": handle})
    assert response.status_code == 400
    assert "「进度.xlsx」是 PDF 文件，不是电子表格；请上传 Excel 文件。" in response.content.decode()
