"""The import keeps the building rules of the services for stored households (issue 10 items 4–5):
no new building under a demolished household, none left 待认定 under a household with its 认定."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.ledger.models import Building, Household
from tests.ledger.importing.conftest import Ledger, household_row, ledger_file, run_ledger  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(cast, ledger_file):
    """DH-201 imported with one building (合法)."""
    path = ledger_file(Ledger(households=[household_row("DH-201", "吴六", 201)]), "first.xlsx")
    assert run_ledger("import", path, "--project", "P001").code == 0
    return Household.objects.get(number="DH-201")


def test_a_building_left_pending_under_a_decided_household_is_refused_naming_row_and_column(stored, ledger_file):
    Household.objects.filter(pk=stored.pk).update(decided_on=dt.date(2026, 5, 6))
    rows = [household_row("DH-201", "吴六", 201), household_row("DH-201", "吴六", 201, building="2", 认定结果="")]
    result = run_ledger("import", ledger_file(Ledger(households=rows), "second.xlsx"), "--project", "P001", "--json")
    assert result.code == 2
    [error] = result.json["rejected"]
    assert error["row"] == 3 and error["column"] == "认定结果"
    assert "住户 DH-201 已于 2026-05-06 认定，房屋 2须写明认定结果" in error["reason"]
    assert Building.objects.filter(household=stored).count() == 1
    # Setting a decided building back to 待认定 is refused too; with a decision the new one goes in.
    back = [household_row("DH-201", "吴六", 201, 认定结果="待认定")]
    result = run_ledger("import", ledger_file(Ledger(households=back), "back.xlsx"), "--project", "P001", "--json")
    assert result.code == 2 and "不能为待认定" in result.json["rejected"][0]["reason"]
    rows[1] = household_row("DH-201", "吴六", 201, building="2", 认定结果="违法")
    result = run_ledger("import", ledger_file(Ledger(households=rows), "third.xlsx"), "--project", "P001", "--json")
    assert result.code == 0 and result.json["changed"] == 1
    assert Building.objects.filter(household=stored).count() == 2


def test_a_new_building_under_a_demolished_household_is_refused(stored, ledger_file):
    Household.objects.filter(pk=stored.pk).update(demolished_on=dt.date(2026, 8, 1))
    rows = [household_row("DH-201", "吴六", 201), household_row("DH-201", "吴六", 201, building="2")]
    result = run_ledger("import", ledger_file(Ledger(households=rows), "second.xlsx"), "--project", "P001", "--json")
    assert result.code == 2
    [error] = result.json["rejected"]
    assert error["row"] == 3 and "住户 DH-201 已于 2026-08-01 拆除，不能再新增房屋 2" in error["reason"]
    assert Building.objects.filter(household=stored).count() == 1
