"""Objects of progress's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

``BODIES``: the request body of a write endpoint (by its name) that needs one to reach its scope
check (the schema refuses an empty one with 422 before it): in scope it is refused for its input
or written, out of scope 404.
"""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gaizao.progress.services.consultations import consultation_open
from gaizao.progress.services.events import household_record_event
from gaizao.progress.services.hardcases import hardcase_open, visit_record


def _yesterday() -> str:
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


def _photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _hard_cases(cast):
    # One case per household: a1 is the cadre's, a2 the resident's, b1 the other street's. Each
    # visited once with a photo: the photo route is checked on it.
    cases = [hardcase_open(actor=cast.admin, household=h, reason="price", strategy="一户一策",
                           opened_on=_yesterday()) for h in (cast.household_a1, cast.household_a2, cast.household_b1)]
    for case in cases:
        visit_record(actor=cast.admin, hard_case=case, visited_on=_yesterday(), talk="入户沟通",
                     photos=[_photo("门口.jpg")])
    return cases


def _households_with_events(cast):
    # Each household surveyed, with a scan attached: the routes about one event and one attachment
    # are checked on it.
    households = [cast.household_a1, cast.household_a2, cast.household_b1]
    for household in households:
        scan = SimpleUploadedFile("调查表.pdf", b"%PDF-1.4 sample", content_type="application/pdf")
        household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=_yesterday(),
                               attachments=[scan])
    return households


def _consultations(cast):
    return [consultation_open(actor=cast.admin, project=p, held_on=_yesterday(), ends_on=_yesterday())
            for p in (cast.project_a, cast.project_b)]


def _legal_cases(cast):
    # A legal path (补偿决定的法定程序) per household, its decision served with the document attached: the
    # document route is checked on it. Opened through the follow function (the rules of the stage
    # events are tested elsewhere; b1's village mode has no decision of its own).
    from gaizao.core.actors import SYSTEM
    from gaizao.progress.models import LegalCase
    from gaizao.progress.services.legal import legal_follow_events, legal_step_record

    households = [cast.household_a1, cast.household_a2, cast.household_b1]
    day = dt.date.today() - dt.timedelta(days=3)
    legal_follow_events(actor=SYSTEM, households=households, kind="decision", on=day, ip=None)
    cases = [LegalCase.objects.get(household=h, ended_on=None) for h in households]
    for case in cases:
        scan = SimpleUploadedFile("送达回证.pdf", b"%PDF-1.4 sample", content_type="application/pdf")
        legal_step_record(actor=SYSTEM, case=case, kind="served", on_date=day, way="direct", document=scan)
    return cases


SAMPLES = {
    "progress.legalcase": _legal_cases,
    "progress.event": _households_with_events,
    "progress.hardcase": _hard_cases,
    "progress.visit": _hard_cases,
    "progress.consultation": lambda cast: [cast.project_a, cast.project_b],
    "progress.signing": lambda cast: [cast.project_a, cast.project_b],
    "progress.consultation_round": _consultations,
    "progress.dashboard": lambda cast: [cast.street_a, cast.street_b],
    "progress.table_export": lambda cast: [cast.street_a, cast.street_b],
}

BODIES = {
    # Served already: refused in scope for that, out of scope 404.
    "legalcase_step_api": lambda c: {"kind": "served", "on_date": _yesterday(), "way": "direct"},
    # A valid event, so only scope (or the household's stage) can refuse it.
    "event_record_api": lambda h: {"kind": "surveyed", "on_date": _yesterday()},
    "event_bulk_api": lambda h: {"kind": "surveyed", "on_date": _yesterday(), "household_ids": [h.pk]},
    "event_correct_api": lambda h: {"note": "核对"},  # neither a new date nor void: refused in scope
    "hardcase_open_api": lambda c: {"reason": "price"},  # the household has an open case: refused in scope
    "visit_api": lambda c: {"visited_on": "2000-01-01", "talk": ""},
    "consultation_record_api": lambda p: {"held_on": "2999-01-01", "ends_on": "2999-01-02"},
    # a valid outcome: in scope refused (the project has not lapsed, or the role is not the office's)
    "signing_outcome_api": lambda p: {"decision": "ended", "decided_on": "2000-01-01", "reason": "领导小组会议决定终止本项目"},
    # An answer dated before the period: refused in scope for its date, out of scope 404.
    "consultation_answer_api": lambda c: {"household_id": c.project.households.first().pk, "answer": "agree",
                                          "answered_on": "2000-01-01"},
}
