"""Forecasts (按此进度，预计 … 完成): only households that can still sign, the pace of their last four
weeks, a range, the project's own deadline; 期满未达标 and 未启动 said in words.

The figures are written by hand into Rollup and DailyRollup at the project level (what
``forecasts`` reads), so that each expected date below can be worked out on paper.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress.choices import Level
from gaizao.progress.models import DailyRollup, Rollup
from gaizao.progress.selectors.summary import UnitSummary, forecasts

TODAY = dt.date(2026, 11, 26)
START = TODAY - dt.timedelta(days=27)  # 2026-10-30: the first day of the four weeks


def history(weeks: list[int], *, unit: int, level: int = Level.PROJECT, key: str = "signed") -> None:
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


def project(cast, code: str, *, scope: int, signed: int, decision: int = 0, start: int | None = 60,
            end: int | None = -120, village=None) -> Project:
    """A project with its figures written into Rollup; its signing period from ``start`` days before
    TODAY to ``end`` days before (negative: after); None: not set."""
    made = ledger_services.project_create(actor=cast.admin, village=village or cast.village_a, code=code,
                                          name=f"项目{code}")
    Project.objects.filter(pk=made.pk).update(
        signing_start=None if start is None else TODAY - dt.timedelta(days=start),
        signing_end=None if end is None else TODAY - dt.timedelta(days=end))
    Rollup.objects.bulk_create([Rollup(level=Level.PROJECT, unit=made.pk, key=key, households=n)
                                for key, n in (("scope", scope), ("signed", signed), ("decision", decision)) if n])
    return Project.objects.get(pk=made.pk)


def of_project(p: Project, **kwargs):
    return forecasts(Level.PROJECT, [UnitSummary(level=Level.PROJECT, unit_id=p.pk)], today=TODAY, **kwargs)[p.pk]


def of_street(cast, **kwargs):
    street = cast.street_a.pk
    return forecasts(Level.STREET, [UnitSummary(level=Level.STREET, unit_id=street)], today=TODAY, **kwargs)[street]


@pytest.fixture
def quiet(cast):
    """The cast's own projects and figures out of the way: only the projects a test makes count."""
    Rollup.objects.all().delete()
    DailyRollup.objects.all().delete()
    Project.objects.update(signing_start=None, signing_end=None)
    return cast


def test_done_date_and_range_from_four_weeks_of_5_10_15_10(quiet):
    p = project(quiet, "F1", scope=140, signed=40)
    history([5, 10, 15, 10], unit=p.pk)
    forecast = of_project(p)
    assert forecast.weekly == [5, 10, 15, 10]
    assert forecast.remaining == 100
    # 40 in four weeks: 10 a week; 100 left → 70 days; fastest week 15 → ⌈700/15⌉ = 47 days;
    # slowest week 5 → 140 days.
    assert forecast.pace_per_week == Decimal("10.0")
    assert forecast.done_on == dt.date(2027, 2, 4) == TODAY + dt.timedelta(days=70)
    assert forecast.earliest == dt.date(2027, 1, 12) == TODAY + dt.timedelta(days=47)
    assert forecast.latest == dt.date(2027, 4, 15) == TODAY + dt.timedelta(days=140)
    assert forecast.text == "按此进度，预计 2027年2月4日 完成（2027年1月12日 至 2027年4月15日）"
    assert forecast.deadline == p.signing_end and forecast.will_meet is True


def test_the_project_is_compared_with_its_own_signing_end(quiet):
    met = project(quiet, "F1", scope=140, signed=40, end=-(70))  # ends the day it would be done
    missed = project(quiet, "F2", scope=140, signed=40, end=-(69))
    for p in (met, missed):
        history([5, 10, 15, 10], unit=p.pk)
    assert of_project(met).will_meet is True and of_project(met).deadline == dt.date(2027, 2, 4)
    assert of_project(missed).will_meet is False


def test_a_street_is_compared_with_the_campaign_deadline_never_its_projects_latest_end(quiet):
    p = project(quiet, "F1", scope=140, signed=40, end=-300)
    history([5, 10, 15, 10], unit=p.pk)
    street = of_street(quiet)
    assert street.remaining == 100 and street.deadline is None and street.will_meet is None
    target = of_street(quiet, deadlines={quiet.street_a.pk: dt.date(2027, 1, 31)})  # the campaign target's
    assert target.deadline == dt.date(2027, 1, 31) and target.will_meet is False


def test_no_signings_in_four_weeks_cannot_finish(quiet):
    p = project(quiet, "F1", scope=50, signed=3, end=-200)
    history([3], unit=p.pk)
    DailyRollup.objects.update(day=START - dt.timedelta(days=1))  # before the window
    forecast = of_project(p)
    assert forecast.weekly == [0, 0, 0, 0]
    assert forecast.done_on is None and forecast.earliest is None and forecast.latest is None
    assert forecast.text == "近四周无签约，按此进度无法完成"
    assert forecast.will_meet is False  # a deadline and no pace: it will not be met


def test_a_quiet_week_leaves_only_the_earliest_date(quiet):
    p = project(quiet, "F1", scope=28, signed=14)
    history([0, 7, 7, 0], unit=p.pk)
    forecast = of_project(p)
    # 14 in four weeks: 3.5 a week, 14 left → 28 days; the fastest week (7) → 14 days; the slowest (0): none
    assert forecast.done_on == TODAY + dt.timedelta(days=28)
    assert forecast.earliest == TODAY + dt.timedelta(days=14) and forecast.latest is None
    assert forecast.text == "按此进度，预计 2026年12月24日 完成（最早 2026年12月10日）"


def test_everyone_signed_is_done_today(quiet):
    p = project(quiet, "F1", scope=8, signed=8)
    history([2, 2, 2, 2], unit=p.pk)
    forecast = of_project(p)
    assert forecast.finished and forecast.done_on == TODAY and forecast.will_meet is True
    assert forecast.text == "已全部签约"


def test_compensation_decisions_leave_the_households_to_sign(quiet):
    p = project(quiet, "F1", scope=140, signed=40, decision=30)
    history([5, 10, 15, 10], unit=p.pk)
    forecast = of_project(p)
    assert forecast.remaining == 70
    assert forecast.done_on == TODAY + dt.timedelta(days=49)


# --- who counts -----------------------------------------------------------------------------------

def test_a_closed_period_below_the_threshold_is_said_lapsed_and_not_forecast(quiet):
    p = project(quiet, "F1", scope=100, signed=50, start=120, end=10)  # 50 % < 90 %, closed 10 days ago
    history([5, 10, 15, 10], unit=p.pk)
    forecast = of_project(p)
    assert (forecast.state, forecast.remaining, forecast.lapsed) == ("lapsed", 0, 50)
    assert forecast.text == "期满未达标" and forecast.state_label == "期满未达标"
    assert forecast.done_on is None and forecast.deadline is None and forecast.will_meet is None


def test_a_closed_period_at_the_threshold_is_said_closed(quiet):
    p = project(quiet, "F1", scope=10, signed=9, start=120, end=10)
    assert of_project(p).text == "签约期已满"


def test_a_project_without_a_period_has_not_started(quiet):
    p = project(quiet, "F1", scope=30, signed=0, start=None, end=None)
    forecast = of_project(p)
    assert (forecast.state, forecast.text, forecast.not_started, forecast.remaining) == ("not_started", "未启动", 30, 0)


def test_a_planned_period_counts_its_households_and_says_when_it_starts(quiet):
    p = project(quiet, "F1", scope=30, signed=0, start=-10, end=-60)  # starts in 10 days
    forecast = of_project(p)
    assert (forecast.state, forecast.remaining) == ("planned", 30)
    assert forecast.text == "签约期未开始（2026年12月6日 开始）"


def test_a_street_counts_only_its_open_projects_and_names_the_others(quiet):
    open_ = project(quiet, "F1", scope=140, signed=40)
    closed = project(quiet, "F2", scope=100, signed=50, start=120, end=10)
    project(quiet, "F3", scope=30, signed=0, start=None, end=None)
    history([5, 10, 15, 10], unit=open_.pk)
    history([50, 50, 50, 50], unit=closed.pk)  # signings of a project that can no longer sign: no pace
    history([50, 50, 50, 50], unit=quiet.street_a.pk, level=Level.STREET)  # street rows are not read
    street = of_street(quiet)
    assert street.remaining == 100 and street.weekly == [5, 10, 15, 10]
    assert (street.lapsed, street.not_started) == (50, 30)
    assert street.text == ("按此进度，预计 2027年2月4日 完成（2027年1月12日 至 2027年4月15日）"
                           "；另 50 户所在项目期满未达标、30 户所在项目未启动")


def test_the_district_counts_every_street(quiet):
    a = project(quiet, "F1", scope=10, signed=0)
    b = project(quiet, "F2", scope=10, signed=0, village=quiet.village_b)
    history([4, 4, 4, 4], unit=a.pk)
    history([4, 4, 4, 4], unit=b.pk)
    district = forecasts(Level.DISTRICT, [UnitSummary(level=Level.DISTRICT, unit_id=quiet.district.pk)],
                         today=TODAY)[quiet.district.pk]
    assert district.remaining == 20 and district.weekly == [8, 8, 8, 8]


def test_forecasts_for_many_units_take_two_queries(quiet, django_assert_num_queries):
    made = [project(quiet, f"F{n}", scope=100, signed=10) for n in range(5)]
    for n, p in enumerate(made):
        history([n, n + 1, n + 2, n + 3], unit=p.pk)
    summaries = [UnitSummary(level=Level.PROJECT, unit_id=p.pk) for p in made]
    with django_assert_num_queries(2):
        out = forecasts(Level.PROJECT, summaries, today=TODAY)
    assert [out[p.pk].weekly for p in made] == [[n, n + 1, n + 2, n + 3] for n in range(5)]


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
        return forecasts(Level.STREET, summaries, today=today)[cast.street_a.pk]

    assert street_forecast().weekly == [0, 0, 0, 1]
    event_correct(actor=cast.admin, event=signed, note="签约日期录错", on_date=today - dt.timedelta(days=40))
    moved = street_forecast()
    assert moved.weekly == [0, 0, 0, 0] and moved.remaining == 1
    assert moved.text == "近四周无签约，按此进度无法完成"
