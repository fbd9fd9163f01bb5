"""The scope matrix: every role × every page and endpoint that shows an object × in/out of scope.

Out of scope answers 404 (never the data); in scope answers 200 and shows it. Lists show only
what is in scope.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login

ROLES = ["admin", "commander", "leader", "street_user_a", "street_user_b", "department_user",
         "cadre", "resident", "outsider", "auditor", "security"]

# Which objects each role may read.
DISTRICT = {"village_a", "village_b", "project_a", "project_b", "household_a1", "household_a2", "household_b1"}
SEES = {
    "admin": DISTRICT,
    "commander": DISTRICT,
    "leader": DISTRICT,
    "street_user_a": {"village_a", "project_a", "household_a1", "household_a2"},
    "street_user_b": {"village_b", "project_b", "household_b1"},
    "department_user": set(),
    "cadre": {"household_a1"},
    "resident": {"household_a2"},
    "outsider": set(),
    "auditor": set(),
    "security": set(),
}

DETAIL_ENDPOINTS = {
    "village_page": lambda obj: reverse("ledger:village_detail", args=[obj.pk]),
    "village_api": lambda obj: f"/api/ledger/villages/{obj.pk}",
    "household_page": lambda obj: reverse("ledger:household_detail", args=[obj.pk]),
    "household_api": lambda obj: f"/api/ledger/households/{obj.pk}",
    "project_api": lambda obj: f"/api/ledger/projects/{obj.pk}",
    "building_page": lambda obj: reverse("ledger:building_detail", args=[obj.buildings.get().pk]),
    "building_api": lambda obj: f"/api/ledger/buildings/{obj.buildings.get().pk}",
}
OBJECTS = {
    "village_page": ["village_a", "village_b"],
    "village_api": ["village_a", "village_b"],
    "household_page": ["household_a1", "household_a2", "household_b1"],
    "household_api": ["household_a1", "household_a2", "household_b1"],
    "project_api": ["project_a", "project_b"],
    # The cast's one building belongs to household_a1: readable exactly where that household is.
    "building_page": ["household_a1"],
    "building_api": ["household_a1"],
}
CASES = [(role, endpoint, obj) for role in ROLES for endpoint, objs in OBJECTS.items() for obj in objs]


def _label(obj) -> str:
    return obj.number if hasattr(obj, "number") else obj.name


def _shown(endpoint: str, obj) -> str:
    """What the response must contain when in scope (and must not when out of scope)."""
    if endpoint.startswith("building"):
        return obj.buildings.get().certificate_no or "120.5"
    return _label(obj)


@pytest.mark.parametrize("role, endpoint, obj_name", CASES)
def test_object_in_scope_is_shown_and_out_of_scope_is_404(cast, client, role, endpoint, obj_name):
    user = getattr(cast, role)
    obj = getattr(cast, obj_name)
    login(client, user)
    response = client.get(DETAIL_ENDPOINTS[endpoint](obj))
    if obj_name in SEES[role]:
        assert response.status_code == 200
        assert _shown(endpoint, obj) in response.content.decode()
    else:
        assert response.status_code == 404
        body = response.content.decode()
        assert _shown(endpoint, obj) not in body
        if endpoint.endswith("_api"):
            assert response.json()["message"]


@pytest.mark.parametrize("role", ROLES)
def test_household_lists_hold_exactly_the_households_in_scope(cast, client, role):
    user = getattr(cast, role)
    login(client, user)
    expected = {getattr(cast, n).number for n in SEES[role] if n.startswith("household")}
    everyone = {cast.household_a1.number, cast.household_a2.number, cast.household_b1.number}
    page = client.get(reverse("ledger:household_list"))
    api = client.get("/api/ledger/households")
    if page.status_code == 200:
        html = page.content.decode()
        assert {n for n in everyone if n in html} == expected
    else:
        assert page.status_code == 404 and not expected
    assert api.status_code == 200
    assert {item["number"] for item in api.json()["items"]} == expected


@pytest.mark.parametrize("role", ROLES)
def test_village_lists_hold_exactly_the_villages_in_scope(cast, client, role):
    user = getattr(cast, role)
    login(client, user)
    expected = {getattr(cast, n).name for n in SEES[role] if n.startswith("village")}
    api = client.get("/api/ledger/villages")
    assert api.status_code == 200
    assert {item["name"] for item in api.json()} == expected


@pytest.mark.parametrize("role", ROLES)
def test_audit_trail_is_for_the_auditor_only(cast, client, role):
    login(client, getattr(cast, role))
    response = client.get(reverse("portal:audit_list"))
    assert response.status_code == (200 if role == "auditor" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_account_management_is_for_admin_and_security_only(cast, client, role):
    login(client, getattr(cast, role))
    response = client.get(reverse("org:user_list"))
    if role in {"admin", "security"}:
        assert response.status_code == 200
        assert "street_b" in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("url", [
    "/", "/ledger/villages/", "/ledger/households/", "/audit/", "/account/users/", "/account/units/",
])
def test_anonymous_visitors_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("url", ["/api/ledger/households", "/api/ledger/villages", "/api/org/me"])
def test_anonymous_api_calls_get_401_in_the_error_shape(client, db, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"message": "未登录或令牌无效。", "fields": {}}
