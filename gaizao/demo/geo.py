"""Plausible boundaries for the demo villages (城中村边界, GeoJSON) around 113.2–113.5°E, 23.1–23.3°N.

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
