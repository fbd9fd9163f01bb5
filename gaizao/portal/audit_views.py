"""The audit trail page for the auditor (审计管理员): read only, filtered, newest first.

Nothing here writes, to the audit table or anywhere else. Pages are keyset-paginated on ``id``
(50 a page), so a page costs the same few queries however long the trail grows.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.core.forms import chinese_error_messages
from gaizao.portal.policies import audit_reader

PAGE_SIZE = 50
SHANGHAI = ZoneInfo("Asia/Shanghai")



def _object_type_choices() -> list[tuple[str, str]]:
    """Every model of the project, from the app registry (no query)."""
    choices = [("", gettext_lazy("全部"))]
    for model in apps.get_models():
        if model.__module__.startswith("gaizao."):
            label = model._meta.label_lower
            choices.append((label, f"{model._meta.verbose_name}（{model._meta.app_config.verbose_name}）"))
    return sorted(choices, key=lambda c: c[0])


def _action_choices() -> list[tuple[str, str]]:
    """Every labelled action by its Chinese name (the page never shows the action's code)."""
    labelled = sorted(((code, str(label)) for code, label in audit.ACTION_LABELS.items()), key=lambda c: c[1])
    return [("", gettext_lazy("全部"))] + labelled


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("操作人账号"), required=False, max_length=150)
    # A select of the labelled actions; the address may still carry a prefix ("auth." for every
    # sign-in event), which the filter reads as one.
    action = forms.CharField(label=gettext_lazy("操作"), required=False, max_length=64, widget=forms.Select)
    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    result = forms.ChoiceField(label=gettext_lazy("结果"), required=False,
                               choices=[("", gettext_lazy("全部")), *AuditEntry.Result.choices])
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _object_type_choices()
        self.fields["action"].widget.choices = _action_choices()
        chinese_error_messages(self)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def audit_entry_filter(data: dict) -> QuerySet[AuditEntry]:
    """Entries matching the cleaned filters; dates are whole days in Beijing time."""
    qs = AuditEntry.objects.all()
    if data.get("actor"):
        qs = qs.filter(actor_name=data["actor"].strip())
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"].strip())
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"])
    if data.get("object_id"):
        qs = qs.filter(object_id=data["object_id"].strip())
    if data.get("result"):
        qs = qs.filter(result=data["result"])
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(created_at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return qs


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail (审计日志), for the auditor only; anyone else finds no such page."""
    if not audit_reader(request.user):
        raise Http404(_("页面不存在。"))
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = audit_entry_filter(data)
    before, after = _int_param(request, "before"), _int_param(request, "after")
    if after is not None:
        # Going back towards newer entries: take the oldest PAGE_SIZE above ``after``, then flip.
        chunk = list(qs.filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
        has_newer = len(chunk) > PAGE_SIZE
        entries = list(reversed(chunk[:PAGE_SIZE]))
        has_older = True
    else:
        if before is not None:
            qs = qs.filter(id__lt=before)
        chunk = list(qs.order_by("-id")[: PAGE_SIZE + 1])
        has_older = len(chunk) > PAGE_SIZE
        entries = chunk[:PAGE_SIZE]
        has_newer = before is not None
    filters = {k: request.GET[k] for k in form.fields if request.GET.get(k)}
    base = urlencode(filters)
    join = "&" if base else ""
    rows = [{
        "entry": e,
        "action_label": audit.action_label(e.action),
        "object_label": audit.object_label(e.object_type) if e.object_type else "",
        "actor": audit.actor_label(e.actor_id, e.actor_name),
        "changes": audit.describe_changes(e.object_type, e.changes) if e.changes else [],
    } for e in entries]
    return render(request, "portal/audit_list.html", {
        "breadcrumbs": [(_("审计日志"), None)],
        "form": form,
        "rows": rows,
        "newer_url": f"{request.path}?{base}{join}after={entries[0].id}" if entries and has_newer else None,
        "older_url": f"{request.path}?{base}{join}before={entries[-1].id}" if entries and has_older else None,
        "first_url": f"{request.path}?{base}" if (before or after) else None,
    })
