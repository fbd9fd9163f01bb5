"""The office's form for what follows a lapsed signing period (期满未达标处置)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm
from gaizao.progress.models import SigningOutcome


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SigningOutcomeForm(StyledForm):
    decision = forms.ChoiceField(label=_("处置"), choices=SigningOutcome.Decision.choices,
                                 widget=forms.RadioSelect)
    decided_on = _date(_("决定日期"), required=True)
    new_start = _date(_("新签约期开始"))
    new_end = _date(_("新签约期结束"))
    reason = forms.CharField(label=_("理由及依据"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("10 到 500 个字，写明会议纪要或批复文号。"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
