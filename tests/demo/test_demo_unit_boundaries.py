"""The demo draws each street's boundary around its villages and the district's outline around the
streets (街道边界、区界), through the org service, so the command map has something to orient by."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gaizao.core.models import AuditEntry
from gaizao.demo import geo
from gaizao.demo.generator import load_demo
from gaizao.ledger.models import Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit, OrgUnitBoundary


def inside(point, ring) -> bool:
    """Ray casting; a point on the edge counts as inside (the padded hull never touches a village)."""
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """One load for the module's tests, which only read it; rolled back at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(households=300, seed=7, today=dt.date(2026, 11, 2))
        transaction.set_rollback(True)


@pytest.fixture
def demo(district, db):
    return district


def test_each_street_is_drawn_around_its_villages_and_apart_from_the_others(demo):
    shapes = dict(OrgUnitBoundary.objects.filter(unit__kind=OrgKind.STREET).values_list("unit_id", "geometry"))
    assert len(shapes) == OrgUnit.objects.filter(kind=OrgKind.STREET).count() == 8
    assert all(shape["type"] == "Polygon" for shape in shapes.values())
    rings = {pk: shape["coordinates"][0] for pk, shape in shapes.items()}
    for village in Village.objects.all():
        for point in village.boundary["coordinates"][0]:
            assert inside(point, rings[village.street_id]), f"{village.name} 超出其街道边界"
            assert not any(inside(point, ring) for pk, ring in rings.items() if pk != village.street_id)
    # streets do not overlap: no corner of one lies strictly inside another
    for pk, ring in rings.items():
        assert ring[0] == ring[-1]
        for other, points in rings.items():
            if other != pk:
                n = len(points) - 1
                centre = (sum(x for x, _ in points[:-1]) / n, sum(y for _, y in points[:-1]) / n)
                assert not inside(centre, ring)


def test_the_district_outline_holds_every_street_and_the_drawing_is_audited(demo):
    outline = OrgUnitBoundary.objects.get(unit__kind=OrgKind.DISTRICT).geometry["coordinates"][0]
    for street in OrgUnitBoundary.objects.filter(unit__kind=OrgKind.STREET):
        assert all(inside(point, outline) for point in street.geometry["coordinates"][0])
    assert all(geo.WEST - 0.05 <= x <= geo.EAST + 0.05 and geo.SOUTH - 0.05 <= y <= geo.NORTH + 0.05
               for x, y in outline)
    assert AuditEntry.objects.filter(action="orgunit.set_boundary").count() == 9  # 8 streets and the district


def test_the_hull_helpers_on_a_known_shape():
    square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5)]
    assert geo.convex_hull(square) == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    village = {"type": "Polygon",
               "coordinates": [[[113.30, 23.10], [113.31, 23.10], [113.31, 23.11], [113.30, 23.10]]]}
    cell = geo.Cell(113.295, 23.08, 113.32, 23.115)
    street = geo.street_polygon([village], cell=cell)["coordinates"][0]
    # padded by 900 m (0.0081° of latitude), then cut to the cell where the cell is nearer
    assert min(x for x, _ in street) == pytest.approx(cell.west)
    assert max(y for _, y in street) == pytest.approx(cell.north)
    assert min(y for _, y in street) == pytest.approx(23.10 - 900 / geo.METRES_PER_DEGREE_LAT, abs=1e-5)
    assert all(inside(p, street) for p in village["coordinates"][0][:-1])
