"""认定 and 拆除 follow the buildings (issue 10, items 4 and 5), through the services: 认定 needs a
decision on each building, 评估 needs 认定; a household's 拆除 brings its buildings down in the same
transaction, a building with a heritage element only with the office's override; corrections move
the marks; verify holds the household and its buildings to one answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gaizao.core.errors import AppError, Conflict
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Building, Household
from gaizao.progress import rollups
from gaizao.progress.models import StageEvent
from gaizao.progress.services import event_correct, household_record_event, households_record_stage
from tests.progress.conftest import HERITAGE_REASON as REASON

D = dt.date
DAY = D(2026, 3, 10)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def demolished_on(*buildings) -> list:
    return [fresh(b).demolished_on for b in buildings]


def nothing_written(household, kind: str) -> None:
    assert not StageEvent.objects.filter(household=household, kind=kind).exists()
    assert not AuditEntry.objects.filter(action__startswith="building.demolish").exists()


# --- 认定 and 评估 ----------------------------------------------------------------------------------

@pytest.mark.usefixtures("rollups_stay_correct")
def test_decided_is_refused_without_a_building(cast):
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="surveyed", on_date=DAY)
    with pytest.raises(AppError) as caught:
        household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="decided", on_date=DAY)
    assert caught.value.message.startswith("住户 DH-002 张三 尚未登记房屋，不能记录「认定」")
    assert caught.value.fields == {"kind": "未登记房屋"}
    assert fresh(cast.household_a2).stage == "surveyed"


@pytest.mark.usefixtures("rollups_stay_correct")
def test_decided_is_refused_while_a_building_is_pending_and_names_it(cast, vacated):
    ledger_services.building_add(actor=cast.admin, household=cast.household_b1, number="2", legality="legal")
    ledger_services.building_add(actor=cast.admin, household=cast.household_b1, number="3")
    with pytest.raises(AppError) as caught:
        household_record_event(actor=cast.street_user_b, household=cast.household_b1, kind="decided", on_date=DAY)
    assert "住户 XL-001 王五 的房屋 1、3 尚待认定，不能记录「认定」" in caught.value.message
    assert caught.value.fields == {"kind": "房屋待认定"}
    assert fresh(cast.household_b1).decided_on is None


@pytest.mark.usefixtures("rollups_stay_correct")
def test_decided_once_every_building_is_decided_then_valued(cast, vacated):
    with pytest.raises(AppError, match="尚未记录「认定」，不能记录「评估」"):
        household_record_event(actor=cast.street_user_b, household=cast.household_b1, kind="valued", on_date=DAY)
    ledger_services.building_update(actor=cast.street_user_b, building=vacated.pending, version=1, legality="illegal")
    household_record_event(actor=cast.street_user_b, household=cast.household_b1, kind="decided", on_date=DAY)
    household_record_event(actor=cast.street_user_b, household=cast.household_b1, kind="valued", on_date=DAY)
    assert fresh(cast.household_b1).stage == "valued"


def test_a_decided_household_keeps_every_building_decided(cast, vacated):
    with pytest.raises(AppError) as caught:
        ledger_services.building_add(actor=cast.street_user_a, household=cast.household_a2, number="2")
    assert "住户 DH-002 张三 已于 2026-03-02 完成认定" in caught.value.fields["legality"]
    with pytest.raises(AppError, match="不能为“待认定”"):
        ledger_services.building_update(actor=cast.street_user_a, building=vacated.plain, version=1,
                                        legality="pending")
    ledger_services.building_add(actor=cast.street_user_a, household=cast.household_a2, number="2",
                                 legality="illegal")
    assert fresh(vacated.plain).legality == "temporary"


@pytest.mark.usefixtures("rollups_stay_correct")
def test_bulk_decided_names_each_household_and_its_buildings_and_writes_nothing(cast, vacated):
    ids = [cast.household_b1.pk]
    with pytest.raises(AppError) as caught:
        households_record_stage(actor=cast.admin, household_ids=ids, kind="decided", on_date=DAY)
    assert "有 1 户不能记录「认定」，本次没有写入任何记录" in caught.value.message
    assert "XL-001 王五：本户的房屋 1 尚待认定" in caught.value.message
    assert not StageEvent.objects.filter(kind="decided", household=cast.household_b1).exists()


# --- a household's 拆除 brings its buildings down --------------------------------------------------

@pytest.mark.usefixtures("rollups_stay_correct")
def test_a_household_s_demolition_marks_its_standing_buildings_in_the_same_write(cast, vacated):
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                                   on_date=DAY)
    assert fresh(cast.household_a2).stage == "demolished"
    assert demolished_on(vacated.plain) == [DAY]
    assert fresh(vacated.plain).version == 2
    entry = AuditEntry.objects.get(action="building.demolish", object_id=str(vacated.plain.pk))
    assert entry.object_repr == "DH-002/1" and entry.actor == cast.street_user_a
    assert entry.changes == {"demolished_on": [None, DAY.isoformat()], "kind": "demolished", "event": event.pk}
    household_entry = AuditEntry.objects.get(action="progress.event", changes__event=event.pk)
    assert "heritage_override_reason" not in household_entry.changes


def test_the_buildings_fall_with_the_household_or_not_at_all(cast, vacated, monkeypatch):
    """One transaction: a failure after the buildings' UPDATE leaves them standing and no event behind."""
    from gaizao.progress.services import events

    def broken(**kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(events.audit, "record", broken)
    with pytest.raises(RuntimeError):
        household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                               on_date=DAY)
    assert demolished_on(vacated.plain) == [None]
    assert fresh(cast.household_a2).stage == "vacated"
    assert not StageEvent.objects.filter(kind="demolished").exists()


@pytest.mark.usefixtures("rollups_stay_correct")
def test_a_building_already_down_keeps_its_day_and_bounds_the_household_s(cast, vacated):
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="2", legality="legal")
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=vacated.plain, on_date=DAY)
    with pytest.raises(AppError) as caught:
        household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                               on_date=DAY - dt.timedelta(days=1))
    assert "住户 DH-002 张三 的房屋 1 已于 2026-03-10 拆除，晚于拆除日期 2026-03-09" in caught.value.message
    assert caught.value.fields == {"on_date": "早于房屋拆除日期"}
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                           on_date=DAY + dt.timedelta(days=2))
    assert sorted(Building.objects.filter(household=cast.household_a2).values_list("number", "demolished_on")) == [
        ("1", DAY), ("2", DAY + dt.timedelta(days=2))]
    assert rollups.demolition_mismatch() == ""


def test_a_street_account_cannot_demolish_a_household_with_a_heritage_building(cast, vacated):
    with pytest.raises(AppError) as caught:
        household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="demolished",
                               on_date=DAY, heritage_override_reason=REASON)
    assert caught.value.status == 403
    message = caught.value.message
    assert message.startswith("住户 DH-001 李四 的房屋 1 登记有历史文化要素（祠堂「李氏宗祠」），应予保护")
    assert "须由领导小组办公室（指挥部）账号特批" in message
    assert demolished_on(vacated.hall_building, vacated.annex) == [None, None]
    nothing_written(cast.household_a1, "demolished")


@pytest.mark.parametrize("reason, said", [("", "不少于 10 个字"), ("已批准", "现为 3 个字")])
def test_the_office_needs_a_reason_of_ten_characters(cast, vacated, reason, said):
    with pytest.raises(AppError) as caught:
        household_record_event(actor=cast.commander, household=cast.household_a1, kind="demolished", on_date=DAY,
                               heritage_override_reason=reason)
    assert caught.value.status == 400 and said in caught.value.fields["heritage_override_reason"]
    assert "DH-001 李四" in caught.value.message and "李氏宗祠" in caught.value.message
    nothing_written(cast.household_a1, "demolished")


@pytest.mark.usefixtures("rollups_stay_correct")
def test_the_office_s_override_brings_the_heritage_building_down_audited(cast, vacated):
    event = household_record_event(actor=cast.commander, household=cast.household_a1, kind="demolished",
                                   on_date=DAY, heritage_override_reason=REASON, ip="10.0.0.9")
    assert demolished_on(vacated.hall_building, vacated.annex) == [DAY, DAY]
    override = AuditEntry.objects.get(action="building.demolish_heritage_override")
    assert override.object_id == str(vacated.hall_building.pk) and override.actor == cast.commander
    assert override.ip == "10.0.0.9" and override.object_repr == "DH-001/1"
    assert override.changes["heritage_override_reason"] == REASON
    assert override.changes["heritage"] == [f"祠堂「李氏宗祠」（#{vacated.hall.pk}）"]
    assert override.changes["event"] == event.pk
    plain = AuditEntry.objects.get(action="building.demolish")
    assert plain.object_id == str(vacated.annex.pk) and "heritage_override_reason" not in plain.changes
    household_entry = AuditEntry.objects.get(action="progress.event", changes__event=event.pk)
    assert household_entry.changes["heritage_override_reason"] == REASON


@pytest.mark.usefixtures("rollups_stay_correct")
def test_no_override_is_needed_once_the_heritage_building_is_down(cast, vacated):
    ledger_services.building_mark_demolished(actor=cast.commander, building=vacated.hall_building, on_date=DAY,
                                             heritage_override_reason=REASON)
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="demolished", on_date=DAY)
    assert demolished_on(vacated.hall_building, vacated.annex) == [DAY, DAY]


@pytest.mark.usefixtures("rollups_stay_correct")
def test_the_command_line_s_system_actor_may_override_with_a_reason(cast, vacated):
    from gaizao.core.actors import SYSTEM

    with pytest.raises(AppError, match="不少于 10 个字"):
        household_record_event(actor=SYSTEM, household=cast.household_a1, kind="demolished", on_date=DAY)
    household_record_event(actor=SYSTEM, household=cast.household_a1, kind="demolished", on_date=DAY,
                           heritage_override_reason=REASON)
    assert AuditEntry.objects.get(action="building.demolish_heritage_override").actor_name == "system"


# --- in bulk ---------------------------------------------------------------------------------------

def test_bulk_demolition_names_the_heritage_households_and_writes_nothing(cast, vacated):
    ids = [cast.household_a1.pk, cast.household_a2.pk]
    for actor, reason, said in ((cast.street_user_a, REASON, "街道账号不能特批"), (cast.admin, "", "不少于 10 个字"),
                                (cast.commander, "已批准拆除", "现为 5 个字")):
        with pytest.raises(AppError) as caught:
            households_record_stage(actor=actor, household_ids=ids, kind="demolished", on_date=DAY,
                                    heritage_override_reason=reason)
        message = caught.value.message
        assert "有 1 户不能记录「拆除」，本次没有写入任何记录" in message
        assert "DH-001 李四：房屋 1 登记有历史文化要素（祠堂「李氏宗祠」）" in message and said in message
        assert "DH-002" not in message
        assert said in caught.value.fields["heritage_override_reason"]
        nothing_written(cast.household_a2, "demolished")
        assert demolished_on(vacated.plain, vacated.hall_building) == [None, None]


@pytest.mark.usefixtures("rollups_stay_correct")
def test_bulk_demolition_with_the_office_s_reason_for_the_batch(cast, vacated):
    count = households_record_stage(actor=cast.commander, household_ids=[cast.household_a1.pk, cast.household_a2.pk],
                                    kind="demolished", on_date=DAY, heritage_override_reason=REASON)
    assert count == 2
    assert demolished_on(vacated.hall_building, vacated.annex, vacated.plain) == [DAY] * 3
    override = AuditEntry.objects.get(action="building.demolish_heritage_override")
    assert override.changes["heritage_override_reason"] == REASON
    events = dict(StageEvent.objects.filter(kind="demolished").values_list("household_id", "pk"))
    assert override.changes["event"] == events[cast.household_a1.pk]
    assert AuditEntry.objects.filter(action="building.demolish").count() == 2
    household_entries = AuditEntry.objects.filter(action="progress.event", changes__kind="demolished")
    reasons = {e.object_id: e.changes.get("heritage_override_reason") for e in household_entries}
    assert reasons == {str(cast.household_a1.pk): REASON, str(cast.household_a2.pk): None}


@pytest.mark.usefixtures("rollups_stay_correct")
def test_bulk_demolition_of_plain_households_needs_no_reason(cast, vacated):
    households_record_stage(actor=cast.street_user_a, household_ids=[cast.household_a2.pk], kind="demolished",
                            on_date=DAY)
    assert demolished_on(vacated.plain) == [DAY]
    assert not AuditEntry.objects.filter(action="building.demolish_heritage_override").exists()


def test_a_building_marked_meanwhile_makes_the_bulk_write_stale(cast, vacated, monkeypatch):
    from gaizao.ledger.services import buildings

    real = buildings.building_facts

    def read_then_someone_marks(ids):
        facts = real(ids)
        Building.objects.filter(pk=vacated.plain.pk).update(demolished_on=DAY)
        return facts

    monkeypatch.setattr("gaizao.progress.services.events.building_facts", read_then_someone_marks)
    with pytest.raises(Conflict):
        households_record_stage(actor=cast.street_user_a, household_ids=[cast.household_a2.pk], kind="demolished",
                                on_date=DAY)
    assert not StageEvent.objects.filter(kind="demolished").exists()


# --- corrections move the buildings' marks ----------------------------------------------------------

@pytest.mark.usefixtures("rollups_stay_correct")
def test_a_corrected_demolition_date_moves_its_buildings(cast, vacated):
    event = household_record_event(actor=cast.commander, household=cast.household_a1, kind="demolished",
                                   on_date=DAY, heritage_override_reason=REASON)
    later = DAY + dt.timedelta(days=3)
    correction = event_correct(actor=cast.street_user_a, event=event, note="按拆除验收单日期", on_date=later)
    assert demolished_on(vacated.hall_building, vacated.annex) == [later, later]
    moved = AuditEntry.objects.filter(action="building.update", changes__event=correction.pk)
    assert sorted(moved.values_list("object_repr", flat=True)) == ["DH-001/1", "DH-001/2"]
    assert moved.first().changes["demolished_on"] == [DAY.isoformat(), later.isoformat()]
    assert rollups.demolition_mismatch() == ""


@pytest.mark.usefixtures("rollups_stay_correct")
def test_a_voided_demolition_stands_its_buildings_up_again(cast, vacated):
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="2", legality="legal")
    earlier = DAY - dt.timedelta(days=2)
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=vacated.plain, on_date=earlier)
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                                   on_date=DAY)
    event_correct(actor=cast.street_user_a, event=event, note="误录，尚未拆除", void=True)
    assert fresh(cast.household_a2).stage == "vacated"
    # The building that came down on its own day stays down; the one the household's event marked stands.
    assert sorted(Building.objects.filter(household=cast.household_a2).values_list("number", "demolished_on")) == [
        ("1", earlier), ("2", None)]


def test_a_corrected_date_before_a_building_s_own_demolition_is_refused(cast, vacated):
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="2", legality="legal")
    ledger_services.building_mark_demolished(actor=cast.street_user_a, building=vacated.plain, on_date=DAY)
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished",
                                   on_date=DAY + dt.timedelta(days=1))
    with pytest.raises(AppError) as caught:
        event_correct(actor=cast.street_user_a, event=event, note="日期有误", on_date=DAY - dt.timedelta(days=1))
    assert "房屋 1 已于 2026-03-10 拆除，晚于拆除日期 2026-03-09" in caught.value.message
    assert fresh(cast.household_a2).demolished_on == DAY + dt.timedelta(days=1)


def test_no_building_is_registered_on_a_demolished_household(cast, vacated):
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished", on_date=DAY)
    with pytest.raises(AppError) as caught:
        ledger_services.building_add(actor=cast.street_user_a, household=cast.household_a2, number="9",
                                     legality="legal")
    assert caught.value.message == "住户 DH-002 张三 已于 2026-03-10 拆除，不能再登记房屋。"


# --- verify: one source of truth for "demolished" ---------------------------------------------------

def _set(table_model, pk, **values) -> None:
    table = table_model._meta.db_table
    sets = ", ".join(f"{connection.ops.quote_name(k)} = %s" for k in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*values.values(), pk])


def _verify_command() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("rollups", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode or 1, str(exc)
    return 0, out.getvalue()


def test_verify_catches_a_demolished_household_with_a_building_standing(cast, vacated):
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished", on_date=DAY)
    assert rollups.verify().ok
    _set(Building, vacated.plain.pk, demolished_on=None)
    result = rollups.verify()
    assert not result.ok
    assert result.mismatch == ("住户 DH-002（#%d）已于 2026-03-10 记录拆除，但其 1 栋房屋中有 1 栋未标记拆除："
                               "住户的拆除与其房屋不一致。" % cast.household_a2.pk)
    code, message = _verify_command()
    assert code != 0 and "住户的拆除与其房屋不一致" in message


def test_verify_catches_buildings_all_down_under_a_household_not_demolished(cast, vacated):
    _set(Building, vacated.plain.pk, demolished_on=DAY.isoformat())
    result = rollups.verify()
    assert not result.ok and "的 1 栋房屋均已标记拆除（最后一栋 2026-03-10），但住户未记录拆除" in result.mismatch


def test_verify_catches_a_demolition_day_that_is_not_the_last_building_s(cast, vacated):
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="demolished", on_date=DAY)
    _set(Building, vacated.plain.pk, demolished_on=(DAY - dt.timedelta(days=1)).isoformat())
    result = rollups.verify()
    assert not result.ok and "最后一栋房屋的拆除日期为 2026-03-09" in result.mismatch
    assert Household.objects.get(pk=cast.household_a2.pk).demolished_on == DAY
