"""Valuations (评估结果): who reads a household's valuer results and who records them.

One resource of the access table, ``compensation.valuation``, located at the household (its street,
its cadre): the office and the admin read and record everywhere, leaders read everywhere, a street
reads and records its own households, a cadre reads the households assigned to them. Out of reach
is 404, on the pages and the API alike.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.compensation.models import Valuation
from gaizao.core import access
from gaizao.core.access import ASSIGNED, DISTRICT, UNIT, Endpoint, Rule
from gaizao.ledger.models import Household
from gaizao.ledger.policies import household_place, households_for
from gaizao.org.choices import Role

RESOURCE = "compensation.valuation"
VALUATION_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.CADRE: Rule(read=ASSIGNED),
}


def valuation_household_scope(user, *, write: bool = False) -> QuerySet[Household]:
    """The households whose valuations the user reads (or, ``write``, records)."""
    return households_for(user, RESOURCE, write=write)


def valuation_scope(user) -> QuerySet[Valuation]:
    """The valuations the user reads: those of the households in reach."""
    return access.grant(user, RESOURCE).filter(Valuation.objects.all(), unit="household__street_id",
                                               assigned="household__cadre")


def valuation_reader(user) -> bool:
    return bool(access.grant(user, RESOURCE))


def valuation_writer(user) -> bool:
    """Records valuations somewhere (the menu's import link, the import page)."""
    return bool(access.grant(user, RESOURCE, write=True))


def valuation_can_read(user, household) -> bool:
    return access.grant(user, RESOURCE).covers(household_place(household))


def valuation_can_write(user, household) -> bool:
    return access.grant(user, RESOURCE, write=True).covers(household_place(household))


def _latest(household) -> Valuation:
    return Valuation.objects.filter(household=household).latest("pk")


VALUATION_ENDPOINTS = (
    Endpoint("valuation_household_page", lambda h: reverse("compensation:valuation_household", args=[h.pk]),
             shows=lambda h: h.head_name),
    Endpoint("valuation_household_api", lambda h: f"/api/compensation/households/{h.pk}/valuations",
             shows=lambda h: h.number),
    Endpoint("valuation_api", lambda h: f"/api/compensation/valuations/{_latest(h).pk}", shows=lambda h: h.number),
    Endpoint("valuation_record_page", lambda h: reverse("compensation:valuation_household", args=[h.pk]),
             write=True, method="POST"),
    Endpoint("valuation_record_api", lambda h: f"/api/compensation/households/{h.pk}/valuations", write=True,
             method="POST"),
)

access.register(RESOURCE, VALUATION_ROWS, locate=household_place, endpoints=VALUATION_ENDPOINTS)
