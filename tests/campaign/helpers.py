"""Helpers for the campaign tests: a campaign of the cast's district, with targets."""

from __future__ import annotations

import datetime as dt

from gaizao.campaign.services import campaign as services


def make_campaign(actor, *, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), name="2026年攻坚专项行动"):
    return services.campaign_create(actor=actor, name=name, year=starts_on.year, starts_on=starts_on, ends_on=ends_on)
