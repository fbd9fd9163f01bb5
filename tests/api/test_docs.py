"""The API docs offline (issue 11, item 4): /api/docs is our page, Swagger UI from our own static
files (npm's swagger-ui-dist, no CDN), under the one Content-Security-Policy; the page and the schema
are for signed-in users of any role (a token reads the schema too), and the page says in Chinese how
to get a token and send it."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from gaizao.api.api import api
from gaizao.org import services as org_services
from gaizao.org.models import ApiToken
from tests.conftest import login
from tests.core.test_security_headers import ROLES, assert_security_headers, inline_code

DOCS = "/api/docs"
SCHEMA = "/api/openapi.json"
ROOT = Path(__file__).resolve().parents[2]


class Sources(HTMLParser):
    """Every address a page loads by itself: scripts, style sheets, icons, images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.found.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.found.append(attrs["href"])


def sources(html: str) -> list[str]:
    parser = Sources()
    parser.feed(html)
    return parser.found


def test_the_addresses_are_ours():
    assert reverse("api_docs:docs") == DOCS
    assert reverse("api:openapi-json") == SCHEMA


# --- who may read them ------------------------------------------------------------------------

def test_an_anonymous_visitor_is_sent_to_sign_in_and_the_schema_refused(db, client):
    page = client.get(DOCS)
    assert page.status_code == 302 and page["Location"] == f"{reverse('org:login')}?next={DOCS}"
    schema = client.get(SCHEMA)
    assert schema.status_code == 401
    assert schema.json() == {"message": "未登录或令牌无效。", "fields": {}}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page_and_the_schema(cast, client, role):
    login(client, getattr(cast, role))
    page = client.get(DOCS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>接口说明 ·" in html
    schema = client.get(SCHEMA)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "gaizao API"


def test_a_token_reads_the_schema_and_a_bad_or_expired_one_does_not(cast, client):
    token, key = org_services.apitoken_create(actor=cast.street_user_a, name="对接")
    answer = client.get(SCHEMA, HTTP_AUTHORIZATION=f"Token {key}")
    assert answer.status_code == 200 and "/api/progress/summary" in answer.json()["paths"]

    wrong = client.get(SCHEMA, HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.status_code == 401 and wrong.json()["message"] == "未登录或令牌无效。"

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = client.get(SCHEMA, HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code == 401 and "过期" in expired.json()["message"]
    # a token is for the API, not for the page: the page wants a signed-in browser
    assert client.get(DOCS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 302


def test_a_privileged_session_without_its_second_factor_reads_neither(cast, client):
    client.force_login(cast.commander)  # signed in, no TOTP yet
    assert client.get(SCHEMA).status_code == 403  # the schema is the API: the guard answers in its JSON shape
    page = client.get(DOCS)  # the docs are a page: to the code page, and back after it
    assert page.status_code == 302 and page["Location"].startswith("/account/otp/?next=")


def test_the_page_answers_other_methods_in_the_api_shape(cast, client):
    login(client, cast.leader)
    answer = client.post(DOCS)
    assert answer.status_code == 405 and answer["Allow"] == "GET, HEAD"
    assert set(answer.json()) == {"message", "fields"}


def test_the_served_schema_is_the_api_object_s(cast, client):
    # tests/api/test_fuzz.py builds its schema from the API object (it has no account at import time)
    login(client, cast.admin)
    served = client.get(SCHEMA).json()
    assert served == json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


# --- offline, under the one policy ----------------------------------------------------------

def test_the_page_loads_only_our_static_files_and_no_inline_code(cast, client):
    login(client, cast.street_user_a)
    response = client.get(DOCS)
    html = response.content.decode()
    found = sources(html)
    static = "/" + settings.STATIC_URL.lstrip("/")
    assert f"{static}vendor/swagger-ui/swagger-ui-bundle.js" in found
    assert f"{static}vendor/swagger-ui/swagger-ui.css" in found
    assert f"{static}api/docs.js" in found
    assert all(src.startswith(static) for src in found), found  # no http(s)://, no //cdn
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html
    assert inline_code(html) == []
    # the one policy, as on every page: no CDN, no 'unsafe-inline' script for this page
    assert_security_headers(response, DOCS)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    # the page points Swagger UI at our schema
    assert f'data-schema-url="{SCHEMA}"' in html


def test_swagger_ui_comes_from_npm_pinned_and_locked():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    version = package["dependencies"]["swagger-ui-dist"]
    assert version[0].isdigit(), "pin an exact version, no range"
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"] == version
    # Swagger UI's install-time analytics (@scarf/scarf) stay off: an intranet install calls no one
    assert package["scarfSettings"] == {"enabled": False}
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert finders.find(f"vendor/swagger-ui/{name}"), f"{name} is not among the static files (make frontend)"


# --- the how-to -------------------------------------------------------------------------------

def test_the_page_says_in_chinese_how_to_get_and_send_a_token(cast, client):
    login(client, cast.resident)
    html = client.get(DOCS).content.decode()
    assert f'href="{reverse("org:profile")}"' in html and "账号安全" in html and "创建令牌" in html
    assert "只显示这一次" in html
    assert f"有效期最长 {settings.GAIZAO_API_TOKEN_DAYS} 天" in html
    assert "Authorization: Token &lt;令牌&gt;" in html
    assert 'curl -H "Authorization: Token &lt;令牌&gt;" http://testserver/api/progress/summary' in html


def test_the_schema_carries_the_token_how_to_too(cast, client):
    login(client, cast.cadre)
    info = client.get(SCHEMA).json()["info"]["description"]
    assert "账号安全" in info and "Authorization: Token <令牌>" in info
