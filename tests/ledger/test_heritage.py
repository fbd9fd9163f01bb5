"""Heritage elements (历史文化要素): pages, photos, API, and the demolition guard on buildings."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.errors import AppError, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Building, HeritageElement

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def building(cast) -> Building:
    return cast.household_a1.buildings.get()


@pytest.fixture
def hall(cast, building) -> HeritageElement:
    return ledger_services.heritage_create(actor=cast.admin, village=cast.village_a, kind="ancestral_hall",
                                           name="李氏宗祠", protection_level="municipal", building=building,
                                           location="村东口")


def test_heritage_create_page_with_a_photo_on_a_building(cast, login_as, media, building):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:heritage_create", args=[cast.village_a.pk])
    assert client.get(f"{url}?building={building.pk}").context["form"]["building"].value() == "DH-001/1"
    response = client.post(url, {
        "kind": "old_tree", "name": "古榕树", "protection_level": "district", "location": "祠堂前",
        "building": "DH-001/1", "photo": SimpleUploadedFile("榕树 照片.JPG", JPEG, content_type="image/jpeg"),
    })
    element = HeritageElement.objects.get(name="古榕树")
    assert response["Location"] == reverse("ledger:heritage_detail", args=[element.pk])
    assert element.building == building and element.village == cast.village_a
    assert element.photo.name.startswith("heritage/") and element.photo.name.endswith(".jpg")
    assert "榕树" not in element.photo.name  # the uploader's file name never reaches the disk
    assert (media / element.photo.name).read_bytes() == JPEG
    photo = client.get(reverse("ledger:heritage_photo", args=[element.pk]))
    assert photo["Content-Type"] == "image/jpeg" and b"".join(photo.streaming_content) == JPEG


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 10), "扩展名"),
    (SimpleUploadedFile("a.png", b"<html>not an image</html>"), "内容不是"),
    (SimpleUploadedFile("a.png", PNG + b"\x00" * (5 * 1024 * 1024)), "5 MB"),
])
def test_bad_photos_are_refused_beside_the_field(cast, login_as, media, upload, message):
    client = login_as(cast.street_user_a)
    response = client.post(reverse("ledger:heritage_create", args=[cast.village_a.pk]), {
        "kind": "old_well", "name": "古井", "protection_level": "unrated", "photo": upload})
    assert response.status_code == 400
    assert message in response.context["form"].errors["photo"][0]
    assert not HeritageElement.objects.exists()
    assert not list(media.rglob("*.*"))


def test_building_reference_must_be_in_the_village(cast, login_as):
    client = login_as(cast.commander)
    response = client.post(reverse("ledger:heritage_create", args=[cast.village_b.pk]), {
        "kind": "archway", "name": "牌坊", "protection_level": "unrated", "building": "DH-001/1"})
    assert "本村没有房屋" in response.context["form"].errors["building"][0]


def test_heritage_edit_replaces_and_removes_the_photo(cast, login_as, media, hall,
                                                      django_capture_on_commit_callbacks):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:heritage_edit", args=[hall.pk])
    page = client.get(url)
    assert page.context["form"]["building"].value() == "DH-001/1"
    data = {"version": 1, "kind": "ancestral_hall", "name": "李氏宗祠", "protection_level": "provincial",
            "building": "DH-001/1", "photo": SimpleUploadedFile("a.png", PNG)}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    hall.refresh_from_db()
    first = hall.photo.name
    assert (media / first).exists() and hall.protection_level == "provincial" and hall.version == 2
    data.update(version=2, photo=SimpleUploadedFile("b.jpg", JPEG))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    hall.refresh_from_db()
    assert hall.photo.name != first and not (media / first).exists()
    data = {"version": 3, "kind": "ancestral_hall", "name": "李氏宗祠", "protection_level": "provincial",
            "building": "", "remove_photo": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    hall.refresh_from_db()
    assert not hall.photo and hall.building is None
    assert not list(media.rglob("*.*"))


def test_village_lists_heritage_and_building_rows_show_a_badge(cast, login_as, hall):
    html = login_as(cast.leader).get(reverse("ledger:village_detail", args=[cast.village_a.pk])).content.decode()
    assert "李氏宗祠" in html and "祠堂" in html and "市级" in html and "DH-001/1" in html
    response = login_as(cast.cadre).get(reverse("ledger:household_detail", args=[cast.household_a1.pk]))
    assert 'data-testid="heritage-badge"' in response.content.decode()
    assert [b.has_heritage for b in response.context["buildings"]] == [True]
    # The cadre reads the building and its heritage, but has no village pages to link to.
    page = login_as(cast.cadre).get(reverse("ledger:building_detail", args=[hall.building_id]))
    assert "李氏宗祠" in page.content.decode()
    assert reverse("ledger:heritage_detail", args=[hall.pk]) not in page.content.decode()
    assert login_as(cast.cadre).get(reverse("ledger:heritage_detail", args=[hall.pk])).status_code == 404


@pytest.mark.parametrize("role, status", [("leader", 200), ("street_user_a", 200), ("street_user_b", 404),
                                          ("cadre", 404), ("resident", 404)])
def test_heritage_detail_and_photo_follow_village_scope(cast, login_as, hall, role, status):
    ledger_services.heritage_update(actor=cast.admin, heritage=hall, version=1,
                                    photo=SimpleUploadedFile("a.png", PNG))
    client = login_as(getattr(cast, role))
    assert client.get(reverse("ledger:heritage_detail", args=[hall.pk])).status_code == status
    assert client.get(reverse("ledger:heritage_photo", args=[hall.pk])).status_code == status
    assert client.get(f"/api/ledger/heritage/{hall.pk}").status_code == status
    assert client.get(f"/api/ledger/heritage/{hall.pk}/photo").status_code == status


# --- the demolition guard: the office's override (特批), a reason of 10 characters, audited ------------

REASON = "经区文物主管部门批准迁建（云文物〔2026〕12号）"


@pytest.fixture
def annex(cast, building) -> Building:
    """A second building of DH-001, so that the hall's building is not the household's last one standing."""
    return ledger_services.building_add(actor=cast.admin, household=cast.household_a1, number="2", legality="legal")


def _nothing_demolished(*buildings) -> None:
    assert all(Building.objects.get(pk=b.pk).demolished_on is None for b in buildings)
    assert not AuditEntry.objects.filter(action__startswith="building.demolish").exists()


def test_a_street_account_cannot_override_even_with_a_reason(cast, hall, building, annex):
    with pytest.raises(AppError) as caught:
        ledger_services.building_mark_demolished(actor=cast.street_user_a, building=building,
                                                 on_date=timezone.localdate(), heritage_override_reason=REASON)
    assert caught.value.status == 403
    message = caught.value.message
    assert "DH-001 李四" in message and "房屋 1" in message and "祠堂「李氏宗祠」" in message
    assert "领导小组办公室" in message and "街道账号不能特批" in caught.value.fields["heritage_override_reason"]
    _nothing_demolished(building)


@pytest.mark.parametrize("reason, said", [("", "不少于 10 个字"), ("   ", "不少于 10 个字"),
                                          ("已批准", "现为 3 个字"), ("规划调整\x01经批准的迁建", "控制字符")])
def test_the_office_needs_a_reason_of_ten_characters(cast, hall, building, annex, reason, said):
    with pytest.raises(AppError) as caught:
        ledger_services.building_mark_demolished(actor=cast.commander, building=building,
                                                 on_date=timezone.localdate(), heritage_override_reason=reason)
    assert caught.value.status == 400
    assert said in caught.value.fields["heritage_override_reason"] and "李氏宗祠" in caught.value.message
    _nothing_demolished(building)


def test_the_office_s_override_demolishes_and_is_audited_with_the_elements(cast, hall, building, annex):
    today = timezone.localdate()
    result = ledger_services.building_mark_demolished(actor=cast.commander, building=building, on_date=today,
                                                      heritage_override_reason=f"  {REASON} ", ip="10.0.0.8")
    stored = Building.objects.get(pk=building.pk)
    assert stored.demolished_on == today == result.demolished_on and stored.version == 2
    entry = AuditEntry.objects.get(action="building.demolish_heritage_override")
    assert entry.actor == cast.commander and entry.ip == "10.0.0.8"
    assert entry.object_type == "ledger.building" and entry.object_id == str(building.pk)
    assert entry.changes["heritage_override_reason"] == REASON
    assert entry.changes["demolished_on"] == [None, today.isoformat()]
    assert entry.changes["heritage"] == [f"祠堂「李氏宗祠」（#{hall.pk}）"]
    assert audit.verify().ok
    with pytest.raises(AppError, match="已于"):
        ledger_services.building_mark_demolished(actor=cast.commander, building=building, on_date=today,
                                                 heritage_override_reason=REASON)


def test_plain_buildings_need_no_reason_and_dates_are_not_in_the_future(cast):
    building = ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="9")
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="10")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(AppError) as caught:
        ledger_services.building_mark_demolished(actor=cast.street_user_a, building=building, on_date=tomorrow)
    assert "不能晚于今天" in caught.value.fields["demolished_on"]
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=building, on_date="2026-01-05")
    assert Building.objects.get(pk=building.pk).demolished_on == dt.date(2026, 1, 5)
    assert AuditEntry.objects.filter(action="building.demolish").count() == 1


def test_the_last_building_standing_comes_down_with_the_household_not_on_its_own(cast, building):
    with pytest.raises(AppError) as caught:
        ledger_services.building_mark_demolished(actor=cast.street_user_a, building=building,
                                                 on_date=timezone.localdate())
    message = caught.value.message
    assert "房屋 1 是住户 DH-001 李四 最后一栋未拆除的房屋" in message and "记录“拆除”" in message
    assert "demolished_on" in caught.value.fields
    _nothing_demolished(building)


def test_demolish_outside_write_scope_is_not_found(cast, building):
    for user in (cast.street_user_b, cast.leader, cast.cadre):
        with pytest.raises(NotFound):
            ledger_services.building_mark_demolished(actor=user, building=building, on_date=timezone.localdate(),
                                                     heritage_override_reason=REASON)


def test_demolish_page_tells_a_street_account_the_office_must_do_it(cast, login_as, hall, building, annex):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:building_demolish", args=[building.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'data-testid="heritage-warning"' in html and 'data-testid="heritage-office-only"' in html
    assert "heritage_override_reason" not in page.context["form"].fields
    today = timezone.localdate().isoformat()
    response = client.post(url, {"version": 1, "on_date": today, "heritage_override_reason": REASON})
    assert response.status_code == 403
    assert "街道账号不能特批" in response.content.decode()
    _nothing_demolished(building)


def test_demolish_page_shows_the_office_the_reason_and_refuses_a_short_one(cast, login_as, hall, building, annex):
    client = login_as(cast.commander)
    url = reverse("ledger:building_demolish", args=[building.pk])
    assert "heritage_override_reason" in client.get(url).context["form"].fields
    today = timezone.localdate().isoformat()
    response = client.post(url, {"version": 1, "on_date": today, "heritage_override_reason": "规划调整"})
    assert response.status_code == 400
    assert "不少于 10 个字" in response.context["form"].errors["heritage_override_reason"][0]
    response = client.post(url, {"version": 1, "on_date": today, "heritage_override_reason": REASON})
    assert response["Location"] == reverse("ledger:building_detail", args=[building.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "标记拆除（涉历史文化要素，特批）" in detail and REASON in detail


def test_a_plain_building_s_page_asks_no_reason(cast, login_as, annex):
    page = login_as(cast.commander).get(reverse("ledger:building_demolish", args=[annex.pk]))
    assert "heritage_override_reason" not in page.context["form"].fields
    assert 'data-testid="heritage-warning"' not in page.content.decode()


def test_demolish_page_with_a_stale_version_shows_the_conflict(cast, login_as, building):
    ledger_services.building_update(actor=cast.admin, building=building, version=1, floors=2)
    response = login_as(cast.street_user_a).post(reverse("ledger:building_demolish", args=[building.pk]),
                                                 {"version": 1, "on_date": timezone.localdate().isoformat()})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert Building.objects.get(pk=building.pk).demolished_on is None


def test_demolish_api(cast, login_as, hall, building, annex):
    url = f"/api/ledger/buildings/{building.pk}/demolish"
    today = timezone.localdate().isoformat()

    def post(client, body):
        return client.post(url, json.dumps(body), content_type="application/json")

    response = post(login_as(cast.street_user_a), {"on_date": today, "heritage_override_reason": REASON})
    assert response.status_code == 403
    assert "街道账号不能特批" in response.json()["fields"]["heritage_override_reason"]
    office = login_as(cast.commander)
    response = post(office, {"on_date": today})
    assert response.status_code == 400 and "不少于 10 个字" in response.json()["fields"]["heritage_override_reason"]
    response = post(office, {"on_date": today, "heritage_override_reason": REASON, "version": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["demolished_on"] == today and body["has_heritage"] is True and body["version"] == 2
    building_b = ledger_services.building_add(actor=cast.admin, household=cast.household_b1, number="1")
    response = login_as(cast.street_user_a).post(f"/api/ledger/buildings/{building_b.pk}/demolish",
                                                 json.dumps({"on_date": today}), content_type="application/json")
    assert response.status_code == 404


# --- no element is registered on a building that is gone ----------------------------------------------

def test_an_element_is_not_registered_on_a_demolished_building(cast, login_as, building, annex):
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=annex, on_date="2026-01-05")
    with pytest.raises(AppError) as caught:
        ledger_services.heritage_create(actor=cast.street_user_a, village=cast.village_a, kind="old_well",
                                        name="古井", building=annex)
    assert "DH-001/2" in caught.value.fields["building"] and "2026-01-05 拆除" in caught.value.fields["building"]
    assert not HeritageElement.objects.exists()
    # The page and the API say the same, beside the field.
    response = login_as(cast.street_user_a).post(reverse("ledger:heritage_create", args=[cast.village_a.pk]), {
        "kind": "old_well", "name": "古井", "protection_level": "unrated", "building": "DH-001/2"})
    assert response.status_code == 400 and "已拆除的房屋" in response.context["form"].errors["building"][0]
    response = login_as(cast.commander).post("/api/ledger/heritage", json.dumps({
        "village_id": cast.village_a.pk, "kind": "old_well", "name": "古井", "building_id": annex.pk}),
        content_type="application/json")
    assert response.status_code == 400 and "已拆除的房屋" in response.json()["fields"]["building"]
    assert not HeritageElement.objects.exists()


def test_an_element_is_not_moved_onto_a_demolished_building_but_stays_editable_on_its_own(cast, hall, building,
                                                                                         annex):
    ledger_services.building_add(actor=cast.admin, household=cast.household_a1, number="3", legality="legal")
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=annex, on_date="2026-01-05")
    with pytest.raises(AppError, match="已拆除的房屋"):
        ledger_services.heritage_update(actor=cast.street_user_a, heritage=hall, version=1, building=annex)
    ledger_services.building_mark_demolished(actor=cast.commander, building=building, on_date="2026-01-06",
                                             heritage_override_reason=REASON)
    hall.refresh_from_db()
    # The element of a building demolished under the override keeps its record (and its building).
    ledger_services.heritage_update(actor=cast.street_user_a, heritage=hall, version=hall.version,
                                    building=Building.objects.get(pk=building.pk), notes="已迁建")
    assert HeritageElement.objects.get(pk=hall.pk).notes == "已迁建"


def test_heritage_api(cast, login_as, media, building):
    client = login_as(cast.street_user_a)
    response = client.post("/api/ledger/heritage", json.dumps({
        "village_id": cast.village_a.pk, "kind": "historic_building", "name": "碉楼", "building_id": building.pk,
        "protection_level": "provincial"}), content_type="application/json")
    assert response.status_code == 201
    element = response.json()
    assert element["kind_label"] == "历史建筑" and element["building_id"] == building.pk
    assert element["photo_url"] is None
    response = client.post(f"/api/ledger/heritage/{element['id']}/photo",
                           {"version": 1, "photo": SimpleUploadedFile("p.png", PNG)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and body["photo_url"] == f"/api/ledger/heritage/{element['id']}/photo"
    assert b"".join(client.get(body["photo_url"]).streaming_content) == PNG
    response = client.post(f"/api/ledger/heritage/{element['id']}/photo",
                           {"version": 1, "photo": SimpleUploadedFile("p.png", PNG)})
    assert response.status_code == 409
    response = client.patch(f"/api/ledger/heritage/{element['id']}", json.dumps({
        "version": 2, "building_id": cast.household_b1.pk * 1000}), content_type="application/json")
    assert response.status_code == 400 and "building_id" in response.json()["fields"]
    response = client.patch(f"/api/ledger/heritage/{element['id']}", json.dumps({
        "version": 2, "remove_photo": True, "building_id": None}), content_type="application/json")
    assert response.json()["photo_url"] is None and response.json()["building_id"] is None
    listed = client.get("/api/ledger/heritage", {"village": cast.village_a.pk}).json()
    assert [h["name"] for h in listed] == ["碉楼"]
    assert client.get("/api/ledger/heritage", {"village": cast.village_b.pk}).status_code == 404
    village = client.get(f"/api/ledger/villages/{cast.village_a.pk}").json()
    assert [h["name"] for h in village["heritage"]] == ["碉楼"]
