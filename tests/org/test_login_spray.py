"""Password spraying (登录限速): a user name failing from many addresses is slowed down, never locked."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gaizao.core.models import AuditEntry, Notification
from gaizao.org.models import LoginThrottle
from tests.conftest import PASSWORD
from tests.org.lockout import lock_out, spray

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def _attempt(address: str, password: str, username: str = "admin"):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _spray(count: int, username: str = "admin") -> None:
    """``count`` wrong passwords through the sign-in page, each from its own address (no address
    reaches the lock). Tests past the first ones write the failures directly (``spray``)."""
    for i in range(count):
        assert _attempt(f"198.51.100.{i + 1}", "wrong-Password-1", username).status_code == 200


def test_spray_limit_and_delay_have_the_documented_defaults():
    assert settings.GAIZAO_LOGIN_SPRAY_LIMIT == 10
    assert settings.GAIZAO_LOGIN_SPRAY_DELAY_SECONDS == 30


def test_after_eleven_failures_from_eleven_addresses_even_the_right_password_waits(cast):
    _spray(11)
    response = _attempt("10.20.1.7", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "已临时限速" in html and "秒后再试" in html
    assert "_auth_user_id" not in response.wsgi_request.session


def test_ten_failures_from_ten_addresses_do_not_slow_anyone_down(cast):
    _spray(10)
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.exists()


def test_a_refused_attempt_is_refused_before_the_password_is_checked(cast):
    _spray(11)
    failures_before = AccessAttempt.objects.filter(username="admin").count()
    assert _attempt("198.51.100.200", "wrong-Password-1").status_code == 429
    # No failure counted by django-axes, no "wrong password" in the trail: the password was never looked at.
    assert AccessAttempt.objects.filter(username="admin").count() == failures_before
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 11
    refused = AuditEntry.objects.get(action="auth.throttled")
    assert refused.object_repr == "admin" and refused.ip == "198.51.100.200"
    assert refused.result == AuditEntry.Result.FAILURE


def test_the_security_officer_is_told_once_per_episode_and_the_start_is_audited(cast):
    spray("admin", 11)
    for i in range(3):
        assert _attempt(f"203.0.113.{i + 1}", "wrong-Password-1").status_code == 429
    notes = Notification.objects.filter(kind="login_spray")
    assert list(notes.values_list("recipient_id", flat=True)) == [cast.security.pk]
    assert "admin" in notes.get().title
    assert AuditEntry.objects.filter(action="auth.throttle_start", object_repr="admin").count() == 1
    assert AuditEntry.objects.filter(action="auth.throttled").count() == 3
    assert LoginThrottle.objects.get(username="admin").refused == 3


def test_one_attempt_per_delay_gets_through_and_refusals_do_not_push_the_slot(cast):
    spray("admin", 11)
    assert _attempt("203.0.113.1", PASSWORD).status_code == 429
    throttle = LoginThrottle.objects.get(username="admin")
    slot = throttle.next_attempt_at
    assert _attempt("203.0.113.2", PASSWORD).status_code == 429
    throttle.refresh_from_db()
    assert throttle.next_attempt_at == slot  # an attacker hammering cannot keep the real user out
    # The delay has passed: one attempt (the real admin at his desk) checks its password ...
    LoginThrottle.objects.filter(pk=throttle.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302
    # ... and the next one within the delay waits again.
    assert _attempt("203.0.113.3", "wrong-Password-1").status_code == 429


def test_the_episode_ends_when_the_failures_leave_the_window(cast):
    spray("admin", 11)
    assert _attempt("10.20.1.7", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.exists()


def test_unlocking_the_name_ends_the_throttle(login_as, cast):
    spray("admin", 11)
    assert _attempt("10.20.1.7", PASSWORD).status_code == 429
    security = login_as(cast.security)
    html = security.get(reverse("org:user_list")).content.decode()
    assert 'data-testid="throttled-accounts"' in html
    assert security.post(reverse("org:user_unlock"), {"username": "admin"}).status_code == 302
    assert not LoginThrottle.objects.exists()
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(action="user.unlock").get()
    assert entry.changes["throttle_cleared"] is True


def test_the_throttle_holds_for_user_names_that_do_not_exist(cast):
    spray("nobody", 11)
    response = _attempt("10.20.1.7", "whatever-Pass-1", username="nobody")
    assert response.status_code == 429 and "已临时限速" in response.content.decode()
    assert LoginThrottle.objects.filter(username="nobody").exists()


def test_one_address_hammering_past_its_own_lock_slows_nobody_else_down(cast):
    lock_out("admin", "203.0.113.66")
    AccessAttempt.objects.filter(username="admin").update(failures_since_start=40)
    assert _attempt("203.0.113.66", PASSWORD).status_code == 429  # locked there
    assert not LoginThrottle.objects.exists()  # ... which takes no turn from anyone
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302


def test_a_locked_address_does_not_take_the_turn_of_a_throttled_name(cast):
    spray("admin", 11)
    lock_out("admin", "203.0.113.66")
    LoginThrottle.objects.create(username="admin", started_at=timezone.now(),
                                 next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert _attempt("203.0.113.66", "wrong-Password-1").status_code == 429
    assert _attempt("10.20.1.7", PASSWORD).status_code == 302
