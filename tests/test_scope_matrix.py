"""The scope matrix: every role × every page and endpoint that shows an object × in/out of scope.

Out of scope answers 404 (never the data); in scope answers 200 and shows it. Lists show only
what is in scope.

Two halves: a matrix written by hand for the ledger (what DESIGN.md says each role sees, pinned
independently of the access table), and a matrix driven by the access table's registry
(``core.access``): every registered resource with endpoints × every role × each of its sample
objects (``tests/<app>/scope_samples.py``, with the bodies its writes are sent with) answers as the
table's rows say, reads and writes. A last test walks the URL patterns and API routes of the apps
that register resources: each one that takes an id must be some resource's endpoint. A new app gets
its rows by registering its resources, endpoints and samples, not by editing this file.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve, reverse

from gaizao.api.api import api
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

def _from_samples(name: str) -> dict:
    """One table of every app's ``tests/<app>/scope_samples.py`` (``SAMPLES`` or ``BODIES``)."""
    out = {}
    for path in sorted(Path(__file__).parent.glob("*/scope_samples.py")):
        out.update(getattr(importlib.import_module(f"tests.{path.parent.name}.scope_samples"), name, {}))
    return out


SAMPLES = _from_samples("SAMPLES")
BODIES = _from_samples("BODIES")  # endpoint name -> the body it is sent with, built from the object
CHECKED = sorted(name for name, res in access.ACCESS.items() if res.endpoints)
REGISTRY_CASES = [(name, role) for name in CHECKED for role in ROLES]
# The apps whose cases run from a file of their own (tests/<app>/test_scope_<app>.py), so that the parallel
# run (a file per worker) spreads the matrix; the rest run here.
SHARDED = ("progress", "campaign", "oversight", "compensation")


def cases_of(app: str) -> list[tuple[str, str]]:
    return [case for case in REGISTRY_CASES if case[0].split(".")[0] == app]


LOCAL_CASES = [case for case in REGISTRY_CASES if case[0].split(".")[0] not in SHARDED]
# Apps whose resources register rows but no endpoints yet: the matrix does not see them, and their
# routes are not walked. A gap to close, not a place to be: an app leaves this set with its first
# endpoint (the test below says so).
WITHOUT_ENDPOINTS = {
    "core",  # the working-day calendar: one district-wide table, no object with an id (tests/core/test_calendar.py)
    "documents",  # 公文模板: routed by kind, no object with an id; admin/office only (tests/documents/test_template_pages.py)
    "org",  # org units, accounts, sign-in, API tokens: org's pages still say by hand what they show
    "portal",  # the whole audit trail, no one object of it: test_audit_trail_is_for_the_auditor_only
}
# Endpoints known to answer unlike the table, per role: each a bug to fix where it is said (views and
# this API are not the matrix's to change). The case is xfailed once the rest of it holds, and fails
# as soon as the endpoint answers right (then remove the entry).
KNOWN_WRONG: dict[tuple[str, str], str] = {}  # (endpoint, role) -> why it answers wrongly today


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Samples keep files (photos, attachments, uploads): in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_every_resource_has_endpoints_and_samples():
    assert not set(CHECKED) - set(SAMPLES), "register samples in tests/<app>/scope_samples.py"
    bare = {name for name, res in access.ACCESS.items() if not res.endpoints}
    assert {name.split(".")[0] for name in bare} <= WITHOUT_ENDPOINTS, \
        f"register the pages and API routes of {sorted(bare)} as endpoints (policies.py)"
    assert not {name.split(".")[0] for name in CHECKED} & WITHOUT_ENDPOINTS, \
        "an app registers endpoints now: take it out of WITHOUT_ENDPOINTS"
    for name in ("ledger.village", "ledger.project", "ledger.heritage", "ledger.household",
                 "ledger.household_identity", "ledger.person", "ledger.building", "ledger.import_job",
                 "progress.event", "progress.hardcase", "progress.visit", "progress.consultation", "progress.signing",
                 "progress.dashboard", "progress.table_export"):
        assert name in CHECKED, name
    names = [e.name for res in access.ACCESS.values() for e in res.endpoints]
    assert len(names) == len(set(names)), "endpoint names are unique (BODIES finds them by name)"
    assert not set(BODIES) - set(names), "a body in scope_samples.py for an endpoint nobody registered"
    assert not {name for name, _role in KNOWN_WRONG} - set(names)


# Pinned by hand, as SEES is for the ledger: the registry-driven test below trusts the rows, these
# hold the rows to what DESIGN.md says each role does.
_DISTRICT = {"admin", "commander", "leader"}
_OFFICE = {"admin", "commander"}
PROGRESS_RULES = {  # resource: (roles that read, roles that write)
    "progress.event": (_DISTRICT | {"street", "cadre", "resident"}, _OFFICE | {"street"}),
    "progress.hardcase": (_DISTRICT | {"street", "cadre"}, _OFFICE | {"street"}),
    "progress.visit": (_DISTRICT | {"street", "cadre"}, _OFFICE | {"street", "cadre"}),
    "progress.consultation": (_DISTRICT | {"street"}, _OFFICE | {"street"}),
    "progress.signing": (_DISTRICT | {"street"}, _OFFICE),
    "progress.dashboard": (_DISTRICT | {"street"}, set()),
    "progress.table_export": (_DISTRICT | {"street"}, set()),
}
LEDGER_RULES = {
    "ledger.heritage": (_DISTRICT | {"street"}, _OFFICE | {"street"}),
    "ledger.person": (_DISTRICT | {"street", "cadre", "resident"}, _OFFICE | {"street"}),
    # Full ID and phone numbers: not the leader, not the cadre.
    "ledger.household_identity": (_OFFICE | {"street", "resident"}, set()),
}


@pytest.mark.parametrize("name", sorted(PROGRESS_RULES))
def test_progress_rows_give_each_role_what_the_design_says(name):
    readers, writers = PROGRESS_RULES[name]
    assert access.roles_with(name) == readers
    assert access.roles_with(name, write=True) == writers


@pytest.mark.parametrize("name", sorted(LEDGER_RULES))
def test_ledger_rows_give_each_role_what_the_design_says(name):
    readers, writers = LEDGER_RULES[name]
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
    body = BODIES[endpoint.name](obj) if endpoint.name in BODIES else {}
    if not url.startswith("/api/"):
        return client.post(url, body)  # a page's form
    if any(hasattr(value, "read") for value in body.values()):
        return client.post(url, body)  # a file: multipart, as the route takes it
    # A body the schema takes (else ninja answers 422 before any scope check).
    return client.generic(endpoint.method, url, json.dumps(body), content_type="application/json")


def _wrong(user, resource: access.Resource, endpoint: access.Endpoint, obj, response) -> str | None:
    """How the answer differs from what the table's rows say for this user and object; None: it does not."""
    body = response.content.decode(errors="replace") if not response.streaming else ""
    if not _reaches(user, resource, resource.locate(obj), write=endpoint.write):
        seen = endpoint.refused_to_readers_of and access.resource(endpoint.refused_to_readers_of)
        expected = 403 if seen and _reaches(user, seen, seen.locate(obj), write=False) else 404
        if response.status_code != expected:
            return f"out of reach: {response.status_code}, not {expected}"
        if endpoint.shows and endpoint.shows(obj) in body:
            return "out of reach, and shows the object"
    elif endpoint.write and endpoint.method != "GET":
        if response.status_code in (403, 404) or response.status_code >= 500:
            return f"in reach: {response.status_code}"
    elif response.status_code != 200:
        return f"in reach: {response.status_code}, not 200"
    elif endpoint.shows and endpoint.shows(obj) not in body:
        return "in reach, and does not show the object"
    return None


def test_every_sharded_app_has_its_file_of_cases():
    for app in SHARDED:
        assert (Path(__file__).parent / app / f"test_scope_{app}.py").exists(), app
        assert cases_of(app), f"{app} registers no endpoints: take it out of SHARDED"
    assert LOCAL_CASES, "the ledger's cases run here"


@pytest.mark.parametrize("resource_name, role", LOCAL_CASES)
def test_registered_endpoints_answer_as_the_access_table_says(cast, client, resource_name, role):
    check_registered(cast, client, resource_name, role)


def check_registered(cast, client, resource_name: str, role: str) -> None:
    """Every endpoint of the resource, tried as ``role`` on each sample object, answers as the rows say."""
    resource = access.resource(resource_name)
    user = getattr(cast, role)
    objects = SAMPLES[resource_name](cast)
    login(client, user)
    known: dict[str, list[str]] = {}
    for endpoint in resource.endpoints:
        for obj in objects:
            response = _call(client, endpoint, obj)
            wrong = _wrong(user, resource, endpoint, obj, response)
            where = f"{endpoint.name} {endpoint.method} {endpoint.url(obj)} as {role}: {wrong}"
            if (endpoint.name, role) in KNOWN_WRONG:
                known.setdefault(endpoint.name, []).extend([where] if wrong else [])
            else:
                assert wrong is None, where
    for endpoint_name, found in known.items():
        assert found, f"{endpoint_name} as {role} answers as the table says now: take it out of KNOWN_WRONG"
    if known:
        pytest.xfail("; ".join(KNOWN_WRONG[name, role] + ": " + found[0] for name, found in known.items()))


# ---------------------------------------------------------------- every route that names an object is an endpoint

# Routes that take an id but are not one object's under the access table (say why).
EXEMPT = {
    # The public signing board (签约公示大屏) of a project's on-site screen: no login, masked figures
    # only, by design (DESIGN.md); no role's rows apply.
    "* /progress/board/{}/",
    "* /progress/board/{}/live/",
}


def _route_key(route: str, method: str | None) -> str:
    """A route as ``"<METHOD> /path/{}/"`` (pages: ``"* ..."``, any method), its parameters blanked:
    ``ledger/villages/<int:pk>/``, ``api/ledger/villages/<village_id>`` and OpenAPI's
    ``/api/ledger/villages/{village_id}`` alike."""
    path = "/" + re.sub(r"<(?:\w+:)?\w+>|\{\w+\}", "{}", route).lstrip("/")
    return f"{method or '*'} {path}"


def _registered_apps() -> list:
    """The apps that register resources, but those registering no endpoints yet (WITHOUT_ENDPOINTS)."""
    labels = {name.split(".")[0] for name in access.ACCESS} - WITHOUT_ENDPOINTS
    return [django_apps.get_app_config(label) for label in sorted(labels)]


def _page_routes(configs) -> set[str]:
    """The pages of the apps that register resources, those whose path takes a parameter."""
    modules = {f"{config.name}.urls" for config in configs}

    def walk(patterns, prefix: str, inside: bool):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", None)  # the API's is a list
                yield from walk(pattern.url_patterns, route, inside or module in modules)
            elif inside and "<" in route:
                yield _route_key(route, None)

    return set(walk(get_resolver().url_patterns, "", False))


def _api_routes(configs) -> set[str]:
    """The API operations of those apps whose path takes a parameter, from the API's own schema."""
    prefixes = tuple(f"/api{config.api_prefix}/" for config in configs if getattr(config, "api_prefix", None))
    schema = api.get_openapi_schema(path_prefix="/api/")
    return {_route_key(path, method.upper()) for path, operations in schema["paths"].items()
            for method in operations if path.startswith(prefixes) and "{" in path}


def _covered(cast) -> set[str]:
    """The routes the registered endpoints reach, found by resolving the address each one builds."""
    out = set()
    for name in CHECKED:
        resource = access.resource(name)
        with transaction.atomic():  # each resource's samples on the cast alone, as in the matrix
            sample = SAMPLES[name](cast)[0]
            paths = [(urlsplit(endpoint.url(sample)).path, endpoint.method) for endpoint in resource.endpoints]
            transaction.set_rollback(True)
        for path, method in paths:
            out.add(_route_key(resolve(path).route, method if path.startswith("/api/") else None))
    return out


def test_every_route_that_takes_an_id_is_an_endpoint_of_a_resource(cast):
    configs = _registered_apps()
    routes = _page_routes(configs) | _api_routes(configs)
    assert "* /ledger/villages/{}/" in routes and "PATCH /api/ledger/villages/{}" in routes  # the walk works
    missing = routes - _covered(cast) - EXEMPT
    assert not missing, "register these as endpoints of a resource (its app's policies.py), with samples"
    assert not EXEMPT - routes, "an exemption for a route that is gone"
