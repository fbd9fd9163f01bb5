"""Meetings (例会): who holds which kind, numbered decisions, a decision made a task in one step (once),
and the follow-up of earlier decisions on the next meeting's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.campaign.choices import MeetingKind, TaskCategory, TaskStatus
from gaizao.campaign.models import Decision, Meeting, Task
from gaizao.campaign.selectors.meetings import earlier_decisions
from gaizao.campaign.services import meetings as svc
from gaizao.campaign.services.tasks import task_create
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry
from tests.campaign.test_reports import make_campaign

TODAY = timezone.localdate()


@pytest.fixture
def campaign(db):
    return make_campaign()


def dispatch(cast, campaign, *, days_ago=7, title="第一次调度会"):
    return svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH, title=title,
                              held_on=TODAY - dt.timedelta(days=days_ago), place="区政府三楼会议室", chair="周指挥")


def test_the_office_holds_dispatch_meetings_on_the_office(cast, campaign):
    meeting = dispatch(cast, campaign)
    assert meeting.unit == cast.office and meeting.kind == MeetingKind.DISPATCH
    assert AuditEntry.objects.filter(action="campaign.meeting_create").count() == 1


def test_a_street_holds_only_its_own_street_meetings(cast, campaign):
    with pytest.raises(AppError) as err:
        svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.LEADING_GROUP,
                           title="领导小组会", held_on=TODAY)
    assert err.value.fields == {"kind": "无权登记此类会议"}
    with pytest.raises(AppError) as err:
        svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET, title="例会",
                           held_on=TODAY, unit=cast.street_b)
    assert "不是你的街道" in err.value.message
    meeting = svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET,
                                 title="东湖街道第一次例会", held_on=TODAY, unit=cast.street_a)
    assert meeting.unit == cast.street_a
    assert Meeting.objects.count() == 1


def test_bad_meeting_input_names_the_field(cast, campaign):
    with pytest.raises(AppError) as err:
        svc.meeting_create(actor=cast.commander, campaign=campaign, kind="weekly", title="x", held_on=TODAY)
    assert err.value.fields == {"kind": "不是可选的值"}
    with pytest.raises(AppError) as err:
        svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH, title=" ",
                           held_on=TODAY)
    assert err.value.fields == {"title": "必填"}
    with pytest.raises(AppError) as err:
        svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH, title="调度会",
                           held_on="12月5日")
    assert "不是有效日期" in err.value.message
    assert not Meeting.objects.exists()


def test_an_update_is_on_the_version_read(cast, campaign):
    meeting = dispatch(cast, campaign)
    updated = svc.meeting_update(actor=cast.commander, meeting=meeting, version=meeting.version, minutes="会议认为……")
    assert updated.minutes == "会议认为……"
    with pytest.raises(Conflict):
        svc.meeting_update(actor=cast.commander, meeting=meeting, version=meeting.version - 1 or 1, place="旧")
    with pytest.raises(NotFound):
        svc.meeting_update(actor=cast.street_user_a, meeting=meeting, version=updated.version, place="街道改")


def test_decisions_are_numbered_in_their_meeting(cast, campaign):
    meeting = dispatch(cast, campaign)
    first = svc.decision_add(actor=cast.commander, meeting=meeting, text="西岭村剩余户 12 月 20 日前走访完毕")
    second = svc.decision_add(actor=cast.commander, meeting=meeting, text="财政局拨付补偿资金")
    assert (first.order, second.order) == (1, 2)
    with pytest.raises(AppError) as err:
        svc.decision_add(actor=cast.commander, meeting=meeting, text="  ")
    assert err.value.fields == {"text": "必填"}
    with pytest.raises(NotFound):
        svc.decision_add(actor=cast.street_user_a, meeting=meeting, text="街道添加")


def test_a_decision_becomes_a_task_in_one_step_and_only_once(cast, campaign):
    meeting = dispatch(cast, campaign)
    decision = svc.decision_add(actor=cast.commander, meeting=meeting, text="西岭村剩余户逐户走访")
    made = svc.decision_to_task(actor=cast.commander, decision=decision, unit=cast.street_b,
                                person=cast.street_user_b, deadline=TODAY + dt.timedelta(days=10))
    task = made.task
    assert task.category == TaskCategory.DECISION and task.unit == cast.street_b and task.person == cast.street_user_b
    assert task.title == "西岭村剩余户逐户走访" and "第一次调度会" in task.description
    assert Decision.objects.get(pk=decision.pk).task_id == task.pk
    with pytest.raises(AppError) as err:
        svc.decision_to_task(actor=cast.commander, decision=decision, unit=cast.street_a,
                             deadline=TODAY + dt.timedelta(days=5))
    assert "不能重复转办" in err.value.message
    assert Task.objects.count() == 1
    assert AuditEntry.objects.filter(action="campaign.decision_to_task").count() == 1


def test_a_refused_task_leaves_the_decision_as_it_was(cast, campaign):
    meeting = dispatch(cast, campaign)
    decision = svc.decision_add(actor=cast.commander, meeting=meeting, text="事项")
    with pytest.raises(AppError) as err:
        svc.decision_to_task(actor=cast.commander, decision=decision, unit=cast.street_a, person=cast.street_user_b,
                             deadline=TODAY + dt.timedelta(days=3))
    assert err.value.fields.get("person")
    with pytest.raises(AppError) as err:
        svc.decision_to_task(actor=cast.commander, decision=decision, unit=None)
    assert err.value.fields == {"unit": "必选"}
    assert Decision.objects.get(pk=decision.pk).task_id is None and not Task.objects.exists()


def test_a_street_hangs_its_meetings_decision_under_its_own_task(cast, campaign):
    parent = task_create(actor=cast.commander, campaign=campaign, title="东湖村签约攻坚", unit=cast.street_a,
                         deadline=TODAY + dt.timedelta(days=30))
    meeting = svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET,
                                 title="东湖街道例会", held_on=TODAY, unit=cast.street_a)
    decision = svc.decision_add(actor=cast.street_user_a, meeting=meeting, text="社区书记包片攻坚")
    with pytest.raises(AppError):  # a street assigns no new top-level task
        svc.decision_to_task(actor=cast.street_user_a, decision=decision, unit=cast.street_a,
                             deadline=TODAY + dt.timedelta(days=5))
    made = svc.decision_to_task(actor=cast.street_user_a, decision=decision, unit=cast.street_a, parent=parent,
                                deadline=TODAY + dt.timedelta(days=5))
    assert made.task.parent == parent and made.task.category == TaskCategory.DECISION
    with pytest.raises(NotFound):
        svc.decision_to_task(actor=cast.street_user_b, decision=decision, unit=cast.street_b)


def test_the_next_meeting_lists_earlier_decisions_tasks_open_overdue_and_done(cast, campaign,
                                                                              django_assert_num_queries):
    first = dispatch(cast, campaign, days_ago=14)
    states = {}
    for text in ("逾期事项", "办理中事项", "已办结事项"):
        d = svc.decision_add(actor=cast.commander, meeting=first, text=text)
        states[text] = svc.decision_to_task(actor=cast.commander, decision=d, unit=cast.street_a,
                                            deadline=TODAY + dt.timedelta(days=5)).task
    svc.decision_add(actor=cast.commander, meeting=first, text="未转办事项")
    # time passed: one deadline went by, one task was done
    Task.objects.filter(pk=states["逾期事项"].pk).update(deadline=TODAY - dt.timedelta(days=1))
    Task.objects.filter(pk=states["已办结事项"].pk).update(status=TaskStatus.DONE)
    street_meeting = svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET,
                                        title="东湖例会", held_on=TODAY - dt.timedelta(days=10), unit=cast.street_a)
    second = dispatch(cast, campaign, days_ago=0, title="第二次调度会")
    with django_assert_num_queries(1):
        follow = earlier_decisions(second)
    assert [(f.decision.text, f.state) for f in follow] == [
        ("逾期事项", "overdue"), ("办理中事项", "open"), ("已办结事项", "done")]
    assert earlier_decisions(first) == []
    assert earlier_decisions(street_meeting) == []  # a street meeting follows its own street's
