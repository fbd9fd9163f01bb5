"""The form of a commendation or accountability record entered directly by the office."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm
from gaizao.oversight.choices import Measure, RecordKind


class RecordForm(StyledForm):
    kind = forms.ChoiceField(label=_("类别"), choices=RecordKind.choices)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    person = forms.ModelChoiceField(label=_("人员（可不填）"), queryset=None, required=False)
    measure = forms.ChoiceField(label=_("方式"), choices=Measure.choices)
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    document = forms.FileField(label=_("文件"), required=False)
    wide_fields = ("reason",)

    def __init__(self, *args, units=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["person"].queryset = people
