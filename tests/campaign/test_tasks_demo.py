"""The demo's task list (gaizao.demo.campaign_tasks): about 300 tasks over the demo district's streets and
departments, policy-support items for departments, done, open, overdue, sub-tasks and notes."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from gaizao.campaign.choices import TaskCategory, TaskStatus
from gaizao.campaign.models import Task, TaskNote
from gaizao.campaign.selectors.tasks import task_figures, tasks_overdue
from gaizao.campaign.services.campaign import campaign_create
from gaizao.core.actors import SYSTEM
from gaizao.demo.campaign_tasks import demo_tasks
from gaizao.demo.generator import load_demo
from gaizao.org.choices import OrgKind


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(households=0, seed=3)
        today = timezone.localdate()
        campaign = campaign_create(actor=SYSTEM, name="演示攻坚行动", year=today.year,
                                   starts_on=today - dt.timedelta(days=200), ends_on=today + dt.timedelta(days=160))
        count = demo_tasks(campaign=campaign, today=today, rng=random.Random(7))
        yield campaign, count, today
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_about_three_hundred_tasks_over_streets_and_departments(made):
    campaign, count, _today = made
    assert 250 <= count <= 400 and Task.objects.filter(campaign=campaign).count() == count
    kinds = Counter(Task.objects.values_list("unit__kind", flat=True))
    assert kinds[OrgKind.STREET] > 50 and kinds[OrgKind.DEPARTMENT] > 50
    policy = set(Task.objects.filter(unit__kind=OrgKind.DEPARTMENT).values_list("category", flat=True))
    assert {TaskCategory.LAND, TaskCategory.PLANNING, TaskCategory.TAX, TaskCategory.FINANCING,
            TaskCategory.SITE} <= policy


@pytest.mark.django_db
def test_tasks_in_every_state_with_sub_tasks_notes_and_overdue(made):
    campaign, _count, today = made
    states = Counter(Task.objects.values_list("status", flat=True))
    assert all(states[s] > 0 for s in (TaskStatus.TODO, TaskStatus.DOING, TaskStatus.DONE))
    assert Task.objects.filter(depth=1).exists() and TaskNote.objects.exists()
    assert len(tasks_overdue(campaign=campaign, today=today)) > 5
    figures = task_figures(campaign, today=today)
    on_time = sum(f["done_on_time"] for f in figures.values())
    assert on_time > sum(f["done"] for f in figures.values()) - on_time
    # every sub-task ends by its parent's deadline, every done task was done by today
    assert not Task.objects.filter(parent__isnull=False, deadline__gt=models_parent_deadline()).exists()
    assert not Task.objects.filter(done_on__gt=today).exists()


def models_parent_deadline():
    from django.db.models import F

    return F("parent__deadline")


@pytest.mark.django_db
def test_the_office_assigns_and_the_units_staff_report_on_the_days_of_the_history(made):
    campaign, _count, today = made
    assert not Task.objects.filter(campaign=campaign, depth=0, created_by__isnull=True).exists()
    assert TaskNote.objects.filter(author__isnull=False).count() > TaskNote.objects.filter(author__isnull=True).count()
    for task in Task.objects.filter(status=TaskStatus.DONE).prefetch_related("notes")[:50]:
        assigned = timezone.localtime(task.created_at).date()
        assert assigned <= task.done_on <= today
        assert all(assigned <= timezone.localtime(n.created_at).date() <= task.done_on for n in task.notes.all())
