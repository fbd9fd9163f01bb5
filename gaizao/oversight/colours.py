"""The colour of a supervision order (督办颜色), one rule for the lists, the leader's page and the bulletin.

- red (红色): still open and past its deadline;
- yellow (黄色): returned at least once and not yet closed (poor quality), or behind: issued and not
  signed for (签收) by the end of the working day after it was issued;
- blue (蓝色): open, not yet fed back, and its deadline is within 3 working days;
- none: open and on time; done: closed (销号) or cancelled.

Feedback waiting for the office's verification is the office's turn: it is not blue and not red for the
unit (the deadline is judged on the day the feedback came in). ``Clock`` reads the calendar once, so a list
of any length costs the same queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gaizao.core import calendar
from gaizao.oversight.choices import OrderColour, OrderStatus

NEAR_WORKDAYS = 3
CLOSED = (OrderStatus.CLOSED, OrderStatus.CANCELLED)
NOT_YET_ISSUED = (OrderStatus.DRAFT, OrderStatus.REVIEW)


@dataclass(frozen=True)
class Clock:
    """Today and the two dates the rule compares with, read from the working-day calendar once."""

    today: dt.date
    near: dt.date          # the deadline is "near" when on or before this day
    sign_by_issued: dt.date  # an order issued on or before this day should have been signed for by now

    @classmethod
    def at(cls, today: dt.date) -> "Clock":
        return cls(today=today, near=calendar.add_workdays(today, NEAR_WORKDAYS),
                   sign_by_issued=calendar.add_workdays(today, -1) - dt.timedelta(days=1))


def order_colour(order, clock: Clock) -> str:
    """The colour of ``order`` (anything with status, deadline, issued_on, returned_count, feedback_at)."""
    status = order.status
    if status in CLOSED:
        return OrderColour.DONE
    if status in NOT_YET_ISSUED or order.deadline is None:
        return OrderColour.NONE
    if status == OrderStatus.FEEDBACK:
        fed_on = timezone.localdate(order.feedback_at) if order.feedback_at else clock.today
        if fed_on > order.deadline:
            return OrderColour.RED
        return OrderColour.YELLOW if order.returned_count else OrderColour.NONE
    if clock.today > order.deadline:
        return OrderColour.RED
    if order.returned_count or status == OrderStatus.RETURNED:
        return OrderColour.YELLOW
    if status == OrderStatus.ISSUED and order.issued_on and order.issued_on <= clock.sign_by_issued:
        return OrderColour.YELLOW
    if order.deadline <= clock.near:
        return OrderColour.BLUE
    return OrderColour.NONE
