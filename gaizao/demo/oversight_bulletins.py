"""Demo: the weekly bulletins (工作通报) of the last three weeks, generated through the service as the office
would on each Friday, so each is frozen with the figures of its own week (the lights against that Friday's
序时进度, the tasks and orders overdue then, the score sheet in force then)."""

from __future__ import annotations

import datetime as dt
import random

from gaizao.core.errors import AppError
from gaizao.oversight.models import Bulletin
from gaizao.oversight.selectors.bulletins import week_of
from gaizao.oversight.services.bulletins import bulletin_generate
from gaizao.org.choices import Role
from gaizao.org.models import User

WEEKS = 3


def demo_bulletins(*, campaign, today: dt.date, rng: random.Random) -> int:
    """Generate the bulletins of the ``WEEKS`` weeks before ``today``'s (those after the campaign's start);
    returns how many were made. Deterministic: ``rng`` is not needed (the figures come from the data)."""
    from gaizao.core.actors import SYSTEM

    office = (User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).order_by("id").first() or SYSTEM)
    made = 0
    for back in range(WEEKS, 0, -1):
        week = week_of(today - dt.timedelta(days=7 * back))
        if week.ends_on < campaign.starts_on or Bulletin.objects.filter(period=week.period).exists():
            continue
        friday = min(week.starts_on + dt.timedelta(days=4), today)
        try:
            _bulletin, created = bulletin_generate(actor=office, period=week.period, today=friday)
        except AppError:  # a week without data (before any progress): nothing to circulate
            continue
        made += created
    return made


__all__ = ["demo_bulletins"]
