"""Modes change the way (issue 10 item 3): 拆除新建 demolishes, 整治提升 upgrades, 拆整结合 marks each building."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Building, Household
from gaizao.ledger.selectors.integrity import ledger_breaches
from gaizao.ledger.services.ways import village_mode_change
from gaizao.progress import rollups
from gaizao.progress.choices import SCOPE, SCOPE_UPGRADE, Level
from gaizao.progress.completion import completion, village_completion
from gaizao.progress.models import Rollup
from gaizao.progress.services.events import household_record_event, households_record_stage
from tests.progress.helpers import run_progress_command

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _village(cast, mode: str, code: str):
    village = ledger_services.village_create(actor=cast.admin, street=cast.street_a, code=code, name=f"{code}村",
                                             mode=mode, year=2026)
    project = ledger_services.project_create(actor=cast.admin, village=village, code=f"P{code}", name=f"{code}一期")
    return village, project


def _household(cast, project, number: str, *dispositions: str):
    household = ledger_services.household_create(actor=cast.admin, project=project, number=number, head_name="赵六")
    for i, disposition in enumerate(dispositions, start=1):
        kwargs = {"disposition": disposition} if disposition else {}
        ledger_services.building_add(actor=cast.admin, household=household, number=str(i), legality="legal",
                                     legal_area=Decimal("100.00"), **kwargs)
    return Household.objects.get(pk=household.pk)


def _total(level, unit, key):
    row = Rollup.objects.filter(level=level, unit=unit, key=key).values_list("households", flat=True).first()
    return row or 0


def test_ways_follow_modes_and_dispositions(cast):
    _v, upgrade = _village(cast, "upgrade", "U1")
    _v, mixed = _village(cast, "mixed", "M1")
    assert _household(cast, upgrade, "U-1", "").way == "upgrade"
    assert Building.objects.get(household__number="U-1").disposition == "keep"
    assert _household(cast, mixed, "M-1", "keep", "demolish").way == "demolish"
    assert _household(cast, mixed, "M-2", "keep").way == "upgrade"
    assert _household(cast, mixed, "M-3", "").way == "demolish"  # unmarked in 拆整结合: 拆除
    assert cast.household_a1.way == "demolish"
    assert not ledger_breaches()
    assert rollups.verify().ok


def test_an_upgrade_household_refuses_the_demolition_way_naming_the_mode(cast):
    _v, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=DAY)
    with pytest.raises(AppError) as refused:
        household_record_event(actor=cast.admin, household=household, kind="decided", on_date=DAY)
    assert "整治提升" in refused.value.message and "「认定」" in refused.value.message
    assert "同意整治、开工、竣工验收" in refused.value.message
    for kind in ("agreed", "works_started", "works_accepted"):
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=DAY)
    household.refresh_from_db()
    assert household.stage == "works_accepted"


def test_a_demolition_household_refuses_the_upgrade_kinds(cast):
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed", on_date=DAY)
    with pytest.raises(AppError) as refused:
        household_record_event(actor=cast.admin, household=cast.household_a1, kind="agreed", on_date=DAY)
    assert "拆除新建" in refused.value.message and "「同意整治」" in refused.value.message


def test_bulk_recording_names_the_household_and_the_rule(cast):
    _v, project = _village(cast, "mixed", "M1")
    kept = _household(cast, project, "M-9", "keep")
    for h in (kept, cast.household_a1):
        household_record_event(actor=cast.admin, household=h, kind="surveyed", on_date=DAY)
    with pytest.raises(AppError) as refused:
        households_record_stage(actor=cast.admin, household_ids=[kept.pk, cast.household_a1.pk], kind="decided",
                                on_date=DAY)
    assert "M-9 赵六" in refused.value.message and "拆整结合" in refused.value.message
    assert not Household.objects.filter(decided_on__isnull=False).exists()


def test_the_api_refuses_by_name(cast, login_as):
    _v, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=DAY)
    response = login_as(cast.street_user_a).post(
        f"/api/progress/households/{household.pk}/events", {"kind": "signed", "on_date": "2026-03-02"},
        content_type="application/json")
    assert response.status_code == 400
    assert "整治提升" in response.json()["message"]


def test_the_command_refuses_by_name(cast):
    _v, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=DAY)
    code, _out, err = run_progress_command("record", "--project", project.code, "--stage", "评估",
                                           "--date", "2026-03-02", "--households", "U-1")
    assert code != 0 and "整治提升" in err


def test_rollups_count_each_way_in_its_own_scope(cast):
    village, project = _village(cast, "mixed", "M1")
    demolish = _household(cast, project, "M-1", "demolish")
    kept = _household(cast, project, "M-2", "keep")
    assert _total(Level.VILLAGE, village.pk, SCOPE) == 1
    assert _total(Level.VILLAGE, village.pk, SCOPE_UPGRADE) == 1
    # A disposition changed before any step of the way: the household moves to the other scope.
    building = Building.objects.get(household=kept)
    ledger_services.building_update(actor=cast.admin, building=building, version=building.version,
                                    disposition="demolish")
    assert Household.objects.get(pk=kept.pk).way == "demolish"
    assert _total(Level.VILLAGE, village.pk, SCOPE) == 2
    assert _total(Level.VILLAGE, village.pk, SCOPE_UPGRADE) == 0
    assert rollups.verify().ok
    del demolish


def test_a_disposition_change_that_strands_progress_is_refused(cast):
    _v, project = _village(cast, "mixed", "M1")
    kept = _household(cast, project, "M-2", "keep")
    household_record_event(actor=cast.admin, household=kept, kind="surveyed", on_date=DAY)
    household_record_event(actor=cast.admin, household=kept, kind="agreed", on_date=DAY)
    building = Building.objects.get(household=kept)
    with pytest.raises(AppError) as refused:
        ledger_services.building_update(actor=cast.admin, building=building, version=building.version,
                                        disposition="demolish")
    assert "M-2 赵六" in refused.value.message and "同意整治" in refused.value.message
    assert Building.objects.get(pk=building.pk).disposition == "keep"


def test_a_disposition_the_mode_does_not_allow_is_refused(cast):
    with pytest.raises(AppError) as refused:
        ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="9", disposition="keep")
    assert "拆除新建" in refused.value.message and "东湖村" in refused.value.message


def test_a_kept_building_never_comes_down(cast):
    _v, project = _village(cast, "mixed", "M1")
    household = _household(cast, project, "M-1", "keep", "demolish", "demolish")
    kept = Building.objects.get(household=household, number="1")
    with pytest.raises(AppError) as refused:
        ledger_services.building_mark_demolished(actor=cast.admin, building=kept, on_date=DAY)
    assert "M-1" in refused.value.message and "保留" in refused.value.message
    assert Building.objects.get(pk=kept.pk).demolished_on is None


def test_a_household_demolition_brings_down_only_its_buildings_to_demolish(cast):
    from gaizao.ledger.services.buildings import building_facts, household_buildings_demolish
    from django.db import transaction

    _v, project = _village(cast, "mixed", "M1")
    household = _household(cast, project, "M-1", "keep", "demolish")
    with transaction.atomic():
        household_buildings_demolish(actor=SYSTEM, plans=[(household, building_facts([household.pk])[household.pk],
                                                           None)], on_date=DAY)
    assert dict(Building.objects.filter(household=household).values_list("number", "demolished_on")) == {
        "1": None, "2": DAY}


def test_a_mode_change_that_strands_progress_is_refused(cast):
    from django.db import transaction

    household_record_event(actor=cast.admin, household=cast.household_a1, kind="surveyed", on_date=DAY)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="decided", on_date=DAY)
    with pytest.raises(AppError) as refused, transaction.atomic():
        village_mode_change(actor=cast.admin, village=cast.village_a, mode="upgrade")
    assert "DH-001 李四" in refused.value.message and "认定" in refused.value.message
    assert "东湖村" in refused.value.message


def test_a_mode_change_moves_dispositions_and_ways(cast):
    from django.db import transaction

    with transaction.atomic():
        flipped = village_mode_change(actor=cast.admin, village=cast.village_b, mode="upgrade")
        cast.village_b.mode = "upgrade"
        cast.village_b.save(update_fields=["mode"])
    assert flipped == [cast.household_b1.pk]
    assert Household.objects.get(pk=cast.household_b1.pk).way == "upgrade"
    assert rollups.verify().ok


@pytest.mark.parametrize("mode, counts, done, reason", [
    ("demolish_rebuild", {SCOPE: 3, "signed": 2, "decision": 1, "demolished": 3}, True, "已完成"),
    ("demolish_rebuild", {SCOPE: 3, "signed": 2, "demolished": 1}, False, "未完成：1 户未签约（亦无补偿决定），2 户未拆除"),
    ("upgrade", {SCOPE_UPGRADE: 4, "works_accepted": 4}, True, "已完成"),
    ("upgrade", {SCOPE_UPGRADE: 4, "works_accepted": 2}, False, "未完成：2 户未验收"),
    ("mixed", {SCOPE: 5, "signed": 5, "demolished": 2, SCOPE_UPGRADE: 2}, False, "未完成：3 户未拆除，2 户未验收"),
    ("mixed", {SCOPE: 1, "signed": 1, "demolished": 1, SCOPE_UPGRADE: 1, "works_accepted": 1}, True, "已完成"),
    ("upgrade", {}, False, "未完成：改造范围内没有住户"),
])
def test_completion_per_mode(mode, counts, done, reason):
    result = completion(mode, counts)
    assert (result.done, result.reason) == (done, reason)


def test_an_upgrade_village_completes_when_its_works_are_accepted(cast):
    village, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    assert village_completion(village).reason == "未完成：1 户未验收"
    for kind in ("surveyed", "agreed", "works_started", "works_accepted"):
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=DAY)
    assert village_completion(village).done


def test_the_village_page_says_whether_the_village_is_completed(cast, login_as):
    village, project = _village(cast, "upgrade", "U1")
    _household(cast, project, "U-1", "")
    page = login_as(cast.commander).get(f"/ledger/villages/{village.pk}/").content.decode()
    assert "未完成：1 户未验收" in page and "整治提升" in page


def test_the_household_page_shows_the_steps_of_its_way(cast, login_as):
    _v, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    page = login_as(cast.commander).get(f"/ledger/households/{household.pk}/").content.decode()
    assert "<th>竣工验收</th>" in page and "<th>评估</th>" not in page
