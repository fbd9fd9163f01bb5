"""The task list (任务清单): creating tasks and sub-tasks, deadlines on the working-day calendar, who may
do what, notes, attachments, closing, and the reads (lists, tree, figures, overdue)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gaizao.campaign.choices import TaskCategory, TaskStatus
from gaizao.campaign.models import Task
from gaizao.campaign.selectors import tasks as selectors
from gaizao.campaign.services import campaign as campaign_services
from gaizao.campaign.services.tasks import (task_attach, task_cancel, task_complete, task_note_add,
                                            task_reopen, task_update)
from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry, Notification
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind, Role
from tests.campaign.helpers import later, make_task

TODAY = timezone.localdate


@pytest.fixture
def campaign(cast):
    return campaign_services.campaign_create(actor=cast.commander, name="2026年攻坚专项行动", year=2026,
                                             starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))


make = make_task


# --- creating -------------------------------------------------------------------------------------

def test_the_office_assigns_a_task_to_a_department_audited_and_told(cast, campaign):
    task = make(cast, campaign, category=TaskCategory.LAND, person=cast.department_user)
    assert task.depth == 0 and task.status == TaskStatus.TODO and task.created_by == cast.commander
    assert AuditEntry.objects.filter(action="campaign.task_create", object_id=str(task.pk)).exists()
    notice = Notification.objects.get(recipient=cast.department_user)
    assert "完成土地收储" in notice.title and notice.link == f"/campaign/tasks/{task.pk}/"


def test_without_a_person_the_units_staff_are_told(cast, campaign):
    make(cast, campaign, unit=cast.street_a)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["street_a"]


def test_a_deadline_on_a_rest_day_moves_to_the_next_working_day_and_says_so(cast, campaign):
    task = make(cast, campaign, deadline=dt.date(2026, 10, 1), start=dt.date(2026, 9, 1))
    moved = calendar.next_workday(dt.date(2026, 10, 1))
    assert task.deadline == moved and moved > dt.date(2026, 10, 1)
    assert task.deadline_note == f"原定 10月1日 为休息日，顺延至 {moved.month}月{moved.day}日"


def test_a_deadline_in_working_days_counts_on_the_calendar(cast, campaign):
    start = dt.date(2026, 9, 25)
    task = make(cast, campaign, deadline=None, workdays=5, start=start)
    assert task.deadline == calendar.add_workdays(start, 5) and task.deadline_workdays == 5
    assert "5 个工作日" in task.deadline_note


@pytest.mark.parametrize("values, field", [
    ({"deadline": None}, "deadline"),
    ({"workdays": 3}, "workdays"),
    ({"deadline": None, "workdays": 0}, "workdays"),
    ({"deadline": "2026-13-01"}, "deadline"),
    ({"title": "  "}, "title"),
    ({"category": "nonsense"}, "category"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(cast, campaign, values, field):
    with pytest.raises(AppError) as refused:
        make(cast, campaign, **values)
    assert field in refused.value.fields
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_a_unit_that_is_not_a_street_or_department_is_refused_naming_the_unit(cast, campaign):
    for unit in (cast.community_a, cast.office, cast.district):
        with pytest.raises(AppError) as refused:
            make(cast, campaign, unit=unit)
        assert "责任单位" in refused.value.message and "unit" in refused.value.fields


def test_a_person_outside_the_unit_is_refused_naming_the_person(cast, campaign):
    with pytest.raises(AppError) as refused:
        make(cast, campaign, unit=cast.department, person=cast.street_user_a)
    assert "责任人" in refused.value.message and "person" in refused.value.fields


def test_a_village_of_another_street_is_refused(cast, campaign):
    with pytest.raises(AppError) as refused:
        make(cast, campaign, unit=cast.street_a, village=cast.village_b)
    assert "village" in refused.value.fields


def test_streets_and_departments_do_not_assign_top_level_tasks(cast, campaign):
    with pytest.raises(AppError) as refused:
        make(cast, campaign, actor=cast.street_user_a, unit=cast.street_a)
    assert "parent" in refused.value.fields


def test_a_street_breaks_its_own_task_down_one_level_deeper(cast, campaign):
    parent = make(cast, campaign, unit=cast.street_a, deadline=later(30))
    child = make(cast, campaign, actor=cast.street_user_a, unit=cast.street_a, parent=parent, title="入户摸底",
                 deadline=later(10))
    assert child.parent == parent and child.depth == 1


def test_a_street_cannot_break_down_another_streets_task_or_give_it_away(cast, campaign):
    other = make(cast, campaign, unit=cast.street_b)
    with pytest.raises(NotFound):
        make(cast, campaign, actor=cast.street_user_a, unit=cast.street_a, parent=other)
    own = make(cast, campaign, unit=cast.street_a)
    with pytest.raises(AppError) as refused:
        make(cast, campaign, actor=cast.street_user_a, unit=cast.street_b, parent=own)
    assert "unit" in refused.value.fields


def test_a_sub_task_may_not_end_after_its_parent(cast, campaign):
    parent = make(cast, campaign, deadline=later(10))
    with pytest.raises(AppError) as refused:
        make(cast, campaign, parent=parent, deadline=later(40))
    assert "deadline" in refused.value.fields


def test_no_tasks_are_assigned_in_a_closed_campaign(cast, campaign):
    Task.objects.none()
    type(campaign).objects.filter(pk=campaign.pk).update(status="closed")
    campaign.refresh_from_db()
    with pytest.raises(AppError) as refused:
        make(cast, campaign)
    assert "campaign" in refused.value.fields


# --- changing -------------------------------------------------------------------------------------

def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(cast, campaign):
    task = make(cast, campaign)
    task_update(actor=cast.commander, task=task, version=task.version, title="完成土地收储（一期）")
    with pytest.raises(Conflict):
        task_update(actor=cast.commander, task=task, version=task.version, title="别的名字")
    assert Task.objects.get(pk=task.pk).title == "完成土地收储（一期）"


def test_a_new_unit_is_told_and_the_person_is_dropped(cast, campaign):
    task = make(cast, campaign, person=cast.department_user)
    updated = task_update(actor=cast.commander, task=task, version=task.version, unit=cast.street_b)
    assert updated.unit_id == cast.street_b.pk and updated.person_id is None
    assert Notification.objects.filter(recipient=cast.street_user_b).count() == 1
    entry = AuditEntry.objects.get(action="campaign.task_update")
    assert entry.changes["unit"] == [cast.department.pk, cast.street_b.pk]


def test_the_unit_may_not_edit_a_task_the_office_assigned_it(cast, campaign):
    task = make(cast, campaign, unit=cast.street_a)
    with pytest.raises(AppError) as refused:
        task_update(actor=cast.street_user_a, task=task, version=task.version, title="改名")
    assert refused.value.status == 400
    with pytest.raises(NotFound):
        task_update(actor=cast.street_user_b, task=task, version=task.version, title="改名")


def test_notes_move_the_progress_forward_only(cast, campaign):
    task = make(cast, campaign)
    task_note_add(actor=cast.department_user, task=task, text="已完成地块测绘", progress=40)
    task.refresh_from_db()
    assert task.progress == 40 and task.status == TaskStatus.DOING
    with pytest.raises(AppError) as refused:
        task_note_add(actor=cast.department_user, task=task, text="回退", progress=10)
    assert "progress" in refused.value.fields
    with pytest.raises(AppError):
        task_note_add(actor=cast.department_user, task=task, text="", progress=50)
    with pytest.raises(NotFound):
        task_note_add(actor=cast.street_user_a, task=task, text="别人的任务")


def test_attachments_are_checked_by_content(cast, campaign, media):
    task = make(cast, campaign)
    saved = task_attach(actor=cast.department_user, task=task,
                        files=[SimpleUploadedFile("批复.pdf", b"%PDF-1.4 x", content_type="application/pdf")])
    assert [a.name for a in saved] == ["批复.pdf"]
    with pytest.raises(AppError) as refused:
        task_attach(actor=cast.department_user, task=task,
                    files=[SimpleUploadedFile("假的.pdf", b"not a pdf", content_type="application/pdf")])
    assert "假的.pdf" in refused.value.message
    assert task.attachments.count() == 1


def test_completing_sets_the_day_and_full_progress_once(cast, campaign):
    task = make(cast, campaign)
    done = task_complete(actor=cast.department_user, task=task, note="已办结")
    assert done.status == TaskStatus.DONE and done.progress == 100 and done.done_on == TODAY()
    with pytest.raises(AppError):
        task_complete(actor=cast.department_user, task=task)
    with pytest.raises(AppError) as refused:
        task_complete(actor=cast.commander, task=make(cast, campaign), done_on=TODAY() + dt.timedelta(days=1))
    assert "done_on" in refused.value.fields


def test_a_task_with_open_sub_tasks_is_not_completed(cast, campaign):
    parent = make(cast, campaign, deadline=later(30))
    make(cast, campaign, parent=parent, deadline=later(10), title="子任务")
    with pytest.raises(AppError) as refused:
        task_complete(actor=cast.department_user, task=parent)
    assert "子任务" in refused.value.message


def test_only_the_office_reopens_and_cancels(cast, campaign):
    task = make(cast, campaign)
    task_complete(actor=cast.department_user, task=task)
    with pytest.raises(NotFound):
        task_reopen(actor=cast.department_user, task=task)
    reopened = task_reopen(actor=cast.commander, task=task, reason="验收不合格")
    assert reopened.status in (TaskStatus.TODO, TaskStatus.DOING) and reopened.done_on is None
    with pytest.raises(NotFound):
        task_cancel(actor=cast.department_user, task=task, reason="不需要了")
    with pytest.raises(AppError) as refused:
        task_cancel(actor=cast.commander, task=task, reason="")
    assert "reason" in refused.value.fields


def test_cancelling_a_task_cancels_its_open_sub_tasks(cast, campaign):
    parent = make(cast, campaign, deadline=later(30))
    child = make(cast, campaign, parent=parent, deadline=later(10), title="子任务")
    task_cancel(actor=cast.commander, task=parent, reason="政策调整")
    assert Task.objects.get(pk=child.pk).status == TaskStatus.CANCELLED


# --- reads ----------------------------------------------------------------------------------------

def _overdue(cast, campaign, *, unit, days=5, **kwargs):
    """A task whose deadline passed ``days`` days ago (made as the system: a past deadline)."""
    start = TODAY() - dt.timedelta(days=60)
    task = make(cast, campaign, actor=SYSTEM, unit=unit, start=start, deadline=start, **kwargs)
    Task.objects.filter(pk=task.pk).update(deadline=TODAY() - dt.timedelta(days=days))
    task.refresh_from_db()
    return task


def test_lists_hold_exactly_the_tasks_in_scope(cast, campaign):
    a = make(cast, campaign, unit=cast.street_a, title="东湖")
    b = make(cast, campaign, unit=cast.street_b, title="西岭")
    d = make(cast, campaign, unit=cast.department, title="住建")
    seen = {user: {row.id for row in selectors.task_list(getattr(cast, user)).items}
            for user in ("commander", "leader", "street_user_a", "department_user", "cadre", "outsider")}
    assert seen == {"commander": {a.pk, b.pk, d.pk}, "leader": {a.pk, b.pk, d.pk}, "street_user_a": {a.pk},
                    "department_user": {d.pk}, "cadre": set(), "outsider": set()}


def test_overdue_tasks_show_their_days_and_filter(cast, campaign):
    late = _overdue(cast, campaign, unit=cast.department, days=4)
    make(cast, campaign)
    rows = selectors.task_list(cast.commander, overdue=True).items
    assert [(row.id, row.overdue, row.days_overdue) for row in rows] == [(late.pk, True, 4)]
    assert [row.id for row in selectors.tasks_overdue()] == [late.pk]
    assert selectors.tasks_overdue(campaign=campaign.pk + 1000) == []


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_costs_the_same_queries_whatever_its_length(cast, campaign, django_assert_num_queries, count):
    for i in range(count):
        make(cast, campaign, title=f"任务{i}", person=cast.department_user if i % 2 else None)
    user = Task.objects.none() or cast.department_user
    user.role_set, user.unit_ids_by_role  # the user's roles are read once per request, not per list
    with django_assert_num_queries(1):
        page = selectors.task_list(user, campaign=campaign)
    assert len(page.items) == count
    with django_assert_num_queries(1):
        tree = selectors.task_tree(campaign, user)
    assert len(tree) == count


def test_the_tree_nests_sub_tasks_under_their_parents(cast, campaign):
    parent = make(cast, campaign, deadline=later(30), title="上级")
    child = make(cast, campaign, parent=parent, deadline=later(10), title="下级")
    (root,) = selectors.task_tree(campaign, cast.commander)
    assert root.id == parent.pk and [c.id for c in root.children] == [child.pk]
    assert [(level, row.id) for level, row in selectors.flatten([root])] == [(0, parent.pk), (1, child.pk)]


def test_figures_per_unit_in_one_query(cast, campaign, django_assert_num_queries):
    on_time = make(cast, campaign)
    task_complete(actor=cast.department_user, task=on_time)
    _overdue(cast, campaign, unit=cast.department)
    make(cast, campaign, unit=cast.street_a)
    cancelled = make(cast, campaign, unit=cast.street_a)
    task_cancel(actor=cast.commander, task=cancelled, reason="重复")
    with django_assert_num_queries(1):
        figures = selectors.task_figures(campaign)
    assert figures == {
        cast.department.pk: {"total": 2, "done": 1, "open": 1, "overdue": 1, "done_on_time": 1},
        cast.street_a.pk: {"total": 1, "done": 0, "open": 1, "overdue": 0, "done_on_time": 0},
    }


def test_upcoming_deadlines_are_within_the_days_soonest_first(cast, campaign):
    soon = make(cast, campaign, deadline=later(2))
    make(cast, campaign, deadline=later(40))
    _overdue(cast, campaign, unit=cast.department)
    assert [row.id for row in selectors.upcoming_deadlines(cast.department_user, days=7)] == [soon.pk]


def test_home_tasks_put_overdue_first_in_one_query(cast, campaign, django_assert_num_queries):
    make(cast, campaign, deadline=later(2), title="临期")
    late = _overdue(cast, campaign, unit=cast.department, title="逾期")
    user = cast.department_user
    user.role_set, user.unit_ids_by_role
    with django_assert_num_queries(1):
        home = selectors.home_tasks(user)
    assert home.rows[0].id == late.pk and (home.open, home.overdue, home.due_soon) == (2, 1, 1)


def test_a_member_of_two_units_is_offered_in_both(cast, campaign):
    second = org_services.orgunit_create(actor=SYSTEM, code="440199-CZJ", name="财政局", kind=OrgKind.DEPARTMENT,
                                         parent=cast.district)
    user = org_services.user_create(actor=SYSTEM, username="fin", password="", full_name="钱财政",
                                    memberships=[(Role.DEPARTMENT, second)], password_hash="x")
    task = make(cast, campaign, unit=second, person=user)
    assert task.person == user
    with CaptureQueriesContext(connection):
        assert {row.id for row in selectors.task_list(user).items} == {task.pk}


def test_editing_a_task_keeps_its_deadline_and_its_note(cast, campaign):
    task = make(cast, campaign, deadline=dt.date(2026, 10, 1), start=dt.date(2026, 9, 1))  # in the past by now
    note = task.deadline_note
    updated = task_update(actor=cast.commander, task=task, version=task.version, title="改个名字", deadline=task.deadline)
    assert updated.title == "改个名字" and updated.deadline == task.deadline and updated.deadline_note == note


def test_an_edit_counting_working_days_anew_moves_the_deadline(cast, campaign):
    task = make(cast, campaign)
    updated = task_update(actor=cast.commander, task=task, version=task.version, workdays=3)
    assert updated.deadline == calendar.add_workdays(TODAY(), 3) and updated.deadline_workdays == 3


def test_home_tasks_count_past_the_rows_shown(cast, campaign):
    for i in range(5):
        make(cast, campaign, title=f"任务{i}", deadline=later(2 + i))
    home = selectors.home_tasks(cast.department_user, limit=2)
    assert len(home.rows) == 2 and home.open == 5 and home.overdue == 0
    empty = selectors.home_tasks(cast.street_user_b)
    assert (empty.rows, empty.open, empty.overdue, empty.due_soon) == ([], 0, 0, 0)
