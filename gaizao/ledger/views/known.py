"""The office's page of the ledger's lists (可选值): building structures and uses, the built-in values and
those added; add one, retire one or offer it again. Only the office and the admin reach it (404 otherwise)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gaizao.core.forms import StyledForm
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.ledger import known
from gaizao.ledger.choices import KnownList
from gaizao.ledger.models import KnownValue
from gaizao.ledger.policies import known_values_can_change
from gaizao.ledger.services.known import known_value_add, known_value_set_active


class KnownValueForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("列表"), choices=KnownList.choices)
    label = forms.CharField(label=gettext_lazy("名称"), max_length=50, required=False,
                            help_text=gettext_lazy("如“钢木”“砖石”；最多 16 个字。"))
    aliases = forms.CharField(label=gettext_lazy("其他写法（选填）"), max_length=200, required=False,
                              help_text=gettext_lazy("导入时也认作该值的写法，用“、”隔开，如“钢木结构、钢木房”。"))


@login_required
@require_http_methods(["GET", "POST"])
def known_values(request):
    if not known_values_can_change(request.user):
        raise Http404(_("页面不存在。"))
    form = KnownValueForm(request.POST if request.POST.get("action") == "add" else None,
                          initial={"kind": request.GET.get("kind") or KnownList.STRUCTURE})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "toggle":
            value = get_in_scope(KnownValue.objects.all(), pk=request.POST.get("pk") or 0) \
                if (request.POST.get("pk") or "").isdigit() else None
            if value is None:
                raise Http404(_("不存在或无权操作。"))
            active = request.POST.get("active") == "1"
            if form.submit(lambda: known_value_set_active(actor=request.user, value=value, active=active,
                                                           version=int(request.POST.get("version") or 0),
                                                           ip=_ip(request))):
                messages.success(request, (_("已恢复可选值“%(l)s”。") if active else _("已停用可选值“%(l)s”，已登记的房屋和住户不受影响。"))
                                 % {"l": value.label})
                return redirect(reverse("ledger:known_values"))
            messages.error(request, form.non_field_errors()[0] if form.non_field_errors() else _("操作未完成。"))
            return redirect(reverse("ledger:known_values"))
        if form.is_valid() and form.submit(lambda: known_value_add(
                actor=request.user, kind=form.cleaned_data["kind"], label=form.cleaned_data["label"],
                aliases=form.cleaned_data["aliases"], ip=_ip(request))):
            messages.success(request, _("已增加可选值“%(l)s”，录入页面、导入模板和导入校验即可使用。") % {"l": form.result.label})
            return redirect(reverse("ledger:known_values"))
        status = getattr(form, "error_status", 400)
    added = {kind: [] for kind in KnownList.values}
    for value in KnownValue.objects.order_by("kind", "label"):
        added[value.kind].append(value)
    lists = [{"kind": kind, "label": label, "built_in": [str(lbl) for _v, lbl in known.BUILT_IN[kind].choices],
              "added": added[kind]} for kind, label in KnownList.choices]
    return render(request, "ledger/known_values.html", {
        "form": form, "lists": lists, "breadcrumbs": [(_("可选值"), None)],
    }, status=status)
