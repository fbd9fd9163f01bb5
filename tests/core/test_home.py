"""The home page (工作台): per-role figures from scoped querysets, areas in 万平方米."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gaizao.ledger.selectors.home import home_summary, to_wan
from gaizao.ledger import services as ledger_services
from tests.ledger.conftest import citizen_id, make_households

ROLES = ("admin", "commander", "leader", "street_user_a", "street_user_b", "department_user",
         "cadre", "resident", "outsider", "auditor", "security")


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_to_wan_rounds_to_two_places():
    assert to_wan(Decimal("123456.78")) == Decimal("12.35")
    assert to_wan(Decimal("49.99")) == Decimal("0.00")
    assert to_wan(Decimal("50")) == Decimal("0.01")
    assert to_wan(None) == Decimal("0.00")


@pytest.fixture
def ledger(cast):
    """A little more data: a member and buildings in both streets."""
    admin = cast.admin
    ledger_services.person_add(actor=admin, household=cast.household_a1, name="李小四", relation="child",
                               id_number=citizen_id(1))
    ledger_services.person_add(actor=admin, household=cast.household_b1, name="王小五", relation="child",
                               id_number=citizen_id(2))
    ledger_services.building_add(actor=admin, household=cast.household_b1, number="1", legality="legal",
                                 legal_area=Decimal("24879.50"), unlicensed_area=Decimal("5000.00"))
    ledger_services.building_add(actor=admin, household=cast.household_a2, number="1",
                                 legal_area=Decimal("100.00"), unlicensed_area=Decimal("0"))
    return cast


# role: villages, projects, households, persons, buildings, legal 万㎡, unlicensed 万㎡
EXPECTED = {
    "admin": (2, 2, 3, 2, 3, "2.51", "0.50"),
    "commander": (2, 2, 3, 2, 3, "2.51", "0.50"),
    "leader": (2, 2, 3, 2, 3, "2.51", "0.50"),
    "street_user_a": (1, 1, 2, 1, 2, "0.02", "0.00"),
    "street_user_b": (1, 1, 1, 1, 1, "2.49", "0.50"),
    "cadre": (0, 0, 1, 1, 1, "0.01", "0.00"),
    "resident": (0, 0, 1, 0, 1, "0.01", "0.00"),
}


@pytest.mark.parametrize("role", ROLES)
def test_figures_per_role(ledger, role):
    summary = home_summary(getattr(ledger, role))
    if role not in EXPECTED:
        assert summary["has_ledger"] is False
        assert summary["households"] == 0
        return
    villages, projects, households, persons, buildings, legal, unlicensed = EXPECTED[role]
    assert summary["has_ledger"] is True
    assert (summary["villages"], summary["projects"], summary["households"], summary["persons"],
            summary["buildings"]) == (villages, projects, households, persons, buildings)
    assert summary["legal_area"] == Decimal(legal)
    assert summary["unlicensed_area"] == Decimal(unlicensed)
    assert isinstance(summary["legal_area"], Decimal)


def test_households_by_street_for_district_roles_only(ledger):
    rows = home_summary(ledger.leader)["households_by_street"]
    assert [(row["name"], row["count"], row["percent"]) for row in rows] == [("东湖街道", 2, 67), ("西岭街道", 1, 33)]
    assert home_summary(ledger.street_user_a)["households_by_street"] == []
    assert home_summary(ledger.cadre)["households_by_street"] == []


def test_page_shows_the_figures(ledger, login_as):
    # Those who see the dashboard get its rollup figures: 3 households, 30,130 ㎡ = 3.01 万㎡.
    html = login_as(ledger.commander).get("/").content.decode()
    for text in ('data-testid="kpi-villages"', 'data-testid="kpi-households">3<', "房屋面积", "万平方米", "3.01",
                 "各街道进度", "东湖街道", "西岭街道", "进入作战图", "/progress/?street=440199001"):
        assert text in html, text
    html = login_as(ledger.street_user_a).get("/").content.decode()
    assert 'data-testid="kpi-villages"' in html and 'data-testid="kpi-households">2<' in html
    assert "各街道进度" not in html and "西岭街道" not in html
    html = login_as(ledger.cadre).get("/").content.decode()
    assert "kpi-households" in html and "kpi-villages" not in html and "进入作战图" not in html
    html = login_as(ledger.auditor).get("/").content.decode()
    # the auditor's home is its review of today's sensitive actions (portal.home_cards), no ledger figures
    assert "kpi-households" not in html and 'data-testid="todo-audit"' in html


def test_dashboard_roles_get_rollup_figures_without_counting_households(ledger, login_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gaizao.ledger.models import Project
    from gaizao.progress.services.events import households_record_stage

    Project.objects.update(signing_start=timezone.localdate(), signing_end=timezone.localdate())
    for kind in ("surveyed", "decided", "valued", "signed"):
        households_record_stage(actor=ledger.admin, household_ids=[ledger.household_b1.pk], kind=kind,
                                on_date=timezone.localdate())
    for user in (ledger.leader, ledger.street_user_b):
        client = login_as(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/")
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        for table in ("ledger_household", "ledger_person", "ledger_building"):
            assert f'"{table}"' not in sql, (user, table)
        cards = {card["name"]: card["context"] for card in response.context["figures"]}
        assert list(cards) == ["progress.figures"]  # the ledger's counts are not asked for
        assert cards["progress.figures"]["progress"]["summary"].count("signed") == 1
        assert 'data-testid="kpi-signed">1<' in response.content.decode()
    cadre_cards = [card["name"] for card in login_as(ledger.cadre).get("/").context["figures"]]
    assert cadre_cards == ["ledger.figures"]


@pytest.mark.parametrize("extra", [0, 40])
def test_query_count_is_fixed(cast, login_as, django_assert_num_queries, extra):
    make_households(cast.admin, cast.project_b, extra)
    client = login_as(cast.street_user_a)
    # session, user, roles, units, session save (3) = 7; the to-do cards first (progress.selectors.home,
    # ledger.selectors.home): the district and the street, overdue hard cases, the projects, their
    # figures and judgements, holdouts due at court, imports waiting (7); then the figures from the
    # rollups: the district and the street, the street's figures, its villages and their figures,
    # the projects count (7); the campaign's cards: the street's open tasks, the current campaign for the
    # targets card and for the reports card (3); oversight's to-do card: the colour clock's two calendar reads,
    # the unit's orders, its findings to fix (4); compensation's to-do card: the objections to answer and the
    # agreements to sign in the street's projects (2)
    with django_assert_num_queries(30):
        client.get("/")
    client = login_as(cast.leader)
    # a district role: no units (6 with the session); the red items: overdue hard cases per street,
    # the projects, their figures and judgements, holdouts due at court (5); the figures: the
    # district, its figures, the villages (2), the projects count, the streets and their figures (2) = 8;
    # the campaign's targets card asks for the current campaign (1); oversight's to-do card: the colour
    # clock's two calendar reads and the orders waiting for review (3)
    with django_assert_num_queries(23):
        client.get("/")
    client = login_as(cast.cadre)
    # session, user, roles, session save (3) = 6; the cadre's visits and its households by stage (2);
    # the ledger's figures of its own households: buildings aggregate, households, persons (3)
    with django_assert_num_queries(11):
        client.get("/")
    client = login_as(cast.auditor)
    # the session (6) and today's sensitive actions, grouped (1)
    with django_assert_num_queries(7):
        client.get("/")
