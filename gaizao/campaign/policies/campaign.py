"""The campaign, its goals and targets, and the responsibility agreements (责任书).

The campaign itself (its name, dates and district goals) is read by everyone who works on it; a
street reads its own targets and agreements; the office (领导小组办公室) and the admin write them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.campaign.models import Agreement, Campaign, Target
from gaizao.core import access
from gaizao.core.actors import is_system
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
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


c_ = "campaign:"


def street_place(obj) -> Place:
    return Place(unit_id=obj.street_id)


def campaign_scope(user) -> QuerySet[Campaign]:
    if is_system(user):  # commands and periodic work act for the whole district
        return Campaign.objects.all()
    return access.grant(user, "campaign.campaign").filter(Campaign.objects.all())


def campaign_can_write(user) -> bool:
    """May create campaigns and set their goals, targets, milestones and agreements (the office, the admin)."""
    return access.grant(user, "campaign.campaign", write=True).everywhere


def target_scope(user) -> QuerySet[Target]:
    return access.grant(user, "campaign.target").filter(Target.objects.all(), unit="street_id")


def agreement_scope(user) -> QuerySet[Agreement]:
    if is_system(user):
        return Agreement.objects.all()
    return access.grant(user, "campaign.agreement").filter(Agreement.objects.all(), unit="street_id")


def _first_milestone(campaign):
    return campaign.milestones.order_by("pk").first()


def register_access() -> None:
    """The campaign's rows, with the pages and API routes the scope matrix checks."""
    access.register("campaign.campaign", CAMPAIGN_ROWS, locate=lambda c: Place(unit_id=None), endpoints=[
        Endpoint("campaign_overview", lambda c: reverse(c_ + "overview", args=[c.pk]), shows=lambda c: c.name),
        Endpoint("campaign_completion", lambda c: reverse(c_ + "completion", args=[c.pk]), shows=lambda c: c.name),
        Endpoint("campaign_agreements", lambda c: reverse(c_ + "agreements", args=[c.pk]), shows=lambda c: c.name),
        Endpoint("campaign_api", lambda c: f"/api/campaign/campaigns/{c.pk}", shows=lambda c: c.name),
        Endpoint("campaign_status_api", lambda c: f"/api/campaign/campaigns/{c.pk}/status"),
        Endpoint("campaign_edit", lambda c: reverse(c_ + "edit", args=[c.pk]), write=True, method="POST"),
        Endpoint("campaign_targets", lambda c: reverse(c_ + "targets", args=[c.pk]), write=True, method="POST"),
        Endpoint("campaign_target_narrow", lambda c: reverse(c_ + "target_narrow", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("campaign_milestones", lambda c: reverse(c_ + "milestones", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("campaign_milestone_remove", lambda c: reverse(c_ + "milestone_remove",
                                                                args=[c.pk, _first_milestone(c).pk]),
                 write=True, method="POST"),
        Endpoint("campaign_completion_set", lambda c: reverse(c_ + "completion", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("campaign_agreements_draft", lambda c: reverse(c_ + "agreements", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("campaign_targets_api", lambda c: f"/api/campaign/campaigns/{c.pk}/targets", write=True,
                 method="POST"),
    ])
    access.register("campaign.target", TARGET_ROWS, locate=street_place, endpoints=[
        Endpoint("target_api", lambda t: f"/api/campaign/targets/{t.pk}", shows=lambda t: f'"id": {t.pk}'),
    ])
    access.register("campaign.agreement", AGREEMENT_ROWS, locate=street_place, endpoints=[
        Endpoint("agreement_page", lambda a: reverse(c_ + "agreement", args=[a.pk]), shows=lambda a: a.title),
        Endpoint("agreement_docx", lambda a: reverse(c_ + "agreement_docx", args=[a.pk])),
        Endpoint("agreement_scan", lambda a: reverse(c_ + "agreement_scan", args=[a.pk])),
        Endpoint("agreement_api", lambda a: f"/api/campaign/agreements/{a.pk}", shows=lambda a: a.title),
        Endpoint("agreement_step", lambda a: reverse(c_ + "agreement", args=[a.pk]), write=True, method="POST"),
    ])


register_access()
