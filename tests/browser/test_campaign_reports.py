"""A street user fills and submits the weekly report (定期汇报), a second account of the street approves
it, the office accepts it; a meeting's decision becomes a task and shows on the next meeting's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.campaign.models import Decision, Report
from gaizao.campaign.services.campaign import campaign_create
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.campaign.test_reports import second_street_account
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/account/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    return context, page


def test_street_submits_second_account_approves_office_accepts(cast, live_server, page, browser):
    today = timezone.localdate()
    campaign_create(actor=cast.commander, name="2026年城中村改造攻坚专项行动", year=today.year,
                    starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=200))
    second_street_account(cast)
    base = live_server.url

    # the street: the home card says this period's report is due; it fills and submits it
    context, street = _sign_in(browser, base, "street_a")
    assert "待提交" in street.get_by_test_id("todo-reports-street").inner_text()
    street.goto(f"{base}/campaign/reports/")
    street.get_by_test_id("fill-current").click()
    street.wait_for_load_state()
    assert "实时数据" in street.get_by_test_id("report-figures").inner_text()
    form = street.get_by_test_id("report-form")
    form.get_by_label("本期工作").fill("入户走访 36 户，新增签约 12 户")
    form.get_by_label("存在问题").fill("3 户对评估结果有异议")
    form.get_by_label("需区级协调事项").fill("请区司法局派员参与政策解释")
    form.get_by_test_id("submit-report").click()
    street.wait_for_load_state()
    assert street.get_by_test_id("report-status").inner_text() == "已提交，待街道领导审核"
    assert street.get_by_test_id("waits-approval").is_visible()
    assert "提交时的数据" in street.get_by_test_id("report-figures").inner_text()
    screenshot(street, "campaign-report-submitted")
    context.close()

    # the second account of the street (the street leader) approves it from its home
    context, leader = _sign_in(browser, base, "street_a2")
    leader.get_by_test_id("report-to-approve").click()
    leader.wait_for_load_state()
    leader.get_by_test_id("approve-report").click()
    leader.wait_for_load_state()
    assert leader.get_by_test_id("report-status").inner_text() == "街道已审核，待指挥部接收"
    context.close()

    # the office: the table shows it, the home card lists it, it accepts
    sign_in_commander(page, base, cast, "/")
    page.get_by_test_id("report-awaiting").click()
    page.wait_for_load_state()
    assert "入户走访 36 户" in page.get_by_test_id("work-done").inner_text()
    page.get_by_test_id("accept-report").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("report-status").inner_text() == "指挥部已接收"
    report = Report.objects.get()
    assert report.approved_by.username == "street_a2" and report.accepted_by == cast.commander
    page.goto(f"{base}/campaign/reports/")
    cell = page.get_by_test_id(f"cell-{cast.street_a.code}-{report.period_start:%Y%m%d}")
    assert cell.inner_text().strip() == "指挥部已接收"
    screenshot(page, "campaign-report-table")

    # a dispatch meeting yesterday: a decision made a task for 西岭街道
    page.goto(f"{base}/campaign/meetings/new/")
    form = page.get_by_test_id("meeting-form")
    form.get_by_label("会议类型").select_option(label="调度会")
    form.get_by_label("会议名称").fill("第一次调度会")
    form.get_by_label("会议日期").fill(f"{today - dt.timedelta(days=1):%Y-%m-%d}")
    form.get_by_test_id("save-meeting").click()
    page.wait_for_load_state()
    page.get_by_test_id("decision-form").get_by_label("议定事项").fill("西岭村剩余未签约户逐户走访")
    page.get_by_test_id("add-decision").click()
    page.wait_for_load_state()
    task_form = page.get_by_test_id("task-form")
    task_form.get_by_label("议定事项").select_option(label="1. 西岭村剩余未签约户逐户走访")
    task_form.get_by_label("责任单位").select_option(label="西岭街道")
    task_form.get_by_label("完成时限").fill(f"{today + dt.timedelta(days=10):%Y-%m-%d}")
    task_form.get_by_test_id("make-task").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("decision-task").inner_text() == "西岭村剩余未签约户逐户走访"
    assert Decision.objects.get().task.unit == cast.street_b

    # the next meeting's page lists it as in progress
    page.goto(f"{base}/campaign/meetings/new/")
    form = page.get_by_test_id("meeting-form")
    form.get_by_label("会议类型").select_option(label="调度会")
    form.get_by_label("会议名称").fill("第二次调度会")
    form.get_by_label("会议日期").fill(f"{today:%Y-%m-%d}")
    form.get_by_test_id("save-meeting").click()
    page.wait_for_load_state()
    earlier = page.get_by_test_id("earlier-decisions")
    assert "西岭村剩余未签约户逐户走访" in earlier.inner_text() and "办理中" in earlier.inner_text()
    screenshot(page, "campaign-meeting-follow-up")
