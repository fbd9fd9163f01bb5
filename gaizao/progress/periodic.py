"""Periodic work of progress (定时任务), registered on the core schedule in ``ProgressConfig.ready()``."""

from __future__ import annotations

import logging
from datetime import timedelta

logger = logging.getLogger(__name__)


def hardcases_overdue_sweep() -> int:
    """Sweep of the hard cases whose visits are overdue (走访逾期的攻坚户), as `gaizao hardcases
    overdue` lists them: logged each run, for the deadline reminders that will read it."""
    from gaizao.progress.selectors import hardcase_overdue_all

    rows = hardcase_overdue_all(street=None)
    if rows:
        logger.warning("%d hard cases have overdue visits", len(rows))
    return len(rows)


def signing_judge_sweep() -> int:
    """Judge the signing period of every project whose period ended yesterday or earlier and is not
    judged yet (签约期满判定), as the system: the result is frozen from then on."""
    from gaizao.core.actors import SYSTEM
    from gaizao.progress.signing import judge_due

    return judge_due(actor=SYSTEM)


def register() -> None:
    from gaizao.core import schedule

    schedule.register(name="progress.hardcases_overdue", every=timedelta(hours=1),
                      run="gaizao.progress.periodic.hardcases_overdue_sweep")
    schedule.register(name="progress.signing_judge", every=timedelta(hours=1),
                      run="gaizao.progress.periodic.signing_judge_sweep")
