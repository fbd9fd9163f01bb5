"""The dashboard's map orients (作战图): the district's outline, the streets' areas with their names,
a legend of the colours; clicking a street drills down to it, and village names appear on zooming in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gaizao.core.actors import SYSTEM
from gaizao.demo import geo
from gaizao.org.services import orgunit_set_boundary
from tests.browser.test_dashboard import build_campaign, console_errors, pixel, shot, wait_for_charts
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WEST, EAST = geo.Cell(113.30, 23.18, 113.36, 23.22).split(2, columns=2)  # build_campaign's two streets


def inside(point, ring) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def open_ground(street: dict, villages: list[dict]) -> list[float]:
    """A point of the street's area that is in none of its villages, as far from them as can be."""
    ring = street["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    corners = [p for v in villages for p in v["coordinates"][0]]
    best, far = None, -1.0
    for i in range(1, 40):
        for j in range(1, 40):
            point = (min(xs) + (max(xs) - min(xs)) * i / 40, min(ys) + (max(ys) - min(ys)) * j / 40)
            if not inside(point, ring) or any(inside(point, v["coordinates"][0]) for v in villages):
                continue
            near = min((point[0] - x) ** 2 + (point[1] - y) ** 2 for x, y in corners)
            if near > far:
                best, far = point, near
    return list(best)


def sign_in_leader(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/account/login/?next={next_url}")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_url)


def test_the_map_shows_streets_and_a_legend_and_a_street_click_drills_down(cast, live_server, page):
    campaign = build_campaign(cast)
    shapes = {"a": [], "b": []}
    for code, row in campaign.items():
        shapes["a" if code.startswith("VA") else "b"].append(row["village"].boundary)
    cast.village_a.refresh_from_db()
    shapes["a"].append(cast.village_a.boundary)
    street_a = geo.street_polygon(shapes["a"], cell=WEST)
    street_b = geo.street_polygon(shapes["b"], cell=EAST)
    orgunit_set_boundary(actor=SYSTEM, unit=cast.street_a, boundary=street_a)
    orgunit_set_boundary(actor=SYSTEM, unit=cast.street_b, boundary=street_b)
    orgunit_set_boundary(actor=SYSTEM, unit=cast.district, boundary=geo.district_polygon([street_a, street_b]))
    errors: list[str] = []
    console_errors(page, errors)
    base = live_server.url

    sign_in_leader(page, base, "/progress/")
    wait_for_charts(page, ["chart-map"])
    legend = page.get_by_test_id("map-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("低于 20%")
    expect(legend).to_contain_text("80% 及以上")
    expect(legend).to_contain_text("街道范围")
    expect(legend).to_contain_text("区界")
    expect(page.get_by_test_id("legend-band")).to_have_count(5)
    # the streets are named on the map; the villages only once zoomed in
    option = "echarts.getInstanceByDom(document.getElementById('chart-map')).getOption()"
    names = page.evaluate(f"{option}.series.find(s => s.id === 'streets').data.map(d => d.name)")
    assert sorted(names) == [f"street:{cast.street_a.code}", f"street:{cast.street_b.code}"]
    assert page.evaluate("window.gaizaoDashboard.villageNamesShown()") is False
    x, y = pixel(page, "chart-map", "geo", open_ground(street_a, shapes["a"]))
    page.mouse.move(x, y)
    for _ in range(6):  # each wheel step zooms by 1.1
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)
    page.wait_for_function("() => window.gaizaoDashboard.villageNamesShown()")
    shot(page, "dashboard-map-zoomed")
    page.reload()
    wait_for_charts(page, ["chart-map"])
    shot(page, "dashboard-map")

    # A click on 西岭街道's area, away from its villages: that street's dashboard.
    x, y = pixel(page, "chart-map", "geo", open_ground(street_b, shapes["b"]))
    page.mouse.click(x, y)
    page.wait_for_url(f"{base}/progress/?street={cast.street_b.code}")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("西岭街道城中村改造作战图")
    wait_for_charts(page, ["chart-map"])
    # at the street's level: its own area, and its villages named
    names = page.evaluate(f"{option}.series.find(s => s.id === 'streets').data.map(d => d.name)")
    assert names == [f"street:{cast.street_b.code}"]
    assert page.evaluate("window.gaizaoDashboard.villageNamesShown()") is True
    expect(page.get_by_test_id("map-legend")).not_to_contain_text("区界")

    # A village on the map opens its page.
    ring = campaign["VB1"]["village"].boundary["coordinates"][0]
    centre = [sum(p[0] for p in ring[:-1]) / (len(ring) - 1), sum(p[1] for p in ring[:-1]) / (len(ring) - 1)]
    x, y = pixel(page, "chart-map", "geo", centre)
    page.mouse.click(x, y)
    page.wait_for_url(f"{base}/ledger/villages/{campaign['VB1']['village'].pk}/")
    assert errors == []


# a 1 × 1 grey PNG, what the district's tile server answers here
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763b8b8b8"
    "000003070181a1c8e30000000049454e44ae426082")


def test_a_districts_tile_server_draws_under_the_map_and_nothing_else_is_fetched(cast, live_server, page, settings):
    settings.MAP_TILES = "/map-tiles/{z}/{x}/{y}.png"
    build_campaign(cast)
    tiles: list[str] = []
    elsewhere: list[str] = []
    base = live_server.url

    def serve(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route("**/map-tiles/**", serve)
    page.on("request", lambda request: None if request.url.startswith(base) else elsewhere.append(request.url))
    sign_in_leader(page, base, "/progress/")
    wait_for_charts(page, ["chart-map"])
    assert tiles, "no tile was asked for"
    zooms = {int(url.split("/map-tiles/")[1].split("/")[0]) for url in tiles}
    assert zooms and all(11 <= z <= 16 for z in zooms)  # a few kilometres across 600 pixels
    assert len(tiles) <= 200
    assert elsewhere == []
