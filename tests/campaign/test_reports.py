"""Periodic reports (定期汇报): periods, the draft → submitted → approved → accepted way, returns, the lock
and the office's reopening, completeness and timeliness."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.campaign.choices import ReportStatus
from gaizao.campaign.models import Campaign, Report
from gaizao.campaign.selectors.reports import report_figures, report_summary
from gaizao.campaign.services import reports as svc
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry, Notification
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind, Role
from tests.conftest import password_hash

TODAY = timezone.localdate()


def make_campaign(*, weeks_ago: int = 3, lock_days: int = 3) -> Campaign:
    """A campaign begun ``weeks_ago`` weeks ago (periods of 7 days): today is in its last period."""
    return Campaign.objects.create(name="2026年城中村改造攻坚专项行动", year=TODAY.year,
                                   starts_on=TODAY - dt.timedelta(days=7 * weeks_ago),
                                   ends_on=TODAY + dt.timedelta(days=200), report_lock_days=lock_days)


def second_street_account(cast, username="street_a2", name="东湖副主任"):
    """Another account of street A (the street leader who approves: 四眼原则)."""
    return org_services.user_create(actor=SYSTEM, username=username, password="", full_name=name,
                                    memberships=[(Role.STREET, cast.street_a)], password_hash=password_hash())


def start(campaign, n: int) -> dt.date:
    return campaign.starts_on + dt.timedelta(days=7 * n)


def draft(cast, campaign, n: int, *, street=None, user=None, text="完成签约 12 户"):
    return svc.report_save(actor=user or cast.street_user_a, campaign=campaign, street=street or cast.street_a,
                           period_start=start(campaign, n), work_done=text, problems="个别户诉求较高")


@pytest.fixture
def campaign(db):
    return make_campaign()


def test_periods_run_from_the_start_in_steps_and_lock_after_their_end(campaign):
    periods = svc.periods_until(campaign, TODAY)
    assert [p.start for p in periods] == [start(campaign, n) for n in range(4)]
    assert periods[0].end == start(campaign, 0) + dt.timedelta(days=6)
    assert periods[0].locks_after == periods[0].end + dt.timedelta(days=3)
    assert svc.period_of(campaign, TODAY).start == start(campaign, 3)
    assert svc.period_of(campaign, campaign.starts_on - dt.timedelta(days=1)) is None


def test_a_day_that_begins_no_period_or_a_future_period_is_refused(cast, campaign):
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 1) + dt.timedelta(days=1), work_done="x")
    assert "不是" in err.value.message and "周期开始日期" in err.value.message
    assert err.value.fields == {"period_start": "不是周期开始日期"}
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 4), work_done="x")
    assert "尚未开始" in err.value.message
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start="2026-13-01", work_done="x")
    assert "不是有效日期" in err.value.message
    assert not Report.objects.exists()


def test_saving_creates_the_draft_then_edits_it_on_its_version(cast, campaign):
    report = draft(cast, campaign, 3)
    assert report.status == ReportStatus.DRAFT and report.period_end == start(campaign, 3) + dt.timedelta(days=6)
    with pytest.raises(AppError) as err:  # the second save names the version read
        draft(cast, campaign, 3, text="改")
    assert err.value.fields == {"version": "必填"}
    saved = svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                            period_start=start(campaign, 3), version=report.version, work_done="完成签约 15 户")
    assert saved.work_done == "完成签约 15 户" and saved.version == report.version + 1
    with pytest.raises(Conflict):
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 3), version=report.version, work_done="旧页面")
    assert Report.objects.get().work_done == "完成签约 15 户"
    assert AuditEntry.objects.filter(action="campaign.report_save").count() == 2


def test_only_the_streets_own_accounts_fill_its_report(cast, campaign):
    for outsider in (cast.street_user_b, cast.commander, cast.leader, cast.department_user):
        with pytest.raises(NotFound):
            draft(cast, campaign, 3, user=outsider)
    assert not Report.objects.exists()


def test_a_text_too_long_or_with_invisible_characters_is_refused(cast, campaign):
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 3), problems="问" * 5001)
    assert err.value.fields == {"problems": "过长"} and "存在问题" in err.value.message
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 3), next_plan="下期\u202e计划")
    assert "next_plan" in err.value.fields
    assert not Report.objects.exists()


def test_submitting_freezes_the_figures_of_the_moment_and_tells_the_approvers(cast, campaign):
    approver = second_street_account(cast)
    report = draft(cast, campaign, 3)
    submitted = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    assert submitted.status == ReportStatus.SUBMITTED and submitted.submitted_by == cast.street_user_a
    assert submitted.figures["as_of"] == TODAY.isoformat()
    assert submitted.figures["status"]["street"] == cast.street_a.code
    assert submitted.figures["tasks"] == {"total": 0, "open": 0, "overdue": 0, "done": 0}
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [approver.pk]
    with pytest.raises(AppError) as err:
        svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                        period_start=start(campaign, 3), version=submitted.version, work_done="再改")
    assert "不能再修改" in err.value.message


def test_a_report_without_this_periods_work_is_not_submitted(cast, campaign):
    report = draft(cast, campaign, 3, text="  ")
    with pytest.raises(AppError) as err:
        svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    assert err.value.fields == {"work_done": "提交前必填"}
    assert Report.objects.get().status == ReportStatus.DRAFT


def test_submitting_after_the_lock_is_refused_with_a_clear_message(cast, campaign):
    # period 1 ended 8 days ago and locked 3 days after its end
    with pytest.raises(AppError) as err:
        draft(cast, campaign, 1)
    assert "截止并锁定" in err.value.message and "联系指挥部重新开放" in err.value.message
    assert err.value.fields == {"period_start": "已截止锁定"}
    # a draft saved in time cannot be submitted once locked
    report = draft(cast, campaign, 2)
    later = report.period_end + dt.timedelta(days=4)
    with pytest.raises(AppError) as err:
        svc.report_submit(actor=cast.street_user_a, report=report, version=report.version, today=later)
    assert "截止并锁定" in err.value.message
    assert Report.objects.get().status == ReportStatus.DRAFT


def test_the_office_reopens_one_streets_locked_period_until_a_date(cast, campaign):
    with pytest.raises(NotFound):  # not the street's to reopen
        svc.report_reopen(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                          period_start=start(campaign, 1), until=TODAY + dt.timedelta(days=2))
    with pytest.raises(AppError) as err:
        svc.report_reopen(actor=cast.commander, campaign=campaign, street=cast.street_a,
                          period_start=start(campaign, 1), until=TODAY - dt.timedelta(days=1))
    assert err.value.fields == {"until": "不能早于今天"}
    opened = svc.report_reopen(actor=cast.commander, campaign=campaign, street=cast.street_a,
                               period_start=start(campaign, 1), until=TODAY + dt.timedelta(days=2))
    assert opened.reopened_until == TODAY + dt.timedelta(days=2) and opened.status == ReportStatus.DRAFT
    report = svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                             period_start=start(campaign, 1), version=opened.version, work_done="补报")
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    assert report.status == ReportStatus.SUBMITTED
    # street B's same period stays locked
    with pytest.raises(AppError):
        draft(cast, campaign, 1, street=cast.street_b, user=cast.street_user_b)
    # after the reopening ends, locked again
    assert svc.locked(campaign, period_end=report.period_end, reopened_until=report.reopened_until,
                      today=TODAY + dt.timedelta(days=3))


def test_approval_is_by_another_account_of_the_same_street(cast, campaign):
    approver = second_street_account(cast)
    report = draft(cast, campaign, 3)
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    with pytest.raises(AppError) as err:
        svc.report_approve(actor=cast.street_user_a, report=report, version=report.version)
    assert "四眼原则" in err.value.message
    for outsider in (cast.street_user_b, cast.commander):
        with pytest.raises(NotFound):
            svc.report_approve(actor=outsider, report=report, version=report.version)
    approved = svc.report_approve(actor=approver, report=report, version=report.version)
    assert approved.status == ReportStatus.APPROVED and approved.approved_by == approver
    with pytest.raises(Conflict):  # the page read before the approval
        svc.report_approve(actor=approver, report=report, version=report.version - 1)


def test_the_office_accepts_only_approved_reports(cast, campaign):
    approver = second_street_account(cast)
    report = draft(cast, campaign, 3)
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    with pytest.raises(AppError) as err:
        svc.report_accept(actor=cast.commander, report=report, version=report.version)
    assert "街道已审核" in err.value.message
    report = svc.report_approve(actor=approver, report=report, version=report.version)
    for outsider in (cast.street_user_a, approver, cast.leader):
        with pytest.raises(NotFound):
            svc.report_accept(actor=outsider, report=report, version=report.version)
    accepted = svc.report_accept(actor=cast.commander, report=report, version=report.version)
    assert accepted.status == ReportStatus.ACCEPTED and accepted.accepted_by == cast.commander
    assert list(AuditEntry.objects.filter(action__startswith="campaign.report_").order_by("id")
                .values_list("action", flat=True)) == [
        "campaign.report_save", "campaign.report_submit", "campaign.report_approve", "campaign.report_accept"]


def test_a_returned_report_names_its_reason_tells_the_submitter_and_is_submitted_again(cast, campaign):
    approver = second_street_account(cast)
    report = draft(cast, campaign, 3)
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    first_submitted_at = report.submitted_at
    report = svc.report_approve(actor=approver, report=report, version=report.version)
    with pytest.raises(AppError) as err:
        svc.report_return(actor=cast.commander, report=report, version=report.version, reason="  ")
    assert err.value.fields == {"reason": "必填"}
    Notification.objects.all().delete()
    returned = svc.report_return(actor=cast.commander, report=report, version=report.version,
                                 reason="签约户数与台账不符，请核实")
    assert returned.status == ReportStatus.RETURNED and returned.return_reason == "签约户数与台账不符，请核实"
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {cast.street_user_a.pk, approver.pk}
    assert "签约户数与台账不符" in Notification.objects.first().body
    fixed = svc.report_save(actor=cast.street_user_a, campaign=campaign, street=cast.street_a,
                            period_start=report.period_start, version=returned.version, work_done="完成签约 11 户")
    again = svc.report_submit(actor=cast.street_user_a, report=fixed, version=fixed.version)
    assert again.status == ReportStatus.SUBMITTED and again.return_reason == "" and again.approved_by is None
    assert again.submitted_at == first_submitted_at  # timeliness is the first submission's


def test_returning_after_the_lock_reopens_the_period_for_the_correction(cast, campaign):
    approver = second_street_account(cast)
    report = draft(cast, campaign, 3)
    report = svc.report_submit(actor=cast.street_user_a, report=report, version=report.version)
    report = svc.report_approve(actor=approver, report=report, version=report.version)
    late = report.period_end + dt.timedelta(days=10)
    returned = svc.report_return(actor=cast.commander, report=report, version=report.version, reason="补充问题",
                                 today=late)
    assert returned.reopened_until == late + dt.timedelta(days=3)
    assert not svc.locked(campaign, period_end=report.period_end, reopened_until=returned.reopened_until, today=late)


def _submitted(cast, campaign, n, *, street, user, when=None):
    day = start(campaign, n)  # written in its own period
    report = svc.report_save(actor=user, campaign=campaign, street=street, period_start=day, work_done="完成签约",
                             today=day)
    report = svc.report_submit(actor=user, report=report, version=report.version, today=day)
    if when is not None:  # as if first submitted then
        Report.objects.filter(pk=report.pk).update(submitted_at=when)
    return report


def test_figures_say_per_street_and_period_whether_submitted_on_time_and_accepted(cast):
    campaign = make_campaign(weeks_ago=4)  # periods 0–2 closed, 3 open until it locks, 4 the current one
    late = timezone.make_aware(dt.datetime.combine(start(campaign, 0) + dt.timedelta(days=12), dt.time(9)))
    _submitted(cast, campaign, 0, street=cast.street_a, user=cast.street_user_a, when=late)
    svc.report_reopen(actor=cast.commander, campaign=campaign, street=cast.street_a, period_start=start(campaign, 1),
                      until=TODAY)
    report = _submitted(cast, campaign, 2, street=cast.street_a, user=cast.street_user_a,
                        when=timezone.make_aware(dt.datetime.combine(start(campaign, 2) + dt.timedelta(days=7),
                                                                     dt.time(9))))
    report.refresh_from_db()
    approver = second_street_account(cast)
    report = svc.report_approve(actor=approver, report=report, version=report.version)
    svc.report_accept(actor=cast.commander, report=report, version=report.version)
    figures = report_figures(campaign, today=TODAY)
    assert len(figures) == 2 * 5  # every street × every period begun
    a = cast.street_a.pk
    assert figures[a, start(campaign, 0)] == {"submitted": True, "on_time": False, "accepted": False, "due": True}
    assert figures[a, start(campaign, 1)] == {"submitted": False, "on_time": False, "accepted": False, "due": True}
    assert figures[a, start(campaign, 2)] == {"submitted": True, "on_time": True, "accepted": True, "due": True}
    assert figures[a, start(campaign, 3)]["due"] is False
    assert not any(f["submitted"] for (street, _), f in figures.items() if street == cast.street_b.pk)
    summary = {s.code: s for s in report_summary(campaign, today=TODAY)}
    east = summary[cast.street_a.code]
    assert (east.due, east.submitted, east.on_time, east.accepted) == (3, 2, 1, 1)
    assert str(east.rate_reported) == "66.7" and str(east.rate_on_time) == "33.3"
    assert east.missing == [start(campaign, 1)]
    assert summary[cast.street_b.code].rate_reported == 0


def test_figures_cost_two_queries_whatever_the_number_of_streets_and_periods(cast, django_assert_num_queries):
    short, long = make_campaign(weeks_ago=1), make_campaign(weeks_ago=30)
    for c in (short, long):
        _submitted(cast, c, 0 if c is short else 29, street=cast.street_a, user=cast.street_user_a)
    for i in range(5):
        org_services.orgunit_create(actor=SYSTEM, code=f"4401990{10 + i}", name=f"新街道{i}", kind=OrgKind.STREET,
                                    parent=cast.street_a.parent)
    for c in (short, long):
        with django_assert_num_queries(2):
            figures = report_figures(c, today=TODAY)
        assert len(figures) == 7 * len(svc.periods_until(c, TODAY))
        with django_assert_num_queries(2):
            report_summary(c, today=TODAY)
