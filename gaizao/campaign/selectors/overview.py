"""The campaign overview (攻坚行动总览): targets against progress by street with lights, the goals and how
the street targets add up, tasks per responsible unit with the overdue ones, report completeness and
timeliness, and the deadlines of the coming week.

A fixed number of queries whatever the data (``tests/campaign/test_overview.py`` pins it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from gaizao.campaign.models import Campaign
from gaizao.campaign.selectors.campaign import visible_streets
from gaizao.campaign.selectors.reports import report_summary
from gaizao.campaign.selectors.status import CampaignStatus, campaign_overview_status
from gaizao.campaign.selectors.tasks import task_figures, task_list, upcoming_deadlines
from gaizao.core import access
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

OVERDUE_SHOWN = 10


@dataclass
class UnitTasks:
    unit: OrgUnit
    total: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    done_on_time: int = 0


@dataclass
class Overview:
    status: CampaignStatus
    district: bool  # the reader sees the whole district (goals, every street, every unit's tasks)
    lights: dict = field(default_factory=dict)  # light → how many streets
    units: list[UnitTasks] = field(default_factory=list)
    overdue: list = field(default_factory=list)  # the first overdue tasks in scope, most overdue first
    overdue_more: bool = False
    upcoming: list = field(default_factory=list)
    reports: list = field(default_factory=list)


def overview(user, campaign: Campaign, *, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    streets = visible_streets(user)
    status = campaign_overview_status(campaign, streets=streets, today=today)
    district = access.grant(user, "campaign.target").everywhere
    view = Overview(status=status, district=district)
    for s in status.streets:
        view.lights[s.light] = view.lights.get(s.light, 0) + 1
    if access.grant(user, "campaign.task"):
        figures = task_figures(campaign, today=today)
        units = list(OrgUnit.objects.filter(pk__in=list(figures)).order_by("kind", "path")) if district else streets
        view.units = [UnitTasks(unit=u, **figures.get(u.pk, {})) for u in units if u.pk in figures]
        view.units.sort(key=lambda u: (u.unit.kind != OrgKind.STREET, -u.overdue, u.unit.path))
        page = task_list(user, campaign=campaign, overdue=True, limit=OVERDUE_SHOWN, today=today)
        view.overdue = sorted(page.items, key=lambda t: t.deadline)
        view.overdue_more = page.next_after is not None
        view.upcoming = [t for t in upcoming_deadlines(user, days=7, today=today, limit=10)
                         if t.campaign_id == campaign.pk]
    if access.grant(user, "campaign.report"):
        ids = {s.pk for s in streets}
        view.reports = [r for r in report_summary(campaign, today=today) if r.street_id in ids]
    return view
