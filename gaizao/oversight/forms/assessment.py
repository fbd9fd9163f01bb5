"""Forms of the assessment pages: a scheme's fields, the indicator grid (read from the POST by
``indicator_rows``), a period to preview or publish, a bonus or penalty item, a reason, a decision."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm
from gaizao.oversight import sources
from gaizao.oversight.scoring import fmt
from gaizao.oversight.choices import (ACCOUNTABILITY_MEASURES, COMMENDATION_MEASURES, Assessed, MissingRule, PeriodKind,
                                      ScoringRule)

MAX_ROWS = 30


class SchemeForm(StyledForm):
    campaign = forms.ModelChoiceField(label=_("攻坚行动"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=200)
    assessed = forms.ChoiceField(label=_("考核对象"), choices=Assessed.choices)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    total = forms.DecimalField(label=_("总分"), max_digits=6, decimal_places=2, initial=100)
    excellent_min = forms.DecimalField(label=_("优秀（不低于）"), max_digits=6, decimal_places=2, initial=90)
    good_min = forms.DecimalField(label=_("良好（不低于）"), max_digits=6, decimal_places=2, initial=80)
    pass_min = forms.DecimalField(label=_("合格（不低于）"), max_digits=6, decimal_places=2, initial=60)
    commend_runs = forms.IntegerField(label=_("连续第一名几期建议表彰"), min_value=0, max_value=12, initial=2)
    account_runs = forms.IntegerField(label=_("连续末名几期建议问责"), min_value=0, max_value=12, initial=2)
    missing_rule = forms.ChoiceField(label=_("数据缺失的指标"), choices=MissingRule.choices, initial=MissingRule.RESCALE,
                                     help_text=_("如本期没有到期的任务：该项标注“数据缺失”，总分按此计算"))

    def __init__(self, *args, campaigns=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["campaign"]
        else:
            self.fields["campaign"].queryset = campaigns


class PeriodForm(StyledForm):
    period = forms.CharField(label=_("考核期"), max_length=16, help_text=_("如 2026-11（月）、2026-Q4（季）、2026（年）"))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustmentForm(StyledForm):
    period = forms.CharField(label=_("考核期"), max_length=16)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    points = forms.DecimalField(label=_("加减分（扣分填负数）"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("事由"), max_length=300)
    document_number = forms.CharField(label=_("依据文号"), max_length=60, required=False)
    document = forms.FileField(label=_("依据文件"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


MEASURE_CHOICES = {"commendation": [(m.value, m.label) for m in COMMENDATION_MEASURES],
                   "accountability": [(m.value, m.label) for m in ACCOUNTABILITY_MEASURES]}


class ConfirmForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    measure = forms.ChoiceField(label=_("方式"), choices=())
    reason = forms.CharField(label=_("事由"), max_length=300, required=False)
    decided_on = forms.DateField(label=_("决定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    document = forms.FileField(label=_("文件"), required=False)

    def __init__(self, *args, kind="commendation", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = MEASURE_CHOICES[kind]


class RejectForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("否决理由"), max_length=300, required=False)


# --- the indicator grid --------------------------------------------------------------------------------

GRID_FIELDS = ("name", "weight", "source", "metric", "measure", "rule", "target", "base", "above", "below", "cap",
               "floor", "steps", "otherwise", "expression")


def _steps_text(steps) -> str:
    return "；".join(f"{low}:{points}" for low, points in steps or [])


def grid_initial(indicators, blank: int = 2) -> list[dict]:
    """The grid's rows from saved indicators, and ``blank`` empty rows to add more."""
    rows = []
    for ind in indicators:
        p = ind.rule_params or {}
        rows.append({"name": ind.name, "weight": fmt(ind.weight), "source": ind.source,
                     "metric": (ind.params or {}).get("metric", ""), "measure": (ind.params or {}).get("measure", ""),
                     "rule": ind.rule, "target": p.get("target", ""), "base": p.get("base", ""),
                     "above": p.get("above", ""), "below": p.get("below", ""), "cap": p.get("cap", ""),
                     "floor": p.get("floor", ""), "steps": _steps_text(p.get("steps")),
                     "otherwise": p.get("otherwise", ""), "expression": ind.expression})
    rows += [dict.fromkeys(GRID_FIELDS, "") for _ in range(blank)]
    for i, row in enumerate(rows, start=1):
        row["i"] = i
    return rows


def _parse_steps(text: str):
    out = []
    for part in text.replace("，", "；").replace(",", "；").replace(";", "；").split("；"):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        low, _sep, points = part.partition(":")
        out.append([low.strip(), points.strip()])
    return out


def indicator_rows(data) -> tuple[list[dict], list[dict]]:
    """(rows for ``indicators_set``, the grid as posted for showing again). Rows without a name are skipped."""
    posted, rows = [], []
    for i in range(1, MAX_ROWS + 1):
        cell = {f: str(data.get(f"ind-{i}-{f}", "")).strip() for f in GRID_FIELDS}
        if not any(cell.values()) and f"ind-{i}-name" not in data:
            continue
        cell["i"] = len(posted) + 1
        posted.append(cell)
        if not cell["name"] and not cell["weight"]:
            continue
        params = {k: cell[k] for k in ("metric", "measure") if cell[k]}
        rule = cell["rule"] or ScoringRule.LINEAR
        rule_params = {k: cell[k] for k in ("target", "base", "above", "below", "cap", "floor", "otherwise")
                       if cell[k] != ""}
        if rule == ScoringRule.THRESHOLDS:
            rule_params["steps"] = _parse_steps(cell["steps"])
        rows.append({"name": cell["name"], "weight": cell["weight"], "source": cell["source"], "params": params,
                     "rule": rule, "rule_params": rule_params, "expression": cell["expression"]})
    return rows, posted


def source_choices() -> list[tuple[str, str]]:
    return sources.choices()


def rule_choices():
    return ScoringRule.choices


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
