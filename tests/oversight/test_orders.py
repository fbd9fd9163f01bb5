"""Supervision orders (督办单): the lifecycle, every refusal, the colours at their edges, raising in one
step, the candidates, the reminders and the 督办通知 DOCX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.campaign.services import campaign as campaign_services
from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry, Notification
from gaizao.org import services as org_services
from gaizao.org.choices import Role
from gaizao.oversight import order_doc, periodic
from gaizao.oversight.choices import OrderColour, OrderStatus, SubjectKind
from gaizao.oversight.colours import Clock, order_colour
from gaizao.oversight.models import OrderEvidence, SupervisionOrder
from gaizao.oversight.policies.orders import order_scope
from gaizao.oversight.selectors import orders as selectors
from gaizao.oversight.services import orders as services
from tests.campaign.helpers import make_campaign, make_task
from tests.oversight.orders_helpers import draft, fed_back, issued, pdf

pytestmark = pytest.mark.usefixtures("media")


def test_an_order_goes_from_draft_through_review_issue_receipt_and_feedback_to_closed(cast):
    order = draft(cast)
    assert (order.status, order.number, order.deadline) == (OrderStatus.DRAFT, "", None)
    order = services.order_submit(actor=cast.commander, order=order)
    assert order.status == OrderStatus.REVIEW
    today = timezone.localdate()
    order = services.order_review(actor=cast.leader, order=order, approve=True, note="同意")
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert order.number == f"督办〔{today.year}〕1号"
    assert order.issued_on == today and order.deadline == calendar.add_workdays(today, 5)
    assert order.reviewed_by == cast.leader
    second = issued(cast, title="第二件")
    assert second.number == f"督办〔{today.year}〕2号"
    # the unit is told on issue
    assert Notification.objects.filter(recipient=cast.street_user_a, kind="oversight.order_issued").count() == 2

    order = services.order_receive(actor=cast.street_user_a, order=order)
    assert (order.status, order.received_on, order.received_by_id) == (OrderStatus.RECEIVED, today,
                                                                     cast.street_user_a.pk)
    order = services.order_start(actor=cast.street_user_a, order=order)
    assert order.status == OrderStatus.HANDLING
    order = services.order_feedback(actor=cast.street_user_a, order=order, text="已完成。",
                                    files=[pdf(), pdf("照片.pdf")])
    order.refresh_from_db()
    assert order.status == OrderStatus.FEEDBACK and order.feedback_by == cast.street_user_a
    assert [e.name for e in selectors.order_evidence(order)] == ["佐证.pdf", "照片.pdf"]
    assert Notification.objects.filter(recipient=cast.commander, kind="oversight.order_feedback").exists()

    order = services.order_verify(actor=cast.commander, order=order, passed=True)
    order.refresh_from_db()
    assert (order.status, order.closed_on, order.verified_by) == (OrderStatus.CLOSED, today, cast.commander)
    actions = list(AuditEntry.objects.filter(object_type="oversight.supervisionorder", object_id=str(order.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["oversight.order_create", "oversight.order_submit", "oversight.order_issue",
                       "oversight.order_receive", "oversight.order_start", "oversight.order_feedback",
                       "oversight.order_close"]
    assert [line.action for line in selectors.order_history(order)][-1] == "核验通过，督办单销号"


def test_the_unit_sees_its_order_only_from_the_day_it_is_issued(cast):
    order = draft(cast)
    assert not order_scope(cast.street_user_a).filter(pk=order.pk).exists()
    order = services.order_submit(actor=cast.commander, order=order)
    assert not order_scope(cast.street_user_a).filter(pk=order.pk).exists()
    assert order_scope(cast.leader).filter(pk=order.pk).exists()
    order = services.order_review(actor=cast.leader, order=order, approve=True)
    assert order_scope(cast.street_user_a).filter(pk=order.pk).exists()
    assert not order_scope(cast.street_user_b).filter(pk=order.pk).exists()
    assert not order_scope(cast.cadre).exists()


def test_the_leader_sends_a_draft_back_with_a_note_and_may_not_approve_their_own(cast):
    order = draft(cast)
    order = services.order_submit(actor=cast.commander, order=order)
    with pytest.raises(AppError) as refused:
        order = services.order_review(actor=cast.leader, order=order, approve=False, note="")
    assert refused.value.fields == {"note": "必填"}
    order = services.order_review(actor=cast.leader, order=order, approve=False, note="时限过长")
    order.refresh_from_db()
    assert (order.status, order.review_note) == (OrderStatus.DRAFT, "时限过长")
    mine = draft(cast, actor=cast.admin, title="管理员拟稿")
    services.order_submit(actor=cast.admin, order=mine)
    with pytest.raises(AppError, match="本人拟稿"):
        services.order_review(actor=cast.admin, order=mine, approve=True)
    with pytest.raises(NotFound):  # the commander does not review
        services.order_review(actor=cast.commander, order=mine, approve=True)


def test_feedback_by_another_unit_is_404_and_by_the_office_is_refused(cast):
    order = issued(cast)
    with pytest.raises(NotFound):
        order = services.order_receive(actor=cast.street_user_b, order=order)
    order = services.order_receive(actor=cast.street_user_a, order=order)
    with pytest.raises(NotFound):
        order = services.order_feedback(actor=cast.street_user_b, order=order, text="冒名反馈")
    with pytest.raises(NotFound):
        order = services.order_feedback(actor=cast.leader, order=order, text="领导反馈")
    with pytest.raises(AppError, match="只有承办单位（东湖街道）可以反馈") as refused:
        order = services.order_feedback(actor=cast.commander, order=order, text="办公室代反馈")
    assert refused.value.status == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and not order.feedback


def test_nobody_verifies_feedback_they_submitted_themselves(cast):
    both = org_services.user_create(actor=SYSTEM, username="both", password="", full_name="两岗人员",
                                    memberships=[(Role.COMMANDER, cast.office), (Role.STREET, cast.street_a)],
                                    password_hash="!")
    order = fed_back(cast, user=both)
    with pytest.raises(AppError, match="你本人反馈") as refused:
        order = services.order_verify(actor=both, order=order, passed=True)
    assert refused.value.status == 400 and "passed" in refused.value.fields
    order.refresh_from_db()
    assert order.status == OrderStatus.FEEDBACK
    order = services.order_verify(actor=cast.commander, order=order, passed=True)
    assert order.status == OrderStatus.CLOSED


def test_a_stale_version_is_409_and_writes_nothing(cast):
    order = draft(cast)
    services.order_update(actor=cast.commander, order=order, version=order.version, title="改过的标题")
    with pytest.raises(Conflict):
        services.order_update(actor=cast.commander, order=order.pk, version=order.version - 1, title="旧页面的标题")
    with pytest.raises(Conflict):
        order = services.order_submit(actor=cast.commander, order=order.pk, version=order.version - 1)
    order.refresh_from_db()
    assert (order.title, order.status) == ("改过的标题", OrderStatus.DRAFT)


def test_two_clicks_on_one_step_write_once(cast):
    order = issued(cast)
    first = SupervisionOrder.objects.get(pk=order.pk)
    second = SupervisionOrder.objects.get(pk=order.pk)
    services.order_receive(actor=cast.street_user_a, order=first)
    with pytest.raises(AppError):
        services.order_receive(actor=cast.street_user_a, order=second)
    assert AuditEntry.objects.filter(action="oversight.order_receive").count() == 1


def test_a_draft_only_is_edited_and_steps_out_of_turn_are_refused(cast):
    order = issued(cast)
    with pytest.raises(AppError, match="只有草稿可以修改"):
        services.order_update(actor=cast.commander, order=order, title="下发后再改")
    with pytest.raises(AppError, match="尚未签收"):
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="未签收就反馈")
    with pytest.raises(AppError, match="不能核验"):
        order = services.order_verify(actor=cast.commander, order=order, passed=True)


def test_feedback_on_a_closed_order_is_refused(cast):
    order = fed_back(cast)
    order = services.order_verify(actor=cast.commander, order=order, passed=True)
    with pytest.raises(AppError, match="已销号"):
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="再反馈一次")
    with pytest.raises(AppError, match="已销号"):
        services.order_cancel(actor=cast.commander, order=order, reason="撤销")


def test_returned_feedback_goes_back_to_the_unit_with_the_reason_and_turns_yellow(cast):
    order = fed_back(cast)
    with pytest.raises(AppError) as refused:
        order = services.order_verify(actor=cast.commander, order=order, passed=False, reason="")
    assert refused.value.fields == {"reason": "必填"}
    order = services.order_verify(actor=cast.commander, order=order, passed=False, reason="佐证材料不全")
    order.refresh_from_db()
    assert (order.status, order.returned_count, order.return_reason) == (OrderStatus.RETURNED, 1, "佐证材料不全")
    assert selectors.order_colour_now(order) == OrderColour.YELLOW
    assert Notification.objects.filter(recipient=cast.street_user_a, kind="oversight.order_returned").exists()
    order = services.order_feedback(actor=cast.street_user_a, order=order, text="已补充。", files=[pdf("补充.pdf")])
    assert order.status == OrderStatus.FEEDBACK
    assert selectors.order_colour_now(order) == OrderColour.YELLOW  # returned once: yellow until closed


def test_evidence_of_a_refused_type_or_size_keeps_nothing(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = issued(cast)
    order = services.order_receive(actor=cast.street_user_a, order=order)
    exe = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(AppError, match="类型不支持") as refused:
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="附件", files=[pdf(), exe])
    assert "files" in refused.value.fields
    fake = SimpleUploadedFile("照片.png", b"not a png", content_type="image/png")
    with pytest.raises(AppError, match="内容与扩展名不符"):
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="附件", files=[fake])
    with pytest.raises(AppError, match="超过 20 MB"):
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="附件",
                                files=[pdf("大文件.pdf", size=20 * 1024 * 1024)])
    with pytest.raises(AppError) as empty:
        order = services.order_feedback(actor=cast.street_user_a, order=order, text="  ")
    assert empty.value.fields == {"text": "必填"}
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and not order.feedback
    assert not OrderEvidence.objects.exists()


def test_a_second_open_order_about_the_same_subject_is_refused_naming_the_first(cast):
    first = draft(cast, subject_kind=SubjectKind.VILLAGE, subject_id=cast.village_a.pk, unit=None)
    assert first.unit == cast.street_a and first.subject_label == "城中村：东湖街道东湖村"
    with pytest.raises(AppError, match="已有未办结的督办单「东湖村签约推进督办」") as refused:
        draft(cast, subject_kind=SubjectKind.VILLAGE, subject_id=cast.village_a.pk, title="又一件")
    assert "subject_id" in refused.value.fields
    services.order_cancel(actor=cast.commander, order=first, reason="合并督办")
    again = draft(cast, subject_kind=SubjectKind.VILLAGE, subject_id=cast.village_a.pk, title="重新督办")
    assert again.status == OrderStatus.DRAFT


def test_a_subject_that_does_not_exist_is_refused_and_a_household_is_named(cast):
    with pytest.raises(AppError, match="户 #999999 不存在"):
        draft(cast, subject_kind=SubjectKind.HOUSEHOLD, subject_id=999999)
    order = draft(cast, subject_kind=SubjectKind.HOUSEHOLD, subject_id=cast.household_b1.pk, unit=None)
    assert order.unit == cast.street_b and order.subject_label == "户：西岭村 XL-001（王五）"
    with pytest.raises(AppError, match="承办单位须为本区的街道或部门"):
        draft(cast, unit=cast.community_a)
    with pytest.raises(AppError) as bad:
        draft(cast, title="", requirement=" ")
    assert set(bad.value.fields) == {"title", "requirement"}
    with pytest.raises(AppError, match="1 到 250 个工作日") as bad:
        draft(cast, deadline_workdays=0)
    assert set(bad.value.fields) == {"deadline_workdays"}
    with pytest.raises(NotFound):  # a street does not draft orders
        draft(cast, actor=cast.street_user_a)


# --- colours ---------------------------------------------------------------------------------------

def _set(order, **values):
    SupervisionOrder.objects.filter(pk=order.pk).update(**values)
    order.refresh_from_db()
    return order


def _both(order, today):
    """The colour by the rule and by the SQL filter: they must agree."""
    clock = Clock.at(today)
    by_rule = order_colour(order, clock)
    by_sql = [c for c in selectors.COLOUR_ORDER
              if SupervisionOrder.objects.filter(selectors.colour_condition(c, clock), pk=order.pk).exists()]
    assert by_sql == [by_rule], (by_rule, by_sql)
    return by_rule


def test_colours_at_their_edges(cast):
    today = timezone.localdate()
    order = issued(cast)
    order = services.order_receive(actor=cast.street_user_a, order=order)
    three = calendar.add_workdays(today, 3)
    four = calendar.add_workdays(today, 4)
    assert _both(_set(order, deadline=four), today) == OrderColour.NONE
    assert _both(_set(order, deadline=three), today) == OrderColour.BLUE  # exactly 3 working days left
    assert _both(_set(order, deadline=today), today) == OrderColour.BLUE  # due today
    assert _both(_set(order, deadline=today - dt.timedelta(days=1)), today) == OrderColour.RED  # the day after
    # returned: yellow while on time, red once overdue
    assert _both(_set(order, deadline=four, status=OrderStatus.RETURNED, returned_count=1), today) == \
        OrderColour.YELLOW
    assert _both(_set(order, deadline=today - dt.timedelta(days=1)), today) == OrderColour.RED
    # issued and not signed for by the end of the next working day: yellow
    two_back = calendar.add_workdays(today, -2)
    assert _both(_set(order, status=OrderStatus.ISSUED, returned_count=0, issued_on=two_back, deadline=four),
                 today) == OrderColour.YELLOW
    assert _both(_set(order, issued_on=today), today) == OrderColour.NONE
    # feedback waits for the office: judged on the day it came in
    late = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    assert _both(_set(order, status=OrderStatus.FEEDBACK, feedback_at=late, deadline=today), today) == \
        OrderColour.NONE
    assert _both(_set(order, deadline=today - dt.timedelta(days=1)), today) == OrderColour.RED
    # early morning in Shanghai is the day before in UTC: still today's feedback
    early = timezone.make_aware(dt.datetime.combine(today, dt.time(6, 30)))
    assert _both(_set(order, feedback_at=early, deadline=today), today) == OrderColour.NONE
    assert _both(_set(order, status=OrderStatus.CLOSED), today) == OrderColour.DONE
    assert _both(draft(cast, title="草稿"), today) == OrderColour.NONE


def test_counts_by_colour_and_the_open_rows_red_first(cast, django_assert_num_queries):
    today = timezone.localdate()
    red = _set(issued(cast, title="超期的"), deadline=today - dt.timedelta(days=2))
    blue = _set(issued(cast, title="临期的", unit=cast.street_b), deadline=today)
    plain = issued(cast, title="正常的", deadline_workdays=20, unit=cast.department)
    closed = fed_back(cast, title="已销号的")
    services.order_verify(actor=cast.commander, order=closed, passed=True)
    draft(cast, title="草稿不计")
    counts = selectors.orders_by_colour(cast.leader)
    assert counts == {"red": 1, "yellow": 0, "blue": 1, "none": 1, "done": 1, "open": 3}
    assert selectors.orders_by_colour(cast.street_user_b) == {"red": 0, "yellow": 0, "blue": 1, "none": 0,
                                                              "done": 0, "open": 1}
    assert selectors.orders_by_colour(SYSTEM) == counts
    with django_assert_num_queries(3):  # the calendar twice (the clock), the rows once
        rows = selectors.orders_open_rows(cast.leader, limit=10)
    assert [r.id for r in rows] == [red.pk, blue.pk, plain.pk]
    assert rows[0].colour == "red" and rows[0].days_overdue == 2


# --- raising in one step, the candidates ----------------------------------------------------------

def _red_light(cast):
    today = timezone.localdate()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=100),
                             ends_on=today + dt.timedelta(days=100))
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="10")
    campaign_services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today, rate="35")
    return campaign


def test_a_red_light_raises_a_draft_in_one_step_with_its_figures(cast):
    campaign = _red_light(cast)
    order = services.order_raise_from_target(actor=cast.commander, campaign=campaign, street=cast.street_a,
                                             metric="signed")
    assert order.title == "东湖街道签约户数落后序时进度 35 个百分点"
    assert "完成 0户，目标 10户" in order.requirement and "序时进度 35%" in order.requirement
    assert (order.status, order.subject_kind, order.unit, order.level) == ("draft", "target", cast.street_a, "key")
    with pytest.raises(AppError, match="已有未办结的督办单"):
        services.order_raise_from_target(actor=cast.commander, campaign=campaign, street=cast.street_a,
                                         metric="signed")
    with pytest.raises(AppError, match="没有签约户数的目标|没有signed的目标"):
        services.order_raise_from_target(actor=cast.commander, campaign=campaign, street=cast.street_b,
                                         metric="signed")


def test_a_light_that_is_not_red_is_not_raised(cast):
    today = timezone.localdate()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=10),
                             ends_on=today + dt.timedelta(days=300))
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="10")
    with pytest.raises(AppError, match="不是红灯"):
        services.order_raise_from_target(actor=cast.commander, campaign=campaign, street=cast.street_a,
                                         metric="signed")


def test_an_overdue_task_raises_an_order_and_one_not_overdue_is_refused(cast):
    from gaizao.campaign.models import Task

    campaign = make_campaign(cast.commander)
    task = make_task(cast, campaign, title="完成土地收储")
    with pytest.raises(AppError, match="未逾期"):
        services.order_raise_from_task(actor=cast.commander, task=task)
    today = timezone.localdate()
    Task.objects.filter(pk=task.pk).update(deadline=today - dt.timedelta(days=4))
    order = services.order_raise_from_task(actor=cast.commander, task=task.pk)
    assert order.title == "任务「完成土地收储」逾期 4 天未办结"
    assert (order.unit, order.subject_kind, order.subject_id) == (cast.department, "task", task.pk)


def test_candidates_are_the_red_lights_and_overdue_tasks_without_an_open_order(cast):
    from gaizao.campaign.models import Task

    campaign = _red_light(cast)
    task = make_task(cast, campaign)
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    found = selectors.order_candidates(campaign)
    assert [(c.kind, c.unit_name) for c in found] == [("target", "东湖街道"), ("task", "住房和城乡建设局")]
    assert "落后 35 个百分点" in found[0].detail
    services.order_raise_from_task(actor=cast.commander, task=task)
    assert [c.kind for c in selectors.order_candidates(campaign)] == ["target"]


# --- reminders, the document -------------------------------------------------------------------------

def test_reminders_go_to_the_unit_once_when_blue_and_once_when_overdue(cast):
    today = timezone.localdate()
    order = _set(issued(cast), deadline=calendar.add_workdays(today, 2))
    quiet = issued(cast, title="时间充裕", deadline_workdays=20)
    assert periodic.order_reminders(today=today) == 1
    assert periodic.order_reminders(today=today) == 0  # a rerun sends nothing twice
    notice = Notification.objects.get(kind="oversight.order_due")
    assert notice.recipient == cast.street_user_a and order.number in notice.title
    _set(order, deadline=today - dt.timedelta(days=1))
    assert periodic.order_reminders(today=today) == 1
    assert periodic.order_reminders(today=today) == 0
    assert not Notification.objects.filter(link__endswith=f"/{quiet.pk}/", kind__in=(
        "oversight.order_due", "oversight.order_overdue")).exists()


def test_the_order_prints_as_a_supervision_notice_docx(cast):
    import docx as python_docx

    order = issued(cast, title="东湖村签约推进督办", level="listed", deadline_workdays=3)
    context = order_doc.order_context(order)
    assert context["number"] == order.number and context["level"] == "挂牌督办"
    document = python_docx.Document(io.BytesIO(order_doc.order_docx(order)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于东湖村签约推进督办的督办通知" in text
    assert order.number in text
    d = order.deadline
    assert f"{d.year}年{d.month}月{d.day}日" in text
    assert "东湖街道" in text and "逐户落实，按期反馈。" in text


def test_every_order_action_has_a_label():
    from gaizao.core import audit
    from gaizao.oversight.registrations.orders import ACTION_LABELS

    for action in ACTION_LABELS:
        assert audit.action_label(action) != action


def test_decimal_figures_print_plainly():
    assert services._fmt(Decimal("35.00")) == "35"
