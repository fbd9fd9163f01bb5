"""Forecasts (按此进度，预计 … 完成): the pace of the last four weeks, a range, the deadline.

The daily history is written by hand into DailyRollup (what ``forecasts`` reads), so that each
expected date below can be worked out on paper.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.progress.choices import Level
from gaizao.progress.models import DailyRollup
from gaizao.progress.selectors.summary import UnitSummary, forecasts, signing_deadlines

TODAY = dt.date(2026, 11, 26)
START = TODAY - dt.timedelta(days=27)  # 2026-10-30: the first day of the four weeks
UNIT = 7


def history(weeks: list[int], *, unit: int = UNIT, level: int = Level.STREET, key: str = "signed") -> None:
    """Signings spread over each week's days (the first day of the week gets the remainder)."""
    rows = []
    for week, count in enumerate(weeks):
        first = START + dt.timedelta(days=7 * week)
        for day in range(7):
            n = count // 7 + (count % 7 if day == 0 else 0)
            if n:
                rows.append(DailyRollup(level=level, unit=unit, key=key, day=first + dt.timedelta(days=day),
                                        households=n, area_centi=n * 10000))
    DailyRollup.objects.bulk_create(rows)


def unit(*, scope: int, signed: int, decision: int = 0, unit_id: int = UNIT) -> UnitSummary:
    return UnitSummary(level=Level.STREET, unit_id=unit_id, counts={"scope": scope, "signed": signed,
                                                                   "decision": decision})


@pytest.mark.django_db
def test_done_date_and_range_from_four_weeks_of_5_10_15_10():
    history([5, 10, 15, 10])
    forecast = forecasts(Level.STREET, [unit(scope=140, signed=40)], deadlines={}, today=TODAY)[UNIT]
    assert forecast.weekly == [5, 10, 15, 10]
    assert forecast.remaining == 100
    # 40 in four weeks: 10 a week; 100 left → 70 days; fastest week 15 → ⌈700/15⌉ = 47 days;
    # slowest week 5 → 140 days.
    assert forecast.pace_per_week == Decimal("10.0")
    assert forecast.done_on == dt.date(2027, 2, 4) == TODAY + dt.timedelta(days=70)
    assert forecast.earliest == dt.date(2027, 1, 12) == TODAY + dt.timedelta(days=47)
    assert forecast.latest == dt.date(2027, 4, 15) == TODAY + dt.timedelta(days=140)
    assert forecast.text == "按此进度，预计 2027年2月4日 完成（2027年1月12日 至 2027年4月15日）"
    assert forecast.will_meet is None  # no deadline applies


@pytest.mark.django_db
def test_deadline_met_and_missed():
    history([5, 10, 15, 10])
    summaries = [unit(scope=140, signed=40)]
    met = forecasts(Level.STREET, summaries, deadlines={UNIT: dt.date(2027, 3, 1)}, today=TODAY)[UNIT]
    assert met.will_meet is True and met.deadline == dt.date(2027, 3, 1)
    on_the_day = forecasts(Level.STREET, summaries, deadlines={UNIT: dt.date(2027, 2, 4)}, today=TODAY)[UNIT]
    assert on_the_day.will_meet is True
    missed = forecasts(Level.STREET, summaries, deadlines={UNIT: dt.date(2027, 2, 3)}, today=TODAY)[UNIT]
    assert missed.will_meet is False


@pytest.mark.django_db
def test_no_signings_in_four_weeks_cannot_finish():
    history([3], unit=UNIT)  # a week that ends before the window
    DailyRollup.objects.update(day=START - dt.timedelta(days=1))
    forecast = forecasts(Level.STREET, [unit(scope=50, signed=3)], deadlines={UNIT: dt.date(2027, 6, 30)},
                         today=TODAY)[UNIT]
    assert forecast.weekly == [0, 0, 0, 0]
    assert forecast.done_on is None and forecast.earliest is None and forecast.latest is None
    assert forecast.text == "近四周无签约，按此进度无法完成"
    assert forecast.will_meet is False  # a deadline and no pace: it will not be met


@pytest.mark.django_db
def test_a_quiet_week_leaves_only_the_earliest_date():
    history([0, 7, 7, 0])
    forecast = forecasts(Level.STREET, [unit(scope=28, signed=14)], deadlines={}, today=TODAY)[UNIT]
    # 14 in four weeks: 3.5 a week, 14 left → 28 days; the fastest week (7) → 14 days; the slowest (0): none
    assert forecast.done_on == TODAY + dt.timedelta(days=28)
    assert forecast.earliest == TODAY + dt.timedelta(days=14) and forecast.latest is None
    assert forecast.text == "按此进度，预计 2026年12月24日 完成（最早 2026年12月10日）"


@pytest.mark.django_db
def test_everyone_signed_is_done_today():
    history([2, 2, 2, 2])
    forecast = forecasts(Level.STREET, [unit(scope=8, signed=8)], deadlines={UNIT: dt.date(2026, 1, 1)},
                         today=TODAY)[UNIT]
    assert forecast.finished and forecast.done_on == TODAY and forecast.will_meet is True
    assert forecast.text == "已全部签约"


@pytest.mark.django_db
def test_compensation_decisions_leave_the_households_to_sign():
    history([5, 10, 15, 10])
    forecast = forecasts(Level.STREET, [unit(scope=140, signed=40, decision=30)], deadlines={}, today=TODAY)[UNIT]
    assert forecast.remaining == 70
    assert forecast.done_on == TODAY + dt.timedelta(days=49)


def test_a_signing_moved_out_of_the_window_by_a_correction_no_longer_counts(cast):
    from django.utils import timezone

    from gaizao.ledger.models import Project
    from gaizao.progress.services.events import event_correct, household_record_event
    from gaizao.progress.selectors.summary import street_summaries, dashboard_area

    today = timezone.localdate()
    Project.objects.update(signing_start=today - dt.timedelta(days=90), signing_end=today + dt.timedelta(days=30))
    for kind in ("surveyed", "decided", "valued"):
        household_record_event(actor=cast.admin, household=cast.household_a1, kind=kind,
                               on_date=today - dt.timedelta(days=60))
    signed = household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed",
                                    on_date=today - dt.timedelta(days=2))
    area = dashboard_area(cast.street_user_a)

    def street_forecast():
        summaries = street_summaries(area)
        return forecasts(Level.STREET, summaries, deadlines={}, today=today)[cast.street_a.pk]

    assert street_forecast().weekly == [0, 0, 0, 1]
    event_correct(actor=cast.admin, event=signed, note="签约日期录错", on_date=today - dt.timedelta(days=40))
    moved = street_forecast()
    assert moved.weekly == [0, 0, 0, 0] and moved.remaining == 1
    assert moved.text == "近四周无签约，按此进度无法完成"


@pytest.mark.django_db
def test_other_keys_levels_and_units_do_not_count():
    history([5, 10, 15, 10])
    history([50, 50, 50, 50], key="vacated")
    history([50, 50, 50, 50], level=Level.VILLAGE)
    history([50, 50, 50, 50], unit=UNIT + 1)
    forecast = forecasts(Level.STREET, [unit(scope=140, signed=40)], deadlines={}, today=TODAY)[UNIT]
    assert forecast.weekly == [5, 10, 15, 10]


@pytest.mark.django_db
def test_forecasts_for_many_units_take_one_query(django_assert_num_queries):
    for n in range(5):
        history([n, n + 1, n + 2, n + 3], unit=100 + n)
    summaries = [unit(scope=100, signed=10, unit_id=100 + n) for n in range(5)]
    with django_assert_num_queries(1):
        out = forecasts(Level.STREET, summaries, deadlines={}, today=TODAY)
    assert [out[100 + n].weekly for n in range(5)] == [[n, n + 1, n + 2, n + 3] for n in range(5)]


def test_the_deadline_is_the_latest_signing_end_of_the_units_projects(cast):
    from gaizao.ledger import services as ledger_services
    from gaizao.ledger.models import Project

    second = ledger_services.project_create(actor=cast.admin, village=cast.village_a, code="P001-2", name="东湖村二期")
    Project.objects.filter(pk=cast.project_a.pk).update(signing_end=dt.date(2027, 1, 31))
    Project.objects.filter(pk=second.pk).update(signing_end=dt.date(2027, 6, 30))
    assert signing_deadlines(Level.STREET, [cast.street_a.pk, cast.street_b.pk]) == {
        cast.street_a.pk: dt.date(2027, 6, 30), cast.street_b.pk: None}
    assert signing_deadlines(Level.VILLAGE, [cast.village_a.pk]) == {cast.village_a.pk: dt.date(2027, 6, 30)}
    assert signing_deadlines(Level.PROJECT, [cast.project_a.pk]) == {cast.project_a.pk: dt.date(2027, 1, 31)}
    assert signing_deadlines(Level.DISTRICT, [cast.district.pk]) == {cast.district.pk: dt.date(2027, 6, 30)}
