"""The home page as a to-do list (工作台待办): what waits for each role first, then its figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.core import audit
from gaizao.progress.selectors.home import cadre_todo, office_todo, street_todo
from gaizao.progress.services.hardcases import hardcase_open
from tests.progress.test_signing_judgement import lapsed  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def html_of(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_cadre_sees_its_overdue_and_upcoming_visits_and_next_steps(cast, login_as):
    from gaizao.progress.models import HardCase

    case = hardcase_open(actor=cast.admin, household=cast.household_a1, reason="price", opened_on=days(-30))
    HardCase.objects.filter(pk=case.pk).update(next_visit_on=days(-3))
    todo = cadre_todo(cast.cadre)
    assert [(v.number, v.days) for v in todo.overdue] == [(cast.household_a1.number, 3)]
    assert todo.upcoming == []
    assert [(s.label, s.count) for s in todo.steps] == [("待入户调查", 1)]
    HardCase.objects.filter(pk=case.pk).update(next_visit_on=days(2))
    todo = cadre_todo(cast.cadre)
    assert todo.overdue == [] and [(v.number, v.days) for v in todo.upcoming] == [(cast.household_a1.number, 2)]
    html = html_of(login_as(cast.cadre))
    assert html.index('data-testid="home-todo"') < html.index('data-testid="home-figures"')  # to-do first
    assert "近 7 天要走访" in html and f"/progress/hardcases/{case.pk}/" in html
    assert "/ledger/households/?stage=registered" in html  # the next step leads to the list of those households


def test_other_roles_get_no_cadre_card(cast):
    for user in (cast.street_user_a, cast.leader, cast.resident, cast.auditor):
        assert cadre_todo(user) is None


def test_the_street_sees_overdue_hard_cases_and_its_projects_only(cast, login_as):
    hardcase_open(actor=cast.admin, household=cast.household_a2, reason="price", opened_on=days(-40))
    hardcase_open(actor=cast.admin, household=cast.household_b1, reason="price", opened_on=days(-40))
    todo = street_todo(cast.street_user_a)
    assert [(i.label, i.count) for i in todo.items] == [("攻坚户走访逾期", 1)]
    assert [p.code for p in todo.projects] == [cast.project_a.code]  # not street B's project
    html = html_of(login_as(cast.street_user_a))
    assert 'data-testid="todo-projects"' in html and cast.project_b.name not in html
    assert street_todo(cast.leader) is None and street_todo(cast.cadre) is None


def test_a_lapsed_project_is_red_for_the_street_and_the_office_until_the_office_decides(cast, lapsed, login_as):  # noqa: F811
    from gaizao.progress.services.signing import signing_outcome_record

    label = "签约期满未达生效比例，待领导小组办公室登记下一步"
    assert label in [i.label for i in street_todo(cast.street_user_a).items]
    office = office_todo(cast.commander)
    assert office.title == "待处理的红色事项" and label in [i.label for i in office.items]
    assert office_todo(cast.leader).title == "需关注的事项"  # the leader reads, does not act
    assert label not in [i.label for i in street_todo(cast.street_user_b).items]
    signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="ended", decided_on=days(0),
                           reason="签约未达到生效比例，经领导小组研究终止本项目。")
    assert label not in [i.label for i in office_todo(cast.commander).items]


def test_holdouts_served_more_than_six_months_ago_may_go_to_court(cast):
    from gaizao.progress.models import LegalCase
    from gaizao.progress.selectors.home import _legal_due
    from gaizao.progress.policies import legalcase_scope

    assert _legal_due(legalcase_scope(cast.commander), on=days(0)) == 0
    base = dict(project=cast.project_a, street=cast.street_a, village=cast.village_a, land_type="state",
                opened_on=days(-300))
    LegalCase.objects.create(household=cast.household_a1, step="served", step_on=days(-200), **base)
    LegalCase.objects.create(household=cast.household_a2, step="served", step_on=days(-30), **base)  # windows open
    assert _legal_due(legalcase_scope(cast.commander), on=days(0)) == 1
    assert _legal_due(legalcase_scope(cast.street_user_b), on=days(0)) == 0  # another street's


def test_the_resident_reads_its_stage_next_step_and_areas_in_square_metres(cast, login_as):
    from decimal import Decimal

    from gaizao.ledger import services as ledger_services

    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="1", legality="legal",
                                 legal_area=Decimal("123.45"), unlicensed_area=Decimal("6.50"))
    html = html_of(login_as(cast.resident))
    assert 'data-testid="resident-stage">待调查<' in html
    assert "工作人员将上门入户调查" in html
    assert 'data-testid="resident-legal-area">123.45 ㎡<' in html and "6.50 ㎡" in html
    assert "万平方米" not in html and "kpi-households" not in html


def test_the_department_sees_an_empty_state_that_says_what_will_appear(cast, login_as):
    html = html_of(login_as(cast.department_user))
    assert 'data-testid="todo-department"' in html and "目前没有分派给本部门的任务" in html
    assert 'data-testid="todo-department"' not in html_of(login_as(cast.street_user_a))


def test_the_auditor_reviews_today_s_full_number_reveals(cast, login_as):
    audit.record(actor=cast.street_user_a, action="household.reveal_personal_data", obj=cast.household_a1)
    html = html_of(login_as(cast.auditor))
    assert 'data-testid="todo-audit"' in html
    assert "?action=household.reveal_personal_data" in html
    assert '<span class="badge bg-yellow text-yellow-fg">1</span>' in html


def test_the_security_officer_sees_locked_accounts(cast, login_as, settings):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="street_a", ip_address="10.0.0.9", user_agent="x", get_data="",
                                 post_data="", http_accept="", path_info="/account/login/",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    html = html_of(login_as(cast.security))
    assert 'data-testid="todo-locked"' in html and "street_a（" in html


@pytest.mark.parametrize("extra", [0, 12])
def test_the_to_do_cards_cost_the_same_queries_whatever_the_data(cast, login_as, django_assert_num_queries, extra):
    from gaizao.ledger.models import Household
    from tests.ledger.conftest import make_households

    make_households(cast.admin, cast.project_a, extra)
    for household in Household.objects.filter(project=cast.project_a):
        Household.objects.filter(pk=household.pk).update(cadre=cast.cadre)
        hardcase_open(actor=cast.admin, household=household, reason="price", opened_on=days(-40))
    # the street: + the campaign's cards (its open tasks, the current campaign for the targets and the reports
    # cards: 3); the leader: + the current campaign for the targets card (1); oversight's to-do card: the
    # street 4 (the colour clock's 2, its orders, its findings), the leader 3 (the clock's 2, orders in review);
    # compensation's to-do card: the street 2 (objections to answer, agreements to sign)
    for user, queries in ((cast.cadre, 11), (cast.street_user_a, 30), (cast.leader, 23), (cast.resident, 7)):
        client = login_as(user)
        with django_assert_num_queries(queries):
            client.get("/")
