"""The API docs work with no internet (issue 11, item 4): every request that is not to the test
server is aborted, and /api/docs still draws every operation from our own files, with no console
error and no Content-Security-Policy violation; "Try it out" runs from the signed-in browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gaizao.api.api import api
from tests.browser.test_csp import violations, watch
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def offline(page, base: str) -> list[str]:
    """Abort every request that leaves the test server (as on an intranet); the list says which were tried."""
    tried: list[str] = []

    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    page.context.route("**/*", route)
    return tried


def sign_in(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/account/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_url)


def test_the_docs_draw_every_operation_with_no_internet(cast, live_server, page):
    base = live_server.url
    tried = offline(page, base)
    found = watch(page)
    sign_in(page, base, "street_a", "/api/docs")

    schema = api.get_openapi_schema(path_prefix="/api/")
    tags: dict[str, int] = {}
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method != "parameters":
                for tag in operation.get("tags", []):
                    tags[tag] = tags.get(tag, 0) + 1
    assert sum(tags.values()) > 30
    # the schema of every app's routes is built on first request: under a loaded parallel run that can
    # take longer than the default 15 s, so wait for it (a wait, not a timing assertion)
    page.wait_for_selector(".opblock-tag", timeout=60_000)
    # the tags come folded (160 operations drawn at once would keep the page busy): every tag is there, and
    # opening one draws each of its operations
    expect(page.locator(".opblock-tag")).to_have_count(len(tags), timeout=60_000)
    for tag, count in tags.items():
        section = page.locator(f"#operations-tag-{tag}")
        section.click()
        expect(page.locator(f".opblock-tag-section:has(#operations-tag-{tag}) .opblock")).to_have_count(count)
        section.click()
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("gaizao API")
    assert page.get_by_test_id("token-howto").is_visible()
    assert page.get_by_test_id("docs-loading").count() == 0  # Swagger UI replaced the placeholder

    # Try it out, from the signed-in browser: a read with the session …
    page.locator("#operations-tag-组织与账号").click()
    me = page.locator("#operations-组织与账号-gaizao_org_api_me")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: r.url.endswith("/api/org/me")) as read:
        me.get_by_role("button", name="Execute").click()
    assert read.value.status == 200
    # the live response is drawn above the documented example a moment after it arrives: wait for it
    expect(me.locator(".responses-table .response .microlight").first).to_contain_text("王东湖")
    assert found == []  # drawn and used without a console error or a refused script or style
    # … and a write carries the CSRF token: refused for its example body, never by the CSRF check
    page.locator("#operations-tag-台账").click()
    create = page.locator("#operations-台账-gaizao_ledger_api_village_create")
    create.locator(".opblock-summary").click()
    create.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: r.url.endswith("/api/ledger/villages") and r.request.method == "POST") as wrote:
        create.get_by_role("button", name="Execute").click()
    assert wrote.value.status in (400, 404, 422), wrote.value.text()
    assert set(wrote.value.json()) == {"message", "fields"}
    # the browser logs the refused write itself; nothing else
    assert [m for m in found if "/api/ledger/villages" not in m] == []

    assert tried == []  # nothing asked for the internet
    assert violations(page) == []


def test_the_favicon_is_ours_and_favicon_ico_is_not_a_404(cast, live_server, page):
    base = live_server.url
    offline(page, base)
    sign_in(page, base, "street_a", "/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.endswith("/gaizao/favicon.svg")
    answer = page.request.get(base + "/favicon.ico")
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.url.endswith("/gaizao/favicon.svg")
    assert "<svg" in answer.text()
