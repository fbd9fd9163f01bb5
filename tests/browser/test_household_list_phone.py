"""The household list on a phone (390 × 844): cards instead of the table, the filters behind one button,
and nothing wider than the screen."""

import datetime as dt

import pytest

from gaizao.progress.services.hardcases import hardcase_open, visit_record
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_phone_reads_cards_with_the_next_step_and_last_visit_and_never_scrolls_sideways(cast, live_server, phone):
    case = hardcase_open(actor=cast.admin, household=cast.household_a1, reason="price", strategy="一户一策",
                         opened_on=dt.date(2026, 3, 1))
    visit_record(actor=cast.admin, hard_case=case, visited_on=dt.date(2026, 3, 2), talk="谈了补偿方案")
    base = live_server.url
    phone.goto(f"{base}/account/login/?next=/ledger/households/")
    phone.get_by_label("用户名").fill("street_a")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(base + "/ledger/households/")

    cards = phone.get_by_test_id("household-card")
    assert cards.count() == 2 and cards.first.is_visible()
    assert not phone.get_by_test_id("household-table").is_visible()
    first = cards.filter(has_text="DH-001").inner_text()
    assert "李四" in first and "待调查" in first and "下一步：入户调查" in first and "最近走访：2026-03-02" in first
    assert "最近走访：—" in cards.filter(has_text="DH-002").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(phone, "household-list-phone")

    # The filters fold behind 筛选; the search box stays.
    assert phone.get_by_role("searchbox", name="搜索").is_visible()
    assert not phone.get_by_label("阶段").is_visible()
    phone.get_by_test_id("filters-toggle").click()
    phone.get_by_label("阶段").wait_for(state="visible")
    phone.wait_for_selector("#household-filters.collapse.show")  # the fold has finished opening
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(phone, "household-list-phone-filters")


def test_a_wide_screen_keeps_the_table_and_the_open_filters(cast, live_server, page):
    base = live_server.url
    page.goto(f"{base}/account/login/?next=/ledger/households/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/ledger/households/")
    assert page.get_by_test_id("household-table").is_visible()
    assert not page.get_by_test_id("household-card").first.is_visible()
    assert page.get_by_label("阶段").is_visible() and not page.get_by_test_id("filters-toggle").is_visible()
    # The 分配包户干部 box reads its suggestions on first focus (htmx, no inline script).
    page.locator("#id_cadre").focus()
    page.locator("#cadre-options option").first.wait_for(state="attached")  # (the CSP forbids wait_for_function)
    assert page.locator("#cadre-options option").first.get_attribute("value") == "cadre"
