"""The scoring rules at their edges: each returns points rounded half up to 2 places and says how."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gaizao.core.errors import AppError
from gaizao.core.expressions import ExpressionError
from gaizao.oversight import scoring

D = Decimal


def run(rule, params, value, *, weight="25", expression="", inputs=None, label="签约率", unit="%"):
    return scoring.score(rule=rule, params=params, expression=expression, weight=D(weight), value=D(value),
                         inputs=inputs or {}, label=label, unit=unit)


def test_linear_scores_the_share_of_the_target_and_says_how():
    got = run("linear", {"target": 100}, "82.5")
    assert got.points == D("20.63")  # 20.625 rounded half up
    assert got.explain == "签约率 82.5%，目标 100%：82.5 ÷ 100 × 25 = 20.63"


@pytest.mark.parametrize(("value", "points"), [("0", "0.00"), ("100", "25.00"), ("130", "25.00"), ("-5", "0.00")])
def test_linear_is_capped_at_the_weight_and_never_below_zero(value, points):
    assert run("linear", {"target": 100}, value).points == D(points)


def test_linear_over_the_target_says_it_is_capped():
    assert "封顶 25 分" in run("linear", {"target": 100}, "130").explain


POINTS = {"target": 90, "base": 20, "above": "0.5", "below": 1, "cap": 25, "floor": 5}


@pytest.mark.parametrize(("value", "points"), [
    ("90", "20.00"),    # on target: the base
    ("95", "22.50"),    # 5 points over × 0.5
    ("110", "25.00"),   # 30 over the cap: capped
    ("85", "15.00"),    # 5 under × 1
    ("60", "5.00"),     # far under: held at the floor
    ("84.995", "15.00"),  # 20 − 5.005 = 14.995: half up to 15.00
])
def test_points_add_and_take_per_percentage_point_within_cap_and_floor(value, points):
    assert run("points", POINTS, value).points == D(points)


def test_points_explanation_names_the_floor_when_it_holds():
    assert "保底 5 分" in run("points", POINTS, "60").explain


STEPS = {"steps": [[60, 10], [90, 25], [80, 20]], "otherwise": 2}


@pytest.mark.parametrize(("value", "points"), [("90", "25"), ("89.99", "20"), ("80", "20"), ("60", "10"),
                                                ("59.99", "2"), ("100", "25")])
def test_thresholds_take_the_highest_step_reached_whatever_the_order_written(value, points):
    assert run("thresholds", STEPS, value).points == D(points)


def test_expression_uses_value_target_weight_and_the_source_inputs():
    got = run("expression", {"target": 100}, "80", expression="clamp(signed / in_scope * weight, 0, weight)",
              inputs={"signed": 8, "in_scope": 10})
    assert got.points == D("20.00")
    assert "in_scope = 10" in got.explain and "signed = 8" in got.explain


def check(rule, params, expression="", weight="25", inputs=("signed", "in_scope")):
    return scoring.check(rule=rule, params=params, expression=expression, weight=D(weight), input_names=inputs,
                         where="第 2 行（村庄签约）")


def test_an_unknown_name_in_a_formula_is_refused_with_its_position_and_row():
    with pytest.raises(ExpressionError) as caught:
        check("expression", {}, "value * rat")
    assert caught.value.position == 9
    assert caught.value.message.startswith("第 2 行（村庄签约）")
    assert "rat" in caught.value.message


def test_a_division_by_zero_in_a_formula_is_refused_at_save_with_its_position():
    with pytest.raises(ExpressionError) as caught:
        check("expression", {}, "value / (weight - weight) + 1 / 0")
    assert caught.value.position is not None
    assert "第 2 行" in caught.value.message


@pytest.mark.parametrize(("rule", "params", "words"), [
    ("linear", {}, "目标值"),
    ("linear", {"target": 0}, "须大于 0"),
    ("points", {"target": 90, "base": 30}, "基础分"),
    ("points", {"target": 90, "base": 20, "cap": 30}, "封顶分"),
    ("points", {"target": 90, "base": 20, "floor": 10, "cap": 5}, "保底分"),
    ("thresholds", {"steps": []}, "分档"),
    ("thresholds", {"steps": [[90, 30]]}, "得分"),
    ("thresholds", {"steps": [["九十", 20]]}, "不是数字"),
])
def test_bad_rule_parameters_are_refused_naming_the_row(rule, params, words):
    with pytest.raises(AppError) as caught:
        check(rule, params)
    assert "第 2 行" in caught.value.message and words in caught.value.message


def test_a_missing_value_scores_zero_and_says_missing():
    got = scoring.missing(label="签约率")
    assert got.points == 0 and "数据缺失" in got.explain
