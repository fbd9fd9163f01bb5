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

from gaizao.compensation.facts import HAS_CERTIFICATE, NO_CERTIFICATE, Case
from gaizao.compensation.language import (BUILDING_CATEGORIES, BUILDING_NUMBERS, HOUSEHOLD_CATEGORIES,
                                          HOUSEHOLD_NUMBERS, KINDS, OPTION_LABELS, ROUNDINGS, Formula, Scheme, Table)
from gaizao.core.bulk import gc_paused
from gaizao.core.errors import AppError
from gaizao.core.expressions import ExpressionError, arithmetic

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(slots=True)
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
               "inputs": self.inputs, "amount": format(self.amount, "f"), "applies": self.applies}
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
    values: dict[str, str] = field(default_factory=dict)  # the named values, as text
    value_labels: dict[str, str] = field(default_factory=dict)  # their labels (one dict shared by a run)

    def item(self, key: str) -> Line:
        return next(line for line in self.items if line.key == key)

    def as_json(self) -> dict:
        return {"option": self.option, "option_label": OPTION_LABELS[self.option],
                "items": [line.as_json() for line in self.items],
                "values": {name: {"label": self.value_labels.get(name, name), "amount": amount}
                           for name, amount in self.values.items()},
                "total": _text(self.total), "swap_area": None if self.swap_area is None else _text(self.swap_area)}


def _text(value: Decimal) -> str:
    return format(value, "f")


_TABLE, _HOUSEHOLD, _BUILDING = 0, 1, 2


class _Step:
    """One table, value or item of a scheme, with everything the walk needs made once."""

    __slots__ = ("name", "entry", "kind", "is_item", "run", "cond", "low", "high", "uses", "described", "options",
                 "multiplier", "quantum", "mode", "when", "table", "vrun", "vcond", "vlow", "vhigh", "bound_names")

    def __init__(self, entry):
        self.name = entry.name
        self.entry = entry
        if isinstance(entry, Table):
            self.kind = _TABLE
            self.table = entry
            self.is_item = False
            return
        self.table = None
        self.kind = _BUILDING if entry.per_building else _HOUSEHOLD
        self.is_item = entry.is_item
        self.run = entry.expr.fast()
        self.cond = entry.condition.fast() if entry.condition is not None else None
        self.low = entry.low.fast() if entry.low is not None else None
        self.high = entry.high.fast() if entry.high is not None else None
        self.vrun = entry.expr.fast_many()
        self.vcond = entry.condition.fast_many() if entry.condition is not None else None
        self.vlow = entry.low.fast_many() if entry.low is not None else None
        self.vhigh = entry.high.fast_many() if entry.high is not None else None
        self.bound_names = tuple(sorted({n for x in (entry.low, entry.high) if x is not None for n in x.names}))
        self.uses = tuple(sorted(entry.uses))
        self.described = entry.describe() if entry.is_item else ""
        self.options = entry.options if entry.is_item else None
        self.multiplier = entry.multiplier
        self.quantum = entry.quantum
        self.mode = ROUNDINGS[entry.rounding]
        self.when = tuple(entry.when.items())


class Compiled:
    """A scheme's formulas as fast functions and its computing order as steps, made once and used for
    every household (``Expression.fast``: closures over the checked trees)."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.steps = [_Step(scheme.entry(name)) for name in scheme.order]
        self.by_name = {step.name: step for step in self.steps}
        self.items = list(scheme.items)
        self.values = list(scheme.values)
        self.value_labels = {name: formula.label for name, formula in scheme.values.items()}
        self.signing_start = scheme.dates.get("signing_start")
        self.vacating_start = scheme.dates.get("vacating_start") or self.signing_start


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


CHUNK = 2000  # households per column run
STATS = {"fallbacks": 0}  # chunks calculated household by household (the tests read it)


def calculate_many(scheme: Scheme, cases: list[Case], options: list[str], *, as_json: bool = False
                   ) -> list[Result | dict | AppError]:
    """``calculate`` for many households at once, each with its option: the same results, computed a
    formula at a time over columns (one value per household or building), then each household's lines
    with their inputs. A chunk in which any formula cannot run over columns (a missing fact, a branch
    the condition would have spared, an option not offered, a lookup without a row) is calculated
    household by household with ``calculate``, which gives each its own result or its own error.
    ``as_json``: each result as ``Result.as_json()`` (what a calculation stores), made inside the chunk."""
    with gc_paused():  # the whole run: hundreds of thousands of small acyclic objects, kept until it ends
        return _calculate_many(scheme, cases, options, as_json=as_json)


def _calculate_many(scheme: Scheme, cases: list[Case], options: list[str], *, as_json: bool
                    ) -> list[Result | dict | AppError]:
    c = compiled(scheme)
    out: list[Result | dict | AppError] = []
    for start in range(0, len(cases), CHUNK):
        part, chosen = cases[start:start + CHUNK], options[start:start + CHUNK]
        try:
            if any(option not in scheme.options for option in chosen):
                raise _Fallback
            with arithmetic():
                results = _Columns(c, part, chosen).results()
                out.extend(result.as_json() for result in results) if as_json else out.extend(results)
            continue
        except Exception:  # noqa: BLE001 - any problem: the reference path explains it, household by household
            STATS["fallbacks"] += 1
        for case, option in zip(part, chosen, strict=True):
            try:
                result = calculate(scheme, case, option=option)
                out.append(result.as_json() if as_json else result)
            except AppError as exc:
                out.append(exc)
    return out


class _Fallback(Exception):
    pass


_SMALL = [Decimal(i) for i in range(100)]


def _rows_of(columns: dict, keys) -> list[dict]:
    """Per row, the categorical facts a table is keyed by (only those), from their columns."""
    keys = [key for key in keys if key in columns]
    return [dict(zip(keys, values)) for values in zip(*(columns[key] for key in keys))] if keys else []


def _mask_and(mask, values):
    if type(values) is not list:
        return mask if values else [False] * len(mask)
    return [m and bool(v) for m, v in zip(mask, values, strict=True)]


def _column(value, n):
    return value if type(value) is list else [value] * n


class _Columns:
    """The many-household walk: ``H`` holds a column per household name, ``B`` a column per building name
    (``owner`` says whose building each row is)."""

    def __init__(self, c: Compiled, cases: list[Case], options: list[str]):
        self.c = c
        self.cases = cases
        self.options = options
        n = self.n = len(cases)
        # the household facts as columns, as Case.household_facts() gives them one by one (a test holds the two
        # paths together); a fact some household lacks is left out, so a formula needing it falls back
        H: dict = dict(c.scheme.params)  # single values stand for every household
        small = _SMALL
        H["persons"] = [small[x] if x < 100 else Decimal(x) for x in (case.persons for case in cases)]
        H["buildings"] = [small[len(case.buildings)] if len(case.buildings) < 100 else Decimal(len(case.buildings))
                          for case in cases]
        certificates = [len({b.certificate_no for b in case.buildings if b.certificate_no}) for case in cases]
        H["certificates"] = [small[x] if x < 100 else Decimal(x) for x in certificates]
        H["late_months"] = [case.late_months for case in cases]
        for name, start, attr in (("signing_day", c.signing_start, "signed_on"),
                                  ("vacating_day", c.vacating_start, "vacated_on")):
            days = [getattr(case, attr) for case in cases]
            if start is not None and None not in days:
                H[name] = [Decimal((day - start).days + 1) for day in days]
        rates = [case.signing_rate for case in cases]
        if None not in rates:
            H["signing_rate"] = rates
        self.H = H
        self.hcat_cols = {"land_type": [case.land_type for case in cases], "use": [case.use for case in cases]}
        owner, buildings = [], []
        self.ranges = []  # household i's buildings are rows ranges[i][0] .. ranges[i][1] - 1
        for index, case in enumerate(cases):
            self.ranges.append((len(owner), len(owner) + len(case.buildings)))
            for building in case.buildings:
                owner.append(index)
                buildings.append(building)
        self.owner, self.buildings = owner, buildings
        self.bcat_cols = {
            "legality": [b.legality for b in buildings], "use": [b.use for b in buildings],
            "structure": [b.structure for b in buildings], "disposition": [b.disposition for b in buildings],
            "certificate": [HAS_CERTIFICATE if b.certificate_no else NO_CERTIFICATE for b in buildings]}
        self.m = len(buildings)
        # the buildings' numbers as columns, as BuildingCase.numbers() gives them one by one (a test holds the
        # two paths together); a number some building lacks is left out, so a formula needing it falls back
        legal = [b.legal_area for b in buildings]
        unlicensed = [b.unlicensed_area for b in buildings]
        B: dict = {"legal_area": legal, "unlicensed_area": unlicensed,
                   "area": [a + b for a, b in zip(legal, unlicensed, strict=True)],
                   "floors": [Decimal(b.floors) for b in buildings]}
        for name in ("build_year", "unit_price", "decoration"):
            column = [getattr(b, name) for b in buildings]
            if None not in column:
                B[name] = [Decimal(v) for v in column] if name == "build_year" else column
        self.B = B
        self.amounts: dict[str, list] = {}
        self.applies: dict[str, list] = {}
        self.brows: dict[str, list] = {}  # building item -> per building (amount, applies)

    def building_env(self, names) -> dict:
        env = {}
        owner = self.owner
        for name in names:
            if name in self.B:
                env[name] = self.B[name]
            elif name in self.H:
                value = self.H[name]
                env[name] = [value[o] for o in owner] if type(value) is list else value
            else:
                raise _Fallback
        return env

    def household_env(self, names) -> dict:
        H = self.H
        for name in names:
            if name not in H:
                raise _Fallback
        return H

    def results(self) -> list[Result]:
        for step in self.c.steps:
            if step.kind == _TABLE:
                self.table(step)
            elif step.kind == _BUILDING:
                self.per_building(step)
            else:
                self.household(step)
        return self.assemble()

    def table(self, step: _Step) -> None:
        table = step.table
        lookup = _Run.lookup_value
        if not table.per_building:
            if table.by:
                column = _column(self.household_env([table.by])[table.by], self.n)
                self.H[table.name] = [lookup(table, x, None) for x in column]
            else:
                self.H[table.name] = [lookup(table, None, cats) for cats in _rows_of(self.hcat_cols, table.keys)]
            return
        if table.by:
            column = _column(self.building_env([table.by])[table.by], self.m)
            self.B[table.name] = [lookup(table, x, None) for x in column]
        else:
            self.B[table.name] = [lookup(table, None, cats) for cats in _rows_of(self.bcat_cols, table.keys)]

    def household(self, step: _Step) -> None:
        n = self.n
        env = self.household_env(step.entry.uses)
        mask = [True] * n
        if step.is_item:
            mask = [option in step.options for option in self.options]
        for key, wanted in step.when:
            mask = [m and value in wanted for m, value in zip(mask, self.hcat_cols[key], strict=True)]
        if step.vcond is not None:
            mask = _mask_and(mask, step.vcond(env))
        raw = _column(step.vrun(env), n)
        if step.is_item:
            raw = self.shape(step, raw, env)
        self.H[step.name] = [v if m else ZERO for v, m in zip(raw, mask, strict=True)]
        self.applies[step.name] = mask

    def shape(self, step: _Step, raw: list, env) -> list:
        if step.multiplier:
            factors = [step.multiplier.get(option) for option in self.options]
            raw = [v * f if f is not None else v for v, f in zip(raw, factors, strict=True)]
        if step.vlow is not None:
            raw = [max(v, lo) for v, lo in zip(raw, _column(step.vlow(env), self.n), strict=True)]
        if step.vhigh is not None:
            raw = [min(v, hi) for v, hi in zip(raw, _column(step.vhigh(env), self.n), strict=True)]
        return _quantize_all(step, raw)

    def per_building(self, step: _Step) -> None:
        m, owner = self.m, self.owner
        env = self.building_env(step.entry.uses)
        mask = [True] * m
        if step.is_item:
            offered = [option in step.options for option in self.options]
            mask = [offered[o] for o in owner]
        for key, wanted in step.when:
            mask = [k and value in wanted for k, value in zip(mask, self.bcat_cols[key], strict=True)]
        if step.vcond is not None:
            mask = _mask_and(mask, step.vcond(env))
        raw = _column(step.vrun(env), m)
        if step.is_item:
            if step.multiplier:
                raw = [v * f if f is not None else v for v, f in
                       zip(raw, (step.multiplier.get(self.options[o]) for o in owner), strict=True)]
            if step.quantum is not None:
                raw = _quantize_all(step, raw)
        amounts = [v if k else ZERO for v, k in zip(raw, mask, strict=True)]
        self.B[step.name] = amounts
        totals = [ZERO] * self.n
        any_applies = [False] * self.n
        for o, v, k in zip(owner, amounts, mask, strict=True):
            totals[o] += v
            if k:
                any_applies[o] = True
        if step.is_item and (step.vlow is not None or step.vhigh is not None):
            henv = self.household_env(step.bound_names)
            shaped = totals
            if step.vlow is not None:
                shaped = [max(v, lo) for v, lo in zip(shaped, _column(step.vlow(henv), self.n), strict=True)]
            if step.vhigh is not None:
                shaped = [min(v, hi) for v, hi in zip(shaped, _column(step.vhigh(henv), self.n), strict=True)]
            totals = [_quantize(step, s) if a else t for s, t, a in zip(shaped, totals, any_applies, strict=True)]
        self.H[step.name] = totals
        self.applies[step.name] = any_applies
        self.brows[step.name] = mask

    def texts(self, store: dict, name: str, *, building: bool = False):
        """A name's values as text, made once per chunk: a list (one per row) or one text for all."""
        key = (building, name)
        found = self._texts.get(key)
        if found is None:
            value = store[name]
            found = self._texts[key] = [format(v, "f") for v in value] if type(value) is list else format(value, "f")
        return found

    def inputs_plan(self, names, *, building: bool = False):
        """(the inputs that are the same for every row, the (name, column of texts) that differ)."""
        same, columns = {}, []
        for name in names:
            if building and name in self.B:
                text = self.texts(self.B, name, building=True)
            elif name in self.H:
                text = self.texts(self.H, name)
                if building and type(text) is list:
                    owner = self.owner
                    text = [text[o] for o in owner]
            else:
                continue
            if type(text) is list:
                columns.append((name, text))
            else:
                same[name] = text
        return same, columns

    def lines(self) -> list[list[Line]]:
        """Every household's lines, built item by item from the columns (inputs as text, made once)."""
        c, H, n = self.c, self.H, self.n
        per_household: list[list[Line]] = [[] for _ in range(n)]
        for key in c.items:
            step = c.by_name[key]
            entry = step.entry
            label, kind, unit, formula, note = entry.label, entry.kind, KINDS[entry.kind], step.described, entry.note
            amounts = _column(H[key], n)
            applies = self.applies[key]
            if step.kind == _BUILDING:
                same, columns = self.inputs_plan(step.bound_names)
                bsame, bcolumns = self.inputs_plan(step.uses, building=True)
                bamounts = self.B[key]
                bapplies = self.brows[key]
                numbers = [b.number for b in self.buildings]
                for i in range(n):
                    rows = []
                    for row in range(*self.ranges[i]):
                        if bapplies[row]:
                            inputs = dict(bsame)
                            for name, text in bcolumns:
                                inputs[name] = text[row]
                            rows.append({"building": numbers[row], "amount": format(bamounts[row], "f"),
                                         "inputs": inputs})
                    inputs = dict(same)
                    for name, text in columns:
                        inputs[name] = text[i]
                    per_household[i].append(Line(key, label, kind, unit, formula, inputs, amounts[i], applies[i],
                                                 rows, note))
                continue
            same, columns = self.inputs_plan(step.uses)
            # one line stands for the item wherever it does not apply: nothing of it differs between households
            absent = Line(key, label, kind, unit, formula, {}, ZERO, False, None, note)
            names = tuple(name for name, _ in columns)
            texts = zip(*(text for _, text in columns)) if columns else ((),) * n
            for i, values in enumerate(texts):
                if applies[i]:
                    inputs = dict(same)
                    inputs.update(zip(names, values))
                    per_household[i].append(Line(key, label, kind, unit, formula, inputs, amounts[i], True, None,
                                                 note))
                else:
                    per_household[i].append(absent)
        return per_household

    def assemble(self) -> list[Result]:
        c, H = self.c, self.H
        self._texts: dict = {}
        values = [(name, self.texts(H, name)) for name in c.values]
        n = self.n
        # the totals and the swap area as columns: the money items that apply, summed; the item named swap_area,
        # else the first area item that applies (as calculate() reads them)
        totals = [ZERO] * n
        swap: list = [None] * n
        areas = []
        for key in c.items:
            kind = c.by_name[key].entry.kind
            amounts, applies = _column(H[key], n), self.applies[key]
            if kind == "money":
                totals = [t + a if k else t for t, a, k in zip(totals, amounts, applies, strict=True)]
            elif kind == "area":
                areas.append((key, amounts, applies))
        named = next((a for a in areas if a[0] == "swap_area"), None)
        for key, amounts, applies in ([named] if named else areas):
            swap = [s if s is not None else (a if k else None) for s, a, k in zip(swap, amounts, applies, strict=True)]
            if named:
                break
        out = []
        for i, lines in enumerate(self.lines()):
            out.append(Result(
                option=self.options[i], items=lines, total=totals[i].quantize(CENT), swap_area=swap[i],
                values={name: text[i] if type(text) is list else text for name, text in values},
                value_labels=c.value_labels))
        return out


def _quantize_all(step: _Step, values: list) -> list:
    quantum, mode = step.quantum, step.mode
    if quantum is None:
        return values
    if quantum > 1:
        return [(v / quantum).quantize(ONE, rounding=mode) * quantum for v in values]
    return [v.quantize(quantum, rounding=mode) for v in values]


def _quantize(step: _Step, amount: Decimal) -> Decimal:
    quantum = step.quantum
    if quantum is None:
        return amount
    if quantum > 1:
        return (amount / quantum).quantize(ONE, rounding=step.mode) * quantum
    return amount.quantize(quantum, rounding=step.mode)


ONE = Decimal(1)


class _Run:
    __slots__ = ("c", "case", "option", "env", "cats", "bnums", "bcats", "bvals", "lines")

    def __init__(self, compiled_scheme: Compiled, case: Case, option: str):
        self.c = compiled_scheme
        self.case = case
        self.option = option
        env = dict(compiled_scheme.scheme.params)
        env.update(case.household_facts(compiled_scheme.signing_start, compiled_scheme.vacating_start))
        self.env = env
        self.cats = case.household_categories()
        self.bnums = [building.numbers() for building in case.buildings]
        self.bcats = [building.categories() for building in case.buildings]
        self.bvals: list[dict] = [{} for _ in case.buildings]
        self.lines: dict[str, Line] = {}

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

    def explain(self, step: _Step, exc: ExpressionError, env, building=None) -> AppError:
        entry = step.entry
        names = set(entry.uses) if not isinstance(entry, Table) else {entry.by}
        absent = [n for n in names if n not in env]
        if absent:
            return self.missing(entry, absent, building)
        return AppError(_("%(w)s：“%(l)s”无法计算：%(m)s") % {"w": self.where(building), "l": entry.label,
                                                              "m": exc.message},
                        fields={"facts": exc.message})

    # --- the walk ---------------------------------------------------------------------------------------

    def result(self) -> Result:
        c = self.c
        for step in c.steps:
            if step.kind == _TABLE:
                self.table(step)
            elif step.kind == _BUILDING:
                self.per_building(step)
            else:
                self.household(step)
        items = [self.lines[key] for key in c.items]
        total = ZERO
        for line in items:
            if line.applies and line.kind == "money":
                total += line.amount
        swap = self.lines.get("swap_area")
        if swap is None:
            swap = next((line for line in items if line.kind == "area" and line.applies), None)
        env = self.env
        values = {name: _text(env.get(name, ZERO)) for name in c.values}
        return Result(option=self.option, items=items, total=total.quantize(CENT),
                      swap_area=swap.amount if swap is not None and swap.applies else None, values=values,
                      value_labels=c.value_labels)

    def table(self, step: _Step) -> None:
        table = step.table
        if not table.per_building:
            self.env[table.name] = self.lookup(table, self.env, self.cats)
            return
        for building, nums, vals, cats in zip(self.case.buildings, self.bnums, self.bvals, self.bcats, strict=True):
            env = {**self.env, **nums, **vals}
            vals[table.name] = self.lookup(table, env, cats, building)

    def where(self, building=None) -> str:
        where = _("住户 %(h)s") % {"h": self.case.label}
        if building is not None:
            where += _(" 房屋 %(b)s") % {"b": building.number}
        return where

    @staticmethod
    def lookup_value(table: Table, x, cats) -> Decimal:
        """The table's value for ``x`` (brackets) or ``cats`` (rows); _Fallback when there is none."""
        if table.by:
            for upto, value in table.brackets:
                if upto is None or x <= upto:
                    return value
            raise _Fallback
        for match, value in table.rows:
            if all(cats.get(key) in wanted for key, wanted in match.items()):
                return value
        if table.default is not None:
            return table.default
        raise _Fallback

    def lookup(self, table: Table, env, cats, building=None) -> Decimal:
        if table.by:
            if table.by not in env:
                raise self.missing(table, [table.by], building)
            x = env[table.by]
            for upto, value in table.brackets:
                if upto is None or x <= upto:
                    return value
            raise AppError(_("%(w)s：%(by)s = %(x)s 超出表“%(t)s”的最后一档，且最后一档未写“其余”") % {
                "w": self.where(building), "by": table.by, "x": x, "t": table.label}, fields={"facts": table.name})
        for match, value in table.rows:
            if all(cats.get(key) in wanted for key, wanted in match.items()):
                return value
        if table.default is not None:
            return table.default
        facts = "，".join(f"{key}={cats.get(key) or '（空）'}" for key in table.keys)
        raise AppError(_("%(w)s：表“%(t)s”中没有与 %(f)s 相符的行，也没有默认值 default") % {
            "w": self.where(building), "t": table.label, "f": facts}, fields={"facts": table.name})

    def applies(self, step: _Step, cats, env, building=None) -> bool:
        for key, wanted in step.when:
            if cats.get(key) not in wanted:
                return False
        if step.cond is not None:
            try:
                return bool(step.cond(env))
            except ExpressionError as exc:
                raise self.explain(step, exc, env, building) from None
        return True

    def evaluate(self, step: _Step, function, env, building=None) -> Decimal:
        try:
            return function(env)
        except ExpressionError as exc:
            raise self.explain(step, exc, env, building) from None

    def bounds(self, step: _Step, amount: Decimal, env) -> Decimal:
        if step.low is not None:
            amount = max(amount, self.evaluate(step, step.low, env))
        if step.high is not None:
            amount = min(amount, self.evaluate(step, step.high, env))
        return amount

    def household(self, step: _Step) -> None:
        env = self.env
        offered = not step.is_item or self.option in step.options
        if offered and self.applies(step, self.cats, env):
            amount = self.evaluate(step, step.run, env)
            if step.is_item:
                factor = step.multiplier.get(self.option)
                if factor is not None:
                    amount = amount * factor
                amount = _quantize(step, self.bounds(step, amount, env))
            applies = True
        else:
            amount, applies = ZERO, False
        if step.is_item:
            entry = step.entry
            inputs = {name: _text(env[name]) for name in step.uses if name in env} if applies else {}
            self.lines[step.name] = Line(key=step.name, label=entry.label, kind=entry.kind, unit=KINDS[entry.kind],
                                         formula=step.described, inputs=inputs, amount=amount, applies=applies,
                                         note=entry.note)
        env[step.name] = amount

    def per_building(self, step: _Step) -> None:
        rows = []
        total = ZERO
        any_applies = False
        offered = not step.is_item or self.option in step.options
        factor = step.multiplier.get(self.option) if step.is_item else None
        base = self.env
        for building, nums, vals, cats in zip(self.case.buildings, self.bnums, self.bvals, self.bcats, strict=True):
            amount = ZERO
            if offered:
                env = {**base, **nums, **vals}
                if self.applies(step, cats, env, building):
                    amount = self.evaluate(step, step.run, env, building)
                    if step.is_item:
                        if factor is not None:
                            amount = amount * factor
                        amount = _quantize(step, amount)
                    any_applies = True
                    if step.is_item:
                        rows.append({"building": building.number, "amount": _text(amount),
                                     "inputs": {name: _text(env[name]) for name in step.uses if name in env}})
            vals[step.name] = amount
            total += amount
        if step.is_item and any_applies and (step.low is not None or step.high is not None):
            total = _quantize(step, self.bounds(step, total, base))
        base[step.name] = total
        if step.is_item:
            entry = step.entry
            bounds = {n: _text(base[n]) for x in (entry.low, entry.high) if x is not None for n in x.names if n in base}
            self.lines[step.name] = Line(key=step.name, label=entry.label, kind=entry.kind, unit=KINDS[entry.kind],
                                         formula=step.described, inputs=bounds, amount=total, applies=any_applies,
                                         buildings=rows, note=entry.note)


__all__ = ["Line", "Result", "calculate", "compiled", "HOUSEHOLD_CATEGORIES", "BUILDING_CATEGORIES"]
