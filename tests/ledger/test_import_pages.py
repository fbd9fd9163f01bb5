"""The Excel pages: template download, upload → preview → confirm, error report, export.

Each job step runs at once here (django-tasks' ImmediateBackend in the test run, or ``sync_jobs``);
tests/ledger/importing/test_jobs.py runs the real worker, and the browser test walks the whole flow.
"""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.importing import jobs
from gaizao.ledger.models import Building, Household, ImportJob, Person
from tests.ledger.importing.conftest import Ledger, cid, household_row, three_households

START = reverse("ledger:import_start")
Status = ImportJob.Status


pytestmark = pytest.mark.usefixtures("media")


def _counts():
    return Household.objects.count(), Building.objects.count(), Person.objects.count()


def _upload(client, path, *, project="P001"):
    with open(path, "rb") as handle:
        response = client.post(START, {"project": project, "file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def _confirm(client, job, *, skip_invalid=False, fingerprint=None):
    data = {"fingerprint": job.fingerprint if fingerprint is None else fingerprint}
    if skip_invalid:
        data["skip_invalid"] = "1"
    return client.post(reverse("ledger:import_confirm", args=[job.pk]), data, follow=True)


def _workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _with_bad_id() -> Ledger:
    """DH-201 and DH-203 good; DH-202's head has an ID with a wrong check digit (sheet row 3)."""
    bad = cid(202)[:17] + ("0" if cid(202)[17] != "0" else "1")
    return Ledger(households=[
        household_row("DH-201", "周一", 211),
        household_row("DH-202", "吴二", 212, 户主身份证号=bad),
        household_row("DH-203", "郑三", 213),
    ])


# --- who may ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["leader", "cadre", "department_user", "resident", "outsider", "auditor"])
def test_roles_that_do_not_write_ledgers_have_no_import_page(cast, login_as, role):
    client = login_as(getattr(cast, role))
    assert client.get(START).status_code == 404
    assert client.post(START, {"project": "P001"}).status_code == 404


def test_the_upload_page_offers_only_the_projects_the_user_may_write(cast, login_as):
    response = login_as(cast.street_user_a).get(START)
    assert response.status_code == 200
    assert list(response.context["form"].fields["project"].queryset) == [cast.project_a]
    assert 'accept=".xlsx,.xlsm,.xls,.ods,.csv"' in response.content.decode()


def test_another_streets_project_is_404(cast, login_as, tmp_path, sync_jobs):
    client = login_as(cast.street_user_b)
    assert client.get(START, {"project": "P001"}).status_code == 404
    path = three_households().write(tmp_path / "a.xlsx")
    with open(path, "rb") as handle:
        assert client.post(START, {"project": "P001", "file": handle}).status_code == 404
    assert not ImportJob.objects.exists()


def test_a_job_is_seen_by_its_uploader_and_the_admin_only(cast, login_as, client, tmp_path, sync_jobs):
    from tests.conftest import login

    job = _upload(login_as(cast.street_user_a), three_households().write(tmp_path / "a.xlsx"))
    urls = [reverse("ledger:import_job", args=[job.pk]), reverse("ledger:import_errors", args=[job.pk])]
    for user in (cast.street_user_b, cast.commander, cast.leader):
        client.logout()
        login(client, user)
        assert [client.get(url).status_code for url in urls] == [404, 404]
        assert _confirm(client, job).status_code == 404
    client.logout()
    login(client, cast.admin)
    assert client.get(urls[0]).status_code == 200
    assert _confirm(client, job).status_code == 404  # the admin sees it but does not write in another's name
    assert not Household.objects.filter(number="DH-101").exists()


# --- the flow --------------------------------------------------------------------------------

def test_upload_preview_confirm_writes_the_households(cast, login_as, tmp_path, sync_jobs, media):
    client = login_as(cast.street_user_a)
    job = _upload(client, three_households().write(tmp_path / "东湖村台账.xlsx"))
    assert job.status == Status.PREVIEWED and job.actor == cast.street_user_a and job.project == cast.project_a
    assert job.filename == "东湖村台账.xlsx" and job.stored_path.startswith("imports/")
    assert (media / job.stored_path).exists() and job.fingerprint
    assert job.total > 0 and job.done == job.total  # the last progress reached the row
    assert not Household.objects.filter(number__startswith="DH-1").exists()  # a preview writes nothing

    page = client.get(reverse("ledger:import_job", args=[job.pk]))
    html = page.content.decode()
    assert page.context["summary"]["new"] == 3 and page.context["summary"]["rejected_households"] == 0
    assert 'data-testid="count-new">3<' in html and 'data-testid="count-rejected">0<' in html
    assert "确认导入" in html and 'hx-trigger="every' not in html  # done: no more polling
    assert cid(101) not in html and cid(101)[:6] + "********" + cid(101)[-4:] in html  # masked

    page = _confirm(client, job)
    job.refresh_from_db()
    assert job.status == Status.APPLIED and job.result["created"] == 3
    assert Household.objects.filter(project=cast.project_a, number__in=["DH-101", "DH-102", "DH-103"]).count() == 3
    assert Building.objects.filter(household__number="DH-101").count() == 2
    assert Person.objects.filter(household__number="DH-101").count() == 3
    html = page.content.decode()
    assert "导入完成" in html and "写入 3 户、4 栋房屋、3 名家庭成员" in html
    assert f"{reverse('ledger:household_list')}?project={cast.project_a.pk}" in html
    assert job.stored_path == "" and not list((media / "imports").glob("*.xlsx"))  # the upload is gone
    assert AuditEntry.objects.filter(action="ledger.import", actor=cast.street_user_a).count() == 1

    assert _confirm(client, job).status_code == 200  # a second click changes nothing
    assert "已经确认过" in _confirm(client, job).content.decode()
    assert Household.objects.filter(number__startswith="DH-1").count() == 3


def test_rejected_rows_block_confirm_and_the_error_report_lists_them(cast, login_as, tmp_path, sync_jobs):
    client = login_as(cast.street_user_a)
    before = _counts()
    job = _upload(client, _with_bad_id().write(tmp_path / "有错.xlsx"))
    page = client.get(reverse("ledger:import_job", args=[job.pk]))
    html = page.content.decode()
    summary = page.context["summary"]
    assert (summary["new"], summary["rejected_households"]) == (2, 1)
    [error] = summary["rejected"]
    assert (error["row"], error["household"], error["column"]) == (3, "DH-202", "户主身份证号")
    assert "校验位" in error["reason"] and error["reason"] in html
    assert 'data-testid="confirm" disabled' in html and "否则什么都不写入" in html
    assert "仅导入有效的 2 户" in html

    refused = _confirm(client, job)
    assert "文件中有错误，没有写入任何数据" in refused.content.decode()
    assert _counts() == before

    report = client.get(reverse("ledger:import_errors", args=[job.pk]))
    assert report.status_code == 200
    assert "filename*=UTF-8''" + quote("有错 错误清单.xlsx") in report["Content-Disposition"]
    sheet = _workbook(report)["错误清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "户号", "列", "原因")
    assert rows[1][1:4] == (3, "DH-202", "户主身份证号") and "校验位" in rows[1][4]


def test_import_only_the_valid_households(cast, login_as, tmp_path, sync_jobs):
    client = login_as(cast.street_user_a)
    job = _upload(client, _with_bad_id().write(tmp_path / "有错.xlsx"))
    page = _confirm(client, job, skip_invalid=True)
    job.refresh_from_db()
    assert job.status == Status.APPLIED and job.skip_invalid
    assert set(Household.objects.filter(number__startswith="DH-2").values_list("number", flat=True)) == {
        "DH-201", "DH-203"}
    html = page.content.decode()
    assert "有错误的 1 户没有导入" in html
    assert client.get(reverse("ledger:import_errors", args=[job.pk])).status_code == 200  # still there to fix


def test_the_same_file_again_is_all_unchanged(cast, login_as, tmp_path, sync_jobs):
    client = login_as(cast.street_user_a)
    path = three_households().write(tmp_path / "a.xlsx")
    _confirm(client, _upload(client, path))
    versions = list(Household.objects.order_by("id").values_list("version", flat=True))
    again = _upload(client, path)
    page = client.get(reverse("ledger:import_job", args=[again.pk]))
    summary = page.context["summary"]
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 0, 3)
    assert "无需导入" in page.content.decode() and 'data-testid="confirm"' not in page.content.decode()
    assert "没有需要写入的住户" in _confirm(client, again).content.decode()
    assert list(Household.objects.order_by("id").values_list("version", flat=True)) == versions


def test_changes_since_the_preview_are_refused_and_previewed_again(cast, login_as, tmp_path, sync_jobs):
    client = login_as(cast.street_user_a)
    job = _upload(client, three_households().write(tmp_path / "a.xlsx"))
    # Someone registers DH-101 on the web between the preview and the confirmation.
    ledger_services.household_create(actor=cast.admin, project=cast.project_a, number="DH-101", head_name="别人")
    page = _confirm(client, job)
    job.refresh_from_db()
    assert job.status == Status.PREVIEWED and "本次没有写入任何数据" in job.error_message
    assert job.error_message in page.content.decode()
    assert not Household.objects.filter(number__in=["DH-102", "DH-103"]).exists()
    assert Household.objects.get(number="DH-101").head_name == "别人"
    assert (job.summary["new"], job.summary["changed"]) == (2, 1)  # the new preview is shown

    stale = _confirm(client, job, fingerprint="0" * 64)  # the page shown before the new preview
    assert "预览已经过时" in stale.content.decode()
    _confirm(client, job)
    assert Household.objects.get(number="DH-101").head_name == "赵一"


def test_a_word_document_renamed_xlsx_fails_with_a_chinese_message(cast, login_as, tmp_path, sync_jobs, media):
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    client = login_as(cast.street_user_a)
    before = _counts()
    job = _upload(client, path)
    assert job.status == Status.FAILED and "Word 文档" in job.error_message
    html = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    assert job.error_message in html and "数据库没有任何改动" in html
    assert _counts() == before and not list((media / "imports").iterdir())
    assert "已经确认过或还没有预览完成" in _confirm(client, job).content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_the_form(cast, login_as, tmp_path):
    path = tmp_path / "说明.docx"
    path.write_bytes(b"PK\x03\x04")
    with open(path, "rb") as handle:
        response = login_as(cast.street_user_a).post(START, {"project": "P001", "file": handle})
    assert response.status_code == 400 and "不支持这种文件" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- progress ----------------------------------------------------------------------------------

def test_a_running_job_polls_its_progress_and_stops_when_done(cast, login_as):
    job = ImportJob.objects.create(actor=cast.street_user_a, project=cast.project_a, filename="a.xlsx",
                                   status=Status.PREVIEWING, stage="read", done=250, total=1000,
                                   **jobs.this_worker().fields())
    client = login_as(cast.street_user_a)
    url = reverse("ledger:import_job", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and 'hx-trigger="every 1s"' in html and f'hx-get="{url}"' in html
    assert "读取" in html and "250 / 1,000 · 25%" in html and 'style="width: 25%"' in html
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error_message="文件是空的")
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html and "文件是空的" in html


def test_the_upload_starts_the_preview_by_itself(transactional_db, cast, login_as, tmp_path):
    """The task runs at once in the test run (ImmediateBackend); test_jobs.py runs the real worker."""
    client = login_as(cast.street_user_a)
    job = _upload(client, three_households().write(tmp_path / "a.xlsx"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.1)
    assert job.status == Status.PREVIEWED and job.summary["new"] == 3


# --- template and export ---------------------------------------------------------------------

def test_the_template_downloads_with_a_chinese_name_and_its_sheets(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:template_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"ledger-template.xlsx\"; filename*=UTF-8''" + quote("住户台账导入模板.xlsx"))
    workbook = _workbook(response)
    assert workbook.sheetnames == ["住户房屋", "家庭成员", "填写说明"]
    assert next(workbook["住户房屋"].iter_rows(max_row=1, values_only=True))[:2] == ("户号", "户主姓名")


def test_export_is_masked_by_default(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:export_download"), {"project": "P001"})
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(_workbook(response)["住户房屋"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["DH-001", "DH-002"]
    assert rows[1][2] == "110105********002X" and rows[1][3] == "138****5678"
    assert AuditEntry.objects.filter(action="ledger.export", actor=cast.street_user_a).count() == 1


def test_full_numbers_only_for_the_writers_and_audited(cast, login_as, client):
    from tests.conftest import login

    url = reverse("ledger:export_download")
    response = login_as(cast.street_user_a).get(url, {"project": "P001", "full": "1"})
    assert list(_workbook(response)["住户房屋"].iter_rows(values_only=True))[1][2] == "11010519491231002X"
    assert AuditEntry.objects.filter(action="ledger.export_full", actor=cast.street_user_a).count() == 1
    client.logout()
    login(client, cast.leader)
    assert client.get(url, {"project": "P001"}).status_code == 200  # the leader reads: masked export
    assert client.get(url, {"project": "P001", "full": "1"}).status_code == 403
    client.logout()
    login(client, cast.street_user_b)
    assert client.get(url, {"project": "P001"}).status_code == 404
    assert client.get(url, {"project": "NOPE"}).status_code == 404


def test_export_without_a_project_asks_for_one(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:export_download"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["project"].queryset) == [cast.project_a]


def test_the_ledger_pages_show_the_excel_buttons_to_writers(cast, login_as, client):
    from tests.conftest import login

    html = login_as(cast.street_user_a).get(reverse("ledger:household_list")).content.decode()
    assert "下载模板" in html and "导入台账" in html and "导出台账" in html
    html = login_as(cast.street_user_a).get(reverse("ledger:household_list"),
                                            {"project": cast.project_a.pk}).content.decode()
    assert f"{START}?project=P001" in html
    html = login_as(cast.street_user_a).get(reverse("ledger:village_detail", args=[cast.village_a.pk])).content.decode()
    assert f"{START}?project=P001" in html and "下载模板" in html
    client.logout()
    login(client, cast.leader)
    assert "导入台账" not in client.get(reverse("ledger:household_list")).content.decode()
    assert "导入台账" not in client.get(reverse("ledger:village_detail", args=[cast.village_a.pk])).content.decode()
