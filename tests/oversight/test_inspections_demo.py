"""The demo's inspections (gaizao.demo.oversight_inspections), on the test cast: two inspections with findings in
every state — open and overdue, fixed waiting for verification, verified, returned, one that raised an order —
and small photos."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gaizao.demo.oversight_inspections import demo_inspections
from gaizao.oversight.choices import FindingStatus, OrderStatus, SubjectKind
from gaizao.oversight.models import Finding, FindingPhoto, Inspection, SupervisionOrder
from gaizao.oversight.selectors.inspections import findings_fixed_rate, open_findings_rows
from tests.campaign.helpers import make_campaign


def test_the_demo_makes_two_inspections_with_findings_in_every_state(cast, media):
    today = timezone.localdate()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=200),
                             ends_on=today + dt.timedelta(days=160))
    made = demo_inspections(campaign=campaign, today=today, rng=random.Random(5))
    assert made == Finding.objects.count() == 14
    assert Inspection.objects.filter(campaign=campaign).count() == 2
    states = set(Finding.objects.values_list("status", flat=True))
    assert states == {FindingStatus.OPEN, FindingStatus.FIXED, FindingStatus.VERIFIED, FindingStatus.RETURNED}
    overdue = [row for row in open_findings_rows(cast.commander, limit=50, today=today) if row.overdue]
    assert len(overdue) >= 2
    order = SupervisionOrder.objects.get()
    assert order.status == OrderStatus.DRAFT and order.subject_kind == SubjectKind.FINDING
    assert Finding.objects.get(order=order).unit_id == order.unit_id
    sizes = list(FindingPhoto.objects.values_list("size", flat=True))
    assert sizes and max(sizes) < 20_000 and FindingPhoto.objects.filter(kind="fix").exists()
    # the assessment's figure: some verified on time, one verified but fixed after its deadline
    rate = findings_fixed_rate([cast.street_a.pk, cast.street_b.pk, cast.department.pk],
                               today - dt.timedelta(days=120), today + dt.timedelta(days=120))
    assert sum(r["due"] for r in rate.values()) == 14
    verified = Finding.objects.filter(status=FindingStatus.VERIFIED).count()
    assert 0 < sum(r["fixed_on_time"] for r in rate.values()) < verified
