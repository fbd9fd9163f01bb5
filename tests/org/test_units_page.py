"""Org tree (组织机构): read through orgunit_scope; only the administrator adds units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.org.models import OrgUnit

pytestmark = pytest.mark.django_db


def _tree(client) -> str:
    response = client.get(reverse("org:unit_list"))
    assert response.status_code == 200
    return response.content.decode().split('data-testid="unit-tree"', 1)[1].split("</table>", 1)[0]


@pytest.mark.parametrize("who", ["admin", "commander", "leader"])
def test_district_wide_roles_see_the_whole_tree(login_as, cast, who):
    html = _tree(login_as(getattr(cast, who)))
    for name in ("云溪区", "东湖街道", "西岭街道", "东湖社区", "住房和城乡建设局"):
        assert name in html


def test_street_staff_see_only_their_street_subtree(login_as, cast):
    html = _tree(login_as(cast.street_user_a))
    assert "东湖街道" in html and "东湖社区" in html
    assert "西岭街道" not in html and "云溪区" not in html


def test_outsider_sees_an_empty_tree(login_as, cast):
    assert "你的账号没有可查看的组织机构" in _tree(login_as(cast.outsider))


def test_admin_adds_a_unit_under_a_parent(login_as, cast):
    client = login_as(cast.admin)
    assert client.get(reverse("org:unit_create") + f"?parent={cast.street_b.pk}").status_code == 200
    response = client.post(reverse("org:unit_create"), {
        "code": "440199002001", "name": "西岭社区", "kind": "community", "parent": cast.street_b.pk, "sort_order": 1,
    })
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="440199002001").path == "440199/440199002/440199002001"


def test_duplicate_unit_code_is_shown_beside_the_code(login_as, cast):
    response = login_as(cast.admin).post(reverse("org:unit_create"), {
        "code": "440199001", "name": "重复", "kind": "street", "parent": cast.district.pk,
    })
    assert response.status_code == 400
    assert 'data-testid="error-code"' in response.content.decode()


@pytest.mark.parametrize("who", ["commander", "security", "auditor", "street_user_a"])
def test_only_the_admin_adds_units(login_as, cast, who):
    client = login_as(getattr(cast, who))
    assert client.get(reverse("org:unit_create")).status_code == 404
    assert client.post(reverse("org:unit_create"), {"code": "X1", "name": "X", "kind": "street"}).status_code == 404
