"""Background tasks of core (django-tasks, run by ``gaizao db_worker``)."""

from __future__ import annotations

import logging

from django_tasks import task

from gaizao.core import schedule

logger = logging.getLogger(__name__)


@task()
def run_periodic(name: str) -> None:
    """Run one piece of periodic work that ``gaizao schedule`` found due (定时任务)."""
    result = schedule.get(name).function()()
    logger.info("periodic %s: %s", name, result)
