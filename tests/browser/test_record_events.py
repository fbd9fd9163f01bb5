"""A street officer records a household's progress in the browser: survey → decision → valuation →
signing with their dates, sees the stage change, corrects a date, then records a stage for several
households at once on the bulk page. The rollups stay equal to a recount throughout."""

from __future__ import annotations

import pytest

from gaizao.ledger.models import Household
from gaizao.progress import rollups
from gaizao.progress.models import StageEvent
from tests.browser.conftest import nav, screenshot
from tests.conftest import PASSWORD
from tests.ledger.conftest import make_households

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media")]


def _sign_in(page, base: str) -> None:
    page.goto(base + "/account/login/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def _record(page, kind: str, day: str, note: str = "") -> None:
    form = page.get_by_test_id("record-form")
    form.get_by_label("事项").select_option(label=kind)
    form.get_by_label("日期", exact=True).fill(day)
    if note:
        form.get_by_label("说明").fill(note)
    form.get_by_test_id("record-submit").click()
    page.get_by_text(f"已记录「{kind}」（{day}）。").wait_for()


def _stage(page) -> str:
    return page.get_by_test_id("progress-stage").inner_text().strip()


def test_street_officer_records_corrects_and_records_in_bulk(cast, live_server, page):
    base = live_server.url
    others = make_households(cast.admin, cast.project_a, 3)
    _sign_in(page, base)

    # Open the household from the ledger list.
    nav(page, "住户台账").click()
    page.get_by_role("link", name="DH-001").click()
    page.get_by_test_id("progress-card").wait_for()
    assert _stage(page) == "待调查"

    # Record the funnel up to signing; the stage follows each event.
    _record(page, "入户调查", "2026-03-01", note="首次入户")
    assert _stage(page) == "入户调查"
    _record(page, "认定", "2026-03-05")
    _record(page, "评估", "2026-03-10")
    # The order is checked: demolition is not offered, and signing before valuation is refused.
    options = page.get_by_test_id("record-form").get_by_label("事项").inner_text()
    assert "签约" in options and "拆除" not in options
    _record(page, "签约", "2026-03-20")
    assert _stage(page) == "签约"
    assert page.get_by_test_id("stage-signed").inner_text() == "2026-03-20"
    screenshot(page, "progress-household-signed")

    # A refused event: vacating dated before the signing shows the reason beside the form.
    form = page.get_by_test_id("record-form")
    form.get_by_label("事项").select_option(label="腾空交房")
    form.get_by_label("日期", exact=True).fill("2026-03-15")
    form.get_by_test_id("record-submit").click()
    error = page.get_by_test_id("progress-error")
    error.wait_for()
    assert "腾空交房日期 2026-03-15 早于签约日期 2026-03-20" in error.inner_text()
    assert StageEvent.objects.filter(kind="vacated").count() == 0

    # Correct the decision date: the original stays, struck through.
    decided = StageEvent.objects.get(household=cast.household_a1, kind="decided")
    page.get_by_test_id(f"correct-{decided.pk}").click()
    correction = page.get_by_test_id(f"correct-form-{decided.pk}")
    correction.get_by_label("新日期", exact=True).fill("2026-03-06")
    correction.get_by_label("更正原因").fill("按认定书落款日期")
    correction.get_by_test_id(f"correct-submit-{decided.pk}").click()
    page.get_by_text("已将「认定」更正为 2026-03-06。").wait_for()
    assert page.get_by_test_id("stage-decided").inner_text() == "2026-03-06"
    row = page.get_by_test_id(f"event-{decided.pk}").inner_html()
    assert "<del>2026-03-05</del>" in row
    assert f"更正 #{decided.pk}" in page.get_by_test_id("event-table").inner_text()
    screenshot(page, "progress-household-corrected")
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert (household.stage, household.decided_on.isoformat()) == ("signed", "2026-03-06")

    # The bulk page: tick two households in the list and paste a third 户号.
    nav(page, "批量记录进度").click()
    page.get_by_test_id("bulk-households").wait_for()
    page.get_by_test_id("bulk-filter").get_by_label("当前阶段").select_option(label="待调查")
    page.get_by_test_id("bulk-filter-submit").click()
    page.wait_for_load_state()
    listed = page.get_by_test_id("bulk-households").inner_text()
    assert "DH-001" not in listed and "T-0000" in listed
    page.get_by_test_id("tick-T-0000").check()
    page.get_by_test_id("tick-T-0001").check()
    bulk = page.get_by_test_id("bulk-form")
    mode = bulk.get_by_label("安置方式")
    assert not mode.is_visible()  # only 安置 asks for the resettlement mode
    bulk.get_by_label("事项").select_option(label="安置")
    assert mode.is_visible()
    bulk.get_by_label("事项").select_option(label="入户调查")
    bulk.get_by_label("日期", exact=True).fill("2026-04-01")
    bulk.get_by_label("粘贴户号").fill("T-0002")
    screenshot(page, "progress-bulk-before")
    page.get_by_test_id("bulk-submit").click()
    page.get_by_text("已为 3 户记录「入户调查」（2026-04-01）。").wait_for()
    screenshot(page, "progress-bulk-done")
    assert [Household.objects.get(pk=h.pk).stage for h in others] == ["surveyed"] * 3

    # All or nothing: DH-002 and an already surveyed household together, nothing is written.
    page.get_by_test_id("tick-all").check()
    bulk = page.get_by_test_id("bulk-form")
    bulk.get_by_label("事项").select_option(label="入户调查")
    bulk.get_by_label("日期", exact=True).fill("2026-04-02")
    bulk.get_by_label("粘贴户号").fill("T-0000")
    page.get_by_test_id("bulk-submit").click()
    message = page.get_by_test_id("bulk-error")
    message.wait_for()
    assert "T-0000" in message.inner_text() and "没有写入任何记录" in message.inner_text()
    assert Household.objects.get(pk=cast.household_a2.pk).stage == "registered"

    result = rollups.verify()
    assert result.ok, result.mismatch
