"""The demo district's campaign: targets with lights of every colour, 责任书 in force for every street (one
street's next version waiting), about 300 tasks with some overdue, weeks of reports with a late street,
three meetings whose decisions became tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gaizao.campaign.models import Agreement, Campaign, Decision, Meeting, Report, Task
from gaizao.campaign.selectors.reports import report_summary
from gaizao.campaign.selectors.status import campaign_overview_status
from gaizao.demo.generator import load_demo
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(households=1500, seed=7, today=TODAY)
        transaction.set_rollback(True)


def test_the_campaign_has_targets_whose_lights_differ(district, db):
    campaign = Campaign.objects.get()
    status = campaign_overview_status(campaign, today=TODAY)
    lights = {t.light for s in status.streets for t in s.targets}
    assert {"green", "red"} <= lights
    assert all(s.targets for s in status.streets)
    signed = next(g for g in status.goals if g.key == "signed")
    # the district's goal is set 20 above the streets' sum; one street's target was raised by 10 since
    assert signed.difference == -10


def test_every_street_signed_its_agreement_and_one_has_a_new_version_waiting(district, db):
    streets = OrgUnit.objects.filter(kind=OrgKind.STREET).count()
    assert Agreement.objects.filter(status="in_force", version=1).count() == streets
    [draft] = Agreement.objects.filter(status="draft")
    assert draft.version == 2 and draft.supersedes.status == "in_force" and draft.change_reason


def test_about_300_tasks_some_overdue(district, db):
    tasks = Task.objects.all()
    assert 250 <= tasks.count() <= 400
    assert tasks.filter(status__in=["todo", "doing"], deadline__lt=TODAY).exists()
    assert tasks.filter(status="done").exists() and tasks.filter(parent__isnull=False).exists()


def test_weeks_of_reports_with_one_street_late_and_meetings_with_decisions_made_tasks(district, db):
    campaign = Campaign.objects.get()
    assert Report.objects.values("period_start").distinct().count() >= 4
    rates = [s.rate_reported for s in report_summary(campaign, today=TODAY)]
    assert min(rates) < 100 and max(rates) == 100
    assert Meeting.objects.count() == 3
    assert Decision.objects.filter(task__isnull=False).exists()
