"""Helpers for the campaign tests: a campaign of the cast's district, with targets."""

from __future__ import annotations

import datetime as dt

from gaizao.campaign.services import campaign as services


def make_campaign(actor, *, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), name="2026年攻坚专项行动"):
    return services.campaign_create(actor=actor, name=name, year=starts_on.year, starts_on=starts_on, ends_on=ends_on)


def later(days: int) -> dt.date:
    """The first working day ``days`` days from today (a deadline the services accept)."""
    from django.utils import timezone

    from gaizao.core import calendar

    return calendar.next_workday(timezone.localdate() + dt.timedelta(days=days))


def make_task(cast, campaign, **kwargs):
    """A task of ``campaign`` assigned by the office: the department's, due in about 20 days, unless told."""
    from gaizao.campaign.services.tasks import task_create

    values = {"actor": cast.commander, "campaign": campaign, "title": "完成土地收储", "unit": cast.department,
              "deadline": later(20)}
    values.update(kwargs)
    return task_create(**values)
