"""The campaign overview (攻坚行动总览): targets against progress by street with lights, the goals and how
the street targets add up, overdue tasks, report completeness and upcoming deadlines.

A fixed number of queries whatever the data (``tests/campaign/test_overview.py`` pins it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from gaizao.campaign.models import Campaign
from gaizao.campaign.selectors.campaign import visible_streets
from gaizao.campaign.selectors.status import CampaignStatus, campaign_overview_status
from gaizao.core import access


@dataclass
class Overview:
    status: CampaignStatus
    district: bool  # the reader sees the whole district (goals, every street)
    lights: dict = field(default_factory=dict)  # light → streets
    tasks: dict = field(default_factory=dict)  # street or unit id → task figures
    overdue: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    reports: dict = field(default_factory=dict)


def overview(user, campaign: Campaign, *, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    streets = visible_streets(user)
    status = campaign_overview_status(campaign, streets=streets, today=today)
    view = Overview(status=status, district=access.grant(user, "campaign.target").everywhere)
    for s in status.streets:
        view.lights[s.light] = view.lights.get(s.light, 0) + 1
    return view
