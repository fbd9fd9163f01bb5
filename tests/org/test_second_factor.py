"""Second factor (动态口令, TOTP) for admin and commander: enrol, verify, and nothing before it."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OTP = "/account/otp/"


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + drift)
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


def _sign_in(client, username):
    return client.post(reverse("org:login"), {"username": username, "password": PASSWORD})


def test_admin_without_device_is_sent_to_enrol_after_password(client, cast):
    response = _sign_in(client, "admin")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:otp"))


def test_enrol_page_shows_inline_svg_qr_and_base32_secret(client, cast):
    _sign_in(client, "admin")
    response = client.get(OTP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "绑定动态口令" in html
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=cast.admin)
    assert device.confirmed is False
    secret = base64.b32encode(device.bin_key).decode()
    shown = html.split('data-testid="otp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    assert shown == secret


def test_reloading_enrol_page_keeps_the_same_unconfirmed_device(client, cast):
    _sign_in(client, "admin")
    client.get(OTP)
    client.get(OTP)
    assert TOTPDevice.objects.filter(user=cast.admin).count() == 1


def test_enrolment_confirms_on_a_correct_code_and_verifies_the_session(client, cast):
    _sign_in(client, "admin")
    client.get(OTP)
    device = TOTPDevice.objects.get(user=cast.admin)
    response = client.post(OTP, {"token": code_for(device), "next": "/account/profile/"})
    assert response.status_code == 302 and response["Location"] == "/account/profile/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("org:profile")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_enrol", actor=cast.admin,
                                     result=AuditEntry.Result.SUCCESS).exists()


def test_wrong_code_is_refused_in_chinese_and_audited(client, cast):
    _sign_in(client, "admin")
    client.get(OTP)
    response = client.post(OTP, {"token": wrong_code_for(TOTPDevice.objects.get(user=cast.admin))})
    assert response.status_code == 400
    assert "动态口令不正确" in response.content.decode()
    assert not TOTPDevice.objects.get(user=cast.admin).confirmed
    assert AuditEntry.objects.filter(action="auth.otp_enrol", result=AuditEntry.Result.FAILURE).exists()
    assert client.get(reverse("org:profile"))["Location"].startswith(OTP)


def test_malformed_code_gets_a_chinese_error_beside_the_field(client, cast):
    _sign_in(client, "admin")
    client.get(OTP)
    html = client.post(OTP, {"token": "abc"}).content.decode()
    assert 'data-testid="error-token"' in html


def test_enrolled_commander_verifies_with_the_current_code(client, cast):
    device = TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    _sign_in(client, "commander")
    page = client.get(OTP).content.decode()
    assert "输入动态口令" in page and "<svg" not in page
    response = client.post(OTP, {"token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.session["otp_device_id"] == device.persistent_id
    assert AuditEntry.objects.filter(action="auth.otp_verify", actor=cast.commander,
                                     result=AuditEntry.Result.SUCCESS).exists()


def test_a_code_cannot_be_used_twice(client, cast):
    device = TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    code = code_for(device)
    _sign_in(client, "commander")
    assert client.post(OTP, {"token": code}).status_code == 302
    client.post(reverse("org:logout"))
    _sign_in(client, "commander")
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(OTP, {"token": code}).status_code == 400


def test_repeated_wrong_codes_are_throttled_with_a_chinese_message(client, cast):
    device = TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    _sign_in(client, "commander")
    client.post(OTP, {"token": wrong_code_for(device)})
    response = client.post(OTP, {"token": code_for(device)})
    assert response.status_code == 400
    assert "秒后再试" in response.content.decode()


def test_user_without_second_factor_role_skips_the_otp_page(client, cast):
    _sign_in(client, "street_a")
    assert client.get(OTP)["Location"] == reverse("portal:home")


@pytest.mark.parametrize("who", ["admin", "commander"])
@pytest.mark.parametrize("url", ["/", "/account/profile/", "/account/units/", "/account/users/", "/audit/"])
def test_privileged_user_reaches_no_page_before_second_factor(client, cast, who, url):
    client.force_login(getattr(cast, who))
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("org:otp")
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("who", ["admin", "commander"])
def test_privileged_user_gets_403_json_from_api_before_second_factor(client, cast, who):
    client.force_login(getattr(cast, who))
    for url in ("/api/org/me", "/api/org/units"):
        response = client.get(url)
        assert response.status_code == 403
        body = response.json()
        assert set(body) == {"message", "fields"} and body["fields"] == {}
        assert "双因素" in body["message"]


@pytest.mark.parametrize("who", ["admin", "commander"])
def test_the_api_docs_page_sends_an_unverified_privileged_user_to_the_code_page(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get("/api/docs")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("org:otp") and parse_qs(location.query)["next"] == ["/api/docs"]
    assert client.get("/api/openapi.json").status_code == 403  # the schema is the API: JSON


def test_unverified_privileged_user_may_still_sign_out(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("org:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("org:login")


def test_verified_admin_reaches_pages(login_as, cast):
    client = login_as(cast.admin)
    assert client.get("/account/profile/").status_code == 200
    assert client.get("/api/org/me").status_code == 200
