"""The periodic schedule (定时任务): work that runs every so often, registered by the apps.

    # in an AppConfig.ready()
    schedule.register(name="ledger.import_jobs_sweep", every=timedelta(minutes=5),
                      run="gaizao.ledger.importing.jobs.import_jobs_sweep")

``gaizao schedule`` loops over the registered work and queues what is due as a background task
(``core.tasks.run_periodic``), which a worker (``gaizao db_worker``) runs. The last run of each
name is a row (``PeriodicRun``) moved by a conditional update, so two schedulers, or one that was
restarted, queue one run per interval, never two; a run missed while nothing ran is queued once.
``run`` is a dotted path, so that the task carries a name a worker can import, not a function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from gaizao.core.errors import AppError


@dataclass(frozen=True)
class Periodic:
    """One piece of periodic work: its name, how often, and the dotted path of what it calls."""

    name: str
    every: timedelta
    run: str

    def function(self) -> Callable[[], object]:
        return import_string(self.run)


_work: dict[str, Periodic] = {}


def register(*, name: str, every: timedelta, run: str) -> Periodic:
    """Add work to the schedule (from an ``AppConfig.ready()``); a name registered again is replaced."""
    if every <= timedelta(0):
        raise AppError(f"定时任务 {name} 的间隔必须大于零。")
    entry = Periodic(name=name, every=every, run=run)
    _work[name] = entry
    return entry


def registered() -> list[Periodic]:
    return sorted(_work.values(), key=lambda p: p.name)


def get(name: str) -> Periodic:
    try:
        return _work[name]
    except KeyError:
        raise AppError(f"没有名为 {name} 的定时任务。") from None


def claim_due(entry: Periodic, *, now=None) -> bool:
    """Whether this caller takes the run of ``entry`` that is due now (a conditional update)."""
    from gaizao.core.models import PeriodicRun

    now = now or timezone.now()
    if not PeriodicRun.objects.filter(name=entry.name).exists():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=entry.name, last_run_at=None)
        except IntegrityError:
            pass  # another scheduler created it first
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - entry.every)
    return PeriodicRun.objects.filter(due, name=entry.name).update(last_run_at=now) == 1


def tick(*, now=None) -> list[str]:
    """Queue every registered piece of work that is due; returns the names queued."""
    from gaizao.core.tasks import run_periodic

    queued = []
    for entry in registered():
        with transaction.atomic():  # the claim and its task row together, or neither
            if claim_due(entry, now=now):
                run_periodic.enqueue(entry.name)
                queued.append(entry.name)
    return queued
