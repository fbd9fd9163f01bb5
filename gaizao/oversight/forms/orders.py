"""Forms of the supervision order pages (督办单): filters, the draft, and each step's small form. They
parse what was typed; the services check it and their refusals come back beside the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.models import Campaign
from gaizao.campaign.services.tasks import campaign_units
from gaizao.core.forms import StyledForm
from gaizao.oversight.choices import OrderColour, OrderLevel, OrderStatus, SubjectKind
from gaizao.oversight.selectors.orders import OPEN
from gaizao.progress.forms.events import MultipleFileField


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class OrderFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), (OPEN, _("未销号（已下发）")), *OrderStatus.choices])
    colour = forms.ChoiceField(label=_("颜色"), required=False, choices=[("", _("全部颜色")), *OrderColour.choices])
    unit = UnitChoiceField(label=_("承办单位"), queryset=None, required=False, empty_label=_("全部单位"))
    level = forms.ChoiceField(label=_("督办等级"), required=False, choices=[("", _("全部等级")), *OrderLevel.choices])
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = campaign_units()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {"status": data.get("status") or None, "colour": data.get("colour") or None,
                "unit": data.get("unit"), "level": data.get("level") or None, "after": data.get("after")}


SUBJECT_CHOICES = [(k, label) for k, label in SubjectKind.choices if k != SubjectKind.APPEAL]


class OrderForm(StyledForm):
    """A draft: new (with its subject) or an edit (``order``: the subject stays)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("督办事项"), required=False, max_length=200)
    unit = UnitChoiceField(label=_("承办单位"), queryset=None, required=False,
                           help_text=_("不选时为督办对象所在的街道或责任单位"))
    level = forms.ChoiceField(label=_("督办等级"), required=False, choices=OrderLevel.choices)
    deadline_workdays = forms.IntegerField(label=_("办理时限（工作日）"), required=False, min_value=1, max_value=250,
                                           help_text=_("自下发之日起算；不填按等级默认"))
    campaign = forms.ModelChoiceField(label=_("攻坚行动"), queryset=Campaign.objects.order_by("-year", "-id"),
                                      required=False, empty_label=_("（不限）"))
    subject_kind = forms.ChoiceField(label=_("督办对象类型"), required=False, choices=SUBJECT_CHOICES)
    subject_id = forms.IntegerField(label=_("督办对象编号"), required=False, min_value=1,
                                    help_text=_("任务、目标、城中村、户或督查问题的编号"))
    requirement = forms.CharField(label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    wide_fields = ("requirement",)

    def __init__(self, *args, order=None, **kwargs):
        if order is not None:
            kwargs.setdefault("initial", {
                "version": order.version, "title": order.title, "unit": order.unit_id, "level": order.level,
                "deadline_workdays": order.deadline_workdays, "campaign": order.campaign_id,
                "requirement": order.requirement})
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = campaign_units()
        if order is None:
            del self.fields["version"]
        else:
            del self.fields["subject_kind"], self.fields["subject_id"]

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class VersionForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewForm(VersionForm):
    approve = forms.TypedChoiceField(label=_("审核意见"), choices=[("1", _("同意下发")), ("0", _("退回修改"))],
                                     coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect)
    note = forms.CharField(label=_("意见说明"), required=False, max_length=300,
                           help_text=_("退回修改时必填"))


class FeedbackForm(VersionForm):
    text = forms.CharField(label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("佐证材料"), required=False,
                              help_text=_("PDF、JPG、PNG、DOCX 或 XLSX，每个不超过 20 MB，一次最多 10 个"))
    wide_fields = ("text", "files")


class VerifyForm(VersionForm):
    passed = forms.TypedChoiceField(label=_("核验结果"), choices=[("1", _("通过，销号")), ("0", _("不通过，退回重办"))],
                                    coerce=lambda v: v == "1", initial="1", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("退回原因"), required=False, max_length=300, help_text=_("不通过时必填"))


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("撤销原因"), required=False, max_length=300)
