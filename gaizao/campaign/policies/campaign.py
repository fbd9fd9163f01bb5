"""The campaign, its goals and targets, and the responsibility agreements (责任书).

The campaign itself (its name, dates and district goals) is read by everyone who works on it; a
street reads its own targets and agreements; the office (领导小组办公室) and the admin write them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gaizao.campaign.models import Agreement, Campaign, Target
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Place, Rule
from gaizao.org.choices import Role

CAMPAIGN_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=DISTRICT),
    Role.DEPARTMENT: Rule(read=DISTRICT),
}
# A street's targets and agreements: the district roles, and the street for its own.
TARGET_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}
AGREEMENT_ROWS = dict(TARGET_ROWS)


def street_place(obj) -> Place:
    return Place(unit_id=obj.street_id)


def campaign_scope(user) -> QuerySet[Campaign]:
    return access.grant(user, "campaign.campaign").filter(Campaign.objects.all())


def campaign_can_write(user) -> bool:
    """May create campaigns and set their goals, targets, milestones and agreements (the office, the admin)."""
    return access.grant(user, "campaign.campaign", write=True).everywhere


def target_scope(user) -> QuerySet[Target]:
    return access.grant(user, "campaign.target").filter(Target.objects.all(), unit="street_id")


def agreement_scope(user) -> QuerySet[Agreement]:
    return access.grant(user, "campaign.agreement").filter(Agreement.objects.all(), unit="street_id")


def register_access(endpoints: dict | None = None) -> None:
    endpoints = endpoints or {}
    access.register("campaign.campaign", CAMPAIGN_ROWS, locate=lambda c: Place(unit_id=None),
                    endpoints=endpoints.get("campaign.campaign", ()))
    access.register("campaign.target", TARGET_ROWS, locate=street_place, endpoints=endpoints.get("campaign.target", ()))
    access.register("campaign.agreement", AGREEMENT_ROWS, locate=street_place,
                    endpoints=endpoints.get("campaign.agreement", ()))


register_access()
