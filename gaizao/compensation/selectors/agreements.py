"""Reads of compensation agreements (补偿协议): one agreement, a household's, a project's register.

Every read starts from the policies' scope; out of scope is the one 404 (``NotFound``). Lists cost a
fixed number of queries whatever their length (tests pin them).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from gaizao.compensation.choices import AgreementStatus
from gaizao.compensation.models import Agreement, Calculation
from gaizao.compensation.policies.agreements import agreement_households, agreement_scope, register_projects
from gaizao.compensation.selectors.calculations import calculation_current
from gaizao.core.errors import NotFound
from gaizao.ledger.models import Household, Project

NOT_FOUND = "补偿协议不存在或无权查看。"
_DETAIL = ("household", "household__project", "household__project__village", "household__street", "project",
           "project__village", "calculation", "created_by", "signed_recorded_by")


def agreement_get(user, *, pk) -> Agreement:
    """One agreement the user reads, with its household and project (one query)."""
    try:
        found = agreement_scope(user).select_related(*_DETAIL).filter(pk=pk).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def household_get(user, *, pk, write: bool = False) -> Household:
    """A household whose agreements the user reads (or writes), with its project; else the one 404."""
    try:
        found = agreement_households(user, write=write).select_related("project", "project__village").filter(
            pk=pk).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("住户不存在或无权操作。"))
    return found


def household_agreements(household: Household | int) -> list[Agreement]:
    """A household's agreements, the live one (draft or signed) first, then the voided drafts, newest first
    (one query; the caller has checked the household is in scope)."""
    pk = household if isinstance(household, int) else household.pk
    rows = list(Agreement.objects.filter(household_id=pk).order_by("-created_at", "-pk"))
    return sorted(rows, key=lambda a: a.status == AgreementStatus.VOID)


def agreement_live(household: Household | int) -> Agreement | None:
    """The household's agreement in force or waiting to be signed (not void), if any (one query)."""
    pk = household if isinstance(household, int) else household.pk
    return Agreement.objects.filter(household_id=pk).exclude(status=AgreementStatus.VOID).first()


def agreement_signed(household: Household | int) -> Agreement | None:
    """The household's signed agreement, if any (one query): what resettlement and payments follow."""
    pk = household if isinstance(household, int) else household.pk
    return Agreement.objects.filter(household_id=pk, status=AgreementStatus.SIGNED).first()


def calculation_for(household: Household, option: str | None = None) -> Calculation | None:
    """The household's current calculation (of ``option``, else the latest of any option): what an agreement is
    generated from (``selectors.calculations.calculation_current``, one query)."""
    return calculation_current(household, option)


def project_agreements(user, project: Project) -> QuerySet[Agreement]:
    """A project's agreements that are not void, for its register: signed ones in signing order, then the
    drafts (one query with their households)."""
    return (agreement_scope(user).filter(project=project).exclude(status=AgreementStatus.VOID)
            .select_related("household").order_by(F("order_no").asc(nulls_last=True), "pk"))


def register_project_get(user, *, pk) -> Project:
    """A project whose register the user reads, else the one 404."""
    try:
        found = register_projects(user).select_related("village").filter(pk=pk).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("项目不存在或无权查看。"))
    return found


def register_summary(project: Project, agreements: list[Agreement]) -> dict:
    """The register's figures: signed and drafts of the project's households, and the households in scope
    (one query: the count of households)."""
    signed = sum(1 for a in agreements if a.status == AgreementStatus.SIGNED)
    total = Household.objects.filter(project=project).count()
    return {"signed": signed, "drafts": len(agreements) - signed, "households": total,
            "rate": (round(signed * 100 / total, 2) if total else None),
            "threshold": project.signing_threshold}


def register_index(user) -> list[Project]:
    """The projects whose registers the user reads, each with its signed and draft agreements and its households
    counted (one query; a district has tens of projects, not thousands)."""
    agreements = "compensation_agreements"
    return list(register_projects(user).select_related("village").annotate(
        signed=Count(agreements, filter=Q(**{f"{agreements}__status": AgreementStatus.SIGNED}), distinct=True),
        drafts=Count(agreements, filter=Q(**{f"{agreements}__status": AgreementStatus.DRAFT}), distinct=True),
        household_count=Count("households", distinct=True),
    ).order_by("village__street_id", "code"))
