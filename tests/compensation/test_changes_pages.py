"""The change requests' pages and API: asking with the form (values as they stand, reason, evidence), the diff side by
side, deciding on the page, the office's list with a pinned number of queries."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.compensation.choices import ChangeKind, ChangeStatus, ValuationKind
from gaizao.compensation.models import ChangeRequest, Valuation
from gaizao.compensation.services import changes
from gaizao.ledger.models import Building, Household
from tests.compensation.samples_changes import evidence, published
from tests.conftest import login


@pytest.fixture
def pub(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    published(cast)
    return cast


def _building(cast) -> Building:
    return Building.objects.get(household=cast.household_a1)


def test_the_form_lists_what_can_change_then_asks_with_the_values_as_they_stand(pub, client):
    login(client, pub.street_user_a)
    url = reverse("compensation:change_new", args=[pub.household_a1.pk, ChangeKind.BUILDING])
    listing = client.get(url).content.decode()
    assert 'data-testid="target-building-1"' in listing and "已于" in listing
    building = _building(pub)
    form = client.get(f"{url}?building={building.pk}")
    assert form.status_code == 200 and form.context["form"].initial["legal_area"] == Decimal("120.50")
    response = client.post(f"{url}?building={building.pk}", {
        "structure": building.structure, "floors": building.floors, "build_year": "", "certificate_no": "",
        "legal_area": "110.00", "unlicensed_area": "30.00", "use": building.use, "disposition": building.disposition,
        "reason": "测绘复核，合法面积应为 110 平方米", "evidence": evidence("测绘报告.pdf")})
    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("compensation:change_detail",
                                                                           args=[change.pk])
    assert change.payload["changes"] == {"legal_area": "110.00"} and change.payload["before"] == {
        "legal_area": "120.50"}
    assert change.requested_by == pub.street_user_a and change.evidence.name.endswith("测绘报告.pdf")
    assert _building(pub).legal_area == Decimal("120.50")


def test_the_form_shows_a_refusal_beside_its_field(pub, client):
    login(client, pub.street_user_a)
    building = _building(pub)
    url = reverse("compensation:change_new", args=[pub.household_a1.pk, ChangeKind.LEGALITY])
    response = client.post(f"{url}?building={building.pk}", {"legality": "illegal", "reason": "复核认定为违法"})
    assert response.status_code == 400
    assert 'data-testid="error-evidence">必须上传' in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_detail_page_puts_inputs_and_items_side_by_side_and_the_office_decides_there(pub, client):
    building = _building(pub)
    change = changes.change_request(
        actor=pub.street_user_a, household=pub.household_a1, kind=ChangeKind.LEGALITY,
        payload={"op": "building_update", "building": building.pk, "changes": {"legality": "illegal"}},
        reason="复核认定为违法建筑", evidence=evidence())
    login(client, pub.street_user_a)
    page = client.get(reverse("compensation:change_detail", args=[change.pk])).content.decode()
    assert 'data-testid="changed-input"' in page and "违法" in page and "合法" in page
    assert 'data-testid="approve-form"' not in page  # a street asks, never approves
    assert client.get(reverse("compensation:change_evidence", args=[change.pk])).status_code == 200
    login(client, pub.commander)
    page = client.get(reverse("compensation:change_detail", args=[change.pk])).content.decode()
    assert 'data-testid="approve-form"' in page and 'data-testid="reject-form"' in page
    refused = client.post(reverse("compensation:change_reject", args=[change.pk]),
                          {"reject-version": change.version, "reject-note": ""})
    assert refused.status_code == 400 and 'data-testid="error-note">须写明' in refused.content.decode()
    done = client.post(reverse("compensation:change_reject", args=[change.pk]),
                       {"reject-version": change.version, "reject-note": "证明材料不足"})
    assert done.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and change.decision_note == "证明材料不足"


def test_the_api_asks_with_multipart_and_the_office_approves(pub, client):
    login(client, pub.street_user_a)
    payload = {"op": "household_update", "changes": {"member_count": "3"}}
    response = client.post(f"/api/compensation/households/{pub.household_a2.pk}/changes", {
        "kind": "members", "payload": json.dumps(payload), "reason": "新增家庭成员两人", "evidence": evidence()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["requested_by"] == str(pub.street_user_a)
    assert body["after"]["inputs"]["household"]["persons"] == "3"
    bad = client.post(f"/api/compensation/households/{pub.household_a2.pk}/changes", {
        "kind": "members", "payload": "{", "reason": "新增家庭成员两人", "evidence": evidence()})
    assert bad.status_code == 400 and bad.json()["fields"] == {"payload": "格式有误"}
    login(client, pub.commander)
    approved = client.post(f"/api/compensation/changes/{body['id']}/approve",
                           json.dumps({"version": body["version"]}), content_type="application/json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == str(pub.commander)
    assert Household.objects.get(pk=pub.household_a2.pk).member_count == 3
    listed = client.get(f"/api/compensation/households/{pub.household_a2.pk}/changes").json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_valuation_review_goes_through_a_request(pub):
    building = _building(pub)
    change = changes.change_request(
        actor=pub.street_user_a, household=pub.household_a1, kind=ChangeKind.VALUATION,
        payload={"op": "valuation", "building": building.pk, "entry": {
            "kind": ValuationKind.REVIEW, "unit_price": "6000", "decoration": "30000",
            "valued_on": timezone.localdate().isoformat(),
            "valuer": "云溪房地产估价有限公司"}},
        reason="业主申请复核，复核单价 6000 元", evidence=evidence("复核报告.pdf"))
    assert change.after["inputs"]["buildings"]["1"]["unit_price"] == "6000.00"
    assert Decimal(change.after["total"]) > Decimal(change.before["total"])
    changes.change_approve(actor=pub.commander, change=change, version=change.version)
    in_force = Valuation.objects.get(building=building, in_force=True)
    assert in_force.unit_price == Decimal("6000") and in_force.kind == ValuationKind.REVIEW


@pytest.mark.parametrize("count", [1, 6])
def test_the_office_list_costs_the_same_queries_whatever_its_length(pub, client, django_assert_num_queries, count):
    building = _building(pub)
    for i in range(count):
        changes.change_request(
            actor=pub.street_user_a, household=pub.household_a1, kind=ChangeKind.BUILDING,
            payload={"op": "building_update", "building": building.pk, "changes": {"legal_area": f"{100 + i}"}},
            reason="测绘复核面积", evidence=evidence())
    login(client, pub.commander)
    # session, user, second factor, roles, the requests with their households, projects and people (one query),
    # and the session saved again (savepoint, update, release)
    with django_assert_num_queries(8):
        response = client.get(reverse("compensation:change_list"))
    assert len(response.context["changes"]) == count
    assert response.content.decode().count('<tr data-testid="change-') == count


def test_every_kind_of_change_has_its_form(cast, settings, tmp_path, client):
    from gaizao.ledger import services as ledger

    settings.MEDIA_ROOT = tmp_path / "media"
    person = ledger.person_add(actor=cast.admin, household=cast.household_a1, name="李小四", relation="child")
    published(cast)
    pub = cast
    building = _building(pub)
    login(client, pub.commander)
    base = lambda kind: reverse("compensation:change_new", args=[pub.household_a1.pk, kind])  # noqa: E731
    pages = {
        base("building"): "target-new", f"{base('building')}?building={building.pk}": "legal_area",
        f"{base('building')}?target=new": "number", f"{base('building')}?target=household": "land_type",
        f"{base('legality')}?building={building.pk}": "legality", base("members"): f"target-person-{person.pk}",
        f"{base('members')}?person={person.pk}": "hukou", f"{base('members')}?target=new": "relation",
        f"{base('members')}?target=household": "member_count",
        f"{base('valuation')}?building={building.pk}": "unit_price", base("scheme"): "scheme",
    }
    for url, shown in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url
    assert client.get(base("nothing")).status_code == 404
    assert client.get(f"{base('building')}?building=999999").status_code == 404
