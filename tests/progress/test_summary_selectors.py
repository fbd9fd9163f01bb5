"""The rollup selectors the dashboard, the board and the village card are built from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.progress.signing import judge_due
from gaizao.core.errors import NotFound
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress.choices import Level
from gaizao.progress.selectors.summary import (
    area_summary, cumulative_curves, dashboard_area, lapsed_projects, percent, project_summaries, signing_status,
    street_summaries, village_summaries, wan,
)
from gaizao.progress.services.events import event_correct, household_record_event
from tests.progress.test_dashboard import days_ago, open_signing, sign, square


def test_percent_and_wan_round_half_up():
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 0) is None
    assert wan(Decimal("1234567")) == Decimal("123.46")
    assert wan(Decimal("49.99")) == Decimal("0.00")


@pytest.mark.parametrize("role", ["admin", "commander", "leader"])
def test_district_roles_get_the_district(cast, role):
    area = dashboard_area(getattr(cast, role))
    assert area.is_district and area.unit == cast.district
    chosen = dashboard_area(getattr(cast, role), street_code=cast.street_b.code)
    assert chosen.level == Level.STREET and chosen.unit == cast.street_b


def test_street_user_gets_their_street_and_nothing_else(cast):
    assert dashboard_area(cast.street_user_a).unit == cast.street_a
    assert dashboard_area(cast.street_user_a, street_code=cast.street_a.code).unit == cast.street_a
    with pytest.raises(NotFound):
        dashboard_area(cast.street_user_a, street_code=cast.street_b.code)
    with pytest.raises(NotFound):
        dashboard_area(cast.commander, street_code=cast.community_a.code)  # not a street


@pytest.mark.parametrize("role", ["department_user", "cadre", "resident", "outsider", "auditor", "security"])
def test_other_roles_have_no_dashboard_area(cast, role):
    with pytest.raises(NotFound):
        dashboard_area(getattr(cast, role))


def test_anonymous_has_no_dashboard_area(cast):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotFound):
        dashboard_area(AnonymousUser())


def test_area_summary_counts_households_and_areas_of_each_stage(cast):
    open_signing(cast.project_a, cast.project_b)
    sign(cast.admin, [cast.household_a1], on=days_ago(5), ready_on=days_ago(9))
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(2))
    district = area_summary(dashboard_area(cast.leader))
    assert district.households == 3 and district.total_area == Decimal("150.50")
    assert district.count("signed") == 1 and district.area("signed") == Decimal("150.50")
    assert district.signed_rate == Decimal("33.3") and district.vacated_rate == Decimal("33.3")
    assert district.unsigned == 2 and not district.complete
    assert [row["key"] for row in district.stages()] == [
        "surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]
    street_b = area_summary(dashboard_area(cast.street_user_b))
    assert street_b.households == 1 and street_b.count("signed") == 0 and street_b.signed_rate == Decimal("0.0")


def test_a_withdrawn_household_leaves_every_figure(cast):
    household_record_event(actor=cast.admin, household=cast.household_a2, kind="surveyed", on_date=days_ago(3))
    household_record_event(actor=cast.admin, household=cast.household_a2, kind="withdrawn", on_date=days_ago(1))
    summary = area_summary(dashboard_area(cast.street_user_a))
    assert summary.households == 1 and summary.count("surveyed") == 0


def test_a_unit_is_complete_when_every_household_is_demolished(cast):
    open_signing(cast.project_b)
    sign(cast.admin, [cast.household_b1], on=days_ago(5), ready_on=days_ago(9))
    household_record_event(actor=cast.admin, household=cast.household_b1, kind="vacated", on_date=days_ago(3))
    household_record_event(actor=cast.admin, household=cast.household_b1, kind="demolished", on_date=days_ago(1))
    villages = {v.code: v for v in village_summaries(dashboard_area(cast.leader))}
    assert villages["V002"].complete and not villages["V001"].complete


def test_street_summaries_are_sorted_by_signed_rate(cast):
    open_signing(cast.project_b)
    sign(cast.admin, [cast.household_b1], on=days_ago(3), ready_on=days_ago(4))
    streets = street_summaries(dashboard_area(cast.commander))
    assert [(s.name, s.signed_rate) for s in streets] == [("西岭街道", Decimal("100.0")), ("东湖街道", Decimal("0.0"))]
    assert [s.name for s in street_summaries(dashboard_area(cast.street_user_a))] == ["东湖街道"]


def test_village_summaries_carry_the_boundary_only_when_asked(cast):
    ledger_services.village_update(actor=cast.admin, village=cast.village_a, version=cast.village_a.version,
                                   boundary=square(113.3, 23.2))
    area = dashboard_area(cast.commander)
    with_map = {v.code: v for v in village_summaries(area, with_boundary=True)}
    assert with_map["V001"].extra["boundary"]["type"] == "Polygon"
    assert with_map["V002"].extra["boundary"] is None
    assert with_map["V001"].extra["street_name"] == "东湖街道"
    assert "boundary" not in village_summaries(area)[0].extra


@pytest.mark.parametrize("start, end, signed, code", [
    (None, None, 0, "none"),
    (-5, -30, 0, "not_started"),
    (30, -5, 0, "open"),
    (60, 10, 2, "effective"),
    (60, 10, 1, "lapsed"),
])
def test_signing_status_over_the_period(cast, start, end, signed, code):
    if start is not None:
        open_signing(cast.project_a, start=start, end=end)
    if signed:
        on = days_ago(20) if end and end > 0 else days_ago(1)
        sign(cast.admin, [cast.household_a1, cast.household_a2][:signed], on=on, ready_on=days_ago(25))
    judge_due(actor=SYSTEM)  # the hourly sweep judges an ended period
    status = {p.code: p.extra["signing"] for p in project_summaries(dashboard_area(cast.leader))}["P001"]
    assert status.code == code
    assert status.lapsed is (code == "lapsed")
    assert status.label


def test_the_threshold_is_compared_exactly(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_threshold=Decimal("50.00"))
    open_signing(cast.project_a, start=30, end=-5)
    sign(cast.admin, [cast.household_a1], on=days_ago(1), ready_on=days_ago(2))
    [summary] = project_summaries(dashboard_area(cast.street_user_a))
    assert summary.extra["signing"].code == "reached" and summary.extra["signing"].reached
    # 2 of 3 is 66.666…%: not reached at 66.67%, though the rate shown rounds to 66.7
    Project.objects.filter(pk=cast.project_a.pk).update(signing_threshold=Decimal("66.67"))
    project = Project.objects.get(pk=cast.project_a.pk)
    summary.counts.update({"scope": 3, "signed": 2})
    status = signing_status(project, summary, timezone.localdate())
    assert status.rate == Decimal("66.7") and not status.reached


def test_lapsed_projects(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(60), signing_end=days_ago(1))
    assert lapsed_projects(dashboard_area(cast.commander)) == []  # ended, not judged yet: 待判定
    judge_due(actor=SYSTEM)
    assert [p.code for p in lapsed_projects(dashboard_area(cast.commander))] == ["P001"]
    assert lapsed_projects(dashboard_area(cast.street_user_b)) == []


def test_cumulative_curves_follow_corrections(cast):
    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=days_ago(10), ready_on=days_ago(12))
    sign(cast.admin, [cast.household_a2], on=days_ago(6), ready_on=days_ago(12))
    event = cast.household_a2.events.get(kind="signed")
    event_correct(actor=cast.admin, event=event, note="日期有误", on_date=days_ago(8))
    curves = cumulative_curves(Level.STREET, cast.street_a.pk)
    by_day = dict(zip(curves["days"], curves["signed"]))
    assert by_day[days_ago(10).isoformat()] == 1
    assert by_day[days_ago(8).isoformat()] == 2
    # the old day keeps a row (+1 −1): the curve stays at 2 there
    assert by_day.get(days_ago(6).isoformat(), 2) == 2
    assert curves["signed"][-1] == 2 and curves["vacated"][-1] == 0


def test_each_selector_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    for i in range(4):
        village = ledger_services.village_create(actor=cast.admin, street=cast.street_a, code=f"VQ{i}",
                                                 name=f"查询{i}村", mode="upgrade", year=2026)
        ledger_services.project_create(actor=cast.admin, village=village, code=f"PQ{i}", name="一期")
    area = dashboard_area(cast.leader)
    with django_assert_num_queries(1):
        area_summary(area)
    with django_assert_num_queries(2):
        assert len(street_summaries(area)) == 2
    with django_assert_num_queries(2):
        assert len(village_summaries(area, with_boundary=True)) == 6
    with django_assert_num_queries(3):  # projects, their rollups, their signing judgements
        assert len(project_summaries(area)) == 6
    with django_assert_num_queries(1):
        cumulative_curves(Level.DISTRICT, cast.district.pk)
