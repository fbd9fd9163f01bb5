"""Meeting pages and API (例会): record a meeting, add decisions, make one a task; the next meeting's
page lists the earlier decisions' tasks; the minutes as a 公文."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gaizao.campaign.choices import MeetingKind, TaskCategory
from gaizao.campaign.models import Decision, Meeting
from gaizao.campaign.services import meetings as svc
from tests.campaign.test_reports import TODAY, make_campaign
from tests.conftest import login


@pytest.fixture
def campaign(db):
    return make_campaign()


def test_the_office_records_a_meeting_adds_decisions_and_makes_one_a_task(cast, client, campaign):
    login(client, cast.commander)
    assert client.get("/campaign/meetings/new/").status_code == 200
    created = client.post("/campaign/meetings/new/", {"kind": MeetingKind.DISPATCH, "title": "第一次调度会",
                                                      "held_on": f"{TODAY:%Y-%m-%d}", "place": "三楼会议室"})
    assert created.status_code == 302
    meeting = Meeting.objects.get()
    url = f"/campaign/meetings/{meeting.pk}/"
    assert created["Location"] == url
    empty = client.post(f"{url}decisions/", {"text": ""})
    assert empty.status_code == 400 and 'data-testid="error-text">必填' in empty.content.decode()
    assert client.post(f"{url}decisions/", {"text": "西岭村剩余户逐户走访"}).status_code == 302
    decision = Decision.objects.get()
    due = f"{TODAY + dt.timedelta(days=9):%Y-%m-%d}"
    no_unit = client.post(f"{url}task/", {"decision": decision.pk, "deadline": due})
    assert no_unit.status_code == 400 and 'data-testid="error-unit">必选' in no_unit.content.decode()
    made = client.post(f"{url}task/", {"decision": decision.pk, "unit": cast.street_b.pk,
                                       "person": cast.street_user_b.pk,
                                       "deadline": f"{TODAY + dt.timedelta(days=9):%Y-%m-%d}"})
    assert made.status_code == 302
    decision.refresh_from_db()
    assert decision.task.category == TaskCategory.DECISION and decision.task.unit == cast.street_b
    body = client.get(url).content.decode()
    assert 'data-testid="decision-task"' in body and 'data-testid="task-form"' not in body  # nothing left to make


def test_the_next_meetings_page_shows_the_earlier_decisions_task(cast, client, campaign):
    first = svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.LEADING_GROUP,
                               title="领导小组第一次会议", held_on=TODAY - dt.timedelta(days=7))
    decision = svc.decision_add(actor=cast.commander, meeting=first, text="财政局拨付补偿资金")
    svc.decision_to_task(actor=cast.commander, decision=decision, unit=cast.street_a,
                         deadline=TODAY + dt.timedelta(days=3))
    second = svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH,
                                title="第二次调度会", held_on=TODAY)
    login(client, cast.leader)
    body = client.get(f"/campaign/meetings/{second.pk}/").content.decode()
    assert 'data-testid="earlier-open"' in body and "财政局拨付补偿资金" in body and "办理中" in body
    assert "task-form" not in body  # the leader reads


def test_a_street_sees_its_own_street_meetings_only(cast, client, campaign):
    office = svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH,
                                title="调度会甲", held_on=TODAY)
    own = svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET,
                             title="东湖例会乙", held_on=TODAY, unit=cast.street_a)
    login(client, cast.street_user_a)
    body = client.get("/campaign/meetings/").content.decode()
    assert "东湖例会乙" in body and "调度会甲" not in body
    assert client.get(f"/campaign/meetings/{office.pk}/").status_code == 404
    assert client.get(f"/campaign/meetings/{own.pk}/").status_code == 200
    form = client.get("/campaign/meetings/new/").content.decode()
    assert 'value="street"' in form and 'value="dispatch"' not in form


def test_the_minutes_download_as_a_docx(cast, client, campaign):
    meeting = svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.LEADING_GROUP,
                                 title="领导小组第一次会议", held_on=TODAY, minutes="会议认为……\n会议要求……")
    svc.decision_add(actor=cast.commander, meeting=meeting, text="议定事项一")
    login(client, cast.commander)
    response = client.get(f"/campaign/meetings/{meeting.pk}/minutes.docx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_meeting_list_costs_the_same_whatever_the_number_of_meetings(cast, client, campaign,
                                                                      django_assert_num_queries):
    login(client, cast.commander)
    client.get("/campaign/meetings/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/campaign/meetings/")
    for i in range(5):
        svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH, title=f"调度会{i}",
                           held_on=TODAY)
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get("/campaign/meetings/").status_code == 200


def _api(client, method, url, body=None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_the_api_records_meetings_decisions_and_tasks(cast, client, campaign):
    login(client, cast.commander)
    created = _api(client, "POST", "/api/campaign/meetings", {"kind": "dispatch", "title": "调度会",
                                                              "held_on": f"{TODAY:%Y-%m-%d}"})
    assert created.status_code == 201, created.content
    meeting = created.json()
    added = _api(client, "POST", f"/api/campaign/meetings/{meeting['id']}/decisions", {"text": "逐户走访"})
    assert added.status_code == 201 and added.json()["order"] == 1
    decision = added.json()["id"]
    made = _api(client, "POST", f"/api/campaign/decisions/{decision}/task",
                {"unit_id": cast.street_a.pk, "workdays": 5})
    assert made.status_code == 200 and made.json()["task"]["unit_id"] == cast.street_a.pk
    again = _api(client, "POST", f"/api/campaign/decisions/{decision}/task",
                 {"unit_id": cast.street_a.pk, "workdays": 5})
    assert again.status_code == 400 and "不能重复转办" in again.json()["message"]
    patched = _api(client, "PATCH", f"/api/campaign/meetings/{meeting['id']}",
                   {"version": meeting["version"], "minutes": "会议纪要正文"})
    assert patched.status_code == 200 and patched.json()["minutes"] == "会议纪要正文"
    stale = _api(client, "PATCH", f"/api/campaign/meetings/{meeting['id']}",
                 {"version": meeting["version"], "place": "旧"})
    assert stale.status_code == 409
    got = client.get(f"/api/campaign/meetings/{meeting['id']}").json()
    assert got["decisions"][0]["task"]["title"] == "逐户走访"
    login(client, cast.street_user_a)
    assert client.get(f"/api/campaign/meetings/{meeting['id']}").status_code == 404
    refused = _api(client, "POST", "/api/campaign/meetings", {"kind": "leading_group", "title": "x",
                                                              "held_on": f"{TODAY:%Y-%m-%d}"})
    assert refused.status_code == 400 and refused.json()["fields"] == {"kind": "无权登记此类会议"}


def test_the_meeting_record_is_edited_on_its_version(cast, client, campaign):
    meeting = svc.meeting_create(actor=cast.commander, campaign=campaign, kind=MeetingKind.DISPATCH, title="调度会",
                                 held_on=TODAY)
    login(client, cast.commander)
    url = f"/campaign/meetings/{meeting.pk}/edit/"
    data = {"title": "第三次调度会", "held_on": f"{TODAY:%Y-%m-%d}", "minutes": "会议认为……", "version": meeting.version}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "place": "旧页面"})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()
    meeting.refresh_from_db()
    assert (meeting.title, meeting.minutes, meeting.place) == ("第三次调度会", "会议认为……", "")
    login(client, cast.leader)
    assert client.post(url, data).status_code == 404


def test_a_street_makes_its_meetings_decision_a_sub_task_on_the_page(cast, client, campaign):
    from gaizao.campaign.services.tasks import task_create

    parent = task_create(actor=cast.commander, campaign=campaign, title="东湖村签约攻坚", unit=cast.street_a,
                         deadline=TODAY + dt.timedelta(days=30))
    meeting = svc.meeting_create(actor=cast.street_user_a, campaign=campaign, kind=MeetingKind.STREET,
                                 title="东湖例会", held_on=TODAY, unit=cast.street_a)
    decision = svc.decision_add(actor=cast.street_user_a, meeting=meeting, text="社区书记包片攻坚")
    login(client, cast.street_user_a)
    page = client.get(f"/campaign/meetings/{meeting.pk}/").content.decode()
    assert "东湖村签约攻坚" in page  # offered as the parent
    due = f"{TODAY + dt.timedelta(days=5):%Y-%m-%d}"
    response = client.post(f"/campaign/meetings/{meeting.pk}/task/", {
        "decision": decision.pk, "unit": cast.street_a.pk, "parent": parent.pk, "deadline": due})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.task.parent == parent
