"""The events API: scoped reads, writes through the services, the one error shape (400/404/409)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gaizao.ledger.models import Household
from gaizao.progress.models import StageEvent
from gaizao.progress.services import household_record_event
from tests.ledger.conftest import ROLES, VISIBLE, make_households

D = dt.date
NOT_FOUND = {"message": "不存在或无权查看。", "fields": {}}
WRITERS_A = {"admin", "commander", "street_user_a"}

pytestmark = pytest.mark.usefixtures("rollups_stay_correct")


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def version(household) -> int:
    return Household.objects.get(pk=household.pk).version


@pytest.mark.parametrize("role", ROLES)
def test_the_event_list_is_scoped(cast, login_as, role):
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed", on_date=D(2026, 3, 1))
    client = login_as(getattr(cast, role))
    for name in ("household_a1", "household_b1"):
        response = client.get(f"/api/progress/households/{getattr(cast, name).pk}/events")
        if name in VISIBLE[role]:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code == 404, (role, name)
            assert response.json() == NOT_FOUND


def test_the_event_list_shows_corrections_and_attachments(cast, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gaizao.progress.services import event_correct

    first = household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                                   on_date=D(2026, 3, 1), note="首次入户",
                                   attachments=[SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0data")])
    event_correct(actor=cast.street_user_a, event=first, on_date=D(2026, 3, 2), note="日期笔误")
    body = login_as(cast.leader).get(f"/api/progress/households/{cast.household_a1.pk}/events").json()
    assert body["household"]["stage"] == "surveyed" and body["household"]["dates"]["surveyed"] == "2026-03-02"
    original, correction = body["events"]
    assert original["attachments"][0]["name"] == "照片.jpg"
    assert original["attachments"][0]["content_type"] == "image/jpeg"
    assert original["attachments"][0]["url"] == f"/progress/attachments/{original['attachments'][0]['id']}/"
    assert (original["actor"], original["kind_label"], original["note"]) == ("王东湖", "入户调查", "首次入户")
    assert (correction["corrects_id"], correction["on_date"], correction["note"]) == (original["id"], "2026-03-02",
                                                                                     "日期笔误")


@pytest.mark.parametrize("role", ROLES)
def test_recording_per_role(cast, login_as, role):
    client = login_as(getattr(cast, role))
    response = post(client, f"/api/progress/households/{cast.household_a1.pk}/events",
                    {"kind": "surveyed", "on_date": "2026-03-01", "version": version(cast.household_a1)})
    if role in WRITERS_A:
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["event"]["kind"] == "surveyed" and body["event"]["on_date"] == "2026-03-01"
        assert body["household"]["stage"] == "surveyed"
        assert body["household"]["version"] == version(cast.household_a1)
    else:
        assert response.status_code == 404, role
        assert StageEvent.objects.count() == 0


def test_order_refusal_is_400_with_the_field(cast, login_as):
    client = login_as(cast.street_user_a)
    response = post(client, f"/api/progress/households/{cast.household_a1.pk}/events",
                    {"kind": "signed", "on_date": "2026-03-01"})
    assert response.status_code == 400
    assert response.json() == {"message": "本户尚未记录「评估」，不能记录「签约」。", "fields": {"kind": "顺序不符"}}
    response = post(client, f"/api/progress/households/{cast.household_a1.pk}/events",
                    {"kind": "surveyed", "on_date": "2026-03-01T09:00:00"})
    assert response.status_code == 400 and "on_date" in response.json()["fields"]
    response = post(client, f"/api/progress/households/{cast.household_a1.pk}/events",
                    {"kind": "flying", "on_date": "2026-03-01"})
    assert response.status_code == 400 and response.json()["fields"] == {"kind": "未知事项"}
    assert StageEvent.objects.count() == 0


def test_stale_version_is_409_and_exactly_one_wins(cast, login_as):
    seen = version(cast.household_a1)
    url = f"/api/progress/households/{cast.household_a1.pk}/events"
    first = post(login_as(cast.street_user_a), url, {"kind": "surveyed", "on_date": "2026-03-01", "version": seen})
    second = post(login_as(cast.commander), url, {"kind": "surveyed", "on_date": "2026-03-02", "version": seen})
    assert first.status_code == 201
    assert second.status_code == 409 and "已被他人修改" in second.json()["message"]
    assert StageEvent.objects.count() == 1


def test_correct_endpoint(cast, login_as):
    event = household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed",
                                   on_date=D(2026, 3, 1))
    client = login_as(cast.street_user_a)
    url = f"/api/progress/events/{event.pk}/correct"
    response = post(client, url, {"note": "改", "version": version(cast.household_a1)})
    assert response.status_code == 400 and response.json()["fields"] == {"on_date": "必填"}
    response = post(client, url, {"on_date": "2026-03-03", "note": "", "version": version(cast.household_a1)})
    assert response.status_code == 400 and response.json()["fields"] == {"note": "必填"}
    response = post(client, url, {"on_date": "2026-03-03", "note": "改", "version": 1})
    assert response.status_code == 409
    response = post(client, url, {"on_date": "2026-03-03", "note": "改", "version": version(cast.household_a1)})
    assert response.status_code == 201
    assert response.json()["event"]["corrects_id"] == event.pk
    assert response.json()["household"]["dates"]["surveyed"] == "2026-03-03"
    void_url = f"/api/progress/events/{response.json()['event']['id']}/correct"
    response = post(client, void_url, {"void": True, "note": "误录"})
    assert response.status_code == 201 and response.json()["household"]["stage"] == "registered"
    assert post(login_as(cast.street_user_b), url, {"void": True, "note": "x"}).status_code == 404
    assert post(login_as(cast.cadre), url, {"void": True, "note": "x"}).status_code == 404  # reads, may not write


def test_bulk_endpoint_by_ids_or_numbers_all_or_nothing(cast, login_as):
    made = make_households(cast.admin, cast.project_a, 3)
    client = login_as(cast.street_user_a)
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01",
                                                   "household_ids": [made[0].pk, made[1].pk]})
    assert response.status_code == 201 and response.json() == {"recorded": 2}
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01", "project": "P001",
                                                   "numbers": ["T-0001", "T-0002"]})
    assert response.status_code == 400
    assert "T-0001" in response.json()["message"] and "没有写入任何记录" in response.json()["message"]
    assert StageEvent.objects.count() == 2
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01", "project": "P001",
                                                   "numbers": ["T-0002", "NO-9"]})
    assert response.status_code == 400 and "NO-9" in response.json()["message"]
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01", "project": "P001",
                                                   "numbers": ["T-0002"]})
    assert response.status_code == 201 and response.json() == {"recorded": 1}
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01",
                                                   "household_ids": [cast.household_b1.pk]})
    assert response.status_code == 404
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01", "project": "P002",
                                                   "numbers": ["XL-001"]})
    assert response.status_code == 404
    response = post(client, "/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-03-01"})
    assert response.status_code == 400 and response.json()["fields"] == {"household_ids": "必填"}
