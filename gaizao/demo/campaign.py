"""The demo district's campaign (攻坚专项行动): goals and street targets set so that the lights differ,
milestones, 责任书 signed by every street (one street's targets changed since, so its next version waits
as a draft), then the tasks, reports and meetings of ``campaign_tasks`` and ``campaign_reports``.

Everything goes through the campaign's services as the system actor, as the office would enter it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.campaign.choices import Metric
from gaizao.campaign.selectors.status import done_by_street
from gaizao.campaign.services import agreements
from gaizao.campaign.services import campaign as services
from gaizao.core.actors import SYSTEM
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

# How far along each street is against its target (done ÷ target, by the street's order): green,
# green, yellow, red, … so that the overview shows every light.
PACE = (Decimal("1.05"), Decimal("0.98"), Decimal("0.8"), Decimal("0.55"), Decimal("0.92"), Decimal("0.75"))
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _target(done: Decimal, pace: Decimal, *, whole: bool) -> Decimal:
    value = done / pace if done else Decimal("1")
    return Decimal(math.ceil(value)) if whole else value.quantize(Decimal("0.01"))


def demo_campaign(*, rng: random.Random, today: dt.date):
    """Create the campaign with its targets and agreements; returns it (the tasks and reports follow)."""
    starts_on = dt.date(today.year, 3, 1) if today >= dt.date(today.year, 4, 1) else today - dt.timedelta(days=90)
    ends_on = dt.date(starts_on.year, 12, 31)
    campaign = services.campaign_create(actor=SYSTEM, name=f"{starts_on.year}年城中村改造攻坚专项行动",
                                        year=starts_on.year, starts_on=starts_on, ends_on=ends_on)
    for metric, steps in ((Metric.SIGNED, ((6, 30, "60"), (9, 30, "100"))), (Metric.VACATED, ((9, 30, "50"),)),
                          (Metric.DEMOLISHED_AREA, ((10, 31, "50"),))):
        for month, day, rate in steps:
            due = dt.date(starts_on.year, month, day)
            if starts_on < due < ends_on:
                services.milestone_set(actor=SYSTEM, campaign=campaign, metric=metric, due_on=due, rate=rate)
    streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))
    metrics = (Metric.SIGNED, Metric.VACATED, Metric.DEMOLISHED_AREA, Metric.VILLAGES_COMPLETED)
    done = done_by_street(campaign, [s.pk for s in streets], metrics)
    goals: dict[str, Decimal] = {}
    for i, street in enumerate(streets):
        pace = PACE[i % len(PACE)]
        for metric in metrics:
            value = _target(done[street.pk][metric], pace, whole=metric != Metric.DEMOLISHED_AREA)
            services.target_set(actor=SYSTEM, campaign=campaign, metric=metric, street=street, target=value)
            goals[metric] = goals.get(metric, Decimal(0)) + value
    for metric, total in goals.items():
        # the district's signing goal is set a little above what the streets took on: the difference shows
        extra = Decimal(20) if metric == Metric.SIGNED else Decimal(0)
        services.goal_set(actor=SYSTEM, campaign=campaign, metric=metric, target=total + extra)
    for a in agreements.agreements_draft_all(actor=SYSTEM, campaign=campaign):
        agreements.agreement_issue(actor=SYSTEM, agreement=a, issued_on=starts_on + dt.timedelta(days=7))
        agreements.agreement_sign(actor=SYSTEM, agreement=a, signed_on=starts_on + dt.timedelta(days=10),
                                  scan=SimpleUploadedFile(f"{a.street.name}-责任书-签字盖章.pdf", SCAN))
    if streets:
        # one street's signing target raised at a dispatch meeting: its next version waits as a draft
        street = streets[rng.randrange(len(streets))]
        current = campaign.targets.get(street=street, metric=Metric.SIGNED, village__isnull=True,
                                       project__isnull=True)
        services.target_set(actor=SYSTEM, campaign=campaign, metric=Metric.SIGNED, street=street,
                            target=current.target + 10, reason="区攻坚调度会议定：签约目标增加 10 户")
    return campaign
