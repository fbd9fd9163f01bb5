"""Ledger API: scope per role, masking, search, filters, keyset pages, the one error shape."""

from __future__ import annotations

import json

import pytest

from gaizao.ledger import services as ledger_services
from tests.ledger.conftest import NUMBERS, ROLES, VILLAGES, VISIBLE, citizen_id

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
NOT_FOUND = {"message": "不存在或无权查看。", "fields": {}}


def test_anonymous_gets_401(client, cast):
    for url in ("/api/ledger/villages", f"/api/ledger/villages/{cast.village_a.pk}", "/api/ledger/households",
                f"/api/ledger/households/{cast.household_a1.pk}"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["fields"] == {}


@pytest.mark.parametrize("role", ROLES)
def test_villages_in_scope(cast, login_as, role):
    client = login_as(getattr(cast, role))
    response = client.get("/api/ledger/villages")
    assert response.status_code == 200
    expected = VILLAGES.get(role, set())
    assert {v["code"] for v in response.json()} == {getattr(cast, name).code for name in expected}
    for name in ("village_a", "village_b"):
        response = client.get(f"/api/ledger/villages/{getattr(cast, name).pk}")
        if name in expected:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert response.json() == NOT_FOUND


@pytest.mark.parametrize("role", ROLES)
def test_households_in_scope(cast, login_as, role):
    client = login_as(getattr(cast, role))
    body = client.get("/api/ledger/households").json()
    assert {h["number"] for h in body["items"]} == {NUMBERS[name] for name in VISIBLE[role]}
    assert body["next_after"] is None
    for name in NUMBERS:
        response = client.get(f"/api/ledger/households/{getattr(cast, name).pk}")
        if name in VISIBLE[role]:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code == 404, (role, name)
            assert response.json() == NOT_FOUND


def test_village_fields(cast, login_as):
    village = login_as(cast.leader).get(f"/api/ledger/villages/{cast.village_a.pk}").json()
    assert village["street_name"] == "东湖街道"
    assert village["mode_label"] == "拆除新建"
    assert village["household_count"] == 2
    assert village["projects"][0]["code"] == "P001"
    assert village["projects"][0]["household_count"] == 2
    assert village["projects"][0]["signing_threshold"] == "90.00"
    assert {"stage": "registered", "label": "待调查", "count": 2} in village["households_by_stage"]
    ledger_services.village_update(actor=cast.admin, village=cast.village_b, version=cast.village_b.version,
                                   mode="upgrade")
    listed = login_as(cast.leader).get("/api/ledger/villages", {"mode": "upgrade"}).json()
    assert [v["code"] for v in listed] == ["V002"]


def test_numbers_are_masked_in_json(cast, login_as):
    member_id = citizen_id(9, region="110105", birth="19990909")
    ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name="李小四",
                               relation="child", id_number=member_id)
    client = login_as(cast.commander)  # even a role that may reveal gets masked JSON
    listing = client.get("/api/ledger/households").content.decode()
    detail = client.get(f"/api/ledger/households/{cast.household_a1.pk}").content.decode()
    for text in (listing, detail):
        assert FULL_ID not in text and "13812345678" not in text
        assert MASKED_ID in text and "138****5678" in text
    assert member_id not in detail
    body = json.loads(detail)
    assert body["persons"][0]["id_masked"] == member_id[:6] + "********" + member_id[-4:]
    assert body["buildings"][0]["legal_area"] == "120.50"
    assert body["legal_area_total"] == "120.50"
    assert body["cadre_name"] == "陈包户"


@pytest.mark.parametrize("query, expected", [
    ("李四", {"DH-001"}), ("ls", {"DH-001"}), ("DH-002", {"DH-002"}),
    ("１１０１０５１９４９１２３１００２ｘ", {"DH-001"}), ("11010519491231002x", {"DH-001"}),
])
def test_search(cast, login_as, query, expected):
    body = login_as(cast.leader).get("/api/ledger/households", {"q": query}).json()
    assert {h["number"] for h in body["items"]} == expected


def test_search_by_a_members_id(cast, login_as):
    member_id = citizen_id(4, region="440106", birth="20120101")
    ledger_services.person_add(actor=cast.admin, household=cast.household_b1, name="王小五",
                               relation="child", id_number=member_id)
    body = login_as(cast.street_user_b).get("/api/ledger/households", {"q": member_id}).json()
    assert [h["number"] for h in body["items"]] == ["XL-001"]
    body = login_as(cast.street_user_a).get("/api/ledger/households", {"q": member_id}).json()
    assert body["items"] == []


def test_filters(cast, login_as):
    client = login_as(cast.leader)

    def listed(**params):
        return {h["number"] for h in client.get("/api/ledger/households", params).json()["items"]}

    assert listed(street=cast.street_a.pk) == {"DH-001", "DH-002"}
    assert listed(village=cast.village_b.pk) == {"XL-001"}
    assert listed(project=cast.project_a.pk) == {"DH-001", "DH-002"}
    assert listed(legality="legal") == {"DH-001"}
    assert listed(stage="signed") == set()
    assert listed(land_type="collective") == {"DH-001", "DH-002", "XL-001"}


def test_bad_filter_gets_the_error_shape(cast, login_as):
    response = login_as(cast.leader).get("/api/ledger/households", {"stage": "nonsense"})
    assert response.status_code == 422
    assert set(response.json()) == {"message", "fields"}
    assert "stage" in response.json()["fields"]


def test_keyset_pages(cast, login_as, make):
    make(120)
    client = login_as(cast.commander)
    seen, after, pages = [], None, 0
    while True:
        body = client.get("/api/ledger/households", {"after": after} if after else {}).json()
        pages += 1
        seen += [h["id"] for h in body["items"]]
        after = body["next_after"]
        if after is None:
            break
        assert len(body["items"]) == 50
    assert pages == 3
    assert len(seen) == len(set(seen)) == 123
