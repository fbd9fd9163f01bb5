"""Hard cases (攻坚户): opening, editing, closing, visits, the overdue rule, scope and counts."""

from __future__ import annotations

import datetime as dt
import json
from itertools import product

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone

from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project
from gaizao.progress import selectors
from gaizao.progress.models import HardCase, Visit
from gaizao.progress.services import (
    hardcase_close, hardcase_open, hardcase_update, household_record_event, is_overdue, visit_record,
)

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def open_case(cast, household=None, *, days: int = 20, actor=None, **kwargs) -> HardCase:
    return hardcase_open(actor=actor or cast.admin, household=household or cast.household_a1,
                         reason=kwargs.pop("reason", "price"), opened_on=days_ago(days), **kwargs)


def walk_to(cast, household, last: str, *, on: dt.date | None = None) -> None:
    """Record surveyed → decided → valued (→ signed → vacated) through the event service, signing
    (and vacating) on ``on``."""
    on = on or days_ago(1)
    Project.objects.filter(pk=household.project_id).update(signing_start=on - dt.timedelta(days=30),
                                                           signing_end=on + dt.timedelta(days=30))
    steps = [("surveyed", 10), ("decided", 8), ("valued", 5), ("signed", 0), ("vacated", 0)]
    for kind, back in steps:
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=on - dt.timedelta(days=back))
        if kind == last:
            return


def make_cases(cast, count: int, *, project=None, prefix="HC", days: int = 20) -> list[HardCase]:
    cases = []
    for i in range(count):
        household = ledger_services.household_create(actor=cast.admin, project=project or cast.project_a,
                                                     number=f"{prefix}-{i:03d}", head_name=f"难点{i}")
        cases.append(hardcase_open(actor=cast.admin, household=household, reason="family", opened_on=days_ago(days)))
    return cases


# --- opening ---------------------------------------------------------------------------------------

def test_it_opens_a_case_with_the_households_street_and_village_audited(cast):
    case = open_case(cast, strategy="请村委会出面调解", reason_detail="兄弟分家有争议")
    case.refresh_from_db()
    assert (case.street_id, case.village_id) == (cast.street_a.pk, cast.village_a.pk)
    assert case.opened_on == days_ago(20) and case.closed_on is None and case.version == 1
    entry = AuditEntry.objects.filter(action="hardcase.open").get()
    assert entry.object_id == str(case.pk) and entry.changes["reason"] == "price"


def test_it_assigns_the_cadre_on_the_household_with_an_audit_entry(cast):
    open_case(cast, cast.household_a2, cadre=cast.cadre)
    household = Household.objects.get(pk=cast.household_a2.pk)
    assert household.cadre_id == cast.cadre.pk
    assert AuditEntry.objects.filter(action="household.update", object_id=str(household.pk)).get().changes["cadre"] \
        == [None, cast.cadre.pk]
    assert AuditEntry.objects.get(action="hardcase.open").changes["cadre"] == [None, cast.cadre.pk]


def test_it_refuses_a_user_without_the_cadre_role_as_cadre(cast):
    with pytest.raises(AppError) as err:
        open_case(cast, cast.household_a2, cadre=cast.department_user)
    assert "不是包户干部" in err.value.message and "cadre" in err.value.fields
    assert not HardCase.objects.exists()
    assert Household.objects.get(pk=cast.household_a2.pk).cadre_id is None


def test_it_refuses_a_cadre_of_another_street(cast):
    with pytest.raises(AppError) as err:
        open_case(cast, cast.household_b1, cadre=cast.cadre)
    assert "西岭街道" in err.value.message
    assert not HardCase.objects.exists()


def test_a_signed_household_not_vacated_may_be_a_hard_case(cast):
    walk_to(cast, cast.household_a1, "signed", on=days_ago(25))
    case = open_case(cast, reason="area")
    assert case.closed_on is None


def test_a_household_under_a_compensation_decision_may_be_a_hard_case(cast):
    walk_to(cast, cast.household_a1, "valued", on=days_ago(25))
    Project.objects.filter(pk=cast.household_a1.project_id).update(signing_end=days_ago(23), signing_threshold=0)  # took effect
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="decision", on_date=days_ago(22))
    assert open_case(cast).closed_on is None


def test_it_refuses_a_vacated_household_naming_it_and_the_rule(cast):
    walk_to(cast, cast.household_a1, "vacated", on=days_ago(25))
    with pytest.raises(AppError) as err:
        open_case(cast)
    assert "DH-001" in err.value.message and "已腾空交房" in err.value.message
    assert "household" in err.value.fields
    assert not HardCase.objects.exists()


def test_it_refuses_a_withdrawn_household(cast):
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="withdrawn", on_date=days_ago(3))
    with pytest.raises(AppError) as err:
        open_case(cast)
    assert "撤出" in err.value.message


def test_it_refuses_a_second_open_case(cast):
    open_case(cast)
    with pytest.raises(AppError) as err:
        open_case(cast, reason="area")
    assert "不能重复列入" in err.value.message
    assert HardCase.objects.get().reason == "price"


def test_it_reopens_a_closed_case_on_the_same_row_keeping_the_visits(cast):
    case = open_case(cast, days=30)
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(25), talk="初次见面")
    hardcase_close(actor=cast.admin, hard_case=case, version=case.version, closed_on=days_ago(20), note="暂缓")
    again = open_case(cast, days=2, reason="history")
    assert again.pk == case.pk
    again.refresh_from_db()
    assert again.closed_on is None and again.close_note == "" and again.reason == "history"
    assert again.opened_on == days_ago(2) and again.visits.count() == 1
    assert AuditEntry.objects.filter(action="hardcase.open").order_by("id").last().changes["reopened"] is True


def test_it_refuses_opened_on_in_the_future_and_next_visit_before_opening(cast):
    with pytest.raises(AppError) as err:
        hardcase_open(actor=cast.admin, household=cast.household_a1, reason="price", opened_on=TODAY + dt.timedelta(days=1))
    assert "opened_on" in err.value.fields
    with pytest.raises(AppError) as err:
        open_case(cast, next_visit_on=days_ago(25))
    assert "next_visit_on" in err.value.fields
    with pytest.raises(AppError) as err:
        open_case(cast, reason="nonsense")
    assert "reason" in err.value.fields
    assert not HardCase.objects.exists()


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "leader", "resident", "outsider", "department_user"])
def test_only_write_roles_of_the_street_may_open(cast, role):
    with pytest.raises(NotFound):
        open_case(cast, actor=getattr(cast, role))
    assert not HardCase.objects.exists()


def test_street_staff_may_open_in_their_street(cast):
    case = open_case(cast, actor=cast.street_user_a)
    assert case.pk


# --- editing and closing ---------------------------------------------------------------------------

def test_update_changes_the_strategy_and_the_cadre_audited(cast):
    case = open_case(cast, cast.household_a2)
    updated = hardcase_update(actor=cast.street_user_a, hard_case=case, version=1, strategy="由村书记牵头",
                              cadre=cast.cadre)
    assert updated.version == 2
    case.refresh_from_db()
    assert case.strategy == "由村书记牵头"
    assert Household.objects.get(pk=cast.household_a2.pk).cadre_id == cast.cadre.pk
    changes = AuditEntry.objects.get(action="hardcase.update").changes
    assert changes["strategy"] == ["", "由村书记牵头"] and changes["cadre"] == [None, cast.cadre.pk]


def test_update_with_nothing_changed_writes_nothing(cast):
    case = open_case(cast)
    hardcase_update(actor=cast.admin, hard_case=case, version=1, reason="price")
    case.refresh_from_db()
    assert case.version == 1 and not AuditEntry.objects.filter(action="hardcase.update").exists()


def test_a_stale_edit_is_a_conflict_and_changes_nothing(cast):
    case = open_case(cast)
    hardcase_update(actor=cast.admin, hard_case=case, version=1, strategy="第一版")
    with pytest.raises(Conflict) as err:
        hardcase_update(actor=cast.street_user_a, hard_case=case, version=1, strategy="第二版", cadre=None)
    assert err.value.status == 409 and "已被他人修改" in err.value.message
    case.refresh_from_db()
    assert case.strategy == "第一版" and case.version == 2
    assert Household.objects.get(pk=cast.household_a1.pk).cadre_id == cast.cadre.pk


def test_update_refuses_a_non_cadre_and_a_missing_version(cast):
    case = open_case(cast)
    with pytest.raises(AppError) as err:
        hardcase_update(actor=cast.admin, hard_case=case, version=1, cadre=cast.street_user_a)
    assert "不是包户干部" in err.value.message
    with pytest.raises(AppError) as err:
        hardcase_update(actor=cast.admin, hard_case=case, version=None, strategy="x")
    assert "version" in err.value.fields


def test_the_cadre_may_not_edit_the_strategy(cast):
    case = open_case(cast)
    with pytest.raises(NotFound):
        hardcase_update(actor=cast.cadre, hard_case=case, version=1, strategy="我来改")


def test_close_needs_a_note_and_a_date_within_the_case(cast):
    case = open_case(cast, days=10)
    with pytest.raises(AppError) as err:
        hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY, note=" ")
    assert "note" in err.value.fields
    with pytest.raises(AppError) as err:
        hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=days_ago(11), note="x")
    assert "早于列入日期" in err.value.message
    with pytest.raises(AppError) as err:
        hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY + dt.timedelta(days=1), note="x")
    assert "closed_on" in err.value.fields
    with pytest.raises(Conflict):
        hardcase_close(actor=cast.admin, hard_case=case, version=5, closed_on=TODAY, note="x")
    closed = hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY, note="已达成一致，待签约")
    assert closed.closed_on == TODAY and closed.version == 2
    assert AuditEntry.objects.get(action="hardcase.close").changes["note"] == "已达成一致，待签约"
    with pytest.raises(AppError):
        hardcase_update(actor=cast.admin, hard_case=case, version=2, strategy="x")


def test_signing_does_not_close_the_case_vacating_does(cast):
    case = open_case(cast, days=30)
    walk_to(cast, cast.household_a1, "signed", on=days_ago(2))
    case.refresh_from_db()
    assert case.closed_on is None  # the difficulty is now vacating
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    case.refresh_from_db()
    assert case.closed_on == days_ago(1) and case.close_note == "腾空交房"
    entry = AuditEntry.objects.get(action="hardcase.close")
    assert entry.changes["by_event"] == "vacated"
    assert selectors.hardcase_list(cast.admin).items == []


def test_a_compensation_decision_does_not_close_the_case(cast):
    case = open_case(cast, days=30)
    walk_to(cast, cast.household_a1, "valued", on=days_ago(10))
    Project.objects.filter(pk=cast.household_a1.project_id).update(signing_end=days_ago(5), signing_threshold=0)  # took effect
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="decision", on_date=days_ago(3))
    case.refresh_from_db()
    assert case.closed_on is None and not AuditEntry.objects.filter(action="hardcase.close").exists()


def test_the_case_closes_when_the_household_withdraws(cast):
    case = open_case(cast, days=30)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="withdrawn", on_date=days_ago(1))
    case.refresh_from_db()
    assert case.closed_on == days_ago(1)


# --- visits ----------------------------------------------------------------------------------------

def test_a_visit_sets_the_last_and_next_visit(cast):
    case = open_case(cast)
    visit = visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(3), talk="户主仍要求提高价格",
                         next_step="请评估公司解释", next_visit_on=TODAY + dt.timedelta(days=4), visitors="陈包户")
    case.refresh_from_db()
    assert (case.last_visit_on, case.next_visit_on) == (days_ago(3), TODAY + dt.timedelta(days=4))
    assert visit.visitor_id == cast.cadre.pk and case.version == 1  # visits do not bump the edit version
    assert AuditEntry.objects.get(action="hardcase.visit").changes["visit"] == visit.pk


def test_a_late_entered_older_visit_does_not_move_the_last_visit_back(cast):
    case = open_case(cast)
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(2), talk="新", next_visit_on=TODAY + dt.timedelta(days=5))
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(10), talk="补录旧的", next_visit_on=days_ago(8))
    case.refresh_from_db()
    assert case.last_visit_on == days_ago(2) and case.next_visit_on == TODAY + dt.timedelta(days=5)
    assert [v.talk for v in selectors.hardcase_visits(case)] == ["新", "补录旧的"]


def test_it_refuses_a_visit_in_the_future(cast):
    case = open_case(cast)
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=case, visited_on=TODAY + dt.timedelta(days=1), talk="x")
    assert "visited_on" in err.value.fields and "晚于今天" in err.value.message
    assert not Visit.objects.exists()


def test_it_refuses_a_visit_before_the_case_opened(cast):
    case = open_case(cast, days=5)
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(6), talk="x")
    assert "早于列为攻坚户" in err.value.message
    assert not Visit.objects.exists()


@pytest.mark.parametrize("offset", [0, -1])
def test_it_refuses_a_next_visit_not_after_the_visit(cast, offset):
    case = open_case(cast)
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(3), talk="x",
                     next_visit_on=days_ago(3) + dt.timedelta(days=offset))
    assert "next_visit_on" in err.value.fields
    assert not Visit.objects.exists()


def test_it_refuses_a_visit_without_what_was_said(cast):
    case = open_case(cast)
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=case, visited_on=TODAY, talk="  ")
    assert "talk" in err.value.fields


def test_it_refuses_a_visit_on_a_closed_case(cast):
    case = open_case(cast)
    hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY, note="结案")
    with pytest.raises(AppError) as err:
        visit_record(actor=cast.cadre, hard_case=case, visited_on=TODAY, talk="x")
    assert "销号" in err.value.message
    assert not Visit.objects.exists()


@pytest.mark.parametrize("role,allowed", [
    ("cadre", True), ("street_user_a", True), ("admin", True), ("commander", True),
    ("street_user_b", False), ("leader", False), ("resident", False), ("outsider", False),
])
def test_who_may_record_a_visit(cast, role, allowed):
    case = open_case(cast)
    if allowed:
        visit_record(actor=getattr(cast, role), hard_case=case, visited_on=TODAY, talk="走访")
        assert Visit.objects.count() == 1
    else:
        with pytest.raises(NotFound):
            visit_record(actor=getattr(cast, role), hard_case=case, visited_on=TODAY, talk="走访")
        assert not Visit.objects.exists()


def test_a_cadre_may_not_visit_a_household_not_assigned_to_them(cast):
    case = open_case(cast, cast.household_a2)  # the resident's household, no cadre
    with pytest.raises(NotFound):
        visit_record(actor=cast.cadre, hard_case=case, visited_on=TODAY, talk="x")


# --- the overdue rule ------------------------------------------------------------------------------

def test_overdue_when_the_planned_visit_has_passed(cast):
    case = open_case(cast, days=5, next_visit_on=days_ago(1))
    row = selectors.hardcase_list(cast.admin).items[0]
    assert row.overdue is True and row.next_visit_on == days_ago(1)
    assert [r.id for r in selectors.hardcase_list(cast.admin, overdue=True).items] == [case.pk]
    assert selectors.hardcase_list(cast.admin, overdue=False).items == []


def test_overdue_with_no_plan_after_more_than_14_days_since_opening(cast):
    fresh = open_case(cast, cast.household_a1, days=14)
    stale = open_case(cast, cast.household_a2, days=15)
    rows = {r.id: r for r in selectors.hardcase_list(cast.admin).items}
    assert rows[fresh.pk].overdue is False and rows[stale.pk].overdue is True
    assert rows[stale.pk].days_since_visit is None and rows[stale.pk].days_since_opened == 15


def test_overdue_with_no_plan_counts_from_the_last_visit(cast):
    case = open_case(cast, days=40)
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(15), talk="x")
    row = selectors.hardcase_list(cast.admin).items[0]
    assert row.overdue is True and row.days_since_visit == 15
    visit_record(actor=cast.cadre, hard_case=case, visited_on=days_ago(6), talk="y")
    row = selectors.hardcase_list(cast.admin).items[0]
    assert row.overdue is False and row.days_since_visit == 6 and row.last_visit_on == days_ago(6)


def test_the_visit_interval_comes_from_the_setting(cast, settings):
    open_case(cast, days=8)
    assert selectors.hardcase_list(cast.admin).items[0].overdue is False
    settings.GAIZAO_VISIT_INTERVAL_DAYS = 7
    assert selectors.hardcase_list(cast.admin).items[0].overdue is True
    assert selectors.hardcase_counts(cast.admin).overdue == 1


def test_a_closed_case_is_never_overdue(cast):
    case = open_case(cast, days=40, next_visit_on=days_ago(30))
    hardcase_close(actor=cast.admin, hard_case=case, version=1, closed_on=TODAY, note="结案")
    row = selectors.hardcase_list(cast.admin, open_only=False).items[0]
    assert row.overdue is False and row.closed_on == TODAY
    assert selectors.hardcase_list(cast.admin, open_only=False, overdue=True).items == []


def test_the_sql_and_python_overdue_rules_agree(cast):
    """Every combination of opening, last visit and plan: the list's filter and its flag say the same."""
    combos = list(product([3, 14, 15, 40], [None, 2, 14, 15], [None, -1, 0, 1]))
    cases = {}
    project = cast.project_a
    for i, (opened, last, plan) in enumerate(combos):
        if last is not None and last > opened:
            continue
        household = ledger_services.household_create(actor=cast.admin, project=project, number=f"OV-{i:03d}",
                                                     head_name="测")
        case = hardcase_open(actor=cast.admin, household=household, reason="other", opened_on=days_ago(opened))
        HardCase.objects.filter(pk=case.pk).update(
            last_visit_on=days_ago(last) if last is not None else None,
            next_visit_on=TODAY + dt.timedelta(days=plan) if plan is not None else None)
        cases[case.pk] = HardCase.objects.get(pk=case.pk)
    overdue_ids = {r.id for r in selectors.hardcase_list(cast.admin, overdue=True, limit=500).items}
    expected = {pk for pk, c in cases.items() if is_overdue(opened_on=c.opened_on, last_visit_on=c.last_visit_on,
                                                            next_visit_on=c.next_visit_on)}
    assert overdue_ids == expected and 0 < len(expected) < len(cases)
    not_overdue = {r.id for r in selectors.hardcase_list(cast.admin, overdue=False, limit=500).items}
    assert not_overdue == set(cases) - expected
    assert selectors.hardcase_counts(cast.admin).overdue == len(expected)


# --- lists, scope and counts -----------------------------------------------------------------------

@pytest.fixture
def three_cases(cast):
    return {
        "a1": open_case(cast, cast.household_a1, reason="price"),
        "a2": open_case(cast, cast.household_a2, reason="family", days=3),
        "b1": open_case(cast, cast.household_b1, reason="area", days=30),
    }


@pytest.mark.parametrize("role,visible", [
    ("admin", {"a1", "a2", "b1"}), ("commander", {"a1", "a2", "b1"}), ("leader", {"a1", "a2", "b1"}),
    ("street_user_a", {"a1", "a2"}), ("street_user_b", {"b1"}), ("cadre", {"a1"}),
    ("resident", set()), ("outsider", set()), ("department_user", set()), ("auditor", set()),
])
def test_list_scope(cast, three_cases, role, visible):
    user = getattr(cast, role)
    names = {v: k for k, v in {k: c.pk for k, c in three_cases.items()}.items()}
    assert {names[r.id] for r in selectors.hardcase_list(user).items} == visible
    for name, case in three_cases.items():
        if name in visible:
            assert selectors.hardcase_get(user, pk=case.pk).pk == case.pk
        else:
            with pytest.raises(Http404):
                selectors.hardcase_get(user, pk=case.pk)


def test_list_rows_carry_what_the_page_shows(cast, three_cases):
    hardcase_update(actor=cast.admin, hard_case=three_cases["a1"], version=1, strategy="甲" * 60)
    row = next(r for r in selectors.hardcase_list(cast.admin).items if r.household_number == "DH-001")
    assert (row.head_name, row.street_name, row.village_name, row.cadre_name) == ("李四", "东湖街道", "东湖村", "陈包户")
    assert row.reason_label == "补偿价格" and row.strategy_excerpt == "甲" * 40 + "…"
    assert row.opened_on == days_ago(20) and row.days_since_visit is None


def test_list_filters(cast, three_cases):
    ids = lambda **kw: {r.household_number for r in selectors.hardcase_list(cast.admin, **kw).items}  # noqa: E731
    assert ids(street=cast.street_b) == {"XL-001"}
    assert ids(village=cast.village_a.pk) == {"DH-001", "DH-002"}
    assert ids(reason="family") == {"DH-002"}
    assert ids(overdue=True) == {"DH-001", "XL-001"}


def test_list_pages_by_id(cast):
    cases = make_cases(cast, 7)
    first = selectors.hardcase_list(cast.admin, limit=3)
    assert [r.id for r in first.items] == [c.pk for c in cases[:3]] and first.next_after == cases[2].pk
    last = selectors.hardcase_list(cast.admin, limit=3, after=cases[5].pk)
    assert [r.id for r in last.items] == [cases[6].pk] and last.next_after is None


def test_list_is_one_query_whatever_its_length(cast, django_assert_num_queries):
    make_cases(cast, 25)
    with django_assert_num_queries(1):
        page = selectors.hardcase_list(cast.admin)
    assert len(page.items) == 25


def test_counts_per_street_and_village(cast, three_cases, django_assert_num_queries):
    visit_record(actor=cast.cadre, hard_case=three_cases["a1"], visited_on=TODAY, talk="x")
    # admin's roles are read once per user; then one grouped query
    cast.admin.role_set  # noqa: B018
    with django_assert_num_queries(1):
        counts = selectors.hardcase_counts(cast.admin)
    assert (counts.open, counts.overdue) == (3, 1)
    assert [(s.name, s.open, s.overdue) for s in counts.streets] == [("东湖街道", 2, 0), ("西岭街道", 1, 1)]
    assert [(v.name, v.open, v.overdue) for v in counts.villages] == [("东湖村", 2, 0), ("西岭村", 1, 1)]
    street_a = selectors.hardcase_counts(cast.street_user_a)
    assert [(s.name, s.open) for s in street_a.streets] == [("东湖街道", 2)]
    assert selectors.hardcase_counts(cast.admin, street=cast.street_b).open == 1


# --- the command -----------------------------------------------------------------------------------

def test_command_lists_overdue_cases(cast, three_cases, capsys):
    call_command("hardcases", "overdue")
    out = capsys.readouterr().out
    assert "DH-001" in out and "XL-001" in out and "DH-002" not in out
    call_command("hardcases", "overdue", "--street", "440199002", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["household_number"] for r in rows] == ["XL-001"] and rows[0]["days_since_visit"] is None


def test_command_with_nothing_overdue_and_an_unknown_street(cast, capsys):
    call_command("hardcases", "overdue")
    assert "没有走访逾期" in capsys.readouterr().out
    with pytest.raises(CommandError) as err:
        call_command("hardcases", "overdue", "--street", "999")
    assert "不存在" in str(err.value)
