"""The account form's 添加岗位 in a real browser (issue 11): one role row to start, another added by the
button from the formset's empty form, both saved."""

from __future__ import annotations

import pytest

from tests.browser.test_every_role_walk import sign_in

pytestmark = pytest.mark.browser

GOOD = "Renovate-2026-ok"


def test_the_admin_adds_a_second_role_row_and_the_account_gets_both(cast, live_server, page):
    from gaizao.org.models import Membership

    sign_in(page, live_server.url, cast.admin)
    page.goto(f"{live_server.url}/account/users/new/")
    rows = page.get_by_test_id("membership-rows").get_by_test_id("membership-row")
    assert rows.count() == 1
    page.get_by_label("用户名").fill("wu_qi")
    page.get_by_label("姓名").fill("吴七")
    page.get_by_label("初始密码").fill(GOOD)
    page.get_by_label("再次输入密码").fill(GOOD)
    page.locator("#id_m-0-role").select_option("street")
    page.locator("#id_m-0-org_unit").select_option(str(cast.street_a.pk))
    page.get_by_test_id("add-membership").click()
    assert rows.count() == 2
    page.locator("#id_m-1-role").select_option("cadre")
    page.locator("#id_m-1-org_unit").select_option(str(cast.community_a.pk))
    page.get_by_role("button", name="创建账号").click()
    page.wait_for_load_state()
    roles = set(Membership.objects.filter(user__username="wu_qi").values_list("role", "org_unit_id"))
    assert roles == {("street", cast.street_a.pk), ("cadre", cast.community_a.pk)}
