"""Assessment reads (考核): schemes, the sheet in force for a period, the latest published sheet of a
campaign, the rows a user may see of it, the red / yellow / black lists, and a live preview.

Public for the bulletin and the leader's page: ``latest_sheet(user, campaign)`` (``latest_published(campaign)``
without a user), ``sheet_in_force(scheme, period)``, ``sheet_rows_for(user, sheet)``, ``lists(sheet)`` (each a
fixed number of queries; rows in the format of ``services.assessment``'s docstring).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gaizao.oversight import periods, scoring, sources
from gaizao.oversight.choices import ProposalStatus, SchemeStatus, SheetStatus
from gaizao.oversight.models import Proposal, Scheme, ScoreSheet
from gaizao.oversight.policies.assessment import (assessment_reads_all, own_unit_ids, scheme_scope,
                                                  sheet_scope)


def scheme_list(user) -> QuerySet[Scheme]:
    """Schemes with their indicator and sheet counts (one query)."""
    return (scheme_scope(user).select_related("campaign")
            .annotate(n_indicators=Count("indicators", distinct=True),
                      n_sheets=Count("sheets", filter=Q(sheets__status=SheetStatus.PUBLISHED), distinct=True))
            .order_by("-id"))


def scheme_get(user, pk: int) -> Scheme:
    found = scheme_scope(user).select_related("campaign").filter(pk=pk).first()
    if found is None:
        raise Http404("不存在或无权查看。")
    return found


def scheme_sheets(scheme: Scheme) -> list[ScoreSheet]:
    """Every sheet of a scheme, latest period first, versions newest first (rows deferred)."""
    return list(ScoreSheet.objects.filter(scheme=scheme).defer("rows", "diff").order_by("-ends_on", "-version"))


def sheet_get(user, pk: int) -> ScoreSheet:
    found = sheet_scope(user).select_related("scheme", "scheme__campaign", "published_by").filter(pk=pk).first()
    if found is None:
        raise Http404("不存在或无权查看。")
    return found


def sheet_versions(sheet: ScoreSheet) -> list[ScoreSheet]:
    return list(ScoreSheet.objects.filter(scheme_id=sheet.scheme_id, period=sheet.period)
                .select_related("published_by").defer("rows").order_by("-version"))


def sheet_in_force(scheme: Scheme, period: str) -> ScoreSheet | None:
    """The published version of a period (one query); None before publication."""
    return ScoreSheet.objects.filter(scheme=scheme, period=periods.normalise(period),
                                     status=SheetStatus.PUBLISHED).first()


def latest_sheet(user, campaign, *, assessed: str | None = None) -> ScoreSheet | None:
    """The latest published sheet of the campaign's schemes (the active ones first; streets before
    departments unless ``assessed`` says): one query. Read its rows through ``sheet_rows_for``."""
    if campaign is None or not _reader(user):
        return None
    return latest_published(campaign, assessed=assessed)


def latest_published(campaign, *, assessed: str | None = None) -> ScoreSheet | None:
    """``latest_sheet`` without a user (documents and commands the office runs): one query."""
    if campaign is None:
        return None
    qs = ScoreSheet.objects.filter(scheme__campaign=campaign, status=SheetStatus.PUBLISHED).select_related("scheme")
    if assessed:
        qs = qs.filter(scheme__assessed=assessed)
    active_first = Q(scheme__status=SchemeStatus.ACTIVE)
    from django.db.models import Case, IntegerField, Value, When

    return qs.annotate(inactive=Case(When(active_first, then=Value(0)), default=Value(1),
                                     output_field=IntegerField())).order_by(
        "inactive", "scheme__assessed", "-ends_on", "-id").first()


def _reader(user) -> bool:
    from gaizao.oversight.policies.assessment import assessment_reader

    return assessment_reader(user)


def sheet_rows_for(user, sheet: ScoreSheet | None) -> list[dict]:
    """The rows of a sheet this user may see: all of them for the office and leaders, a unit's own row
    for a street or department, none for anyone else (no query beyond the user's units)."""
    if sheet is None:
        return []
    if assessment_reads_all(user):
        return list(sheet.rows)
    mine = own_unit_ids(user)
    return [row for row in sheet.rows if row["unit_id"] in mine]


def lists(sheet: ScoreSheet | None) -> dict[str, list[dict]]:
    """红榜 (优秀), 黄榜 (合格), 黑榜 (不合格) of a sheet, each in rank order (no query)."""
    out = {"red": [], "yellow": [], "black": []}
    for row in (sheet.rows if sheet else []):
        if row.get("list") in out:
            out[row["list"]].append(row)
    return out


def preview(scheme: Scheme, period: str) -> list[dict]:
    """The rows the period would get if published now (computed live, nothing frozen)."""
    return scoring.compute_rows(scheme, periods.normalise(period, kind=scheme.period_kind))


def proposal_list(user, *, status: str | None = None) -> QuerySet[Proposal]:
    qs = Proposal.objects.select_related("unit", "scheme", "decided_by", "record")
    if not assessment_reads_all(user):
        qs = qs.filter(unit_id__in=own_unit_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-id")


def pending_proposals(user) -> int:
    return proposal_list(user, status=ProposalStatus.PROPOSED).count()


def source_catalogue() -> list[sources.Source]:
    return list(sources.SOURCES.values())


def my_scores(user, campaign) -> dict:
    """A street's or department's view: the latest sheet of its kind and its own row (two queries)."""
    sheet = latest_sheet(user, campaign)
    return {"sheet": sheet, "rows": sheet_rows_for(user, sheet)}
