"""The form of a change request after 公示 (变更申请): the values to change (the fields of the row it changes, shown as
they stand), the reason and the evidence; and the decision's note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import ChangeKind
from gaizao.compensation.models import Valuation
from gaizao.compensation.services.changes import BUILDING_FIELDS, VALUATION_FIELDS
from gaizao.core.forms import StyledForm
from gaizao.ledger.hooks import BUILDING_INPUTS
from gaizao.ledger.models import Building, Household, Person

# (kind, target) -> (operation, model whose fields the form shows, fields). Targets: building, person (an existing
# row, ?building= / ?person=), new (a row to add), household (the household's own fields).
TARGETS = {
    (ChangeKind.BUILDING, "building"): ("building_update", Building, BUILDING_FIELDS),
    (ChangeKind.BUILDING, "new"): ("building_add", Building, ("number", *sorted(BUILDING_INPUTS))),
    (ChangeKind.BUILDING, "household"): ("household_update", Household, ("land_type", "use")),
    (ChangeKind.LEGALITY, "building"): ("legality", Building, ("legality",)),
    (ChangeKind.MEMBERS, "person"): ("person_update", Person, ("relation", "hukou")),
    (ChangeKind.MEMBERS, "new"): ("person_add", Person, ("name", "relation", "hukou")),
    (ChangeKind.MEMBERS, "household"): ("household_update", Household, ("member_count",)),
    (ChangeKind.VALUATION, "building"): ("valuation", Valuation, VALUATION_FIELDS),
    (ChangeKind.SCHEME, "project"): ("scheme", None, ()),
}
# What a kind offers to change, as the page lists it before a target is chosen.
TARGET_LABELS = {"building": _("修改房屋"), "new": _("新增"), "household": _("修改本户"), "person": _("修改成员"),
                 "project": _("方案")}


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class ChangeRequestForm(StyledForm):
    """The values to change (built from the row's model fields), the reason and the evidence."""

    wide_fields = ("reason", "evidence")

    def __init__(self, *args, kind: str, target: str, current=None, schemes=(), **kwargs):
        self.kind, self.target, self.current = kind, target, current
        self.op, model, names = TARGETS[(kind, target)]
        initial = kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        self.value_names = list(names)
        for name in names:
            field = model._meta.get_field(name).formfield()
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if name == "kind" and model is Valuation:
                field.label = _("评估类别")
                field.help_text = _("已有评估的房屋须为复核或鉴定。")
            field.required = field.required and (target == "new" or name in ("unit_price", "valued_on", "valuer"))
            self.fields[name] = field
            if current is not None and hasattr(current, name) and name not in initial:
                self.initial[name] = getattr(current, name)
        if self.op == "scheme":
            self.fields["scheme"] = forms.TypedChoiceField(label=_("新版补偿方案（草稿）"), coerce=int,
                                                           choices=[(s.pk, str(s)) for s in schemes])
            self.value_names = ["scheme"]
        self.fields["reason"] = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 3}),
                                                required=False, help_text=_("写明变更的原因和依据（至少 4 个字）。"))
        self.fields["evidence"] = forms.FileField(label=_("证明材料"), required=False,
                                                  help_text=_("PDF、JPG 或 PNG 文件，不超过 10 MB。"))
        self.order_fields([*self.value_names, "reason", "evidence"])

    def payload(self) -> dict:
        """The change as the service takes it: the operation, its target and the values that differ."""
        data = self.cleaned_data
        if self.op == "scheme":
            return {"op": "scheme", "scheme": data.get("scheme")}
        values = {name: _text(data.get(name)) for name in self.value_names}
        if self.op == "valuation":
            return {"op": "valuation", "building": self.current.pk, "entry": values}
        if self.current is not None and self.op != "building_add" and self.op != "person_add":
            values = {k: v for k, v in values.items() if v != _text(getattr(self.current, k))}
        op = "building_update" if self.op == "legality" else self.op
        payload: dict = {"op": op, "changes": values}
        if op == "building_update":
            payload["building"] = self.current.pk
        elif op == "person_update":
            payload["person"] = self.current.pk
        return payload


class DecisionForm(StyledForm):
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
