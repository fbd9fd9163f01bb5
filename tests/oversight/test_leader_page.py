"""The leader's page (督查考核总览 / 领导驾驶舱): ranking, each street's light, the red items (red targets,
overdue tasks, red orders, overdue findings), orders by colour, the latest bulletin; for the leaders, the
office and the admin only; a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gaizao.core.actors import SYSTEM
from gaizao.core.registry import menu
from gaizao.oversight.selectors.bulletins import leader_overview
from gaizao.oversight.services.bulletins import bulletin_generate
from tests.conftest import login
from tests.oversight.samples_bulletins import WEEK, bulletin_world


@pytest.fixture
def world(cast):
    bulletin_world(cast)
    bulletin_generate(actor=SYSTEM, period=WEEK, today=dt.date(2026, 11, 27))
    return cast


def test_the_overview_counts_orders_by_colour_and_lists_the_red_items(world):
    view = leader_overview(today=dt.date(2026, 11, 27))
    assert view.orders["by_colour"]["red"] == 1 and view.orders["open"] == 2
    assert [o["title"] for o in view.orders["overdue"]] == ["西岭村签约滞后督办"]
    assert [t["street"] for t in view.red_targets] == ["西岭街道"]
    assert view.tasks["count"] == 1 and view.findings["overdue"] == 1
    assert view.red_count == 4
    assert view.rankings[0]["rows"][0]["unit"] == "东湖街道" and view.lists["black"] == ["西岭街道"]
    assert view.latest.period == WEEK


def test_the_page_shows_ranking_lights_red_items_orders_and_the_latest_bulletin(world, client):
    login(client, world.leader)
    response = client.get(reverse("oversight:leader"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("东湖街道", "92.50", "黑榜", "西岭村签约滞后督办", "西岭村拆除现场围挡不全", "西岭村征收补偿方案报批",
                 "城中村改造攻坚专项行动工作通报（2026年第47期）", 'data-colour="red"'):
        assert text in html, text
    assert 'data-testid="leader-red-count">' in html
    assert "生成本周通报" not in html


@pytest.mark.parametrize("role, status", [("admin", 200), ("commander", 200), ("leader", 200),
                                          ("street_user_a", 404), ("department_user", 404), ("cadre", 404),
                                          ("auditor", 404), ("outsider", 404)])
def test_the_page_is_for_the_leaders_the_office_and_the_admin(world, client, role, status):
    login(client, getattr(world, role))
    assert client.get(reverse("oversight:leader")).status_code == status


def test_the_menu_offers_the_page_to_leader_commander_and_admin():
    item = next(i for i in menu if i.name == "oversight.leader")
    assert set(item.roles) == {"admin", "commander", "leader"}
    bulletins = next(i for i in menu if i.name == "oversight.bulletins")
    assert set(bulletins.roles) == {"admin", "commander", "leader", "street", "department"}


def _more(cast, n: int) -> None:
    """``n`` more of everything the page counts: red orders, overdue tasks, overdue findings."""
    from gaizao.campaign.models import Campaign, Task
    from gaizao.oversight.models import Finding, Inspection, SupervisionOrder

    campaign = Campaign.objects.get()
    inspection = Inspection.objects.get()
    for i in range(n):
        SupervisionOrder.objects.create(campaign=campaign, title=f"督办{i}", unit=cast.street_a, requirement="办",
                                        deadline_workdays=5, deadline=dt.date(2026, 11, 1), status="handling",
                                        issued_on=dt.date(2026, 10, 20))
        Task.objects.create(campaign=campaign, title=f"任务{i}", unit=cast.department, deadline=dt.date(2026, 10, 1))
        Finding.objects.create(inspection=inspection, unit=cast.street_a, text=f"问题{i}", deadline=dt.date(2026, 10, 2))


@pytest.mark.parametrize("extra", [0, 30])
def test_the_page_costs_the_same_queries_whatever_the_data(world, client, extra, django_assert_num_queries):
    _more(world, extra)
    login(client, world.leader)
    # session, user, roles (3); the current campaign, the latest bulletin, the score sheets (3); the calendar
    # twice, the open orders' dates and the red ones' details (4); the open findings counted and the overdue
    # ones listed (2); the campaign's status: streets, targets, milestones, goals, street rollups (5); overdue
    # tasks per unit and the first ten (2); the session saved (3)
    with django_assert_num_queries(22):
        response = client.get(reverse("oversight:leader"))
    assert response.status_code == 200
