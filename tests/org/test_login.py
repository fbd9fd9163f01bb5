"""Sign-in (登录): Chinese page, failures counted by django-axes, lockout with a retry time, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry, Notification
from gaizao.org import selectors, services
from gaizao.org.views import retry_time
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def _post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _post_from(client, address, username, password):
    """A sign-in attempt from ``address`` (the client's REMOTE_ADDR)."""
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_is_chinese_with_district_name_and_no_app_navigation(client, cast):
    response = client.get(reverse("org:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert settings.DISTRICT_NAME in html
    assert "账号登录" in html and "用户名" in html and "密码" in html
    assert "navbar-menu" not in html  # its own minimal layout, not the app's navigation


def test_login_with_right_password_signs_in_and_goes_home(client, cast):
    response = _post_login(client, "street_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert int(client.session["_auth_user_id"]) == cast.street_user_a.pk


def test_login_follows_a_safe_next_and_ignores_an_external_one(client, cast):
    response = _post_login(client, "street_a", PASSWORD, next="/account/profile/")
    assert response["Location"] == "/account/profile/"
    client.post(reverse("org:logout"))
    response = _post_login(client, "street_a", PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == reverse("portal:home")


def test_wrong_password_is_refused_in_chinese_and_says_how_many_tries_are_left(client, cast):
    response = _post_login(client, "street_a", "wrong-Password-1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户名或密码错误" in html
    assert "再失败 4 次" in html
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, cast):
    html = _post_login(client, "nobody", "whatever-Pass-1").content.decode()
    assert "用户名或密码错误" in html


def test_disabled_user_is_told_the_account_is_disabled_and_not_signed_in(client, cast):
    services.user_set_active(actor=SYSTEM, user=cast.street_user_a, active=False)
    response = _post_login(client, "street_a", PASSWORD)
    assert response.status_code == 200
    assert "该账号已停用" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_fields_show_chinese_errors_beside_the_fields(client, cast):
    html = _post_login(client, "", "").content.decode()
    assert 'data-testid="error-username"' in html and 'data-testid="error-password"' in html
    assert "必填" in html


def test_five_failures_lock_the_account_even_for_the_right_password(client, cast):
    for _ in range(4):
        assert _post_login(client, "street_a", "wrong-Password-1").status_code == 200
    assert _post_login(client, "street_a", "wrong-Password-1").status_code == 429
    response = _post_login(client, "street_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_account_is_told_when_to_retry(client, cast):
    for _ in range(5):
        response = _post_login(client, "street_a", "wrong-Password-1")
    assert response.status_code == 429
    html = response.content.decode()
    last = AccessAttempt.objects.filter(username="street_a").latest("attempt_time").attempt_time
    expected = retry_time(last + dt.timedelta(minutes=15))
    assert "账号已锁定" in html
    assert f"请于北京时间 {expected} 之后再试" in html
    # The time shown is 15 (rounded up: at most 16) minutes from now, in Beijing time.
    shown = dt.datetime.strptime(expected, "%H:%M").time()
    now_local = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=8)))
    delta = (dt.datetime.combine(now_local.date(), shown) - now_local.replace(tzinfo=None)).total_seconds() % 86400
    assert 14 * 60 <= delta <= 16 * 60


def test_retry_time_rounds_up_to_the_next_minute_in_beijing_time():
    utc = dt.UTC
    assert retry_time(dt.datetime(2026, 1, 5, 2, 15, 0, tzinfo=utc)) == "10:15"
    assert retry_time(dt.datetime(2026, 1, 5, 2, 15, 1, tzinfo=utc)) == "10:16"


def test_lock_of_one_name_leaves_other_names_at_that_address_alone(client, cast):
    for _ in range(5):
        _post_login(client, "street_a", "wrong-Password-1")
    response = _post_login(client, "street_b", PASSWORD)
    assert response.status_code == 302


ATTACKER, DESK = "203.0.113.66", "10.20.1.7"


def test_five_failures_from_one_address_lock_the_name_there_only(client, cast):
    """The attack: five requests from anywhere used to lock the administrator out everywhere."""
    for _ in range(5):
        _post_from(client, ATTACKER, "admin", "wrong-Password-1")
    assert _post_from(client, ATTACKER, "admin", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    response = _post_from(client, DESK, "admin", PASSWORD)
    assert response.status_code == 302  # on to the second factor: the password was accepted
    assert int(client.session["_auth_user_id"]) == cast.admin.pk


def test_the_locked_page_says_the_lock_holds_at_this_address(client, cast):
    for _ in range(5):
        response = _post_from(client, ATTACKER, "street_a", "wrong-Password-1")
    assert response.status_code == 429
    assert "该账号在此地址已被锁定" in response.content.decode()


def test_a_lock_tells_the_security_officers_once(client, cast):
    for _ in range(7):
        _post_from(client, ATTACKER, "admin", "wrong-Password-1")
    notes = Notification.objects.filter(kind="account_locked")
    assert list(notes.values_list("recipient_id", flat=True)) == [cast.security.pk]
    assert "admin" in notes.get().title and ATTACKER in notes.get().title


def test_the_security_officer_sees_each_locked_address_and_unlocks_them_all(login_as, cast):
    from django.test import Client

    for address in (ATTACKER, "198.51.100.9"):
        for _ in range(5):
            _post_from(Client(), address, "street_a", "wrong-Password-1")
    assert {(lock.username, lock.ip_address) for lock in selectors.lockout_list()} == {
        ("street_a", ATTACKER), ("street_a", "198.51.100.9")}
    security = login_as(cast.security)
    html = security.get(reverse("org:user_list")).content.decode()
    table = html.split('data-testid="locked-accounts"', 1)[1].split("</table>", 1)[0]
    assert ATTACKER in table and "198.51.100.9" in table
    assert security.post(reverse("org:user_unlock"), {"username": "street_a"}).status_code == 302
    assert selectors.lockout_list() == []
    assert _post_from(Client(), ATTACKER, "street_a", PASSWORD).status_code == 302


def test_success_clears_earlier_failures(client, cast):
    for _ in range(4):
        _post_login(client, "street_a", "wrong-Password-1")
    assert _post_login(client, "street_a", PASSWORD).status_code == 302
    client.post(reverse("org:logout"))
    assert "再失败 4 次" in _post_login(client, "street_a", "wrong-Password-1").content.decode()


def test_login_failure_and_lockout_are_audited_with_username_and_never_the_password(client, cast):
    secret = "Very-Secret-Guess-9"
    for _ in range(5):
        _post_login(client, "street_a", secret)
    failed = AuditEntry.objects.filter(action="auth.login_failed")
    assert failed.count() == 5
    entry = failed.first()
    assert entry.actor_name == "street_a"
    assert entry.actor_id is None
    assert entry.result == AuditEntry.Result.FAILURE
    assert entry.ip == "127.0.0.1"
    assert entry.changes["reason"] == "wrong_password"
    locked = AuditEntry.objects.get(action="auth.locked")
    assert locked.actor_name == "street_a" and locked.result == AuditEntry.Result.FAILURE
    for row in AuditEntry.objects.values_list("changes", "object_repr", "actor_name"):
        assert secret not in str(row)


def test_login_and_logout_are_audited(client, cast):
    _post_login(client, "street_a", PASSWORD)
    client.post(reverse("org:logout"))
    login = AuditEntry.objects.get(action="auth.login")
    logout = AuditEntry.objects.get(action="auth.logout")
    assert login.actor_id == logout.actor_id == cast.street_user_a.pk
    assert login.result == logout.result == AuditEntry.Result.SUCCESS
    assert login.ip == "127.0.0.1"


def test_logout_is_post_only(client, cast):
    _post_login(client, "street_a", PASSWORD)
    assert client.get(reverse("org:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("org:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("org:login")
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_page_is_sent_on(client, cast):
    _post_login(client, "street_a", PASSWORD)
    assert client.get(reverse("org:login"))["Location"] == reverse("portal:home")


def test_the_lock_follows_the_failure_that_caused_it_in_the_trail(client, cast):
    for _ in range(6):
        _post_login(client, "street_a", "wrong-Password-1")
    actions = list(
        AuditEntry.objects.filter(action__startswith="auth.").order_by("id").values_list("action", flat=True))
    assert actions == ["auth.login_failed"] * 5 + ["auth.locked", "auth.login_failed", "auth.locked"]
    last_failure = AuditEntry.objects.filter(action="auth.login_failed").order_by("-id").first()
    assert last_failure.changes["reason"] == "locked"


def test_form_errors_stay_chinese_when_the_browser_asks_for_english(client, cast):
    html = client.post(LOGIN, {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "此项必填" in html and "This field is required" not in html
