"""Targets meet the data: progress is the rollups ÷ the target, the light is judged against the
share due by the milestones (序时进度), and the district goal shows how the street targets add up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.campaign.selectors.status import campaign_overview_status, campaign_status, expected_rate, light_for
from gaizao.campaign.services import campaign as services
from tests.campaign.helpers import make_campaign
from tests.progress.helpers import decidable
from tests.progress.test_dashboard import open_signing, sign

D = dt.date


def test_expected_rate_runs_straight_through_the_milestones_to_the_end():
    points = [(D(2026, 6, 30), Decimal("60")), (D(2026, 9, 30), Decimal("100"))]
    kw = {"starts_on": D(2026, 1, 1), "ends_on": D(2026, 12, 31), "points": points}
    assert expected_rate(today=D(2025, 12, 1), **kw) == Decimal("0.00")
    assert expected_rate(today=D(2026, 6, 30), **kw) == Decimal("60.00")
    # halfway between 30 June (60 %) and 30 September (100 %): 46 of 92 days → 80 %
    assert expected_rate(today=D(2026, 8, 15), **kw) == Decimal("80.00")
    assert expected_rate(today=D(2026, 11, 1), **kw) == Decimal("100.00")
    # no milestone: evenly from start to end
    assert expected_rate(starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 11), points=[], today=D(2026, 1, 6)) == 50


@pytest.mark.parametrize(("rate", "expected", "light"), [
    ("80", "80", "green"), ("90", "80", "green"), ("70.01", "80", "green"), ("70", "80", "yellow"),
    ("50", "80", "yellow"), ("49.99", "80", "red"), (None, "80", "none"),
])
def test_the_light_is_green_on_or_ahead_yellow_10_to_30_behind_red_beyond(rate, expected, light):
    assert light_for(rate=None if rate is None else Decimal(rate), expected=Decimal(expected),
                     yellow=Decimal("10"), red=Decimal("30"), started=True) == light


def test_before_the_campaign_starts_there_is_no_light():
    assert light_for(rate=Decimal("0"), expected=Decimal("0"), yellow=Decimal("10"), red=Decimal("30"),
                     started=False) == "none"


def test_done_comes_from_the_rollups_and_the_light_from_the_milestones(cast):
    today = dt.date.today()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=100),
                             ends_on=today + dt.timedelta(days=100))
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="2")
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_b, target="4")
    services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today, rate="50")
    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=today - dt.timedelta(days=1))
    by_street = {s.code: s for s in campaign_status(campaign, today=today)}
    a = by_street[cast.street_a.code].targets[0]
    assert (a.key, a.target, a.done, a.rate, a.expected_rate) == ("signed", 2, 1, Decimal("50.00"), Decimal("50.00"))
    assert a.light == "green"
    b = by_street[cast.street_b.code].targets[0]
    assert (b.done, b.rate, b.light) == (0, Decimal("0.00"), "red")
    assert b.as_dict()["milestone"] == {"due_on": today.isoformat(), "rate": "50", "amount": "2", "passed": False}


def test_goals_that_the_street_targets_do_not_add_up_to_show_the_difference(cast):
    campaign = make_campaign(cast.commander)
    services.goal_set(actor=cast.commander, campaign=campaign, metric="vacated", target="100")
    services.target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=cast.street_a, target="30")
    services.target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=cast.street_b, target="50")
    goal = campaign_overview_status(campaign, today=D(2026, 6, 1)).goals[0]
    assert (goal.goal, goal.assigned, goal.difference) == (100, 80, Decimal("-20.00"))
    services.target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=cast.street_b, target="70")
    assert campaign_overview_status(campaign, today=D(2026, 6, 1)).goals[0].difference == 0


def test_villages_completed_are_counted_by_the_campaigns_rule(cast):
    campaign = make_campaign(cast.commander, starts_on=dt.date.today() - dt.timedelta(days=10))
    services.target_set(actor=cast.commander, campaign=campaign, metric="villages_completed", street=cast.street_b,
                        target="1")
    open_signing(cast.project_b)
    sign(cast.admin, [cast.household_b1], on=dt.date.today())
    [b] = campaign_status(campaign, streets=[cast.street_b])
    assert b.targets[0].done == 0  # not demolished yet: the default rule for 拆除新建
    services.completion_rule_set(actor=cast.commander, campaign=campaign, rules={"demolish_rebuild": ["signed"]})
    [b] = campaign_status(campaign, streets=[cast.street_b])
    assert b.targets[0].done == 1


def test_demolished_area_is_counted_in_wan_square_metres(cast):
    from gaizao.progress.services.events import households_record_stage

    today = dt.date.today()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=10))
    services.target_set(actor=cast.commander, campaign=campaign, metric="demolished_area", street=cast.street_a,
                        target="0.03")
    open_signing(cast.project_a)
    decidable(cast.admin, [cast.household_a1])
    sign(cast.admin, [cast.household_a1], on=today)
    for kind in ("vacated", "demolished"):
        households_record_stage(actor=cast.admin, household_ids=[cast.household_a1.pk], kind=kind, on_date=today)
    [a] = campaign_status(campaign, streets=[cast.street_a])
    # 120.50 + 30.00 ㎡ = 0.01505 万㎡, shown to two places
    assert a.targets[0].done == Decimal("0.02")


def test_the_status_costs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    campaign = make_campaign(cast.commander)
    for metric in ("signed", "vacated", "demolished_area", "villages_completed", "site_ready"):
        for street in (cast.street_a, cast.street_b):
            services.target_set(actor=cast.commander, campaign=campaign, metric=metric, street=street, target="5")
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                        village=cast.village_a, target="1")
    # streets, targets, milestones, goals, street / village rollups, villages, village rollups, open tasks, done tasks
    with django_assert_num_queries(10):
        campaign_overview_status(campaign, today=D(2026, 6, 1))
