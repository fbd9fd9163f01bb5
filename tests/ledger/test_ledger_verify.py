"""`gaizao ledger verify`: the cross-record rules over the whole stored ledger (台账交叉核对)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.core.crypto import lookup_hash
from gaizao.ledger.models import Building, HeritageElement, Household, Person

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str, str]:
    out = io.StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def test_a_consistent_ledger_passes(cast):
    code, out, _err = run()
    assert code == 0 and "台账交叉核对一致" in out
    assert run("--json")[1].strip() == "[]"


def test_each_breach_planted_past_the_services_is_named(cast):
    # Planted with queryset updates, as a direct database edit would: no service would let them in.
    a1, a2, b1 = cast.household_a1, cast.household_a2, cast.household_b1
    Household.objects.filter(pk=b1.pk).update(head_id_hash=Household.objects.get(pk=a1.pk).head_id_hash)
    Household.objects.filter(pk=a2.pk).update(decided_on=dt.date(2026, 3, 1))
    Building.objects.create(household=a2, number="9", legality="pending")
    building = a1.buildings.get()
    HeritageElement.objects.create(village=cast.village_a, building=building, kind="old_tree", name="古樟")
    Building.objects.filter(pk=building.pk).update(demolished_on=dt.date(2026, 4, 1))
    code, out, err = run()
    assert code == 1 and "台账交叉核对发现" in err
    assert "一人只能是一户的户主：项目 P001 户号 DH-001、项目 P002 户号 XL-001" in out
    assert "已认定的住户，其房屋不能仍为待认定：项目 P001 户号 DH-002" in out
    assert "房屋全部拆除的住户，应记录拆除：项目 P001 户号 DH-001" in out
    assert "历史文化要素不能登记在已拆除的房屋上：项目 P001 户号 DH-001（古樟）" in out
    rules = {row["rule"] for row in json.loads(run("--json")[1])}
    assert rules == {"two_heads", "undecided_after_decision", "buildings_demolished_household_not",
                     "heritage_on_demolished_building"}


def test_a_member_of_two_households_and_a_demolished_household_with_a_standing_building(cast):
    a1, b1 = cast.household_a1, cast.household_b1
    digest = lookup_hash("11010519491231002X")
    Person.objects.create(household=a1, name="甲", relation="child", id_number="11010519491231002X", id_hash=digest)
    Person.objects.create(household=b1, name="甲", relation="child", id_number="11010519491231002X", id_hash=digest)
    Household.objects.filter(pk=a1.pk).update(demolished_on=dt.date(2026, 4, 1))
    code, out, _err = run()
    assert code == 1
    assert "一人只能是一户的家庭成员" in out and "已拆除的住户，其房屋都应已拆除：项目 P001 户号 DH-001" in out


def test_the_demo_obeys_every_cross_record_rule(db):
    from gaizao.demo.generator import load_demo
    from gaizao.ledger.selectors.integrity import ledger_breaches

    load_demo(households=400, seed=7, today=dt.date(2026, 11, 20))
    assert ledger_breaches() == []
