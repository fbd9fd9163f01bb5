"""Pages of the records area (表彰问责): the list, a record entered directly, a unit's record page (its
scores over the periods, proposals and records) and a person's record page. Out of reach: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gaizao.core.editing import edit_page
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.oversight import periods
from gaizao.oversight.forms.records import RecordForm
from gaizao.oversight.policies.records import record_can_write, record_reader, record_scope, record_unit_scope
from gaizao.oversight.selectors import records as selectors
from gaizao.oversight.services.records import record_create


def _crumbs(*more) -> list:
    return [(_("表彰问责"), reverse("oversight:record_list")), *more]


@login_required
@require_GET
def record_list(request):
    if not record_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    kind = request.GET.get("kind") or None
    return render(request, "oversight/records/list.html", {
        "records": list(selectors.record_list(request.user, kind=kind if kind in ("commendation", "accountability")
                                              else None)[:500]),
        "units": list(record_unit_scope(request.user).order_by("kind", "path")), "kind": kind,
        "can_write": record_can_write(request.user), "breadcrumbs": [(_("表彰问责"), None)]})


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request):
    if not record_can_write(request.user):
        raise Http404(_("不存在或无权操作。"))
    from gaizao.org.models import User

    units = record_unit_scope(request.user).order_by("kind", "path")
    form = RecordForm(request.POST or None, request.FILES or None, units=units,
                      people=User.objects.filter(memberships__org_unit__in=units).distinct().order_by("full_name"),
                      initial={"decided_on": timezone.localdate()})
    return edit_page(
        request, form,
        save=lambda f: record_create(actor=request.user, ip=_ip(request), **f.cleaned_data),
        done=lambda r: reverse("oversight:unit_record", args=[r.unit_id]), message=_("已记录。"),
        page=lambda status: render(request, "oversight/records/form.html", {
            "form": form, "title": _("记录表彰问责"), "cancel_url": reverse("oversight:record_list"),
            "breadcrumbs": _crumbs((_("记录表彰问责"), None))}, status=status))


@login_required
@require_GET
def unit_record(request, pk: int):
    """单位档案: the unit's scores over the periods, the proposals about it and its records."""
    data = selectors.unit_record(request.user, pk)
    for s in data["scores"]:
        s["label"] = periods.label(s["period"])
    return render(request, "oversight/records/unit.html", {
        **data, "breadcrumbs": _crumbs((data["unit"].name, None))})


@login_required
@require_GET
def person_record(request, pk: int):
    """个人档案: a person's commendations and accountabilities."""
    data = selectors.person_record(request.user, pk)
    return render(request, "oversight/records/person.html", {
        **data, "breadcrumbs": _crumbs((str(data["person"]), None))})


@login_required
@require_GET
def record_document(request, pk: int):
    """The document file of a record, to whoever reads the record (404 otherwise, or when it has none)."""
    record = get_in_scope(record_scope(request.user).exclude(document=""), pk=pk)
    try:
        handle = record.document.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    return FileResponse(handle, filename=record.document.name.rsplit("/", 1)[-1], as_attachment=True)


urlpatterns = [
    path("records/", record_list, name="record_list"),
    path("records/new/", record_new, name="record_new"),
    path("records/units/<int:pk>/", unit_record, name="unit_record"),
    path("records/people/<int:pk>/", person_record, name="person_record"),
    path("records/<int:pk>/document/", record_document, name="record_document"),
]
