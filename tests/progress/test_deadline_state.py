"""A deadline already past reads 已逾期, not 逾期风险 (issue 11, item 7).

The rule is a state on the forecast (``Forecast.deadline_state``): on_time (按期), at_risk (逾期风险:
the deadline is still ahead and this pace misses it) and overdue (已逾期: the deadline has passed,
in Asia/Shanghai's today, and households are left to sign). The dashboard badge, the progress
table and the summary API all say the forecast's label.
"""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook

from gaizao.progress.api.summary import ForecastOut, _forecast
from gaizao.progress.choices import Level
from gaizao.progress.documents import build_table, progress_table_bytes
from gaizao.progress.selectors.summary import UnitSummary, forecasts, judge_deadline
from tests.progress.test_forecast import TODAY, history, of_project, of_street, project, quiet  # noqa: F401

PAST = TODAY - dt.timedelta(days=1)
AHEAD = TODAY + dt.timedelta(days=30)  # the pace (10 a week, 100 left) needs 70 days


@pytest.fixture
def street_with_pace(quiet):  # noqa: F811
    """Street A: one project open until far ahead, 100 households left, 10 signed a week."""
    p = project(quiet, "F1", scope=140, signed=40, end=-300)
    history([5, 10, 15, 10], unit=p.pk)
    return quiet


def badge(forecast) -> str:
    return render_to_string("progress/dashboard/_deadline.html", {"f": forecast})


def test_a_deadline_already_past_with_households_left_is_overdue(street_with_pace):
    forecast = of_street(street_with_pace, deadlines={street_with_pace.street_a.pk: PAST})
    assert forecast.remaining == 100 and forecast.will_meet is False
    assert forecast.deadline_state == "overdue" and forecast.overdue
    assert forecast.deadline_label == "已逾期"
    html = badge(forecast)
    assert "已逾期" in html and "逾期风险" not in html
    assert 'class="badge bg-red text-red-fg"' in html and 'data-state="overdue"' in html
    assert f"期限 {PAST:%Y-%m-%d}" in html


def test_a_deadline_ahead_that_this_pace_misses_stays_a_risk(street_with_pace):
    forecast = of_street(street_with_pace, deadlines={street_with_pace.street_a.pk: AHEAD})
    assert forecast.done_on == TODAY + dt.timedelta(days=70) > AHEAD
    assert (forecast.deadline_state, forecast.deadline_label, forecast.overdue) == ("at_risk", "逾期风险", False)
    html = badge(forecast)
    assert "逾期风险" in html and "已逾期" not in html and 'data-state="at_risk"' in html


def test_the_deadline_s_own_day_is_not_past_yet(street_with_pace):
    forecast = of_street(street_with_pace, deadlines={street_with_pace.street_a.pk: TODAY})
    assert forecast.deadline_state == "at_risk"


def test_a_deadline_this_pace_meets_is_on_time(street_with_pace):
    forecast = of_street(street_with_pace, deadlines={street_with_pace.street_a.pk: TODAY + dt.timedelta(days=70)})
    assert (forecast.will_meet, forecast.deadline_state, forecast.deadline_label) == (True, "on_time", "按期")
    assert "按期" in badge(forecast)


def test_all_signed_is_never_overdue_even_past_the_deadline(quiet):  # noqa: F811
    p = project(quiet, "F1", scope=8, signed=8, end=-300)
    history([2, 2, 2, 2], unit=p.pk)
    forecast = of_street(quiet, deadlines={quiet.street_a.pk: PAST})
    assert forecast.finished and forecast.deadline_state == "on_time" and not forecast.overdue
    html = badge(forecast)
    assert "已全部签约" in html and "逾期" not in html


def test_no_deadline_or_nothing_to_sign_is_not_judged(street_with_pace):
    forecast = of_street(street_with_pace)
    assert forecast.deadline is None and forecast.deadline_state is None and forecast.deadline_label == ""
    assert "未设期限" in badge(forecast)
    assert judge_deadline(deadline=PAST, will_meet=None, today=TODAY) is None


def test_a_project_s_open_period_is_never_past_its_own_end(quiet):  # noqa: F811
    # a project counts while its period is open, so its own end cannot be past; a closed one says 期满未达标
    open_one = project(quiet, "F1", scope=140, signed=40, end=0)  # ends today
    history([5, 10, 15, 10], unit=open_one.pk)
    assert of_project(open_one).deadline_state == "at_risk"
    closed = project(quiet, "F2", scope=100, signed=50, start=120, end=1)
    assert of_project(closed).deadline_state is None and "期满未达标" in badge(of_project(closed))


def test_today_is_beijing_s_when_the_server_clock_is_still_on_yesterday_in_utc(street_with_pace):
    # 2026-11-26 17:00 UTC is already 11-27 01:00 in Beijing: a deadline of 11-26 has passed there
    late_evening_utc = dt.datetime(2026, 11, 26, 17, 0, tzinfo=ZoneInfo("UTC"))
    street = street_with_pace.street_a.pk
    with mock.patch("django.utils.timezone.now", return_value=late_evening_utc):
        forecast = forecasts(Level.STREET, [UnitSummary(level=Level.STREET, unit_id=street)],
                             deadlines={street: dt.date(2026, 11, 26)})[street]
    assert forecast.deadline_state == "overdue"


def test_the_progress_table_says_the_same_words(street_with_pace):
    street = street_with_pace.street_a.pk
    rows = {}
    for deadline in (PAST, AHEAD):
        forecast = of_street(street_with_pace, deadlines={street: deadline})
        table = build_table(title="进度表", as_of=TODAY, stage_labels=[("signed", "签约")], streets=[],
                            villages=[], projects=[], street_forecasts={}, village_forecasts={},
                            total_forecast=forecast)
        sheet = load_workbook(io.BytesIO(progress_table_bytes(table))).active
        rows[deadline] = [cell for row in sheet.iter_rows(min_row=5, values_only=True) for cell in row
                          if isinstance(cell, str) and "完成" not in cell and "2027" in cell]
    assert rows[PAST] == ["2027年2月4日（已逾期）"]
    assert rows[AHEAD] == ["2027年2月4日（逾期风险）"]


def test_the_summary_api_gives_the_state_and_its_label(street_with_pace):
    street = street_with_pace.street_a.pk
    for deadline, state, label in ((PAST, "overdue", "已逾期"), (AHEAD, "at_risk", "逾期风险"), (None, None, "")):
        forecast = of_street(street_with_pace, deadlines={street: deadline} if deadline else None)
        out = ForecastOut(**_forecast(forecast))
        assert (out.deadline_state, out.deadline_label, out.will_meet) == (state, label, None if deadline is None else False)
