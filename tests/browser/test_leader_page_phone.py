"""The leader's page on a phone (390 × 844) and on a desk: every part is there, nothing is wider than the
screen (tables scroll inside their own box), and the latest bulletin downloads from it."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.core.actors import SYSTEM
from gaizao.oversight.services.bulletins import bulletin_generate
from tests.browser.conftest import screenshot
from tests.conftest import login
from tests.oversight.samples_bulletins import WEEK, bulletin_world

pytestmark = pytest.mark.browser

PARTS = ("leader-red-count", "leader-lights", "leader-orders", "leader-ranking", "leader-streets", "leader-bulletin",
         "leader-red-items")


def _signed_in(browser, live_server, client, user, **context):
    login(client, user)
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_cookies([{"name": name, "value": morsel.value, "url": live_server.url}
                     for name, morsel in client.cookies.items()])
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_the_leaders_page_fits_the_screen_and_offers_the_latest_bulletin(cast, live_server, client,
                                                                           browser, size):
    bulletin_world(cast)
    bulletin_generate(actor=SYSTEM, period=WEEK, today=dt.date(2026, 11, 27))
    viewport = ({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                 "device_scale_factor": 2} if size == "phone" else {"viewport": {"width": 1280, "height": 900}})
    ctx, page = _signed_in(browser, live_server, client, cast.leader, **viewport)
    try:
        page.goto(f"{live_server.url}/oversight/leader/")
        for part in PARTS:
            assert page.get_by_test_id(part).first.is_visible(), part
        assert "西岭村签约滞后督办" in page.get_by_test_id("leader-red-items").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        screenshot(page, f"leader-page-{size}")
        with page.expect_download() as download:
            page.get_by_role("link", name="下载通报（Word）").click()
        assert download.value.suggested_filename == f"工作通报_{WEEK}.docx"
        page.goto(f"{live_server.url}/oversight/bulletins/")  # circulated: the leader reads the list
        assert WEEK in page.get_by_test_id("bulletin-list").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        screenshot(page, f"bulletins-{size}")
    finally:
        ctx.close()
