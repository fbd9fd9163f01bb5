"""Pages and API of inspections and rectification (督查 / 整改): the office records an inspection and its
findings with photos, the unit submits its fix on the page, another verifies or returns it, a finding
raises an order; a unit sees only its own items; the lists cost the same whatever their length."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.core import calendar
from gaizao.oversight.choices import FindingStatus, OrderStatus
from gaizao.oversight.models import Finding, FindingPhoto, Inspection, SupervisionOrder
from gaizao.oversight.services import inspections as services
from tests.oversight.samples_inspections import jpeg

TODAY = timezone.localdate()


def later(days: int) -> dt.date:
    return calendar.next_workday(TODAY + dt.timedelta(days=days))


@pytest.fixture
def inspection(cast):
    return services.inspection_create(actor=cast.commander, title="十二月专项督查", held_on=TODAY,
                                      inspectors="督查组", units=[cast.street_a, cast.street_b])


def add(cast, inspection, unit, text="围挡破损", **kwargs):
    return services.finding_add(actor=cast.commander, inspection=inspection, unit=unit, text=text,
                                deadline=later(10), **kwargs)


def test_the_office_records_an_inspection_on_the_page(cast, login_as):
    client = login_as(cast.commander)
    assert client.get(reverse("oversight:inspection_create")).status_code == 200
    response = client.post(reverse("oversight:inspection_create"), {
        "title": "拆除现场督查", "held_on": TODAY.isoformat(), "inspectors": "周指挥",
        "units": [cast.street_a.pk, cast.department.pk], "places": "东湖村"})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oversight:inspection_detail",
                                                                           args=[inspection.pk])
    page = client.get(response["Location"]).content.decode()
    assert "拆除现场督查" in page and 'data-testid="finding-form"' in page


def test_a_refused_inspection_shows_the_reason_beside_the_field(cast, login_as):
    client = login_as(cast.commander)
    response = client.post(reverse("oversight:inspection_create"), {
        "title": "督查", "held_on": TODAY.isoformat(), "inspectors": "周指挥"})
    assert response.status_code == 400 and 'data-testid="error-units"' in response.content.decode()
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who", ["street_user_a", "leader"])
def test_only_the_office_opens_the_new_inspection_page(cast, login_as, who):
    assert login_as(getattr(cast, who)).get(reverse("oversight:inspection_create")).status_code == 404


def test_a_finding_with_photos_is_added_on_the_inspection_page(cast, inspection, login_as, media):
    client = login_as(cast.commander)
    response = client.post(reverse("oversight:finding_add", args=[inspection.pk]), {
        "unit": cast.street_a.pk, "text": "裸土未覆盖", "workdays": 3, "photos": [jpeg("现场1.jpg"), jpeg("现场2.jpg")]})
    finding = Finding.objects.get()
    assert response.status_code == 302 and FindingPhoto.objects.filter(finding=finding).count() == 2
    page = client.get(reverse("oversight:inspection_detail", args=[inspection.pk])).content.decode()
    photo = FindingPhoto.objects.first()
    assert reverse("oversight:finding_photo", args=[photo.pk]) in page
    served = client.get(reverse("oversight:finding_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_finding_for_a_unit_not_inspected_is_refused_on_the_page(cast, inspection, login_as):
    client = login_as(cast.commander)
    response = client.post(reverse("oversight:finding_add", args=[inspection.pk]), {
        "unit": cast.department.pk, "text": "问题", "workdays": 3})
    # the department is not offered: the form refuses it as a choice
    assert response.status_code == 400 and not Finding.objects.exists()


def test_a_bad_photo_on_the_page_keeps_nothing(cast, inspection, login_as, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_as(cast.commander)
    bad = SimpleUploadedFile("坏.jpg", b"not a picture" * 20, content_type="image/jpeg")
    response = client.post(reverse("oversight:finding_add", args=[inspection.pk]), {
        "unit": cast.street_a.pk, "text": "问题", "workdays": 3, "photos": [jpeg(), bad]})
    assert response.status_code == 400 and "不是可识别的照片" in response.content.decode()
    assert not Finding.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_unit_fixes_on_the_page_and_the_office_verifies(cast, inspection, login_as, client, media):
    finding = add(cast, inspection, cast.street_a)
    street = login_as(cast.street_user_a)
    page = street.get(reverse("oversight:finding_detail", args=[finding.pk])).content.decode()
    assert 'data-testid="fix-form"' in page and 'data-testid="verify-form"' not in page
    response = street.post(reverse("oversight:finding_fix", args=[finding.pk]), {
        "version": 1, "note": "已修复围挡", "photos": [jpeg("整改后.jpg")]})
    assert response.status_code == 302
    assert Finding.objects.get().status == FindingStatus.FIXED
    office = login_as(cast.commander)
    page = office.get(reverse("oversight:finding_detail", args=[finding.pk])).content.decode()
    assert 'data-testid="verify-form"' in page and "已修复围挡" in page
    response = office.post(reverse("oversight:finding_verify", args=[finding.pk]),
                           {"version": 2, "decision": "return", "reason": ""})
    assert response.status_code == 400 and 'data-testid="error-reason"' in response.content.decode()
    response = office.post(reverse("oversight:finding_verify", args=[finding.pk]), {"version": 2, "decision": "pass"})
    assert response.status_code == 302 and Finding.objects.get().status == FindingStatus.VERIFIED


def test_a_stale_fix_on_the_page_is_409(cast, inspection, login_as):
    finding = add(cast, inspection, cast.street_a)
    Finding.objects.filter(pk=finding.pk).update(version=5)
    response = login_as(cast.street_user_a).post(reverse("oversight:finding_fix", args=[finding.pk]),
                                                 {"version": 1, "note": "已整改"})
    assert response.status_code == 409 and Finding.objects.get().status == FindingStatus.OPEN


@pytest.mark.parametrize("who", ["street_user_b", "commander", "leader", "department_user"])
def test_a_fix_by_another_than_the_findings_unit_is_404(cast, inspection, login_as, who):
    finding = add(cast, inspection, cast.street_a)
    response = login_as(getattr(cast, who)).post(reverse("oversight:finding_fix", args=[finding.pk]),
                                                 {"version": 1, "note": "已整改"})
    assert response.status_code == 404 and Finding.objects.get().status == FindingStatus.OPEN


def test_the_order_button_raises_a_draft_order_and_a_second_is_refused(cast, inspection, login_as):
    finding = add(cast, inspection, cast.street_a)
    client = login_as(cast.commander)
    page = client.get(reverse("oversight:finding_detail", args=[finding.pk])).content.decode()
    assert 'data-testid="raise-order"' in page
    assert client.post(reverse("oversight:finding_order", args=[finding.pk])).status_code == 302
    order = SupervisionOrder.objects.get()
    assert order.status == OrderStatus.DRAFT and Finding.objects.get().order == order
    again = client.post(reverse("oversight:finding_order", args=[finding.pk]))
    assert again.status_code == 400 and "不能重复督办" in again.content.decode()
    assert SupervisionOrder.objects.count() == 1


def test_a_unit_sees_only_its_own_findings_on_the_inspection_and_the_list(cast, inspection, login_as):
    add(cast, inspection, cast.street_a, text="东湖的问题")
    add(cast, inspection, cast.street_b, text="西岭的问题")
    client = login_as(cast.street_user_a)
    page = client.get(reverse("oversight:inspection_detail", args=[inspection.pk])).content.decode()
    assert "东湖的问题" in page and "西岭的问题" not in page and 'data-testid="finding-form"' not in page
    listed = client.get(reverse("oversight:finding_list")).content.decode()
    assert "东湖的问题" in listed and "西岭的问题" not in listed
    office = login_as(cast.commander).get(reverse("oversight:finding_list")).content.decode()
    assert "东湖的问题" in office and "西岭的问题" in office and 'data-testid="unit-counts"' in office


@pytest.mark.parametrize("who, status", [("admin", 200), ("commander", 200), ("leader", 200), ("street_user_a", 200),
                                         ("department_user", 200), ("cadre", 404), ("resident", 404),
                                         ("outsider", 404), ("auditor", 404)])
def test_the_lists_are_for_those_who_read_inspections(cast, login_as, who, status):
    client = login_as(getattr(cast, who))
    assert client.get(reverse("oversight:inspection_list")).status_code == status
    assert client.get(reverse("oversight:finding_list")).status_code == status


def _many(cast, n: int) -> None:
    for i in range(n):
        inspection = services.inspection_create(actor=cast.commander, title=f"督查{i}", held_on=TODAY,
                                                inspectors="督查组", units=[cast.street_a, cast.street_b])
        for unit in (cast.street_a, cast.street_b):
            add(cast, inspection, unit, text=f"问题{i}", owner=cast.street_user_a if unit == cast.street_a else None)


@pytest.mark.parametrize("url_name", ["oversight:inspection_list", "oversight:finding_list"])
@pytest.mark.parametrize("who", ["commander", "street_user_a"])
def test_the_list_pages_cost_the_same_whatever_their_length(cast, login_as, django_assert_max_num_queries,
                                                            url_name, who):
    client = login_as(getattr(cast, who))
    _many(cast, 1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse(url_name)).status_code == 200
    _many(cast, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_the_inspection_page_costs_the_same_whatever_its_findings(cast, inspection, login_as,
                                                                  django_assert_max_num_queries, media):
    client = login_as(cast.commander)
    add(cast, inspection, cast.street_a, photos=[jpeg()])
    url = reverse("oversight:inspection_detail", args=[inspection.pk])
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    for i in range(5):
        add(cast, inspection, cast.street_b, text=f"问题{i}", photos=[jpeg()], owner=cast.street_user_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- API -----------------------------------------------------------------------------------------------

def test_the_api_creates_adds_lists_fixes_and_verifies(cast, login_as):
    office = login_as(cast.commander)
    created = office.post("/api/oversight/inspections", {
        "title": "接口督查", "held_on": TODAY.isoformat(), "inspectors": "督查组",
        "unit_ids": [cast.street_a.pk]}, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    refused = office.post(f"/api/oversight/inspections/{pk}/findings", {
        "unit_id": cast.street_b.pk, "text": "问题", "workdays": 3}, content_type="application/json")
    assert refused.status_code == 400 and "unit_id" in refused.json()["fields"]
    past = office.post(f"/api/oversight/inspections/{pk}/findings", {
        "unit_id": cast.street_a.pk, "text": "问题", "deadline": (TODAY - dt.timedelta(days=2)).isoformat()},
        content_type="application/json")
    assert past.status_code == 400 and "deadline" in past.json()["fields"]
    added = office.post(f"/api/oversight/inspections/{pk}/findings", {
        "unit_id": cast.street_a.pk, "text": "问题", "workdays": 3}, content_type="application/json")
    assert added.status_code == 201
    finding = added.json()
    assert finding["status"] == "open" and finding["unit_name"] == "东湖街道"
    listed = office.get("/api/oversight/findings?open_only=true").json()["items"]
    assert [row["id"] for row in listed] == [finding["id"]]
    assert office.get("/api/oversight/inspections").json()["items"][0]["open"] == 1
    street = login_as(cast.street_user_a)
    fixed = street.post(f"/api/oversight/findings/{finding['id']}/fix", {"version": 1, "note": "已整改",
                                                                         "photos": [jpeg("整改后.jpg")]})
    assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
    assert FindingPhoto.objects.filter(finding_id=finding["id"], kind="fix").count() == 1
    stale = street.post(f"/api/oversight/findings/{finding['id']}/fix", {"version": 1, "note": "再改"})
    assert stale.status_code == 409
    office = login_as(cast.commander)
    verified = office.post(f"/api/oversight/findings/{finding['id']}/verify", {"version": 2, "passed": True},
                           content_type="application/json")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"


def test_the_api_hides_findings_out_of_scope_and_refuses_a_fix_by_another_unit(cast, inspection, login_as):
    finding = add(cast, inspection, cast.street_a)
    other = login_as(cast.street_user_b)
    assert other.get(f"/api/oversight/findings/{finding.pk}").status_code == 404
    assert other.post(f"/api/oversight/findings/{finding.pk}/fix", {"version": 1, "note": "x"}).status_code == 404
    assert other.get("/api/oversight/findings").json()["items"] == []


def test_the_api_refuses_an_unknown_status(cast, login_as):
    response = login_as(cast.commander).get("/api/oversight/findings?status=lost")
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_the_api_lists_cost_the_same_whatever_their_length(cast, login_as, django_assert_max_num_queries):
    client = login_as(cast.commander)
    _many(cast, 1)
    with django_assert_max_num_queries(20) as few:
        client.get("/api/oversight/findings")
        client.get("/api/oversight/inspections")
    _many(cast, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/oversight/findings")
        client.get("/api/oversight/inspections")


def test_the_office_edits_an_inspection_on_the_page_and_a_stale_edit_is_409(cast, inspection, login_as):
    client = login_as(cast.commander)
    url = reverse("oversight:inspection_edit", args=[inspection.pk])
    assert "十二月专项督查" in client.get(url).content.decode()
    body = {"version": 1, "title": "十二月专项督查（复查）", "held_on": TODAY.isoformat(), "inspectors": "督查组",
            "units": [cast.street_a.pk, cast.street_b.pk, cast.department.pk]}
    assert client.post(url, body).status_code == 302
    inspection.refresh_from_db()
    assert inspection.title == "十二月专项督查（复查）" and inspection.units.count() == 3
    stale = client.post(url, {**body, "title": "又改了"})
    assert stale.status_code == 409 and Inspection.objects.get().title == "十二月专项督查（复查）"


def test_the_api_patches_an_inspection_and_raises_an_order(cast, inspection, login_as):
    client = login_as(cast.commander)
    patched = client.patch(f"/api/oversight/inspections/{inspection.pk}", {"version": 1, "places": "西岭村"},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["places"] == "西岭村" and patched.json()["version"] == 2
    stale = client.patch(f"/api/oversight/inspections/{inspection.pk}", {"version": 1, "places": "东湖村"},
                         content_type="application/json")
    assert stale.status_code == 409
    finding = add(cast, inspection, cast.street_b)
    raised = client.post(f"/api/oversight/findings/{finding.pk}/order")
    assert raised.status_code == 201 and raised.json()["status"] == "draft"
    assert client.post(f"/api/oversight/findings/{finding.pk}/order").status_code == 400
    assert login_as(cast.leader).post(f"/api/oversight/findings/{finding.pk}/order").status_code == 404
    detail = client.get(f"/api/oversight/findings/{finding.pk}").json()
    assert detail["order_id"] == raised.json()["id"]
