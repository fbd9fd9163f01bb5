"""Security headers (issue 15, item 9): every page of every role's menu answers with a
Content-Security-Policy that allows no inline script, and with the other headers OWASP and Django's
deployment check recommend; no page carries an inline script or an inline event handler, so the
policy breaks nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.urls import reverse

from gaizao.portal import navigation
from tests.conftest import login
from tests.core.test_settings import PRODUCTION, _run

ROLES = ["admin", "commander", "leader", "street_user_a", "street_user_b", "department_user",
         "cadre", "resident", "outsider", "auditor", "security"]

# Pages beyond the menu that a role reaches by following links: detail pages of objects in its scope
# (the household page carries the progress card with its recording form), forms and the account page.
EXTRA = {
    "admin": ["village_a", "household_a1", "building_a1", "village_create", "household_create", "import_start",
              "unit_create", "user_create", "board_a"],
    "commander": ["village_a", "household_a1", "household_b1"],
    "leader": ["village_b", "household_b1"],
    "street_user_a": ["village_a", "household_a1", "household_a2", "building_a1", "household_create",
                      "import_start"],
    "street_user_b": ["village_b", "household_b1"],
    "cadre": ["household_a1"],
    "resident": [],
}


def _extra_url(cast, name: str) -> str:
    return {
        "village_a": lambda: reverse("ledger:village_detail", args=[cast.village_a.pk]),
        "village_b": lambda: reverse("ledger:village_detail", args=[cast.village_b.pk]),
        "household_a1": lambda: reverse("ledger:household_detail", args=[cast.household_a1.pk]),
        "household_a2": lambda: reverse("ledger:household_detail", args=[cast.household_a2.pk]),
        "household_b1": lambda: reverse("ledger:household_detail", args=[cast.household_b1.pk]),
        "building_a1": lambda: reverse("ledger:building_detail", args=[cast.household_a1.buildings.get().pk]),
        "village_create": lambda: reverse("ledger:village_create"),
        "household_create": lambda: reverse("ledger:household_create", args=[cast.project_a.pk]),
        "import_start": lambda: reverse("ledger:import_start"),
        "unit_create": lambda: reverse("org:unit_create"),
        "user_create": lambda: reverse("org:user_create"),
        "board_a": lambda: reverse("progress:board", args=[cast.project_a.code]),
    }[name]()


def pages_of(cast, role: str) -> list[str]:
    """Every page in the role's menu, its account page, and the pages it reaches from them."""
    user = getattr(cast, role)
    urls = [item["url"] for item in navigation.flat(navigation.items_for(user))]
    urls.append(reverse("org:profile"))
    urls += [_extra_url(cast, name) for name in EXTRA.get(role, [])]
    return urls


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{url}: no Content-Security-Policy"
    policy = _directives(csp)
    assert policy["default-src"] == ["'self'"], url
    # no inline script, no eval, no other origin: an injected <script> or on*= never runs
    assert policy["script-src"] == ["'self'"], url
    assert policy["object-src"] == ["'none'"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert policy["form-action"] == ["'self'"], url
    assert policy["connect-src"] == ["'self'"], url
    assert policy["style-src-elem"] == ["'self'"], url
    assert response.headers["X-Content-Type-Options"] == "nosniff", url
    assert response.headers["Referrer-Policy"] == "same-origin", url
    assert response.headers["X-Frame-Options"] == "DENY", url
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin", url
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, f"{url}: Permissions-Policy lacks {feature}"


class InlineCode(HTMLParser):
    """Finds what a strict policy would block: inline scripts, on*= handlers, javascript: links,
    inline <style> elements and htmx attributes that evaluate code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and (attrs.get("type") or "").lower() != "application/json":
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.found.append(f"<{tag} {name}=...> at line {self.getpos()[0]}")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...> at line {self.getpos()[0]}")
            if name in {"hx-vals", "hx-vars", "hx-headers"} and (value or "").strip().startswith("js:"):
                self.found.append(f"<{tag} {name}=js:...> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_answers_with_the_csp_and_the_other_headers(cast, client, role):
    login(client, getattr(cast, role))
    for url in pages_of(cast, role):
        response = client.get(url)
        assert response.status_code == 200, f"{role} {url}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), url
        assert_security_headers(response, url)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_a_role_carries_inline_script_or_event_handlers(cast, client, role):
    login(client, getattr(cast, role))
    offenders = {}
    for url in pages_of(cast, role):
        found = inline_code(client.get(url).content.decode())
        if found:
            offenders[url] = found
    assert offenders == {}


def test_the_household_page_with_its_recording_form_has_no_inline_script(cast, client):
    # The progress card's recording form is shown to a writer only; its behaviour used to be inline.
    login(client, cast.street_user_a)
    response = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk]))
    assert b"data-mode-toggle" in response.content
    assert inline_code(response.content.decode()) == []


def test_pages_before_login_and_error_pages_carry_the_headers(cast, client):
    for url, status in [(reverse("org:login"), 200), ("/no-such-page/", 404),
                        (reverse("progress:board", args=[cast.project_a.code]), 200)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_security_headers(response, url)
        assert inline_code(response.content.decode()) == [], url


def test_api_answers_and_downloads_carry_the_policy_too(cast, client):
    # A JSON answer or a downloaded file opened in the browser must not run script either.
    login(client, cast.street_user_a)
    for url in [f"/api/ledger/households/{cast.household_a1.pk}", reverse("ledger:template_download")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)


def test_the_inline_styles_element_is_refused_but_style_attributes_are_allowed(cast, client):
    # ECharts writes its tooltips as HTML with style="..." attributes and Tabler's markup uses them, so
    # style attributes stay allowed; <style> elements (which htmx would inject) are not.
    login(client, cast.commander)
    policy = _directives(client.get(reverse("progress:dashboard"))["Content-Security-Policy"])
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert "'unsafe-eval'" not in " ".join(sum(policy.values(), []))


def test_htmx_is_configured_not_to_inject_styles_nor_evaluate_code(cast, client):
    login(client, cast.commander)
    html = client.get(reverse("portal:home")).content.decode()
    assert '"includeIndicatorStyles":false' in html.replace(" ", "")
    assert '"allowEval":false' in html.replace(" ", "")


@override_settings(CSP_EXTRA_IMG_SRC=["https://tiles.district.gov.cn:8443"], CSP_REPORT_URI="/csp-report/")
def test_a_district_adds_its_tile_server_and_a_report_address(cast, client):
    login(client, cast.commander)
    policy = _directives(client.get(reverse("progress:dashboard"))["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://tiles.district.gov.cn:8443"]
    assert policy["report-uri"] == ["/csp-report/"]
    # the tile server is trusted for images only
    assert policy["script-src"] == ["'self'"]


def test_the_swagger_page_has_the_one_policy_too(cast, client):
    # /api/docs serves Swagger UI from our static files (issue 11): no CDN, no inline script, so no
    # relaxed policy for it (tests/api/test_docs.py, tests/browser/test_api_docs.py).
    login(client, cast.commander)
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert_security_headers(response, "/api/docs")
    assert inline_code(response.content.decode()) == []


def test_a_csp_source_that_would_widen_the_policy_stops_the_start():
    out = _run(["check"], **{**PRODUCTION, "GAIZAO_CSP_EXTRA_IMG_SRC": "'unsafe-inline'; script-src *"})
    assert out.returncode == 2
    assert "GAIZAO_CSP_EXTRA_IMG_SRC" in out.stderr
