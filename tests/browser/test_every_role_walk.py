"""Every role's working day in a real browser (issue 11): each role of the cast signs in, on a desktop
and on a phone (390 × 844), opens its home, every page of its menu and the detail pages its home and
lists lead to; on none of them is there a sideways scroll on the phone, a technical word in the
visible text, a console error or a failed request."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# What a user must never read on a page: the database's and the framework's words.
TECHNICAL = [
    # (GeoJSON itself is the file format a boundary is handed over in, named where one is pasted)
    (re.compile(r"Polygon|MultiPolygon|FeatureCollection"), "a geometry type"),
    (re.compile(r"\bsystem\b|\bSYSTEM\b"), "the system actor's name"),
    (re.compile(r"#\d+"), "a database id"),
    (re.compile(r"\b(auth|org|ledger|progress|core|portal)\.[a-z_]+\b"), "a model or action name"),
    (re.compile(r"-{5,}"), "an empty choice placeholder"),
    (re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\bnull\b"), "a Python or JSON value"),
    (re.compile(r"Traceback|Exception|object at 0x"), "an error"),
    (re.compile(r"\b(id|pk|user_id|household_id)\b"), "a field name"),
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROLES = ("admin", "commander", "leader", "street_user_a", "department_user", "cadre", "resident", "auditor",
         "security")
SECOND_FACTOR_USERS = ("admin", "commander")  # the cast's user names of the roles that need a second factor


def sign_in(page, base: str, user) -> None:
    device = None
    if user.username in SECOND_FACTOR_USERS:  # enrolled already: the sign-in asks for the code
        device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    page.goto(f"{base}/account/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/account/otp/" in page.url:
        device.refresh_from_db()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        page.get_by_label("动态口令").fill(f"{code:06d}")
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()
    page.wait_for_load_state("networkidle")  # the home page's bell count too, before the next request
    assert "/account/login/" not in page.url and "/account/otp/" not in page.url, page.url


def technical_words(text: str) -> list[str]:
    found = []
    for pattern, what in TECHNICAL:
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            found.append(f"{what}: …{text[start:match.end() + 20]}…")
    return found


@pytest.fixture
def day(cast, media):
    """A little of every kind of record, so that the pages have something to show."""
    from decimal import Decimal

    from django.utils import timezone

    from gaizao.ledger import services as ledger_services
    from gaizao.progress.services.hardcases import hardcase_open, visit_record

    ledger_services.building_add(actor=cast.admin, household=cast.household_a1, number="9", legality="legal",
                                 legal_area=Decimal("120.50"), unlicensed_area=Decimal("10"))
    case = hardcase_open(actor=cast.admin, household=cast.household_a1, reason="price", strategy="一户一策：多次上门沟通。")
    visit_record(actor=cast.cadre, hard_case=case, visited_on=timezone.localdate(), talk="户主对评估价有异议。",
                 next_step="请评估机构书面说明。")
    return cast


def walk(page, base: str, *, phone: bool) -> dict[str, list[str]]:
    """Open the home, every menu page and the first detail page each list links to; the problems per page."""
    problems: dict[str, list[str]] = {}
    current = {"url": ""}
    page.on("console", lambda m: problems.setdefault(current["url"], []).append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.setdefault(current["url"], []).append(f"script error: {e}"))
    # a request the browser cancels because the page moves on (a poll in flight) is not a failure
    page.on("requestfailed", lambda r: problems.setdefault(current["url"], []).append(f"failed: {r.url}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: problems.setdefault(current["url"], []).append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.goto(f"{base}/")
    # the bell's count loads after the page: let it finish before the next page (the live server's SQLite
    # connection is shared by its threads, so two requests at once can trip over each other)
    page.wait_for_load_state("networkidle")
    menu = page.eval_on_selector_all("#navbar-menu a.nav-link[href], #navbar-menu a.dropdown-item[href]",
                                "els => els.map(e => e.getAttribute('href'))")
    urls = ["/", *dict.fromkeys(u for u in menu if u.startswith("/"))]
    details = ("/ledger/households/", "/ledger/villages/", "/progress/hardcases/", "/ledger/my-household/")
    seen = set()
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        current["url"] = url
        page.goto(f"{base}{url}")
        page.wait_for_load_state("networkidle")
        text = page.inner_text("body")
        for found in technical_words(text):
            problems.setdefault(url, []).append(found)
        if phone:
            wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if wide[0] > wide[1]:
                problems.setdefault(url, []).append(f"scrolls sideways: {wide[0]} > {wide[1]} px")
        if url in details or url == "/":
            # the first link to a detail page (a household, a village, a hard case) from this page
            for prefix in details:
                links = page.eval_on_selector_all(
                    f"main a[href^='{prefix}'], .page-body a[href^='{prefix}']",
                    "els => els.map(e => e.getAttribute('href'))")
                for link in links:
                    if re.fullmatch(re.escape(prefix) + r"\d+/", link) and link not in seen:
                        queue.append(link)
                        break
    return {url: items for url, items in problems.items() if items}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_page_of_every_role_reads_well(day, live_server, browser, role, device):
    user = getattr(day, role)
    context = browser.new_context(locale="zh-CN", viewport=PHONE if device == "phone" else DESKTOP,
                                  is_mobile=device == "phone", has_touch=device == "phone")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, user)
        problems = walk(page, live_server.url, phone=device == "phone")
        if problems:
            page.goto(f"{live_server.url}{next(iter(problems))}")
            screenshot(page, f"walk-{role}-{device}")
        assert problems == {}, "\n".join(f"{url}: {p}" for url, items in problems.items() for p in items)
    finally:
        context.close()
