"""The forms of the valuations area (评估结果): one building's valuation entered on the household's page,
and the import's upload and confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import ValuationKind
from gaizao.core.forms import StyledForm


class ValuationForm(StyledForm):
    building = forms.ChoiceField(label=_("房屋"))
    kind = forms.ChoiceField(label=_("类别"), choices=ValuationKind.choices, initial=ValuationKind.INITIAL)
    unit_price = forms.DecimalField(label=_("评估单价（元/㎡）"), max_digits=14, decimal_places=2)
    decoration = forms.DecimalField(label=_("装修评估（元）"), max_digits=14, decimal_places=2, required=False)
    valued_on = forms.DateField(label=_("评估日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valuer = forms.CharField(label=_("评估机构"), max_length=100)
    appraiser = forms.CharField(label=_("估价师"), max_length=50, required=False)
    report_no = forms.CharField(label=_("评估报告编号"), max_length=64, required=False)
    reason = forms.CharField(label=_("复核或鉴定理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("复核、鉴定时必填；原评估结果保留，新结果成为现行有效的评估。"))
    wide_fields = ("reason",)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", _("请选择")), *[(str(b.pk), b.number) for b in buildings]]


class ImportForm(StyledForm):
    project = forms.ModelChoiceField(label=_("项目"), queryset=None)
    file = forms.FileField(label=_("评估结果文件（XLSX）"), help_text=_("按模板填写，每栋房屋一行；上传后先预览，确认后才导入。"))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ConfirmForm(StyledForm):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
