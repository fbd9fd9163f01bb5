"""Periodic work of oversight (定时任务), registered on the core schedule every hour.

Order reminders (督办提醒), to the staff of the unit an order was issued to:

- when the order turns blue (3 working days or fewer left, not yet fed back): key
  ``order:{pk}:blue:{deadline}``;
- when it is overdue (past its deadline, not yet fed back): key ``order:{pk}:overdue:{deadline}``.

Keyed notices are written once per recipient, ever: a rerun within the hour, or a scheduler restarted,
sends nothing new. The notices of issue, feedback, return and closing are sent by the services.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def order_reminders(*, today: dt.date | None = None) -> int:
    """Send the due reminders of every open order; returns how many notices were written."""
    from gaizao.core.notifications import notify
    from gaizao.oversight.choices import OrderColour
    from gaizao.oversight.colours import Clock
    from gaizao.oversight.models import SupervisionOrder
    from gaizao.oversight.selectors.orders import WORKING, colour_condition
    from gaizao.oversight.services.orders import order_url, unit_recipients

    clock = Clock.at(today or timezone.localdate())
    overdue = colour_condition(OrderColour.RED, clock)
    blue = colour_condition(OrderColour.BLUE, clock)
    orders = (SupervisionOrder.objects.filter(status__in=WORKING).filter(overdue | blue)
              .select_related("unit").order_by("id"))
    sent = 0
    staff: dict[int, list] = {}
    for order in orders.iterator(chunk_size=500):
        recipients = staff.get(order.unit_id)
        if recipients is None:
            recipients = staff[order.unit_id] = unit_recipients(order)
        label = order.number or order.title
        if order.deadline < clock.today:
            sent += notify(recipients=recipients, kind="oversight.order_overdue", link=order_url(order),
                           key=f"order:{order.pk}:overdue:{order.deadline:%Y%m%d}",
                           title=_("督办超期：%(n)s %(t)s") % {"n": label, "t": order.title[:100]},
                           body=_("%(u)s 承办的督办事项已超过办理期限 %(d)s（超期 %(k)d 天），请立即办理并反馈。") % {
                               "u": order.unit.name, "d": order.deadline, "k": (clock.today - order.deadline).days})
        else:
            sent += notify(recipients=recipients, kind="oversight.order_due", link=order_url(order),
                           key=f"order:{order.pk}:blue:{order.deadline:%Y%m%d}",
                           title=_("督办临期：%(n)s %(t)s") % {"n": label, "t": order.title[:100]},
                           body=_("%(u)s 承办的督办事项将于 %(d)s 到期（3 个工作日内），请抓紧办理并反馈。") % {
                               "u": order.unit.name, "d": order.deadline})
    if sent:
        logger.info("order reminders: %d notices", sent)
    return sent
