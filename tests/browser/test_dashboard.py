"""The commander opens the command dashboard (作战图): charts and map render, a street bar drills
down, a village on the map opens its page, and the public signing board refreshes itself."""

from __future__ import annotations

import itertools
import os
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from gaizao.core.actors import SYSTEM
from gaizao.demo import geo
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress.services.events import household_record_event, households_record_stage
from gaizao.progress.services.hardcases import hardcase_open
from gaizao.progress.signing import judge_due
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.progress.test_dashboard import days_ago, make_households

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "国平", "桂兰", "海燕", "德明", "春梅", "永福", "玉珍", "文军"]

# street, code, name, households, signings per week (oldest first, the last 8 weeks), vacated, demolished
VILLAGES = [
    ("a", "VA1", "石门村", 24, [2, 3, 3, 4, 3, 2, 2, 1], 10, 4),
    ("a", "VA2", "新塘村", 18, [0, 1, 2, 2, 3, 2, 2, 2], 4, 1),
    ("a", "VA3", "大岭村", 16, [0, 0, 0, 1, 1, 1, 0, 1], 0, 0),
    ("b", "VB1", "沙头村", 22, [3, 3, 4, 3, 3, 2, 1, 0], 14, 8),
    ("b", "VB2", "龙湾村", 14, [0, 0, 1, 1, 2, 2, 3, 3], 2, 0),
]


def shot(page, name: str) -> None:
    screenshot(page, name)
    # The docs' pictures are refreshed on request only (GAIZAO_DOCS_SCREENSHOTS=1): a test run
    # must not leave the work tree changed.
    if os.environ.get("GAIZAO_DOCS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def build_campaign(cast) -> dict:
    """Villages with boundaries around the demo district's box, households with buildings, eight
    weeks of signings, vacating and demolition, a lapsed project and hard cases: all through the services."""
    rng = random.Random(7)
    admin = cast.admin
    # a compact box so that the villages fill the map (two streets side by side, four cells each)
    west, east = geo.Cell(113.30, 23.18, 113.36, 23.22).split(2, columns=2)
    cells = {"a": west.split(4), "b": east.split(4)}
    streets = {"a": cast.street_a, "b": cast.street_b}
    used = {"a": 0, "b": 0}
    names = iter(f"{s}{g}" for s, g in zip(itertools.cycle(SURNAMES), itertools.cycle(GIVEN)))
    out = {}
    for street_key, code, name, count, weekly, vacated, demolished in VILLAGES:
        cell = cells[street_key][used[street_key]]
        used[street_key] += 1
        village = ledger_services.village_create(
            actor=admin, street=streets[street_key], code=code, name=name, mode="demolish_rebuild", year=2026,
            boundary=geo.village_polygon(rng=rng, cell=cell, area_m2=count * 30000))
        project = ledger_services.project_create(actor=admin, village=village, code=f"P{code}", name=f"{name}一期")
        Project.objects.filter(pk=project.pk).update(signing_start=days_ago(60), signing_end=days_ago(-45))
        homes = make_households(admin, project, count, prefix=code)
        for home in homes:
            home.head_name = next(names)
            ledger_services.household_update(actor=admin, household=home, version=home.version,
                                             head_name=home.head_name)
            ledger_services.building_add(actor=admin, household=home, number="1", legality="legal",
                                         legal_area=Decimal(rng.randint(120, 420)), unlicensed_area=Decimal("30"))
        ids = [h.pk for h in homes]
        for kind in ("surveyed", "decided", "valued"):
            households_record_stage(actor=admin, household_ids=ids, kind=kind, on_date=days_ago(62))
        queue = list(homes)
        signed = []
        for week, n in enumerate(weekly):
            for i in range(n):
                home = queue.pop(0)
                household_record_event(actor=admin, household=home, kind="signed",
                                       on_date=days_ago(7 * (7 - week) + (i * 2) % 7))
                signed.append(home)
        if vacated:
            households_record_stage(actor=admin, household_ids=[h.pk for h in signed[:vacated]], kind="vacated",
                                    on_date=days_ago(10))
        if demolished:
            households_record_stage(actor=admin, household_ids=[h.pk for h in signed[:demolished]],
                                    kind="demolished", on_date=days_ago(4))
        for home in queue[:2]:
            hardcase_open(actor=admin, household=home, reason="price", opened_on=days_ago(30))
        out[code] = {"village": village, "project": project, "unsigned": queue}
    # the cast's village A: a boundary and a project whose period ended below its threshold
    ledger_services.village_update(actor=admin, village=cast.village_a, version=cast.village_a.version,
                                   boundary=geo.village_polygon(rng=rng, cell=cells["a"][3], area_m2=300000))
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(90), signing_end=days_ago(5))
    for kind in ("surveyed", "decided", "valued"):
        household_record_event(actor=admin, household=cast.household_a1, kind=kind, on_date=days_ago(80))
    household_record_event(actor=admin, household=cast.household_a1, kind="signed", on_date=days_ago(40))
    judge_due(actor=SYSTEM)  # the hourly sweep judges the ended period: 1 of 2 signed, below 90 %
    return out


def sign_in_commander(page, base: str, cast, next_url: str) -> None:
    device = TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    page.goto(f"{base}/account/login/?next={next_url}")
    page.get_by_label("用户名").fill("commander")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/account/otp/**")
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    page.get_by_label("动态口令").fill(f"{code:06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(base + next_url)


def wait_for_charts(page, ids) -> None:
    for chart_id in ids:
        expect(page.locator(f"#{chart_id} canvas").first).to_be_visible()
    page.wait_for_timeout(900)  # ECharts' entry animation


def pixel(page, chart_id: str, finder: str, value) -> tuple[float, float]:
    """Viewport coordinates of a data point (ECharts' convertToPixel) in the chart's canvas."""
    page.locator(f"#{chart_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([id, finder, value]) => echarts.getInstanceByDom(document.getElementById(id))"
        ".convertToPixel(finder === 'geo' ? {seriesIndex: 0} : {gridIndex: 0}, value)",
        [chart_id, finder, value])
    box = page.locator(f"#{chart_id}").bounding_box()
    return box["x"] + x, box["y"] + y


def console_errors(page, errors: list[str]) -> None:
    """Collect the page's JavaScript errors (the browser's own favicon request is not the page's)."""
    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))


def test_commander_uses_the_dashboard_and_opens_the_board(cast, live_server, page):
    campaign = build_campaign(cast)
    errors: list[str] = []
    console_errors(page, errors)
    base = live_server.url

    sign_in_commander(page, base, cast, "/progress/")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("云溪区城中村改造作战图")
    wait_for_charts(page, ["chart-curves", "chart-funnel", "chart-map", "chart-units"])
    # 97 households in scope (94 + the cast's 3); 69 + 1 signed
    expect(page.get_by_test_id("kpi-signed")).to_contain_text("70")
    expect(page.get_by_test_id("kpi-signed")).to_contain_text("/ 97 户")
    expect(page.get_by_test_id("kpi-lapsed")).to_contain_text("协议未生效 1")
    expect(page.get_by_test_id("unmapped")).to_contain_text("西岭村")  # the cast's village B: no boundary
    assert "按此进度，预计" in page.get_by_test_id("unit-table").inner_text()
    shot(page, "dashboard")

    # Click 西岭街道's bar: the chart drills into the street.
    rows = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).units")
    index = [row["name"] for row in rows].index("西岭街道")
    x, y = pixel(page, "chart-units", "grid", [rows[index]["signed_rate"] / 2, index])
    page.mouse.click(x, y)
    page.wait_for_url(f"{base}/progress/?street={cast.street_b.code}")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("西岭街道城中村改造作战图")
    wait_for_charts(page, ["chart-curves", "chart-funnel", "chart-map", "chart-units"])
    units = page.get_by_test_id("unit-table").inner_text()
    assert "沙头村" in units and "龙湾村" in units and "石门村" not in units
    shot(page, "dashboard-street")

    # The figures refresh without a reload (every 60 s; here at once): a new signing in 西岭街道.
    household_record_event(actor=cast.admin, household=campaign["VB2"]["unsigned"][0], kind="signed",
                           on_date=days_ago(0))
    page.evaluate("() => window.gaizaoDashboard.refresh()")
    expect(page.locator('[data-kpi="signed"]')).to_have_text("32")
    expect(page.locator("[data-refreshed]")).to_contain_text("图表更新于")

    # Click 沙头村 on the map: its page, with the progress card.
    ring = campaign["VB1"]["village"].boundary["coordinates"][0]
    centre = [sum(p[0] for p in ring[:-1]) / (len(ring) - 1), sum(p[1] for p in ring[:-1]) / (len(ring) - 1)]
    x, y = pixel(page, "chart-map", "geo", centre)
    page.mouse.click(x, y)
    page.wait_for_url(f"{base}/ledger/villages/{campaign['VB1']['village'].pk}/")
    expect(page.get_by_test_id("village-progress")).to_contain_text("按此进度")
    expect(page.get_by_test_id("village-signing")).to_contain_text("签约中，未达生效比例")
    screenshot(page, "village-progress")

    # The public board of 沙头村 for the site screen: no login needed.
    board = page.context.browser.new_page(locale="zh-CN", viewport={"width": 1600, "height": 900})
    console_errors(board, errors)
    board.goto(f"{base}/progress/board/PVB1/")
    expect(board.get_by_test_id("board-signed")).to_have_text("19")  # 龙湾村's new signing is not here
    expect(board.get_by_test_id("board-order").first).to_be_visible()
    text = board.content()
    assert "签约顺序" in text and "13900000" not in text
    shot(board, "board")
    # A signing on site: the board shows it at its next refresh (every 15 s), without a reload.
    household_record_event(actor=cast.admin, household=campaign["VB1"]["unsigned"][-1], kind="signed",
                           on_date=days_ago(0))
    expect(board.get_by_test_id("board-signed")).to_have_text("20", timeout=25000)
    expect(board.locator("tr.is-newest td").first).to_have_text("20")
    board.close()

    assert errors == []
