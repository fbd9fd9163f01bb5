"""Forms of the legal path (补偿决定的法定程序): record a step, filter the list. The rules are the
service's (``progress.legal``); a form only parses what was typed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm
from gaizao.progress import legal
from gaizao.progress.forms.events import DATE_INPUT, ProgressForm
from gaizao.progress.selectors.hardcases import hardcase_filter_options

STEP_CHOICES = [(k.value, k.label) for k in legal.RECORDABLE]
RESULT_CHOICES = [("", _("（不适用）")), *legal.ReviewResult.choices, *legal.RulingResult.choices]
WAY_CHOICES = [("", _("（不适用）")), *legal.ServiceWay.choices]


class LegalStepForm(ProgressForm):
    """Record the next step of a legal path, with its document (文书)."""

    kind = forms.ChoiceField(label=_("程序步骤"), choices=STEP_CHOICES)
    on_date = forms.DateField(label=_("日期"), widget=DATE_INPUT)
    way = forms.ChoiceField(label=_("送达方式"), choices=WAY_CHOICES, required=False,
                            help_text=_("登记“送达”时必选。"))
    result = forms.ChoiceField(label=_("结果"), choices=RESULT_CHOICES, required=False,
                               help_text=_("登记复议决定、诉讼判决或裁定、法院裁定时必选。"))
    document_number = forms.CharField(label=_("文号"), required=False, max_length=100)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label=_("文书扫描件"), required=False,
                               help_text=_("PDF、JPG、PNG、DOCX 或 XLSX，不超过 20 MB。"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on_date", timezone.localdate())
        if allowed:
            kwargs["initial"].setdefault("kind", allowed[0])
        super().__init__(*args, **kwargs)
        if allowed is not None:  # offer what may come next; any step is accepted (the service judges)
            offered = set(allowed)
            if self.is_bound and self.data.get("kind") in dict(STEP_CHOICES):
                offered.add(self.data.get("kind"))
            self.fields["kind"].widget.choices = [c for c in STEP_CHOICES if c[0] in offered]
        self.fields["document"].widget.attrs.update({"class": "form-control",
                                                     "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"})

    def values(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "on_date": data["on_date"], "way": data.get("way") or "",
                "result": data.get("result") or "", "document_number": data.get("document_number") or "",
                "note": data.get("note") or "", "document": data.get("document"), "version": data["version"]}


class LegalFilterForm(StyledForm):
    step = forms.ChoiceField(label=_("当前步骤"), required=False,
                             choices=[("", _("全部步骤")), *legal.StepKind.choices])
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"))
    village = forms.ModelChoiceField(label=_("城中村"), queryset=None, required=False, empty_label=_("全部城中村"))
    ended = forms.BooleanField(label=_("含已结束的"), required=False,
                               widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets, villages = hardcase_filter_options(user)  # the same reach: the legal path's rows are the hard cases'
        self.fields["street"].queryset = streets
        self.fields["village"].queryset = villages
        self.fields["ended"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {"step": data.get("step") or None, "street": data.get("street"), "village": data.get("village"),
                "open_only": not data.get("ended"), "after": data.get("after")}
