"""A village's boundary: GeoJSON Polygon or MultiPolygon with closed rings of [lon, lat] in range."""

from __future__ import annotations

import json

import pytest

from gaizao.core.errors import AppError
from gaizao.ledger.services import clean_boundary

RING = [[113.1, 23.1], [113.2, 23.1], [113.2, 23.2], [113.1, 23.1]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("   ", None),
    (POLYGON, POLYGON),
    (json.dumps(POLYGON), POLYGON),
    ({"type": "MultiPolygon", "coordinates": [[RING], [RING]]}, {"type": "MultiPolygon", "coordinates": [[RING], [RING]]}),
    ({"type": "Feature", "properties": {"name": "x"}, "geometry": POLYGON}, POLYGON),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POLYGON}]}, POLYGON),
    ({"type": "Polygon", "coordinates": [[[113.1, 23.1, 5], [113.2, 23.1, 5], [113.2, 23.2, 5], [113.1, 23.1, 5]]]},
     {"type": "Polygon", "coordinates": [[[113.1, 23.1, 5], [113.2, 23.1, 5], [113.2, 23.2, 5], [113.1, 23.1, 5]]]}),
])
def test_accepted(value, expected):
    assert clean_boundary(value) == expected


@pytest.mark.parametrize("value, text", [
    ("{not json", "不是有效的 JSON"),
    ([1, 2], "GeoJSON 对象"),
    ({"type": "Point", "coordinates": [113, 23]}, "实际为「Point」"),
    ({"coordinates": [RING]}, "未注明类型"),
    ({"type": "Polygon"}, "coordinates"),
    ({"type": "Polygon", "coordinates": []}, "至少一个外环"),
    ({"type": "Polygon", "coordinates": [RING[:3]]}, "至少需要 4 个坐标点"),
    ({"type": "Polygon", "coordinates": [[*RING[:3], [113.3, 23.3]]]}, "第 1 个环未闭合"),
    ({"type": "Polygon", "coordinates": [[[113.1, 23.1], ["113.2", 23.1], [113.2, 23.2], [113.1, 23.1]]]},
     "第 1 个环第 2 个点须为 [经度, 纬度]"),
    ({"type": "Polygon", "coordinates": [[[113.1, 23.1], [True, 23.1], [113.2, 23.2], [113.1, 23.1]]]}, "两个数字"),
    ({"type": "Polygon", "coordinates": [[[181, 23.1], [113.2, 23.1], [113.2, 23.2], [181, 23.1]]]}, "经度 181"),
    ({"type": "Polygon", "coordinates": [[[113.1, -91], [113.2, 23.1], [113.2, 23.2], [113.1, -91]]]}, "纬度 -91"),
    ({"type": "MultiPolygon", "coordinates": []}, "至少需要一个面"),
    ({"type": "MultiPolygon", "coordinates": [[RING], [[RING[0], RING[1]]]]}, "第 2 个面第 1 个环"),
    ({"type": "FeatureCollection", "features": []}, "恰好有一个要素"),
])
def test_refused_with_a_message_naming_the_place(value, text):
    with pytest.raises(AppError) as caught:
        clean_boundary(value)
    assert text in caught.value.fields["boundary"]
    assert caught.value.message.startswith("边界（GeoJSON）有误")
