"""The working-day calendar page (工作日历): the year's holidays, adjusted workdays and the office's
local adjustments; the office and the administrator add or take back an adjustment (core.calendar)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gaizao.core import calendar
from gaizao.core.editing import edit_page
from gaizao.core.forms import StyledForm
from gaizao.core.models import CalendarAdjustment
from gaizao.core.requests import client_ip


class AdjustmentForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("调整为"), choices=CalendarAdjustment.Kind.choices)
    note = forms.CharField(label=gettext_lazy("依据"), max_length=200,
                           help_text=gettext_lazy("如“区政府通知：因台风全区停工一天”"))


def _year(request) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year


@login_required
def calendar_page(request):
    year = _year(request)
    writer = calendar.calendar_writer(request.user)
    form = AdjustmentForm(request.POST if request.method == "POST" else None) if writer else None

    def save(form):
        data = form.cleaned_data
        return calendar.adjustment_set(actor=request.user, day=data["day"], kind=data["kind"], note=data["note"],
                                       ip=client_ip(request))

    return edit_page(request, form, save=save,
                     done=lambda adjustment: f"{reverse('portal:calendar')}?year={adjustment.day.year}",
                     message=lambda adjustment: _("已将 %(day)s 调整为%(kind)s。") % {
                         "day": adjustment.day.isoformat(), "kind": adjustment.get_kind_display()},
                     page=lambda status: render(request, "portal/calendar.html", {
                         "breadcrumbs": [(_("工作日历"), None)], "year": year, "days": calendar.year_days(year),
                         "form": form, "writer": writer, "previous": year - 1, "next": year + 1,
                     }, status=status))


@login_required
@require_POST
def calendar_remove(request):
    if not calendar.calendar_writer(request.user):
        raise Http404(_("页面不存在。"))
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        raise Http404(_("页面不存在。")) from None
    calendar.adjustment_remove(actor=request.user, day=day, ip=client_ip(request))
    return redirect(f"{reverse('portal:calendar')}?year={day.year}")
