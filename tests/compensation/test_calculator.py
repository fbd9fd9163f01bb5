"""The calculator: every rule the issue names is expressible in a scheme and computes to the yuan; the same
inputs give the same result; a household missing a fact is named."""

import datetime as dt
from decimal import Decimal as D

import pytest

from gaizao.compensation import calculator, language
from gaizao.compensation.facts import BuildingCase, Case, case_from_json
from gaizao.compensation.samples import scheme_text
from gaizao.core.errors import AppError

HEAD = '[scheme]\nname = "测试方案"\noptions = ["money", "swap", "mixed"]\n'


def scheme(body: str) -> language.Scheme:
    return language.parse(HEAD + body)


def house(*buildings, **facts) -> Case:
    buildings = buildings or (BuildingCase(number="1", legal_area=D("100"), unit_price=D("5000"), decoration=D(0),
                                           legality="合法"),)
    return Case(label="DH-001", buildings=tuple(buildings), **facts)


def amount(definition, case, key, option="money"):
    return calculator.calculate(definition, case, option=option).item(key).amount


def test_relocation_fee_per_square_metre_is_counted_twice_for_a_swap():
    s = scheme('[params]\nrate = 10\n[values]\nlegal = { per = "building", formula = "legal_area" }\n'
               '[items.relocation]\nlabel = "搬迁费"\nformula = "legal * rate"\nmultiplier = { swap = 2 }\n')
    assert amount(s, house(), "relocation", "money") == D("1000.00")
    assert amount(s, house(), "relocation", "swap") == D("2000.00")


@pytest.mark.parametrize("late, months_paid", [
    (0, D("24")), (6, D("24") + D("1.5") * 6), (12, D("24") + D("1.5") * 12),
    (18, D("24") + D("1.5") * 12 + D("1.75") * 6), (30, D("24") + D("1.5") * 12 + D("1.75") * 12 + 2 * 6),
])
def test_transition_fee_steps_up_by_half_three_quarters_and_double_when_delivery_is_late(late, months_paid):
    s = scheme('[params]\nrate = 12\nmonths = 24\n[values]\nlegal = { per = "building", formula = "legal_area" }\n'
               '[items.transition]\nlabel = "临时安置费"\noptions = ["swap"]\n'
               'formula = "legal * rate * (months + 1.5 * min(late_months, 12) + 1.75 * clamp(late_months - 12, 0, 12)'
               ' + 2 * max(late_months - 24, 0))"\n')
    assert amount(s, house(late_months=D(late)), "transition", "swap") == (D(100) * 12 * months_paid).quantize(D("0.01"))
    assert calculator.calculate(s, house(), option="money").item("transition").applies is False


def test_a_registration_reward_is_paid_per_household():
    s = scheme('[params]\nreward = 2000\n[items.registration]\nlabel = "按期登记奖励"\nformula = "reward"\n')
    two_buildings = house(BuildingCase(number="1", legal_area=D(50)), BuildingCase(number="2", legal_area=D(80)))
    assert amount(s, two_buildings, "registration") == D("2000.00")


def test_the_money_option_reward_is_a_share_of_the_value_with_a_cap():
    s = scheme('[values]\nvalue = { per = "building", formula = "legal_area * unit_price" }\n'
               '[items.reward]\nlabel = "选择货币补偿奖励"\noptions = ["money"]\nformula = "value * 0.10"\nmax = 80000\n')
    small = house(BuildingCase(number="1", legal_area=D(100), unit_price=D(5000)))
    large = house(BuildingCase(number="1", legal_area=D(300), unit_price=D(5000)))
    assert amount(s, small, "reward") == D("50000.00")
    assert amount(s, large, "reward") == D("80000.00")
    assert calculator.calculate(s, large, option="swap").item("reward").applies is False


EARLY = ('[params]\nsigning_start = 2026-03-01\ncert_floor = 5000\n'
         '[tables.rate]\nby = "signing_day"\nbrackets = [{ upto = 15, value = 200 }, { upto = 30, value = 100 }, { value = 0 }]\n'
         '[values]\nlegal = { per = "building", formula = "legal_area", when = { legality = "合法" } }\n'
         '[items.early]\nlabel = "提前签约奖励"\nformula = "max(legal * rate, certificates * cert_floor) if rate > 0 else 0"\n')


@pytest.mark.parametrize("signed, area, certificates, expected", [
    (dt.date(2026, 3, 15), 100, 1, D("20000.00")),   # day 15: 200 元/㎡
    (dt.date(2026, 3, 16), 100, 1, D("10000.00")),   # day 16: 100 元/㎡
    (dt.date(2026, 3, 10), 20, 2, D("10000.00")),    # the floor per certificate is higher: 2 × 5000
    (dt.date(2026, 4, 10), 100, 1, D("0.00")),       # after day 30: none
])
def test_an_early_signing_reward_is_area_times_rate_with_a_floor_per_certificate_by_day(signed, area, certificates,
                                                                                        expected):
    buildings = [BuildingCase(number=str(i), legal_area=D(area) / certificates, legality="合法", certificate_no=f"C{i}")
                 for i in range(certificates)]
    assert amount(scheme(EARLY), house(*buildings, signed_on=signed), "early") == expected


def test_a_household_not_signed_cannot_have_a_reward_by_signing_day():
    with pytest.raises(AppError) as caught:
        calculator.calculate(scheme(EARLY), house(), option="money")
    assert "DH-001" in caught.value.message and "签约第几日" in caught.value.message


@pytest.mark.parametrize("rate, expected", [(D("85"), D("0")), (D("90"), D("3000")), (D("96.5"), D("5000")),
                                            (D("100"), D("8000"))])
def test_a_whole_project_signing_rate_reward_goes_in_steps(rate, expected):
    s = scheme('[tables.steps]\nby = "signing_rate"\n'
               'brackets = [{ upto = 89.99, value = 0 }, { upto = 94.99, value = 3000 }, { upto = 99.99, value = 5000 },'
               ' { value = 8000 }]\n[items.rate_reward]\nlabel = "整体签约率奖励"\nformula = "steps"\nround = "1"\n')
    assert amount(s, house(signing_rate=rate), "rate_reward") == expected


@pytest.mark.parametrize("area, expected", [(D(10), D("5000.00")), (D(100), D("25000.00")), (D(1000), D("100000.00"))])
def test_business_suspension_loss_is_a_share_of_the_value_clamped_between_a_floor_and_a_ceiling(area, expected):
    s = scheme('[values]\nbusiness = { per = "building", formula = "legal_area * unit_price", when = { use = "非住宅" } }\n'
               '[items.loss]\nlabel = "停产停业损失"\nif = "business > 0"\n'
               'formula = "clamp(business * 0.05, 5000, 100000)"\n')
    shop = BuildingCase(number="1", legal_area=area, unit_price=D(5000), use="非住宅")
    home = BuildingCase(number="2", legal_area=D(100), unit_price=D(5000), use="住宅")
    assert amount(s, house(shop, home), "loss") == expected
    assert calculator.calculate(s, house(home), option="money").item("loss").applies is False


SWAP = ('[params]\nlow = 30\nhigh = 50\n[values]\nlegal = { per = "building", formula = "legal_area" }\n'
        '[items.swap_area]\nlabel = "产权调换面积"\nkind = "area"\noptions = ["swap"]\n'
        'formula = "clamp(legal / persons, low, high) * persons"\n'
        '[items.swap_area_floor]\nlabel = "产权调换面积（不小于原合法面积）"\nkind = "area"\noptions = ["swap"]\n'
        'formula = "max(persons * 35, legal)"\n')


@pytest.mark.parametrize("persons, legal, expected", [(4, D(80), D("120.00")), (4, D(160), D("160.00")),
                                                      (2, D(150), D("100.00"))])
def test_the_swap_area_goes_by_persons_between_a_minimum_and_a_maximum_per_person(persons, legal, expected):
    case = house(BuildingCase(number="1", legal_area=legal), persons=persons)
    result = calculator.calculate(scheme(SWAP), case, option="swap")
    assert result.item("swap_area").amount == expected
    assert result.swap_area == expected
    assert result.total == D("0.00")  # areas are not money


@pytest.mark.parametrize("persons, legal, expected", [(2, D(120), D("120")), (5, D(120), D("175"))])
def test_the_swap_area_is_not_less_than_the_old_legal_area(persons, legal, expected):
    case = house(BuildingCase(number="1", legal_area=legal), persons=persons)
    assert amount(scheme(SWAP), case, "swap_area_floor", "swap") == expected


def test_per_building_items_round_each_building_and_show_its_inputs():
    s = scheme('[items.value]\nlabel = "房屋价值"\nper = "building"\nwhen = { legality = ["合法", "未超期临时"] }\n'
               'formula = "legal_area * unit_price + decoration"\n')
    case = house(BuildingCase(number="1", legal_area=D("10.333"), unit_price=D(3), decoration=D(0), legality="合法"),
                 BuildingCase(number="2", legal_area=D("10.333"), unit_price=D(3), decoration=D(0), legality="未超期临时"),
                 BuildingCase(number="3", legal_area=D(50), unit_price=D(3), decoration=D(0), legality="违法"))
    line = calculator.calculate(s, case, option="money").item("value")
    assert line.amount == D("62.00")  # 31.00 + 31.00; the illegal building gets nothing (条例 §24)
    assert [row["building"] for row in line.buildings] == ["1", "2"]
    assert line.buildings[0]["inputs"] == {"decoration": "0", "legal_area": "10.333", "unit_price": "3"}


def test_a_building_without_a_valuation_is_named_when_a_formula_needs_its_price():
    s = scheme('[items.value]\nlabel = "房屋价值"\nper = "building"\nformula = "legal_area * unit_price"\n')
    case = house(BuildingCase(number="7", legal_area=D(10)))
    with pytest.raises(AppError) as caught:
        calculator.calculate(s, case, option="money")
    assert "DH-001 的房屋 7 缺少评估单价（元/㎡）（unit_price）" in caught.value.message
    assert "“房屋价值”" in caught.value.message and "评估结果" in caught.value.message


def test_an_option_the_scheme_does_not_offer_is_refused():
    s = language.parse('[scheme]\nname = "x"\noptions = ["money"]\n[items.a]\nlabel = "甲"\nformula = "1"\n')
    with pytest.raises(AppError) as caught:
        calculator.calculate(s, house(), option="swap")
    assert "不提供“产权调换”" in caught.value.message


def test_a_lookup_without_a_matching_row_or_default_names_the_building_and_the_facts():
    s = scheme('[tables.price]\nkeys = ["structure"]\nrows = [{ structure = "砖混", value = 5000 }]\n'
               '[items.v]\nlabel = "价值"\nper = "building"\nformula = "legal_area * price"\n')
    case = house(BuildingCase(number="2", legal_area=D(10), structure="砖木"))
    with pytest.raises(AppError) as caught:
        calculator.calculate(s, case, option="money")
    assert "房屋 2" in caught.value.message and "structure=砖木" in caught.value.message


def test_rounding_rules_are_as_stated_per_item():
    s = scheme('[items.a]\nlabel = "甲"\nformula = "persons * 10.555"\n'
               '[items.b]\nlabel = "乙"\nformula = "persons * 10.555"\nround = "1"\nrounding = "down"\n'
               '[items.c]\nlabel = "丙"\nformula = "persons * 10.555"\nround = "100"\nrounding = "up"\n')
    result = calculator.calculate(s, house(persons=3), option="money")
    assert [result.item(k).amount for k in "abc"] == [D("31.67"), D("31"), D("100")]
    assert result.total == D("162.67")


def test_the_same_inputs_always_give_the_same_result():
    definition = language.parse(scheme_text("money"))
    case = case_from_json({"persons": 4, "signed_on": "2026-03-10", "signing_rate": 93.5, "buildings": [
        {"legal_area": 120.5, "legality": "legal", "structure": "砖混", "certificate_no": "X", "unit_price": 5200,
         "decoration": 30000}]}, index=1)
    first = calculator.calculate(definition, case, option="money").as_json()
    again = calculator.calculate(language.parse(scheme_text("money")), case, option="money").as_json()
    assert first == again
    assert first["total"] == "756903.00"  # 656600 + 1205 + 4338 + 2000 + 24100 + 65660 + 3000
