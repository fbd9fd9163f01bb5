"""The Content-Security-Policy in a real browser (issue 15, item 9): the pages work under it (the
dashboard's charts and map, the household list and page with its recording form, the progress table,
the public board), no page trips it, and an injected handler does not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard import build_campaign, sign_in_commander, wait_for_charts
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Records every violation the page reports (the event the browser fires for each refused
# script, style, image or connection), before any of the page's own code runs.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""

# What an attacker's stored text would do if escaping ever failed: an inline handler and an inline script.
INJECT = """() => {
  window.__pwned = 0;
  const box = document.createElement("div");
  box.innerHTML = '<img src="data:," onerror="window.__pwned = 1">';
  document.body.appendChild(box);
  const s = document.createElement("script");
  s.textContent = "window.__pwned = 2";
  document.body.appendChild(s);
}"""


def watch(page, found: list[str] | None = None) -> list[str]:
    """CSP messages on the console and JavaScript errors of the page (into found, if given)."""
    found = [] if found is None else found
    page.add_init_script(RECORD_VIOLATIONS)
    # every page names the favicon (and /favicon.ico answers): no request of the browser's own is excused
    page.on("console", lambda m: found.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: found.append(f"pageerror: {e}"))
    return found


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def assert_injection_refused(page, found: list[str]) -> None:
    assert found == []  # the page itself was clean before the attack
    page.evaluate(INJECT)
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") == 0
    refused = violations(page)
    assert any(v.startswith("script-src") for v in refused), refused
    page.evaluate("window.__csp = []")
    found.clear()  # the browser's messages about the refused injection


def test_dashboard_and_household_pages_work_under_the_policy(cast, live_server, page):
    campaign = build_campaign(cast)
    found = watch(page)
    base = live_server.url

    sign_in_commander(page, base, cast, "/progress/")
    response = page.reload()
    assert "script-src 'self'" in response.headers["content-security-policy"]
    wait_for_charts(page, ["chart-curves", "chart-funnel", "chart-map", "chart-units"])
    # the map is drawn: the villages' polygons are in the chart's option
    assert page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[0].data.length") > 0
    # the tooltip (HTML with style attributes) shows without a violation
    page.locator("#chart-units").hover()
    page.wait_for_timeout(300)
    assert violations(page) == []
    assert_injection_refused(page, found)

    page.goto(f"{base}/ledger/households/")
    expect(page.get_by_role("table").first).to_be_visible()
    assert violations(page) == []

    page.goto(f"{base}/progress/table/")
    expect(page.locator(".progress-table")).to_be_visible()
    # the table's styles moved to a file and still apply
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.progress-table')).whiteSpace") == "nowrap"
    assert violations(page) == []

    board = page.context.new_page()
    watch(board, found)
    board.goto(f"{base}/progress/board/{campaign['VB1']['project'].code}/")
    expect(board.get_by_test_id("board-signed")).to_be_visible()
    # htmx's polling runs under the policy (no eval, no injected <style>)
    with board.expect_response(lambda r: r.url.endswith("/live/"), timeout=20000):
        pass
    assert violations(board) == []

    assert found == []


def test_the_recording_form_behaves_under_the_policy(cast, live_server, page):
    found = watch(page)
    base = live_server.url
    page.goto(base + "/account/login/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")

    page.goto(f"{base}/ledger/households/{cast.household_a1.pk}/")
    form = page.get_by_test_id("record-form")
    mode = form.locator("[data-mode-field]")
    # record.js hides 安置方式 unless the event is 安置: the script from the static file ran
    expect(mode).to_be_hidden()
    assert violations(page) == []
    assert_injection_refused(page, found)

    page.goto(f"{base}/progress/record/?project={cast.project_a.code}")
    page.get_by_test_id("tick-all").check()
    boxes = page.locator("input.tick")
    assert boxes.count() == 2  # DH-001 and DH-002
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    bulk = page.get_by_test_id("bulk-form")
    expect(bulk.locator("[data-mode-field]")).to_be_hidden()
    bulk.get_by_label("事项").select_option(label="安置")
    expect(bulk.locator("[data-mode-field]")).to_be_visible()
    assert violations(page) == []
    assert found == []
