"""The periodic schedule: apps register work, `gaizao schedule` queues what is due, once per interval."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gaizao.core import schedule
from gaizao.core.models import PeriodicRun

SWEEP = "ledger.import_jobs_sweep"


def test_the_ledger_and_progress_sweeps_are_on_the_schedule():
    names = {entry.name for entry in schedule.registered()}
    assert {SWEEP, "progress.hardcases_overdue"} <= names
    for entry in schedule.registered():
        assert callable(entry.function())


def test_a_due_run_is_claimed_once_by_two_schedulers_and_again_after_its_interval(db):
    entry = schedule.get(SWEEP)
    now = timezone.now()
    assert schedule.claim_due(entry, now=now) is True
    assert schedule.claim_due(entry, now=now) is False  # the other scheduler, or a restart
    assert schedule.claim_due(entry, now=now + entry.every - timedelta(seconds=1)) is False
    assert schedule.claim_due(entry, now=now + entry.every) is True
    assert PeriodicRun.objects.get(name=SWEEP).last_run_at == now + entry.every


def test_the_schedule_command_queues_due_work_in_the_database_for_the_worker(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()
    call_command("schedule", once=True, stdout=out)
    queued = set(DBTaskResult.objects.values_list("args_kwargs__args__0", flat=True))
    assert {SWEEP, "progress.hardcases_overdue"} <= queued and f"已排队：{SWEEP}" in out.getvalue()
    call_command("schedule", once=True, stdout=StringIO())
    assert DBTaskResult.objects.count() == len(queued)  # nothing due yet a second time


def test_a_queued_periodic_run_calls_the_registered_work(db, monkeypatch):
    calls = []
    monkeypatch.setattr("gaizao.ledger.importing.jobs.import_jobs_sweep", lambda: calls.append(1) or {})
    assert SWEEP in schedule.tick()  # the test run's tasks run at once (ImmediateBackend)
    assert calls == [1]


def test_the_schedule_lists_its_work():
    out = StringIO()
    call_command("schedule", list=True, stdout=out)
    assert SWEEP in out.getvalue() and "每 300 秒" in out.getvalue()
