"""Forms of the periodic report pages (定期汇报): the street's narrative, the office's return and reopen.

They parse what was typed; the services check it, and their errors come back beside the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm


def _area(label, *, rows=4, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ReportForm(StyledForm):
    """本期工作 / 存在问题 / 下期计划 / 需区级协调事项; ``action`` says save (保存草稿) or submit (提交)."""

    wide_fields = ("work_done", "problems", "next_plan", "help_needed")
    work_done = _area(_("本期工作"), rows=6, help_text=_("提交前必填。"))
    problems = _area(_("存在问题"))
    next_plan = _area(_("下期计划"))
    help_needed = _area(_("需区级协调事项"), rows=3)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, report=None, **kwargs):
        if report is not None and not args:
            kwargs.setdefault("initial", {"work_done": report.work_done, "problems": report.problems,
                                          "next_plan": report.next_plan, "help_needed": report.help_needed,
                                          "version": report.version})
        super().__init__(*args, **kwargs)

    def texts(self) -> dict:
        return {k: self.cleaned_data.get(k) or "" for k in self.wide_fields}


class VersionForm(StyledForm):
    version = forms.IntegerField(label=_("版本"), min_value=1, widget=forms.HiddenInput)


class ReturnForm(VersionForm):
    reason = forms.CharField(label=_("退回原因"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(StyledForm):
    street = forms.IntegerField(widget=forms.HiddenInput)
    period_start = forms.DateField(widget=forms.HiddenInput)
    until = _date(_("开放至"), required=True)
