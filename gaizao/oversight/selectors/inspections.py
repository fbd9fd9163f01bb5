"""Reads of inspections and rectification (督查 / 整改): lists, one inspection with its findings, one
finding, the open items per unit (for the leader's page and the bulletin) and the fixed-on-time figures
(for the assessment's catalogue).

Every read for a user starts from the policies' scopes: the district roles read everything; a street or
a department the inspections that included it and, on them, its own findings. A finding stays open (and
visible on the unit's page and the overview) until the office verifies its fix: 待整改, 已整改待核验 and
核验未通过 are all open. It is overdue (逾期) while not fixed (待整改 or 退回) past its deadline.

Lists cost a fixed number of queries whatever their length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from gaizao.core.actors import is_system
from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.scoping import get_in_scope
from gaizao.org.models import OrgUnit
from gaizao.oversight.choices import OPEN_FINDING_STATUSES, FindingStatus
from gaizao.oversight.models import Finding, FindingPhoto, Inspection
from gaizao.oversight.policies import inspections as policies

PAGE_SIZE = 50


def finding_scope(user) -> QuerySet[Finding]:
    """The findings ``user`` reads; every finding for the system actor (the bulletin, commands)."""
    return Finding.objects.all() if is_system(user) else policies.finding_scope(user)


def inspection_scope(user) -> QuerySet[Inspection]:
    return Inspection.objects.all() if is_system(user) else policies.inspection_scope(user)
NOT_FIXED = (FindingStatus.OPEN, FindingStatus.RETURNED)


def overdue_condition(on: dt.date) -> Q:
    """Not fixed and past its deadline: the one rule of 逾期 for a finding, in SQL."""
    return Q(status__in=NOT_FIXED, deadline__lt=on)


@dataclass
class FindingRow:
    """One finding as the lists, the API, the leader's page and the bulletin show it."""

    id: int
    version: int
    inspection_id: int
    inspection_title: str
    held_on: dt.date
    unit_id: int
    unit_name: str
    place: str
    text: str
    requirement: str
    owner_id: int | None
    owner_name: str
    deadline: dt.date
    status: str
    status_label: str
    fixed_at: dt.datetime | None
    verified_at: dt.datetime | None
    order_id: int | None
    overdue: bool
    days_overdue: int


_FIELDS = ("id", "version", "inspection_id", "unit_id", "place", "text", "requirement", "owner_id", "deadline",
           "status", "fixed_at", "verified_at", "order_id")
_VALUES = dict(inspection_title=F("inspection__title"), held_on=F("inspection__held_on"), unit_name=F("unit__name"),
               owner_full_name=F("owner__full_name"), owner_username=F("owner__username"))


def _row(values: dict, on: dt.date) -> FindingRow:
    statuses = dict(FindingStatus.choices)
    late = values["status"] in NOT_FIXED and values["deadline"] < on
    return FindingRow(
        id=values["id"], version=values["version"], inspection_id=values["inspection_id"],
        inspection_title=values["inspection_title"], held_on=values["held_on"], unit_id=values["unit_id"],
        unit_name=values["unit_name"], place=values["place"], text=values["text"],
        requirement=values["requirement"], owner_id=values["owner_id"],
        owner_name=values["owner_full_name"] or values["owner_username"] or "", deadline=values["deadline"],
        status=values["status"], status_label=str(statuses.get(values["status"], values["status"])),
        fixed_at=values["fixed_at"], verified_at=values["verified_at"], order_id=values["order_id"],
        overdue=late, days_overdue=(on - values["deadline"]).days if late else 0)


def _rows(qs: QuerySet[Finding]) -> QuerySet:
    return qs.values(*_FIELDS, **_VALUES)


# --- inspections ---------------------------------------------------------------------------------------

@dataclass
class InspectionRow:
    id: int
    version: int
    title: str
    held_on: dt.date
    inspectors: str
    places: str
    unit_names: list[str]
    findings: int  # the findings the user reads (a unit: its own)
    open: int


def inspection_list(user, *, campaign=None, after: int | None = None, limit: int = PAGE_SIZE) -> KeysetPage:
    """One page of the inspections the user reads, latest first (by id, descending): three queries
    (the page, their units, the counts of the findings the user reads)."""
    qs = inspection_scope(user)
    if campaign:
        qs = qs.filter(campaign_id=getattr(campaign, "pk", campaign))
    if after:
        qs = qs.filter(id__lt=after)
    page = keyset_page(list(qs.order_by("-id").values("id", "version", "title", "held_on", "inspectors",
                                                       "places")[: limit + 1]),
                       limit=limit, key=lambda values: values["id"])
    ids = [values["id"] for values in page.items]
    names: dict[int, list[str]] = {}
    if ids:
        through = Inspection.units.through
        for inspection_id, name in (through.objects.filter(inspection_id__in=ids)
                                    .order_by("orgunit__kind", "orgunit__path")
                                    .values_list("inspection_id", "orgunit__name")):
            names.setdefault(inspection_id, []).append(name)
    counts = {}
    if ids:
        counts = {row["inspection_id"]: row for row in (
            finding_scope(user).filter(inspection_id__in=ids).order_by().values("inspection_id")
            .annotate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_FINDING_STATUSES))))}
    rows = [InspectionRow(**values, unit_names=names.get(values["id"], []),
                          findings=counts.get(values["id"], {}).get("total", 0),
                          open=counts.get(values["id"], {}).get("open", 0)) for values in page.items]
    return KeysetPage(items=rows, next_after=page.next_after)


def inspection_get(user, pk) -> Inspection:
    """The inspection with its campaign, recorder and units if the user reads it, else 404."""
    return get_in_scope(inspection_scope(user).select_related("campaign", "created_by").prefetch_related(
        Prefetch("units", queryset=OrgUnit.objects.order_by("kind", "path"))), pk=pk)


def inspection_findings(user, inspection, *, today: dt.date | None = None) -> list:
    """The findings of an inspection the user reads (a unit: its own), with their photos: two queries.
    Each finding carries ``row`` (its FindingRow) and ``finding_photos`` / ``fix_photos``."""
    on = today or timezone.localdate()
    findings = list(finding_scope(user).filter(inspection=inspection).select_related("unit", "owner", "inspection")
                    .prefetch_related(Prefetch("photos", queryset=FindingPhoto.objects.order_by("id")))
                    .order_by("deadline", "id"))
    for finding in findings:
        _decorate(finding, on)
    return findings


def _decorate(finding: Finding, on: dt.date) -> Finding:
    finding.overdue = finding.status in NOT_FIXED and finding.deadline < on
    finding.days_overdue = (on - finding.deadline).days if finding.overdue else 0
    finding.status_label = finding.get_status_display()
    photos = list(finding.photos.all())
    finding.finding_photos = [p for p in photos if p.kind == "finding"]
    finding.fix_photos = [p for p in photos if p.kind == "fix"]
    return finding


# --- findings ------------------------------------------------------------------------------------------

def finding_list(user, *, unit=None, status: str | None = None, open_only: bool = False, inspection=None,
                 overdue: bool | None = None, after: int | None = None, limit: int = PAGE_SIZE,
                 today: dt.date | None = None) -> KeysetPage:
    """One page of the findings the user reads, filtered, in id order after ``after``: one query."""
    on = today or timezone.localdate()
    qs = finding_scope(user)
    if unit:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    if inspection:
        qs = qs.filter(inspection_id=getattr(inspection, "pk", inspection))
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_FINDING_STATUSES)
    if overdue is True:
        qs = qs.filter(overdue_condition(on))
    elif overdue is False:
        qs = qs.exclude(overdue_condition(on))
    if after:
        qs = qs.filter(id__gt=after)
    page = keyset_page(list(_rows(qs.order_by("id"))[: limit + 1]), limit=limit, key=lambda values: values["id"])
    return KeysetPage(items=[_row(values, on) for values in page.items], next_after=page.next_after)


def finding_row(user, pk, *, today: dt.date | None = None) -> FindingRow:
    """One finding the user reads as a row (one query), else 404."""
    from django.http import Http404

    found = list(_rows(finding_scope(user).filter(pk=pk)))
    if not found:
        raise Http404("不存在或无权查看。")
    return _row(found[0], today or timezone.localdate())


def finding_get(user, pk, *, today: dt.date | None = None) -> Finding:
    """The finding with its inspection, unit, owner, people, order and photos if the user reads it, else 404."""
    finding = get_in_scope(finding_scope(user).select_related(
        "inspection", "unit", "owner", "fixed_by", "verified_by", "order").prefetch_related(
        Prefetch("photos", queryset=FindingPhoto.objects.select_related("uploaded_by").order_by("id"))), pk=pk)
    return _decorate(finding, today or timezone.localdate())


def open_findings_by_unit(user) -> dict[int, int]:
    """Per unit, the findings not yet verified (待整改, 待核验, 退回) that the user reads: one query."""
    grouped = (finding_scope(user).filter(status__in=OPEN_FINDING_STATUSES).order_by().values("unit_id")
               .annotate(n=Count("id")))
    return {row["unit_id"]: row["n"] for row in grouped}


def open_findings_summary(user, *, today: dt.date | None = None) -> list[dict]:
    """Per unit the user reads findings of: open, overdue, waiting verification (one query), for the
    rectification page's counts. Units with open items first."""
    on = today or timezone.localdate()
    grouped = (finding_scope(user).filter(status__in=OPEN_FINDING_STATUSES).order_by()
               .values("unit_id", "unit__name")
               .annotate(open=Count("id"), overdue=Count("id", filter=overdue_condition(on)),
                         fixed=Count("id", filter=Q(status=FindingStatus.FIXED)))
               .order_by("-open", "unit__name"))
    return [{"unit_id": row["unit_id"], "unit_name": row["unit__name"], "open": row["open"],
             "overdue": row["overdue"], "fixed": row["fixed"]} for row in grouped]


def open_findings_rows(user, limit: int = 20, *, today: dt.date | None = None) -> list[FindingRow]:
    """The open findings the user reads for the leader's page and the bulletin: overdue first (most
    overdue first), then not fixed by deadline, then those waiting verification: one query."""
    on = today or timezone.localdate()
    qs = finding_scope(user).filter(status__in=OPEN_FINDING_STATUSES).annotate(
        rank=Case(When(overdue_condition(on), then=Value(0)), When(status__in=NOT_FIXED, then=Value(1)),
                  default=Value(2), output_field=IntegerField())).order_by("rank", "deadline", "id")
    return [_row(values, on) for values in _rows(qs)[:limit]]


def inspections_held(starts_on: dt.date, ends_on: dt.date, *, today: dt.date | None = None) -> list[dict]:
    """The inspections held in [starts_on, ends_on] with their findings per unit, for the bulletin (the system's
    view, every unit): ``[{"id", "title", "held_on", "places", "units": [{"unit_id", "unit_name", "findings",
    "open", "overdue", "verified"}]}]`` in date order. Two queries."""
    on = today or timezone.localdate()
    found = list(Inspection.objects.filter(held_on__gte=starts_on, held_on__lte=ends_on).order_by("held_on", "id")
                 .values("id", "title", "held_on", "places"))
    counts: dict[int, list[dict]] = {}
    if found:
        grouped = (Finding.objects.filter(inspection_id__in=[row["id"] for row in found]).order_by()
                   .values("inspection_id", "unit_id", "unit__name")
                   .annotate(findings=Count("id"), open=Count("id", filter=Q(status__in=OPEN_FINDING_STATUSES)),
                             overdue=Count("id", filter=overdue_condition(on)),
                             verified=Count("id", filter=Q(status=FindingStatus.VERIFIED)))
                   .order_by("inspection_id", "unit__name"))
        for row in grouped:
            counts.setdefault(row["inspection_id"], []).append({
                "unit_id": row["unit_id"], "unit_name": row["unit__name"], "findings": row["findings"],
                "open": row["open"], "overdue": row["overdue"], "verified": row["verified"]})
    return [{**row, "units": counts.get(row["id"], [])} for row in found]


def findings_fixed_rate(unit_ids, starts_on: dt.date, ends_on: dt.date) -> dict[int, dict[str, int]]:
    """For the assessment's catalogue (整改按期完成): per unit of ``unit_ids``, the findings whose deadline
    falls in [starts_on, ends_on] (``due``) and how many of them were verified with the fix submitted by
    the deadline (``fixed_on_time``). A unit without such findings is absent (missing, not zero). One query."""
    grouped = (Finding.objects.filter(unit_id__in=list(unit_ids), deadline__gte=starts_on, deadline__lte=ends_on)
               .order_by().values("unit_id", "deadline", "status", "fixed_at"))
    out: dict[int, dict[str, int]] = {}
    for row in grouped:
        entry = out.setdefault(row["unit_id"], {"due": 0, "fixed_on_time": 0})
        entry["due"] += 1
        if row["status"] == FindingStatus.VERIFIED and row["fixed_at"] is not None and \
                timezone.localtime(row["fixed_at"]).date() <= row["deadline"]:
            entry["fixed_on_time"] += 1
    return out


__all__ = ["FindingRow", "InspectionRow", "finding_get", "finding_list", "finding_row", "findings_fixed_rate",
           "inspection_findings", "inspection_get", "inspection_list", "inspections_held", "open_findings_by_unit",
           "open_findings_rows",
           "open_findings_summary", "overdue_condition"]
