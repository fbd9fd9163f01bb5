"""Reads of hard cases (攻坚户), their visits, and consultations (意愿征询).

Every list starts from ``hardcase_scope`` (``progress.policies``): district roles read every case, street staff those of
their streets, a cadre those of the households assigned to them; nobody else any. Lists cost a
fixed number of queries whatever their length (keyset pages by id, no query per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.scoping import get_in_scope
from gaizao.ledger.models import Project, Village
from gaizao.ledger.selectors import household_filter_options, project_scope, street_list
from gaizao.org.models import OrgUnit, User
from gaizao.progress.choices import DifficultyReason
from gaizao.progress.models import Consultation, HardCase, Visit
from gaizao.progress.policies import hardcase_scope
from gaizao.progress import consent
from gaizao.progress.services.hardcases import is_overdue, overdue_condition

PAGE_SIZE = 50
EXCERPT = 40


@dataclass(frozen=True)
class HardCaseRow:
    """One row of the hard-case list (what the page, the API and the command show)."""

    id: int
    version: int
    household_id: int
    household_number: str
    head_name: str
    street_id: int
    street_name: str
    village_id: int
    village_name: str
    cadre_id: int | None
    cadre_name: str
    reason: str
    reason_label: str
    strategy_excerpt: str
    opened_on: dt.date
    closed_on: dt.date | None
    last_visit_on: dt.date | None
    next_visit_on: dt.date | None
    days_since_visit: int | None  # None: never visited
    days_since_opened: int
    overdue: bool


HardCasePage = KeysetPage  # of HardCaseRow (core.pages)


_ROW_VALUES = dict(
    household_number=F("household__number"), head_name=F("household__head_name"),
    street_name=F("street__name"), village_name=F("village__name"), cadre_id=F("household__cadre_id"),
    cadre_full_name=F("household__cadre__full_name"), cadre_username=F("household__cadre__username"),
    strategy_head=Substr("strategy", 1, EXCERPT + 1),
)
_ROW_FIELDS = ("id", "version", "household_id", "street_id", "village_id", "reason", "opened_on", "closed_on",
               "last_visit_on", "next_visit_on")


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _row(values: dict, on: dt.date) -> HardCaseRow:
    reasons = dict(DifficultyReason.choices)
    last = values["last_visit_on"]
    return HardCaseRow(
        id=values["id"], version=values["version"], household_id=values["household_id"],
        household_number=values["household_number"], head_name=values["head_name"],
        street_id=values["street_id"], street_name=values["street_name"],
        village_id=values["village_id"], village_name=values["village_name"],
        cadre_id=values["cadre_id"], cadre_name=values["cadre_full_name"] or values["cadre_username"] or "",
        reason=values["reason"], reason_label=str(reasons.get(values["reason"], values["reason"])),
        strategy_excerpt=_excerpt(values["strategy_head"]),
        opened_on=values["opened_on"], closed_on=values["closed_on"], last_visit_on=last,
        next_visit_on=values["next_visit_on"],
        days_since_visit=(on - last).days if last else None,
        days_since_opened=(on - values["opened_on"]).days,
        overdue=is_overdue(opened_on=values["opened_on"], last_visit_on=last,
                           next_visit_on=values["next_visit_on"], closed_on=values["closed_on"], on=on),
    )


def _filtered(qs: QuerySet[HardCase], *, street=None, village=None, overdue=None, reason=None,
              open_only: bool = True, on: dt.date) -> QuerySet[HardCase]:
    if street:
        qs = qs.filter(street_id=getattr(street, "pk", street))
    if village:
        qs = qs.filter(village_id=getattr(village, "pk", village))
    if reason:
        qs = qs.filter(reason=reason)
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    if overdue is True:
        qs = qs.filter(overdue_condition(on))
    elif overdue is False:
        qs = qs.exclude(overdue_condition(on))
    return qs


def _page(qs: QuerySet[HardCase], *, after: int | None, limit: int, on: dt.date) -> HardCasePage:
    if after:
        qs = qs.filter(id__gt=after)
    page = keyset_page(qs.order_by("id").values(*_ROW_FIELDS, **_ROW_VALUES)[: limit + 1], limit=limit,
                       key=lambda values: values["id"])
    return KeysetPage(items=[_row(values, on) for values in page.items], next_after=page.next_after)


def hardcase_list(user: User, *, street=None, village=None, overdue: bool | None = None, reason: str | None = None,
                  open_only: bool = True, after: int | None = None, limit: int = PAGE_SIZE,
                  today: dt.date | None = None) -> HardCasePage:
    """One page of hard cases in scope, filtered, in id order from ``after``: one query."""
    on = today or timezone.localdate()
    qs = _filtered(hardcase_scope(user), street=street, village=village, overdue=overdue, reason=reason,
                   open_only=open_only, on=on)
    return _page(qs, after=after, limit=limit, on=on)


def hardcase_overdue_all(*, street: OrgUnit | None = None, today: dt.date | None = None,
                         batch: int = 1000) -> list[HardCaseRow]:
    """Every overdue open case of the district (or of one street): the system's own view, for commands."""
    on = today or timezone.localdate()
    qs = _filtered(HardCase.objects.all(), street=street, overdue=True, on=on)
    rows: list[HardCaseRow] = []
    after = None
    while True:
        page = _page(qs, after=after, limit=batch, on=on)
        rows.extend(page.items)
        if page.next_after is None:
            return rows
        after = page.next_after


@dataclass
class HardCaseCount:
    """Open and overdue hard cases of one unit (a street or a village)."""

    id: int
    name: str
    open: int = 0
    overdue: int = 0
    street_id: int | None = None


@dataclass
class HardCaseCounts:
    open: int = 0
    overdue: int = 0
    streets: list[HardCaseCount] = field(default_factory=list)
    villages: list[HardCaseCount] = field(default_factory=list)


def hardcase_counts(user: User, *, street=None, today: dt.date | None = None) -> HardCaseCounts:
    """Open and overdue hard cases per street and per village in scope (one grouped query).

    Reads only open cases (``closed_on IS NULL``), which the (street, closed_on, next_visit_on)
    and (closed_on, next_visit_on) indexes serve; streets are the sums of their villages.
    """
    on = today or timezone.localdate()
    qs = hardcase_scope(user).filter(closed_on__isnull=True)
    if street:
        qs = qs.filter(street_id=getattr(street, "pk", street))
    grouped = (
        qs.order_by().values("street_id", "street__name", "street__path", "village_id", "village__name",
                             "village__code")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_condition(on)))
        .order_by("street__path", "village__code")
    )
    out = HardCaseCounts()
    streets: dict[int, HardCaseCount] = {}
    for row in grouped:
        village = HardCaseCount(id=row["village_id"], name=row["village__name"], open=row["open"],
                                overdue=row["overdue"], street_id=row["street_id"])
        out.villages.append(village)
        total = streets.setdefault(row["street_id"], HardCaseCount(id=row["street_id"], name=row["street__name"]))
        total.open += village.open
        total.overdue += village.overdue
        out.open += village.open
        out.overdue += village.overdue
    out.streets = list(streets.values())
    return out


def hardcase_get(user: User, *, pk) -> HardCase:
    """The case with its household, street, village and cadre if the user reads it, else 404."""
    qs = hardcase_scope(user).select_related("household", "household__cadre", "street", "village").defer(
        "village__boundary", "village__notes")
    return get_in_scope(qs, pk=pk)


def hardcase_of_household(user: User, household) -> HardCase | None:
    """The household's case (open or closed) if the user reads hard cases of it; no query when they cannot."""
    scope = hardcase_scope(user)
    if not scope.query.is_empty():
        return scope.filter(household_id=household.pk).first()
    return None


def hardcase_visits(hard_case: HardCase) -> list[Visit]:
    """The case's visit log, newest first, with who recorded each and the photos taken."""
    return list(Visit.objects.filter(hard_case=hard_case).select_related("visitor").prefetch_related("photos")
                .order_by("-visited_on", "-id"))


def case_status(hard_case: HardCase, *, today: dt.date | None = None) -> dict:
    """Days since the last visit and the overdue flag of one case already read."""
    on = today or timezone.localdate()
    last = hard_case.last_visit_on
    return {
        "days_since_visit": (on - last).days if last else None,
        "days_since_opened": (on - hard_case.opened_on).days,
        "overdue": is_overdue(opened_on=hard_case.opened_on, last_visit_on=last,
                              next_visit_on=hard_case.next_visit_on, closed_on=hard_case.closed_on, on=on),
    }


def hardcase_filter_options(user: User) -> tuple[QuerySet[OrgUnit], QuerySet[Village]]:
    """The streets and villages the hard-case filters offer (those of the households the user reads)."""
    return street_list(user), household_filter_options(user).villages


# --- consultations (意愿征询) ---------------------------------------------------------------------

@dataclass(frozen=True)
class ConsultationRow:
    """A consultation with its tally from the households' answers (``progress.consent``)."""

    id: int
    project_id: int
    held_on: dt.date
    ends_on: dt.date
    eligible: int        # households in scope (应征询户数)
    agreed: int
    disagreed: int
    unanswered: int
    threshold: Decimal   # the project's consultation_threshold
    rate: Decimal | None
    passed: bool
    status: str          # passed / failed / open
    status_label: str
    note: str


def _consultation_row(c: Consultation) -> ConsultationRow:
    counted = consent.tally(c)
    status = counted.status()
    return ConsultationRow(id=c.pk, project_id=c.project_id, held_on=c.held_on, ends_on=c.ends_on,
                           eligible=counted.in_scope, agreed=counted.agreed, disagreed=counted.disagreed,
                           unanswered=counted.unanswered, threshold=counted.threshold.quantize(Decimal("0.01")),
                           rate=counted.rate, passed=status == consent.PASSED, status=status,
                           status_label=consent.STATUS_LABELS[status], note=c.note)


def consultation_project(user: User, *, pk) -> Project:
    """The project whose consultations the user reads (``project_scope``), else 404."""
    return get_in_scope(project_scope(user).defer("village__boundary", "village__notes"), pk=pk)


def consultation_list(project: Project) -> list[ConsultationRow]:
    """A project's consultations (read through ``consultation_project``), newest first, with their tallies."""
    return [_consultation_row(c) for c in Consultation.objects.filter(project=project).order_by("-held_on", "-id")]


def consultation_get(user: User, *, pk) -> Consultation:
    """A consultation of a project the user reads, else 404."""
    return get_in_scope(Consultation.objects.select_related("project").filter(
        project__in=project_scope(user)), pk=pk)


def consultation_answers(consultation: Consultation) -> list[dict]:
    """The households in scope with their answer in the consultation (None: not answered), by number."""
    answers = {a.household_id: a for a in consultation.answers.all()}
    return [{"household_id": h.pk, "number": h.number, "head_name": h.head_name,
             "answer": answers[h.pk].answer if h.pk in answers else None,
             "answer_label": answers[h.pk].get_answer_display() if h.pk in answers else "未征得意见",
             "answered_on": answers[h.pk].answered_on if h.pk in answers else None}
            for h in consent.in_scope(consultation.project_id).order_by("number").only("id", "number", "head_name")]
