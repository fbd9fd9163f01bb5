"""Reads of the holdouts' legal paths (补偿决定的法定程序): one case with its windows and what may
come next, the list per step, and the dashboard's count of households per step.

Everything starts from ``legalcase_scope`` (``progress.policies``): district roles read all, street
staff their streets', a cadre the households assigned to them. Lists cost one query whatever their
length (keyset pages by id); the count is one grouped query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.scoping import get_in_scope
from gaizao.progress import legal
from gaizao.progress.legal import Outcome, StepKind
from gaizao.progress.models import LegalCase
from gaizao.progress.policies import legalcase_can_write, legalcase_scope

PAGE_SIZE = 50


def legalcase_get(user, *, pk) -> LegalCase:
    """The case with its household, street and village if the user reads it, else 404."""
    return get_in_scope(legalcase_scope(user).select_related("household", "street", "village"), pk=pk)


def legalcase_of_household(user, household) -> LegalCase | None:
    """The household's open case, else its latest ended one, if the user reads it (one query)."""
    return (legalcase_scope(user).filter(household_id=household.pk).select_related("household")
            .order_by(F("ended_on").desc(nulls_first=True), "-id").first())


@dataclass
class StepRow:
    kind: str
    label: str
    on_date: dt.date
    way: str
    result: str
    document_number: str
    note: str
    document_id: int | None
    document_name: str
    who: str


@dataclass
class CaseView:
    """A case as the panel and the API show it: its steps, its windows, what may be recorded today."""

    case: LegalCase
    decision_name: str
    steps: list[StepRow]
    windows: legal.Windows
    reconsideration_days_left: int | None
    litigation_days_left: int | None
    allowed: list[tuple[str, str]]  # (kind, label), recordable today
    bar: str | None  # why enforcement is not yet open (a window or a filing), when it is not
    can_write: bool
    outcome_label: str = ""
    today: dt.date = field(default_factory=timezone.localdate)


def case_view(user, case: LegalCase, *, today: dt.date | None = None) -> CaseView:
    """One query: the steps with their actors."""
    on = today or timezone.localdate()
    steps = list(case.steps.select_related("actor").order_by("id"))
    path = legal.Path.of(case, steps)
    w = legal.windows(path)
    labels = {**dict(legal.ServiceWay.choices), **dict(legal.ReviewResult.choices), **dict(legal.RulingResult.choices)}
    rows = [StepRow(kind=s.kind, label=legal.step_label(s.kind, case.land_type), on_date=s.on_date,
                    way=str(labels.get(s.way, "")), result=str(labels.get(s.result, "")),
                    document_number=s.document_number, note=s.note, document_id=s.pk if s.file else None,
                    document_name=s.file_name,
                    who=(s.actor.full_name or s.actor.username) if s.actor_id else "系统")
            for s in steps]
    ended = case.ended_on is not None
    writer = not ended and legalcase_can_write(user, case)
    return CaseView(
        case=case, decision_name=legal.decision_name(case.land_type), steps=rows, windows=w,
        reconsideration_days_left=w.days_left(w.reconsideration_until, on),
        litigation_days_left=w.days_left(w.litigation_until, on),
        allowed=[(k, legal.step_label(k, case.land_type)) for k in legal.allowed_next(path, on)] if not ended else [],
        bar=None if ended else legal.windows_bar(path, on), can_write=writer,
        outcome_label=str(Outcome(case.outcome).label) if case.outcome else "", today=on,
    )


@dataclass(frozen=True)
class LegalRow:
    id: int
    household_id: int
    household_number: str
    head_name: str
    street_name: str
    village_name: str
    land_type: str
    step: str
    step_label: str
    step_on: dt.date
    opened_on: dt.date
    ended_on: dt.date | None
    outcome_label: str


def legalcase_list(user, *, step: str | None = None, street=None, village=None, open_only: bool = True,
                   after: int | None = None, limit: int = PAGE_SIZE) -> KeysetPage:
    """One page of cases in scope, in id order from ``after``: one query."""
    qs = legalcase_scope(user)
    if step:
        qs = qs.filter(step=step)
    if street:
        qs = qs.filter(street_id=getattr(street, "pk", street))
    if village:
        qs = qs.filter(village_id=getattr(village, "pk", village))
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    if after:
        qs = qs.filter(id__gt=after)
    rows = qs.order_by("id").values(
        "id", "household_id", "land_type", "step", "step_on", "opened_on", "ended_on", "outcome",
        household_number=F("household__number"), head_name=F("household__head_name"),
        street_name=F("street__name"), village_name=F("village__name"))[: limit + 1]
    page = keyset_page(rows, limit=limit, key=lambda r: r["id"])
    return KeysetPage(items=[LegalRow(
        id=r["id"], household_id=r["household_id"], household_number=r["household_number"],
        head_name=r["head_name"], street_name=r["street_name"], village_name=r["village_name"],
        land_type=r["land_type"], step=r["step"], step_label=legal.step_label(r["step"], r["land_type"]),
        step_on=r["step_on"], opened_on=r["opened_on"], ended_on=r["ended_on"],
        outcome_label=str(Outcome(r["outcome"]).label) if r["outcome"] else "",
    ) for r in page.items], next_after=page.next_after)


@dataclass
class StepCount:
    step: str
    label: str
    households: int


@dataclass
class LegalCounts:
    """Households on the legal path per step (open cases) and per outcome (ended ones)."""

    open: int = 0
    steps: list[StepCount] = field(default_factory=list)
    ended: list[StepCount] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.steps or self.ended)


def legal_counts(user, *, street=None) -> LegalCounts:
    """How many households stand at each step of the legal path, in scope: one grouped query."""
    qs = legalcase_scope(user)
    if street:
        qs = qs.filter(street_id=getattr(street, "pk", street))
    grouped = qs.order_by().values("step", "outcome").annotate(
        households=Count("household_id", distinct=True), open=Count("id", filter=Q(ended_on__isnull=True)))
    by_step: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    for row in grouped:
        if row["outcome"]:
            by_outcome[row["outcome"]] = by_outcome.get(row["outcome"], 0) + row["households"]
        else:
            by_step[row["step"]] = by_step.get(row["step"], 0) + row["open"]
    out = LegalCounts(open=sum(by_step.values()))
    out.steps = [StepCount(k.value, str(k.label), by_step[k.value]) for k in StepKind if by_step.get(k.value)]
    out.ended = [StepCount(o.value, str(o.label), by_outcome[o.value]) for o in Outcome if by_outcome.get(o.value)]
    return out
