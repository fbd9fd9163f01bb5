"""The office previews a month of the example scheme, publishes it, and opens a score to its inputs and
the link to the records behind it; missing data reads 数据缺失."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.oversight.models import ScoreSheet
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.oversight.samples_assessment import make_scheme
from tests.progress.test_dashboard import open_signing, sign

pytestmark = pytest.mark.browser


def test_office_previews_publishes_and_traces_a_score(cast, live_server, page):
    open_signing(cast.project_a, start=800)
    sign(cast.admin, [cast.household_a1], on=dt.date(2026, 10, 10))
    scheme = make_scheme(cast.commander)
    base = live_server.url

    sign_in_commander(page, base, cast, f"/oversight/assessment/schemes/{scheme.pk}/")
    screenshot(page, "oversight-assessment-scheme")
    page.get_by_test_id("period").fill("2026-10")
    page.get_by_test_id("preview").click()
    page.wait_for_load_state()
    assert "尚未冻结" in page.content()
    assert not ScoreSheet.objects.exists()
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    assert "考核结果已发布" in page.content()
    sheet = ScoreSheet.objects.get()
    assert page.url.endswith(f"/oversight/assessment/sheets/{sheet.pk}/")

    row = page.locator("[data-testid=rank-row][data-unit=东湖街道]")
    assert row.locator("td").first.inner_text() == "1"
    score = row.get_by_test_id("score").first
    score.locator("summary").click()
    inputs = score.get_by_test_id("inputs")
    assert "村庄签约 50%，目标 100%：50 ÷ 100 × 25 = 12.5" in inputs.inner_text()
    assert "in_scope = 2" in inputs.inner_text()
    assert "数据缺失" in page.get_by_test_id("ranking").inner_text()
    screenshot(page, "oversight-assessment-sheet")
    page.get_by_test_id("lists-link").click()
    page.wait_for_load_state()
    assert "东湖街道" in page.get_by_test_id("list-black").inner_text()  # 12.5: 不合格
    screenshot(page, "oversight-assessment-lists")
    page.go_back()
    page.wait_for_load_state()
    score = page.locator("[data-testid=rank-row][data-unit=东湖街道]").get_by_test_id("score").first
    score.locator("summary").click()
    inputs = score.get_by_test_id("inputs")
    inputs.get_by_test_id("records-link").click()
    page.wait_for_load_state()
    assert "/progress/table/" in page.url and f"street={cast.street_a.code}" in page.url
    assert page.locator("#id_street").input_value() == cast.street_a.code  # the street's own table, not a 404


def test_the_indicator_grid_refuses_a_wrong_sum_and_keeps_the_rows(cast, live_server, page):
    scheme = make_scheme(cast.commander)
    base = live_server.url
    sign_in_commander(page, base, cast, f"/oversight/assessment/schemes/{scheme.pk}/indicators/")
    grid = page.get_by_test_id("indicator-grid")
    grid.locator("input[name=ind-1-weight]").fill("20")
    screenshot(page, "oversight-assessment-indicators")
    grid.get_by_test_id("save-grid").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("grid-error").inner_text() == "各指标分值合计 95，应为 100。"
    assert grid.locator("input[name=ind-1-weight]").input_value() == "20"
