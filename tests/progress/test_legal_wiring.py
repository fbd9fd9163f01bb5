"""The legal path follows the stage events — NEEDS THE WIRING of ``legal_follow_events`` into
``progress.services.events`` (single, bulk, correction) and ``progress.importing``.

Every test here records stage events through the event services only, and expects the legal case
to follow: until the lead adds the calls, they fail (that is the point: they test the wiring).
"""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.ledger.models import Project
from gaizao.progress.models import LegalCase, StageEvent
from gaizao.progress.services import event_correct, household_record_event, households_record_stage
from tests.progress.helpers import decidable
from tests.progress.test_legal_path import days_ago

pytestmark = pytest.mark.usefixtures("rollups_stay_correct")


def valued(cast, *households, land="state"):
    """Walked to 评估, the project's period over (its threshold reached: 0 here)."""
    start = days_ago(100)
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=start, signing_end=start + dt.timedelta(days=30),
                                                        land_type=land, signing_threshold=0)
    decidable(cast.admin, list(households))
    for household in households:
        for offset, kind in enumerate(("surveyed", "decided", "valued")):
            household_record_event(actor=cast.admin, household=household, kind=kind,
                                   on_date=start + dt.timedelta(days=offset))


def test_event_path_a_decision_opens_the_case(cast):
    valued(cast, cast.household_a1, land="collective")
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="decision",
                           on_date=days_ago(20))
    case = LegalCase.objects.get(household=cast.household_a1)
    assert (case.step, case.opened_on, case.land_type, case.ended_on) == ("decided", days_ago(20), "collective", None)


def test_event_path_bulk_decisions_open_a_case_each(cast):
    valued(cast, cast.household_a1, cast.household_a2)
    households_record_stage(actor=cast.street_user_a, household_ids=[cast.household_a1.pk, cast.household_a2.pk],
                            kind="decision", on_date=days_ago(20))
    assert LegalCase.objects.filter(ended_on=None).count() == 2


def test_event_path_a_signature_settles_the_case(cast):
    valued(cast, cast.household_a1)
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="decision",
                           on_date=days_ago(20))
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="signed",
                           on_date=days_ago(5))
    case = LegalCase.objects.get(household=cast.household_a1)
    assert (case.outcome, case.ended_on, case.step) == ("settled", days_ago(5), "settled")


def test_event_path_moving_out_ends_the_case(cast):
    valued(cast, cast.household_a1)
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="decision",
                           on_date=days_ago(20))
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="vacated",
                           on_date=days_ago(5))
    assert LegalCase.objects.get(household=cast.household_a1).outcome == "moved_out"


def test_event_path_voiding_the_decision_ends_the_case_as_void(cast):
    valued(cast, cast.household_a1)
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="decision",
                                   on_date=days_ago(20))
    event_correct(actor=cast.street_user_a, event=event, void=True, note="决定书未印发，误录")
    case = LegalCase.objects.get(household=cast.household_a1)
    assert case.outcome == "voided" and case.steps.count() == 2
    assert StageEvent.objects.filter(household=cast.household_a1, kind="decision").exists()  # nothing deleted
