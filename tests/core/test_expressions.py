"""The safe expression engine (公式): what it computes, and every refusal with its position."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gaizao.core.errors import AppError
from gaizao.core.expressions import MAX_EXPONENT, MAX_LENGTH, Expression, ExpressionError, compile_expression

SCORE = "clamp(60 + (rate - target) * 2, 0, 100)"


def refusal(text, names=("x",)):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, names=set(names), field="公式")
    return caught.value


# --- what it computes ---------------------------------------------------------------------------


def test_the_brief_example_compiles_and_evaluates():
    expr = compile_expression("min(rate * 2, 10) + base", names={"rate", "base", "unused"}, field="公式")
    assert isinstance(expr, Expression)
    assert expr.text == "min(rate * 2, 10) + base"
    assert expr.names == frozenset({"rate", "base"})
    assert expr.evaluate({"rate": Decimal("3.5"), "base": Decimal("60")}) == Decimal("67.0")


@pytest.mark.parametrize("rate, score", [
    ("85", "60"),        # on target: the base
    ("90.5", "71.0"),    # 5.5 points above: 2 points each
    ("110", "100"),      # capped at 100
    ("50", "0"),         # floored at 0
    ("60", "10"),
])
def test_the_assessment_score_base_60_plus_2_per_point_capped_and_floored(rate, score):
    expr = compile_expression(SCORE, names={"rate", "target"}, field="公式")
    assert expr.evaluate({"rate": Decimal(rate), "target": Decimal("85")}) == Decimal(score)


def test_results_are_decimal_and_exact():
    result = compile_expression("0.1 + 0.2", names=()).evaluate({})
    assert type(result) is Decimal and result == Decimal("0.3")
    assert compile_expression("x * 0.1", names={"x"}).evaluate({"x": Decimal("3")}) == Decimal("0.3")
    assert compile_expression("1 / 3 * 3", names=()).evaluate({}) == Decimal("0.9999999999999999999999999999")


def test_integer_values_are_accepted_and_become_decimal():
    result = compile_expression("x / 4", names={"x"}).evaluate({"x": 1})
    assert type(result) is Decimal and result == Decimal("0.25")


@pytest.mark.parametrize("text, value", [
    ("round(2.5)", "3"), ("round(-2.5)", "-3"), ("round(2.345, 2)", "2.35"), ("round(2.345, places=1)", "2.3"),
    ("round(1250, -2)", "1300"), ("floor(-1.5)", "-2"), ("ceil(1.2)", "2"), ("abs(-3)", "3"),
    ("min(3, 1, 2)", "1"), ("max(3, 1, 2)", "3"), ("clamp(5, 0, 3)", "3"), ("clamp(-5, 0, 3)", "0"),
    ("2 ** 10", "1024"), ("2 ** -2", "0.25"), ("-7 // 2", "-4"), ("-7 % 2", "1"), ("7 % -2", "-1"),
    ("7 // 2", "3"), ("-(1 + 2)", "-3"), ("1e3 + 1", "1001"),
])
def test_functions_and_operators(text, value):
    assert compile_expression(text, names=()).evaluate({}) == Decimal(value)


@pytest.mark.parametrize("x, value", [("3", "30"), ("7", "7"), ("-1", "1"), ("12", "0")])
def test_conditions_choose_a_branch(x, value):
    expr = compile_expression("x * 10 if 0 < x <= 5 and not x == 4 else (abs(x) if x < 10 or x == 11 else 0)",
                              names={"x"})
    assert expr.evaluate({"x": Decimal(x)}) == Decimal(value)


def test_full_width_characters_and_line_breaks_are_read_as_ascii():
    expr = compile_expression("（x＋2）×3\n÷4", names={"x"})
    assert expr.evaluate({"x": 2}) == Decimal("3")


def test_the_arithmetic_ignores_the_callers_decimal_context():
    expr = compile_expression("x / 3", names={"x"})
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        assert expr.evaluate({"x": 1}) == Decimal("0.3333333333333333333333333333")


def test_extra_values_are_ignored():
    expr = compile_expression("x + 1", names={"x", "y"})
    assert expr.evaluate({"x": 1, "y": 5, "other": 0.5}) == Decimal("2")


# --- save-time refusals, each with its position -------------------------------------------------


def test_the_error_is_an_app_error_beside_its_field():
    error = refusal("x +")
    assert isinstance(error, AppError)
    assert error.field == "公式"
    assert error.fields == {"公式": error.message}
    assert error.as_dict()["fields"]["公式"] == error.message


@pytest.mark.parametrize("text, position", [("x +", 3), ("min(x, 2", 4), ("x y", 3), ("(x + 1))", 8), ("x; x", 2),
                                            ("x = 1", 3)])
def test_a_syntax_error_names_its_position(text, position):
    error = refusal(text)
    assert error.position == position
    assert f"第 {position} 个字符" in error.message


def test_an_unknown_name_is_named_with_its_position_and_the_allowed_names():
    error = refusal("rate + bonus * 2", names=("rate", "target"))
    assert error.message == "名称“bonus”未定义；可用的名称：rate、target（第 8 个字符）"
    assert error.position == 8


def test_positions_count_characters_not_bytes():
    assert refusal("（x＋成绩）", names=("x",)).position == 4


def test_an_unknown_function_lists_the_functions():
    error = refusal("sqrt(x)")
    assert "函数“sqrt”未定义" in error.message and "clamp" in error.message and error.position == 1


def test_a_function_used_as_a_name_is_refused():
    assert "min 是函数" in refusal("min + 1").message


@pytest.mark.parametrize("text, position", [("x / 0", 5), ("x // 0.0", 6), ("x % (2 - 2)", 6), ("1 / 0 + x", 5)])
def test_division_by_a_literal_zero_is_refused_at_save(text, position):
    error = refusal(text)
    assert error.message == f"除数为零（第 {position} 个字符）"


def test_division_by_a_name_is_only_a_run_time_error():
    expr = compile_expression("x / (1 - x)", names={"x"})  # the sample run (x = 1) divides by zero: not refused
    assert expr.evaluate({"x": 2}) == Decimal("-2")
    with pytest.raises(ExpressionError) as caught:
        expr.evaluate({"x": 1})
    assert caught.value.message == "除数为零：“1 - x”的值为 0（第 6 个字符）"


@pytest.mark.parametrize("text, what, position", [
    ("x.__class__", "属性访问", 1),
    ("x.real", "属性访问", 1),
    ("(1).__class__.__bases__", "属性访问", 1),
    ("x.conjugate()", "调用", 1),
    ("x[0]", "下标", 1),
    ("lambda: 1", "lambda", 1),
    ("[a for a in x]", "推导式", 1),
    ("min(a for a in x)", "推导式", 4),
    ("'abc'", "文字", 1),
    ("f'{x}'", "文字", 1),
    ("(x := 1)", "赋值", 2),
    ("min(*x)", "展开", 5),
    ("x & 1", "位运算", 1),
    ("x if x is 1 else 0", "is", 6),
    ("True", "True", 1),
    ("None", "None", 1),
    ("1j", "1j", 1),
])
def test_disallowed_constructs_are_refused_with_their_position(text, what, position):
    error = refusal(text)
    assert error.message.startswith("不支持的写法：")
    assert what in error.message
    assert error.position == position


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('1')",
    "open('/etc/passwd')",
    "exec('x = 1')",
    "globals()",
])
def test_escape_tricks_are_refused(text):
    refusal(text)


def test_a_keyword_other_than_places_is_refused():
    assert "不接受参数“key”" in refusal("min(x, key=1)").message


def test_the_wrong_number_of_arguments_is_refused():
    assert refusal("clamp(x, 0)").message == "函数 clamp 需要 3 个参数（现有 2 个）（第 1 个字符）"
    assert "需要 1 到 2 个参数" in refusal("round(x, 1, 2)").message


def test_numbers_and_conditions_do_not_mix():
    assert refusal("x > 1").message.startswith("公式的结果须为数值")
    assert refusal("(x > 1) * 10").message == "这里需要数值，“x > 1”是条件（真/假）（第 2 个字符）"
    assert refusal("1 if x else 0").message == "这里需要条件（如 a > b），“x”是数值（第 6 个字符）"


@pytest.mark.parametrize("text", [f"x ** {MAX_EXPONENT + 1}", "2 ** 1000000", "10 ** 10 ** 10", "x ** 0.5"])
def test_a_huge_or_fractional_power_is_refused(text):
    assert "指数须为" in refusal(text).message


def test_a_huge_power_through_a_name_is_refused_at_run_time():
    expr = compile_expression("2 ** x", names={"x"})
    assert expr.evaluate({"x": 10}) == Decimal(1024)
    with pytest.raises(ExpressionError, match="指数须为"):
        expr.evaluate({"x": 10**6})


def test_overflow_is_an_error_not_infinity():
    assert "数值过大" in refusal("1e999999 * 1e999999").message


def test_constant_mistakes_in_functions_are_refused_at_save():
    assert "clamp 的下限 10 大于上限 0" in refusal("clamp(x, 10, 0)").message
    assert "round 的小数位数须为" in refusal("round(x, 0.5)").message


def test_long_text_is_refused():
    assert compile_expression("1" * MAX_LENGTH, names=())
    error = refusal("1" * (MAX_LENGTH + 1))
    assert error.message == f"公式过长：最多 {MAX_LENGTH} 个字符（现有 {MAX_LENGTH + 1} 个）"


def test_deep_nesting_is_refused_not_a_crash():
    assert "嵌套过深" in refusal("-" * 400 + "x").message
    assert "第" in refusal("(" * 240 + "x" + ")" * 240).message


def test_empty_text_is_refused():
    assert refusal("   ").message == "公式不能为空"


def test_names_that_shadow_functions_are_a_programming_error():
    with pytest.raises(ValueError):
        compile_expression("min", names={"min"})


# --- run-time refusals --------------------------------------------------------------------------


def test_a_missing_value_is_named():
    expr = compile_expression(SCORE, names={"rate", "target"}, field="公式")
    with pytest.raises(ExpressionError) as caught:
        expr.evaluate({"target": Decimal("85"), "rate": None})
    assert caught.value.message == "公式用到的“rate”没有取值"
    assert caught.value.field == "公式"


@pytest.mark.parametrize("value", [0.5, 1.0, True, "1", [1]])
def test_floats_and_other_types_are_refused(value):
    expr = compile_expression("x + 1", names={"x"})
    with pytest.raises(TypeError):
        expr.evaluate({"x": value})


def test_a_non_finite_decimal_is_refused():
    expr = compile_expression("x + 1", names={"x"})
    with pytest.raises(ExpressionError, match="有限的数"):
        expr.evaluate({"x": Decimal("NaN")})


def test_clamp_with_crossed_bounds_from_values_is_a_run_time_error():
    expr = compile_expression("clamp(x, lo, hi)", names={"x", "lo", "hi"})
    with pytest.raises(ExpressionError, match="clamp 的下限 5 大于上限 1"):
        expr.evaluate({"x": 3, "lo": 5, "hi": 1})


# --- the arithmetic is Decimal's ----------------------------------------------------------------

_NUMBERS = st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=4)


def _literal(value: Decimal) -> str:
    return f"({value})" if value.is_signed() else str(value)


@st.composite
def _arithmetic(draw, depth=0):
    """(text, expected) over + - * of literals and the names a, b."""
    if depth >= 4 or draw(st.booleans()):
        kind = draw(st.sampled_from(["literal", "a", "b"]))
        if kind == "literal":
            value = draw(_NUMBERS)
            return _literal(value), lambda values, v=value: +v if v.is_signed() else v
        return kind, lambda values, k=kind: values[k]
    op = draw(st.sampled_from(["+", "-", "*"]))
    left_text, left = draw(_arithmetic(depth + 1))
    right_text, right = draw(_arithmetic(depth + 1))
    compute = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
    return f"({left_text} {op} {right_text})", lambda values: compute(left(values), right(values))


@settings(max_examples=300)
@given(_arithmetic(), _NUMBERS, _NUMBERS)
def test_random_arithmetic_equals_pythons_decimal_arithmetic(case, a, b):
    text, expected = case
    assume(len(text) <= MAX_LENGTH)
    values = {"a": a, "b": b}
    with decimal.localcontext(decimal.Context(prec=28)):
        want = expected(values)
    assert compile_expression(text, names={"a", "b"}).evaluate(values) == want
