"""The search by citizen ID is audited and limited per user (issue 15, item 1: the ID-search oracle).

The attack: a masked number (440199********4918) hides only the birth date, so trying the valid
numbers that fit the mask through ``?q=`` finds the household's full number. Every ID search is now
an audit entry that names the household and never the number; over 20 in 10 minutes (page and API
together) the user is refused ID searches for an hour and the security officers are told once.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from gaizao.core.models import AuditEntry, Notification
from gaizao.ledger import services as ledger_services
from gaizao.ledger.services.id_search import BLOCKED, SEARCH
from tests.ledger.conftest import citizen_id

HEAD_ID = "11010519491231002X"  # household_a1's head (tests/conftest.py)
PAGE = "/ledger/households/"
API = "/api/ledger/households"


def guesses(count: int, *, start: int = 0) -> list[str]:
    """Valid numbers that fit the mask 440199********4918 as an attacker would try them."""
    day = dt.date(1980, 1, 1)
    return [citizen_id(491, region="440199", birth=f"{day + dt.timedelta(days=start + i):%Y%m%d}")
            for i in range(count)]


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Time that the test moves: the audit entries and the limit both read ``timezone.now``."""
    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moving.now)
    return moving


def page_search(client, q: str):
    return client.get(PAGE, {"q": q})


def api_search(client, q: str):
    return client.get(API, {"q": q})


def blocked_notices(cast) -> list[Notification]:
    return list(Notification.objects.filter(recipient=cast.security, kind="id_search_blocked"))


def entry_text(entry: AuditEntry) -> str:
    """Everything an entry says (not its hashes, which are hex digits of no meaning)."""
    return json.dumps({
        "actor_name": entry.actor_name, "action": entry.action, "object_type": entry.object_type,
        "object_id": entry.object_id, "object_repr": entry.object_repr, "changes": entry.changes,
        "result": entry.result, "ip": entry.ip,
    }, ensure_ascii=False)


def assert_number_absent(entry: AuditEntry, number: str) -> None:
    text = entry_text(entry)
    masked = number[:6] + "********" + number[-4:]
    for piece in (number, masked, number[:14], number[6:14], number[-4:], number[:6] + "*"):
        assert piece not in text, (piece, text)


@pytest.mark.parametrize("role", ["street_user_a", "cadre"])
def test_it_refuses_the_21st_id_search_on_the_page_for_the_hour(cast, login_as, clock, role):
    user = getattr(cast, role)
    client = login_as(user)
    numbers = guesses(25)
    for number in numbers[:20]:
        response = page_search(client, number)
        assert response.status_code == 200
    response = page_search(client, numbers[20])
    assert response.status_code == 429
    assert response.context["households"] == []
    assert "按身份证号查询过于频繁" in response.context["form"].errors["q"][0]
    assert "按身份证号查询过于频繁" in response.content.decode()
    # The real head's number is refused too: the block does not depend on what is searched.
    assert page_search(client, HEAD_ID).status_code == 429
    clock.advance(minutes=59)
    client = login_as(user)  # the idle timeout has passed meanwhile
    assert page_search(client, HEAD_ID).status_code == 429
    assert page_search(client, "DH").status_code == 200  # a search by household number still works
    clock.advance(minutes=2)
    client = login_as(user)
    response = page_search(client, HEAD_ID)
    assert response.status_code == 200
    assert len(blocked_notices(cast)) == 1


def test_it_refuses_the_21st_id_search_through_the_api(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    numbers = guesses(25)
    for number in numbers[:20]:
        response = api_search(client, number)
        assert response.status_code == 200
        assert response.json()["items"] == []
    response = api_search(client, numbers[20])
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"message", "fields"}
    assert "按身份证号查询过于频繁" in body["message"]
    assert set(body["fields"]) == {"q"}
    for number in numbers[21:]:
        assert api_search(client, number).status_code == 429
    clock.advance(minutes=30)
    client = login_as(cast.street_user_a)
    assert api_search(client, HEAD_ID).status_code == 429


def test_page_and_api_share_one_limit(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    numbers = guesses(21)
    for number in numbers[:10]:
        assert page_search(client, number).status_code == 200
    for number in numbers[10:20]:
        assert api_search(client, number).status_code == 200
    assert api_search(client, numbers[20]).status_code == 429
    assert page_search(client, HEAD_ID).status_code == 429


def test_the_limit_counts_searches_in_the_window_only(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    numbers = guesses(40)
    for number in numbers[:15]:
        assert page_search(client, number).status_code == 200
    clock.advance(minutes=11)
    client = login_as(cast.street_user_a)
    # The first 15 are older than 10 minutes: 20 more are allowed, the 21st in the window is not.
    for number in numbers[15:35]:
        assert api_search(client, number).status_code == 200
    assert api_search(client, numbers[35]).status_code == 429


def test_the_limit_is_per_user(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    for number in guesses(21):
        page_search(client, number)
    assert page_search(client, HEAD_ID).status_code == 429
    client = login_as(cast.commander)
    response = page_search(client, HEAD_ID)
    assert response.status_code == 200
    assert [row.number for row in response.context["households"]] == ["DH-001"]


def test_security_officers_are_told_once_per_block(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    for number in guesses(30):
        api_search(client, number)
    notices = blocked_notices(cast)
    assert len(notices) == 1
    assert "street_a" in notices[0].title
    assert "王东湖" in notices[0].body
    assert notices[0].read_at is None
    # Only the security officers: the searcher, the auditor and the admin are not told.
    assert not Notification.objects.exclude(recipient=cast.security).exists()
    clock.advance(minutes=61)
    client = login_as(cast.street_user_a)
    for number in guesses(21, start=100):
        api_search(client, number)
    assert len(blocked_notices(cast)) == 2


def test_each_id_search_is_audited_naming_the_household_never_the_number(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    miss = guesses(1)[0]
    assert [row["number"] for row in api_search(client, HEAD_ID).json()["items"]] == ["DH-001"]
    assert page_search(client, miss).status_code == 200
    hit, missed = AuditEntry.objects.filter(action=SEARCH).order_by("id")
    for entry, number in ((hit, HEAD_ID), (missed, miss)):
        assert entry.actor_id == cast.street_user_a.pk
        assert entry.result == AuditEntry.Result.SUCCESS
        assert entry.ip == "127.0.0.1"
        assert_number_absent(entry, number)
    assert hit.changes == {"households": [{"id": cast.household_a1.pk, "number": "DH-001"}]}
    assert missed.changes == {"households": []}


def test_members_numbers_are_searched_audited_and_counted(cast, login_as, clock):
    member_id = citizen_id(100)
    ledger_services.person_add(actor=cast.admin, household=cast.household_a2, name="李四", relation="child",
                               id_number=member_id)
    client = login_as(cast.street_user_a)
    response = api_search(client, member_id)
    assert [row["number"] for row in response.json()["items"]] == ["DH-002"]
    entry = AuditEntry.objects.filter(action=SEARCH).get()
    assert entry.changes == {"households": [{"id": cast.household_a2.pk, "number": "DH-002"}]}
    assert_number_absent(entry, member_id)
    for number in guesses(19):
        assert page_search(client, number).status_code == 200
    assert api_search(client, member_id).status_code == 429


def test_refusals_are_audited_as_failures_without_the_number(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    numbers = guesses(23)
    for number in numbers:
        api_search(client, number)
    entries = list(AuditEntry.objects.filter(action__in=[SEARCH, BLOCKED]).order_by("id"))
    assert [(e.action, e.result) for e in entries] == (
        [(SEARCH, "success")] * 20 + [(BLOCKED, "failure")] + [(SEARCH, "failure")] * 2
    )
    for entry, number in zip(entries, numbers):
        assert entry.actor_id == cast.street_user_a.pk
        assert_number_absent(entry, number)


def test_searches_by_name_pinyin_or_number_are_neither_limited_nor_audited(cast, login_as, clock):
    client = login_as(cast.street_user_a)
    before = AuditEntry.objects.count()
    for i in range(15):
        for q in ("DH", "张", "zs", "11010519"):  # a number prefix is not a search by ID
            assert page_search(client, q).status_code == 200
            assert api_search(client, q).status_code == 200
    assert AuditEntry.objects.count() == before
    assert page_search(client, HEAD_ID).status_code == 200


def test_a_limit_that_is_not_a_positive_number_is_a_clear_start_up_error():
    from tests.core.test_settings import PRODUCTION, _run

    out = _run(["check"], **PRODUCTION, GAIZAO_ID_SEARCH_LIMIT="0")
    assert out.returncode != 0
    assert "GAIZAO_ID_SEARCH_LIMIT 应为正整数" in out.stderr
