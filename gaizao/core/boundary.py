"""A boundary (边界) of a village or an org unit: GeoJSON Polygon or MultiPolygon in longitude/latitude
(WGS 84).

Villages (``ledger``) and streets and the district (``org``) store one; the check lives here, below
both, so that both give the same messages.

What people paste comes from GIS tools and web editors: a bare geometry, a Feature, or a
FeatureCollection holding one feature. Each is accepted; the geometry is what is stored. Anything
else gets a Chinese message saying which ring and which point is wrong.
"""

from __future__ import annotations

import json
import math
from numbers import Real

from gaizao.core.errors import AppError

MAX_POINTS = 100_000


class BoundaryError(ValueError):
    pass


def _geometry(data, whose: str):
    if not isinstance(data, dict):
        raise BoundaryError("边界须为 GeoJSON 对象（以 { 开头）。")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise BoundaryError(f"FeatureCollection 中须恰好有一个要素（{whose}的边界）。")
        return _geometry(features[0], whose)
    if kind == "Feature":
        return _geometry(data.get("geometry"), whose)
    if kind not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"边界须为 Polygon 或 MultiPolygon，实际为「{kind or '未注明类型'}」。")
    if not isinstance(data.get("coordinates"), list):
        raise BoundaryError("边界缺少 coordinates 坐标数组。")
    return {"type": kind, "coordinates": data["coordinates"]}


def _number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_ring(ring, where: str) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise BoundaryError(f"{where}至少需要 4 个坐标点（首尾相同，构成闭合环）。")
    for index, point in enumerate(ring, start=1):
        at = f"{where}第 {index} 个点"
        if not isinstance(point, list) or len(point) not in (2, 3) or not all(_number(v) for v in point):
            raise BoundaryError(f"{at}须为 [经度, 纬度] 两个数字。")
        lon, lat = point[0], point[1]
        if not -180 <= lon <= 180:
            raise BoundaryError(f"{at}的经度 {lon} 超出范围（-180 至 180）。")
        if not -90 <= lat <= 90:
            raise BoundaryError(f"{at}的纬度 {lat} 超出范围（-90 至 90）。")
    if ring[0][:2] != ring[-1][:2]:
        raise BoundaryError(f"{where}未闭合：最后一个点须与第一个点相同。")
    return len(ring)


def _check_polygon(rings, where: str) -> int:
    if not isinstance(rings, list) or not rings:
        raise BoundaryError(f"{where}须为由环组成的数组（至少一个外环）。")
    return sum(_check_ring(ring, f"{where}第 {n} 个环") for n, ring in enumerate(rings, start=1))


def clean_boundary(value, *, field: str = "boundary", whose: str = "该村",
                   max_points: int = MAX_POINTS) -> dict | None:
    """The geometry to store (``None`` for no boundary), or an AppError naming the field.

    ``whose`` names the owner in the messages ("该村", "该街道"); ``max_points`` bounds its size.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise BoundaryError(f"边界不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列附近）。") from None
        geometry = _geometry(value, whose)
        if geometry["type"] == "Polygon":
            points = _check_polygon(geometry["coordinates"], "")
        else:
            polygons = geometry["coordinates"]
            if not polygons:
                raise BoundaryError("MultiPolygon 至少需要一个面。")
            points = sum(_check_polygon(p, f"第 {n} 个面") for n, p in enumerate(polygons, start=1))
        if points > max_points:
            raise BoundaryError(f"边界的坐标点过多（{points} 个，最多 {max_points} 个），请先简化。")
    except BoundaryError as exc:
        message = str(exc)
        raise AppError(f"边界（GeoJSON）有误：{message}", fields={field: message}) from None
    return geometry
