"""A street officer keeps the ledger in Excel: template → fill → upload → preview → error report →
fix → upload again → confirm → the households are in the list; the same file again changes nothing."""

from __future__ import annotations

import openpyxl
import pytest

from gaizao.ledger.models import Household
from tests.browser.conftest import nav, screenshot
from tests.conftest import PASSWORD
from tests.ledger.importing.conftest import cid

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media")]

GOOD_ID = cid(402)
BAD_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")  # wrong check digit
HOUSEHOLDS = [
    {"户号": "DH-401", "户主姓名": "黄一", "户主身份证号": cid(401), "联系电话": "13900000401", "土地性质": "集体土地",
     "用途": "住宅", "家庭人数": 2, "房屋编号": "1", "结构": "砖混", "层数": 3, "合法面积（㎡）": 120.5, "认定结果": "合法"},
    {"户号": "DH-402", "户主姓名": "林二", "户主身份证号": BAD_ID, "联系电话": "13900000402", "土地性质": "集体土地",
     "用途": "住宅", "家庭人数": 3, "房屋编号": "1", "结构": "框架", "层数": 2, "合法面积（㎡）": 88, "认定结果": "合法"},
    {"户号": "DH-403", "户主姓名": "何三", "户主身份证号": cid(403), "联系电话": "13900000403", "土地性质": "国有土地",
     "用途": "非住宅", "家庭人数": 1, "房屋编号": "1", "结构": "砖木", "层数": 1, "合法面积（㎡）": 45.25,
     "认定结果": "待认定"},
]


def _sign_in(page, base: str) -> None:
    page.goto(base + "/account/login/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _fill_template(path) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["住户房屋"]
    headers = [cell.value for cell in sheet[1]]
    for number, household in enumerate(HOUSEHOLDS, start=2):
        for header, value in household.items():
            sheet.cell(row=number, column=headers.index(header) + 1, value=value)
    workbook.save(path)


def _upload(page, base: str, path, *, shot: str = "") -> None:
    page.goto(base + "/ledger/import/?project=P001")
    page.get_by_label("导入到项目").select_option("P001")
    page.get_by_label("台账文件").set_input_files(str(path))
    if shot:
        screenshot(page, shot)
    page.get_by_test_id("upload").click()
    page.get_by_test_id("import-summary").wait_for()  # the preview replaces the progress bar


def _count(page, name: str) -> str:
    return page.get_by_test_id(f"count-{name}").inner_text().strip()


def test_street_user_imports_the_ledger_from_excel(cast, live_server, page, tmp_path):
    base = live_server.url
    _sign_in(page, base)

    # The household list has the Excel buttons; the import page offers the template.
    nav(page, "住户台账").click()
    page.get_by_test_id("import-link").click()
    page.wait_for_url(base + "/ledger/import/")
    with page.expect_download() as info:
        page.get_by_test_id("template-download").click()
    download = info.value
    assert download.suggested_filename == "住户台账导入模板.xlsx"
    ledger = tmp_path / "东湖村台账.xlsx"
    download.save_as(ledger)
    _fill_template(ledger)

    # Upload: the preview shows two new households and the rejected row with its reason.
    _upload(page, base, ledger, shot="import-upload")
    assert (_count(page, "new"), _count(page, "rejected")) == ("2", "1")
    rejected = page.get_by_test_id("rejected-table").inner_text()
    assert "DH-402" in rejected and "户主身份证号" in rejected and "校验位" in rejected
    assert page.get_by_test_id("confirm").is_disabled()
    assert "仅导入有效的 2 户" in page.get_by_test_id("confirm-skip-invalid").inner_text()
    assert cid(401) not in page.content()  # numbers masked in the preview
    screenshot(page, "import-preview-rejected")

    # The error report names the row; fix it in the file.
    with page.expect_download() as info:
        page.get_by_test_id("error-report").click()
    report = tmp_path / "错误清单.xlsx"
    info.value.save_as(report)
    rows = list(openpyxl.load_workbook(report)["错误清单"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    _sheet, row_number, household, column, reason = rows[0]
    assert (household, column) == ("DH-402", "户主身份证号") and "校验位" in reason
    workbook = openpyxl.load_workbook(ledger)
    sheet = workbook["住户房屋"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=row_number, column=headers.index(column) + 1, value=GOOD_ID)
    workbook.save(ledger)
    assert not Household.objects.filter(number__startswith="DH-4").exists()  # nothing written so far

    # Upload the fixed file and confirm.
    _upload(page, base, ledger)
    assert (_count(page, "new"), _count(page, "rejected")) == ("3", "0")
    screenshot(page, "import-preview-ok")
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("job-result").wait_for()
    assert "写入 3 户、3 栋房屋、0 名家庭成员" in page.get_by_test_id("result-text").inner_text()
    screenshot(page, "import-result")

    page.get_by_test_id("result-households").click()
    page.wait_for_load_state()
    table = page.get_by_test_id("household-table").inner_text()
    assert all(number in table for number in ("DH-401", "DH-402", "DH-403"))
    assert Household.objects.get(number="DH-402").head_name == "林二"
    screenshot(page, "import-household-list")

    # The same file again: all unchanged, nothing to confirm.
    _upload(page, base, ledger)
    assert (_count(page, "new"), _count(page, "changed"), _count(page, "unchanged")) == ("0", "0", "3")
    assert page.get_by_test_id("nothing-to-do").is_visible()
    screenshot(page, "import-preview-unchanged")


def test_the_job_page_follows_the_progress_and_shows_the_preview_when_ready(cast, live_server, page):
    """htmx polls the job every second; the preview replaces the progress bar without a reload."""
    from gaizao.ledger.models import ImportJob

    job = ImportJob.objects.create(actor=cast.street_user_a, project=cast.project_a, filename="大文件.xlsx",
                                   status=ImportJob.Status.PREVIEWING, stage="read", done=40_000, total=100_000)
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/ledger/import/jobs/{job.pk}/")
    assert "40,000 / 100,000 · 40%" in page.get_by_test_id("progress-text").inner_text()
    screenshot(page, "import-progress")
    ImportJob.objects.filter(pk=job.pk).update(done=90_000)
    page.get_by_text("90,000 / 100,000 · 90%").wait_for()
    summary = {"new": 1, "changed": 0, "unchanged": 0, "rejected_households": 0, "households": 1, "buildings": 1,
               "persons": 0, "rejected": [], "warnings": [], "changes": [], "rejected_total": 0,
               "warnings_total": 0, "changes_total": 1}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEWED, summary=summary, fingerprint="f")
    page.get_by_test_id("import-summary").wait_for()
    assert page.get_by_test_id("count-new").inner_text().strip() == "1"
    page.wait_for_timeout(1500)  # polling has stopped: the page stays as it is
    assert page.locator("[hx-trigger^='every']").count() == 0  # (the navbar bell loads once, on load)
