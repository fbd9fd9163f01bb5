"""Filter forms of the ledger pages. They parse the query string; selectors do the reading."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gaizao.core.validators import normalize_citizen_id
from gaizao.ledger.choices import LandType, Legality, RenovationMode, Stage
from gaizao.ledger.selectors import household_filter_options, street_list

# 17 digits and a digit or X: someone typed a citizen ID, so a wrong one deserves a clear message.
_LOOKS_LIKE_ID = re.compile(r"^\d{17}[\dXx]$")


def _with_blank(label, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class _TablerForm(forms.Form):
    """Gives every widget Tabler's classes, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def valid_or_unbound(self) -> bool:
        """An empty query string is a valid request for everything in scope."""
        return not self.is_bound or self.is_valid()

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_bound else None


class VillageFilterForm(_TablerForm):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"))
    mode = forms.ChoiceField(label=_("改造方式"), required=False,
                             choices=_with_blank(_("全部方式"), RenovationMode.choices))
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, max_value=99)
    year = forms.IntegerField(label=_("计划年度"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = street_list(user)

    def filters(self) -> dict:
        street = self.value("street")
        return {
            "street_id": street.pk if street else None,
            "mode": self.value("mode") or "",
            "batch": self.value("batch"),
            "year": self.value("year"),
        }


class HouseholdFilterForm(_TablerForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50, widget=forms.TextInput(attrs={
        "placeholder": _("户主姓名、拼音首字母、户号或身份证号"), "autocomplete": "off", "type": "search",
    }))
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"))
    village = forms.ModelChoiceField(label=_("城中村"), queryset=None, required=False, empty_label=_("全部城中村"))
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False, empty_label=_("全部项目"))
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=_with_blank(_("全部阶段"), Stage.choices))
    land_type = forms.ChoiceField(label=_("土地性质"), required=False,
                                  choices=_with_blank(_("全部"), LandType.choices))
    legality = forms.ChoiceField(label=_("房屋认定"), required=False,
                                 choices=_with_blank(_("全部"), Legality.choices))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        options = household_filter_options(user)
        self.fields["street"].queryset = options.streets
        self.fields["village"].queryset = options.villages
        self.fields["project"].queryset = options.projects

    def clean_q(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data.get("q") or "").strip()
        folded = re.sub(r"\s+", "", text)
        if _LOOKS_LIKE_ID.match(folded):
            try:
                normalize_citizen_id(folded)
            except ValidationError as exc:
                raise ValidationError(exc.messages[0]) from None
        return text

    def filters(self) -> dict:
        return {
            "q": self.value("q") or "",
            "street_id": getattr(self.value("street"), "pk", None),
            "village_id": getattr(self.value("village"), "pk", None),
            "project_id": getattr(self.value("project"), "pk", None),
            "stage": self.value("stage") or "",
            "land_type": self.value("land_type") or "",
            "legality": self.value("legality") or "",
            "after": self.value("after"),
        }
