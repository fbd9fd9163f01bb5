"""The calculation pages and API (补偿测算): every amount on a household's calculation opens to its formula and
inputs, on its page and on the household page; the resident reads only their own; the project's list costs the
same whatever its size; 测算 for a household or the whole project, by those who write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.compensation.models import Calculation, Valuation
from gaizao.compensation.services.calculations import household_calculate
from gaizao.core.actors import SYSTEM
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from tests.compensation.samples_agreements import calculation
from tests.compensation.samples_schemes import published

BASE = 7  # every signed-in request (session, user, roles and units, session save); see tests/ledger/test_query_counts


@pytest.fixture
def calculated(cast):
    """Project A under the money-heavy scheme, its signing period open, household A1's building valued and
    calculated."""
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=dt.date(2026, 3, 1))
    cast.project_a.refresh_from_db()
    published(cast.project_a)
    building = cast.household_a1.buildings.get()
    Valuation.objects.create(household=cast.household_a1, building=building, unit_price=Decimal("5200"),
                             decoration=Decimal("30000"), valued_on=dt.date(2026, 2, 1), valuer="某评估公司")
    return household_calculate(actor=SYSTEM, household=cast.household_a1, option="money",
                               signed_on=dt.date(2026, 3, 5))


def test_every_amount_opens_to_its_formula_and_inputs(cast, login_as, calculated):
    response = login_as(cast.street_user_a).get(
        reverse("compensation:household_calculation", args=[cast.household_a1.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for item in calculated.items:
        assert f'data-testid="item-{item["key"]}"' in html and item["label"] in html and item["amount"] in html
    assert html.count("<details") >= len(calculated.items)
    building_value = next(item for item in calculated.items if item["key"] == "building_value")
    assert building_value["formula"] in html
    for name, value in building_value["inputs"].items():
        assert f"{name} = {value}" in html
    # an input that is a named value opens to its own formula (house_value: per building, then summed)
    detail = html.split('data-testid="item-building_value"')[1].split("</details>")[0]
    assert "legal_area * unit_price + decoration" in detail and "逐栋计算后合计" in detail
    assert str(calculated.total) in html and calculated.digest in html


def test_the_household_page_shows_the_calculation_panel(cast, login_as, calculated):
    html = login_as(cast.street_user_a).get(reverse("ledger:household_detail", args=[cast.household_a1.pk])
                                            ).content.decode()
    assert 'data-testid="calculation-panel"' in html and 'data-testid="item-building_value"' in html
    assert 'data-testid="formula"' in html and 'data-testid="calculate"' in html


def test_the_panel_offers_no_calculation_before_a_scheme_is_published(cast, login_as):
    html = login_as(cast.street_user_a).get(reverse("ledger:household_detail", args=[cast.household_a2.pk])
                                            ).content.decode()
    assert "尚未发布补偿方案" in html and 'data-testid="calculate"' not in html


@pytest.mark.parametrize("role, own, other", [("resident", "household_a2", "household_a1"),
                                              ("cadre", "household_a1", "household_a2")])
def test_the_resident_and_the_cadre_read_only_their_households_calculation(cast, login_as, calculated, role, own,
                                                                          other):
    calculation(cast.household_a2)
    client = login_as(getattr(cast, role))
    mine = client.get(reverse("compensation:household_calculation", args=[getattr(cast, own).pk]))
    assert mine.status_code == 200 and 'data-testid="calculation-total"' in mine.content.decode()
    assert 'data-testid="calculate"' not in mine.content.decode()
    assert client.get(reverse("compensation:household_calculation", args=[getattr(cast, other).pk])
                      ).status_code == 404
    api = client.get(f"/api/compensation/households/{getattr(cast, own).pk}/calculation")
    assert api.status_code == 200 and api.json()["current"]["items"]
    assert client.get(f"/api/compensation/households/{getattr(cast, other).pk}/calculation").status_code == 404
    assert client.post(reverse("compensation:household_calculate", args=[getattr(cast, own).pk]),
                       {"option": "money"}).status_code == 404


def test_the_street_calculates_a_household_from_its_page(cast, login_as, calculated):
    Calculation.objects.all().delete()
    client = login_as(cast.street_user_a)
    response = client.post(reverse("compensation:household_calculate", args=[cast.household_a1.pk]),
                           {"option": "money"}, follow=True)
    assert "已按货币补偿测算" in response.content.decode()
    assert Calculation.objects.filter(household=cast.household_a1, current=True).count() == 1
    refused = client.post(reverse("compensation:household_calculate", args=[cast.household_a2.pk]),
                          {"option": "mixed"}, follow=True)
    assert "不提供" in refused.content.decode()  # the money-heavy scheme offers money and swap only
    assert login_as(cast.street_user_b).post(reverse("compensation:household_calculate",
                                                     args=[cast.household_a1.pk])).status_code == 404


def test_the_project_is_calculated_at_once_and_listed(cast, login_as, calculated):
    client = login_as(cast.commander)
    response = client.post(reverse("compensation:project_calculate", args=[cast.project_a.pk]), {"option": ""},
                           follow=True)
    html = response.content.decode()
    assert "户" in html and 'data-testid="calculation-list"' in html
    assert cast.household_a1.number in html and cast.household_a2.number in html
    api = client.get(f"/api/compensation/projects/{cast.project_a.pk}/calculations").json()
    assert {row["number"] for row in api["items"]} == {cast.household_a1.number, cast.household_a2.number}
    assert api["scheme_id"] is not None


def test_the_project_list_is_for_the_street_and_the_district_roles(cast, login_as, calculated):
    url = reverse("compensation:project_calculations", args=[cast.project_a.pk])
    assert login_as(cast.street_user_a).get(url).status_code == 200
    assert login_as(cast.leader).get(url).status_code == 200
    for role in ("street_user_b", "cadre", "resident"):
        assert login_as(getattr(cast, role)).get(url).status_code == 404
    assert login_as(cast.leader).post(reverse("compensation:project_calculate", args=[cast.project_a.pk])
                                      ).status_code == 404


@pytest.mark.parametrize("extra", [2, 30])
def test_the_project_list_costs_the_same_for_any_number_of_households(cast, login_as, django_assert_num_queries,
                                                                      extra):
    for i in range(extra):
        household = ledger_services.household_create(actor=cast.admin, project=cast.project_a, number=f"T-{i:03d}",
                                                     head_name="某某")
        calculation(household)
        calculation(household, option="swap")
    client = login_as(cast.street_user_a)
    # the project, a page of households, their current calculations, the scheme in force
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("compensation:project_calculations", args=[cast.project_a.pk]))
    rows = response.context["rows"]
    assert len(rows) == min(2 + extra, 50) and len(rows[-1]["calculations"]) == 2


def test_the_project_list_pages_by_household_id(cast, login_as):
    for i in range(55):
        ledger_services.household_create(actor=cast.admin, project=cast.project_a, number=f"P-{i:03d}",
                                         head_name="某某")
    client = login_as(cast.commander)
    url = reverse("compensation:project_calculations", args=[cast.project_a.pk])
    first = client.get(url)
    assert len(first.context["rows"]) == 50 and first.context["next_url"]
    second = client.get(url + first.context["next_url"])
    assert len(second.context["rows"]) == 7


def test_api_calculates_a_household_and_a_project(cast, login_as, calculated):
    client = login_as(cast.street_user_a)
    one = client.post(f"/api/compensation/households/{cast.household_a1.pk}/calculate", {"option": "swap"},
                      content_type="application/json")
    assert one.status_code == 200 and one.json()["option"] == "swap" and one.json()["scheme_number"] == 1
    assert any(item["key"] == "swap_area" for item in one.json()["items"])
    read = client.get(f"/api/compensation/households/{cast.household_a1.pk}/calculation").json()
    assert {c["option"] for c in read["options"]} == {"money", "swap"} and read["current"]["option"] == "swap"
    refused = client.post(f"/api/compensation/households/{cast.household_a1.pk}/calculate", {"option": "mixed"},
                          content_type="application/json")
    assert refused.status_code == 400 and "不提供" in refused.json()["message"]
    project = client.post(f"/api/compensation/projects/{cast.project_a.pk}/calculate", {},
                          content_type="application/json")
    assert project.status_code == 200 and project.json()["calculated"] + project.json()["unchanged"] == 2
    assert client.post(f"/api/compensation/projects/{cast.project_b.pk}/calculate", {},
                       content_type="application/json").status_code == 404


def test_api_check_runs_pasted_cases(cast, login_as):
    from gaizao.compensation.samples import scheme_text

    cases = [{"name": "乙", "option": "money", "persons": 2, "signed_on": "2026-03-02", "signing_rate": 92,
              "buildings": [{"legal_area": 80, "unit_price": 5000, "decoration": 0}]}]
    answer = login_as(cast.street_user_a).post(
        f"/api/compensation/projects/{cast.project_a.pk}/schemes/check",
        {"text": scheme_text("money"), "cases": cases}, content_type="application/json").json()
    assert answer["ok"] is True and answer["samples"][0]["label"] == "乙" and answer["samples"][0]["total"]


def test_an_amount_computed_per_building_opens_to_its_rows(cast, login_as):
    calculation(cast.household_a1)  # building_value with one row per building
    html = login_as(cast.commander).get(reverse("compensation:household_calculation", args=[cast.household_a1.pk])
                                        ).content.decode()
    rows = html.split('data-testid="item-building_value"')[1].split("</details>")[0]
    assert 'data-testid="building-rows"' in rows and "656600.00" in rows and "unit_price = 5200" in rows


@pytest.mark.parametrize("options", [1, 3])
def test_the_household_calculation_page_costs_the_same_for_any_number_of_options(cast, login_as,
                                                                                  django_assert_num_queries, options):
    for option in ["money", "swap", "mixed"][:options]:
        calculation(cast.household_a1, option=option)
    client = login_as(cast.street_user_a)
    # the household with its project, its current calculations with their schemes and authors, the count of all,
    # the scheme in force
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("compensation:household_calculation", args=[cast.household_a1.pk]))
    assert len(response.context["calculations"]) == options
