"""API tokens (接口令牌): shown once, only the SM3 hash stored, revocable; the org API behind them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.core.crypto import sm3_hex
from gaizao.core.models import AuditEntry
from gaizao.org import services
from gaizao.org.models import ApiToken

pytestmark = pytest.mark.django_db


def _auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_token_is_shown_once_and_only_its_sm3_hash_is_stored(login_as, cast):
    client = login_as(cast.street_user_a)
    response = client.post(reverse("org:token_create"), {"name": "数据大屏"})
    assert response.status_code == 200
    html = response.content.decode()
    key = html.split('data-testid="new-token">', 1)[1].split("<", 1)[0]
    token = ApiToken.objects.get(user=cast.street_user_a)
    assert token.key_hash == sm3_hex(key.encode())
    assert token.prefix == key[:8]
    assert key not in str(list(ApiToken.objects.values()))
    assert key not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    again = client.get(reverse("org:profile")).content.decode()
    assert key not in again and token.prefix in again


def test_token_needs_a_purpose(login_as, cast):
    response = login_as(cast.street_user_a).post(reverse("org:token_create"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_authenticates_the_api(client, cast):
    _token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    response = client.get("/api/org/me", **_auth(key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "street_a"
    assert body["name"] == "王东湖"
    assert body["roles"] == [{"role": "street", "role_label": "街道工作人员", "unit_code": "440199001",
                              "unit_name": "东湖街道"}]
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_answers_401_in_the_one_error_shape(client, cast):
    token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    services.apitoken_revoke(actor=cast.street_user_a, token=token)
    response = client.get("/api/org/me", **_auth(key))
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "fields"}
    assert body["fields"] == {} and body["message"]


def test_unknown_token_and_no_token_answer_401(client, cast):
    assert client.get("/api/org/me", **_auth("not-a-token")).status_code == 401
    assert client.get("/api/org/me").status_code == 401


def test_token_of_a_disabled_account_answers_401(client, cast):
    _token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    services.user_set_active(actor=None, user=cast.street_user_a, active=False)
    assert client.get("/api/org/me", **_auth(key)).status_code == 401


def test_revoke_from_the_profile_page_and_twice_is_harmless(login_as, cast):
    client = login_as(cast.street_user_a)
    token, _key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    url = reverse("org:token_revoke", args=[token.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="apitoken.revoke").count() == 1


def test_someone_elses_token_cannot_be_revoked(login_as, cast):
    token, _key = services.apitoken_create(actor=cast.street_user_b, name="对接")
    client = login_as(cast.street_user_a)
    assert client.post(reverse("org:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_units_api_is_scoped_to_the_account(client, cast):
    _token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    codes = [u["code"] for u in client.get("/api/org/units", **_auth(key)).json()]
    assert codes == ["440199001", "440199001001"]
    _token, key = services.apitoken_create(actor=cast.leader, name="对接")
    codes = [u["code"] for u in client.get("/api/org/units", **_auth(key)).json()]
    assert len(codes) == 6 and codes[0] == "440199"


def test_units_api_gives_parent_codes(client, cast):
    _token, key = services.apitoken_create(actor=cast.cadre, name="对接")
    assert client.get("/api/org/units", **_auth(key)).json() == [{
        "code": "440199001001", "name": "东湖社区", "kind": "community", "kind_label": "社区",
        "parent_code": "440199001", "path": "440199/440199001/440199001001",
    }]


def test_outsider_sees_no_units(client, cast):
    _token, key = services.apitoken_create(actor=cast.outsider, name="对接")
    assert client.get("/api/org/units", **_auth(key)).json() == []


def test_token_works_for_privileged_roles_without_a_browser_second_factor(client, cast):
    _token, key = services.apitoken_create(actor=cast.admin, name="运维")
    response = client.get("/api/org/me", **_auth(key))
    assert response.status_code == 200 and response.json()["second_factor_required"] is True
