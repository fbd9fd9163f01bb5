"""The API fuzzed with schemathesis (接口模糊测试): every operation of /api/openapi.json, with an
admin's token and a street's, answers no 5xx, and every 4xx is the one error shape.

The schema is the one /api/openapi.json serves (that address needs a signed-in caller, and no
account exists when this module is imported, so it is built from the API object and rendered to
JSON as the view would); requests go through the WSGI application (no server), in-process on the
test's database connection, so the fuzzer's writes go through the services inside the test's
transaction and vanish with it. Half the path ids are real objects of the cast (both streets'), so
bodies and filters also reach the code behind the 404. Examples are bounded and derandomized: the
same cases every run, about a minute on SQLite. Run it alone with
``.venv/bin/python -m pytest tests/api/test_fuzz.py -q``; raise ``GAIZAO_FUZZ_EXAMPLES`` locally
for a longer hunt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from gaizao.api.api import api
from gaizao.ledger import services as ledger_services
from gaizao.org import services as org_services
from gaizao.progress.services import consultations, events, hardcases

EXAMPLES = int(os.environ.get("GAIZAO_FUZZ_EXAMPLES", "25"))
APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
SCHEMA.app, SCHEMA.location = APP, "/api/openapi.json"
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, list[int]]  # path parameter name -> real ids (street A's and street B's)


@pytest.fixture
def world(cast) -> World:
    admin = cast.admin
    person_a = ledger_services.person_add(actor=admin, household=cast.household_a1, name="李小四", relation="child")
    building_b = ledger_services.building_add(actor=admin, household=cast.household_b1, number="1",
                                              legal_area=Decimal("80.00"), legality="legal")
    heritage = ledger_services.heritage_create(actor=admin, village=cast.village_a, kind="old_tree", name="古榕树")
    event = events.household_record_event(actor=admin, household=cast.household_a1, kind="surveyed",
                                          on_date="2026-01-05")
    case = hardcases.hardcase_open(actor=admin, household=cast.household_a2, reason="price")
    consultation = consultations.consultation_open(actor=admin, project=cast.project_a, held_on="2026-01-06",
                                                   ends_on="2026-01-20")
    tokens = {
        role: org_services.apitoken_create(actor=getattr(cast, role), name="模糊测试")[1]
        for role in ("admin", "street_user_a")
    }
    households = [cast.household_a1.pk, cast.household_a2.pk, cast.household_b1.pk]
    return World(tokens=tokens, ids={
        "village_id": [cast.village_a.pk, cast.village_b.pk],
        "project_id": [cast.project_a.pk, cast.project_b.pk],
        "household_id": households,
        "person_id": [person_a.pk],
        "building_id": [cast.household_a1.buildings.get().pk, building_b.pk],
        "heritage_id": [heritage.pk],
        "event_id": [event.pk],
        "case_id": [case.pk],
        "consultation_id": [consultation.pk],
    })


@pytest.fixture
def in_process():
    """The WSGI handler closes "old" connections at each request's start and end, which would end
    the test's transaction; Django's own test client unhooks the same signal."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Generated integers stay inside 64 bits; an attacker's do not. Any integer the fuzzer sends may
# be swapped for one of these, which no database column or lookup can hold.
EXTREMES = (2**31, 2**63, -(2**63) - 1, 2**64, -935439044975556820992, 10**30)


def _extreme(value, data, label: str):
    if isinstance(value, int) and not isinstance(value, bool) and data.draw(st.integers(0, 3), label=label) == 0:
        return data.draw(st.sampled_from(EXTREMES), label=label)
    if isinstance(value, list):
        return [_extreme(item, data, label) for item in value]
    return value


def _with_extremes(case, data) -> None:
    for part in (case.path_parameters, case.query, case.body):
        if isinstance(part, dict):
            for name, value in part.items():
                part[name] = _extreme(value, data, name)


def _strategy(operation):
    return st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                     operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def _assert_error_shape(response, case) -> None:
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (content_type, case.as_curl_command())
    body = response.json()
    assert set(body) == {"message", "fields"}, (case.as_curl_command(), body)
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["fields"], dict), body


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_operation_answers_a_server_error(operation, world, in_process):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation), data=st.data())
    def run(case, data):
        for name in case.path_parameters or {}:
            if name in world.ids and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(world.ids[name]), label=name)
        _with_extremes(case, data)
        for key in world.tokens.values():
            response = case.call(headers={"Authorization": f"Token {key}"})
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                _assert_error_shape(response, case)

    run()
