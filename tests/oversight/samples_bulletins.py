"""The bulletins' data for tests and the scope matrix: a campaign with targets and progress, an overdue
task, open supervision orders, an open finding and a published score sheet, and bulletins generated from them.

The orders', inspections' and assessment's rows are made with ``Model.objects.create`` (their areas'
services are written beside this one); the campaign's through its services.
"""

from __future__ import annotations

import datetime as dt

WEEK = "2026-W47"  # 16–22 November 2026
WEEK_END = dt.date(2026, 11, 22)


def _sign(cast, household, on: dt.date) -> None:
    from gaizao.ledger.models import Project
    from gaizao.progress.services.events import households_record_stage

    Project.objects.filter(pk=household.project_id).update(signing_start=dt.date(2026, 1, 1),
                                                           signing_end=dt.date(2026, 12, 31))
    for kind in ("surveyed", "decided", "valued", "signed"):
        households_record_stage(actor=cast.admin, household_ids=[household.pk], kind=kind, on_date=on)


def bulletin_world(cast, *, sheet: bool = True):
    """The cast's district in the campaign of 2026, as of the week 2026-W47: street A ahead, street B red."""
    from django.utils import timezone

    from gaizao.campaign.models import Task
    from gaizao.campaign.services import campaign as services
    from gaizao.campaign.services.tasks import task_create
    from gaizao.core import calendar
    from gaizao.core.actors import SYSTEM
    from gaizao.oversight.models import Finding, Inspection, Scheme, ScoreSheet, SupervisionOrder

    campaign = services.campaign_create(actor=SYSTEM, name="2026年城中村改造攻坚专项行动", year=2026,
                                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    services.goal_set(actor=SYSTEM, campaign=campaign, metric="signed", target="3")
    services.target_set(actor=SYSTEM, campaign=campaign, metric="signed", street=cast.street_a, target="1")
    services.target_set(actor=SYSTEM, campaign=campaign, metric="signed", street=cast.street_b, target="2")
    _sign(cast, cast.household_a1, dt.date(2026, 3, 2))
    task = task_create(actor=SYSTEM, campaign=campaign, title="西岭村征收补偿方案报批", unit=cast.street_b,
                       deadline=calendar.next_workday(dt.date.today() + dt.timedelta(days=30)))
    Task.objects.filter(pk=task.pk).update(deadline=dt.date(2026, 11, 2))  # overdue by the week's end
    SupervisionOrder.objects.create(
        campaign=campaign, number="改造督〔2026〕3号", title="西岭村签约滞后督办", unit=cast.street_b,
        requirement="两周内完成剩余签约", deadline_workdays=10, deadline=dt.date(2026, 11, 10), status="received",
        issued_on=dt.date(2026, 10, 27), received_on=dt.date(2026, 10, 28))
    SupervisionOrder.objects.create(
        campaign=campaign, number="改造督〔2026〕4号", title="东湖村腾空交房督办", unit=cast.street_a,
        requirement="按期腾空", deadline_workdays=20, deadline=dt.date(2026, 12, 30), status="handling",
        issued_on=dt.date(2026, 11, 2), received_on=dt.date(2026, 11, 3))
    inspection = Inspection.objects.create(campaign=campaign, title="第三季度专项督查", held_on=dt.date(2026, 10, 15),
                                           inspectors="周指挥")
    inspection.units.add(cast.street_b)
    Finding.objects.create(inspection=inspection, unit=cast.street_b, text="西岭村拆除现场围挡不全",
                           deadline=dt.date(2026, 10, 30))
    if sheet:
        scheme = Scheme.objects.create(campaign=campaign, name="2026年度街道考核办法", status="active")
        rows = [
            {"unit_id": cast.street_a.pk, "unit": "东湖街道", "total": "92.50", "rank": 1, "grade": "excellent",
             "grade_label": "优秀", "list": "red", "indicators": [], "adjustment_total": "0"},
            {"unit_id": cast.street_b.pk, "unit": "西岭街道", "total": "55.00", "rank": 2, "grade": "fail",
             "grade_label": "不合格", "list": "black", "indicators": [], "adjustment_total": "0"},
        ]
        found = ScoreSheet.objects.create(scheme=scheme, period="2026-10", starts_on=dt.date(2026, 10, 1),
                                          ends_on=dt.date(2026, 10, 31), rows=rows)
        published = timezone.make_aware(dt.datetime(2026, 11, 5, 10, 0))  # published before the week
        ScoreSheet.objects.filter(pk=found.pk).update(created_at=published)
    return campaign


def _bulletins(cast):
    from gaizao.core.actors import SYSTEM
    from gaizao.oversight.services.bulletins import bulletin_generate

    bulletin_world(cast)
    bulletin, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=dt.date(2026, 11, 27))
    return [bulletin]


SAMPLES = {
    "oversight.bulletin": _bulletins,
    "oversight.leader": _bulletins,
}
BODIES: dict = {}

__all__ = ["BODIES", "SAMPLES", "WEEK", "WEEK_END", "bulletin_world"]
