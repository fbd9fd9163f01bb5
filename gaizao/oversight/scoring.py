"""Scoring rules (计分规则): how an indicator's value becomes points, each with its explanation in words.

Four rules (``ScoringRule``), their parameters in ``Indicator.rule_params``:

- ``linear`` — linear to target (按完成比例折算): ``value ÷ target × weight``, capped at the weight, never
  below 0. Params: ``{"target": 100}``.
- ``points`` — base ± points per percentage point (基础分加减分): ``base + (value − target) × above`` when at
  or over the target, ``base − (target − value) × below`` under it, then held between ``floor`` (default 0)
  and ``cap`` (default the weight). Params: ``{"target", "base", "above", "below", "cap", "floor"}``.
- ``thresholds`` — steps (分档): the points of the highest ``min`` the value reaches, else ``otherwise``
  (default 0). Params: ``{"steps": [[90, 25], [80, 20], [60, 10]], "otherwise": 0}``.
- ``expression`` — a formula (``core.expressions``) over ``value``, ``target``, ``weight`` and the
  source's inputs (``signed``, ``in_scope`` …). Params: ``{"target": 100}`` (optional). The formula
  is not capped: write ``clamp(…, 0, weight)`` if it must be.

Rounding (stated on every page): points to 2 places, half up (四舍五入), after the whole calculation.
A missing value (数据缺失) is marked missing and scored by the scheme's ``missing_rule`` (``missing``,
``rescaled``); ``score`` is never given None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.core.expressions import ExpressionError, compile_expression
from gaizao.oversight.choices import ScoringRule

CENT = Decimal("0.01")
ZERO = Decimal("0")
ROUNDING_NOTE = "得分保留两位小数，四舍五入"
MAX_STEPS = 20


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value) -> str:
    """A figure as people write it: 100, 82.5, 20.63 (no trailing zeros)."""
    if value is None:
        return "—"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shown(value: Decimal, unit: str) -> str:
    return f"{fmt(value)}{unit}"


@dataclass(frozen=True)
class Scored:
    points: Decimal
    explain: str


def _number(params: dict, key: str, *, where: str, label: str, default=None, positive=False) -> Decimal | None:
    raw = params.get(key, default)
    if raw is None or raw == "":
        if default is None:
            raise AppError(_("%(w)s：请填写%(l)s。") % {"w": where, "l": label}, fields={"rule_params": _("缺少%s") % label})
        raw = default
    try:
        value = Decimal(str(raw).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise AppError(_("%(w)s：%(l)s「%(v)s」不是数字。") % {"w": where, "l": label, "v": raw},
                       fields={"rule_params": _("%s不是数字") % label}) from None
    if positive and value <= 0:
        raise AppError(_("%(w)s：%(l)s须大于 0。") % {"w": where, "l": label}, fields={"rule_params": _("须大于 0")})
    return value


def _steps(params: dict, *, where: str) -> list[tuple[Decimal, Decimal]]:
    raw = params.get("steps")
    if not isinstance(raw, (list, tuple)) or not raw:
        raise AppError(_("%(w)s：请填写分档（每档“不低于 … 得 … 分”）。") % {"w": where}, fields={"rule_params": _("缺少分档")})
    if len(raw) > MAX_STEPS:
        raise AppError(_("%(w)s：分档最多 %(n)d 档。") % {"w": where, "n": MAX_STEPS}, fields={"rule_params": _("分档过多")})
    out = []
    for i, step in enumerate(raw, start=1):
        if not isinstance(step, (list, tuple)) or len(step) != 2:
            raise AppError(_("%(w)s：第 %(i)d 档应写作 [不低于, 得分]。") % {"w": where, "i": i},
                           fields={"rule_params": _("第 %d 档有误") % i})
        low = _number({"v": step[0]}, "v", where=where, label=_("第 %d 档的下限") % i)
        points = _number({"v": step[1]}, "v", where=where, label=_("第 %d 档的得分") % i)
        out.append((low, points))
    return sorted(out, key=lambda s: s[0], reverse=True)


def names_for(input_names) -> set[str]:
    return {"value", "target", "weight", *input_names}


def check(*, rule: str, params: dict, expression: str, weight: Decimal, input_names=(), where: str):
    """Check an indicator's rule at save time; the error names the row (``where``) and, for a formula,
    the position. Returns the compiled expression (or None)."""
    params = params if isinstance(params, dict) else {}
    if rule not in ScoringRule.values:
        raise AppError(_("%(w)s：计分规则「%(r)s」不是可选的值。") % {"w": where, "r": rule}, fields={"rule": _("不是可选的值")})
    if rule == ScoringRule.LINEAR:
        _number(params, "target", where=where, label=_("目标值"), positive=True)
    elif rule == ScoringRule.POINTS:
        _number(params, "target", where=where, label=_("目标值"))
        base = _number(params, "base", where=where, label=_("基础分"))
        for key, label in (("above", _("每超 1 个百分点加分")), ("below", _("每差 1 个百分点扣分"))):
            if _number(params, key, where=where, label=label, default=ZERO) < 0:
                raise AppError(_("%(w)s：%(l)s不能为负数。") % {"w": where, "l": label}, fields={"rule_params": _("不能为负数")})
        cap = _number(params, "cap", where=where, label=_("封顶分"), default=weight)
        floor = _number(params, "floor", where=where, label=_("保底分"), default=ZERO)
        if floor > cap:
            raise AppError(_("%(w)s：保底分 %(f)s 高于封顶分 %(c)s。") % {"w": where, "f": fmt(floor), "c": fmt(cap)},
                           fields={"rule_params": _("保底分高于封顶分")})
        if cap > weight:
            raise AppError(_("%(w)s：封顶分 %(c)s 超过本项分值 %(s)s。") % {"w": where, "c": fmt(cap), "s": fmt(weight)},
                           fields={"rule_params": _("封顶分超过分值")})
        if not floor <= base <= cap:
            raise AppError(_("%(w)s：基础分 %(b)s 应在保底分与封顶分之间。") % {"w": where, "b": fmt(base)},
                           fields={"rule_params": _("基础分超出范围")})
    elif rule == ScoringRule.THRESHOLDS:
        for _low, points in _steps(params, where=where):
            if points > weight or points < 0:
                raise AppError(_("%(w)s：分档得分 %(p)s 应在 0 到本项分值 %(s)s 之间。")
                               % {"w": where, "p": fmt(points), "s": fmt(weight)}, fields={"rule_params": _("得分超出范围")})
        _number(params, "otherwise", where=where, label=_("未达最低档得分"), default=ZERO)
    elif rule == ScoringRule.EXPRESSION:
        if params.get("target") not in (None, ""):
            _number(params, "target", where=where, label=_("目标值"))
        try:
            return compile_expression(expression, names=names_for(input_names), field="expression")
        except ExpressionError as exc:
            raise ExpressionError(f"{where}：{exc.message}", field="expression", position=exc.position) from None
    return None


def score(*, rule: str, params: dict, expression: str, weight: Decimal, value: Decimal, inputs: dict,
          label: str, unit: str) -> Scored:
    """Points and the explanation for a value (never None: the caller handles a missing value)."""
    weight = Decimal(weight)
    value = Decimal(value)
    shown = _shown(value, unit)
    if rule == ScoringRule.LINEAR:
        target = Decimal(str(params["target"]))
        raw = value / target * weight
        points = q2(max(ZERO, min(raw, weight)))
        capped = _("，封顶 %s 分") % fmt(weight) if raw > weight else (_("，最低 0 分") if raw < 0 else "")
        return Scored(points, _("%(l)s %(v)s，目标 %(t)s：%(a)s ÷ %(b)s × %(w)s = %(p)s%(c)s") % {
            "l": label, "v": shown, "t": _shown(target, unit), "a": fmt(value), "b": fmt(target), "w": fmt(weight),
            "p": fmt(q2(raw)), "c": capped})
    if rule == ScoringRule.POINTS:
        target = Decimal(str(params["target"]))
        base = Decimal(str(params["base"]))
        above = Decimal(str(params.get("above") or 0))
        below = Decimal(str(params.get("below") or 0))
        cap = Decimal(str(params["cap"])) if params.get("cap") not in (None, "") else weight
        floor = Decimal(str(params["floor"])) if params.get("floor") not in (None, "") else ZERO
        if value >= target:
            raw = base + (value - target) * above
            how = _("%(b)s + (%(v)s − %(t)s) × %(k)s") % {"b": fmt(base), "v": fmt(value), "t": fmt(target),
                                                          "k": fmt(above)}
        else:
            raw = base - (target - value) * below
            how = _("%(b)s − (%(t)s − %(v)s) × %(k)s") % {"b": fmt(base), "v": fmt(value), "t": fmt(target),
                                                          "k": fmt(below)}
        held = max(floor, min(raw, cap))
        note = (_("，封顶 %s 分") % fmt(cap)) if raw > cap else (_("，保底 %s 分") % fmt(floor)) if raw < floor else ""
        return Scored(q2(held), _("%(l)s %(v)s，目标 %(t)s：%(h)s = %(p)s%(n)s") % {
            "l": label, "v": shown, "t": _shown(target, unit), "h": how, "p": fmt(q2(raw)), "n": note})
    if rule == ScoringRule.THRESHOLDS:
        steps = _steps(params, where=label)
        for low, points in steps:
            if value >= low:
                return Scored(q2(points), _("%(l)s %(v)s，达到“不低于 %(m)s”档：得 %(p)s 分") % {
                    "l": label, "v": shown, "m": _shown(low, unit), "p": fmt(q2(points))})
        otherwise = Decimal(str(params.get("otherwise") or 0))
        return Scored(q2(otherwise), _("%(l)s %(v)s，低于最低档（%(m)s）：得 %(p)s 分") % {
            "l": label, "v": shown, "m": _shown(steps[-1][0], unit), "p": fmt(q2(otherwise))})
    if rule == ScoringRule.EXPRESSION:
        compiled = compile_expression(expression, names=names_for(inputs), field="expression")
        target = params.get("target")
        values = {**{k: Decimal(str(v)) for k, v in inputs.items() if v is not None},
                  "value": value, "weight": weight,
                  "target": Decimal(str(target)) if target not in (None, "") else ZERO}
        used = {k: values.get(k, ZERO) for k in compiled.names}
        result = compiled.evaluate(used)
        given = "，".join(f"{k} = {fmt(v)}" for k, v in sorted(used.items()))
        return Scored(q2(result), _("%(l)s %(v)s：公式 %(e)s（%(g)s）= %(p)s") % {
            "l": label, "v": shown, "e": expression.strip(), "g": given, "p": fmt(q2(result))})
    raise AppError(_("计分规则「%s」不是可选的值。") % rule)


def missing(*, label: str, rule: str = "zero", weight: Decimal = ZERO) -> Scored:
    """A line whose data is missing (数据缺失), scored by the scheme's ``missing_rule``: 0 (``zero``, and
    ``rescale``, whose total then leaves the line's weight out), or the full weight (``full``)."""
    if rule == "full":
        return Scored(q2(weight), _("%(l)s：数据缺失，按考核办法本项按满分 %(w)s 分计") % {"l": label, "w": fmt(weight)})
    if rule == "rescale":
        return Scored(ZERO, _("%(l)s：数据缺失，本项不计分，总分按其他指标的得分率折算") % {"l": label})
    return Scored(ZERO, _("%(l)s：数据缺失，按考核办法本项计 0 分") % {"l": label})


def rescaled(*, scores: Decimal, weights: Decimal, total: Decimal) -> tuple[Decimal, str]:
    """The indicators' part of a total when some lines are missing and the scheme re-weights the others
    (按其他指标得分率折算): their points ÷ their weights × the scheme's total."""
    if weights <= ZERO:
        return ZERO, _("各项指标均数据缺失，指标得分计 0 分")
    part = q2(scores / weights * total)
    return part, _("有数据缺失的指标，按其他指标得分率折算：%(s)s ÷ %(w)s × %(t)s = %(p)s") % {
        "s": fmt(scores), "w": fmt(weights), "t": fmt(total), "p": fmt(part)}


# --- the sheet: every unit's scores, totals, ranks, grades and lists for one period ----------------------

LIST_OF_GRADE = {"excellent": "red", "pass": "yellow", "fail": "black"}  # 红榜 优秀, 黄榜 合格, 黑榜 不合格
LIST_LABELS = {"red": "红榜", "yellow": "黄榜", "black": "黑榜"}


def grade_of(scheme, total: Decimal) -> str:
    from gaizao.oversight.choices import Grade

    if total >= scheme.excellent_min:
        return Grade.EXCELLENT.value
    if total >= scheme.good_min:
        return Grade.GOOD.value
    if total >= scheme.pass_min:
        return Grade.PASS.value
    return Grade.FAIL.value


def assessed_units(scheme) -> list:
    """The units a scheme assesses: the district's streets, or its departments (one query)."""
    from gaizao.org.choices import OrgKind
    from gaizao.org.models import OrgUnit

    kind = OrgKind.DEPARTMENT if scheme.assessed == "department" else OrgKind.STREET
    return list(OrgUnit.objects.filter(kind=kind).order_by("path"))


def _plain(value):
    if isinstance(value, Decimal):
        return fmt(value)
    return value


def compute_rows(scheme, period: str, *, indicators=None, units=None) -> list[dict]:
    """The rows of a sheet for ``period`` (the format the bulletin reads; see the module docstring of
    ``oversight.services.assessment``), computed live: one query for the indicators, one for the units,
    one for the adjustments, and each indicator's source its own fixed number.

    A missing value is marked missing and scored by the scheme's ``missing_rule``: re-weighting the
    others (the default: the lines' points ÷ the weights of the lines with data × the total), 0, or the
    full weight. The total adds the bonus and penalty items; ``total_explain`` says how it was reached.
    """
    from gaizao.oversight import periods, sources
    from gaizao.oversight.choices import Grade
    from gaizao.oversight.models import Adjustment

    starts_on, ends_on = periods.period_range(period, kind=scheme.period_kind)
    indicators = list(scheme.indicators.order_by("order", "id")) if indicators is None else indicators
    units = assessed_units(scheme) if units is None else units
    campaign = scheme.campaign
    computed: dict[tuple, dict] = {}
    lines: dict[int, list[dict]] = {u.pk: [] for u in units}
    for ind in indicators:
        source = sources.get(ind.source)
        key = (ind.source, repr(sorted((ind.params or {}).items())))
        if key not in computed:
            computed[key] = source.run(campaign=campaign, units=units, starts_on=starts_on, ends_on=ends_on,
                                       params=ind.params or {}) if source else {}
        values = computed[key]
        label = ind.name
        unit_label = source.unit if source else ""
        for u in units:
            got = values.get(u.pk) or sources.SourceValue(None)
            is_missing = got.value is None
            if is_missing:
                scored = missing(label=label, rule=scheme.missing_rule, weight=ind.weight)
            else:
                try:
                    scored = score(rule=ind.rule, params=ind.rule_params or {}, expression=ind.expression,
                                   weight=ind.weight, value=got.value, inputs=got.inputs, label=label,
                                   unit=str(unit_label))
                except AppError as exc:  # a formula that cannot run on these values (a zero divisor)
                    is_missing = True
                    scored = missing(label=label, rule=scheme.missing_rule, weight=ind.weight)
                    scored = Scored(scored.points, _("公式无法计算（%(e)s）。%(m)s") % {"e": exc.message,
                                                                                    "m": scored.explain})
            lines[u.pk].append({
                "indicator_id": ind.pk, "name": ind.name, "weight": fmt(ind.weight), "source": ind.source,
                "value": None if got.value is None else fmt(got.value), "missing": is_missing,
                "inputs": {k: _plain(v) for k, v in got.inputs.items()}, "score": fmt(scored.points),
                "explain": str(scored.explain), "link": got.link,
            })
    adjustments: dict[int, list] = {u.pk: [] for u in units}
    for adj in Adjustment.objects.filter(scheme=scheme, period=period,
                                         unit_id__in=[u.pk for u in units]).order_by("id"):
        adjustments[adj.unit_id].append({"points": fmt(adj.points), "reason": adj.reason,
                                         "document_number": adj.document_number})
    rows = []
    for u in units:
        adjustment_total = sum((Decimal(a["points"]) for a in adjustments[u.pk]), ZERO)
        scores = sum((Decimal(line["score"]) for line in lines[u.pk]), ZERO)
        explain = ""
        if scheme.missing_rule == "rescale" and any(line["missing"] for line in lines[u.pk]):
            weights = sum((Decimal(line["weight"]) for line in lines[u.pk] if not line["missing"]), ZERO)
            scores, explain = rescaled(scores=scores, weights=weights, total=scheme.total)
        total = q2(scores + adjustment_total)
        grade = grade_of(scheme, total)
        rows.append({"unit_id": u.pk, "unit": u.name, "total": fmt(total), "rank": 0, "grade": grade,
                     "grade_label": str(Grade(grade).label), "list": LIST_OF_GRADE.get(grade, ""),
                     "indicators": lines[u.pk], "adjustments": adjustments[u.pk],
                     "adjustment_total": fmt(q2(adjustment_total)), "total_explain": explain, "_order": u.path})
    rows.sort(key=lambda r: (-Decimal(r["total"]), r["_order"]))
    previous_total, rank = None, 0
    for i, row in enumerate(rows, start=1):
        if row["total"] != previous_total:  # ties share a rank (1, 1, 3)
            rank, previous_total = i, row["total"]
        row["rank"] = rank
        del row["_order"]
    return rows
