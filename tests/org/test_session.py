"""Idle timeout (等保: 登录超时): a session ends 30 minutes after the last request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_expires_30_minutes_after_a_request(login_as, cast):
    client = login_as(cast.street_user_a)
    before = timezone.now()
    assert client.get(reverse("org:profile")).status_code == 200
    after = timezone.now()
    expiry = _session(client).expire_date
    assert before + dt.timedelta(minutes=30) - dt.timedelta(seconds=1) <= expiry
    assert expiry <= after + dt.timedelta(minutes=30) + dt.timedelta(seconds=1)


def test_each_request_pushes_the_idle_deadline_back(login_as, cast):
    client = login_as(cast.street_user_a)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=2))
    client.get(reverse("org:profile"))
    assert _session(client).expire_date >= timezone.now() + dt.timedelta(minutes=29)


def test_idle_session_has_ended_and_asks_to_sign_in_again(login_as, cast):
    client = login_as(cast.street_user_a)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("org:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_session_cookie_is_http_only_and_ends_with_the_browser(client, cast):
    from tests.conftest import PASSWORD

    response = client.post(reverse("org:login"), {"username": "street_a", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert not cookie["max-age"] and not cookie["expires"]
