"""Password policy (≥10 characters, ≥3 character classes) with Chinese messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.org import services
from gaizao.org.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = "Renovate-2026-ok"


def _change(client, old, new1, new2=None):
    return client.post(reverse("org:password_change"),
                       {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


def test_change_password_refuses_a_short_password_in_chinese(login_as, cast):
    html = _change(login_as(cast.street_user_a), PASSWORD, "Ab1!x").content.decode()
    assert 'data-testid="error-new_password1"' in html
    assert "密码太短，至少需要 10 个字符" in html


def test_change_password_refuses_too_few_character_classes(login_as, cast):
    response = _change(login_as(cast.street_user_a), PASSWORD, "onlylowercaseletters")
    assert response.status_code == 400
    assert "密码至少包含小写字母、大写字母、数字、符号中的 3 类" in response.content.decode()


def test_change_password_needs_the_current_password(login_as, cast):
    response = _change(login_as(cast.street_user_a), "not-the-Password-1", GOOD)
    assert "当前密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action="user.change_password", result="failure").exists()
    cast.street_user_a.refresh_from_db()
    assert cast.street_user_a.check_password(PASSWORD)


def test_change_password_needs_both_entries_to_match(login_as, cast):
    html = _change(login_as(cast.street_user_a), PASSWORD, GOOD, GOOD + "x").content.decode()
    assert "两次输入的新密码不一致" in html


def test_change_password_with_a_good_password_keeps_the_user_signed_in(login_as, cast):
    client = login_as(cast.street_user_a)
    response = _change(client, PASSWORD, GOOD)
    assert response.status_code == 302
    cast.street_user_a.refresh_from_db()
    assert cast.street_user_a.check_password(GOOD)
    assert cast.street_user_a.password.startswith("argon2")
    assert client.get(reverse("org:profile")).status_code == 200
    assert AuditEntry.objects.filter(action="user.change_password", actor=cast.street_user_a,
                                     result="success").exists()


def test_user_creation_enforces_the_policy(cast):
    with pytest.raises(AppError) as exc:
        services.user_create(actor=cast.admin, username="newbie", password="short",
                             memberships=[("street", cast.street_a)])
    assert "password" in exc.value.fields
    with pytest.raises(AppError, match="3 类"):
        services.user_create(actor=cast.admin, username="newbie", password="alllowercaseletters",
                             memberships=[("street", cast.street_a)])
    assert not User.objects.filter(username="newbie").exists()


def test_user_creation_page_shows_policy_errors_beside_the_password(login_as, cast):
    client = login_as(cast.admin)
    response = client.post(reverse("org:user_create"), {
        "username": "newbie", "full_name": "新人", "password1": "alllowercaseletters",
        "password2": "alllowercaseletters",
        "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "6",
        "m-0-role": "street", "m-0-org_unit": str(cast.street_a.pk),
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-password1"' in html and "3 类" in html
    assert not User.objects.filter(username="newbie").exists()


def test_argon2_is_the_password_hasher(cast):
    user = services.user_create(actor=SYSTEM, username="hashcheck", password=GOOD)
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize("password, expected", [
    ("Ab1!x", "密码太短，至少需要 10 个字符。"),
    ("abcdefghijkl", "密码至少包含小写字母、大写字母、数字、符号中的 3 类。"),
    ("12345678901234", "密码至少包含小写字母、大写字母、数字、符号中的 3 类。"),
    ("Password123!", None),
])
def test_every_policy_message_is_chinese(cast, password, expected):
    try:
        services.validate_new_password(password)
    except AppError as exc:
        assert expected is None or expected in exc.message
        assert not any("a" <= c.lower() <= "z" for c in exc.message), exc.message
    else:
        assert expected is None


def test_password_like_the_username_is_refused_in_chinese(cast):
    with pytest.raises(AppError) as exc:
        services.validate_new_password("Street_a-1", cast.street_user_a)
    assert "密码与用户名太相似" in exc.value.message
