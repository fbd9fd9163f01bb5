"""Hard-case pages: the list, the case (visit log, visit form, strategy, close), opening from the
household page, and the card the household page includes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from gaizao.ledger.models import Household
from gaizao.ledger.selectors import household_get
from gaizao.progress.models import HardCase, Visit
from gaizao.progress.services import hardcase_close, hardcase_update, household_record_event, visit_record
from tests.progress.test_hardcases import TODAY, days_ago, make_cases, open_case, walk_to

BASE = 7  # session, user, roles and units (2), session save (3): see tests/ledger/test_query_counts.py
LIST = "/progress/hardcases/"


def _html(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------------------------

def test_list_shows_the_columns_and_flags_overdue_rows(cast, login_as):
    overdue = open_case(cast, cast.household_a1, days=30, strategy="请村委调解")
    fresh = open_case(cast, cast.household_a2, days=3)
    visit_record(actor=cast.cadre, hard_case=overdue, visited_on=days_ago(16), talk="x")
    response = login_as(cast.street_user_a).get(LIST)
    assert response.status_code == 200
    html = _html(response)
    assert "距上次走访 16 天" in html and "未走访（列入 3 天）" in html
    assert "请村委调解" in html and "陈包户" in html and "补偿价格" in html
    rows = {r.id: r for r in response.context["rows"]}
    assert rows[overdue.pk].overdue and not rows[fresh.pk].overdue
    assert html.count('class="badge bg-red text-red-fg"') == 1


def test_list_filters_overdue_only(cast, login_as):
    open_case(cast, cast.household_a1, days=30)
    open_case(cast, cast.household_a2, days=3)
    response = login_as(cast.street_user_a).get(LIST, {"overdue": "on"})
    assert [r.household_number for r in response.context["rows"]] == ["DH-001"]
    response = login_as(cast.street_user_a).get(LIST, {"reason": "price", "village": cast.village_a.pk})
    assert len(response.context["rows"]) == 2


def test_list_of_street_a_does_not_show_street_b(cast, login_as):
    open_case(cast, cast.household_a1)
    open_case(cast, cast.household_b1)
    html = _html(login_as(cast.street_user_a).get(LIST))
    assert "DH-001" in html and "XL-001" not in html


def test_the_cadre_sees_only_their_households(cast, login_as):
    open_case(cast, cast.household_a1)
    open_case(cast, cast.household_a2)
    response = login_as(cast.cadre).get(LIST)
    assert [r.household_number for r in response.context["rows"]] == ["DH-001"]


def test_outsider_sees_an_empty_list_and_404_on_a_case(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.outsider)
    assert login_as(cast.outsider).get(LIST).context["rows"] == []
    assert client.get(f"/progress/hardcases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_list_page_query_count_is_the_same_for_1_and_30_cases(cast, login_as, django_assert_num_queries, count):
    make_cases(cast, count)
    client = login_as(cast.street_user_a)
    # the page of cases, the street and village options of the filters
    with django_assert_num_queries(BASE + 3):
        response = client.get(LIST)
    assert len(response.context["rows"]) == count


def test_list_pages_with_next_link(cast, login_as):
    make_cases(cast, 55)
    response = login_as(cast.admin).get(LIST)
    assert len(response.context["rows"]) == 50 and response.context["next_url"]
    second = login_as(cast.admin).get(LIST + response.context["next_url"])
    assert len(second.context["rows"]) == 5


# --- the case page ---------------------------------------------------------------------------------

def test_case_page_shows_the_strategy_and_the_visit_log_newest_first(cast, login_as):
    case = open_case(cast, days=20, strategy="由村书记牵头做工作")
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(15), talk="第一次走访")
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(5), talk="第二次走访", next_step="再谈价格")
    response = login_as(cast.cadre).get(f"/progress/hardcases/{case.pk}/")
    html = _html(response)
    assert "由村书记牵头做工作" in html and html.index("第二次走访") < html.index("第一次走访")
    assert response.context["visit_form"] is not None  # the cadre records visits
    assert response.context["edit_form"] is None and response.context["close_form"] is None  # but edits nothing


def test_recording_a_visit_through_the_page(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.cadre)
    next_on = TODAY + dt.timedelta(days=7)
    response = client.post(f"/progress/hardcases/{case.pk}/visits/", {
        "visited_on": TODAY.isoformat(), "talk": "户主同意再谈", "next_step": "约评估公司", "visitors": "陈包户",
        "next_visit_on": next_on.isoformat(),
    })
    assert response.status_code == 302 and response.url == f"/progress/hardcases/{case.pk}/"
    case.refresh_from_db()
    assert (case.last_visit_on, case.next_visit_on) == (TODAY, next_on)
    assert "户主同意再谈" in _html(client.get(response.url))


def test_a_refused_visit_shows_the_message_beside_the_field(cast, login_as):
    case = open_case(cast, days=5)
    response = login_as(cast.cadre).post(f"/progress/hardcases/{case.pk}/visits/", {
        "visited_on": days_ago(6).isoformat(), "talk": "x"})
    assert response.status_code == 400
    assert 'data-testid="error-visited_on"' in _html(response) and "早于列入日期" in _html(response)
    assert not Visit.objects.exists()


def test_a_visit_by_someone_who_may_not_is_404(cast, login_as):
    case = open_case(cast)
    response = login_as(cast.leader).post(f"/progress/hardcases/{case.pk}/visits/", {
        "visited_on": TODAY.isoformat(), "talk": "x"})
    assert response.status_code == 404 and not Visit.objects.exists()


def test_editing_the_strategy_and_a_stale_edit(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.street_user_a)
    form = {"version": 1, "reason": "family", "reason_detail": "", "strategy": "请长辈出面", "cadre": cast.cadre.pk}
    assert client.post(f"/progress/hardcases/{case.pk}/edit/", form).status_code == 302
    case.refresh_from_db()
    assert (case.reason, case.strategy, case.version) == ("family", "请长辈出面", 2)
    stale = client.post(f"/progress/hardcases/{case.pk}/edit/", {**form, "strategy": "旧页面上的修改"})
    assert stale.status_code == 409 and "已被他人修改" in _html(stale)
    case.refresh_from_db()
    assert case.strategy == "请长辈出面"


def test_closing_through_the_page(cast, login_as):
    case = open_case(cast)
    client = login_as(cast.street_user_a)
    missing = client.post(f"/progress/hardcases/{case.pk}/close/", {"version": 1, "closed_on": TODAY.isoformat()})
    assert missing.status_code == 400 and 'data-testid="error-note"' in _html(missing)
    done = client.post(f"/progress/hardcases/{case.pk}/close/",
                       {"version": 1, "closed_on": TODAY.isoformat(), "note": "已同意签约"})
    assert done.status_code == 302
    page = client.get(done.url)
    assert page.context["visit_form"] is None and 'data-testid="closed"' in _html(page)


# --- opening from the household page ---------------------------------------------------------------

def test_opening_a_case_from_the_household(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/progress/households/{cast.household_a2.pk}/hardcase/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "family", "strategy": "逐一谈心", "cadre": cast.cadre.pk,
                                 "opened_on": TODAY.isoformat()})
    case = HardCase.objects.get()
    assert response.status_code == 302 and response.url == f"/progress/hardcases/{case.pk}/"
    assert Household.objects.get(pk=cast.household_a2.pk).cadre_id == cast.cadre.pk
    # a second time: straight to the case
    assert client.get(url).url == f"/progress/hardcases/{case.pk}/"


def test_opening_needs_a_reason_and_refuses_a_vacated_household(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/progress/households/{cast.household_a1.pk}/hardcase/"
    response = client.post(url, {"reason": "", "opened_on": TODAY.isoformat()})
    assert response.status_code == 400 and 'data-testid="error-reason"' in _html(response)
    walk_to(cast, cast.household_a1, "vacated")
    response = client.post(url, {"reason": "price", "opened_on": TODAY.isoformat()})
    assert response.status_code == 400 and "DH-001" in _html(response) and "已腾空交房" in _html(response)
    assert not HardCase.objects.exists()


def test_opening_takes_a_signed_household_not_vacated(cast, login_as):
    walk_to(cast, cast.household_a1, "signed")
    response = login_as(cast.street_user_a).post(f"/progress/households/{cast.household_a1.pk}/hardcase/",
                                                 {"reason": "price", "opened_on": TODAY.isoformat()})
    assert response.status_code == 302 and HardCase.objects.get().closed_on is None


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "leader", "outsider"])
def test_opening_is_404_to_who_may_not_write_the_household(cast, login_as, role):
    url = f"/progress/households/{cast.household_a1.pk}/hardcase/"
    client = login_as(getattr(cast, role))
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "price"}).status_code == 404
    assert not HardCase.objects.exists()


# --- the card on the household page ----------------------------------------------------------------

def _card(cast, user, household) -> str:
    request = RequestFactory().get("/")
    request.user = user
    household = household_get(user, pk=household.pk)
    return Template("{% load progress_hardcases %}{% household_hard_case household %}").render(
        Context({"request": request, "household": household}))


def test_card_shows_an_open_case(cast):
    case = open_case(cast, days=30, strategy="请村委调解")
    html = _card(cast, cast.street_user_a, cast.household_a1)
    assert "补偿价格" in html and "请村委调解" in html and "陈包户" in html
    assert 'badge bg-red' in html and f"/progress/hardcases/{case.pk}/" in html
    assert "列为攻坚户" not in html


def test_card_offers_opening_a_household_not_vacated_to_writers_only(cast):
    assert "列为攻坚户" in _card(cast, cast.street_user_a, cast.household_a2)
    assert _card(cast, cast.leader, cast.household_a2).strip() == ""
    walk_to(cast, cast.household_a1, "signed")
    assert "列为攻坚户" in _card(cast, cast.street_user_a, cast.household_a1)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=TODAY)
    assert "列为攻坚户" not in _card(cast, cast.street_user_a, cast.household_a1)


def test_card_shows_nothing_to_the_resident(cast):
    open_case(cast, cast.household_a2, strategy="内部工作方案")
    html = _card(cast, cast.resident, cast.household_a2)
    assert html.strip() == "" and "内部工作方案" not in html


def test_card_costs_one_query(cast, django_assert_num_queries):
    open_case(cast, days=3)
    user = cast.street_user_a
    user.role_set  # noqa: B018  (read once per request by the middleware already)
    user.unit_ids_by_role  # noqa: B018
    request = RequestFactory().get("/")
    request.user = user
    household = household_get(user, pk=cast.household_a1.pk)
    template = Template("{% load progress_hardcases %}{% household_hard_case household %}")
    with django_assert_num_queries(1):
        template.render(Context({"request": request, "household": household}))


def test_card_of_a_closed_case(cast):
    case = open_case(cast)
    hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY, note="已谈妥")
    html = _card(cast, cast.street_user_a, cast.household_a1)
    assert "已谈妥" in html and "列为攻坚户" in html


def test_update_through_service_then_card_reflects_it(cast):
    case = open_case(cast)
    hardcase_update(actor=cast.admin, hard_case=case, version=1, strategy="新方案")
    assert "新方案" in _card(cast, cast.cadre, cast.household_a1)
