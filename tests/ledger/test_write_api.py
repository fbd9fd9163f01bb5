"""Ledger API writes: POST/PATCH per role, validation in the one error shape, stale PATCH → 409."""

from __future__ import annotations

import json

import pytest

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Building, Household, Person, Project, Village
from tests.ledger.conftest import ROLES, WRITERS, citizen_id

NOT_FOUND = {"message": "不存在或无权查看。", "fields": {}}


def _send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _post(client, url, body):
    return _send(client, "post", url, body)


def _patch(client, url, body):
    return _send(client, "patch", url, body)


@pytest.fixture
def person(cast):
    return ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name="李小四",
                                      relation="child", id_number=citizen_id(7))


def _patches(cast, person) -> dict[str, tuple[str, dict]]:
    building = cast.household_a1.buildings.get()
    return {
        "village": (f"/api/ledger/villages/{cast.village_a.pk}", {"version": 1, "name": "东湖新村"}),
        "project": (f"/api/ledger/projects/{cast.project_a.pk}", {"version": 1, "name": "一期（调整）"}),
        "household": (f"/api/ledger/households/{cast.household_a1.pk}", {"version": 1, "address": "东湖路"}),
        "person": (f"/api/ledger/persons/{person.pk}", {"version": 1, "hukou": "converted"}),
        "building": (f"/api/ledger/buildings/{building.pk}", {"version": 1, "floors": 3}),
    }


@pytest.mark.parametrize("role", ROLES)
def test_patch_per_role(cast, login_as, person, role):
    client = login_as(getattr(cast, role))
    for name, (url, body) in _patches(cast, person).items():
        response = _patch(client, url, body)
        if role in WRITERS["street_a"]:
            assert response.status_code == 200, (role, name, response.json())
            assert response.json()["version"] == 2
        else:
            assert response.status_code == 404, (role, name)
            assert response.json() == NOT_FOUND


@pytest.mark.parametrize("role", ROLES)
def test_post_per_role(cast, login_as, role):
    client = login_as(getattr(cast, role))
    creates = {
        "village": ("/api/ledger/villages", {"street_id": cast.street_a.pk, "code": f"V-{role}", "name": "新村",
                                             "mode": "mixed", "year": 2027}),
        "project": ("/api/ledger/projects", {"village_id": cast.village_a.pk, "code": f"P-{role}", "name": "二期"}),
        "household": ("/api/ledger/households", {"project_id": cast.project_a.pk, "number": f"H-{role}",
                                                 "head_name": "新户"}),
        "person": (f"/api/ledger/households/{cast.household_a1.pk}/persons", {"name": "成员", "relation": "child"}),
        "building": (f"/api/ledger/households/{cast.household_a1.pk}/buildings", {"number": f"B-{role}"}),
        "heritage": ("/api/ledger/heritage", {"village_id": cast.village_a.pk, "kind": "old_tree", "name": "古榕"}),
    }
    for name, (url, body) in creates.items():
        response = _post(client, url, body)
        if role in WRITERS["street_a"]:
            assert response.status_code == 201, (role, name, response.json())
            assert response.json()["version"] == 1
        else:
            assert response.status_code == 404, (role, name)
            assert response.json() == NOT_FOUND


def test_street_a_gets_404_writing_street_b(cast, login_as):
    client = login_as(cast.street_user_a)
    assert _patch(client, f"/api/ledger/households/{cast.household_b1.pk}", {"version": 1, "address": "x"}).status_code == 404
    assert _patch(client, f"/api/ledger/villages/{cast.village_b.pk}", {"version": 1, "name": "x"}).status_code == 404
    assert _post(client, "/api/ledger/households", {"project_id": cast.project_b.pk, "number": "X",
                                                    "head_name": "某"}).status_code == 404
    assert _post(client, "/api/ledger/villages", {"street_id": cast.street_b.pk, "code": "V9", "name": "x",
                                                  "mode": "mixed", "year": 2027}).status_code == 404
    assert Household.objects.get(pk=cast.household_b1.pk).address == ""


def test_stale_patch_is_409_and_overwrites_nothing(cast, login_as, client_factory):
    first, second = login_as(cast.street_user_a), client_factory(cast.commander)
    url = f"/api/ledger/households/{cast.household_a1.pk}"
    version = first.get(url).json()["version"]
    assert second.get(url).json()["version"] == version
    assert _patch(first, url, {"version": version, "address": "甲"}).status_code == 200
    response = _patch(second, url, {"version": version, "address": "乙"})
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"message", "fields"}
    assert "已被他人修改" in body["message"] and "请刷新" in body["message"]
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert household.address == "甲" and household.version == version + 1


def test_patch_needs_a_version(cast, login_as):
    response = _patch(login_as(cast.street_user_a), f"/api/ledger/villages/{cast.village_a.pk}", {"name": "x"})
    assert response.status_code == 400
    assert "version" in response.json()["fields"]
    assert Village.objects.get(pk=cast.village_a.pk).name == "东湖村"


@pytest.mark.parametrize("url_name, body, field, text", [
    ("household", {"head_id_number": "530102192005080119"}, "head_id_number", "校验位"),
    ("household", {"phone": "12345"}, "phone", "手机号"),
    ("household", {"land_type": "moon"}, "land_type", "土地性质"),
    ("household", {"cadre_id": 999999}, "cadre_id", "包户干部"),
    ("building", {"legal_area": "-1"}, "legal_area", "合法面积（㎡）不能为负数"),
    ("village", {"boundary": {"type": "Polygon", "coordinates": [[[200, 23], [113, 23], [113, 24], [200, 23]]]}},
     "boundary", "经度 200"),
    ("village", {"boundary": "not json"}, "boundary", "JSON"),
    ("project", {"signing_start": "2026-09-01", "signing_end": "2026-08-01"}, "signing_end", "不能早于开始日期"),
    ("project", {"signing_threshold": "100.5"}, "signing_threshold", "0 到 100"),
])
def test_validation_names_the_field(cast, login_as, person, url_name, body, field, text):
    url, _ = _patches(cast, person)[url_name]
    response = _patch(login_as(cast.street_user_a), url, {"version": 1, **body})
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert set(payload) == {"message", "fields"}
    assert text in payload["fields"][field], payload
    assert AuditEntry.objects.filter(action__endswith=".update").count() == 0


def test_duplicates_are_clear_errors(cast, login_as):
    client = login_as(cast.street_user_a)
    response = _post(client, "/api/ledger/households", {"project_id": cast.project_a.pk, "number": "DH-001",
                                                         "head_name": "重复"})
    assert response.status_code == 400
    assert "户号" in response.json()["fields"]["number"]
    response = _post(client, "/api/ledger/households", {"project_id": cast.project_a.pk, "number": "DH-009",
                                                         "head_name": "重复", "head_id_number": "11010519491231002X"})
    assert "DH-001" in response.json()["fields"]["head_id_number"]
    response = _post(client, "/api/ledger/projects", {"village_id": cast.village_a.pk, "code": "P002", "name": "x"})
    assert "P002" in response.json()["fields"]["code"]


def test_create_and_read_back(cast, login_as, client_factory):
    client = login_as(cast.street_user_a)
    response = _post(client, "/api/ledger/projects", {
        "village_id": cast.village_a.pk, "code": "P010", "name": "东湖村二期", "phase": 2,
        "signing_start": "2026-03-01", "signing_end": "2026-05-31", "signing_threshold": "85.5"})
    project = response.json()
    assert project["signing_threshold"] == "85.50" and project["village_name"] == "东湖村"
    assert client.get(f"/api/ledger/projects/{project['id']}").json()["code"] == "P010"
    assert client_factory(cast.street_user_b).get(f"/api/ledger/projects/{project['id']}").status_code == 404
    response = _post(client, "/api/ledger/households", {
        "project_id": project["id"], "number": "E-001", "head_name": "钱七", "head_id_number": citizen_id(21),
        "phone": "13600001111", "cadre_id": cast.cadre.pk})
    household = response.json()
    assert household["head_id_masked"] == citizen_id(21)[:6] + "********" + citizen_id(21)[-4:]
    assert household["phone_masked"] == "136****1111" and household["cadre_id"] == cast.cadre.pk
    assert citizen_id(21) not in response.content.decode()
    # Echoing the masked numbers back changes nothing.
    response = _patch(client, f"/api/ledger/households/{household['id']}", {
        "version": 1, "head_id_number": household["head_id_masked"], "phone": household["phone_masked"],
        "head_name": "钱七七", "cadre_id": None})
    body = response.json()
    assert body["version"] == 2 and body["cadre_id"] is None
    stored = Household.objects.get(pk=household["id"])
    assert stored.head_id_number == citizen_id(21) and stored.phone == "13600001111"
    assert stored.head_initials == "qqq"
    response = _post(client, f"/api/ledger/households/{household['id']}/buildings", {
        "number": "1", "legal_area": "100.25", "structure": "frame", "legality": "legal"})
    assert response.json()["legal_area"] == "100.25" and response.json()["has_heritage"] is False
    response = _post(client, f"/api/ledger/households/{household['id']}/persons", {
        "name": "钱小七", "relation": "child", "id_number": citizen_id(22)})
    assert response.json()["household_id"] == household["id"]
    assert Person.objects.filter(household_id=household["id"]).count() == 1
    assert Building.objects.filter(household_id=household["id"]).count() == 1


def test_village_create_and_patch(cast, login_as):
    client = login_as(cast.commander)
    polygon = {"type": "Feature", "properties": {}, "geometry": {
        "type": "MultiPolygon", "coordinates": [[[[113.1, 23.1], [113.2, 23.1], [113.2, 23.2], [113.1, 23.1]]]]}}
    response = _post(client, "/api/ledger/villages", {
        "street_id": cast.street_b.pk, "code": "V020", "name": "北岗村", "mode": "upgrade", "year": 2027,
        "land_area": "5000", "boundary": polygon})
    assert response.status_code == 201
    village = response.json()
    assert village["boundary"]["type"] == "MultiPolygon" and village["land_area"] == "5000.00"
    response = _patch(client, f"/api/ledger/villages/{village['id']}", {
        "version": 1, "community_id": cast.community_a.pk})
    assert response.status_code == 400
    assert "community_id" in response.json()["fields"]
    response = _patch(client, f"/api/ledger/villages/{village['id']}", {"version": 1, "mode": "moon"})
    assert "改造方式" in response.json()["fields"]["mode"]


def test_unchanged_patch_writes_nothing(cast, login_as):
    client = login_as(cast.street_user_a)
    before = AuditEntry.objects.count()
    response = _patch(client, f"/api/ledger/projects/{cast.project_a.pk}", {"version": 1, "name": "东湖村一期"})
    assert response.status_code == 200 and response.json()["version"] == 1
    assert AuditEntry.objects.count() == before
    assert Project.objects.get(pk=cast.project_a.pk).version == 1


def test_the_consultation_threshold_is_read_and_changed_through_the_api(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/ledger/projects/{cast.project_a.pk}"
    project = client.get(url).json()
    assert project["consultation_threshold"] == "90.00"
    refused = _patch(client, url, {"version": project["version"], "consultation_threshold": "150"})
    assert refused.status_code == 400 and "consultation_threshold" in refused.json()["fields"]
    changed = _patch(client, url, {"version": project["version"], "consultation_threshold": "66.5"})
    assert changed.status_code == 200 and changed.json()["consultation_threshold"] == "66.50"
