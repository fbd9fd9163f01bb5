"""Pinned query counts: the ledger pages cost the same whatever the number of rows.

Every signed-in request pays 7 queries before the page does anything: the session, the user, the
user's roles and units (2), and the session save (savepoint, update, release). Privileged roles
pay one more for their second-factor device.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from gaizao.ledger import services as ledger_services
from gaizao.ledger.choices import RenovationMode
from tests.ledger.conftest import citizen_id

BASE = 7


def _villages(cast, count: int) -> None:
    for i in range(count):
        village = ledger_services.village_create(
            actor=cast.admin, street=cast.street_a, code=f"VX{i:03d}", name=f"测试村{i}",
            mode=RenovationMode.MIXED, year=2027,
        )
        project = ledger_services.project_create(actor=cast.admin, village=village, code=f"PX{i:03d}", name="一期")
        ledger_services.household_create(actor=cast.admin, project=project, number="1", head_name="某某")


@pytest.mark.parametrize("extra", [0, 12])
def test_village_list(cast, login_as, django_assert_num_queries, extra):
    _villages(cast, extra)
    client = login_as(cast.street_user_a)
    # the street options, the villages with their household counts
    with django_assert_num_queries(BASE + 2):
        response = client.get("/ledger/villages/")
    assert len(response.context["villages"]) == 1 + extra


@pytest.mark.parametrize("extra", [0, 8])
def test_village_detail(cast, login_as, django_assert_num_queries, extra):
    for i in range(extra):
        project = ledger_services.project_create(actor=cast.admin, village=cast.village_a, code=f"PQ{i}",
                                                 name=f"项目{i}")
        ledger_services.project_update(actor=cast.admin, project=project, version=1, name=f"项目{i}改")
        ledger_services.heritage_create(actor=cast.admin, village=cast.village_a, kind="old_tree", name=f"古树{i}",
                                        building=cast.household_a1.buildings.get() if i % 2 else None)
    client = login_as(cast.street_user_a)
    # the village, its projects with counts, the households per stage, its heritage elements,
    # the history (entries of the village, its projects and heritage, with their actors)
    # + the progress card: the village's rollups, its projects' rollups and signing judgements (the
    # forecast's pace reads only projects in or before their signing period: none here, so no query)
    # + the completion card: the village's rollups by its mode (progress.completion)
    # + compensation's village panel: its projects' schemes in force (one query)
    with django_assert_num_queries(BASE + 10):
        response = client.get(f"/ledger/villages/{cast.village_a.pk}/")
    assert len(response.context["history"]) == 1 + 3 * extra + 1


@pytest.mark.parametrize("extra", [3, 58])
def test_household_list_same_for_5_and_60(cast, login_as, make, django_assert_num_queries, extra):
    make(extra)
    client = login_as(cast.street_user_a)
    # the page of households, and the options of the street, village and project filters
    with django_assert_num_queries(BASE + 4):
        response = client.get("/ledger/households/")
    assert len(response.context["households"]) == min(2 + extra, 50)


def test_household_list_with_filters_and_search(cast, login_as, make, django_assert_num_queries):
    make(60)
    client = login_as(cast.street_user_a)
    params = {"q": citizen_id(3), "village": cast.village_a.pk, "legality": "legal", "stage": "registered"}
    # + one lookup to validate the chosen village; a search by ID is audited and limited: the
    # user's recent ID searches (one query), and the audit entry (savepoint, chain head, insert, release);
    # on PostgreSQL also the user's row lock and the audit chain's advisory lock
    locks = 2 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(BASE + 10 + locks):
        client.get("/ledger/households/", params)


@pytest.mark.parametrize("members", [0, 6])
def test_household_detail(cast, login_as, django_assert_num_queries, members):
    for i in range(members):
        person = ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name=f"成员{i}",
                                            relation="child", id_number=citizen_id(100 + i))
        ledger_services.person_update(actor=cast.admin, person=person, version=1, hukou="converted")
        building = ledger_services.building_add(actor=cast.admin, household=cast.household_a1, number=f"B{i}",
                                                legal_area=Decimal("10"))
        ledger_services.heritage_create(actor=cast.admin, village=cast.village_a, kind="old_well", name=f"井{i}",
                                        building=building)
    client = login_as(cast.street_user_a)
    # the household (with village, project, street, cadre), its members, its buildings (each with
    # its heritage flag), the history (its entries and its members' and buildings', with actors),
    # the progress card (the events with their actors, the attachments) and the hard-case card
    # + compensation's panels: the agreement (its live agreement, the calculation it would come from), the
    # calculation (the current one, the scheme in force) and the change requests (one query)
    with django_assert_num_queries(BASE + 12):
        response = client.get(f"/ledger/households/{cast.household_a1.pk}/")
    assert len(response.context["history"]) == 2 + 3 * members


def test_resident_household_page_has_no_history(cast, login_as, django_assert_num_queries):
    client = login_as(cast.resident)
    # The access table reads a user's units only for a role that reaches by unit: none for a resident.
    # + compensation's panels the resident reads: the agreement, the calculation and the scheme in force
    with django_assert_num_queries(BASE + 5):
        response = client.get("/ledger/my-household/")
    assert response.context["history"] is None


@pytest.mark.parametrize("edits", [0, 70])
def test_building_detail(cast, login_as, django_assert_num_queries, edits):
    building = cast.household_a1.buildings.get()
    ledger_services.heritage_create(actor=cast.admin, village=cast.village_a, kind="ancestral_hall", name="祠堂",
                                    building=building)
    for i in range(edits):
        ledger_services.building_update(actor=cast.admin, building=building, version=1 + i, floors=2 + i)
    client = login_as(cast.street_user_a)
    # the building (with household, village, project, street, heritage flag), its heritage elements,
    # the history (at most 50 entries, newest first)
    with django_assert_num_queries(BASE + 3):
        response = client.get(f"/ledger/buildings/{building.pk}/")
    assert len(response.context["history"]) == min(2 + edits, 50)


def test_heritage_detail(cast, login_as, django_assert_num_queries):
    element = ledger_services.heritage_create(actor=cast.admin, village=cast.village_a, kind="archway", name="牌坊",
                                              building=cast.household_a1.buildings.get())
    client = login_as(cast.street_user_a)
    # the element (with village, building, household), its history
    with django_assert_num_queries(BASE + 2):
        client.get(f"/ledger/heritage/{element.pk}/")


@pytest.mark.parametrize("extra", [3, 58])
def test_api_household_list(cast, login_as, make, django_assert_num_queries, extra):
    make(extra)
    client = login_as(cast.street_user_a)
    with django_assert_num_queries(BASE + 1):
        client.get("/api/ledger/households")


def test_api_household_detail(cast, login_as, django_assert_num_queries):
    client = login_as(cast.street_user_a)
    with django_assert_num_queries(BASE + 3):
        client.get(f"/api/ledger/households/{cast.household_a1.pk}")


@pytest.mark.parametrize("extra", [0, 12])
def test_api_village_list(cast, login_as, django_assert_num_queries, extra):
    _villages(cast, extra)
    client = login_as(cast.commander)
    # the commander: + the second-factor device, - the units (district roles need none)
    with django_assert_num_queries(BASE + 1):
        response = client.get("/api/ledger/villages")
    assert len(response.json()) == 2 + extra
