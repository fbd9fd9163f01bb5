"""Forms of the hard-case (攻坚户) and consultation (意愿征询) pages.

They parse what was typed; the services check it and their errors come back beside the field
(``StyledForm.apply_error``). Fields the services check are optional here, so that the message
the user reads is the service's one.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.ledger.forms import FastSelect
from gaizao.ledger.selectors import cadre_options
from gaizao.core.forms import StyledForm
from gaizao.progress.choices import ConsultationAnswerChoice, DifficultyReason
from gaizao.progress.forms.events import MultipleFileField
from gaizao.progress.selectors import hardcase_filter_options
from gaizao.progress.services.photos import MAX_BYTES, MAX_PHOTOS


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _text_area(label, *, rows=3, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


def _reason_field():
    return forms.ChoiceField(label=_("难点类型"), required=False,
                             choices=[("", _("请选择")), *DifficultyReason.choices])


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.username


def _cadre_field(street, *, empty_label):
    return CadreChoiceField(label=_("包户干部"), required=False, queryset=cadre_options(street),
                            empty_label=empty_label)


class HardCaseFilterForm(StyledForm):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"),
                                    widget=FastSelect)
    village = forms.ModelChoiceField(label=_("城中村"), queryset=None, required=False,
                                     empty_label=_("全部城中村"), widget=FastSelect)
    reason = forms.ChoiceField(label=_("难点类型"), required=False,
                               choices=[("", _("全部难点")), *DifficultyReason.choices], widget=FastSelect)
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets, villages = hardcase_filter_options(user)
        self.fields["street"].queryset = streets
        self.fields["village"].queryset = villages
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def valid_or_unbound(self) -> bool:
        return not self.is_bound or self.is_valid()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {
            "street": data.get("street"),
            "village": data.get("village"),
            "reason": data.get("reason") or None,
            "overdue": True if data.get("overdue") else None,
            "after": data.get("after"),
        }


class HardCaseOpenForm(StyledForm):
    reason = _reason_field()
    reason_detail = _text_area(_("难点说明"), help_text=_("例如：对评估价格有异议，要求按商品房价格补偿"))
    strategy = _text_area(_("一户一策"), rows=4, help_text=_("针对本户的工作措施：谁去做、做什么、何时完成"))
    cadre = forms.ModelChoiceField(label=_("包户干部"), queryset=None, required=False)
    opened_on = _date(_("列入日期"))
    next_visit_on = _date(_("计划走访日期"))
    wide_fields = ("reason_detail", "strategy")

    def __init__(self, *args, household, **kwargs):
        kwargs.setdefault("initial", {"opened_on": timezone.localdate(), "cadre": household.cadre_id})
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = _cadre_field(household.street, empty_label=_("（暂不指派）"))
        self.fields["cadre"].widget.attrs["class"] = "form-select"

    def values(self) -> dict:
        return dict(self.cleaned_data)


class HardCaseEditForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = _reason_field()
    reason_detail = _text_area(_("难点说明"))
    strategy = _text_area(_("一户一策"), rows=5)
    cadre = forms.ModelChoiceField(label=_("包户干部"), queryset=None, required=False)

    def __init__(self, *args, hard_case, **kwargs):
        kwargs.setdefault("initial", {
            "version": hard_case.version, "reason": hard_case.reason, "reason_detail": hard_case.reason_detail,
            "strategy": hard_case.strategy, "cadre": hard_case.household.cadre_id,
        })
        super().__init__(*args, **kwargs)
        self.fields["cadre"] = _cadre_field(hard_case.street, empty_label=_("（未指派）"))
        self.fields["cadre"].widget.attrs["class"] = "form-select"

    @property
    def version_value(self):
        return self.cleaned_data.get("version")

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class VisitForm(StyledForm):
    visited_on = _date(_("走访日期"))
    visitors = forms.CharField(label=_("参加人员"), required=False, max_length=200,
                               widget=forms.TextInput(attrs={"placeholder": _("例如：陈包户、村委王主任")}))
    talk = _text_area(_("沟通情况"), rows=4, help_text=_("谈了什么，住户的态度和诉求"))
    next_step = _text_area(_("下一步措施"), rows=2)
    next_visit_on = _date(_("计划下次走访"))
    # On a phone, ``capture`` opens the back camera; on a computer it is an ordinary file picker.
    photos = MultipleFileField(label=_("现场照片"), required=False)
    wide_fields = ("talk", "next_step", "photos")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update({"class": "form-control", "accept": "image/*",
                                                   "capture": "environment"})
        self.fields["photos"].help_text = _(
            "可直接用手机拍照，最多 %(n)d 张，每张不超过 %(m)d MB；照片会缩小保存，并去除拍摄位置等信息。") % {
            "n": MAX_PHOTOS, "m": MAX_BYTES // 1048576}


class CloseForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    closed_on = _date(_("销号日期"))
    note = forms.CharField(label=_("销号说明"), required=False, max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：已达成一致，待签约")}))

    def __init__(self, *args, hard_case, **kwargs):
        kwargs.setdefault("initial", {"version": hard_case.version, "closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConsultationForm(StyledForm):
    """Open a consultation round: its period (征询期)."""

    held_on = _date(_("征询开始日期"))
    ends_on = _date(_("征询截止日期"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConsultationAnswerForm(StyledForm):
    """One household's answer (住户意见) in a consultation, by its number (户号)."""

    household = forms.CharField(label=_("户号"), required=False, max_length=64)
    answer = forms.ChoiceField(label=_("意见"), required=False,
                               choices=[("", "—"), *ConsultationAnswerChoice.choices])
    answered_on = _date(_("表态日期"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"answered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
