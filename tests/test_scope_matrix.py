"""The scope matrix: every role × every page and endpoint that shows an object × in/out of scope.

Out of scope answers 404 (never the data); in scope answers 200 and shows it. Lists show only
what is in scope.

Two halves: a matrix written by hand for the ledger (what DESIGN.md says each role sees, pinned
independently of the access table), and a matrix driven by the access table's registry
(``core.access``): every registered resource with endpoints × every role × each of its sample
objects (``tests/<app>/scope_samples.py``) answers as the table's rows say, reads and writes. A
new app gets its rows by registering its resources and its samples, not by editing this file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import pytest
from django.urls import reverse

from gaizao.core import access
from gaizao.org.models import Membership
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


# ---------------------------------------------------------------- driven by the access table's registry

def _samples() -> dict:
    """Every app's sample builders, from ``tests/<app>/scope_samples.py``."""
    out = {}
    for path in sorted(Path(__file__).parent.glob("*/scope_samples.py")):
        out.update(importlib.import_module(f"tests.{path.parent.name}.scope_samples").SAMPLES)
    return out


SAMPLES = _samples()
CHECKED = sorted(name for name, res in access.ACCESS.items() if res.endpoints)
REGISTRY_CASES = [(name, role) for name in CHECKED for role in ROLES]


def test_every_resource_with_endpoints_has_samples_and_progress_is_covered():
    assert not set(CHECKED) - set(SAMPLES), "register samples in tests/<app>/scope_samples.py"
    for name in ("ledger.village", "ledger.project", "ledger.household", "ledger.building", "progress.event",
                 "progress.hardcase", "progress.visit", "progress.consultation", "progress.dashboard",
                 "progress.table_export"):
        assert name in CHECKED, name


# Pinned by hand, as SEES is for the ledger: the registry-driven test below trusts the rows, these
# hold the rows to what DESIGN.md says each role does.
_DISTRICT = {"admin", "commander", "leader"}
_OFFICE = {"admin", "commander"}
PROGRESS_RULES = {  # resource: (roles that read, roles that write)
    "progress.event": (_DISTRICT | {"street", "cadre", "resident"}, _OFFICE | {"street"}),
    "progress.hardcase": (_DISTRICT | {"street", "cadre"}, _OFFICE | {"street"}),
    "progress.visit": (_DISTRICT | {"street", "cadre"}, _OFFICE | {"street", "cadre"}),
    "progress.consultation": (_DISTRICT | {"street"}, _OFFICE | {"street"}),
    "progress.dashboard": (_DISTRICT | {"street"}, set()),
    "progress.table_export": (_DISTRICT | {"street"}, set()),
}


@pytest.mark.parametrize("name", sorted(PROGRESS_RULES))
def test_progress_rows_give_each_role_what_the_design_says(name):
    readers, writers = PROGRESS_RULES[name]
    assert access.roles_with(name) == readers
    assert access.roles_with(name, write=True) == writers


def _reaches(user, resource: access.Resource, place: access.Place, *, write: bool) -> bool:
    """What the table's rows say for this user and object, read from the user's memberships in the
    database (not through ``access.grant``, the code under test)."""
    units: dict[str, set[int]] = {}
    for role, unit_id in Membership.objects.filter(user=user).values_list("role", "org_unit_id"):
        units.setdefault(role, set()).add(unit_id)
    for role in [*units, access.ANY]:
        rule = resource.rows.get(role)
        level = rule and (rule.write if write else rule.read)
        if level == access.DISTRICT:
            return True
        if level == access.UNIT and place.unit_id in units.get(role, ()):
            return True
        if level == access.ASSIGNED and place.cadre_id == user.pk:
            return True
        if level == access.OWN and place.resident_id == user.pk:
            return True
    return False


def _call(client, endpoint: access.Endpoint, obj):
    url = endpoint.url(obj)
    if endpoint.method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        # A body the schema takes and the service refuses: in scope it is refused for its input.
        body = endpoint_bodies.get(endpoint.name, {})
        return client.generic(endpoint.method, url, json.dumps(body), content_type="application/json")
    return client.post(url, {})


endpoint_bodies = {
    # The service reads the kind before the household: a valid event, so only scope can refuse it.
    "event_record_api": {"kind": "surveyed", "on_date": (dt.date.today() - dt.timedelta(days=1)).isoformat()},
    "visit_api": {"visited_on": "2000-01-01", "talk": ""},
    "consultation_record_api": {"held_on": "2999-01-01", "eligible": 1, "agreed": 2},
}


@pytest.mark.parametrize("resource_name, role", REGISTRY_CASES)
def test_registered_endpoints_answer_as_the_access_table_says(cast, client, resource_name, role):
    resource = access.resource(resource_name)
    user = getattr(cast, role)
    objects = SAMPLES[resource_name](cast)
    login(client, user)
    for endpoint in resource.endpoints:
        for obj in objects:
            reached = _reaches(user, resource, resource.locate(obj), write=endpoint.write)
            response = _call(client, endpoint, obj)
            where = f"{endpoint.name} {endpoint.method} {endpoint.url(obj)} as {role}"
            body = response.content.decode(errors="replace")
            if not reached:
                assert response.status_code == 404, where
                if endpoint.shows:
                    assert endpoint.shows(obj) not in body, where
            elif endpoint.write and endpoint.method != "GET":
                assert response.status_code not in (403, 404) and response.status_code < 500, where
            else:
                assert response.status_code == 200, where
                if endpoint.shows:
                    assert endpoint.shows(obj) in body, where
