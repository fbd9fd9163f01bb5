"""Recording valuations (评估结果): the values a valuation keeps, a re-valuation that keeps the old one, the
household's 评估 stage that follows, and every bad input refused in Chinese, naming what is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.compensation.choices import ValuationKind
from gaizao.compensation.models import Valuation
from gaizao.compensation.selectors.valuations import household_valuations, valuations_complete, valuations_in_force
from gaizao.compensation.services import valuations as services
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, NotFound
from gaizao.ledger.choices import Stage
from gaizao.progress.models import StageEvent
from tests.compensation.samples_valuations import building_of, days_ago, decide, value


@pytest.fixture
def decided(cast):
    """household_a1 surveyed and decided, with its one building (1) and a second (2), both legal."""
    household = cast.household_a1
    building_of(cast, household, "2", legal_area=Decimal("50.00"))
    decide(cast, household)
    return household


def test_a_valuation_keeps_the_valuers_result_and_is_audited(cast, decided):
    building = decided.buildings.get(number="1")
    valuation = value(cast, decided, building, price="5200.50", decoration="12000", on=3)
    valuation.refresh_from_db()
    assert (valuation.unit_price, valuation.decoration, valuation.valued_on) == (
        Decimal("5200.50"), Decimal("12000.00"), days_ago(3))
    assert (valuation.valuer, valuation.appraiser, valuation.report_no) == ("云溪房地产估价有限公司", "刘估价", "YX-2026-001")
    assert valuation.in_force and valuation.kind == ValuationKind.INITIAL and valuation.created_by == cast.admin
    entry = AuditEntry.objects.filter(action="compensation.valuation_record").latest("pk")
    assert entry.object_id == str(valuation.pk) and entry.changes["unit_price"] == "5200.50"


def test_the_valued_stage_is_recorded_once_every_building_to_demolish_is_valued(cast, decided):
    one, two = decided.buildings.get(number="1"), decided.buildings.get(number="2")
    value(cast, decided, one, on=6)
    decided.refresh_from_db()
    assert decided.stage == Stage.DECIDED and decided.valued_on is None
    value(cast, decided, two, on=4)
    decided.refresh_from_db()
    assert decided.stage == Stage.VALUED
    assert decided.valued_on == days_ago(4)  # the latest valuation date
    assert StageEvent.objects.filter(household=decided, kind="valued").count() == 1


def test_a_kept_building_is_not_waited_for_and_cannot_be_valued(cast, decided):
    two = decided.buildings.get(number="2")
    type(two).objects.filter(pk=two.pk).update(disposition="keep")
    with pytest.raises(AppError) as refused:
        value(cast, decided, two)
    assert "保留" in refused.value.message and "2" in refused.value.message
    value(cast, decided, decided.buildings.get(number="1"))
    decided.refresh_from_db()
    assert decided.stage == Stage.VALUED


def test_a_review_keeps_the_old_valuation_and_says_which_is_in_force(cast, decided):
    building = decided.buildings.get(number="1")
    first = value(cast, decided, building, price="5000", on=6)
    review = value(cast, decided, building, price="5400", on=2, kind=ValuationKind.REVIEW, reason="业主申请复核，单价调整")
    first.refresh_from_db()
    assert not first.in_force and review.in_force and review.replaces == first
    assert review.reason == "业主申请复核，单价调整"
    appraisal = value(cast, decided, building, price="5600", on=1, kind=ValuationKind.APPRAISAL,
                      reason="对复核结果有异议，申请专家鉴定")
    rows = {row.building.number: row for row in household_valuations(decided)}
    assert rows["1"].in_force == appraisal
    assert [v.pk for v in rows["1"].history] == [review.pk, first.pk]
    assert valuations_in_force([decided.pk])[building.pk] == appraisal
    assert Valuation.objects.filter(building=building).count() == 3
    assert AuditEntry.objects.filter(action="compensation.valuation_review").count() == 2


def test_a_review_does_not_record_the_stage_again(cast, decided):
    for number in ("1", "2"):
        value(cast, decided, decided.buildings.get(number=number), on=5)
    value(cast, decided, decided.buildings.get(number="1"), on=1, kind=ValuationKind.REVIEW, reason="复核调整单价")
    assert StageEvent.objects.filter(household=decided, kind="valued").count() == 1


def test_a_household_not_yet_decided_is_refused_by_name(cast):
    building = building_of(cast, cast.household_a1)
    with pytest.raises(AppError) as refused:
        value(cast, cast.household_a1, building)
    assert "DH-001" in refused.value.message and "认定" in refused.value.message
    assert not Valuation.objects.exists()


def test_a_building_still_pending_its_decision_is_refused(cast, decided):
    pending = building_of(cast, decided, "3")
    type(pending).objects.filter(pk=pending.pk).update(legality="pending")  # the ledger refuses it; old data may not
    pending.refresh_from_db()
    with pytest.raises(AppError) as refused:
        value(cast, decided, pending)
    assert "房屋 3" in refused.value.message and "待认定" in refused.value.message


def test_progress_refusing_the_stage_refuses_the_valuation_and_names_the_household(cast):
    household = cast.household_a1
    building_of(cast, household)
    decide(cast, household, surveyed=20, decided=3)
    with pytest.raises(AppError) as refused:  # valued before the 认定 date: progress refuses the 评估 stage
        value(cast, household, household.buildings.get(), on=8)
    assert "DH-001" in refused.value.message and "早于认定日期" in refused.value.message
    assert not Valuation.objects.exists()


def test_a_second_initial_valuation_is_refused_pointing_to_a_review(cast, decided):
    building = decided.buildings.get(number="1")
    value(cast, decided, building)
    with pytest.raises(AppError) as refused:
        value(cast, decided, building, price="6000")
    assert "复核" in refused.value.message and refused.value.fields.keys() == {"kind"}


@pytest.mark.parametrize("kind", [ValuationKind.REVIEW, ValuationKind.APPRAISAL])
def test_a_review_needs_a_reason_and_a_valuation_to_replace(cast, decided, kind):
    building = decided.buildings.get(number="1")
    with pytest.raises(AppError) as refused:
        value(cast, decided, building, kind=kind, reason="理由充分的复核")
    assert "尚无评估结果" in refused.value.message
    value(cast, decided, building)
    with pytest.raises(AppError) as refused:
        value(cast, decided, building, kind=kind, reason="短")
    assert refused.value.fields.keys() == {"reason"}


@pytest.mark.parametrize("values, field, words", [
    ({"unit_price": "-10"}, "unit_price", "须大于 0"),
    ({"unit_price": "0"}, "unit_price", "须大于 0"),
    ({"unit_price": "abc"}, "unit_price", "须为数字"),
    ({"unit_price": "5200.123"}, "unit_price", "两位小数"),
    ({"decoration": "-1"}, "decoration", "不能为负数"),
    ({"valued_on": "tomorrow"}, "valued_on", "不是有效日期"),
    ({"valuer": "  "}, "valuer", "请填写评估机构"),
])
def test_bad_values_are_refused_naming_the_field(cast, decided, values, field, words):
    entry = {"building": decided.buildings.get(number="1"), "unit_price": "5200", "valued_on": days_ago(1),
             "valuer": "云溪估价", **values}
    with pytest.raises(AppError) as refused:
        services.valuations_record(actor=cast.admin, household=decided, entries=[entry])
    assert field in refused.value.fields and words in refused.value.fields[field]
    assert not Valuation.objects.exists()


def test_a_future_valuation_date_is_refused(cast, decided):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(AppError) as refused:
        services.valuation_record(actor=cast.admin, household=decided, building=decided.buildings.get(number="1"),
                                  unit_price=Decimal("5200"), valued_on=tomorrow, valuer="云溪估价")
    assert "晚于今天" in refused.value.fields["valued_on"]


def test_a_building_of_another_household_or_project_is_refused(cast, decided):
    other = building_of(cast, cast.household_b1)  # project P002, street B
    with pytest.raises(AppError) as refused:
        services.valuation_record(actor=cast.admin, household=decided, building=other, unit_price=Decimal("5200"),
                                  valued_on=days_ago(1), valuer="云溪估价")
    assert "不是住户 DH-001" in refused.value.fields["building"]
    with pytest.raises(AppError) as refused:
        services.valuation_record(actor=cast.admin, household=decided, building=999999, unit_price=Decimal("5200"),
                                  valued_on=days_ago(1), valuer="云溪估价")
    assert "building" in refused.value.fields


def test_several_buildings_are_recorded_all_or_nothing(cast, decided):
    one, two = decided.buildings.get(number="1"), decided.buildings.get(number="2")
    good = {"building": one, "unit_price": "5200", "valued_on": days_ago(1), "valuer": "云溪估价"}
    with pytest.raises(AppError) as refused:
        services.valuations_record(actor=cast.admin, household=decided, entries=[good, {**good, "building": two,
                                                                                         "unit_price": "-1"}])
    assert "2·unit_price" in refused.value.fields
    assert not Valuation.objects.exists()
    services.valuations_record(actor=cast.admin, household=decided, entries=[good, {**good, "building": two}])
    decided.refresh_from_db()
    assert decided.stage == Stage.VALUED and valuations_complete(household_valuations(decided))


def test_out_of_reach_is_not_found_and_readers_do_not_write(cast, decided):
    building = decided.buildings.get(number="1")
    for user in (cast.street_user_b, cast.cadre, cast.leader, cast.resident, cast.outsider):
        with pytest.raises(NotFound):
            services.valuation_record(actor=user, household=decided, building=building, unit_price=Decimal("5200"),
                                      valued_on=days_ago(1), valuer="云溪估价")
    services.valuation_record(actor=cast.street_user_a, household=decided, building=building,
                              unit_price=Decimal("5200"), valued_on=days_ago(1), valuer="云溪估价")


def test_the_change_requests_guard_is_asked_before_anything_is_written(cast, decided, monkeypatch):
    """After the 公示 a change request's module refuses the write (here: its guard, set to refuse)."""
    import importlib
    import types

    asked = []

    def guard_inputs(household_ids, *, what):
        asked.append((list(household_ids), str(what)))
        raise AppError("公示后变更评估结果须经变更申请并经第二人批准。")

    try:
        module = importlib.import_module("gaizao.compensation.services.changes")
    except ModuleNotFoundError:
        module = types.ModuleType("gaizao.compensation.services.changes")
        monkeypatch.setitem(__import__("sys").modules, module.__name__, module)
    monkeypatch.setattr(module, "guard_inputs", guard_inputs, raising=False)
    with pytest.raises(AppError) as refused:
        value(cast, decided, decided.buildings.get(number="1"))
    assert "变更申请" in refused.value.message
    assert asked == [([decided.pk], "评估结果")]
    assert not Valuation.objects.exists()
