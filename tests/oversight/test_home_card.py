"""Oversight's to-do card on the home page: what waits for each person, red first, and nothing for those
oversight asks nothing of."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.oversight.choices import FindingStatus, OrderStatus
from gaizao.oversight.models import Finding, Inspection, SupervisionOrder

pytestmark = pytest.mark.django_db


def _order(cast, unit, status, *, deadline, title, feedback_at=None):
    return SupervisionOrder.objects.create(title=title, unit=unit, requirement="按期办结", deadline_workdays=5,
                                           status=status, deadline=deadline, issued_on=deadline - dt.timedelta(days=9),
                                           feedback_at=feedback_at, created_by=cast.commander)


def _finding(cast, unit, status, *, deadline, text):
    inspection = Inspection.objects.create(title="现场督查", held_on=dt.date(2026, 11, 2), inspectors="周指挥")
    inspection.units.add(unit)
    return Finding.objects.create(inspection=inspection, unit=unit, text=text, deadline=deadline, status=status)


def _card(client) -> str:
    html = client.get("/").content.decode()
    start = html.find('data-testid="todo-oversight"')
    return "" if start < 0 else html[start:html.find("</div>\n</div>", start)]


def test_the_street_sees_its_own_orders_to_handle_and_findings_to_fix_overdue_first(cast, login_as):
    today = dt.date.today()
    _order(cast, cast.street_a, OrderStatus.RECEIVED, deadline=today + dt.timedelta(days=30), title="按期推进签约")
    _order(cast, cast.street_a, OrderStatus.HANDLING, deadline=today - dt.timedelta(days=2), title="超期的腾空督办")
    _order(cast, cast.street_a, OrderStatus.CLOSED, deadline=today - dt.timedelta(days=2), title="已销号的督办")
    _order(cast, cast.street_b, OrderStatus.ISSUED, deadline=today + dt.timedelta(days=9), title="西岭街道的督办")
    _finding(cast, cast.street_a, FindingStatus.OPEN, deadline=today + dt.timedelta(days=5), text="围挡破损未修复")
    _finding(cast, cast.street_a, FindingStatus.VERIFIED, deadline=today, text="已销号的问题")

    card = _card(login_as(cast.street_user_a))
    assert "按期推进签约" in card and "超期的腾空督办" in card and "围挡破损未修复" in card
    assert "西岭街道的督办" not in card and "已销号" not in card
    assert card.index("超期的腾空督办") < card.index("按期推进签约")  # red first
    assert "其中超期 1 项" in card


def test_the_office_sees_feedback_and_fixes_waiting_for_verification(cast, login_as):
    today = dt.date.today()
    _order(cast, cast.street_b, OrderStatus.FEEDBACK, deadline=today + dt.timedelta(days=3), title="已反馈待核验",
           feedback_at=dt.datetime.now(dt.timezone.utc))
    _order(cast, cast.street_b, OrderStatus.HANDLING, deadline=today + dt.timedelta(days=3), title="街道办理中")
    _finding(cast, cast.street_a, FindingStatus.FIXED, deadline=today, text="整改已提交待核验")

    card = _card(login_as(cast.commander))
    assert "已反馈待核验" in card and "整改已提交待核验" in card and "街道办理中" not in card


def test_the_leader_sees_orders_waiting_for_review_and_others_see_no_card(cast, login_as):
    today = dt.date.today()
    order = _order(cast, cast.street_a, OrderStatus.REVIEW, deadline=today, title="待领导审核的督办")
    SupervisionOrder.objects.filter(pk=order.pk).update(deadline=None, issued_on=None)

    assert "待领导审核的督办" in _card(login_as(cast.leader))
    for user in (cast.cadre, cast.resident, cast.auditor):
        assert _card(login_as(user)) == ""
    assert "待领导审核的督办" not in _card(login_as(cast.street_user_a))  # not issued yet: the office's business
