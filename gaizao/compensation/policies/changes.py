"""Change requests after 公示 (变更申请): who reads them, who asks for one, who approves.

One resource of the access table, ``compensation.change``, located at the household (its street): the office and
the admin read and ask everywhere, leaders read everywhere, a street reads and asks for its own households. Asking
is not approving: a request is approved or rejected only by a second person of the office (领导小组办公室) or the
admin — the write grant of ``compensation.change`` everywhere (``change_can_decide``), never a street, never the
person who asked. The approval routes are a resource of their own (``compensation.change_decision``) for the scope
matrix: a street that reads the request is refused (403), one that does not is told it is missing (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.compensation.models import ChangeRequest
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Rule
from gaizao.ledger.models import Household
from gaizao.ledger.policies import household_place, households_for
from gaizao.org.choices import Role

RESOURCE = "compensation.change"
DECISION = "compensation.change_decision"
CHANGE_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}
# Who approves (for the matrix): the office's write grant everywhere; a street only reads.
DECISION_ROWS = {**CHANGE_ROWS, Role.STREET: Rule(read=UNIT)}


def change_scope(user) -> QuerySet[ChangeRequest]:
    """The change requests the user reads: those of the households in reach."""
    return access.grant(user, RESOURCE).filter(ChangeRequest.objects.all(), unit="household__street_id")


def change_household_scope(user, *, write: bool = False) -> QuerySet[Household]:
    """The households whose change requests the user reads (or, ``write``, asks for)."""
    return households_for(user, RESOURCE, write=write)


def change_reader(user) -> bool:
    return bool(access.grant(user, RESOURCE))


def change_can_request(user, household) -> bool:
    return access.grant(user, RESOURCE, write=True).covers(household_place(household))


def change_can_decide(user) -> bool:
    """May approve or reject a change request (of someone else): the office and the admin, across the district."""
    return access.grant(user, RESOURCE, write=True).everywhere


def _place(change: ChangeRequest):
    return household_place(change.household)


CHANGE_ENDPOINTS = (
    Endpoint("change_page", lambda c: reverse("compensation:change_detail", args=[c.pk]),
             shows=lambda c: c.household.number),
    Endpoint("change_api", lambda c: f"/api/compensation/changes/{c.pk}", shows=lambda c: c.household.number),
    Endpoint("change_evidence", lambda c: reverse("compensation:change_evidence", args=[c.pk])),
    Endpoint("change_evidence_api", lambda c: f"/api/compensation/changes/{c.pk}/evidence"),
    Endpoint("change_household_page", lambda c: reverse("compensation:change_list_household",
                                                        args=[c.household_id]), shows=lambda c: c.household.number),
    Endpoint("change_household_api", lambda c: f"/api/compensation/households/{c.household_id}/changes",
             shows=lambda c: c.household.number),
    Endpoint("change_new_page", lambda c: reverse("compensation:change_new", args=[c.household_id, "legality"]),
             write=True),
    Endpoint("change_new_page_post", lambda c: reverse("compensation:change_new", args=[c.household_id, "legality"]),
             write=True, method="POST"),
    Endpoint("change_create_api", lambda c: f"/api/compensation/households/{c.household_id}/changes", write=True,
             method="POST"),
)
DECISION_ENDPOINTS = (
    Endpoint("change_approve_page", lambda c: reverse("compensation:change_approve", args=[c.pk]), write=True,
             method="POST", refused_to_readers_of=RESOURCE),
    Endpoint("change_reject_page", lambda c: reverse("compensation:change_reject", args=[c.pk]), write=True,
             method="POST", refused_to_readers_of=RESOURCE),
    Endpoint("change_approve_api", lambda c: f"/api/compensation/changes/{c.pk}/approve", write=True,
             method="POST", refused_to_readers_of=RESOURCE),
    Endpoint("change_reject_api", lambda c: f"/api/compensation/changes/{c.pk}/reject", write=True,
             method="POST", refused_to_readers_of=RESOURCE),
)

access.register(RESOURCE, CHANGE_ROWS, locate=_place, endpoints=CHANGE_ENDPOINTS)
access.register(DECISION, DECISION_ROWS, locate=_place, endpoints=DECISION_ENDPOINTS)
