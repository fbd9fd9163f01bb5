"""The many-household path (columns) gives exactly what the household-by-household calculator gives,
line by line with inputs, and each household's own error where it has one."""

import datetime as dt
import random
from decimal import Decimal as D

import pytest

from gaizao.compensation import calculator, language
from gaizao.compensation.facts import BuildingCase, Case
from gaizao.compensation.samples import scheme_text
from gaizao.core.errors import AppError


def random_cases(rng, count, *, holes=False):
    cases = []
    for i in range(count):
        buildings = []
        for n in range(rng.choice([0, 1, 1, 2, 3])):
            valued = not holes or rng.random() > 0.1
            buildings.append(BuildingCase(
                number=str(n + 1), legal_area=D(rng.randint(0, 30000)) / 100,
                unlicensed_area=D(rng.randint(0, 3000)) / 100, floors=rng.randint(1, 5),
                unit_price=D(rng.randint(2000, 9000)) if valued else None,
                decoration=D(rng.randint(0, 60000)) if valued else None,
                legality=rng.choice(["合法", "合法", "未超期临时", "违法", "待认定"]),
                use=rng.choice(["住宅", "住宅", "非住宅", "混合"]),
                structure=rng.choice(["砖混", "框架", "砖木", "简易", ""]),
                certificate_no=rng.choice(["", "C1", f"C{i}-{n}"])))
        cases.append(Case(label=f"T/{i:04d}", persons=rng.randint(1, 8),
                          signed_on=dt.date(2026, 3, 1) + dt.timedelta(days=rng.randint(0, 90)),
                          signing_rate=D(rng.randint(7000, 10000)) / 100, late_months=D(rng.randint(0, 40)),
                          buildings=tuple(buildings)))
    return cases


def one_by_one(definition, cases, options):
    out = []
    for case, option in zip(cases, options):
        try:
            out.append(calculator.calculate(definition, case, option=option).as_json())
        except AppError as exc:
            out.append(exc.message)
    return out


def many(definition, cases, options):
    return [r.message if isinstance(r, AppError) else r.as_json()
            for r in calculator.calculate_many(definition, cases, options)]


@pytest.mark.parametrize("kind", ["money", "swap"])
def test_columns_and_one_by_one_agree_on_every_line_and_input(kind):
    rng = random.Random(14)
    definition = language.parse(scheme_text(kind))
    cases = random_cases(rng, 400)
    options = [rng.choice(definition.options) for _ in cases]
    before = calculator.STATS["fallbacks"]
    assert many(definition, cases, options) == one_by_one(definition, cases, options)
    assert calculator.STATS["fallbacks"] == before  # the columns did it, not the fallback


def test_a_chunk_with_a_household_missing_a_fact_gives_each_household_its_own_result_or_error():
    rng = random.Random(7)
    definition = language.parse(scheme_text("money"))
    cases = random_cases(rng, 300, holes=True)
    options = ["money"] * len(cases)
    results = many(definition, cases, options)
    assert results == one_by_one(definition, cases, options)
    assert any(isinstance(r, str) and "缺少" in r for r in results)
    assert any(isinstance(r, dict) for r in results)


def test_an_option_not_offered_is_that_households_error_only():
    definition = language.parse(scheme_text("money"))
    cases = random_cases(random.Random(3), 5)
    results = many(definition, cases, ["money", "mixed", "money", "swap", "money"])
    assert isinstance(results[1], str) and "不提供" in results[1]
    assert all(isinstance(r, dict) for i, r in enumerate(results) if i != 1)
