"""The campaign overview: targets against progress with lights for the streets the reader sees, tasks per
responsible unit with the overdue ones, report completeness; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gaizao.campaign.services import campaign as services
from gaizao.campaign.services.tasks import task_create
from gaizao.core import calendar
from gaizao.progress.services.events import households_record_stage
from tests.campaign.helpers import make_campaign
from tests.conftest import login


@pytest.fixture
def campaign(cast):
    today = dt.date.today()
    c = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=60), ends_on=today + dt.timedelta(days=300))
    services.goal_set(actor=cast.commander, campaign=c, metric="signed", target="5")
    for street, target in ((cast.street_a, "2"), (cast.street_b, "2")):
        services.target_set(actor=cast.commander, campaign=c, metric="signed", street=street, target=target)
    return c


def _tasks(cast, campaign, n):
    from gaizao.campaign.models import Task

    soon = calendar.next_workday(dt.date.today() + dt.timedelta(days=3))
    for i in range(n):
        unit = (cast.street_a, cast.street_b, cast.department)[i % 3]
        task = task_create(actor=cast.commander, campaign=campaign, title=f"任务{i}", unit=unit, deadline=soon)
        if i % 2 == 0:  # set twenty days back: the service refuses a deadline in the past
            Task.objects.filter(pk=task.pk).update(deadline=dt.date.today() - dt.timedelta(days=20))


def test_the_office_sees_every_street_the_goal_difference_and_overdue_tasks(cast, client, campaign):
    _tasks(cast, campaign, 6)
    login(client, cast.commander)
    page = client.get(reverse("campaign:overview", args=[campaign.pk])).content.decode()
    assert 'data-street="440199001"' in page and 'data-street="440199002"' in page
    assert 'data-testid="goal-difference"' in page and "-1" in page  # 2 + 2 against 5
    assert 'data-testid="overdue-tasks"' in page and "任务0" in page and "逾期" in page
    assert 'data-unit="440199-ZJJ"' in page


def test_a_street_sees_its_own_targets_and_tasks_only(cast, client, campaign):
    _tasks(cast, campaign, 6)
    login(client, cast.street_user_a)
    page = client.get(reverse("campaign:overview", args=[campaign.pk])).content.decode()
    assert 'data-street="440199001"' in page and 'data-street="440199002"' not in page
    assert 'data-testid="goals-table"' not in page
    assert "任务1" not in page and 'data-unit="440199-ZJJ"' not in page  # the other street's and the department's


@pytest.mark.parametrize("who", ["cadre", "resident", "outsider", "auditor"])
def test_roles_without_the_campaign_get_404(cast, client, campaign, who):
    login(client, getattr(cast, who))
    assert client.get(reverse("campaign:overview", args=[campaign.pk])).status_code == 404


def test_the_overview_costs_a_fixed_number_of_queries(cast, client, campaign, django_assert_num_queries):
    login(client, cast.commander)
    url = reverse("campaign:overview", args=[campaign.pk])
    client.get(url)
    _tasks(cast, campaign, 3)
    with django_assert_num_queries(19) as few:
        client.get(url)
    _tasks(cast, campaign, 12)
    for street in (cast.street_a, cast.street_b):
        services.target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=street, target="3")
    households_record_stage(actor=cast.admin, household_ids=[cast.household_a1.pk], kind="surveyed",
                            on_date=dt.date.today())
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
