"""The demo's assessment: three published months with movements in the ranking, one commendation and one
accountability proposal, the commendation confirmed into a record."""

from __future__ import annotations

import datetime as dt
import random

from gaizao.core.actors import SYSTEM
from gaizao.demo.oversight_assessment import demo_assessment
from gaizao.org.services import orgunit_create
from gaizao.oversight.models import Proposal, Record, ScoreSheet
from tests.oversight.samples_assessment import make_campaign


def test_three_months_with_movements_and_one_proposal_of_each_kind(cast):
    orgunit_create(actor=SYSTEM, code="440199003", name="南岸街道", kind="street", parent=cast.district)
    campaign = make_campaign(cast.commander)
    assert demo_assessment(campaign=campaign, today=dt.date(2026, 12, 6), rng=random.Random(1)) == 3
    sheets = list(ScoreSheet.objects.order_by("period"))
    assert [s.period for s in sheets] == ["2026-09", "2026-10", "2026-11"]
    leaders = [s.rows[0]["unit"] for s in sheets]
    lasts = [s.rows[-1]["unit"] for s in sheets]
    assert leaders[0] != leaders[1] == leaders[2] and lasts[0] != lasts[1] == lasts[2]
    assert sorted(Proposal.objects.values_list("kind", "status")) == [("accountability", "proposed"),
                                                                      ("commendation", "confirmed")]
    record = Record.objects.get()
    assert (record.kind, record.measure, record.unit.name) == ("commendation", "praise", leaders[2])
