"""Calculating households under the project's scheme in force: stored with its facts and items, the same
inputs change nothing, a missing fact names the household, and the write scope holds."""

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.compensation.models import Calculation
from gaizao.compensation.services.calculations import household_calculate, project_calculate
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, NotFound
from gaizao.ledger import services as ledger_services
from tests.compensation.factories import publish_scheme, value_buildings

pytestmark = pytest.mark.django_db


def test_a_household_is_calculated_with_every_item_its_inputs_and_the_total(cast):
    publish_scheme(cast.project_a)
    value_buildings(cast.household_a1)
    row = household_calculate(actor=cast.street_user_a, household=cast.household_a1, option="money",
                              signed_on=dt.date(2026, 3, 10))
    items = {item["key"]: item for item in row.items}
    # 120.50 ㎡ legal × 5200 + 30000 decoration
    assert items["building_value"]["amount"] == "656600.00"
    assert items["relocation"]["inputs"] == {"legal_total": "120.50", "relocation_min": "1000", "relocation_rate": "10"}
    assert row.facts["buildings"][0]["unit_price"] == "5200.00"
    assert row.total == sum(Decimal(i["amount"]) for i in row.items if i["applies"] and i["kind"] == "money")
    assert AuditEntry.objects.filter(action="compensation.calculate").count() == 1


def test_calculating_again_with_the_same_inputs_changes_nothing_and_a_new_input_makes_a_new_current_row(cast):
    publish_scheme(cast.project_a)
    value_buildings(cast.household_a1)
    first = household_calculate(actor=cast.admin, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 10))
    again = household_calculate(actor=cast.admin, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 10))
    assert again.pk == first.pk
    later = household_calculate(actor=cast.admin, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 20))
    assert later.pk != first.pk
    assert list(Calculation.objects.filter(household=cast.household_a1, current=True)) == [later]


def test_a_household_without_valuation_is_refused_naming_it(cast):
    publish_scheme(cast.project_a)
    with pytest.raises(AppError) as caught:
        household_calculate(actor=cast.admin, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 10))
    assert "P001/DH-001 的房屋 1 缺少" in caught.value.message and "评估单价" in caught.value.message
    assert not Calculation.objects.exists()


def test_a_project_without_a_published_scheme_cannot_be_calculated(cast):
    with pytest.raises(AppError) as caught:
        household_calculate(actor=cast.admin, household=cast.household_a1, option="money")
    assert "尚未发布补偿方案" in caught.value.message


def test_another_streets_household_is_not_found(cast):
    publish_scheme(cast.project_a)
    value_buildings(cast.household_a1)
    with pytest.raises(NotFound):
        household_calculate(actor=cast.street_user_b, household=cast.household_a1, option="money")


def test_a_project_run_refuses_everything_while_a_household_lacks_a_fact_unless_told_to_skip_it(cast):
    publish_scheme(cast.project_a)
    value_buildings(cast.household_a1)
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="1",
                                 legal_area=Decimal("80"), legality="legal")
    with pytest.raises(AppError) as caught:
        project_calculate(actor=cast.commander, project=cast.project_a, signed_on=dt.date(2026, 3, 5))
    assert "1 户无法测算" in caught.value.message and "DH-002" in caught.value.message
    assert "没有写入" in caught.value.message
    assert not Calculation.objects.exists()
    outcome = project_calculate(actor=cast.commander, project=cast.project_a, skip_incomplete=True,
                                signed_on=dt.date(2026, 3, 5))
    assert (outcome["calculated"], outcome["skipped"]) == (1, 1)
    assert Calculation.objects.get().household_id == cast.household_a1.pk
