"""Forms of the inspection pages (督查 / 整改): an inspection, a finding with photos, a fix, a verification,
and the rectification list's filters. They parse; the services check and their refusals come back beside
the field (``StyledForm.apply_error``)."""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.policies import campaign_scope
from gaizao.campaign.services.tasks import campaign_units
from gaizao.core.forms import StyledForm
from gaizao.org.models import User
from gaizao.oversight.choices import FindingStatus
from gaizao.progress.forms.events import MultipleFileField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPEN = "open"  # a status filter: not yet verified
PHOTO_HELP = _("JPG、PNG 或手机拍照，一次最多 9 张；保存时转正、去除位置信息并压缩")


def _date(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DATE_INPUT)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username}（{getattr(obj, 'unit_name', '')}）"


class InspectionForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("督查名称"), required=False, max_length=200)
    held_on = _date(_("督查日期"))
    inspectors = forms.CharField(label=_("督查人员"), required=False, max_length=300)
    units = UnitsField(label=_("被督查单位"), queryset=None, required=False,
                       widget=forms.SelectMultiple(attrs={"size": 8}))
    places = forms.CharField(label=_("督查地点"), required=False, max_length=300)
    campaign = forms.ModelChoiceField(label=_("攻坚行动"), queryset=None, required=False, empty_label=_("（不限）"))
    summary = forms.CharField(label=_("总体情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    wide_fields = ("summary",)

    def __init__(self, *args, user, inspection=None, **kwargs):
        if inspection is not None:
            kwargs.setdefault("initial", {
                "version": inspection.version, "title": inspection.title, "held_on": inspection.held_on,
                "inspectors": inspection.inspectors, "units": [u.pk for u in inspection.units.all()],
                "places": inspection.places, "campaign": inspection.campaign_id, "summary": inspection.summary})
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = campaign_units()
        self.fields["campaign"].queryset = campaign_scope(user).order_by("-year", "-starts_on", "-id")
        if inspection is None:
            del self.fields["version"]

    def values(self) -> dict:
        values = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        values["units"] = list(values.get("units") or [])
        return values


class FindingForm(StyledForm):
    unit = UnitChoiceField(label=_("整改责任单位"), queryset=None, required=False)
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    text = forms.CharField(label=_("发现问题"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = OwnerChoiceField(label=_("整改责任人"), queryset=None, required=False, empty_label=_("（单位负责，不指定）"))
    deadline = _date(_("整改期限"), help_text=_("遇休息日顺延至下一个工作日"))
    workdays = forms.IntegerField(label=_("或：整改时限（工作日）"), required=False, min_value=1, max_value=1000,
                                  help_text=_("从今天起算的工作日数，与整改期限只填一项"))
    photos = MultipleFileField(label=_("问题照片"), required=False, help_text=PHOTO_HELP)
    wide_fields = ("text", "requirement", "photos")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True, memberships__org_unit__in=units)
            .annotate(unit_name=F("memberships__org_unit__name")).order_by("memberships__org_unit__path", "full_name")
            .distinct())
        self.fields["photos"].widget.attrs.update({"accept": "image/*"})


class FixForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("整改照片"), required=False, help_text=PHOTO_HELP)
    wide_fields = ("note", "photos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment"})


class VerifyForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("核验结论"), required=False,
                                 choices=[("pass", _("通过，销号")), ("return", _("不通过，退回重新整改"))])
    reason = forms.CharField(label=_("不通过的原因"), required=False, max_length=300)

    def passed(self) -> bool:
        return self.cleaned_data.get("decision") != "return"


class FindingFilterForm(StyledForm):
    unit = UnitChoiceField(label=_("责任单位"), queryset=None, required=False, empty_label=_("全部单位"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[(OPEN, _("未销号（含待核验）")), ("", _("全部状态")), *FindingStatus.choices])
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["status"].initial = OPEN
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {"status": OPEN}
        status = data.get("status")
        return {"unit": data.get("unit"), "status": status if status and status != OPEN else None,
                "open_only": status == OPEN, "overdue": True if data.get("overdue") else None,
                "after": data.get("after")}
