"""API tokens (接口令牌): shown once, only the SM3 hash stored, revocable; the org API behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.org import services
from gaizao.org.models import ApiToken
from tests.conftest import PASSWORD

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
    services.user_set_active(actor=SYSTEM, user=cast.street_user_a, active=False)
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


# --- expiry (有效期) ------------------------------------------------------------------------------

def _expire(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))


def test_an_expired_token_answers_401_saying_it_expired(client, cast):
    token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    assert client.get("/api/org/me", **_auth(key)).status_code == 200
    _expire(token)
    response = client.get("/api/org/me", **_auth(key))
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "fields"} and body["fields"] == {}
    assert "过期" in body["message"]


def test_a_token_lives_the_configured_days_by_default_and_never_longer(cast, settings):
    token, _key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    short, _key = services.apitoken_create(actor=cast.street_user_a, name="临时", days=7)
    assert abs(short.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    with pytest.raises(AppError) as refused:
        services.apitoken_create(actor=cast.street_user_a, name="太久", days=91)
    assert "days" in refused.value.fields
    settings.GAIZAO_API_TOKEN_DAYS = 30
    with pytest.raises(AppError):
        services.apitoken_create(actor=cast.street_user_a, name="太久", days=31)
    assert ApiToken.objects.count() == 2


def test_the_profile_form_refuses_a_longer_period_beside_the_field(login_as, cast):
    client = login_as(cast.street_user_a)
    response = client.post(reverse("org:token_create"), {"name": "数据大屏", "days": "365"})
    assert response.status_code == 400
    assert "有效期最长 90 天" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert client.post(reverse("org:token_create"), {"name": "数据大屏", "days": "30"}).status_code == 200
    token = ApiToken.objects.get()
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)


def test_the_profile_page_shows_each_tokens_expiry_and_status(login_as, cast):
    live, _key = services.apitoken_create(actor=cast.street_user_a, name="在用")
    old, _key = services.apitoken_create(actor=cast.street_user_a, name="过期的")
    _expire(old)
    dead, _key = services.apitoken_create(actor=cast.street_user_a, name="吊销的")
    services.apitoken_revoke(actor=cast.street_user_a, token=dead)
    html = login_as(cast.street_user_a).get(reverse("org:profile")).content.decode()
    statuses = [chunk.split(">", 1)[1].split("<", 1)[0] for chunk in html.split('data-testid="token-status"')[1:]]
    assert statuses == ["已吊销", "已过期", "有效"]  # newest first
    assert timezone.localtime(live.expires_at).strftime("%Y-%m-%d %H:%M") in html


# --- tokens die with the password and with the account ------------------------------------------

def test_changing_ones_password_kills_ones_tokens(client, cast):
    _token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    services.user_change_password(actor=cast.street_user_a, old_password=PASSWORD, new_password="Fresh-Passw0rd-2")
    assert client.get("/api/org/me", **_auth(key)).status_code == 401
    entry = AuditEntry.objects.get(action="apitoken.revoke")
    assert entry.changes["reason"] == "password_change" and entry.actor_id == cast.street_user_a.pk


def test_an_administrators_password_reset_kills_the_tokens(client, cast):
    _token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    services.user_set_password(actor=cast.admin, user=cast.street_user_a, password="Fresh-Passw0rd-2")
    assert client.get("/api/org/me", **_auth(key)).status_code == 401
    assert AuditEntry.objects.get(action="apitoken.revoke").changes["reason"] == "password_set"


def test_a_disabled_accounts_tokens_stay_dead_after_it_is_enabled_again(client, cast):
    token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    services.user_set_active(actor=cast.admin, user=cast.street_user_a, active=False)
    assert client.get("/api/org/me", **_auth(key)).status_code == 401
    services.user_set_active(actor=cast.admin, user=cast.street_user_a, active=True)
    assert client.get("/api/org/me", **_auth(key)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="apitoken.revoke").changes["reason"] == "account_disabled"


# --- the security officer ----------------------------------------------------------------------

def test_the_security_officer_lists_every_accounts_tokens(login_as, cast):
    token_a, _key = services.apitoken_create(actor=cast.street_user_a, name="东湖对接")
    token_b, _key = services.apitoken_create(actor=cast.street_user_b, name="西岭对接")
    client = login_as(cast.security)
    html = client.get(reverse("org:token_list")).content.decode()
    table = html.split('data-testid="token-table"', 1)[1].split("</table>", 1)[0]
    assert "东湖对接" in table and "西岭对接" in table and token_a.prefix in table and "有效" in table
    only_b = client.get(reverse("org:token_list") + "?owner=street_b").content.decode()
    assert "西岭对接" in only_b and "东湖对接" not in only_b
    accounts = client.get(reverse("org:user_list")).content.decode()
    assert 'data-testid="tokens-of-street_a"' in accounts


def test_the_security_officer_revokes_anothers_token_with_a_reason(client, cast, login_as):
    token, key = services.apitoken_create(actor=cast.street_user_a, name="对接")
    security = login_as(cast.security)
    response = security.post(reverse("org:token_admin_revoke", args=[token.pk]), {"reason": "人员调离"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="apitoken.revoke")
    assert entry.actor_id == cast.security.pk
    assert entry.changes == {"owner": "street_a", "reason": "人员调离"}
    assert Client().get("/api/org/me", **_auth(key)).status_code == 401


def test_a_street_user_cannot_revoke_or_list_anothers_tokens(login_as, cast):
    token, _key = services.apitoken_create(actor=cast.street_user_b, name="对接")
    client = login_as(cast.street_user_a)
    assert client.post(reverse("org:token_admin_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("org:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("org:token_list")).status_code == 404
    with pytest.raises(AppError) as refused:
        services.apitoken_revoke(actor=cast.street_user_a, token=token)
    assert refused.value.status == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_administrator_does_not_manage_others_tokens(login_as, cast):
    """三员分立: tokens are account security, the security officer's, not the administrator's."""
    token, _key = services.apitoken_create(actor=cast.street_user_b, name="对接")
    client = login_as(cast.admin)
    assert client.get(reverse("org:token_list")).status_code == 404
    assert client.post(reverse("org:token_admin_revoke", args=[token.pk])).status_code == 404
