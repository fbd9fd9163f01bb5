"""A cadre (包户干部) signs in, opens their hard case, records a visit with the next visit date,
sees it in the log, and the list's 「距上次走访」 starts again from today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.progress.models import HardCase
from gaizao.progress.services import hardcase_open, visit_record
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_cadre_records_a_visit_on_their_hard_case(cast, live_server, page):
    today = timezone.localdate()
    case = hardcase_open(actor=cast.street_user_a, household=cast.household_a1, reason="price",
                         strategy="请评估公司上门解释评估方法", opened_on=today - dt.timedelta(days=20))
    visit_record(actor=cast.cadre, hard_case=case, visited_on=today - dt.timedelta(days=10), talk="户主嫌价格低")
    # another household's case, not the cadre's: must not show
    hardcase_open(actor=cast.street_user_a, household=cast.household_a2, reason="family",
                  opened_on=today - dt.timedelta(days=3))

    page.goto(live_server.url + "/account/login/")
    page.get_by_label("用户名").fill("cadre")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")

    page.get_by_role("link", name="攻坚户", exact=True).click()
    page.wait_for_load_state()
    table = page.get_by_test_id("hardcase-table")
    assert "DH-001" in table.inner_text() and "DH-002" not in table.inner_text()
    row = page.get_by_test_id("hardcase-row-DH-001")
    assert row.get_by_test_id("days-since-visit").inner_text() == "距上次走访 10 天"

    row.get_by_role("link", name="DH-001").click()
    page.wait_for_load_state()
    assert "请评估公司上门解释评估方法" in page.get_by_test_id("strategy").inner_text()
    next_visit = today + dt.timedelta(days=7)
    form = page.get_by_test_id("visit-form")
    form.get_by_label("走访日期").fill(today.isoformat())
    form.get_by_label("参加人员").fill("陈包户、村委王主任")
    form.get_by_label("沟通情况").fill("户主同意再看一次评估报告")
    form.get_by_label("下一步措施").fill("约评估公司周五上门")
    form.get_by_label("计划下次走访").fill(next_visit.isoformat())
    form.get_by_test_id("save-visit").click()
    page.wait_for_load_state()

    log = page.get_by_test_id("visit-log").inner_text()
    assert log.index("户主同意再看一次评估报告") < log.index("户主嫌价格低")  # newest first
    assert page.get_by_test_id("next-visit").inner_text() == next_visit.isoformat()
    assert "已记录走访" in page.content()
    screenshot(page, "hard-case-visit-recorded")
    case.refresh_from_db()
    assert (case.last_visit_on, case.next_visit_on) == (today, next_visit)
    assert HardCase.objects.get(pk=case.pk).visits.count() == 2

    page.get_by_role("link", name="攻坚户", exact=True).first.click()
    page.wait_for_load_state()
    row = page.get_by_test_id("hardcase-row-DH-001")
    assert row.get_by_test_id("days-since-visit").inner_text() == "距上次走访 0 天"
    assert next_visit.isoformat() in row.inner_text()
    screenshot(page, "hard-case-list-after-visit")
