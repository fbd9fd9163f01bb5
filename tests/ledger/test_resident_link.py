"""Linking a resident account (居民账号) to its household: the page, the service, `gaizao user create --household`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from gaizao.core.errors import AppError, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services
from gaizao.ledger.models import Household
from gaizao.org.choices import Role
from gaizao.org.models import User
from tests.conftest import _user

GOOD = "Renovate-2026-ok"


@pytest.fixture
def newcomer(cast):
    """A resident account of street A's community, not linked to any household yet."""
    return _user("li_si", "李四", (Role.RESIDENT, cast.community_a))


def _link(actor, household, resident, **kwargs):
    household.refresh_from_db()
    return services.household_link_resident(actor=actor, household=household, version=household.version,
                                            resident=resident, **kwargs)


def test_street_staff_link_a_resident_who_then_sees_the_household(cast, newcomer, client):
    _link(cast.street_user_a, cast.household_a1, "li_si")
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id == newcomer.pk
    entry = AuditEntry.objects.filter(action="household.link_resident").latest("id")
    assert entry.actor_name == "street_a" and entry.changes["resident"] == [None, newcomer.pk]
    client.force_login(newcomer)
    page = client.get(reverse("ledger:my_household"))
    assert page.status_code == 200 and "DH-001" in page.content.decode()


def test_unlinking_leaves_the_resident_without_a_household(cast, client):
    _link(cast.street_user_a, cast.household_a2, None, unlink=True)
    assert Household.objects.get(pk=cast.household_a2.pk).resident_id is None
    client.force_login(cast.resident)
    assert client.get(reverse("ledger:my_household")).status_code == 404


def test_one_account_links_one_household_said_in_chinese(cast):
    with pytest.raises(AppError) as caught:
        _link(cast.street_user_a, cast.household_a1, "resident")
    assert "已关联住户 DH-002 张三" in caught.value.message and "只能关联一户" in caught.value.message
    assert caught.value.fields["resident"]
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id is None


@pytest.mark.parametrize("who, says", [
    ("nobody_here", "没有用户名为「nobody_here」的账号"),
    ("cadre", "不是居民账号"),
    ("", "请填写居民账号的用户名"),
])
def test_a_wrong_account_is_refused_beside_the_field(cast, who, says):
    with pytest.raises(AppError) as caught:
        _link(cast.street_user_a, cast.household_a1, who)
    assert says in caught.value.message and "resident" in caught.value.fields


def test_a_resident_of_another_street_is_refused(cast):
    _user("wang_xl", "王西岭", (Role.RESIDENT, cast.street_b))
    with pytest.raises(AppError, match="不在本户所在的东湖街道"):
        _link(cast.street_user_a, cast.household_a1, "wang_xl")


def test_a_disabled_account_is_refused(cast, newcomer):
    User.objects.filter(pk=newcomer.pk).update(is_active=False)
    with pytest.raises(AppError, match="已停用"):
        _link(cast.street_user_a, cast.household_a1, "li_si")


def test_another_streets_staff_and_the_cadre_may_not_link(cast, newcomer):
    for actor in (cast.street_user_b, cast.cadre, cast.leader):
        with pytest.raises(NotFound):
            _link(actor, cast.household_a1, "li_si")


def test_the_page_links_and_unlinks(cast, newcomer, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_resident", args=[cast.household_a1.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "尚未关联居民账号" in body and 'value="li_si"' in body  # offered in the list of the street's accounts
    response = client.post(url, {"version": cast.household_a1.version, "resident": "li_si"})
    assert response.status_code == 302
    detail = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk])).content.decode()
    assert "李四（li_si）" in detail and "该居民登录后可在“我的住户”中查看" in detail
    version = Household.objects.get(pk=cast.household_a1.pk).version
    assert client.post(url, {"version": version, "resident": "", "unlink": "1"}).status_code == 302
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id is None


def test_the_page_shows_the_refusal_beside_the_field(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_resident", args=[cast.household_a1.pk])
    response = client.post(url, {"version": cast.household_a1.version, "resident": "resident"})
    assert response.status_code == 400
    assert 'data-testid="error-resident"' in response.content.decode()
    assert "只能关联一户" in response.content.decode()


def test_the_page_is_404_to_readers_who_do_not_write(cast, login_as):
    for user in (cast.cadre, cast.resident, cast.street_user_b, cast.leader):
        client = login_as(user)
        assert client.get(reverse("ledger:household_resident", args=[cast.household_a1.pk])).status_code == 404


def _create(*args: str) -> str:
    out = io.StringIO()
    call_command("user", "create", *args, "--password-stdin", stdin=io.StringIO(GOOD + "\n"), stdout=out)
    return out.getvalue()


def test_user_create_with_household_links_the_new_account(cast):
    out = _create("zhao_liu", "--role", "resident", "--unit", "440199001001", "--name", "赵六",
                  "--household", "P001/DH-001")
    user = User.objects.get(username="zhao_liu")
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id == user.pk
    assert "已关联住户 DH-001 李四（东湖村一期）" in out


@pytest.mark.parametrize("ref, says", [
    ("P001-DH-001", "项目编码/户号"),
    ("P001/DH-999", "没有项目编码为「P001」、户号为「DH-999」的住户"),
    ("P001/DH-002", "已关联居民账号「resident」"),
])
def test_user_create_with_a_bad_household_creates_no_account(cast, ref, says):
    with pytest.raises(CommandError, match=says):
        _create("zhao_liu", "--role", "resident", "--unit", "440199001001", "--household", ref)
    assert not User.objects.filter(username="zhao_liu").exists()


def test_user_create_with_household_but_not_a_resident_creates_no_account(cast):
    with pytest.raises(CommandError, match="不是居民账号"):
        _create("zhao_liu", "--role", "cadre", "--unit", "440199001001", "--household", "P001/DH-001")
    assert not User.objects.filter(username="zhao_liu").exists()
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id is None


def test_the_api_links_and_refuses_in_chinese(cast, newcomer, login_as):
    client = login_as(cast.street_user_a)  # the API takes the session as the pages do
    url = f"/api/ledger/households/{cast.household_a1.pk}/resident"
    bad = client.post(url, {"resident": "resident", "version": cast.household_a1.version},
                      content_type="application/json")
    assert bad.status_code == 400 and "只能关联一户" in bad.json()["message"] and "resident" in bad.json()["fields"]
    good = client.post(url, {"resident": "li_si", "version": cast.household_a1.version},
                       content_type="application/json")
    assert good.status_code == 200
    assert Household.objects.get(pk=cast.household_a1.pk).resident_id == newcomer.pk
