"""Forms of the publicity pages (公示): publish a round, record an objection, answer it, publish the answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import PublicityKind
from gaizao.compensation.services.publicity import MAX_DAYS
from gaizao.core.forms import StyledForm


def _date(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class PublishForm(StyledForm):
    """A new round: its kind, its period (a start and an end, or a number of days) and its title and note."""

    wide_fields = ("household_numbers", "title", "note")
    kind = forms.ChoiceField(label=_("公示类别"), choices=PublicityKind.choices)
    starts_on = _date(_("公示开始日期"), help_text=_("不填为今天。"))
    days = forms.IntegerField(label=_("公示天数"), required=False, min_value=1, max_value=MAX_DAYS,
                              help_text=_("不填结束日期时按天数计算（含开始当天），最多 %(m)d 天。") % {"m": MAX_DAYS})
    ends_on = _date(_("公示结束日期"), help_text=_("填了结束日期则不看天数。"))
    household_numbers = forms.CharField(
        label=_("公示的户号"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不填为本项目全部住户（已撤出的除外）；只公示部分住户时填写户号，每行一个或用顿号分隔。"))
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("不填则为“项目名称 + 公示类别（第 N 轮）”。"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        return dict(self.cleaned_data)


class ObjectionForm(StyledForm):
    wide_fields = ("content",)
    submitter = forms.CharField(label=_("提出人"), max_length=50, required=False)
    household_number = forms.CharField(label=_("涉及的户号"), max_length=32, required=False,
                                       help_text=_("异议针对某一户时填写。"))
    received_on = _date(_("收到日期"), help_text=_("须在公示期内；不填为今天。"))
    content = forms.CharField(label=_("异议内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StyledForm):
    wide_fields = ("answer",)
    answer = forms.CharField(label=_("答复"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    answered_on = _date(_("答复日期"), help_text=_("不填为今天。"))
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PublishAnswerForm(StyledForm):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
