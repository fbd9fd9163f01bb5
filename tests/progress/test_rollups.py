"""Rollups equal a recomputation from events, whatever sequence of events people record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gaizao.core.errors import AppError
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project
from gaizao.progress import rollups
from gaizao.progress.choices import SCOPE, EventKind, Level
from gaizao.progress.models import DailyRollup, Rollup, StageEvent
from gaizao.progress.services import event_correct, household_record_event, households_record_stage

FUNNEL_ORDER = ["surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
KINDS = [k for k in EventKind if k != EventKind.VOID]
DAYS = [dt.date(2025, 12, 20), START, dt.date(2026, 2, 1), dt.date(2026, 3, 15), END, dt.date(2026, 7, 10),
        dt.date(2026, 9, 1)]


def _with_signing_period(project: Project) -> Project:
    Project.objects.filter(pk=project.pk).update(signing_start=START, signing_end=END)
    project.refresh_from_db()
    return project


def _total(level, unit, key):
    row = Rollup.objects.filter(level=level, unit=unit, key=key).values_list("households", "area_centi").first()
    return row or (0, 0)


def _advance(actor, household, *, steps: int, pick: int) -> list[str]:
    """Walk a household ``steps`` stages on, each on a day at or after the last (as people work)."""
    done = []
    for _step in range(steps):
        fresh = Household.objects.get(pk=household.pk)
        kind = NEXT.get(None if fresh.stage == "registered" else fresh.stage)
        if kind is None:
            break
        last = max(rollups.State.of(fresh).dates.values(), default=DAYS[0])
        later = [d for d in DAYS if d >= last] or [last]
        household_record_event(actor=actor, household=household, kind=kind, on_date=later[min(pick, len(later) - 1)],
                               resettlement_mode="return")
        done.append(kind)
    return done


class _Rollback(Exception):
    pass


NEXT = {None: "surveyed", "surveyed": "decided", "decided": "valued", "valued": "signed", "signed": "vacated",
        "decision": "vacated", "vacated": "demolished", "demolished": "resettled"}
operation = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 2), st.integers(1, 7), st.integers(0, 2)),
    st.tuples(st.just("advance"), st.integers(0, 2), st.integers(1, 7), st.integers(0, 2)),
    st.tuples(st.just("record"), st.integers(0, 2), st.sampled_from(KINDS), st.sampled_from(DAYS)),
    st.tuples(st.just("bulk"), st.just(0), st.sampled_from(KINDS), st.sampled_from(DAYS)),
    st.tuples(st.just("correct"), st.integers(0, 2), st.integers(0, 20), st.sampled_from(DAYS)),
    st.tuples(st.just("void"), st.integers(0, 2), st.integers(0, 20), st.just(None)),
    st.tuples(st.just("building"), st.integers(0, 2), st.integers(1, 500), st.just(None)),
)


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=10, max_size=40))
def test_rollups_equal_recomputation_after_any_sequence_of_events(cast, ops):
    try:
        with transaction.atomic():
            _with_signing_period(cast.project_a)
            households = [cast.household_a1, cast.household_a2,
                          ledger_services.household_create(actor=cast.admin, project=cast.project_a, number="DH-009",
                                                           head_name="赵六")]
            recorded = []
            for op, index, arg, day in ops:
                household = households[index]
                try:
                    if op == "advance":
                        recorded += _advance(cast.street_user_a, household, steps=arg, pick=day)
                    elif op == "record":
                        mode = "money" if arg == EventKind.RESETTLED else ""
                        household_record_event(actor=cast.street_user_a, household=household, kind=arg, on_date=day,
                                               resettlement_mode=mode)
                    elif op == "bulk":
                        mode = "swap" if arg == EventKind.RESETTLED else ""
                        households_record_stage(actor=cast.street_user_a, household_ids=[h.pk for h in households],
                                                kind=arg, on_date=day, resettlement_mode=mode)
                    elif op in ("correct", "void"):
                        events = list(StageEvent.objects.filter(household=household).order_by("id"))
                        if events:
                            event_correct(actor=cast.street_user_a, event=events[arg % len(events)], note="更正",
                                          on_date=day, void=op == "void")
                    elif op == "building":
                        ledger_services.building_add(actor=cast.street_user_a, household=household,
                                                     number=f"B{StageEvent.objects.count()}-{arg}",
                                                     legal_area=Decimal(arg) / 4, legality="legal")
                except AppError:
                    pass  # refusals are part of the game: they must leave everything consistent
            result = rollups.verify()
            assert result.ok, result.mismatch
            event(f"deepest stage recorded: {max((FUNNEL_ORDER.index(k) for k in recorded), default=-1)}")
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_a_signing_counts_once_in_every_unit_with_the_households_area(cast):
    project = _with_signing_period(cast.project_a)
    household = cast.household_a1  # one building: 120.50 legal + 30.00 unlicensed
    for kind, day in [("surveyed", "2025-12-01"), ("decided", "2025-12-05"), ("valued", "2025-12-20"),
                      ("signed", "2026-02-01")]:
        household_record_event(actor=cast.street_user_a, household=household, kind=kind, on_date=day)
    for level, unit in [(Level.DISTRICT, cast.district.pk), (Level.STREET, cast.street_a.pk),
                        (Level.VILLAGE, cast.village_a.pk), (Level.PROJECT, project.pk)]:
        assert _total(level, unit, "signed") == (1, 15050)
        # DH-001 and DH-002 are in the project's scope; XL-001 (street B) only in the district's
        assert _total(level, unit, SCOPE)[0] == (3 if level == Level.DISTRICT else 2)
        assert DailyRollup.objects.get(level=level, unit=unit, key="signed").day == dt.date(2026, 2, 1)
    assert _total(Level.STREET, cast.street_b.pk, "signed") == (0, 0)
    assert rollups.verify().ok


@pytest.mark.django_db
def test_correcting_a_signing_date_moves_it_between_days_and_keeps_the_total(cast):
    _with_signing_period(cast.project_a)
    household = cast.household_a1
    for kind, day in [("surveyed", "2025-12-01"), ("decided", "2025-12-05"), ("valued", "2025-12-20")]:
        household_record_event(actor=cast.street_user_a, household=household, kind=kind, on_date=day)
    signed = household_record_event(actor=cast.street_user_a, household=household, kind="signed", on_date="2026-02-01")
    event_correct(actor=cast.street_user_a, event=signed, on_date="2026-03-01", note="协议落款日期录错")
    days = dict(DailyRollup.objects.filter(level=Level.DISTRICT, key="signed").values_list("day", "households"))
    assert days == {dt.date(2026, 2, 1): 0, dt.date(2026, 3, 1): 1}
    assert Household.objects.get(pk=household.pk).signed_on == dt.date(2026, 3, 1)
    assert _total(Level.DISTRICT, cast.district.pk, "signed") == (1, 15050)
    assert rollups.verify().ok


@pytest.mark.django_db
def test_a_withdrawn_household_leaves_every_figure(cast):
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="surveyed",
                           on_date="2026-01-05")
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="withdrawn",
                           on_date="2026-01-10")
    assert _total(Level.PROJECT, cast.project_a.pk, SCOPE)[0] == 1
    assert _total(Level.PROJECT, cast.project_a.pk, "surveyed") == (0, 0)
    assert Household.objects.get(pk=cast.household_a2.pk).stage == "withdrawn"
    assert rollups.verify().ok


@pytest.mark.django_db
def test_verify_names_the_first_mismatch_and_rebuild_repairs_it(cast):
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                           on_date="2026-01-05")
    Rollup.objects.filter(level=Level.STREET, key="surveyed").update(households=7)
    result = rollups.verify()
    assert not result.ok
    assert "街道" in result.mismatch and "入户调查" in result.mismatch and "7 户" in result.mismatch
    Household.objects.filter(pk=cast.household_a1.pk).update(surveyed_on=None)
    assert "DH-001" in rollups.verify().mismatch
    rollups.rebuild()
    assert rollups.verify().ok
    assert Household.objects.get(pk=cast.household_a1.pk).surveyed_on == dt.date(2026, 1, 5)


@pytest.mark.django_db
def test_building_area_changes_move_the_area_of_every_stage_reached(cast):
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                           on_date="2026-01-05")
    ledger_services.building_add(actor=cast.street_user_a, household=cast.household_a1, number="2",
                                 legal_area=Decimal("49.50"), legality="legal")
    assert Household.objects.get(pk=cast.household_a1.pk).area == Decimal("200.00")
    assert _total(Level.VILLAGE, cast.village_a.pk, "surveyed") == (1, 20000)
    assert rollups.verify().ok
