"""The compensation calculator (补偿测算): a scheme (``compensation.language``) run for one household's
facts (``compensation.facts.Case``) and one option, giving every line item with its formula, the
inputs it used and the amount, and the total.

The same scheme and the same facts always give the same result: every number is a Decimal computed
in the expression engine's own context, each item is rounded by its stated rule, and nothing reads
the clock or the database. A fact a formula needs and the household lacks is an ``AppError`` naming
the household (and the building), the fact and the item.

Speed: a scheme's formulas are closures (``Expression.fast``) made once per scheme; one household is a
dict of its facts walked through the scheme's computing order (bench/bench_compensation.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.compensation.facts import Case
from gaizao.compensation.language import (BUILDING_CATEGORIES, BUILDING_NUMBERS, HOUSEHOLD_CATEGORIES,
                                          HOUSEHOLD_NUMBERS, KINDS, OPTION_LABELS, ROUNDINGS, Formula, Scheme, Table)
from gaizao.core.errors import AppError
from gaizao.core.expressions import ExpressionError, arithmetic

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass
class Line:
    """One line item of a result: what the household page shows and opens."""

    key: str
    label: str
    kind: str
    unit: str
    formula: str
    inputs: dict[str, str]
    amount: Decimal
    applies: bool = True
    buildings: list[dict] | None = None
    note: str = ""

    def as_json(self) -> dict:
        out = {"key": self.key, "label": self.label, "kind": self.kind, "unit": self.unit, "formula": self.formula,
               "inputs": self.inputs, "amount": _text(self.amount), "applies": self.applies}
        if self.buildings is not None:
            out["buildings"] = self.buildings
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Result:
    option: str
    items: list[Line]
    total: Decimal
    swap_area: Decimal | None
    values: dict[str, dict] = field(default_factory=dict)

    def item(self, key: str) -> Line:
        return next(line for line in self.items if line.key == key)

    def as_json(self) -> dict:
        return {"option": self.option, "option_label": OPTION_LABELS[self.option],
                "items": [line.as_json() for line in self.items], "values": self.values,
                "total": _text(self.total), "swap_area": None if self.swap_area is None else _text(self.swap_area)}


def _text(value: Decimal) -> str:
    return format(value, "f")


class Compiled:
    """A scheme's formulas as fast functions, made once and used for every household."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.fast: dict[int, object] = {}
        for entry in [*scheme.values.values(), *scheme.items.values()]:
            for expr in (entry.expr, entry.condition, entry.low, entry.high):
                if expr is not None:
                    self.fast[id(expr)] = expr.fast()
        self.building_level = [name for name in scheme.order if scheme.entry(name).per_building]

    def run(self, expr, env):
        return self.fast[id(expr)](env)


_COMPILED: dict[int, Compiled] = {}


def compiled(scheme: Scheme) -> Compiled:
    found = _COMPILED.get(id(scheme))
    if found is None or found.scheme is not scheme:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        found = _COMPILED[id(scheme)] = Compiled(scheme)
    return found


def calculate(scheme: Scheme, case: Case, *, option: str) -> Result:
    """Every line item of ``scheme`` for ``case`` under ``option`` (money / swap / mixed)."""
    if option not in scheme.options:
        offered = "、".join(OPTION_LABELS[o] for o in scheme.options)
        raise AppError(_("方案“%(s)s”不提供“%(o)s”；可选：%(offered)s") % {
            "s": scheme.name, "o": OPTION_LABELS.get(option, option), "offered": offered},
            fields={"option": _("方案不提供这种补偿方式")})
    with arithmetic():
        return _Run(compiled(scheme), case, option).result()


class _Run:
    def __init__(self, compiled_scheme: Compiled, case: Case, option: str):
        self.c = compiled_scheme
        self.scheme = compiled_scheme.scheme
        self.case = case
        self.option = option
        env = dict(self.scheme.params)
        facts = case.household_numbers(self.scheme)
        env.update((k, v) for k, v in facts.items() if v is not None)
        self.env = env
        self.household_categories = case.household_categories()
        self.benvs: list[dict] = []
        self.bcats: list[dict] = []
        for building in case.buildings:
            benv = dict(env)
            benv.update((k, v) for k, v in building.numbers().items() if v is not None)
            self.benvs.append(benv)
            self.bcats.append(building.categories())
        self.lines: dict[str, Line] = {}
        self.per_building_amounts: dict[str, list] = {}

    # --- errors -----------------------------------------------------------------------------------------

    def missing(self, entry, names, building=None) -> AppError:
        labels = {**HOUSEHOLD_NUMBERS, **BUILDING_NUMBERS}
        facts = "、".join(f"{labels.get(n, n)}（{n}）" for n in sorted(names))
        what = _("“%(l)s”") % {"l": entry.label}
        if building is not None:
            message = _("住户 %(h)s 的房屋 %(b)s 缺少%(f)s，%(w)s的公式需要它") % {
                "h": self.case.label, "b": building.number, "f": facts, "w": what}
            if "unit_price" in names or "decoration" in names:
                message += _("；请先录入评估结果")
        else:
            message = _("住户 %(h)s 缺少%(f)s，%(w)s的公式需要它") % {"h": self.case.label, "f": facts, "w": what}
        return AppError(message, fields={"facts": message})

    def evaluate(self, entry, expr, env, building=None):
        try:
            return self.c.run(expr, env)
        except ExpressionError as exc:
            absent = [n for n in expr.names if n not in env]
            if absent:
                raise self.missing(entry, absent, building) from None
            where = _("住户 %(h)s") % {"h": self.case.label}
            if building is not None:
                where += _(" 房屋 %(b)s") % {"b": building.number}
            raise AppError(_("%(w)s：“%(l)s”无法计算：%(m)s") % {"w": where, "l": entry.label, "m": exc.message},
                           fields={"facts": exc.message}) from None

    # --- the walk ---------------------------------------------------------------------------------------

    def result(self) -> Result:
        scheme = self.scheme
        for name in scheme.order:
            entry = scheme.entry(name)
            if isinstance(entry, Table):
                self.table(entry)
            elif entry.per_building:
                self.per_building(entry)
            else:
                self.household(entry)
        items = [self.lines[key] for key in scheme.items]
        total = sum((line.amount for line in items if line.applies and line.kind == "money"), ZERO)
        swap = self.lines.get("swap_area")
        if swap is None:
            swap = next((line for line in items if line.kind == "area" and line.applies), None)
        values = {name: {"label": scheme.values[name].label, "amount": _text(self.env.get(name, ZERO))}
                  for name in scheme.values}
        return Result(option=self.option, items=items, total=total.quantize(CENT),
                      swap_area=swap.amount if swap is not None and swap.applies else None, values=values)

    def sync(self, name: str, value) -> None:
        self.env[name] = value
        for benv in self.benvs:
            benv[name] = value

    def table(self, table: Table) -> None:
        if not table.per_building:
            self.env[table.name] = value = self.lookup(table, self.env, self.household_categories)
            for benv in self.benvs:
                benv[table.name] = value
            return
        for building, benv, cats in zip(self.case.buildings, self.benvs, self.bcats, strict=True):
            benv[table.name] = self.lookup(table, benv, cats, building)

    def lookup(self, table: Table, env, cats, building=None) -> Decimal:
        where = _("住户 %(h)s") % {"h": self.case.label}
        if building is not None:
            where += _(" 房屋 %(b)s") % {"b": building.number}
        if table.by:
            if table.by not in env:
                raise self.missing(table, [table.by], building)
            x = env[table.by]
            for upto, value in table.brackets:
                if upto is None or x <= upto:
                    return value
            raise AppError(_("%(w)s：%(by)s = %(x)s 超出表“%(t)s”的最后一档，且最后一档未写“其余”") % {
                "w": where, "by": table.by, "x": x, "t": table.label}, fields={"facts": table.name})
        for match, value in table.rows:
            if all(cats.get(key) in wanted for key, wanted in match.items()):
                return value
        if table.default is not None:
            return table.default
        facts = "，".join(f"{key}={cats.get(key) or '（空）'}" for key in table.keys)
        raise AppError(_("%(w)s：表“%(t)s”中没有与 %(f)s 相符的行，也没有默认值 default") % {
            "w": where, "t": table.label, "f": facts}, fields={"facts": table.name})

    def applies(self, entry: Formula, cats, env, building=None) -> bool:
        if entry.is_item and self.option not in entry.options:
            return False
        for key, wanted in entry.when.items():
            if cats.get(key) not in wanted:
                return False
        if entry.condition is not None and not self.evaluate(entry, entry.condition, env, building):
            return False
        return True

    def shape(self, entry: Formula, amount: Decimal, env) -> Decimal:
        factor = entry.multiplier.get(self.option)
        if factor is not None:
            amount = amount * factor
        if entry.low is not None:
            amount = max(amount, self.evaluate(entry, entry.low, env))
        if entry.high is not None:
            amount = min(amount, self.evaluate(entry, entry.high, env))
        return self.round(entry, amount)

    @staticmethod
    def round(entry: Formula, amount: Decimal) -> Decimal:
        if entry.quantum is None:
            return amount
        return (amount / entry.quantum).quantize(Decimal(1), rounding=ROUNDINGS[entry.rounding]) * entry.quantum \
            if entry.quantum > 1 else amount.quantize(entry.quantum, rounding=ROUNDINGS[entry.rounding])

    def inputs(self, entry: Formula, env) -> dict[str, str]:
        return {name: _text(env[name]) for name in sorted(entry.uses) if name in env}

    def household(self, entry: Formula) -> None:
        env = self.env
        if not self.applies(entry, self.household_categories, env):
            amount, applies = ZERO, False
        else:
            raw = self.evaluate(entry, entry.expr, env)
            amount = self.shape(entry, raw, env) if entry.is_item else raw
            applies = True
        if entry.is_item:
            self.lines[entry.name] = Line(
                key=entry.name, label=entry.label, kind=entry.kind, unit=KINDS[entry.kind],
                formula=entry.describe(), inputs=self.inputs(entry, env) if applies else {}, amount=amount,
                applies=applies, note=entry.note)
        self.sync(entry.name, amount)

    def per_building(self, entry: Formula) -> None:
        rows = []
        total = ZERO
        any_applies = False
        offered = not entry.is_item or self.option in entry.options
        for building, benv, cats in zip(self.case.buildings, self.benvs, self.bcats, strict=True):
            if offered and self.applies(entry, cats, benv, building):
                amount = self.evaluate(entry, entry.expr, benv, building)
                if entry.is_item:
                    factor = entry.multiplier.get(self.option)
                    if factor is not None:
                        amount = amount * factor
                    amount = self.round(entry, amount)
                any_applies = True
                rows.append({"building": building.number, "inputs": self.inputs(entry, benv), "amount": _text(amount)})
            else:
                amount = ZERO
            benv[entry.name] = amount
            total += amount
        if entry.is_item and any_applies and (entry.low is not None or entry.high is not None):
            shaped = total
            if entry.low is not None:
                shaped = max(shaped, self.evaluate(entry, entry.low, self.env))
            if entry.high is not None:
                shaped = min(shaped, self.evaluate(entry, entry.high, self.env))
            total = self.round(entry, shaped)
        self.env[entry.name] = total
        if entry.is_item:
            bounds = {n: _text(self.env[n]) for x in (entry.low, entry.high) if x is not None for n in x.names
                      if n in self.env}
            self.lines[entry.name] = Line(
                key=entry.name, label=entry.label, kind=entry.kind, unit=KINDS[entry.kind], formula=entry.describe(),
                inputs=bounds, amount=total, applies=any_applies, buildings=rows, note=entry.note)


__all__ = ["Line", "Result", "calculate", "compiled", "HOUSEHOLD_CATEGORIES", "BUILDING_CATEGORIES"]
