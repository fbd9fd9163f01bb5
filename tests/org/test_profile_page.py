"""Account security page (账号安全): own roles, second-factor devices."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_profile_shows_own_roles_and_breadcrumbs(login_as, cast):
    response = login_as(cast.street_user_a).get(reverse("org:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "街道工作人员 · 东湖街道" in html
    assert response.context["breadcrumbs"] == [("账号安全", None)]


def test_profile_requires_sign_in(client, cast):
    response = client.get(reverse("org:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:login"))


def test_device_section_is_shown_to_privileged_roles_only(login_as, cast):
    assert "动态口令设备" in login_as(cast.admin).get(reverse("org:profile")).content.decode()


def test_device_section_is_hidden_for_other_roles(login_as, cast):
    assert "动态口令设备" not in login_as(cast.street_user_a).get(reverse("org:profile")).content.decode()


def test_removing_a_device_needs_the_current_password(login_as, cast):
    client = login_as(cast.admin)
    device = TOTPDevice.objects.get(user=cast.admin)
    response = client.post(reverse("org:device_remove", args=[device.pk]), {"password": "wrong-Password-1"})
    assert response.status_code == 400 and "当前密码不正确" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    response = client.post(reverse("org:device_remove", args=[device.pk]), {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="auth.otp_remove", actor=cast.admin).exists()


def test_someone_elses_device_is_not_found(login_as, cast):
    other = TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    response = login_as(cast.admin).post(reverse("org:device_remove", args=[other.pk]), {"password": PASSWORD})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=other.pk).exists()
