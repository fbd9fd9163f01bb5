"""Reads of the campaign: campaigns, targets and agreements, through the policies (out of scope is 404)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gaizao.campaign.choices import AgreementStatus
from gaizao.campaign.models import Agreement, Campaign, Goal, Milestone, Target
from gaizao.campaign.policies import agreement_scope, campaign_scope, target_scope
from gaizao.core.errors import NotFound
from gaizao.core.scoping import get_in_scope
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit


def campaign_list(user) -> list[Campaign]:
    return list(campaign_scope(user).order_by("-starts_on", "-id"))


def _pk(pk):
    """A primary key the database can hold, else one no row has (out of range is absent, not a 500)."""
    return pk if str(pk).isdigit() and 0 < int(pk) < 2**63 else 0


def campaign_get(user, *, pk) -> Campaign:
    return get_in_scope(campaign_scope(user), pk=_pk(pk))


def campaign_by_id_or_current(user, pk=None) -> Campaign:
    """The campaign named, else the current one (command and API default); NotFound without one."""
    from gaizao.campaign.selectors.status import current_campaign

    if pk is not None:
        return campaign_get(user, pk=pk)
    found = current_campaign()
    if found is None or not campaign_scope(user).filter(pk=found.pk).exists():
        raise NotFound(_("还没有攻坚行动。"))
    return found


def streets() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))


def visible_streets(user) -> list[OrgUnit]:
    """The streets whose targets the user reads: all for the district roles, else their own."""
    from gaizao.core import access

    grant = access.grant(user, "campaign.target")
    if grant.everywhere:
        return streets()
    return list(OrgUnit.objects.filter(kind=OrgKind.STREET, pk__in=grant.unit_ids).order_by("path"))


def target_grid(campaign: Campaign) -> dict:
    """The targets editor's data: goals by metric, street targets by (street, metric), milestones by metric
    (three queries)."""
    goals = {g.metric: g.target for g in Goal.objects.filter(campaign=campaign)}
    cells = {(t.street_id, t.metric): t for t in Target.objects.filter(campaign=campaign, village__isnull=True,
                                                                      project__isnull=True)}
    milestones: dict[str, list[Milestone]] = {}
    for m in Milestone.objects.filter(campaign=campaign, target__isnull=True).order_by("due_on"):
        milestones.setdefault(m.metric, []).append(m)
    return {"goals": goals, "cells": cells, "milestones": milestones}


def milestone_list(campaign: Campaign) -> list[Milestone]:
    """Every milestone of the campaign (those for one target with their street), by metric and date."""
    return list(Milestone.objects.filter(campaign=campaign).select_related("target__street")
                .order_by("metric", "due_on"))


def milestone_of(campaign: Campaign, *, pk) -> Milestone:
    return get_in_scope(Milestone.objects.filter(campaign=campaign).select_related("target"), pk=_pk(pk))


def villages_for_completion() -> list:
    """Every village with its street's name, for the completion page (one query)."""
    from gaizao.ledger.models import Village

    return list(Village.objects.select_related("street").order_by("street__path", "code")
                .only("id", "name", "code", "mode", "street_id", "street__name", "street__path"))


def narrowed_targets(campaign: Campaign) -> list[Target]:
    return list(Target.objects.filter(campaign=campaign).exclude(village__isnull=True, project__isnull=True)
                .select_related("street", "village", "project").order_by("street__path", "metric"))


def agreement_list(user, campaign: Campaign) -> list[Agreement]:
    """Every version of every street's agreement the user reads, newest version first per street."""
    return list(agreement_scope(user).filter(campaign=campaign).select_related("street")
                .order_by("street__path", "-version"))


def agreement_get(user, *, pk) -> Agreement:
    return get_in_scope(agreement_scope(user).select_related("campaign", "street", "supersedes"), pk=_pk(pk))


def agreement_versions(agreement: Agreement) -> list[Agreement]:
    return list(Agreement.objects.filter(campaign=agreement.campaign_id, street=agreement.street_id)
                .order_by("-version"))


def current_agreements(campaign: Campaign) -> list[Agreement]:
    """The version that holds for each street: the one in force, else the latest (for the command)."""
    chosen: dict[int, Agreement] = {}
    for a in Agreement.objects.filter(campaign=campaign).select_related("street", "campaign").order_by(
            "street__path", "-version"):
        held = chosen.get(a.street_id)
        if held is None or (held.status != AgreementStatus.IN_FORCE and a.status == AgreementStatus.IN_FORCE):
            chosen[a.street_id] = a
    return list(chosen.values())


def target_of(user, *, pk) -> Target:
    return get_in_scope(target_scope(user).select_related("street"), pk=_pk(pk))
