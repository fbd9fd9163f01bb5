"""What waits for this person in oversight (督办与整改待办), for the home page's to-do card.

- a street or a department: the orders issued to its unit still to sign for, handle or redo, and the
  inspection findings it must fix (待整改, 退回);
- the office (and the admin): the feedback waiting for verification and the fixes waiting for it;
- a leader: the orders waiting for review.

Red first, then yellow, blue, the rest, each by deadline. A fixed number of queries whatever the
number of orders or findings: the two calendar reads of the colour clock, one for the orders and one
for the findings (plus the user's units, once, when a role reaches by unit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import access
from gaizao.oversight.choices import FindingStatus, OrderColour, OrderStatus
from gaizao.oversight.colours import Clock, order_colour
from gaizao.oversight.policies.inspections import finding_fix_scope, finding_office_scope
from gaizao.oversight.policies.orders import order_scope

LIMIT = 8
UNIT_STEPS = (OrderStatus.ISSUED, OrderStatus.RECEIVED, OrderStatus.HANDLING, OrderStatus.RETURNED)
COLOUR_RANK = {OrderColour.RED: 0, OrderColour.YELLOW: 1, OrderColour.BLUE: 2, OrderColour.NONE: 3}


@dataclass
class TodoItem:
    kind: str  # "order" or "finding"
    title: str
    unit_name: str
    deadline: dt.date | None
    status_label: str
    colour: str  # an OrderColour; findings: red when overdue, none otherwise
    url: str


def _orders(qs, clock: Clock) -> list[TodoItem]:
    rows = qs.values("id", "title", "status", "deadline", "issued_on", "returned_count", "feedback_at",
                     unit_name=F("unit__name")).order_by("deadline", "id")[:50]
    return [TodoItem(kind="order", title=r["title"], unit_name=r["unit_name"], deadline=r["deadline"],
                     status_label=str(OrderStatus(r["status"]).label), colour=order_colour(SimpleNamespace(**r), clock),
                     url=reverse("oversight:order_detail", args=[r["id"]])) for r in rows]


def _findings(qs, today: dt.date) -> list[TodoItem]:
    rows = qs.values("id", "text", "status", "deadline", unit_name=F("unit__name")).order_by("deadline", "id")[:50]
    statuses = dict(FindingStatus.choices)
    return [TodoItem(kind="finding", title=r["text"][:60], unit_name=r["unit_name"], deadline=r["deadline"],
                     status_label=str(statuses[r["status"]]),
                     colour=OrderColour.RED if r["deadline"] < today and r["status"] != FindingStatus.FIXED
                     else OrderColour.NONE,
                     url=reverse("oversight:finding_detail", args=[r["id"]])) for r in rows]


def oversight_todo(user, *, today: dt.date | None = None) -> dict | None:
    """The card's context, or None for those oversight asks nothing of."""
    office = access.grant(user, "oversight.order_office", write=True).everywhere
    review = access.grant(user, "oversight.order_review", write=True).everywhere
    unit_grant = access.grant(user, "oversight.order", write=True)
    unit = bool(unit_grant.roles_at(access.UNIT))
    if not (office or review or unit):
        return None
    on = today or timezone.localdate()
    clock = Clock.at(on)
    order_statuses: set[str] = set()
    if unit:
        order_statuses.update(UNIT_STEPS)
    if office:
        order_statuses.add(OrderStatus.FEEDBACK)
    if review:
        order_statuses.add(OrderStatus.REVIEW)
    items = _orders(order_scope(user).filter(status__in=order_statuses), clock)
    if office:
        items += _findings(finding_office_scope(user).filter(status=FindingStatus.FIXED), on)
    elif unit:
        items += _findings(finding_fix_scope(user).filter(status__in=(FindingStatus.OPEN, FindingStatus.RETURNED)),
                           on)
    items.sort(key=lambda i: (COLOUR_RANK.get(i.colour, 3), i.deadline or dt.date.max))
    if office and unit:
        title = _("督办与整改待办")
    elif office:
        title = _("待核验的督办反馈与整改")
    elif unit:
        title = _("本单位的督办与整改")
    else:
        title = _("待审核的督办单")
    return {"title": title, "items": items[:LIMIT], "total": len(items),
            "red": sum(1 for i in items if i.colour == OrderColour.RED)}
