"""The demo district's progress history: events the services would have accepted, rollups that
verify, an S-curve of signing, villages ahead and behind, a lapsed project, hard cases with visits."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction

from gaizao.demo.district import ProjectPlan, VillagePlan
from gaizao.demo.generator import load_demo
from gaizao.demo.schedule import FINISHED, LAPSED, PLANNED, RUNNING, UPCOMING, schedule_projects
from gaizao.ledger.models import Building, Household, Project
from gaizao.org.models import OrgUnit, User
from gaizao.progress import rollups
from gaizao.progress.choices import SCOPE, SCOPE_UPGRADE, EventKind, Level, ResettlementMode
from gaizao.progress.models import HardCase, Rollup, StageEvent, Visit
from gaizao.progress.stages import DATE_FIELDS, FUNNEL, check_change

N = 2000
SEED = 4
TODAY = dt.date(2026, 11, 2)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """One load shared by the module's tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(households=N, seed=SEED, today=TODAY)
        transaction.set_rollback(True)


def project_totals() -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for unit, key, households in Rollup.objects.filter(level=Level.PROJECT).values_list("unit", "key", "households"):
        out[unit][key] = households
    return out


def rate(totals: dict[str, int]) -> float:
    return 100 * totals.get("signed", 0) / totals[SCOPE] if totals.get(SCOPE) else 0.0


def running_projects() -> list[Project]:
    return list(Project.objects.filter(signing_start__lte=TODAY, signing_end__gte=TODAY).order_by("code"))


def test_rollups_verify_after_the_load(district, db):
    result = rollups.verify()
    assert result.ok, result.mismatch
    assert result.households == N
    district_signed = Rollup.objects.get(level=Level.DISTRICT, key="signed").households
    assert district_signed == district.progress.signed == (
        Household.objects.filter(signed_on__isnull=False).exclude(stage="withdrawn").count())
    # Each way in its own scope: the demolition way (签约、拆除) and the upgrade way (整治提升).
    scopes = Rollup.objects.filter(level=Level.DISTRICT, key__in=[SCOPE, SCOPE_UPGRADE])
    assert sum(r.households for r in scopes) == N - Household.objects.filter(stage="withdrawn").count()
    assert Rollup.objects.get(level=Level.DISTRICT, key=SCOPE_UPGRADE).households == (
        Household.objects.filter(way="upgrade").exclude(stage="withdrawn").count())


def test_every_history_is_one_the_services_would_have_accepted(district, db):
    """Replaying each household's events in order through the services' own check accepts every one."""
    projects = {p.pk: p for p in Project.objects.all()}
    events: dict[int, list[StageEvent]] = defaultdict(list)
    for event in StageEvent.objects.order_by("id"):
        events[event.household_id].append(event)
    assert sum(len(e) for e in events.values()) == district.counts["events"]
    for household_events in events.values():
        seen: list[StageEvent] = []
        by_id = {}
        for event in household_events:
            assert event.on_date <= TODAY
            project = projects[event.project_id]
            before = rollups.replay(seen)
            seen.append(event)
            by_id[event.id] = event
            after = rollups.replay(seen)
            if event.kind == EventKind.VOID:
                check_change(after, kind=by_id[event.corrects_id].kind, project=project, removed=True)
                continue
            if event.corrects_id is None:
                assert event.kind not in before.dates
            else:
                assert by_id[event.corrects_id].kind == event.kind and by_id[event.corrects_id].on_date != event.on_date
            check_change(after, kind=event.kind, project=project, on=event.on_date)
            assert (event.resettlement_mode in ResettlementMode.values) == (event.kind == EventKind.RESETTLED)


def test_stage_dates_follow_the_funnel_and_the_signing_period(district, db):
    fields = [DATE_FIELDS[kind] for kind in FUNNEL]
    for household in Household.objects.select_related("project"):
        dates = [d for d in (getattr(household, name) for name in fields) if d is not None]
        assert dates == sorted(dates), household.number
        assert all(d <= TODAY for d in dates)
        project = household.project
        if household.signed_on:
            assert project.signing_start <= household.signed_on <= project.signing_end
            assert household.decision_on is None
        if household.decision_on:
            assert household.decision_on > project.signing_end
            assert household.vacated_on is None or household.vacated_on >= household.decision_on
        if household.resettled_on:
            assert household.resettlement_mode in ResettlementMode.values
        if household.stage == "withdrawn":
            assert household.signed_on is None and household.decision_on is None
    modes = set(Household.objects.exclude(resettlement_mode="").values_list("resettlement_mode", flat=True))
    assert modes >= {ResettlementMode.MONEY, ResettlementMode.SWAP}


def test_households_decided_have_every_building_decided_and_demolished_ones_every_building_down(district, db):
    """认定 follows the buildings; a household's 拆除 is the day its last building came down (verify holds it)."""
    decided = Household.objects.filter(decided_on__isnull=False)
    assert decided.exists() and Building.objects.filter(legality="pending").exists()  # pending ones remain elsewhere
    assert not Building.objects.filter(household__in=decided, legality="pending").exists()
    assert not Household.objects.filter(decided_on__isnull=False, buildings__isnull=True).exists()
    demolished = Household.objects.filter(demolished_on__isnull=False)
    assert demolished.exists()
    assert not Building.objects.filter(household__in=demolished, demolished_on__isnull=True,
                                       disposition="demolish").exists()
    assert not Building.objects.filter(disposition="keep", demolished_on__isnull=False).exists()
    assert not Building.objects.filter(household__demolished_on__isnull=True, demolished_on__isnull=False).exists()
    assert rollups.demolition_mismatch() == ""


def test_heritage_stands_on_standing_buildings_only(district, db):
    from gaizao.ledger.models import HeritageElement

    on_buildings = HeritageElement.objects.filter(building__isnull=False)
    assert on_buildings.exists()
    assert not on_buildings.filter(building__demolished_on__isnull=False).exists()


def test_household_area_is_exactly_the_sum_of_its_buildings(district, db):
    sums: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for household_id, legal, unlicensed in Building.objects.values_list("household_id", "legal_area",
                                                                        "unlicensed_area"):
        sums[household_id] += legal + unlicensed
    for pk, area in Household.objects.values_list("id", "area"):
        assert area == sums[pk] and area.as_tuple().exponent == -2, pk


def test_corrections_leave_the_corrected_date_and_a_few_households_withdrew(district, db):
    corrections = list(StageEvent.objects.filter(corrects__isnull=False).exclude(kind=EventKind.VOID)
                       .select_related("corrects", "household"))
    assert len(corrections) >= 3
    for correction in corrections:
        assert correction.corrects.on_date != correction.on_date and correction.note.startswith("更正")
        assert getattr(correction.household, DATE_FIELDS[correction.kind]) == correction.on_date
    withdrawn = Household.objects.filter(stage="withdrawn")
    assert 1 <= withdrawn.count() <= N // 50
    assert not StageEvent.objects.filter(household__in=withdrawn, kind__in=["signed", "decision"]).exists()


def test_signing_over_a_period_starts_slow_rushes_in_the_middle_and_plateaus(district, db):
    """The S-curve, over every period that has ended: signings per tenth of the period."""
    tenths = [0] * 10
    for project in Project.objects.filter(signing_end__lt=TODAY):
        length = (project.signing_end - project.signing_start).days + 1
        for day in Household.objects.filter(project=project, signed_on__isnull=False).values_list("signed_on",
                                                                                                  flat=True):
            tenths[(day - project.signing_start).days * 10 // length] += 1
    peak = tenths.index(max(tenths))
    assert 1 <= peak <= 6, tenths
    assert tenths[0] < tenths[peak] / 3 and tenths[9] < tenths[peak] / 3, tenths  # slow start, plateau
    assert tenths[0] < tenths[1] < tenths[peak] and tenths[peak] > tenths[peak + 2] > tenths[9], tenths


def test_weekly_signings_of_the_running_project_furthest_on_rise_then_fall(district, db):
    totals = project_totals()
    # among the projects with enough households that sign to show a curve (a 拆整结合 project may have
    # only a handful on the demolition way)
    sizeable = [p for p in running_projects() if totals[p.pk].get(SCOPE, 0) >= 30]
    project = max(sizeable, key=lambda p: (rate(totals[p.pk]), p.code))
    days = Household.objects.filter(project=project, signed_on__isnull=False).values_list("signed_on", flat=True)
    weeks = Counter((day - project.signing_start).days // 7 for day in days)
    counts = [weeks.get(week, 0) for week in range((TODAY - project.signing_start).days // 7 + 1)]
    peak = counts.index(max(counts))
    assert 0 < peak < len(counts) - 1, counts
    assert counts[0] < counts[peak] / 2 and counts[-1] < counts[peak] / 2, counts
    assert 80 < rate(totals[project.pk]) < 100  # a plateau short of everyone: the holdouts


def test_some_villages_are_far_ahead_and_some_far_behind(district, db):
    signed: Counter = Counter()
    scope: Counter = Counter()
    totals = project_totals()
    for project in running_projects():
        signed[project.village_id] += totals[project.pk].get("signed", 0)
        scope[project.village_id] += totals[project.pk].get(SCOPE, 0)
    rates = [100 * signed[v] / scope[v] for v in scope if scope[v] >= 10]
    assert len(rates) >= 2
    assert max(rates) - min(rates) > 30, rates


def test_a_project_lapsed_below_its_threshold_and_finished_ones_reached_theirs(district, db):
    totals = project_totals()
    ended = [p for p in Project.objects.filter(signing_end__lt=TODAY) if totals[p.pk].get(SCOPE)]  # households sign
    lapsed = [p for p in ended if rate(totals[p.pk]) < p.signing_threshold]
    assert 1 <= len(lapsed) <= 2
    assert district.progress.lapsed_projects == len(lapsed)
    decided = 0
    for project in ended:
        unsigned = totals[project.pk][SCOPE] - totals[project.pk].get("signed", 0)
        if project in lapsed:
            assert "decision" not in totals[project.pk]  # lapsed: no decisions on a failed signing
            continue
        assert rate(totals[project.pk]) >= project.signing_threshold, project.code
        assert totals[project.pk].get("decision", 0) <= unsigned
        decided += totals[project.pk].get("decision", 0)
    assert decided > 0  # holdouts of finished projects got compensation decisions
    assert Project.objects.filter(signing_start__gt=TODAY).exists()  # and some have not started
    upcoming = Household.objects.filter(project__signing_start__gt=TODAY)
    assert upcoming.filter(stage__in=["surveyed", "decided", "valued"]).exists()
    assert not upcoming.filter(signed_on__isnull=False).exists()


def test_a_village_or_two_is_done_every_house_demolished(district, db):
    """城中村完成: the villages cleared long ago have every household in scope vacated and demolished."""
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for unit, key, households in Rollup.objects.filter(level=Level.VILLAGE).values_list("unit", "key", "households"):
        totals[unit][key] = households
    done = [v for v, t in totals.items() if t.get(SCOPE) and t.get("demolished", 0) == t[SCOPE]]
    assert 1 <= len(done) <= 2
    households = Household.objects.filter(village_id__in=done).exclude(stage="withdrawn")
    assert not households.filter(vacated_on=None).exists()
    assert not Building.objects.filter(household__in=households, demolished_on=None).exists()


def test_hard_cases_have_visits_with_consistent_dates(district, db):
    cases = list(HardCase.objects.select_related("household__project"))
    visits: dict[int, list[Visit]] = defaultdict(list)
    for visit in Visit.objects.order_by("visited_on", "id"):
        visits[visit.hard_case_id].append(visit)
    cadres = set(User.objects.filter(memberships__role="cadre").values_list("pk", flat=True))
    overdue = 0
    for case in cases:
        household = case.household
        mine = visits[case.pk]
        assert 1 <= len(mine) <= 6
        days = [v.visited_on for v in mine]
        assert days == sorted(days) and days[0] >= case.opened_on and days[-1] <= TODAY
        assert case.last_visit_on == days[-1]
        assert case.next_visit_on == mine[-1].next_visit_on
        assert all(a.next_visit_on == b.visited_on for a, b in zip(mine, mine[1:]))
        assert household.cadre_id in cadres and all(v.visitor_id == household.cadre_id for v in mine)
        assert CHINESE.search(case.strategy) and CHINESE.search(case.reason_detail)
        assert case.opened_on >= household.project.signing_start
        if case.closed_on is None:  # not yet left the path: signed or decided households may still be cases
            assert household.vacated_on is None and household.withdrawn_on is None
            assert case.next_visit_on is not None
            overdue += case.next_visit_on < TODAY
        else:  # closed on the day it left the path (腾空交房), never on signing or a decision
            assert case.close_note == "腾空交房"
            assert case.closed_on == household.vacated_on == case.last_visit_on and case.next_visit_on is None
    open_cases = [c for c in cases if c.closed_on is None]
    assert 0 < overdue < len(open_cases)
    assert district.progress.overdue_cases == overdue
    assert any(c.closed_on is not None for c in cases)
    assert any(c.household.signed_on is not None for c in open_cases)  # signed, not yet vacated
    talks = Counter(v.talk for v in Visit.objects.all())
    assert len(talks) >= 20  # varied by reason, not one sentence
    assert len(set(HardCase.objects.values_list("reason", flat=True))) >= 5


def test_about_a_quarter_of_the_unsigned_in_signing_projects_are_hard_cases(district, db):
    unsigned = Household.objects.filter(project__in=running_projects(), signed_on=None, valued_on__isnull=False)
    unsigned = unsigned.exclude(stage="withdrawn")
    share = HardCase.objects.filter(household__in=unsigned).count() / unsigned.count()
    assert 0.2 <= share <= 0.35, share


# ------------------------------------------------------------------------ the projects' schedule

def _villages(batches: list[int], *, phases: int = 1) -> list[VillagePlan]:
    street = OrgUnit(pk=1, code="S", name="街道", parent_id=None)
    villages = []
    for i, batch in enumerate(batches):
        village = VillagePlan(pk=i + 1, code=f"V{i:02d}", name=f"村{i}", street=street, community=street,
                              households=100, clans=["陈"], batch=batch)
        village.projects = [ProjectPlan(pk=10 * i + k, code=f"P{i:02d}{k:02d}", households=100 - i, phase=k)
                            for k in range(1, phases + 1)]
        villages.append(village)
    return villages


@pytest.mark.parametrize("batches", [[1] * 6, [3] * 4 + [1] * 3, [2] * 5, [1, 2, 3] * 4])
def test_the_schedule_always_has_signing_villages_a_lapsed_project_and_phases_in_order(batches):
    for seed in range(20):
        villages = _villages(batches, phases=2)
        schedule_projects(villages=villages, rng=random.Random(seed), today=TODAY)
        projects = [p for v in villages for p in v.projects]
        running = [p for v in villages for p in v.projects if p.status == RUNNING]
        assert len({p.pk // 10 for p in running}) >= 2
        assert 1 <= sum(p.status == LAPSED for p in projects) <= 2
        for p in projects:
            assert p.status in (FINISHED, LAPSED, RUNNING, UPCOMING, PLANNED)
            if p.status == PLANNED:
                assert p.signing_start is None and p.decision_date is None
                continue
            assert p.decision_date < p.signing_start < p.signing_end
            assert {FINISHED: p.signing_end < TODAY, LAPSED: p.signing_end < TODAY,
                    RUNNING: p.signing_start <= TODAY <= p.signing_end,
                    UPCOMING: p.signing_start > TODAY}[p.status]
        for v in villages:
            first, second = v.projects
            if first.signing_end and second.signing_start:
                assert first.signing_end < second.signing_start, (first.status, second.status)
        paces = [v.pace for v in villages if any(p.status == RUNNING for p in v.projects)]
        assert min(paces) == pytest.approx(-0.35) and max(paces) == pytest.approx(0.3)
        cleared = [v for v in villages if v.cleared]
        assert len(cleared) <= 2
        for village in cleared:
            assert all(p.status == FINISHED and p.signing_end <= TODAY - dt.timedelta(days=160)
                       for p in village.projects)
        if batches == [1] * 6:
            assert cleared


def test_projects_that_opened_signing_did_so_after_a_consultation_that_passed(district, db):
    from gaizao.ledger.models import Project
    from gaizao.progress import consent
    from gaizao.progress.models import Consultation, ConsultationAnswer

    opened = Project.objects.filter(signing_start__isnull=False, signing_start__lte=TODAY)
    assert opened.exists()
    for project in opened:
        consultation = Consultation.objects.get(project=project)
        assert consultation.held_on <= consultation.ends_on < project.signing_start
        tally = consent.tally(consultation)
        assert tally.in_scope > 0 and tally.status(TODAY) == consent.PASSED, (project.code, tally)
        assert consent.signing_gate(project=project) is None
    answers = ConsultationAnswer.objects.select_related("consultation", "household")
    assert answers.exists() and all(a.household.project_id == a.consultation.project_id
                                    and a.consultation.held_on <= a.answered_on <= a.consultation.ends_on
                                    for a in answers)
    assert {a.answer for a in answers} == {"agree", "disagree", "none"}
