"""The demo's supervision orders: every state and every colour, made through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gaizao.campaign.services import campaign as campaign_services
from gaizao.demo.oversight_orders import demo_orders
from gaizao.oversight.choices import OrderColour, OrderStatus
from gaizao.oversight.selectors.orders import order_list, orders_by_colour
from tests.campaign.helpers import make_campaign

pytestmark = pytest.mark.usefixtures("media")


def test_the_demo_orders_come_in_every_state_and_every_colour(cast):
    from gaizao.ledger import services as ledger_services

    today = timezone.localdate()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=120),
                             ends_on=today + dt.timedelta(days=120))
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="20")
    campaign_services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today, rate="50")
    for street, n in ((cast.street_a, 8), (cast.street_b, 8)):  # enough villages for a dozen orders
        for i in range(n):
            ledger_services.village_create(actor=cast.admin, street=street, code=f"D{street.pk}{i:02d}",
                                           name=f"{street.name[:2]}{i}村", mode="demolish_rebuild", year=2026)
    made = demo_orders(campaign=campaign, today=today, rng=random.Random(7))
    assert made >= 13
    rows = order_list(cast.commander, limit=100).items
    statuses = {row.status for row in rows}
    assert statuses >= {s.value for s in OrderStatus}
    colours = {row.colour for row in rows}
    assert colours == {c.value for c in OrderColour}
    assert any(row.subject_kind == "target" for row in rows)
    counts = orders_by_colour(cast.leader)
    assert counts["red"] >= 2 and counts["yellow"] >= 2 and counts["blue"] >= 1
    # the unit sees its own issued orders only
    assert all(row.unit_id == cast.street_a.pk and row.status not in ("draft", "review")
               for row in order_list(cast.street_user_a, limit=100).items)
