"""`gaizao unit ...`: list the org units and set a district's or street's boundary from a GeoJSON file."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.core.models import AuditEntry
from gaizao.org.models import OrgUnitBoundary

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon",
          "coordinates": [[[113.3, 23.1], [113.4, 23.1], [113.4, 23.2], [113.3, 23.2], [113.3, 23.1]]]}


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    call_command("unit", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


def test_a_streets_boundary_from_a_gis_export_file(cast, tmp_path):
    path = tmp_path / "东湖街道.geojson"
    # a FeatureCollection as QGIS writes it, with a byte-order mark as Windows tools add
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]}
    path.write_text(json.dumps(collection), encoding="utf-8-sig")
    assert "已设置「东湖街道」的边界（5 个坐标点）" in run("boundary", "440199001", str(path))
    assert OrgUnitBoundary.objects.get(unit__code="440199001").geometry == SQUARE
    assert AuditEntry.objects.get(action="orgunit.set_boundary").actor_name == "system"
    listing = run("list")
    assert "东湖街道" in listing and "边界 5 个点" in listing and "无边界" in listing
    assert "已清除「东湖街道」的边界" in run("boundary", "440199001", "--clear")
    assert not OrgUnitBoundary.objects.filter(unit__code="440199001").exists()


def test_standard_input_and_bad_geojson_naming_the_ring(cast):
    run("boundary", "440199", "-", stdin=json.dumps(SQUARE))
    assert OrgUnitBoundary.objects.get(unit__code="440199").geometry == SQUARE
    open_ring = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1] + [[113.3, 23.3]]]}
    with pytest.raises(CommandError) as caught:
        run("boundary", "440199", "-", stdin=json.dumps(open_ring))
    assert "第 1 个环未闭合" in str(caught.value) and caught.value.returncode == 1
    assert OrgUnitBoundary.objects.get(unit__code="440199").geometry == SQUARE  # nothing written


@pytest.mark.parametrize("args, words", [
    (("boundary", "999999", "-"), "组织机构代码「999999」不存在"),
    (("boundary", "440199001"), "请给出 GeoJSON 文件"),
    (("boundary", "440199001", "/nonexistent/边界.geojson"), "读取文件「/nonexistent/边界.geojson」失败"),
])
def test_mistakes_are_told_in_chinese(cast, args, words):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert words in str(caught.value)
