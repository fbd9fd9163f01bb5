"""Reads of supervision orders (督办单): lists with their colours, counts by colour, one order with its
evidence and history, and the candidates for an order (待督办: red target lights and overdue tasks
without an open order).

Every read for a user starts from ``order_scope`` (``oversight.policies.orders``). The colour is the
one rule of ``oversight.colours``; filtering by colour and counting by colour use the same rule in SQL
(``colour_condition``), read from one ``Clock`` per list. Lists cost a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.models import AuditEntry
from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.scoping import get_in_scope
from gaizao.oversight.choices import OrderColour, OrderLevel, OrderStatus, SubjectKind
from gaizao.oversight.colours import Clock, order_colour
from gaizao.oversight.models import OrderEvidence, SupervisionOrder
from gaizao.oversight.policies.orders import order_scope

PAGE_SIZE = 50
OPEN = "open"  # a status filter: issued and not yet closed or cancelled
ISSUED_OPEN = (OrderStatus.ISSUED, OrderStatus.RECEIVED, OrderStatus.HANDLING, OrderStatus.FEEDBACK,
               OrderStatus.RETURNED)
WORKING = (OrderStatus.ISSUED, OrderStatus.RECEIVED, OrderStatus.HANDLING, OrderStatus.RETURNED)
COLOUR_ORDER = (OrderColour.RED, OrderColour.YELLOW, OrderColour.BLUE, OrderColour.NONE, OrderColour.DONE)


def today() -> dt.date:
    return timezone.localdate()


# --- the colour rule in SQL ---------------------------------------------------------------------

def _red(clock: Clock) -> Q:
    return (Q(status__in=WORKING, deadline__lt=clock.today)
            | Q(status=OrderStatus.FEEDBACK, feedback_at__date__gt=F("deadline")))


def _yellow(clock: Clock) -> Q:
    late_signing = Q(status=OrderStatus.ISSUED, issued_on__lte=clock.sign_by_issued)
    working = Q(status__in=WORKING, deadline__isnull=False) & (
        Q(returned_count__gt=0) | Q(status=OrderStatus.RETURNED) | late_signing)
    fed_back = Q(status=OrderStatus.FEEDBACK, deadline__isnull=False, returned_count__gt=0)
    return (working | fed_back) & ~_red(clock)


def _blue(clock: Clock) -> Q:
    return Q(status__in=WORKING, deadline__lte=clock.near) & ~_red(clock) & ~_yellow(clock)


def colour_condition(colour: str, clock: Clock) -> Q:
    """The orders of ``colour`` at ``clock``: ``order_colour`` written as a filter."""
    done = Q(status__in=(OrderStatus.CLOSED, OrderStatus.CANCELLED))
    if colour == OrderColour.DONE:
        return done
    if colour == OrderColour.RED:
        return _red(clock)
    if colour == OrderColour.YELLOW:
        return _yellow(clock)
    if colour == OrderColour.BLUE:
        return _blue(clock)
    if colour == OrderColour.NONE:
        return ~done & ~_red(clock) & ~_yellow(clock) & ~_blue(clock)
    raise ValueError(colour)


def _colour_rank(clock: Clock) -> Case:
    return Case(When(_red(clock), then=Value(0)), When(_yellow(clock), then=Value(1)),
                When(_blue(clock), then=Value(2)), default=Value(3), output_field=IntegerField())


# --- rows -----------------------------------------------------------------------------------------

@dataclass
class OrderRow:
    """One order as lists, the leader's page, the bulletin and the API show it."""

    id: int
    version: int
    number: str
    title: str
    level: str
    level_label: str
    unit_id: int
    unit_name: str
    subject_kind: str
    subject_label: str
    status: str
    status_label: str
    colour: str
    colour_label: str
    deadline: dt.date | None
    deadline_workdays: int
    issued_on: dt.date | None
    closed_on: dt.date | None
    returned_count: int
    days_overdue: int  # calendar days past the deadline while open (0 otherwise)


_FIELDS = ("id", "version", "number", "title", "level", "unit_id", "subject_kind", "subject_label", "status",
           "deadline", "deadline_workdays", "issued_on", "closed_on", "returned_count", "feedback_at")


class _Values:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _row(values: dict, clock: Clock) -> OrderRow:
    colour = order_colour(_Values(values), clock)
    is_open = values["status"] in WORKING
    late = is_open and values["deadline"] is not None and values["deadline"] < clock.today
    return OrderRow(
        id=values["id"], version=values["version"], number=values["number"], title=values["title"],
        level=values["level"], level_label=str(OrderLevel(values["level"]).label),
        unit_id=values["unit_id"], unit_name=values["unit_name"], subject_kind=values["subject_kind"],
        subject_label=values["subject_label"], status=values["status"],
        status_label=str(OrderStatus(values["status"]).label), colour=colour,
        colour_label=str(OrderColour(colour).label), deadline=values["deadline"],
        deadline_workdays=values["deadline_workdays"], issued_on=values["issued_on"], closed_on=values["closed_on"],
        returned_count=values["returned_count"],
        days_overdue=(clock.today - values["deadline"]).days if late else 0)


def _values(qs: QuerySet) -> QuerySet:
    return qs.values(*_FIELDS, unit_name=F("unit__name"))


def _filtered(qs: QuerySet, *, status=None, colour=None, unit=None, level=None, campaign=None, clock: Clock):
    if status == OPEN:
        qs = qs.filter(status__in=ISSUED_OPEN)
    elif status:
        qs = qs.filter(status=status)
    if colour:
        qs = qs.filter(colour_condition(colour, clock))
    if unit:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    if level:
        qs = qs.filter(level=level)
    if campaign:
        qs = qs.filter(campaign_id=getattr(campaign, "pk", campaign))
    return qs


def order_list(user, *, status: str | None = None, colour: str | None = None, unit=None, level: str | None = None,
               campaign=None, after: int | None = None, limit: int = PAGE_SIZE, today: dt.date | None = None
               ) -> KeysetPage:
    """One page of orders in scope, newest first, filtered (KeysetPage of OrderRow): the calendar's two
    reads for the colours and one query, whatever the number of orders."""
    clock = Clock.at(today or timezone.localdate())
    qs = _filtered(order_scope(user), status=status, colour=colour, unit=unit, level=level, campaign=campaign,
                   clock=clock)
    if after:
        qs = qs.filter(id__lt=after)
    page = keyset_page(_values(qs.order_by("-id"))[: limit + 1], limit=limit, key=lambda values: values["id"])
    return KeysetPage(items=[_row(values, clock) for values in page.items], next_after=page.next_after)


def orders_by_colour(user, *, today: dt.date | None = None, campaign=None) -> dict[str, int]:
    """Counts of the orders in scope by colour (red, yellow, blue, none for the open ones issued; done
    for closed or cancelled), and ``open`` (issued, not closed): one query (plus the clock's)."""
    clock = Clock.at(today or timezone.localdate())
    qs = order_scope(user).filter(issued_on__isnull=False)
    if campaign:
        qs = qs.filter(campaign_id=getattr(campaign, "pk", campaign))
    counts = qs.aggregate(**{str(c): Count("id", filter=colour_condition(c, clock)) for c in COLOUR_ORDER},
                          open=Count("id", filter=Q(status__in=ISSUED_OPEN)))
    return {name: counts[name] or 0 for name in [*map(str, COLOUR_ORDER), "open"]}


def orders_open_rows(user, limit: int = 10, *, today: dt.date | None = None, campaign=None) -> list[OrderRow]:
    """The open issued orders in scope, red first, then yellow, blue and the rest, each by deadline:
    the leader's page and the bulletin (one query, plus the clock's)."""
    clock = Clock.at(today or timezone.localdate())
    qs = order_scope(user).filter(status__in=ISSUED_OPEN)
    if campaign:
        qs = qs.filter(campaign_id=getattr(campaign, "pk", campaign))
    qs = qs.annotate(colour_rank=_colour_rank(clock)).order_by("colour_rank", "deadline", "id")
    return [_row(values, clock) for values in _values(qs)[:limit]]


def order_get(user, pk) -> SupervisionOrder:
    """The order with its unit, campaign and people if the user reads it, else 404."""
    return get_in_scope(order_scope(user).select_related(
        "unit", "campaign", "created_by", "reviewed_by", "issued_by", "received_by", "feedback_by", "verified_by"),
        pk=pk)


def order_colour_now(order, *, today: dt.date | None = None) -> str:
    return order_colour(order, Clock.at(today or timezone.localdate()))


def order_evidence(order) -> list[OrderEvidence]:
    return list(OrderEvidence.objects.filter(order=order).select_related("uploaded_by").order_by("id"))


def order_evidence_scope(user) -> QuerySet[OrderEvidence]:
    return OrderEvidence.objects.filter(order__in=order_scope(user))


@dataclass
class HistoryLine:
    at: dt.datetime
    actor: str
    action: str
    note: str


HISTORY_NOTES = ("review_note", "return_reason", "reason", "number", "files")


def order_history(order, *, limit: int = 50) -> list[HistoryLine]:
    """The order's steps from the audit trail, oldest first (one query)."""
    from gaizao.core import audit

    entries = (AuditEntry.objects.filter(object_type="oversight.supervisionorder", object_id=str(order.pk))
               .select_related("actor").order_by("id")[:limit])
    out = []
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        note = "；".join(str(changes[k]) for k in HISTORY_NOTES if changes.get(k))
        actor = (entry.actor.full_name or entry.actor.username) if entry.actor else audit.actor_label(
            None, entry.actor_name)
        out.append(HistoryLine(at=entry.created_at, actor=actor,
                               action=audit.action_label(entry.action), note=note))
    return out


# --- candidates (待督办) ---------------------------------------------------------------------------

@dataclass
class Candidate:
    kind: str  # "target" or "task"
    unit_id: int
    unit_name: str
    title: str
    detail: str
    subject_id: int
    metric: str = ""
    campaign_id: int | None = None


def _open_subjects(kind: str) -> set[int]:
    from gaizao.oversight.services.orders import OPEN_STATUSES

    return set(SupervisionOrder.objects.filter(subject_kind=kind, status__in=OPEN_STATUSES)
               .values_list("subject_id", flat=True))


def order_candidates(campaign, *, today: dt.date | None = None) -> list[Candidate]:
    """Every red street target light of ``campaign`` and every overdue task without an open order:
    what the office may raise an order about in one click (a fixed number of queries)."""
    from gaizao.campaign.choices import Light
    from gaizao.campaign.selectors.status import campaign_status, fmt
    from gaizao.campaign.selectors.tasks import tasks_overdue

    on = today or timezone.localdate()
    out: list[Candidate] = []
    if campaign is None:
        return out
    taken = _open_subjects(SubjectKind.TARGET)
    for street in campaign_status(campaign, today=on):
        for target in street.targets:
            if target.light != Light.RED or target.scope or target.target_id in taken:
                continue
            out.append(Candidate(
                kind="target", unit_id=street.street_id, unit_name=street.name, metric=target.key,
                subject_id=target.target_id, campaign_id=campaign.pk,
                title=_("%(s)s%(m)s红灯") % {"s": street.name, "m": target.label},
                detail=_("完成 %(d)s%(u)s / 目标 %(t)s%(u)s，完成率 %(r)s%%，序时进度 %(e)s%%，落后 %(b)s 个百分点") % {
                    "d": fmt(target.done), "u": target.unit, "t": fmt(target.target), "r": fmt(target.rate),
                    "e": fmt(target.expected_rate), "b": fmt(target.behind)}))
    taken = _open_subjects(SubjectKind.TASK)
    for task in tasks_overdue(campaign=campaign, today=on):
        if task.id in taken:
            continue
        out.append(Candidate(kind="task", unit_id=task.unit_id, unit_name=task.unit_name, subject_id=task.id,
                             campaign_id=campaign.pk, title=task.title,
                             detail=_("完成时限 %(d)s，逾期 %(n)d 天，进度 %(p)d%%") % {
                                 "d": task.deadline.isoformat(), "n": task.days_overdue, "p": task.progress}))
    return out


__all__ = [
    "Candidate", "HistoryLine", "OPEN", "OrderRow", "colour_condition", "order_candidates", "order_colour_now",
    "order_evidence", "order_evidence_scope", "order_get", "order_history", "order_list", "orders_by_colour",
    "orders_open_rows",
]
