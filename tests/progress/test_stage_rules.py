"""The stage rules' one home (progress.stages) and the event fast path held to the models field by field.

``services.fast`` writes the event and moves the household with plain SQL built from column
lists; these tests fail when a model gains, loses or renames a column those lists name, when the
fast load reads a value differently from the ORM, or when the fast insert stores something the
ORM would not.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project
from gaizao.progress import stages
from gaizao.progress.choices import EventKind
from gaizao.progress.models import HardCase, StageEvent
from gaizao.progress.services import hardcase_open, household_record_event, households_record_stage
from gaizao.progress.services import fast
from tests.progress.helpers import decidable

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def walk_to_valued(cast, household) -> None:
    for kind, back in (("surveyed", 10), ("decided", 8), ("valued", 5)):
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=days_ago(back))


def open_signing(project) -> None:
    Project.objects.filter(pk=project.pk).update(signing_start=days_ago(30), signing_end=TODAY + dt.timedelta(days=30))


# --- the fast path against the models -----------------------------------------------------------------

def test_every_column_the_fast_path_names_is_a_field_of_its_model():
    household = {f.attname for f in Household._meta.concrete_fields}
    assert set(fast.COLUMNS) <= household
    assert set(fast.MOVED_COLUMNS) <= household
    assert set(fast.PROJECT_COLUMNS) <= {f.attname for f in Project._meta.concrete_fields}
    # the insert names every column of the event but its id: a new column fails here, not in production
    assert set(fast.EVENT_COLUMNS) == {f.attname for f in StageEvent._meta.concrete_fields} - {"id"}


def test_the_fast_move_writes_exactly_what_the_stage_rules_set():
    assert set(fast.MOVED_COLUMNS) == set(stages.State().household_fields())
    assert set(stages.DATE_FIELDS.values()) <= {f.attname for f in Household._meta.concrete_fields}


def test_the_fast_load_reads_each_column_as_the_orm_does(cast):
    open_signing(cast.project_a)
    walk_to_valued(cast, cast.household_a1)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days_ago(2))
    Household.objects.filter(pk=cast.household_a1.pk).update(cadre=cast.cadre)
    orm = Household.objects.select_related("project", "street").get(pk=cast.household_a1.pk)
    with transaction.atomic():
        loaded = fast.load(cast.household_a1.pk)
    assert isinstance(loaded, Household)
    for name in fast.COLUMNS:
        assert getattr(loaded, name) == getattr(orm, name), name
        assert type(getattr(loaded, name)) is type(getattr(orm, name)), name
    for name in fast.PROJECT_COLUMNS:
        assert getattr(loaded.project, name) == getattr(orm.project, name), name
    assert loaded.street.parent_id == orm.street.parent_id
    assert loaded.signed_on == days_ago(2) and loaded.cadre_id == cast.cadre.pk
    assert fast.load(10**9) is None and fast.load("x") is None


def test_the_fast_insert_stores_what_the_orm_would(cast):
    fields = [f.attname for f in StageEvent._meta.concrete_fields if f.attname not in ("id", "created_at")]
    with transaction.atomic():
        household = fast.load(cast.household_a1.pk)
        fast_event = fast.insert_event(household=household, kind="surveyed", on_date=days_ago(3),
                                       resettlement_mode="", note="说明", actor=cast.admin)
        orm_event = StageEvent.objects.create(household_id=household.pk, project_id=household.project_id,
                                              kind="surveyed", on_date=days_ago(3), note="说明", actor=cast.admin)
        stored = {row["id"]: row for row in StageEvent.objects.filter(pk__in=[fast_event.pk, orm_event.pk]).values()}
        assert {n: stored[fast_event.pk][n] for n in fields} == {n: stored[orm_event.pk][n] for n in fields}
        assert {n: getattr(fast_event, n) for n in fields} == {n: stored[orm_event.pk][n] for n in fields}
        transaction.set_rollback(True)  # the bare events bypassed the rules: leave no trace for the invariant


# --- one set of rules for one event and for many -------------------------------------------------------

def test_single_and_bulk_recording_refuse_the_same_out_of_order_event(cast):
    single = bulk = None
    try:
        household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days_ago(1))
    except Exception as exc:  # noqa: BLE001 - the messages are compared below
        single = exc
    try:
        households_record_stage(actor=cast.admin, household_ids=[cast.household_a1.pk], kind="signed",
                                on_date=days_ago(1))
    except Exception as exc:  # noqa: BLE001
        bulk = exc
    assert single is not None and bulk is not None
    assert single.message.split("，")[0] in bulk.message  # 本户尚未记录「评估」 in both
    assert StageEvent.objects.filter(household=cast.household_a1).count() == 0


def test_replay_of_the_events_gives_the_state_the_household_holds(cast):
    open_signing(cast.project_a)
    walk_to_valued(cast, cast.household_a1)
    households_record_stage(actor=cast.admin, household_ids=[cast.household_a1.pk], kind="signed", on_date=days_ago(1))
    household = Household.objects.get(pk=cast.household_a1.pk)
    replayed = stages.replay(StageEvent.objects.filter(household=household).order_by("id"))
    assert replayed.household_fields() == stages.State.of(household).household_fields()
    assert replayed.stage == household.stage == "signed"


def test_with_event_sets_the_mode_only_for_resettlement():
    state = stages.State(dates={EventKind.VACATED: days_ago(3)}, resettlement_mode="")
    assert stages.State().with_event(kind=EventKind.SURVEYED, on=TODAY, resettlement_mode="money").resettlement_mode == ""
    after = state.with_event(kind=EventKind.RESETTLED, on=TODAY, resettlement_mode="money")
    assert after.resettlement_mode == "money" and after.stage == "resettled" and state.dates.keys() == {"vacated"}


# --- hard cases closed by a stage event ---------------------------------------------------------------

def test_a_hard_case_closed_by_vacating_gets_its_own_audit_entry_signing_closes_nothing(cast):
    open_signing(cast.project_a)
    case = hardcase_open(actor=cast.admin, household=cast.household_a1, reason="price", opened_on=days_ago(20))
    walk_to_valued(cast, cast.household_a1)
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="signed", on_date=days_ago(2))
    assert not AuditEntry.objects.filter(action="hardcase.close").exists()
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    case.refresh_from_db()
    assert case.closed_on == days_ago(1) and case.version == 2
    entry = AuditEntry.objects.get(action="hardcase.close")
    assert (entry.object_type, entry.object_id) == ("progress.hardcase", str(case.pk))
    assert entry.actor_id == cast.street_user_a.pk
    assert entry.changes["closed_on"] == str(days_ago(1)) and entry.changes["by_event"] == "vacated"


def test_bulk_vacating_audits_each_hard_case_it_closes_and_no_other(cast):
    open_signing(cast.project_a)
    others = [ledger_services.household_create(actor=cast.admin, project=cast.project_a, number=f"HC-{i}",
                                               head_name=f"难点{i}") for i in range(2)]
    households = [cast.household_a1, *others]
    decidable(cast.admin, others)
    cases = [hardcase_open(actor=cast.admin, household=h, reason="family", opened_on=days_ago(20))
             for h in households[:2]]
    for household in households:
        walk_to_valued(cast, household)
    households_record_stage(actor=cast.admin, household_ids=[h.pk for h in households], kind="signed",
                            on_date=days_ago(2))
    assert not AuditEntry.objects.filter(action="hardcase.close").exists()
    households_record_stage(actor=cast.admin, household_ids=[h.pk for h in households], kind="vacated",
                            on_date=days_ago(1))
    closed = AuditEntry.objects.filter(action="hardcase.close")
    assert sorted(closed.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in cases)
    assert HardCase.objects.filter(closed_on=days_ago(1)).count() == 2


def test_an_event_that_closes_nothing_writes_no_hard_case_entry(cast):
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="withdrawn", on_date=days_ago(1))
    assert not AuditEntry.objects.filter(action="hardcase.close").exists()
