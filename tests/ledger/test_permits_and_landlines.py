"""Residence permits and landlines on every write path (issue 10, item 7): the page, the API, the
import and the command accept them, store one canonical form (encrypted, with its keyed hash), show
it masked, and refuse a wrong one with a message naming the field, and the rule. The import and
the command: tests/ledger/importing/test_numbers.py.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gaizao.core import crypto
from gaizao.core.validators import id_check_char
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Person
from tests.ledger.conftest import form_data


def permit(region: str = "830000", seq: int = 1, birth: str = "19850505") -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


# The import's tests (tests/ledger/importing/test_numbers.py) use the same numbers.
HK_PERMIT = permit("810000", 11)
TW_PERMIT = permit("830000", 12)
BAD_PERMIT = permit("811234", 13)  # a right check digit, the region part wrong
PERMIT_RULE = "前 6 位应为 810000"
BAD_LANDLINE = "0201-2345678"
LANDLINE_RULE = "区号 0201 不存在"


# --- the pages ---------------------------------------------------------------------------------------

def _household_edit(client, cast, **changes):
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize("field, value, rule", [
    ("head_id_number", BAD_PERMIT, PERMIT_RULE),
    ("phone", BAD_LANDLINE, LANDLINE_RULE),
    ("phone", "82345678", "固定电话须带区号"),
])
def test_the_household_page_refuses_a_bad_permit_or_landline_beside_its_field(cast, login_as, field, value, rule):
    response = _household_edit(login_as(cast.street_user_a), cast, **{field: value})
    assert response.status_code == 400
    assert rule in response.context["form"].errors[field][0]
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Household.objects.get(pk=cast.household_a1.pk).version == 1


def test_the_household_page_takes_a_permit_and_a_landline_and_shows_them_masked(cast, login_as):
    client = login_as(cast.street_user_a)
    response = _household_edit(client, cast, head_id_number=TW_PERMIT.lower(), phone="（020）8765 4321")
    assert response.status_code == 302
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert (household.head_id_number, household.phone) == (TW_PERMIT, "020-87654321")
    assert household.head_id_hash == crypto.lookup_hash(TW_PERMIT)
    assert household.phone_hash == crypto.lookup_hash("020-87654321")
    html = client.get(reverse("ledger:household_edit", args=[household.pk])).content.decode()
    assert "020-****4321" in html and f"830000********{TW_PERMIT[-4:]}" in html
    assert "87654321" not in html and TW_PERMIT not in html
    # Submitting the masked form back keeps both numbers.
    assert _household_edit(client, cast, address="新址").status_code == 302
    household.refresh_from_db()
    assert (household.head_id_number, household.phone, household.address) == (TW_PERMIT, "020-87654321", "新址")


def test_the_household_list_shows_a_landline_masked(cast, login_as):
    ledger_services.household_update(actor=cast.admin, household=cast.household_a1, version=1, phone="0755-1234567")
    html = login_as(cast.street_user_a).get("/ledger/households/").content.decode()
    assert "0755-***4567" in html and "1234567" not in html


def test_the_person_page_refuses_a_bad_permit_and_takes_a_good_one(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:person_create", args=[cast.household_a1.pk])
    data = {**form_data(client.get(url)), "name": "李港生", "relation": "child", "id_number": BAD_PERMIT}
    response = client.post(url, data)
    assert response.status_code == 400
    assert PERMIT_RULE in response.context["form"].errors["id_number"][0]
    assert client.post(url, {**data, "id_number": HK_PERMIT}).status_code == 302
    assert Person.objects.get(name="李港生").id_number == HK_PERMIT


# --- the API -----------------------------------------------------------------------------------------

def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field, value, rule", [
    ("head_id_number", BAD_PERMIT, PERMIT_RULE),
    ("phone", BAD_LANDLINE, LANDLINE_RULE),
    ("phone", "020-123456", "应为 7–8 位，实际为 6 位"),
])
def test_the_api_refuses_a_bad_permit_or_landline_naming_the_field(cast, login_as, field, value, rule):
    response = _send(login_as(cast.street_user_a), "patch", f"/api/ledger/households/{cast.household_a1.pk}",
                     {"version": 1, field: value})
    assert response.status_code == 400
    assert rule in response.json()["fields"][field]
    assert Household.objects.get(pk=cast.household_a1.pk).version == 1


def test_the_api_refuses_a_members_bad_permit(cast, login_as):
    response = _send(login_as(cast.street_user_a), "post", f"/api/ledger/households/{cast.household_a1.pk}/persons",
                     {"name": "李台生", "relation": "child", "id_number": BAD_PERMIT})
    assert response.status_code == 400
    assert PERMIT_RULE in response.json()["fields"]["id_number"]


def test_the_api_takes_a_permit_and_a_landline_and_returns_them_masked(cast, login_as):
    client = login_as(cast.street_user_a)
    response = _send(client, "post", "/api/ledger/households", {
        "project_id": cast.project_a.pk, "number": "HK-001", "head_name": "区家明", "head_id_number": HK_PERMIT,
        "phone": "0755 1234 5678 转 801"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["head_id_masked"] == f"810000********{HK_PERMIT[-4:]}"
    assert body["phone_masked"] == "0755-****5678-***"
    assert HK_PERMIT not in response.content.decode()
    stored = Household.objects.get(number="HK-001")
    assert (stored.head_id_number, stored.phone, stored.head_initials) == (HK_PERMIT, "0755-12345678-801", "ojm")
    # Found by its permit number through the keyed hash, as an ID is.
    page = client.get("/api/ledger/households", {"q": HK_PERMIT.lower()}).json()
    assert [item["number"] for item in page["items"]] == ["HK-001"]
