"""The auditor's audit trail page (审计日志): auditor only, filters, newest first, fixed queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from gaizao.core.actors import SYSTEM
from gaizao.core import audit
from gaizao.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/audit/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _ids(response) -> list[int]:
    return [row["entry"].id for row in response.context["rows"]]


def test_audit_page_url_name():
    assert reverse("portal:audit_list") == URL


def test_auditor_sees_entries_newest_first(login_as, cast):
    response = login_as(cast.auditor).get(URL)
    assert response.status_code == 200
    ids = _ids(response)
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == AuditEntry.objects.order_by("-id").first().id
    assert "审计日志" in response.content.decode()


@pytest.mark.parametrize("who", ["admin", "commander", "leader", "street_user_a", "department_user", "cadre",
                                 "resident", "outsider", "security"])
def test_everyone_but_the_auditor_finds_no_page(login_as, cast, who):
    assert login_as(getattr(cast, who)).get(URL).status_code == 404


def test_anonymous_is_asked_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:login"))


def test_viewing_the_audit_trail_writes_nothing(login_as, cast):
    client = login_as(cast.auditor)
    before = AuditEntry.objects.count()
    client.get(URL)
    client.get(URL + "?action=auth.&before=999999")
    assert AuditEntry.objects.count() == before


def test_filter_by_actor_and_action_prefix(login_as, cast):
    client = login_as(cast.auditor)
    response = client.get(URL, {"actor": "auditor", "action": "auth."})
    entries = [row["entry"] for row in response.context["rows"]]
    assert entries and all(e.actor_name == "auditor" and e.action.startswith("auth.") for e in entries)


def test_filter_by_object_type_and_id(login_as, cast):
    client = login_as(cast.auditor)
    household = cast.household_a1
    response = client.get(URL, {"object_type": "ledger.household", "object_id": str(household.pk)})
    entries = [row["entry"] for row in response.context["rows"]]
    assert entries
    assert all(e.object_type == "ledger.household" and e.object_id == str(household.pk) for e in entries)


def test_filter_by_result(login_as, client, cast):
    client.post(reverse("org:login"), {"username": "street_a", "password": "wrong-Password-1"})
    response = login_as(cast.auditor).get(URL, {"result": "failure"})
    entries = [row["entry"] for row in response.context["rows"]]
    assert [e.action for e in entries] == ["auth.login_failed"]


def test_date_range_is_whole_days_in_beijing_time(login_as, cast):
    client = login_as(cast.auditor)
    today = dt.datetime.now(SHANGHAI).date()
    assert _ids(client.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    yesterday = today - dt.timedelta(days=1)
    assert _ids(client.get(URL, {"date_to": yesterday.isoformat()})) == []
    assert _ids(client.get(URL, {"date_from": (today + dt.timedelta(days=1)).isoformat()})) == []


def test_reversed_date_range_is_a_chinese_error_beside_the_field(login_as, cast):
    html = login_as(cast.auditor).get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"}).content.decode()
    assert 'data-testid="error-date_to"' in html and "截止日期不能早于起始日期" in html


def _fill(n: int) -> None:
    for i in range(n):
        audit.record(actor=SYSTEM, action="test.fill", object_type="test", object_id=i)


def test_pages_hold_50_and_walk_back_and_forth(login_as, cast):
    _fill(120)
    client = login_as(cast.auditor)
    first = client.get(URL, {"action": "test."})
    ids1 = _ids(first)
    assert len(ids1) == 50 and first.context["newer_url"] is None
    second = client.get(first.context["older_url"])
    ids2 = _ids(second)
    assert len(ids2) == 50 and ids2[0] < ids1[-1]
    third = client.get(second.context["older_url"])
    assert len(_ids(third)) == 20 and third.context["older_url"] is None
    back = client.get(third.context["newer_url"])
    assert _ids(back) == ids2
    assert "action=test." in second.context["older_url"]


@pytest.mark.parametrize("extra", [0, 200])
def test_a_page_costs_a_fixed_number_of_queries(login_as, cast, django_assert_num_queries, extra):
    _fill(extra)
    client = login_as(cast.auditor)
    # session, user, roles, one page of entries, session save (savepoint, update, release)
    with django_assert_num_queries(7):
        response = client.get(URL, {"actor": "", "action": ""})
    assert response.status_code == 200


def test_entries_name_objects_and_fields_in_chinese_never_the_model_or_its_id(login_as, cast):
    from gaizao.ledger import services as ledger_services

    ledger_services.household_update(actor=cast.admin, household=cast.household_a1,
                                     head_name="李四海", version=cast.household_a1.version)
    html = login_as(cast.auditor).get(URL).content.decode()
    import re

    visible = re.sub(r"<[^>]+>", " ", html)  # the text a person reads (option values are not shown)
    assert "ledger.household" not in visible and f"#{cast.household_a1.pk}" not in visible
    assert "head_name" not in visible and "auth." not in visible
    assert "<dt>户主姓名</dt>" in html and "→ 李四海" in html
    assert audit.object_label("ledger.household") == "住户"
    assert audit.object_label("nowhere.thing") == "其他记录"
    assert audit.describe_changes("ledger.household", {"after": {"head_name": "王五", "member_count": 3}}) == [
        ("户主姓名", "王五"), ("家庭人数", "3")]
