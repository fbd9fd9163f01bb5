"""The client's address behind the district's reverse proxies: one rule for the lockout and the audit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from gaizao.core.models import AuditEntry
from gaizao.core.requests import client_ip, forwarded_client_ip
from tests.conftest import PASSWORD

PROXY = "10.0.0.5"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_a_forwarded_header_from_an_untrusted_connection_is_not_believed():
    with override_settings(TRUSTED_PROXIES=[]):
        assert forwarded_client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        assert forwarded_client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=[PROXY, "10.1.0.0/24"])
def test_behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client():
    # A client can write anything at the left; the proxy appended its real address at the right.
    assert forwarded_client_ip(_request(PROXY, "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # Two proxies in a chain: the inner one's address is skipped as trusted.
    assert forwarded_client_ip(_request(PROXY, "198.51.100.7, 10.1.0.20")) == "198.51.100.7"
    # No header, or only proxies in it: the connection's address.
    assert forwarded_client_ip(_request(PROXY)) == PROXY
    assert forwarded_client_ip(_request(PROXY, "not-an-address")) == PROXY
    assert client_ip(_request(PROXY, "198.51.100.8")) == "198.51.100.8"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_five_failures_behind_the_proxy_lock_the_attacker_not_the_admin_at_his_desk(client, cast):
    for _ in range(5):
        client.post("/account/login/", {"username": "admin", "password": "wrong-Password-1"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    locked = client.post("/account/login/", {"username": "admin", "password": PASSWORD},
                         REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert locked.status_code in (403, 429)
    desk = client.post("/account/login/", {"username": "admin", "password": PASSWORD},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert desk.status_code == 302
    entry = AuditEntry.objects.filter(action="auth.login", actor_name="admin").first()
    assert entry is not None and entry.ip == "192.0.2.10"
