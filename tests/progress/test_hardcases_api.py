"""Hard-case API: shapes, scope (404 out of scope), the one error shape, 409 on a stale version."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gaizao.progress.models import HardCase, Visit
from gaizao.progress.services import household_record_event, visit_record
from tests.progress.test_hardcases import TODAY, days_ago, open_case, walk_to

NOT_FOUND = {"message": "不存在或无权查看。", "fields": {}}


def _send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_list_shape_and_filters(cast, login_as):
    case = open_case(cast, days=30, strategy="请村委调解")
    open_case(cast, cast.household_a2, days=2, reason="family")
    client = login_as(cast.street_user_a)
    body = client.get("/api/progress/hardcases").json()
    assert body["next_after"] is None and len(body["items"]) == 2
    row = body["items"][0]
    assert row == {
        "id": case.pk, "version": 1, "household_id": cast.household_a1.pk, "household_number": "DH-001",
        "head_name": "李四", "street_id": cast.street_a.pk, "street_name": "东湖街道", "village_id": cast.village_a.pk,
        "village_name": "东湖村", "cadre_id": cast.cadre.pk, "cadre_name": "陈包户", "reason": "price",
        "reason_label": "补偿价格", "strategy_excerpt": "请村委调解", "opened_on": days_ago(30).isoformat(),
        "closed_on": None, "last_visit_on": None, "next_visit_on": None, "days_since_visit": None, "overdue": True,
    }
    only_overdue = client.get("/api/progress/hardcases", {"overdue": "true"}).json()["items"]
    assert [r["household_number"] for r in only_overdue] == ["DH-001"]
    family = client.get("/api/progress/hardcases", {"reason": "family"}).json()["items"]
    assert [r["household_number"] for r in family] == ["DH-002"]


@pytest.mark.parametrize("role,count", [("street_user_b", 0), ("cadre", 1), ("outsider", 0), ("leader", 1)])
def test_list_and_detail_are_scoped(cast, login_as, role, count):
    case = open_case(cast)
    client = login_as(getattr(cast, role))
    assert len(client.get("/api/progress/hardcases").json()["items"]) == count
    detail = client.get(f"/api/progress/hardcases/{case.pk}")
    if count:
        assert detail.status_code == 200
    else:
        assert detail.status_code == 404 and detail.json() == NOT_FOUND


def test_detail_has_the_visits_newest_first(cast, login_as):
    case = open_case(cast)
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(9), talk="旧")
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(2), talk="新", next_visit_on=TODAY)
    body = login_as(cast.cadre).get(f"/api/progress/hardcases/{case.pk}").json()
    assert [v["talk"] for v in body["visits"]] == ["新", "旧"]
    assert body["visits"][0]["visitor_name"] == "陈包户" and body["visits"][0]["next_visit_on"] == TODAY.isoformat()
    assert body["last_visit_on"] == days_ago(2).isoformat() and body["days_since_visit"] == 2
    assert body["overdue"] is False and body["reason_label"] == "补偿价格" and body["cadre_name"] == "陈包户"


def test_open_through_the_api(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/progress/households/{cast.household_a2.pk}/hardcase"
    response = _send(client, "post", url, {"reason": "family", "strategy": "谈心", "cadre_id": cast.cadre.pk,
                                           "next_visit_on": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["household_number"] == "DH-002" and body["cadre_id"] == cast.cadre.pk and body["visits"] == []
    again = _send(client, "post", url, {"reason": "family"})
    assert again.status_code == 400 and "不能重复列入" in again.json()["message"]


def test_open_refusals_name_the_api_fields(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/progress/households/{cast.household_a2.pk}/hardcase"
    response = _send(client, "post", url, {"reason": "family", "cadre_id": cast.street_user_a.pk})
    assert response.status_code == 400 and "cadre_id" in response.json()["fields"]
    assert _send(client, "post", url, {"reason": "family", "opened_on": "昨天"}).status_code == 422
    assert not HardCase.objects.exists()
    other = login_as(cast.street_user_b)
    assert _send(other, "post", url, {"reason": "family"}).status_code == 404


def test_open_takes_a_signed_household_and_refuses_it_once_vacated(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/progress/households/{cast.household_a1.pk}/hardcase"
    walk_to(cast, cast.household_a1, "signed", on=days_ago(3))
    taken = _send(client, "post", url, {"reason": "family", "opened_on": days_ago(2).isoformat()})
    assert taken.status_code == 201, taken.json()
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    assert HardCase.objects.get().closed_on == days_ago(1)
    refused = _send(client, "post", url, {"reason": "family"})
    assert refused.status_code == 400 and "household" in refused.json()["fields"]
    assert "DH-001" in refused.json()["message"] and "已腾空交房" in refused.json()["message"]
    assert HardCase.objects.get().closed_on == days_ago(1)


def test_patch_and_a_stale_patch(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.street_user_a)
    url = f"/api/progress/hardcases/{case.pk}"
    ok = _send(client, "patch", url, {"version": 1, "strategy": "新方案", "reason": "history"})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["strategy"] == "新方案"
    stale = _send(client, "patch", url, {"version": 1, "strategy": "覆盖"})
    assert stale.status_code == 409 and set(stale.json()) == {"message", "fields"}
    assert HardCase.objects.get().strategy == "新方案"
    missing = _send(client, "patch", url, {"strategy": "x"})
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    unassign = _send(client, "patch", url, {"version": 2, "cadre_id": None})
    assert unassign.status_code == 200 and unassign.json()["cadre_id"] is None
    assert _send(login_as(cast.cadre), "patch", url, {"version": 3, "strategy": "y"}).status_code == 404


def test_visits_through_the_api(cast, login_as):
    case = open_case(cast, days=5)
    client = login_as(cast.cadre)
    url = f"/api/progress/hardcases/{case.pk}/visits"
    ok = _send(client, "post", url, {"visited_on": TODAY.isoformat(), "talk": "态度松动",
                                     "next_visit_on": (TODAY + dt.timedelta(days=7)).isoformat()})
    assert ok.status_code == 201 and ok.json()["visits"][0]["talk"] == "态度松动"
    early = _send(client, "post", url, {"visited_on": days_ago(6).isoformat(), "talk": "x"})
    assert early.status_code == 400 and "visited_on" in early.json()["fields"]
    future = _send(client, "post", url, {"visited_on": (TODAY + dt.timedelta(days=1)).isoformat(), "talk": "x"})
    assert future.status_code == 400
    assert _send(login_as(cast.leader), "post", url, {"visited_on": TODAY.isoformat(), "talk": "x"}).status_code == 404
    assert Visit.objects.count() == 1


def test_close_through_the_api(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.street_user_a)
    url = f"/api/progress/hardcases/{case.pk}/close"
    assert _send(client, "post", url, {"version": 9, "note": "x"}).status_code == 409
    assert _send(client, "post", url, {"version": 1}).status_code == 400
    done = _send(client, "post", url, {"version": 1, "note": "已同意"})
    assert done.status_code == 200 and done.json()["closed_on"] == TODAY.isoformat()
    visit = _send(login_as(cast.cadre), "post", f"/api/progress/hardcases/{case.pk}/visits",
                  {"visited_on": TODAY.isoformat(), "talk": "x"})
    assert visit.status_code == 400 and "销号" in visit.json()["message"]
