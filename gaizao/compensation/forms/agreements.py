"""Forms of the agreements' pages (补偿协议): generate, edit a draft's terms, record the signature."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import Option
from gaizao.compensation.services.agreements import MAX_TRANSITION_MONTHS
from gaizao.core.forms import StyledForm


def _date(label, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class TermsFields(StyledForm):
    """The terms beside the amounts (条例 §25): blank ones take their defaults."""

    payment_terms = forms.CharField(label=_("支付方式和期限"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("留空则按模板：协议生效之日起15日内一次性支付。"))
    swap_flat = forms.CharField(label=_("调换房屋位置"), required=False, max_length=200,
                                help_text=_("产权调换的协议须写明，如：东湖安置区3栋2单元1502室。"))
    move_deadline = _date(_("搬迁期限"), help_text=_("留空则为签约期结束后30日。"))
    transition_months = forms.IntegerField(label=_("过渡期限（月）"), required=False, min_value=0,
                                           max_value=MAX_TRANSITION_MONTHS,
                                           help_text=_("留空则按方案的过渡期限。"))

    def terms(self) -> dict:
        data = self.cleaned_data
        return {"payment_terms": data.get("payment_terms") or "", "swap_flat": data.get("swap_flat") or "",
                "move_deadline": data.get("move_deadline"), "transition_months": data.get("transition_months")}


class AgreementGenerateForm(TermsFields):
    option = forms.ChoiceField(label=_("补偿方式"), required=False,
                               choices=[("", _("按最新测算"))] + list(Option.choices))

    field_order = ["option", "swap_flat", "move_deadline", "transition_months", "payment_terms"]


class AgreementEditForm(TermsFields):
    version = forms.IntegerField(widget=forms.HiddenInput)
    payment_terms = forms.CharField(label=_("支付方式和期限"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    move_deadline = _date(_("搬迁期限"), required=True)
    transition_months = forms.IntegerField(label=_("过渡期限（月）"), min_value=0, max_value=MAX_TRANSITION_MONTHS)


class AgreementSignForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = _date(_("签约日期"), required=True, help_text=_("乙方签字的日期；不能晚于今天，须在项目签约期内。"))
