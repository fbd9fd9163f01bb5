"""A street officer signs in through the real login page and sees only their street."""

import pytest

from tests.browser.conftest import nav, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_street_user_logs_in_and_sees_only_their_street(cast, live_server, page):
    page.goto(live_server.url + "/")
    assert "/account/login/" in page.url  # not signed in: sent to the login page
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_test_id("current-user").inner_text() == "王东湖"
    screenshot(page, "home-street-user")

    nav(page, "住户台账").click()
    page.wait_for_load_state()
    table = page.locator("table").first.inner_text()
    assert "DH-001" in table and "DH-002" in table
    assert "XL-001" not in table  # the other street's household
    assert "110105********002X" in table  # masked in the list
    assert "11010519491231002X" not in page.content()
    screenshot(page, "household-list-street-user")

    nav(page, "城中村").click()
    page.wait_for_load_state()
    villages = page.locator("table").first.inner_text()
    assert "东湖村" in villages and "西岭村" not in villages

    # Another street's household by its address: 404, and none of its data.
    response = page.goto(f"{live_server.url}/ledger/households/{cast.household_b1.pk}/")
    assert response.status == 404
    assert "XL-001" not in page.content()
    assert "页面不存在" in page.content()


def test_wrong_password_is_told_in_chinese(cast, live_server, page):
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/account/login/" in page.url
    assert "用户名或密码" in page.content()
