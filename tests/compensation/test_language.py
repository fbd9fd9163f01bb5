"""The scheme language refuses a wrong scheme at save, every problem with its line and name."""

import pytest

from gaizao.compensation import language
from gaizao.compensation.samples import scheme_text

HEAD = '[scheme]\nname = "测试方案"\n'


def problems(text):
    return language.check(text)


def only(text):
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_the_two_sample_schemes_are_complete_and_valid():
    for kind in ("money", "swap"):
        scheme = language.parse(scheme_text(kind))
        assert len(scheme.items) >= 10
        assert scheme.order.index("legal_total") < scheme.order.index("relocation")


def test_a_toml_syntax_error_names_its_line():
    problem = only(HEAD + "[items.a]\nlabel = \"甲\"\nformula = \"persons * 2\n")
    assert problem.line == 5
    assert "TOML 写法有误" in problem.message


def test_an_unknown_name_names_the_line_the_item_and_the_names_that_exist():
    text = HEAD + "[params]\nrelocation_rate = 10\n[items.relocation]\nlabel = \"搬迁费\"\nformula = \"persons * relocation_rat\"\n"
    problem = only(text)
    assert (problem.line, problem.name) == (7, "items.relocation.formula")
    assert "“relocation_rat”未定义" in problem.message and "relocation_rate" in problem.message


def test_a_division_by_zero_is_refused_whether_written_or_made_by_a_parameter():
    written = only(HEAD + "[items.a]\nlabel = \"甲\"\nformula = \"persons / (2 - 2)\"\n")
    assert written.line == 5 and "除数为零" in written.message
    by_parameter = only(HEAD + "[params]\nrate = 0\n[items.a]\nlabel = \"甲\"\nformula = \"persons / rate\"\n")
    assert by_parameter.name == "items.a.formula" and "“rate”的值为 0" in by_parameter.message


def test_a_cycle_between_formulas_is_named_with_its_path():
    text = (HEAD + "[values]\nx = \"y + 1\"\ny = \"z * 2\"\nz = \"x - 1\"\n"
            "[items.a]\nlabel = \"甲\"\nformula = \"x\"\n")
    problem = only(text)
    assert problem.line == 4
    assert "循环引用" in problem.message and "x → y → z → x" in problem.message


def test_a_day_count_without_its_start_date_is_a_missing_parameter():
    problem = only(HEAD + "[params]\nrate = 10\n[items.a]\nlabel = \"甲\"\nformula = \"signing_day * rate\"\n")
    assert problem.name == "params.signing_start" and problem.line == 3
    assert "缺少参数 signing_start" in problem.message


def test_a_misspelt_setting_and_a_missing_label_are_both_reported():
    found = problems(HEAD + "[items.a]\nfomula = \"1\"\nformula = \"2\"\n")
    messages = " ".join(p.message for p in found)
    assert "未知的设置“fomula”" in messages and "label" in messages
    assert {p.line for p in found} >= {4}


def test_building_facts_in_a_household_formula_are_explained():
    problem = only(HEAD + "[items.a]\nlabel = \"甲\"\nformula = \"legal_area * 10\"\n")
    assert "per = \"building\"" in problem.message


def test_names_may_not_shadow_facts_or_functions():
    found = problems(HEAD + "[params]\npersons = 3\nmax = 2\n[items.a]\nlabel = \"甲\"\nformula = \"1\"\n")
    assert [p.line for p in found] == [4, 5]


@pytest.mark.parametrize("table, message", [
    ('[tables.t]\nby = "persons"\nbrackets = [{ upto = 3, value = 1 }, { upto = 2, value = 2 }]\n', "须大于上一档"),
    ('[tables.t]\nkeys = ["colour"]\nrows = [{ colour = "红", value = 1 }]\n', "不是可查找的事实"),
    ('[tables.t]\nby = "nothing"\nbrackets = [{ value = 1 }]\n', "by 的“nothing”未定义"),
])
def test_tables_are_checked(table, message):
    text = HEAD + table + "[items.a]\nlabel = \"甲\"\nformula = \"1\"\n"
    assert any(message in p.message for p in problems(text)), problems(text)


def test_a_scheme_without_items_or_name_is_refused():
    found = problems("[params]\nx = 1\n")
    messages = " ".join(p.message for p in found)
    assert "须有［scheme］一节" in messages and "至少有一个补偿项目" in messages


def test_parse_raises_one_error_listing_every_problem():
    with pytest.raises(language.SchemeError) as caught:
        language.parse(HEAD + "[items.a]\nlabel = \"甲\"\nformula = \"nope\"\n[items.b]\nlabel = \"乙\"\nformula = \"1/0\"\n")
    assert len(caught.value.problems) == 2
    assert "第 5 行" in caught.value.message and "第 8 行" in caught.value.message


def test_a_condition_value_that_no_building_can_have_is_refused_naming_the_possible_ones():
    problem = only(HEAD + '[items.a]\nlabel = "甲"\nper = "building"\nwhen = { legality = ["合法的"] }\n'
                          'formula = "legal_area"\n')
    assert problem.line == 6 and "“合法的”" in problem.message
    assert "合法" in problem.message and "未超期临时" in problem.message
    # a code is read as its label; a district's own structures are not checked here (ledger.known)
    scheme = language.parse(HEAD + '[items.a]\nlabel = "甲"\nper = "building"\nwhen = { legality = "legal", '
                                   'structure = "夯土" }\nformula = "legal_area"\n')
    assert scheme.items["a"].when == {"legality": frozenset({"合法"}), "structure": frozenset({"夯土"})}
