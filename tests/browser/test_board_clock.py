"""The signing board's clock (issue 11, item 7): the site screen shows Beijing time and date
whatever time zone its computer is set to."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_csp import watch
from tests.progress.test_dashboard import open_signing

pytestmark = pytest.mark.browser

BEIJING = ZoneInfo("Asia/Shanghai")


def shown(page) -> dt.datetime:
    """The board's date and clock, read in one go (so a tick cannot fall between them)."""
    date, clock = page.evaluate(
        "[document.getElementById('board-date').textContent, document.getElementById('board-clock').textContent]")
    y, m, d = map(int, re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", date.strip()).groups())
    hh, mm, ss = map(int, clock.strip().split(":"))
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=BEIJING)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Pacific/Kiritimati"])
def test_the_board_shows_beijing_time_on_a_screen_set_to_another_zone(cast, live_server, browser, zone):
    open_signing(cast.project_a, start=30, end=-10)
    context = browser.new_context(locale="zh-CN", timezone_id=zone, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        found = watch(page)
        page.goto(f"{live_server.url}/progress/board/{cast.project_a.code}/")
        # the browser really is elsewhere: its own idea of the hour is not Beijing's
        offset = page.evaluate("-new Date().getTimezoneOffset()")
        assert offset != 8 * 60
        # the page's script keeps the clock (the server's first figure is replaced on the first tick)
        first = page.get_by_test_id("board-clock").inner_text()
        page.wait_for_function("(first) => document.getElementById('board-clock').textContent !== first", arg=first,
                               timeout=5000)
        board = shown(page)
        now = dt.datetime.now(BEIJING)
        assert abs((now - board).total_seconds()) < 5, (board, now)
        # and it was not the screen's own zone by coincidence
        assert abs((dt.datetime.now(ZoneInfo(zone)).replace(tzinfo=BEIJING) - board).total_seconds()) > 60
        assert found == []
    finally:
        context.close()
