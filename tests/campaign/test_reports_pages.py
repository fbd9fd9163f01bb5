"""Report pages and API (定期汇报): the street fills and submits, a second account approves, the office
accepts or returns; the office's table and the period's digest (DOCX, XLSX); the home cards."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from gaizao.campaign.choices import ReportStatus
from gaizao.campaign.models import Report
from gaizao.campaign.selectors.reports import office_report_todo, street_report_todo
from gaizao.campaign.services import reports as svc
from gaizao.core.actors import SYSTEM
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind
from tests.campaign.test_reports import TODAY, make_campaign, second_street_account, start
from tests.conftest import login


@pytest.fixture
def campaign(db):
    return make_campaign()


def _submitted_and_approved(cast, campaign, approver, *, street=None, user=None, n=3):
    user = user or cast.street_user_a
    report = svc.report_save(actor=user, campaign=campaign, street=street or cast.street_a,
                             period_start=start(campaign, n), work_done="完成签约 12 户")
    report = svc.report_submit(actor=user, report=report, version=report.version)
    return svc.report_approve(actor=approver, report=report, version=report.version)


def test_the_street_fills_saves_and_submits_the_current_period(cast, client, campaign):
    login(client, cast.street_user_a)
    page = client.get("/campaign/reports/fill/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "实时数据" in body and "保存草稿" in body
    saved = client.post("/campaign/reports/fill/", {"work_done": "入户走访 30 户", "action": "save"})
    assert saved.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT and report.period_start == start(campaign, 3)
    submitted = client.post("/campaign/reports/fill/", {"work_done": "入户走访 32 户", "version": report.version,
                                                        "action": "submit"})
    assert submitted.status_code == 302 and submitted["Location"] == f"/campaign/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.work_done == "入户走访 32 户"
    detail = client.get(f"/campaign/reports/{report.pk}/").content.decode()
    assert "提交时的数据" in detail and "待本街道另一位账号" in detail


def test_submitting_without_this_periods_work_shows_the_reason_and_keeps_nothing(cast, client, campaign):
    login(client, cast.street_user_a)
    response = client.post("/campaign/reports/fill/", {"problems": "无", "action": "submit"})
    assert response.status_code == 400
    assert "请先填写「本期工作」再提交" in response.content.decode() or "提交前必填" in response.content.decode()
    assert not Report.objects.exists()  # saved and submitted together, or neither


def test_a_locked_period_says_so_on_the_page_and_refuses_the_post(cast, client, campaign):
    login(client, cast.street_user_a)
    url = f"/campaign/reports/fill/?period={start(campaign, 1):%Y-%m-%d}"
    assert "截止并锁定" in client.get(url).content.decode()
    response = client.post(url, {"work_done": "补报", "action": "save"})
    assert response.status_code == 400 and "截止并锁定" in response.content.decode()
    assert not Report.objects.exists()


def test_a_second_account_approves_and_the_office_accepts_on_the_pages(cast, client, campaign):
    approver = second_street_account(cast)
    report = svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                             period_start=start(campaign, 3), work_done="完成签约")
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    login(client, cast.street_user_a)
    mine = client.post(f"/campaign/reports/{report.pk}/approve/", {"version": report.version})
    assert mine.status_code == 400 and "四眼原则" in mine.content.decode()
    login(client, approver)
    assert client.post(f"/campaign/reports/{report.pk}/approve/", {"version": report.version}).status_code == 302
    report.refresh_from_db()
    login(client, cast.commander)
    assert "accept-form" in client.get(f"/campaign/reports/{report.pk}/").content.decode()
    empty = client.post(f"/campaign/reports/{report.pk}/return/", {"version": report.version, "reason": ""})
    assert empty.status_code == 400 and 'data-testid="error-reason">必填' in empty.content.decode()
    assert client.post(f"/campaign/reports/{report.pk}/accept/", {"version": report.version}).status_code == 302
    assert Report.objects.get().status == ReportStatus.ACCEPTED


def test_the_office_table_marks_late_and_missing_in_red_at_a_fixed_query_count(cast, client, campaign,
                                                                               django_assert_num_queries):
    approver = second_street_account(cast)
    login(client, cast.commander)
    client.get("/campaign/reports/")  # warm the session
    office_queries = _count(client, "/campaign/reports/")  # no report, two streets
    _submitted_and_approved(cast, campaign, approver)
    for i in range(4):
        org_services.orgunit_create(actor=SYSTEM, code=f"4401990{20 + i}", name=f"新街道{i}", kind=OrgKind.STREET,
                                    parent=cast.street_a.parent)
    with django_assert_num_queries(office_queries):  # a report, six streets
        response = client.get("/campaign/reports/")
    body = response.content.decode()
    cell = f'data-testid="cell-{cast.street_b.code}-{start(campaign, 0):%Y%m%d}"'
    assert cell in body
    after = body.split(cell, 1)[1][:300]
    assert "bg-red-lt" in after and "未报" in after


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_office_downloads_one_periods_digest_as_docx_and_xlsx(cast, client, campaign):
    approver = second_street_account(cast)
    _submitted_and_approved(cast, campaign, approver)
    login(client, cast.commander)
    period = f"{start(campaign, 3):%Y-%m-%d}"
    docx = client.get(f"/campaign/reports/digest.docx?period={period}")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    xlsx = client.get(f"/campaign/reports/digest.xlsx?period={period}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["汇报汇总"]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == cast.street_a.name and rows[1][6] == "完成签约 12 户"
    assert rows[2][:2] == [cast.street_b.name, "未报"]
    login(client, cast.street_user_a)
    assert client.get(f"/campaign/reports/digest.xlsx?period={period}").status_code == 404


def test_the_office_reopens_a_locked_period_from_the_table(cast, client, campaign):
    login(client, cast.commander)
    response = client.post("/campaign/reports/reopen/", {"street": cast.street_a.pk,
                                                         "period_start": f"{start(campaign, 1):%Y-%m-%d}",
                                                         "until": f"{TODAY:%Y-%m-%d}"})
    assert response.status_code == 302
    assert Report.objects.get().reopened_until == TODAY
    login(client, cast.street_user_a)
    assert client.post("/campaign/reports/reopen/", {"street": cast.street_a.pk}).status_code == 404


def test_home_cards_show_what_waits_at_a_fixed_query_count(cast, campaign, django_assert_num_queries):
    approver = second_street_account(cast)
    user = type(cast.street_user_a).objects.get(pk=cast.street_user_a.pk)
    with django_assert_num_queries(5):  # the user's roles and units, the campaign, the reports, the streets' names
        todo = street_report_todo(user)
    # the current period and the one just ended (not yet locked) are due
    assert [i["period"].start for i in todo["items"]] == [start(campaign, 2), start(campaign, 3)]
    _submitted_and_approved(cast, campaign, approver)
    office = type(cast.commander).objects.get(pk=cast.commander.pk)
    with django_assert_num_queries(3):  # the user's roles, the campaign, the reports
        card = office_report_todo(office)
    assert [r.street_id for r in card["awaiting"]] == [cast.street_a.pk]
    assert street_report_todo(cast.commander) is None and office_report_todo(cast.street_user_a) is None
    login_free = street_report_todo(type(user).objects.get(pk=user.pk))
    assert [i["period"].start for i in login_free["items"]] == [start(campaign, 2)]


def test_the_home_page_shows_the_streets_due_report(cast, client, campaign):
    login(client, cast.street_user_a)
    body = client.get("/").content.decode()
    assert 'data-testid="todo-reports-street"' in body and "待提交" in body


# --- API --------------------------------------------------------------------------------------------

def _api(client, method, url, body=None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_the_api_saves_submits_approves_and_accepts(cast, client, campaign):
    approver = second_street_account(cast)
    login(client, cast.street_user_a)
    saved = _api(client, "POST", "/api/campaign/reports", {
        "campaign_id": campaign.pk, "street_id": cast.street_a.pk, "period_start": f"{start(campaign, 3):%Y-%m-%d}",
        "work_done": "完成签约"})
    assert saved.status_code == 200, saved.content
    data = saved.json()
    submitted = _api(client, "POST", f"/api/campaign/reports/{data['id']}/submit", {"version": data["version"]})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["figures"]["status"]["street"] == cast.street_a.code
    login(client, approver)
    approved = _api(client, "POST", f"/api/campaign/reports/{data['id']}/approve",
                    {"version": submitted.json()["version"]})
    assert approved.status_code == 200
    login(client, cast.commander)
    version = approved.json()["version"]
    refused = _api(client, "POST", f"/api/campaign/reports/{data['id']}/return", {"version": version})
    assert refused.status_code == 400 and refused.json()["fields"] == {"reason": "必填"}
    accepted = _api(client, "POST", f"/api/campaign/reports/{data['id']}/accept", {"version": version})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    summary = client.get(f"/api/campaign/reports/summary?campaign_id={campaign.pk}")
    assert summary.status_code == 200 and {s["street"] for s in summary.json()} == {cast.street_a.code,
                                                                                       cast.street_b.code}


def test_the_api_refuses_a_locked_period_in_chinese(cast, client, campaign):
    login(client, cast.street_user_a)
    response = _api(client, "POST", "/api/campaign/reports", {
        "campaign_id": campaign.pk, "street_id": cast.street_a.pk, "period_start": f"{start(campaign, 1):%Y-%m-%d}",
        "work_done": "补报"})
    assert response.status_code == 400 and "截止并锁定" in response.json()["message"]


def test_another_streets_report_is_404_in_the_api(cast, client, campaign):
    report = svc.report_save(actor=cast.street_user_b, campaign=campaign, street=cast.street_b,
                             period_start=start(campaign, 3), work_done="西岭")
    login(client, cast.street_user_a)
    assert client.get(f"/api/campaign/reports/{report.pk}").status_code == 404
    assert _api(client, "POST", f"/api/campaign/reports/{report.pk}/submit", {"version": 1}).status_code == 404


def test_without_a_campaign_the_pages_say_so(cast, client, db):
    login(client, cast.street_user_a)
    for url in ("/campaign/reports/", "/campaign/meetings/"):
        response = client.get(url)
        assert response.status_code == 200 and "尚无进行中的攻坚行动" in response.content.decode()


def test_the_streets_page_costs_the_same_whatever_the_number_of_reports(cast, client, django_assert_num_queries):
    campaign = make_campaign(weeks_ago=12)
    login(client, cast.street_user_a)
    client.get("/campaign/reports/")
    count = _count(client, "/campaign/reports/")
    for n in range(10):
        day = start(campaign, n)
        report = svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a, period_start=day,
                                 work_done="完成", today=day)
        svc.report_submit(actor=cast.street_user_a, report=report, version=report.version, today=day)
    with django_assert_num_queries(count):
        assert client.get("/campaign/reports/").status_code == 200
