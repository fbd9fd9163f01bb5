"""The demo's reports and meetings (gaizao/demo/campaign_reports.py): weeks of reports for every street,
one street late and missing, one returned; three meetings with decisions, some made tasks."""

from __future__ import annotations

import datetime as dt
import random

from gaizao.campaign.choices import MeetingKind, ReportStatus, TaskCategory
from gaizao.campaign.models import Decision, Meeting, Report
from gaizao.campaign.selectors.reports import report_summary
from gaizao.campaign.services.tasks import task_create
from gaizao.demo.campaign_reports import demo_reports
from tests.campaign.test_reports import TODAY, make_campaign, second_street_account


def test_the_demo_writes_weeks_of_reports_and_three_meetings(cast):
    campaign = make_campaign(weeks_ago=7)  # six closed periods, one just ended
    approver = second_street_account(cast)
    task_create(actor=cast.commander, campaign=campaign, title="东湖村签约攻坚", unit=cast.street_a,
                deadline=TODAY + dt.timedelta(days=40))
    demo_reports(campaign=campaign, today=TODAY, rng=random.Random(7))
    a = Report.objects.filter(street=cast.street_a)
    assert a.filter(status=ReportStatus.ACCEPTED).count() >= 5
    assert a.filter(status=ReportStatus.ACCEPTED).first().approved_by == approver  # four eyes in street A
    returned = Report.objects.get(status=ReportStatus.RETURNED)
    assert returned.street == cast.street_a and returned.return_reason
    summary = {s.code: s for s in report_summary(campaign, today=TODAY)}
    late = summary[cast.street_b.code]  # the last street: two missing, one late
    assert (late.due, late.submitted, late.on_time) == (6, 4, 3)
    assert (summary[cast.street_a.code].submitted, summary[cast.street_a.code].on_time) == (5, 5)
    # the period just ended: the first street waits for the office
    assert Report.objects.filter(status=ReportStatus.APPROVED, street=cast.street_a).count() == 1
    kinds = sorted(Meeting.objects.values_list("kind", flat=True))
    assert kinds == sorted([MeetingKind.LEADING_GROUP, MeetingKind.DISPATCH, MeetingKind.STREET])
    made = Decision.objects.filter(task__isnull=False)
    assert made.count() >= 3 and all(d.task.category == TaskCategory.DECISION for d in made)
    assert Decision.objects.filter(task__isnull=True).exists()
    street_meeting = Meeting.objects.get(kind=MeetingKind.STREET)
    assert street_meeting.decisions.filter(task__parent__isnull=False).count() == 1


def test_the_periods_before_the_last_six_are_accepted_history(cast):
    campaign = make_campaign(weeks_ago=10)  # nine closed periods: three of history
    demo_reports(campaign=campaign, today=TODAY, rng=random.Random(1))
    summary = {s.code: s for s in report_summary(campaign, today=TODAY)}
    assert summary[cast.street_a.code].due == 9 and summary[cast.street_a.code].on_time == 8  # the returned one
    oldest = Report.objects.filter(street=cast.street_a).order_by("period_start").first()
    assert oldest.period_start == campaign.starts_on and oldest.status == ReportStatus.ACCEPTED
