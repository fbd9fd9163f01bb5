"""A district's and a street's boundary (边界) for the command map: checked, audited, written by the
administrator only, and set from the new-unit page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.org.models import OrgUnit, OrgUnitBoundary
from gaizao.org.services import orgunit_set_boundary

SQUARE = {"type": "Polygon",
          "coordinates": [[[113.3, 23.1], [113.4, 23.1], [113.4, 23.2], [113.3, 23.2], [113.3, 23.1]]]}


def test_the_admin_sets_a_streets_boundary_and_it_is_audited(cast):
    feature = {"type": "Feature", "properties": {"名称": "东湖街道"}, "geometry": SQUARE}
    orgunit_set_boundary(actor=cast.admin, unit=cast.street_a, boundary=feature, ip="10.0.0.8")
    assert OrgUnitBoundary.objects.get(unit=cast.street_a).geometry == SQUARE  # the geometry, not the Feature
    entry = AuditEntry.objects.filter(action="orgunit.set_boundary").get()
    assert entry.actor_id == cast.admin.pk and entry.object_id == str(cast.street_a.pk)
    assert entry.changes["boundary"] == [None, SQUARE]
    # the same boundary again writes nothing; clearing it is a change of its own
    orgunit_set_boundary(actor=cast.admin, unit=cast.street_a, boundary=SQUARE)
    assert AuditEntry.objects.filter(action="orgunit.set_boundary").count() == 1
    orgunit_set_boundary(actor=cast.admin, unit=cast.street_a, boundary="")
    assert not OrgUnitBoundary.objects.filter(unit=cast.street_a).exists()
    assert AuditEntry.objects.filter(action="orgunit.set_boundary").count() == 2


@pytest.mark.parametrize("value, words", [
    ('{"type": "Polygon", "coordinates": [[[113.3, 23.1], [113.4, 23.1]', "不是有效的 JSON"),
    ({"type": "Point", "coordinates": [113.3, 23.1]}, "须为 Polygon 或 MultiPolygon，实际为「Point」"),
    ({"type": "Polygon", "coordinates": [[[113.3, 23.1], [113.4, 23.1], [113.3, 23.1]]]}, "第 1 个环至少需要 4 个坐标点"),
    ({"type": "Polygon", "coordinates": [[[113.3, 23.1], [113.4, 23.1], [113.4, 23.2], [113.3, 23.2], [113.3, 23.3]]]},
     "第 1 个环未闭合：最后一个点须与第一个点相同"),
    # longitude and latitude swapped
    ({"type": "Polygon", "coordinates": [[[23.1, 113.3], [23.1, 113.4], [23.2, 113.4], [23.1, 113.3]]]},
     "第 1 个环第 1 个点的纬度 113.3 超出范围"),
    ({"type": "FeatureCollection", "features": []}, "FeatureCollection 中须恰好有一个要素（该街道的边界）"),
])
def test_a_bad_boundary_is_refused_naming_the_field_and_nothing_is_written(cast, value, words):
    with pytest.raises(AppError) as caught:
        orgunit_set_boundary(actor=cast.admin, unit=cast.street_a, boundary=value)
    assert words in caught.value.fields["boundary"]
    assert str(caught.value).startswith("边界（GeoJSON）有误：")
    assert not OrgUnitBoundary.objects.exists()
    assert not AuditEntry.objects.filter(action="orgunit.set_boundary").exists()


def test_a_district_outline_may_not_be_a_whole_gis_export(cast):
    ring = [[113.0 + i * 1e-5, 23.0] for i in range(20_001)] + [[113.0, 23.0]]
    with pytest.raises(AppError) as caught:
        orgunit_set_boundary(actor=SYSTEM, unit=cast.district, boundary={"type": "Polygon", "coordinates": [ring]})
    assert "坐标点过多" in caught.value.fields["boundary"] and "最多 20000 个" in caught.value.fields["boundary"]


@pytest.mark.parametrize("who", ["commander", "street_user_a", "security"])
def test_only_the_administrator_draws_units(cast, who):
    with pytest.raises(PermissionDenied):
        orgunit_set_boundary(actor=getattr(cast, who), unit=cast.street_a, boundary=SQUARE)
    assert not OrgUnitBoundary.objects.exists()


def test_the_new_unit_page_takes_a_boundary_and_shows_its_error_beside_it(login_as, cast):
    client = login_as(cast.admin)
    bad = client.post(reverse("org:unit_create"), {
        "code": "440199003", "name": "南湾街道", "kind": "street", "parent": cast.district.pk,
        "boundary": '{"type": "Polygon", "coordinates": []}',
    })
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'data-testid="error-boundary"' in html and "须为由环组成的数组" in html
    assert not OrgUnit.objects.filter(code="440199003").exists()
    good = client.post(reverse("org:unit_create"), {
        "code": "440199003", "name": "南湾街道", "kind": "street", "parent": cast.district.pk,
        "boundary": '{"type": "Feature", "geometry": ' + str(SQUARE).replace("'", '"') + "}",
    })
    assert good.status_code == 302
    assert OrgUnitBoundary.objects.get(unit__code="440199003").geometry == SQUARE
    created = AuditEntry.objects.get(action="orgunit.create", object_id=str(OrgUnit.objects.get(code="440199003").pk))
    assert created.changes["after"]["boundary"] == SQUARE


def test_the_admin_changes_and_clears_an_existing_streets_boundary_on_its_page(login_as, cast):
    import json

    client = login_as(cast.admin)
    url = reverse("org:unit_boundary", args=[cast.street_a.pk])
    assert f'href="{url}"' in client.get(reverse("org:unit_list")).content.decode()
    assert "尚未设边界" in client.get(url).content.decode()
    response = client.post(url, {"boundary": json.dumps(SQUARE)})
    assert response.status_code == 302 and response["Location"] == reverse("org:unit_list")
    assert OrgUnitBoundary.objects.get(unit=cast.street_a).geometry == SQUARE
    page = client.get(url).content.decode()
    assert "已设边界" in page and "113.3" in page  # the stored outline, to edit
    bad = client.post(url, {"boundary": '{"type": "Polygon", "coordinates": [[[113.3, 23.1], [113.4, 23.1]]]}'})
    assert bad.status_code == 400 and 'is-invalid' in bad.content.decode()
    assert OrgUnitBoundary.objects.get(unit=cast.street_a).geometry == SQUARE  # unchanged
    client.post(url, {"boundary": ""})
    assert not OrgUnitBoundary.objects.filter(unit=cast.street_a).exists()
    assert AuditEntry.objects.filter(action="orgunit.set_boundary").count() == 2


@pytest.mark.parametrize("who", ["commander", "street_user_a", "security"])
def test_nobody_but_the_administrator_finds_the_boundary_page(login_as, cast, who):
    assert login_as(getattr(cast, who)).get(reverse("org:unit_boundary", args=[cast.street_a.pk])).status_code == 404


def test_a_community_has_no_boundary_page(login_as, cast):
    assert login_as(cast.admin).get(reverse("org:unit_boundary", args=[cast.community_a.pk])).status_code == 404
