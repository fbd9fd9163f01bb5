"""The compensation scheme language (补偿方案): a project's scheme written as TOML, checked at save.

A district writes its own scheme without code changes: named parameters, lookup tables and brackets,
named values and line items whose formulas run on the safe expression engine (``core.expressions``)
over Decimal. ``docs/compensation-schemes.md`` is the user's reference, with complete worked
schemes; this module parses and checks a text (``parse``, ``check``) into a ``Scheme`` that
``compensation.calculator`` runs for a household.

Sections:

- ``[scheme]``: ``name``, ``options`` (money / swap / mixed), ``rounding`` (the default quantum of
  money items, e.g. "0.01" or "1").
- ``[params]``: numbers and dates. ``signing_start`` (a date) is the day 1 of ``signing_day``;
  ``vacating_start`` (else ``signing_start``) the day 1 of ``vacating_day``.
- ``[tables.NAME]``: ``by`` a number + ``brackets`` (``upto`` inclusive, ascending; the last row
  without ``upto`` is "otherwise"), or ``keys`` (categorical facts) + ``rows`` (+ ``default``). A
  table keyed by a building's facts is looked up per building.
- ``[values]``: named intermediate numbers: ``name = "formula"`` or ``name = { formula, per, when,
  if }``.
- ``[items.KEY]``: the line items, in file order: ``label``, ``formula``, ``per`` ("building": for
  each building, summed), ``when`` (categorical facts: a value or a list), ``if`` (a condition),
  ``options``, ``multiplier`` ({option = number}), ``min``, ``max`` (numbers or formulas), ``round``
  (a quantum), ``rounding`` (half_up, up, down), ``kind`` (money, area, info).

Every name is one namespace: facts, parameters, tables, values and items; a value or an item used in a
household formula while defined per building is the sum over the buildings it matches. Every problem
is reported with its line and name (``Problem``); ``parse`` raises ``SchemeError`` listing them all.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.core.expressions import FUNCTIONS, Expression, ExpressionError, arithmetic, compile_expression

OPTIONS = ("money", "swap", "mixed")
OPTION_LABELS = {"money": "货币补偿", "swap": "产权调换", "mixed": "货币补偿与产权调换结合"}

# The facts a scheme reads (name -> label), at the household's level and at each building's.
HOUSEHOLD_NUMBERS = {
    "persons": "家庭人数",
    "buildings": "房屋栋数",
    "certificates": "权证数",
    "signing_day": "签约第几日",
    "vacating_day": "腾空交房第几日",
    "signing_rate": "项目签约率（%）",
    "late_months": "安置房逾期交付月数",
}
HOUSEHOLD_CATEGORIES = {"land_type": "土地性质", "use": "用途"}
BUILDING_NUMBERS = {
    "legal_area": "合法面积（㎡）",
    "unlicensed_area": "无证面积（㎡）",
    "area": "建筑面积（㎡）",
    "floors": "层数",
    "build_year": "建成年份",
    "unit_price": "评估单价（元/㎡）",
    "decoration": "装修评估（元）",
}
BUILDING_CATEGORIES = {"legality": "认定结果", "use": "用途", "structure": "结构", "certificate": "权证",
                       "disposition": "处置方式"}
ALL_FACTS = {**HOUSEHOLD_NUMBERS, **BUILDING_NUMBERS}

ROUNDINGS = {"half_up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}
ROUNDING_LABELS = {"half_up": "四舍五入", "up": "进位", "down": "舍去"}
KINDS = {"money": "元", "area": "㎡", "info": ""}
QUANTUM_LABELS = {Decimal("0.01"): "精确到分", Decimal("0.1"): "精确到角", Decimal("1"): "精确到元",
                  Decimal("10"): "精确到十元", Decimal("100"): "精确到百元", Decimal("1000"): "精确到千元"}
AREA_QUANTUM_LABELS = {Decimal("0.01"): "保留两位小数", Decimal("0.1"): "保留一位小数", Decimal("1"): "取整数"}
MAX_TEXT = 100_000
MAX_ENTRIES = 200

_ITEM_KEYS = {"label", "formula", "per", "when", "if", "options", "multiplier", "min", "max", "round", "rounding",
              "kind", "note"}
_VALUE_KEYS = {"formula", "per", "when", "if", "label"}
_TABLE_KEYS = {"by", "brackets", "keys", "rows", "default", "label"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scheme: its line (None when it is about the whole text), the name it
    concerns (``items.relocation.formula``) and what is wrong, in Chinese."""

    line: int | None
    name: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(line)d 行") % {"line": self.line} if self.line else _("方案")
        return f"{where}［{self.name}］：{self.message}" if self.name else f"{where}：{self.message}"


class SchemeError(AppError):
    """A scheme that cannot be saved: every problem, the first one's line and name for the form."""

    def __init__(self, problems: list[Problem], *, field: str = "text"):
        self.problems = problems
        self.line = problems[0].line if problems else None
        self.name = problems[0].name if problems else ""
        message = "；".join(str(p) for p in problems[:10])
        if len(problems) > 10:
            message += _("……（共 %(n)d 处）") % {"n": len(problems)}
        super().__init__(_("补偿方案有误：%(m)s") % {"m": message}, fields={field: message})


@dataclass
class Table:
    name: str
    line: int | None
    label: str
    by: str | None = None
    brackets: list[tuple[Decimal | None, Decimal]] = field(default_factory=list)
    keys: tuple[str, ...] = ()
    rows: list[tuple[dict[str, frozenset[str]], Decimal]] = field(default_factory=list)
    default: Decimal | None = None
    per_building: bool = False

    @property
    def uses(self) -> frozenset[str]:
        return frozenset([self.by]) if self.by else frozenset()


@dataclass
class Formula:
    """A named value or a line item: its formula and what shapes it."""

    name: str
    line: int | None
    label: str
    expr: Expression
    is_item: bool = False
    per_building: bool = False
    when: dict[str, frozenset[str]] = field(default_factory=dict)
    condition: Expression | None = None
    options: frozenset[str] = frozenset(OPTIONS)
    multiplier: dict[str, Decimal] = field(default_factory=dict)
    low: Expression | None = None
    high: Expression | None = None
    quantum: Decimal | None = None
    rounding: str = "half_up"
    kind: str = "money"
    note: str = ""

    @property
    def uses(self) -> frozenset[str]:
        names = set(self.expr.names)
        for extra in (self.condition, self.low, self.high):
            if extra is not None:
                names |= extra.names
        return frozenset(names)

    def describe(self) -> str:
        """The formula as the household page shows it, with what shapes the amount."""
        parts = [self.expr.text]
        for option, factor in self.multiplier.items():
            parts.append(_("%(option)s × %(f)s") % {"option": OPTION_LABELS[option], "f": factor})
        if self.low is not None:
            parts.append(_("不低于 %(x)s") % {"x": self.low.text})
        if self.high is not None:
            parts.append(_("不高于 %(x)s") % {"x": self.high.text})
        if self.quantum is not None:
            to = (QUANTUM_LABELS if self.kind == "money" else AREA_QUANTUM_LABELS).get(self.quantum, str(self.quantum))
            parts.append(_("%(to)s（%(how)s）") % {"to": to, "how": ROUNDING_LABELS[self.rounding]})
        return "；".join(parts)


@dataclass
class Scheme:
    name: str
    options: tuple[str, ...]
    params: dict[str, Decimal]
    dates: dict[str, dt.date]
    tables: dict[str, Table]
    values: dict[str, Formula]
    items: dict[str, Formula]
    order: list[str]  # tables, values and items in the order they are computed
    used_facts: frozenset[str]

    def entry(self, name: str) -> Table | Formula | None:
        return self.tables.get(name) or self.values.get(name) or self.items.get(name)

    def per_building(self, name: str) -> bool:
        entry = self.entry(name)
        return bool(entry and entry.per_building)


# --- where things are written -------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_\-]+)\s*=')


def _locate(text: str) -> dict[tuple[str, ...], int]:
    """(table path..., key) -> line number, for the tables and keys written on lines of their own."""
    lines: dict[tuple[str, ...], int] = {}
    current: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            current = tuple(part.strip().strip('"') for part in header.group(1).split("."))
            lines.setdefault(current, number)
            continue
        key = _KEY.match(raw)
        if key:
            lines.setdefault((*current, key.group(1).strip('"')), number)
    return lines


class _Collector:
    def __init__(self, text: str):
        self.lines = _locate(text)
        self.problems: list[Problem] = []

    def line(self, *path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def add(self, path: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(self.line(*path), ".".join(path), message))


# --- reading ------------------------------------------------------------------------------------------------

def _number(value, collector: _Collector, path: tuple[str, ...], *, what: str) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        collector.add(path, _("%(what)s须为数字（现为 %(v)r）") % {"what": what, "v": value})
        return None
    value = Decimal(value)
    if not value.is_finite():
        collector.add(path, _("%(what)s须为有限的数") % {"what": what})
        return None
    return value


def _quantum(value, collector: _Collector, path: tuple[str, ...]) -> Decimal | None:
    try:
        quantum = Decimal(str(value))
    except (InvalidOperation, ValueError):
        quantum = None
    if quantum is None or not quantum.is_finite() or quantum <= 0 or quantum not in {
            Decimal("0.01"), Decimal("0.1"), Decimal("1"), Decimal("10"), Decimal("100"), Decimal("1000")}:
        collector.add(path, _("取整单位须为 0.01、0.1、1、10、100 或 1000 之一（现为 %(v)s）") % {"v": value})
        return None
    return quantum


def _strings(value, collector: _Collector, path: tuple[str, ...]) -> frozenset[str] | None:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        collector.add(path, _("须为文字或文字列表，如 \"合法\" 或 [\"合法\", \"未超期临时\"]"))
        return None
    return frozenset(v.strip() for v in values)


def _unknown_keys(entry: dict, allowed: set[str], collector: _Collector, path: tuple[str, ...]) -> None:
    for key in entry:
        if key not in allowed:
            collector.add((*path, key), _("未知的设置“%(k)s”；可用的设置：%(a)s") % {
                "k": key, "a": "、".join(sorted(allowed))})


def _check_name(name: str, collector: _Collector, path: tuple[str, ...], taken: dict[str, str]) -> bool:
    if not name.isidentifier() or not name.isascii():
        collector.add(path, _("名称“%(n)s”须由英文字母、数字和下划线组成，且不以数字开头") % {"n": name})
        return False
    if name in FUNCTIONS:
        collector.add(path, _("名称“%(n)s”与函数同名") % {"n": name})
        return False
    if name in ALL_FACTS or name in HOUSEHOLD_CATEGORIES or name in BUILDING_CATEGORIES:
        collector.add(path, _("名称“%(n)s”与住户或房屋的事实同名") % {"n": name})
        return False
    if name in taken:
        collector.add(path, _("名称“%(n)s”已在 %(where)s 中定义") % {"n": name, "where": taken[name]})
        return False
    return True


def _when(value, collector: _Collector, path: tuple[str, ...], *, per_building: bool) -> dict[str, frozenset[str]]:
    if not isinstance(value, dict):
        collector.add(path, _("when 须写成 { 事实 = 值 }，如 { legality = [\"合法\"] }"))
        return {}
    allowed = BUILDING_CATEGORIES if per_building else HOUSEHOLD_CATEGORIES
    out = {}
    for key, wanted in value.items():
        if key not in allowed:
            hint = _("（房屋的事实只能用于 per = \"building\" 的项）") if key in BUILDING_CATEGORIES else ""
            collector.add((*path, key), _("when 中的“%(k)s”不是可用的条件；可用的：%(a)s%(h)s") % {
                "k": key, "a": "、".join(allowed), "h": hint})
            continue
        values = _strings(wanted, collector, (*path, key))
        if values is None:
            continue
        known = _known_values(key)
        wrong = sorted(values - known) if known else []
        if wrong:
            labels = "、".join(v for v in sorted(known, key=len) if not v.isascii())
            collector.add((*path, key), _("when 中 %(k)s 的值%(w)s不是“%(l)s”的可能值：%(a)s") % {
                "k": key, "w": "、".join(f"“{v}”" for v in wrong), "l": BUILDING_CATEGORIES.get(key) or
                HOUSEHOLD_CATEGORIES.get(key), "a": labels})
            continue
        if known:  # a code stands for its label: the facts hold the ledger's labels
            from gaizao.compensation.facts import label

            values = frozenset(label(key, v) for v in values)
        out[key] = values
    return out


def _known_values(key: str) -> frozenset[str]:
    """The values a categorical fact with a fixed list can take (labels and codes); empty for the lists a
    district extends (structure, use: ledger.known), which are not checked here."""
    from gaizao.compensation.facts import HAS_CERTIFICATE, NO_CERTIFICATE
    from gaizao.ledger.choices import Disposition, LandType, Legality

    fixed = {"legality": Legality, "disposition": Disposition, "land_type": LandType}
    if key == "certificate":
        return frozenset({HAS_CERTIFICATE, NO_CERTIFICATE})
    if key in fixed:
        return frozenset({str(c.label) for c in fixed[key]} | {c.value for c in fixed[key]})
    return frozenset()


def _table(name: str, entry, collector: _Collector) -> Table | None:
    path = ("tables", name)
    if not isinstance(entry, dict):
        collector.add(path, _("表须写成 [tables.%(n)s] 一节") % {"n": name})
        return None
    _unknown_keys(entry, _TABLE_KEYS, collector, path)
    table = Table(name=name, line=collector.line(*path), label=str(entry.get("label") or name))
    if "brackets" in entry:
        by = entry.get("by")
        if not isinstance(by, str) or not by:
            collector.add((*path, "by"), _("按档查找须写 by = \"事实或数值名称\""))
        else:
            table.by = by.strip()
        brackets = entry["brackets"]
        if not isinstance(brackets, list) or not brackets:
            collector.add((*path, "brackets"), _("brackets 须为非空列表"))
            return None
        previous = None
        for index, row in enumerate(brackets, start=1):
            where = (*path, "brackets")
            if not isinstance(row, dict) or "value" not in row:
                collector.add(where, _("第 %(i)d 档须写成 { upto = 上限, value = 取值 }") % {"i": index})
                continue
            value = _number(row["value"], collector, where, what=_("第 %(i)d 档的取值") % {"i": index})
            upto = None
            if "upto" in row:
                upto = _number(row["upto"], collector, where, what=_("第 %(i)d 档的上限") % {"i": index})
                if upto is not None and previous is not None and upto <= previous:
                    collector.add(where, _("第 %(i)d 档的上限 %(u)s 须大于上一档的 %(p)s") % {
                        "i": index, "u": upto, "p": previous})
                previous = upto if upto is not None else previous
            elif index != len(brackets):
                collector.add(where, _("只有最后一档可以不写上限（第 %(i)d 档）") % {"i": index})
            if value is not None:
                table.brackets.append((upto, value))
        return table
    if "rows" in entry:
        keys = entry.get("keys")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            collector.add((*path, "keys"), _("按事实查找须写 keys = [\"结构\"等事实的名称]"))
            return None
        # keyed by the land type: the household's table; otherwise the buildings' (use is both; a building's here)
        table.per_building = "land_type" not in keys
        allowed = BUILDING_CATEGORIES if table.per_building else HOUSEHOLD_CATEGORIES
        for key in keys:
            if key not in allowed:
                collector.add((*path, "keys"), _("“%(k)s”不是可查找的事实；可用的：%(a)s") % {
                    "k": key, "a": "、".join(allowed)})
        table.keys = tuple(keys)
        rows = entry["rows"]
        if not isinstance(rows, list) or not rows:
            collector.add((*path, "rows"), _("rows 须为非空列表"))
            return None
        for index, row in enumerate(rows, start=1):
            where = (*path, "rows")
            if not isinstance(row, dict) or "value" not in row:
                collector.add(where, _("第 %(i)d 行须写成 { 事实 = 值, value = 取值 }") % {"i": index})
                continue
            match = {}
            for key, wanted in row.items():
                if key == "value":
                    continue
                if key not in table.keys:
                    collector.add(where, _("第 %(i)d 行的“%(k)s”不在 keys 中") % {"i": index, "k": key})
                    continue
                values = _strings(wanted, collector, where)
                if values is not None:
                    match[key] = values
            value = _number(row["value"], collector, where, what=_("第 %(i)d 行的取值") % {"i": index})
            if value is not None:
                table.rows.append((match, value))
        if "default" in entry:
            table.default = _number(entry["default"], collector, (*path, "default"), what=_("默认值"))
        return table
    collector.add(path, _("表须有 brackets（按档）或 rows（按事实）"))
    return None


@dataclass
class _Draft:
    name: str
    path: tuple[str, ...]
    entry: dict
    is_item: bool


def _allowed_names(scheme_names: set[str], *, per_building: bool) -> set[str]:
    names = set(scheme_names) | set(HOUSEHOLD_NUMBERS)
    if per_building:
        names |= set(BUILDING_NUMBERS)
    return names


def _compile(text, collector: _Collector, path: tuple[str, ...], names: set[str]) -> Expression | None:
    if isinstance(text, bool) or isinstance(text, (int, Decimal)):
        text = str(text)
    if not isinstance(text, str):
        collector.add(path, _("公式须为文字（用引号括起）"))
        return None
    try:
        return compile_expression(text, names=names)
    except ExpressionError as exc:
        message = str(exc.message if hasattr(exc, "message") else exc)
        hint = ""
        building_only = sorted(n for n in BUILDING_NUMBERS if re.search(rf"\b{n}\b", text) and n not in names)
        if building_only:
            hint = _("（%(n)s 是房屋的事实，只能用于 per = \"building\" 的公式）") % {"n": "、".join(building_only)}
        collector.add(path, message + hint)
        return None


def _formula(draft: _Draft, collector: _Collector, names: set[str], tables: dict[str, Table],
             per_building_names: set[str]) -> Formula | None:
    entry, path = draft.entry, draft.path
    if isinstance(entry, str) and not draft.is_item:
        entry = {"formula": entry}
    if not isinstance(entry, dict):
        collector.add(path, _("须写成 [items.%(n)s] 一节") % {"n": draft.name} if draft.is_item else
                      _("须写成 名称 = \"公式\" 或 名称 = { formula = \"公式\", … }"))
        return None
    _unknown_keys(entry, _ITEM_KEYS if draft.is_item else _VALUE_KEYS, collector, path)
    per = entry.get("per", "household")
    if per not in ("household", "building"):
        collector.add((*path, "per"), _("per 须为 \"household\"（每户）或 \"building\"（每栋房屋）"))
        per = "household"
    per_building = per == "building"
    label = entry.get("label")
    if draft.is_item and (not isinstance(label, str) or not label.strip()):
        collector.add((*path, "label"), _("须写明项目名称 label，如 label = \"搬迁费\""))
    if "formula" not in entry:
        collector.add(path, _("须写明公式 formula"))
        return None
    allowed = _allowed_names(names, per_building=per_building)
    if not per_building:
        # a household formula may name a building-level table only through its sum: refuse the lookup itself
        allowed -= {name for name, table in tables.items() if table.per_building}
    expr = _compile(entry["formula"], collector, (*path, "formula"), allowed)
    formula = Formula(name=draft.name, line=collector.line(*path), label=str(label or draft.name).strip(),
                      expr=expr, is_item=draft.is_item, per_building=per_building)
    if "when" in entry:
        formula.when = _when(entry["when"], collector, (*path, "when"), per_building=per_building)
    if "if" in entry:
        condition = _condition(entry["if"], collector, (*path, "if"), allowed)
        formula.condition = condition
    if draft.is_item:
        _item_settings(formula, entry, collector, path, allowed)
    return formula if expr is not None else None


def _condition(text, collector, path, allowed) -> Expression | None:
    if not isinstance(text, str):
        collector.add(path, _("条件须为文字，如 if = \"persons > 3\""))
        return None
    # A condition is run as "1 if <condition> else 0": the engine keeps numbers and conditions apart.
    expr = _compile(f"1 if ({text}) else 0", collector, path, allowed)
    if expr is not None:
        expr.text = text  # shown as written
    return expr


def _item_settings(formula: Formula, entry: dict, collector: _Collector, path, allowed) -> None:
    if "options" in entry:
        options = _strings(entry["options"], collector, (*path, "options"))
        if options is not None:
            wrong = sorted(options - set(OPTIONS))
            if wrong:
                collector.add((*path, "options"), _("未知的补偿方式：%(w)s；可用的：money、swap、mixed") % {
                    "w": "、".join(wrong)})
            formula.options = frozenset(options & set(OPTIONS))
    if "multiplier" in entry:
        multiplier = entry["multiplier"]
        if not isinstance(multiplier, dict):
            collector.add((*path, "multiplier"), _("multiplier 须写成 { swap = 2 }"))
        else:
            for option, factor in multiplier.items():
                if option not in OPTIONS:
                    collector.add((*path, "multiplier"), _("未知的补偿方式“%(o)s”") % {"o": option})
                    continue
                value = _number(factor, collector, (*path, "multiplier"), what=_("倍数"))
                if value is not None:
                    formula.multiplier[option] = value
    for key, attr in (("min", "low"), ("max", "high")):
        if key in entry:
            setattr(formula, attr, _compile(entry[key], collector, (*path, key), allowed))
    if "round" in entry:
        formula.quantum = _quantum(entry["round"], collector, (*path, "round"))
    if "rounding" in entry:
        if entry["rounding"] not in ROUNDINGS:
            collector.add((*path, "rounding"), _("rounding 须为 half_up（四舍五入）、up（进位）或 down（舍去）"))
        else:
            formula.rounding = entry["rounding"]
    kind = entry.get("kind", "money")
    if kind not in KINDS:
        collector.add((*path, "kind"), _("kind 须为 money（金额）、area（面积）或 info（说明）"))
    else:
        formula.kind = kind
    formula.note = str(entry.get("note") or "")


def _order(entries: dict[str, Table | Formula], collector: _Collector) -> list[str]:
    """The computing order (every name after the names it uses); a cycle is a problem with its path."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = trail[trail.index(name):] + [name]
            entry = entries[name]
            section = "tables" if isinstance(entry, Table) else "items" if entry.is_item else "values"
            collector.problems.append(Problem(entry.line, f"{section}.{name}",
                                              _("公式循环引用：%(c)s") % {"c": " → ".join(cycle)}))
            return
        state[name] = 1
        for used in sorted(entries[name].uses):
            if used in entries:
                visit(used, [*trail, name])
        state[name] = 2
        order.append(name)

    for name in entries:
        visit(name, [])
    return order


def _syntax_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", text)
    line = int(match.group(1)) if match else None
    detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", text) if match else text
    column = _("第 %(c)s 列") % {"c": match.group(2)} if match else ""
    return Problem(line, "", _("TOML 写法有误（%(col)s）：%(d)s") % {"col": column, "d": detail})


def check(text: str) -> list[Problem]:
    """Every problem of a scheme text, each with its line and name; [] when it can be saved."""
    try:
        _parse(text)
    except SchemeError as exc:
        return exc.problems
    return []


def parse(text: str) -> Scheme:
    """The scheme a text writes; ``SchemeError`` with every problem when it cannot be used."""
    return _parse(text)


def _parse(text: str) -> Scheme:  # noqa: C901 - one section after the other
    if not isinstance(text, str) or not text.strip():
        raise SchemeError([Problem(None, "", _("方案文本不能为空"))])
    if len(text) > MAX_TEXT:
        raise SchemeError([Problem(None, "", _("方案文本过长：最多 %(n)d 个字符") % {"n": MAX_TEXT})])
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError([_syntax_problem(exc)]) from None
    collector = _Collector(text)
    for section in data:
        if section not in ("scheme", "params", "tables", "values", "items"):
            collector.add((section,), _("未知的一节［%(s)s］；可用的：scheme、params、tables、values、items") % {
                "s": section})
    head = data.get("scheme") if isinstance(data.get("scheme"), dict) else {}
    if not isinstance(data.get("scheme"), dict):
        collector.add(("scheme",), _("须有［scheme］一节，写明方案名称 name"))
    _unknown_keys(head, {"name", "options", "rounding", "note"}, collector, ("scheme",))
    name = head.get("name")
    if not isinstance(name, str) or not name.strip():
        collector.add(("scheme", "name"), _("须写明方案名称 name"))
        name = ""
    options = tuple(OPTIONS)
    if "options" in head:
        chosen = _strings(head["options"], collector, ("scheme", "options")) or frozenset()
        wrong = sorted(chosen - set(OPTIONS))
        if wrong:
            collector.add(("scheme", "options"), _("未知的补偿方式：%(w)s；可用的：money、swap、mixed") % {
                "w": "、".join(wrong)})
        options = tuple(o for o in OPTIONS if o in chosen) or options
    default_quantum = Decimal("0.01")
    if "rounding" in head:
        default_quantum = _quantum(head["rounding"], collector, ("scheme", "rounding")) or default_quantum

    taken: dict[str, str] = {}
    params: dict[str, Decimal] = {}
    dates: dict[str, dt.date] = {}
    raw_params = data.get("params", {})
    if not isinstance(raw_params, dict):
        collector.add(("params",), _("［params］须为一节参数"))
        raw_params = {}
    for key, value in raw_params.items():
        path = ("params", key)
        if not _check_name(key, collector, path, taken):
            continue
        taken[key] = "params"
        if isinstance(value, dt.datetime):
            collector.add(path, _("参数须为日期（如 2026-03-01），不带时间"))
        elif isinstance(value, dt.date):
            dates[key] = value
        else:
            number = _number(value, collector, path, what=_("参数“%(k)s”") % {"k": key})
            if number is not None:
                params[key] = number

    tables: dict[str, Table] = {}
    raw_tables = data.get("tables", {})
    for key, entry in (raw_tables.items() if isinstance(raw_tables, dict) else []):
        if _check_name(key, collector, ("tables", key), taken):
            taken[key] = "tables"
            table = _table(key, entry, collector)
            if table is not None:
                tables[key] = table

    drafts: list[_Draft] = []
    for section, is_item in (("values", False), ("items", True)):
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            collector.add((section,), _("［%(s)s］须为一节") % {"s": section})
            continue
        for key, entry in raw.items():
            if _check_name(key, collector, (section, key), taken):
                taken[key] = section
                drafts.append(_Draft(key, (section, key), entry, is_item))
    if not any(d.is_item for d in drafts):
        collector.add(("items",), _("方案须至少有一个补偿项目［items.名称］"))
    if len(drafts) + len(tables) > MAX_ENTRIES:
        collector.add(("items",), _("方案最多 %(n)d 个表、数值和项目") % {"n": MAX_ENTRIES})

    scheme_names = set(params) | set(tables) | {d.name for d in drafts}
    per_building_names = {d.name for d in drafts if isinstance(d.entry, dict) and d.entry.get("per") == "building"}
    values: dict[str, Formula] = {}
    items: dict[str, Formula] = {}
    for draft in drafts:
        formula = _formula(draft, collector, scheme_names, tables, per_building_names)
        if formula is None:
            continue
        if formula.is_item and formula.quantum is None and formula.kind == "money":
            formula.quantum = default_quantum
        (items if draft.is_item else values)[draft.name] = formula

    for table in tables.values():
        if table.by and table.by not in scheme_names and table.by not in HOUSEHOLD_NUMBERS \
                and table.by not in BUILDING_NUMBERS:
            collector.add(("tables", table.name, "by"), _("by 的“%(b)s”未定义；可用：事实、参数、数值或项目的名称") % {
                "b": table.by})
        elif table.by in BUILDING_NUMBERS or (table.by in per_building_names):
            table.per_building = True

    entries: dict[str, Table | Formula] = {**tables, **values, **items}
    order = _order(entries, collector)
    scheme = Scheme(name=(name or "").strip(), options=options, params=params, dates=dates, tables=tables,
                    values=values, items=items, order=order, used_facts=frozenset())
    used = set()
    for entry in entries.values():
        used |= entry.uses
    scheme.used_facts = frozenset(used & (set(HOUSEHOLD_NUMBERS) | set(BUILDING_NUMBERS)))
    _check_parameters(scheme, collector)
    if collector.problems:
        collector.problems.sort(key=lambda p: p.line or 0)
        raise SchemeError(collector.problems)
    return scheme


def _check_parameters(scheme: Scheme, collector: _Collector) -> None:
    """What depends on the parameters' values: the dates the day counts need, and a divisor that a
    parameter makes zero (every other name taken as 1)."""
    for fact, params in (("signing_day", ("signing_start",)), ("vacating_day", ("vacating_start", "signing_start"))):
        if fact in scheme.used_facts and not any(p in scheme.dates for p in params):
            collector.problems.append(Problem(
                collector.line("params"), f"params.{params[0]}",
                _("缺少参数 %(p)s（日期）：%(f)s（%(l)s）从这一天算起") % {
                    "p": params[0], "f": fact, "l": HOUSEHOLD_NUMBERS[fact]}))
    ones = {name: Decimal(1) for name in [*ALL_FACTS, *scheme.tables, *scheme.values, *scheme.items]}
    ones.update(scheme.params)
    with arithmetic():
        for formula in [*scheme.values.values(), *scheme.items.values()]:
            for expr, key in ((formula.expr, "formula"), (formula.low, "min"), (formula.high, "max"),
                              (formula.condition, "if")):
                if expr is None:
                    continue
                try:
                    expr.evaluate(ones)
                except ExpressionError as exc:
                    if "除数为零" in str(exc):
                        section = "items" if formula.is_item else "values"
                        collector.problems.append(Problem(
                            formula.line, f"{section}.{formula.name}.{key}", str(exc)))
