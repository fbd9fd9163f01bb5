"""The dashboard's map data (作战图): the district's outline and the streets' areas come with the
villages, in one query whatever their number, with a legend and drill-down links;
a district's own tile server is used only when configured."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from gaizao.core.actors import SYSTEM
from gaizao.org.services import orgunit_set_boundary
from tests.core.test_settings import PRODUCTION, _run
from tests.progress.test_dashboard import (
    DISTRICT_QUERIES, DRILL_QUERIES, STREET_QUERIES, _counts, build_district, square,
)


def draw_units(cast) -> None:
    orgunit_set_boundary(actor=SYSTEM, unit=cast.street_a, boundary=square(113.20, 23.10, 0.20))
    orgunit_set_boundary(actor=SYSTEM, unit=cast.street_b, boundary=square(113.40, 23.10, 0.20))
    orgunit_set_boundary(actor=SYSTEM, unit=cast.district, boundary=square(113.19, 23.09, 0.42))


def test_the_district_map_carries_its_outline_and_the_streets_with_drill_down_links(cast, login_as):
    build_district(cast, villages=3, households=4)
    draw_units(cast)
    response = login_as(cast.commander).get("/progress/")
    data = response.context["data"]
    areas = {a["key"]: a for a in data["map"]["areas"]}
    assert list(areas)[0] == "district:440199"
    district, east, west = areas["district:440199"], areas["street:440199001"], areas["street:440199002"]
    assert district["name"] == "云溪区" and district["url"] == ""
    assert (east["name"], east["url"]) == ("东湖街道", "/progress/?street=440199001")
    assert (west["name"], west["url"]) == ("西岭街道", "/progress/?street=440199002")
    # the street's figures, as in the bar chart and the table (VD01's 4 households and the cast's one)
    row = next(u for u in data["units"] if u["code"] == "440199002")
    assert (west["households"], west["signed"], west["signed_rate"]) == (5, 2, 40.0) == (
        row["households"], row["signed"], row["signed_rate"])
    features = data["map"]["geojson"]["features"]
    # outlines first (drawn underneath), then the villages; the kinds say which is which
    assert [(f["properties"]["name"], f["properties"]["kind"]) for f in features] == [
        ("district:440199", "district"), ("street:440199001", "street"), ("street:440199002", "street"),
        ("V001", "village"), ("VD00", "village"), ("VD01", "village")]
    assert features[1]["geometry"] == square(113.20, 23.10, 0.20)
    html = response.content.decode()
    assert 'data-testid="map-legend"' in html and html.count('data-testid="legend-band"') == 5
    assert "低于 20%" in html and "80% 及以上" in html and "街道范围" in html and "区界" in html


def test_a_streets_map_carries_its_own_area_only(cast, login_as):
    build_district(cast, villages=3, households=4)
    draw_units(cast)
    data = login_as(cast.street_user_b).get("/progress/").context["data"]
    assert [(a["key"], a["url"]) for a in data["map"]["areas"]] == [("street:440199002", "")]
    kinds = [f["properties"]["kind"] for f in data["map"]["geojson"]["features"]]
    assert kinds == ["street", "village"]  # VD01; the cast's village B has no boundary
    # the leaner refresh (no geometry) keeps the areas' figures
    lean = json.loads(login_as(cast.street_user_b).get("/progress/data.json?geometry=0").content)
    assert "geojson" not in lean["map"] and lean["map"]["areas"][0]["name"] == "西岭街道"


def test_a_map_of_outlines_alone_is_drawn(cast, login_as):
    draw_units(cast)  # no village has a boundary yet
    response = login_as(cast.leader).get("/progress/")
    assert response.context["d"].has_map
    assert [a["key"] for a in response.context["data"]["map"]["areas"]] == [
        "district:440199", "street:440199001", "street:440199002"]
    assert 'data-testid="chart-map"' in response.content.decode()


def test_the_outlines_cost_one_query_however_many_are_drawn(cast, login_as):
    build_district(cast, villages=4, households=3)
    plain = _counts(cast, login_as)
    draw_units(cast)
    drawn = _counts(cast, login_as)
    assert plain == drawn == {"district": DISTRICT_QUERIES + 1, "data": DISTRICT_QUERIES, "street": STREET_QUERIES,
                              "drill": DRILL_QUERIES}


def _img_src(response) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == "img-src":
            return words[1:]
    return []


def test_no_tiles_and_no_tile_host_by_default(cast, login_as):
    response = login_as(cast.commander).get("/progress/")
    assert response.context["data"]["map"]["tiles"] == ""
    assert _img_src(response) == ["'self'", "data:", "blob:"]


@override_settings(MAP_TILES="https://tiles.district.gov.cn:8443/vec/{z}/{x}/{y}.png",
                   MAP_TILES_ORIGIN="https://tiles.district.gov.cn:8443")
def test_a_districts_tile_server_is_given_to_the_map_and_allowed_for_images_only(cast, login_as):
    response = login_as(cast.commander).get("/progress/")
    assert response.context["data"]["map"]["tiles"] == "https://tiles.district.gov.cn:8443/vec/{z}/{x}/{y}.png"
    assert _img_src(response) == ["'self'", "data:", "blob:", "https://tiles.district.gov.cn:8443"]
    assert "tiles.district.gov.cn" not in response["Content-Security-Policy"].split("img-src")[0]


@pytest.mark.parametrize("value", ["https://tiles.district.gov.cn/{z}/{x}.png", "tiles.district.gov.cn/{z}/{x}/{y}",
                                   "https://tiles.gov.cn/{z}/{x}/{y}.png; script-src *"])
def test_a_bad_tile_address_stops_the_start_naming_the_variable(value):
    out = _run(["check"], **{**PRODUCTION, "GAIZAO_MAP_TILES": value})
    assert out.returncode == 2
    assert "GAIZAO_MAP_TILES" in out.stderr and "不是瓦片地址模板" in out.stderr
