"""Change requests after 公示 for the scope matrix (tests/test_scope_matrix.py), and the published households the
change-request tests start from.

``published(cast)``: both projects with a scheme in force, household_a1's building valued, every household calculated
(money) and the compensation list of each project published through the publicity service. ``SAMPLES``: one pending
request per household of the cast, asked by its street's staff (so that the office's accounts are a second person).
``BODIES``: what the write routes are sent with — refused for their input, or for a stale version, never applied.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gaizao.compensation.choices import ChangeKind, PublicityKind
from gaizao.compensation.services.calculations import household_calculate
from gaizao.compensation.services.changes import change_request
from gaizao.compensation.services.publicity import publicity_publish
from gaizao.progress.services.events import household_record_event
from tests.compensation.factories import publish_scheme, value_buildings

PDF = b"%PDF-1.4 \xe8\xaf\x81\xe6\x98\x8e\xe6\x9d\x90\xe6\x96\x99"


def evidence(name: str = "认定复核意见书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def published(cast) -> None:
    """Both projects' compensation lists published (a1 decided and valued; a2 and b1 without buildings)."""
    today = timezone.localdate()
    for project in (cast.project_a, cast.project_b):
        publish_scheme(project)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed",
                           on_date=today - dt.timedelta(days=3))
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="decided",
                           on_date=today - dt.timedelta(days=2))
    value_buildings(cast.household_a1)
    for household in (cast.household_a1, cast.household_a2, cast.household_b1):
        household_calculate(actor=cast.admin, household=household, option="money", signed_on=today)
    for project in (cast.project_a, cast.project_b):
        publicity_publish(actor=cast.admin, project=project, kind=PublicityKind.COMPENSATION,
                          starts_on=today - dt.timedelta(days=1), days=10)


def _changes(cast):
    published(cast)
    building = cast.household_a1.buildings.get()
    return [
        change_request(actor=cast.street_user_a, household=cast.household_a1, kind=ChangeKind.LEGALITY,
                       payload={"op": "building_update", "building": building.pk, "changes": {"legality": "temporary"}},
                       reason="经复核认定为未超期临时建筑", evidence=evidence()),
        change_request(actor=cast.street_user_a, household=cast.household_a2, kind=ChangeKind.MEMBERS,
                       payload={"op": "household_update", "changes": {"member_count": "4"}},
                       reason="新生儿落户，家庭人数增加", evidence=evidence("出生证明.pdf")),
        change_request(actor=cast.street_user_b, household=cast.household_b1, kind=ChangeKind.MEMBERS,
                       payload={"op": "household_update", "changes": {"member_count": "2"}},
                       reason="户籍迁出一人，家庭人数减少", evidence=evidence("户口簿.pdf")),
    ]


SAMPLES = {"compensation.change": _changes, "compensation.change_decision": _changes}
BODIES = {
    # No target chosen: the page again (400); a text file as evidence: refused (400). Both after the scope check.
    "change_new_page_post": lambda c: {"legality": "illegal", "reason": "复核"},
    "change_create_api": lambda c: {"kind": "legality", "payload": "{}", "reason": "复核认定",
                                    "evidence": SimpleUploadedFile("说明.txt", b"text", content_type="text/plain")},
    # A stale version: the office is refused 409 (nothing applied); a street 403 before that.
    "change_approve_page": lambda c: {"approve-version": c.version + 100},
    "change_reject_page": lambda c: {"reject-version": c.version + 100, "reject-note": ""},
    "change_approve_api": lambda c: {"version": c.version + 100},
    "change_reject_api": lambda c: {"version": c.version + 100, "note": ""},
}
