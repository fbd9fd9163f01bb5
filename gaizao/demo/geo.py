"""Plausible boundaries for the demo villages (城中村边界, GeoJSON) around 113.2–113.5°E, 23.1–23.3°N,
and for its streets and the district (``street_polygon``, ``district_polygon``).

The district's box is cut into a grid of street cells (4 × 2 for eight streets); each street's
villages get their own sub-cell, and a village is an irregular polygon around a point of that
sub-cell whose area matches the village's land area. Sub-cells do not overlap, so villages do not
either, and villages of one street sit together on the map that is drawn from these polygons.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

WEST, EAST = 113.20, 113.50
SOUTH, NORTH = 23.10, 23.30
STREET_COLUMNS = 4
METRES_PER_DEGREE_LAT = 110_574.0


def metres_per_degree_lon(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


@dataclass(frozen=True)
class Cell:
    """A lon/lat rectangle: a street's share of the district, or a village's share of a street."""

    west: float
    south: float
    east: float
    north: float

    def split(self, count: int, *, columns: int | None = None) -> list["Cell"]:
        """``count`` cells of a grid filling this one (near-square unless ``columns`` is given),
        row by row from the north-west."""
        columns = min(count, columns) if columns else math.ceil(math.sqrt(count))
        columns = max(1, columns)
        rows = max(1, math.ceil(count / columns))
        width = (self.east - self.west) / columns
        height = (self.north - self.south) / rows
        cells = []
        for index in range(count):
            row, column = divmod(index, columns)
            west = self.west + column * width
            north = self.north - row * height
            cells.append(Cell(west, north - height, west + width, north))
        return cells

    def as_polygon(self) -> dict:
        ring = [[self.west, self.south], [self.east, self.south], [self.east, self.north],
                [self.west, self.north], [self.west, self.south]]
        return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def street_cells(count: int) -> list[Cell]:
    """The district box cut into ``count`` street cells (four columns)."""
    return Cell(WEST, SOUTH, EAST, NORTH).split(count, columns=STREET_COLUMNS)


def polygon_area_m2(ring: list[list[float]]) -> float:
    """Area of a lon/lat ring in square metres (shoelace on a local flat projection)."""
    lat0 = sum(point[1] for point in ring) / len(ring)
    kx, ky = metres_per_degree_lon(lat0), METRES_PER_DEGREE_LAT
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        total += (x1 * kx) * (y2 * ky) - (x2 * kx) * (y1 * ky)
    return abs(total) / 2


def village_polygon(*, rng: random.Random, cell: Cell, area_m2: float) -> dict:
    """An irregular GeoJSON Polygon of about ``area_m2`` inside ``cell`` (counter-clockwise ring)."""
    lat_mid = (cell.south + cell.north) / 2
    kx, ky = metres_per_degree_lon(lat_mid), METRES_PER_DEGREE_LAT
    radius = math.sqrt(area_m2 / math.pi)
    # Vertices reach 1.2 × radius × 1.3 stretch < 1.6 × radius from the centre: keep that
    # inside the cell whatever the jitter.
    reach = 1.6
    max_radius = 0.45 * min((cell.east - cell.west) * kx, (cell.north - cell.south) * ky) / reach
    radius = min(radius, max_radius)
    margin_x = reach * radius / kx
    margin_y = reach * radius / ky
    cx = rng.uniform(cell.west + margin_x, cell.east - margin_x)
    cy = rng.uniform(cell.south + margin_y, cell.north - margin_y)
    vertices = rng.randint(7, 12)
    stretch = rng.uniform(0.75, 1.3)  # villages along a river or road are longer than wide
    ring = []
    for k in range(vertices):
        angle = 2 * math.pi * (k + rng.uniform(-0.3, 0.3)) / vertices
        r = radius * rng.uniform(0.78, 1.2)
        x = cx + r * math.cos(angle) * stretch / kx
        y = cy + r * math.sin(angle) / stretch / ky
        ring.append([round(x, 6), round(y, 6)])
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


# ---------------------------------------------------------------- streets and the district

def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of the points, counter-clockwise, not closed (Andrew's monotone chain)."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _padded(points: list[tuple[float, float]], metres: float, lat: float) -> list[tuple[float, float]]:
    """The points and, around each, eight points ``metres`` away: their hull is the hull padded."""
    dx, dy = metres / metres_per_degree_lon(lat), metres / METRES_PER_DEGREE_LAT
    out = list(points)
    for x, y in points:
        out.extend((x + dx * math.cos(a), y + dy * math.sin(a)) for a in (k * math.pi / 4 for k in range(8)))
    return out


def _clip(ring: list[tuple[float, float]], cell: Cell) -> list[tuple[float, float]]:
    """The ring cut to the cell (Sutherland–Hodgman; a convex ring stays convex)."""
    edges = ((0, cell.west, 1), (0, cell.east, -1), (1, cell.south, 1), (1, cell.north, -1))
    for axis, bound, side in edges:
        if not ring:
            break
        out = []
        for i, current in enumerate(ring):
            previous = ring[i - 1]
            inside_now = (current[axis] - bound) * side >= 0
            inside_before = (previous[axis] - bound) * side >= 0
            if inside_now != inside_before:
                t = (bound - previous[axis]) / (current[axis] - previous[axis])
                out.append((previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1])))
            if inside_now:
                out.append(current)
        ring = out
    return ring


def _polygon(ring: list[tuple[float, float]]) -> dict:
    points = [[round(x, 6), round(y, 6)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [points + [list(points[0])]]}


def street_polygon(villages: list[dict], *, cell: Cell, pad_m: float = 900.0) -> dict:
    """A street's plausible boundary (街道边界): the hull of its villages padded by ``pad_m`` metres
    and cut to the street's cell, so that streets (each in its own cell) never overlap and
    neighbours meet along the cells' common edge where both reach it."""
    points = [(x, y) for v in villages for x, y in v["coordinates"][0]]
    lat = (cell.south + cell.north) / 2
    ring = _clip(convex_hull(_padded(points, pad_m, lat)), cell)
    return _polygon(ring) if len(ring) >= 3 else cell.as_polygon()


def district_polygon(streets: list[dict], *, pad_m: float = 300.0) -> dict:
    """The district's outline (区界): the hull of its streets, padded by ``pad_m`` metres."""
    points = [(x, y) for s in streets for x, y in s["coordinates"][0]]
    lat = sum(y for _x, y in points) / len(points)
    return _polygon(convex_hull(_padded(points, pad_m, lat)))
