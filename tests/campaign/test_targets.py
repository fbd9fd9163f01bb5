"""Campaign, goals, targets and milestones: the office sets them, bad input is refused by field, and
every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.campaign.models import Campaign, Goal, Target
from gaizao.campaign.services import campaign as services
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, PermissionDenied
from tests.campaign.helpers import make_campaign


def test_a_campaign_whose_end_is_before_its_start_is_refused(cast):
    with pytest.raises(AppError) as caught:
        services.campaign_create(actor=cast.commander, name="x", year=2026, starts_on=dt.date(2026, 5, 1),
                                 ends_on=dt.date(2026, 4, 1))
    assert "ends_on" in caught.value.fields
    assert not Campaign.objects.exists()


def test_a_yellow_line_beyond_the_red_one_is_refused(cast):
    with pytest.raises(AppError) as caught:
        services.campaign_create(actor=cast.commander, name="x", year=2026, starts_on=dt.date(2026, 1, 1),
                                 ends_on=dt.date(2026, 12, 31), yellow_behind=40, red_behind=30)
    assert "yellow_behind" in caught.value.fields


@pytest.mark.parametrize("who", ["street_user_a", "leader", "department_user", "cadre"])
def test_only_the_office_and_the_admin_set_targets(cast, who):
    campaign = make_campaign(cast.commander)
    with pytest.raises(PermissionDenied):
        services.target_set(actor=getattr(cast, who), campaign=campaign, metric="signed", street=cast.street_a,
                            target="3")
    assert not Target.objects.exists()


@pytest.mark.parametrize(("value", "words"), [("-1", "不小于 0"), ("abc", "不是数字"), ("1.234", "两位小数"),
                                              ("NaN", "不小于 0")])
def test_a_bad_target_is_refused_with_its_reason(cast, value, words):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError) as caught:
        services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                            target=value)
    assert words in caught.value.message and "target" in caught.value.fields


def test_a_target_goes_to_a_street_and_its_village_must_be_the_streets(cast):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError, match="街道"):
        services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.department,
                            target="3")
    with pytest.raises(AppError, match="不属于"):
        services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                            village=cast.village_b, target="1")


def test_setting_a_target_again_changes_it_and_empty_removes_it_audited(cast):
    campaign = make_campaign(cast.commander)
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="3")
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="5")
    assert Target.objects.get().target == 5
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target=None)
    assert not Target.objects.exists()
    actions = list(AuditEntry.objects.filter(action__startswith="campaign.target").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["campaign.target_set", "campaign.target_set", "campaign.target_remove"]


def test_the_targets_grid_saves_all_or_nothing(cast):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError) as caught:
        services.targets_set(actor=cast.commander, campaign=campaign, goals={"signed": "10"},
                             targets={(cast.street_a, "signed"): "4", (cast.street_b, "signed"): "-2"})
    assert f"t_{cast.street_b.pk}_signed" in caught.value.fields
    assert "西岭街道" in caught.value.message
    assert not Target.objects.exists() and not Goal.objects.exists()


def test_a_milestone_outside_the_campaign_is_refused(cast):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError) as caught:
        services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=dt.date(2027, 1, 5),
                               rate="50")
    assert "due_on" in caught.value.fields
    with pytest.raises(AppError):
        services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=dt.date(2026, 6, 30),
                               rate="120")


def test_an_unknown_completion_condition_is_refused(cast):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError, match="未知的完成条件"):
        services.completion_rule_set(actor=cast.commander, campaign=campaign, rules={"upgrade": ["flying"]})
    with pytest.raises(AppError, match="改造方式"):
        services.completion_rule_set(actor=cast.commander, campaign=campaign, rules={"teleport": ["signed"]})


def test_the_office_sets_and_removes_a_villages_target_on_the_page(cast, client):
    from django.urls import reverse

    from tests.conftest import login

    campaign = make_campaign(cast.commander)
    login(client, cast.commander)
    url = reverse("campaign:target_narrow", args=[campaign.pk])
    client.post(url, {"village": cast.village_a.pk, "metric": "signed", "target": "2"})
    target = Target.objects.get()
    assert (target.street, target.village, target.project, target.target) == (cast.street_a, cast.village_a, None, 2)
    page = client.get(reverse("campaign:targets", args=[campaign.pk])).content.decode()
    assert "东湖村" in page
    response = client.post(url, {"village": cast.village_a.pk, "project": cast.project_b.pk, "metric": "signed",
                                 "target": "1"}, follow=True)
    assert "该项目不属于所选城中村" in response.content.decode() and Target.objects.count() == 1
    client.post(url, {"village": cast.village_a.pk, "metric": "signed", "target": ""})
    assert not Target.objects.exists()
