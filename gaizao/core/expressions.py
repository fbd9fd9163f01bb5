"""The safe expression engine (公式): small arithmetic formulas over Decimal, written by users.

The assessment rules (oversight) and the compensation calculator store formulas such as
``clamp(60 + (rate - target) * 2, 0, 100)``. ``compile_expression`` checks one when it is saved and
says what is wrong and where (第 N 个字符, counted in the stripped text); ``Expression.evaluate``
runs it over Decimal values. Python's ``eval`` is never used: the text is parsed with ``ast``,
every node is checked against a short allow-list, and the checked tree is evaluated by simpleeval
with our own operators and functions.

What a formula may contain:

- numbers (``60``, ``0.1``, ``1e3``; read as Decimal from the text, so ``0.1 + 0.2 == 0.3``),
  the names the caller allows, ``+ - * / // % **``, unary minus, parentheses;
- conditions inside ``x if cond else y``, ``and``/``or``/``not`` and comparisons (chained too):
  a condition is never a number, a number never a condition, and the result is always a number;
- ``min(a, b, ...)``, ``max(...)``, ``abs(x)``, ``clamp(x, lo, hi)``, ``round(x, places=0)``
  (half up, 四舍五入), ``floor(x)``, ``ceil(x)``.

``//`` and ``%`` follow Python's integers (floor: ``-7 // 2 == -4``, ``-7 % 2 == 1``), not
Decimal's truncation, so ``a == b * (a // b) + a % b`` always. ``**`` takes a whole exponent of at
most ``MAX_EXPONENT``. Arithmetic runs in its own Decimal context (28 significant digits, half-even
like Python's default), whatever the thread's context is. Full-width characters (``（）＋，``),
``×`` and ``÷`` are read as their ASCII forms; line breaks and tabs as spaces.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from simpleeval import SimpleEval

from gaizao.core.errors import AppError

MAX_LENGTH = 500
MAX_EXPONENT = 100  # highest whole exponent of ** (10 ** 100 is already far beyond any amount)
MAX_PLACES = 10  # round(x, places): -10..10
MAX_DEPTH = 60  # nesting of the parsed tree; keeps the recursive walkers far from Python's limit

# The arithmetic context: Python's default precision and rounding, fixed here so that a caller's
# localcontext() cannot change a score; overflow and invalid operations raise.
CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


class ExpressionError(AppError):
    """A formula that cannot be saved or run; ``field`` names the form field, ``position`` the
    1-based character the problem is at (None when it concerns the values, not the text)."""

    def __init__(self, message: str, *, field: str | None = None, position: int | None = None):
        super().__init__(message, fields={field: message} if field else None)
        self.field = field
        self.position = position


# --- the functions ------------------------------------------------------------------------------


class _Refused(Exception):
    """Raised inside an operator or function; the evaluator adds the position of the node."""


def _min(*args):
    return min(args)


def _max(*args):
    return max(args)


def _abs(x):
    return abs(x)


def _clamp(x, lo, hi):
    if lo > hi:
        raise _Refused(_("clamp 的下限 %(lo)s 大于上限 %(hi)s") % {"lo": lo, "hi": hi})
    return min(max(x, lo), hi)


def _whole(value, *, lowest: int, highest: int, what: str) -> int:
    if value != value.to_integral_value() or not lowest <= value <= highest:
        raise _Refused(
            _("%(what)s须为 %(lowest)d 到 %(highest)d 之间的整数（现为 %(value)s）")
            % {"what": what, "lowest": lowest, "highest": highest, "value": value}
        )
    return int(value)


def _round(x, places=Decimal(0)):
    n = _whole(places, lowest=-MAX_PLACES, highest=MAX_PLACES, what=_("round 的小数位数"))
    result = x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)
    return result.quantize(Decimal(1)) if n < 0 else result  # 1.2E+2 written as 120


def _floor(x):
    return x.to_integral_value(rounding=ROUND_FLOOR)


def _ceil(x):
    return x.to_integral_value(rounding=ROUND_CEILING)


# name: (function, fewest positional arguments, most (None: any), keyword arguments allowed)
FUNCTIONS = {
    "min": (_min, 1, None, ()),
    "max": (_max, 1, None, ()),
    "abs": (_abs, 1, 1, ()),
    "clamp": (_clamp, 3, 3, ()),
    "round": (_round, 1, 2, ("places",)),
    "floor": (_floor, 1, 1, ()),
    "ceil": (_ceil, 1, 1, ()),
}

# --- the operators ------------------------------------------------------------------------------


class _ZeroDivisor(Exception):
    pass


def _div(a, b):
    if b == 0:
        raise _ZeroDivisor
    return a / b


def _floordiv(a, b):
    return _divmod(a, b)[0]


def _mod(a, b):
    return _divmod(a, b)[1]


def _divmod(a, b):
    if b == 0:
        raise _ZeroDivisor
    q, r = divmod(a, b)  # Decimal truncates toward zero; move to floor like Python's int
    if r != 0 and (r < 0) != (b < 0):
        q, r = q - 1, r + b
    return q, r


def _pow(a, b):
    _whole(b, lowest=-MAX_EXPONENT, highest=MAX_EXPONENT, what=_("指数"))
    if a == 0 and b <= 0:
        raise _Refused(_("0 不能取零次或负数次幂"))
    return a**b


OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: _div,
    ast.FloorDiv: _floordiv,
    ast.Mod: _mod,
    ast.Pow: _pow,
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
    ast.Not: lambda a: not a,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}

# What the refusal says for the constructs people try (the rest say "Python 的 <node> 写法").
_CONSTRUCT_LABELS = {
    ast.Attribute: "属性访问（.）",
    ast.Subscript: "下标（[]）",
    ast.Lambda: "lambda",
    ast.ListComp: "推导式",
    ast.SetComp: "推导式",
    ast.DictComp: "推导式",
    ast.GeneratorExp: "推导式",
    ast.List: "列表（[]）",
    ast.Tuple: "元组（,）",
    ast.Dict: "字典（{}）",
    ast.Set: "集合（{}）",
    ast.JoinedStr: "文字",
    ast.NamedExpr: "赋值（:=）",
    ast.Starred: "展开（*）",
    ast.BitAnd: "位运算（&）",
    ast.BitOr: "位运算（|）",
    ast.BitXor: "位运算（^）",
    ast.LShift: "位运算（<<）",
    ast.RShift: "位运算（>>）",
    ast.Invert: "位运算（~）",
    ast.MatMult: "矩阵乘（@）",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Await: "await",
}

_NUMBER, _CONDITION = "number", "condition"
_TRANSLATE = {"×": "*", "÷": "/"}


def _fold(text: str) -> str:
    """One character for one character, so positions still count in the user's text."""
    out = []
    for ch in text:
        if ch in _TRANSLATE:
            ch = _TRANSLATE[ch]
        elif ch in "\t\n\r\u3000":
            ch = " "
        elif "\uff01" <= ch <= "\uff5e":  # the full-width forms of ASCII ! to ~
            ch = chr(ord(ch) - 0xFEE0)
        out.append(ch)
    return "".join(out)


class _Checker:
    """The save-time walk: allowed constructs, known names, numbers versus conditions."""

    def __init__(self, text: str, allowed: frozenset[str], field: str | None):
        self.text = text
        self.allowed = allowed
        self.field = field
        self.used: set[str] = set()

    def position(self, node) -> int:
        # col_offset counts UTF-8 bytes; the formula is one line after _fold.
        return len(self.text.encode()[: node.col_offset].decode(errors="ignore")) + 1

    def source(self, node) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def fail(self, message: str, node) -> ExpressionError:
        position = self.position(node)
        return ExpressionError(
            _("%(message)s（第 %(position)d 个字符）") % {"message": message, "position": position},
            field=self.field,
            position=position,
        )

    def refuse(self, node, what: str | None = None) -> ExpressionError:
        what = what or _CONSTRUCT_LABELS.get(type(node)) or _("Python 的 %(node)s 写法") % {"node": type(node).__name__}
        return self.fail(_("不支持的写法：%(what)s") % {"what": what}, node)

    def expect(self, node, want: str, depth: int) -> None:
        got = self.kind(node, depth)
        if got != want:
            message = (
                _("这里需要数值，“%(text)s”是条件（真/假）")
                if want == _NUMBER
                else _("这里需要条件（如 a > b），“%(text)s”是数值")
            )
            raise self.fail(message % {"text": self.source(node)}, node)

    def kind(self, node, depth: int = 0) -> str:  # noqa: C901 - one branch per construct
        if depth > MAX_DEPTH:
            raise self.fail(_("嵌套过深"), node)
        depth += 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                what = _("文字") if isinstance(node.value, (str, bytes)) else repr(node.value)
                raise self.refuse(node, what)
            node.value = Decimal(node.value) if isinstance(node.value, int) else Decimal(self.source(node))
            return _NUMBER
        if isinstance(node, ast.Name):
            if node.id in self.allowed:
                self.used.add(node.id)
                return _NUMBER
            if node.id in FUNCTIONS:
                raise self.fail(_("%(name)s 是函数，须写成 %(name)s(…)") % {"name": node.id}, node)
            raise self.fail(
                _("名称“%(name)s”未定义；可用的名称：%(allowed)s")
                % {"name": node.id, "allowed": "、".join(sorted(self.allowed)) or _("（无）")},
                node,
            )
        if isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                raise self.refuse(node, _CONSTRUCT_LABELS.get(type(node.op)))
            self.expect(node.left, _NUMBER, depth)
            self.expect(node.right, _NUMBER, depth)
            return _NUMBER
        if isinstance(node, ast.UnaryOp):
            if type(node.op) not in OPERATORS:
                raise self.refuse(node, _CONSTRUCT_LABELS.get(type(node.op)))
            want = _CONDITION if isinstance(node.op, ast.Not) else _NUMBER
            self.expect(node.operand, want, depth)
            return want
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expect(value, _CONDITION, depth)
            return _CONDITION
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in OPERATORS:
                    raise self.refuse(node, _CONSTRUCT_LABELS.get(type(op)))
            for operand in [node.left, *node.comparators]:
                self.expect(operand, _NUMBER, depth)
            return _CONDITION
        if isinstance(node, ast.IfExp):
            self.expect(node.test, _CONDITION, depth)
            body = self.kind(node.body, depth)
            self.expect(node.orelse, body, depth)
            return body
        if isinstance(node, ast.Call):
            self.check_call(node, depth)
            return _NUMBER
        raise self.refuse(node)

    def check_call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func if isinstance(node.func, ast.Attribute) else node, _("调用"))
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(
                _("函数“%(name)s”未定义；可用的函数：%(functions)s")
                % {"name": name, "functions": "、".join(FUNCTIONS)},
                node.func,
            )
        _function, fewest, most, keywords = FUNCTIONS[name]
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.refuse(arg)
            self.expect(arg, _NUMBER, depth)
        given = len(node.args)
        for keyword in node.keywords:
            if keyword.arg not in keywords:
                what = _("参数“%(arg)s”") % {"arg": keyword.arg} if keyword.arg else _("展开（**）")
                raise self.fail(_("函数 %(name)s 不接受%(what)s") % {"name": name, "what": what}, keyword.value)
            self.expect(keyword.value, _NUMBER, depth)
            given += 1
        if given < fewest or (most is not None and given > most):
            if most is None:
                wanted = _("至少 %(n)d") % {"n": fewest}
            elif fewest == most:
                wanted = str(fewest)
            else:
                wanted = _("%(a)d 到 %(b)d") % {"a": fewest, "b": most}
            raise self.fail(
                _("函数 %(name)s 需要 %(wanted)s 个参数（现有 %(given)d 个）")
                % {"name": name, "wanted": wanted, "given": given},
                node,
            )


class _Evaluator(SimpleEval):
    """simpleeval over the checked tree; operator and function refusals get their position."""

    def __init__(self, checker: _Checker, names: dict):
        super().__init__(
            operators=OPERATORS,
            functions={name: spec[0] for name, spec in FUNCTIONS.items()},
            names=names,
        )
        self.checker = checker

    def _guard(self, node, run, divisor=None):
        divisor = divisor or node
        try:
            return run()
        except _ZeroDivisor:
            if not _contains_name(divisor):
                raise self.checker.fail(_("除数为零"), divisor) from None
            raise self.checker.fail(
                _("除数为零：“%(divisor)s”的值为 0") % {"divisor": self.checker.source(divisor)}, divisor
            ) from None
        except _Refused as exc:
            raise self.checker.fail(str(exc), node) from None
        except decimal.Overflow:
            raise self.checker.fail(_("数值过大，无法计算"), node) from None
        except decimal.DivisionByZero:
            raise self.checker.fail(_("除数为零"), divisor) from None
        except decimal.InvalidOperation:
            raise self.checker.fail(_("无法计算（结果超出范围或无意义）"), node) from None

    def _eval_binop(self, node):
        return self._guard(node, lambda: super(_Evaluator, self)._eval_binop(node), node.right)

    def _eval_unaryop(self, node):
        return self._guard(node, lambda: super(_Evaluator, self)._eval_unaryop(node))

    def _eval_call(self, node):
        return self._guard(node, lambda: super(_Evaluator, self)._eval_call(node))


class Expression:
    """A checked formula: ``text`` as saved, ``names`` the names it uses, ``evaluate`` to run it."""

    __slots__ = ("text", "names", "field", "_checker", "_tree")

    def __init__(self, *, text: str, names: frozenset[str], field: str | None, checker: _Checker, tree):
        self.text = text
        self.names = names
        self.field = field
        self._checker = checker
        self._tree = tree

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Expression) and (self.text, self.names) == (other.text, other.names)

    def __hash__(self) -> int:
        return hash(self.text)

    def evaluate(self, values: Mapping[str, Decimal | int]) -> Decimal:
        """The formula's value for ``values`` (Decimal or int; a float is a TypeError: it would bring
        binary rounding into money). A missing name or a division by zero is an ExpressionError."""
        names = {}
        missing = []
        for name in sorted(self.names):
            value = values.get(name)
            if value is None:
                missing.append(name)
                continue
            names[name] = _as_decimal(name, value, field=self.field)
        if missing:
            raise ExpressionError(
                _("公式用到的“%(names)s”没有取值") % {"names": "、".join(missing)}, field=self.field
            )
        return self._run(names)

    def fast(self):
        """The formula as a plain Python function of a dict of Decimals, for running it many times
        (the compensation calculator runs a scheme over 100,000 households): closures over the checked
        tree, about ten times quicker than ``evaluate``. The caller runs it inside ``arithmetic()``
        with every name present as a Decimal; on any problem it runs ``evaluate``, which raises the
        ExpressionError with its position (the fast function never explains, it only computes)."""
        run = _closure(self._tree)

        def fast(values):
            try:
                return run(values)
            except Exception:
                self.evaluate(values)
                raise
        return fast

    def fast_many(self):
        """The formula over columns: a function of a dict of lists (one value per household or building;
        a name may also be a single Decimal, the same for all) returning a list (or one Decimal when no
        name is a list). Both sides of ``x if c else y`` are computed for every row, so a row that the
        condition would have spared can still raise: the caller then runs ``fast`` row by row, which is
        the reference (the compensation calculator's many-household path; a test holds the two together)."""
        return _vector(self._tree)

    def _run(self, names: dict) -> Decimal:
        with decimal.localcontext(CONTEXT):
            result = _Evaluator(self._checker, names).eval(self.text, previously_parsed=self._tree)
        if not isinstance(result, Decimal):  # the checker makes this impossible; never return a bool
            raise ExpressionError(_("公式的结果须为数值"), field=self.field)
        return result


def _as_decimal(name: str, value, *, field: str | None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"expression value {name!r} must be Decimal or int, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ExpressionError(_("“%(name)s”的值须为有限的数") % {"name": name}, field=field)
    return value


def _contains_name(node) -> bool:
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def compile_expression(text: str, *, names: Iterable[str], field: str | None = None) -> Expression:
    """Check a formula when it is saved; ``names`` are the names it may use, ``field`` the form
    field its errors belong to. Raises ExpressionError with the position of the problem."""
    allowed = frozenset(names)
    clash = allowed & set(FUNCTIONS)
    if clash or not all(name.isidentifier() for name in allowed):
        raise ValueError(f"expression names must be identifiers and not function names: {sorted(allowed)}")
    text = (text or "").strip()
    if not text:
        raise ExpressionError(_("公式不能为空"), field=field)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("公式过长：最多 %(max)d 个字符（现有 %(n)d 个）") % {"max": MAX_LENGTH, "n": len(text)}, field=field
        )
    folded = _fold(text)
    try:
        tree = ast.parse(folded, mode="eval")
    except SyntaxError as exc:
        position = min(max(exc.offset or len(text), 1), len(text))
        raise ExpressionError(
            _("公式写法有误（第 %(position)d 个字符附近）") % {"position": position}, field=field, position=position
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(_("公式写法有误"), field=field) from None
    checker = _Checker(folded, allowed, field)
    if checker.kind(tree.body) != _NUMBER:
        raise checker.fail(_("公式的结果须为数值，“%(text)s”是条件（真/假）") % {"text": text}, tree.body)
    _check_constant_parts(checker, tree.body)
    expression = Expression(text=text, names=frozenset(checker.used), field=field, checker=checker, tree=tree.body)
    # One run with every name = 1: what depends on the values (a divisor that is 1 - rate) is only a
    # run-time error, but anything else escaping the checks above is refused here, at save time.
    try:
        expression._run({name: Decimal(1) for name in expression.names})
    except ExpressionError:
        pass
    except Exception as exc:  # a construct the checker let through by mistake: refuse, never store
        raise ExpressionError(_("不支持的写法：%(error)s") % {"error": type(exc).__name__}, field=field) from None
    return expression


def _check_constant_parts(checker: _Checker, node) -> None:
    """Evaluate every part written without names (``x / (2 - 2)``, ``rate ** 1000``,
    ``round(x, 0.5)``): its error does not depend on the values, so it is refused now."""
    if not _contains_name(node):
        _constant(checker, node)
        return
    if isinstance(node, ast.BinOp) and not _contains_name(node.right):
        if isinstance(node.op, ast.Pow):
            _constant(checker, node.right, lambda b: _pow(Decimal(1), b))
        elif isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            _constant(checker, node.right, lambda b: _div(Decimal(1), b))
    children = [*node.args, *(k.value for k in node.keywords)] if isinstance(node, ast.Call) else []
    if isinstance(node, ast.Call) and node.func.id == "round":
        places = children[1] if len(children) > 1 else None
        if places is not None and not _contains_name(places):
            _constant(checker, places, lambda n: _round(Decimal(0), n))
    if isinstance(node, ast.Call) and node.func.id == "clamp" and not any(map(_contains_name, children[1:])):
        low, high = _constant(checker, children[1]), _constant(checker, children[2])
        _Evaluator(checker, {})._guard(node, lambda: _clamp(low, low, high))
    if not isinstance(node, ast.Call):
        children = [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
    for child in children:
        _check_constant_parts(checker, child)


def _constant(checker: _Checker, node, then=lambda value: value):
    evaluator = _Evaluator(checker, {})
    with decimal.localcontext(CONTEXT):
        return evaluator._guard(node, lambda: then(evaluator.eval(checker.text, previously_parsed=node)))


def arithmetic():
    """The context ``Expression.fast`` functions run in: ``with arithmetic(): f(values)``."""
    return decimal.localcontext(CONTEXT)


_FAST_BINARY = {
    ast.Add: lambda left, right: lambda env: left(env) + right(env),
    ast.Sub: lambda left, right: lambda env: left(env) - right(env),
    ast.Mult: lambda left, right: lambda env: left(env) * right(env),
}


def _closure(node):  # noqa: C901 - one branch per construct the checker allows
    """A checked node as a closure ``env -> value`` (no ``eval``, no code generation)."""
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda env: value
    if isinstance(node, ast.Name):
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.BinOp):
        left, right = _closure(node.left), _closure(node.right)
        if type(node.op) in _FAST_BINARY:
            return _FAST_BINARY[type(node.op)](left, right)
        op = OPERATORS[type(node.op)]
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp):
        operand, op = _closure(node.operand), OPERATORS[type(node.op)]
        return lambda env: op(operand(env))
    if isinstance(node, ast.BoolOp):
        parts = [_closure(value) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: all(part(env) for part in parts)
        return lambda env: any(part(env) for part in parts)
    if isinstance(node, ast.Compare):
        first = _closure(node.left)
        rest = [(OPERATORS[type(op)], _closure(c)) for op, c in zip(node.ops, node.comparators, strict=True)]

        def compare(env):
            left = first(env)
            for op, right in rest:
                value = right(env)
                if not op(left, value):
                    return False
                left = value
            return True
        return compare
    if isinstance(node, ast.IfExp):
        test, body, orelse = _closure(node.test), _closure(node.body), _closure(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id][0]
        args = [_closure(arg) for arg in node.args]
        keywords = [(k.arg, _closure(k.value)) for k in node.keywords]
        if keywords:
            return lambda env: function(*[a(env) for a in args], **{k: v(env) for k, v in keywords})
        return lambda env: function(*[a(env) for a in args])
    raise TypeError(f"unchecked node {type(node).__name__}")  # the checker refused it already


# --- over columns (Expression.fast_many) ----------------------------------------------------------------


def _lift(function, parts):
    """``function`` applied row by row over ``parts`` (closures giving lists or single values)."""
    if len(parts) == 1:
        (part,) = parts

        def one(env):
            a = part(env)
            return [function(x) for x in a] if type(a) is list else function(a)
        return one
    if len(parts) == 2:
        left, right = parts

        def two(env):
            a, b = left(env), right(env)
            if type(a) is list:
                if type(b) is list:
                    return [function(x, y) for x, y in zip(a, b, strict=True)]
                return [function(x, b) for x in a]
            if type(b) is list:
                return [function(a, y) for y in b]
            return function(a, b)
        return two

    def many(env):
        values = [part(env) for part in parts]
        lists = [v for v in values if type(v) is list]
        if not lists:
            return function(*values)
        n = len(lists[0])
        columns = [v if type(v) is list else [v] * n for v in values]
        return [function(*row) for row in zip(*columns, strict=True)]
    return many


def _all(*values):
    return all(values)


def _any(*values):
    return any(values)


def _choose(test, body, orelse):
    return body if test else orelse


def _chain(ops):
    def compare(*values):
        for op, left, right in zip(ops, values, values[1:]):
            if not op(left, right):
                return False
        return True
    return compare


def _vector(node):  # noqa: C901 - one branch per construct the checker allows
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda env: value
    if isinstance(node, ast.Name):
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.BinOp):
        return _lift(OPERATORS[type(node.op)], [_vector(node.left), _vector(node.right)])
    if isinstance(node, ast.UnaryOp):
        return _lift(OPERATORS[type(node.op)], [_vector(node.operand)])
    if isinstance(node, ast.BoolOp):
        return _lift(_all if isinstance(node.op, ast.And) else _any, [_vector(v) for v in node.values])
    if isinstance(node, ast.Compare):
        ops = [OPERATORS[type(op)] for op in node.ops]
        return _lift(_chain(ops), [_vector(node.left), *(_vector(c) for c in node.comparators)])
    if isinstance(node, ast.IfExp):
        return _lift(_choose, [_vector(node.test), _vector(node.body), _vector(node.orelse)])
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id][0]
        parts = [_vector(arg) for arg in node.args] + [_vector(k.value) for k in node.keywords]
        return _lift(function, parts)  # round(x, places=n) is round(x, n): its one keyword is its second argument
    raise TypeError(f"unchecked node {type(node).__name__}")
