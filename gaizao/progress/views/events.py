"""Pages that record progress (记录进度): on the household page, in bulk, from Excel; attachments.

The household page's progress card posts here; a refusal shows the household page again, with the
service's message beside the form (400, or 409 for a stale version), and writes nothing. That page
is the ledger's: it is reached by its address (``core.editing.page_again``), never by importing the
ledger's views, and the form reaches the card through the panel registry. Whoever may not write
the household gets 404 (the services decide; the pages find the object through the write scope
first). Attachments are served to whoever reads the household, never from a public
media URL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core import errors
from gaizao.core.pages import keyset_page
from gaizao.core.scoping import get_in_scope
from gaizao.core.editing import edit_page, page_again
from gaizao.ledger import selectors as ledger_selectors
from gaizao.ledger.policies import heritage_can_override
from gaizao.progress import importing
from gaizao.progress.choices import EventKind
from gaizao.progress.forms import (
    BulkFilterForm, BulkRecordForm, CorrectionForm, EventForm, EventsImportForm,
)
from gaizao.progress.models import EventAttachment, StageEvent
from gaizao.progress.policies import event_writer
from gaizao.progress.stages import State, suggested_kinds
from gaizao.progress.templatetags.progress_events import PANEL as EVENTS_PANEL
from gaizao.progress.services.events import event_correct, household_record_event, households_record_stage
from gaizao.core.requests import client_ip as _ip

BULK_PAGE_SIZE = 100


def _household_url(pk: int) -> str:
    return reverse("ledger:household_detail", args=[pk]) + "#progress"


def _label(kind: str) -> str:
    return str(EventKind(kind).label)


# --- one household ------------------------------------------------------------------------------

def _household_again(request, pk: int, sent: dict):
    """The household page (the ledger's) once more, its progress card showing the form sent back."""
    return lambda status: page_again(request, reverse("ledger:household_detail", args=[pk]), status=status,
                                     panels={EVENTS_PANEL: sent})


@login_required
@require_POST
def household_record(request, pk: int):
    """Record the next event of a household (the form of the household page's progress card)."""
    household = get_in_scope(ledger_selectors.household_write_scope(request.user).select_related("project"), pk=pk)
    form = EventForm(request.POST, request.FILES, kinds=suggested_kinds(State.of(household), household.project))

    def save(form):
        return household_record_event(actor=request.user, household=household.pk,
                                      version=form.cleaned_data["version"], ip=_ip(request), **form.values())

    return edit_page(request, form, save=save, show=form.show_error, done=lambda event: _household_url(household.pk),
                     message=lambda event: _("已记录「%(k)s」（%(d)s）。") % {
                         "k": _label(event.kind), "d": f"{event.on_date:%Y-%m-%d}"},
                     page=_household_again(request, household.pk, {"record_form": form}))


@login_required
@require_POST
def event_correct_view(request, pk: int):
    """Correct an event (更正): a new date or void; the original stays, struck through."""
    event = get_in_scope(StageEvent.objects.filter(
        household__in=ledger_selectors.household_write_scope(request.user)), pk=pk)
    form = CorrectionForm(request.POST, prefix=f"c{event.pk}")

    def save(form):
        return event_correct(actor=request.user, event=event.pk, version=form.cleaned_data["version"],
                             ip=_ip(request), **form.values())

    def message(correction) -> str:
        if correction.kind == EventKind.VOID:
            return _("已撤销「%(k)s」记录 #%(id)d。") % {"k": _label(event.kind), "id": event.pk}
        return _("已将「%(k)s」更正为 %(d)s。") % {"k": _label(event.kind), "d": f"{correction.on_date:%Y-%m-%d}"}

    return edit_page(request, form, save=save, show=form.show_error, message=message,
                     done=lambda correction: _household_url(event.household_id),
                     page=_household_again(request, event.household_id,
                                           {"correct_form": form, "correct_event": event.pk}))


@login_required
@require_GET
def attachment_download(request, pk: int):
    """An event's attachment, to whoever reads its household; saved under its original name."""
    attachment = get_in_scope(EventAttachment.objects.filter(
        event__household__in=ledger_selectors.household_scope(request.user)), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在。")) from None
    return FileResponse(handle, content_type=attachment.content_type, as_attachment=True, filename=attachment.name)


# --- many households ----------------------------------------------------------------------------

def _bulk_households(user, project, *, stage: str, after: int | None) -> tuple[list, int | None]:
    """One page (100) of the project's households the user may write, optionally at one stage."""
    qs = ledger_selectors.household_write_scope(user).filter(project=project)
    if stage:
        qs = qs.filter(stage=stage)
    if after:
        qs = qs.filter(id__gt=after)
    page = keyset_page(qs.order_by("id").only("id", "number", "head_name", "stage", "area")[:BULK_PAGE_SIZE + 1],
                       limit=BULK_PAGE_SIZE)
    return page.items, page.next_after


def _bulk_page(request, *, record_form=None, import_form=None, import_result=None, status: int = 200):
    projects = ledger_selectors.project_write_scope(request.user).order_by("code")
    project_list = list(projects)
    query = request.GET.copy()
    sent = record_form if record_form is not None and record_form.is_bound else import_form
    if sent is not None and sent.is_bound:  # a POST sent back: list what its form was about
        query["project"] = query.get("project") or sent.data.get("project", "")
        query["stage"] = query.get("stage") or sent.data.get("stage", "")
    if not query.get("project") and len(project_list) == 1:
        query["project"] = project_list[0].code
    filters = BulkFilterForm(query, projects=projects)
    project = stage = None
    households, next_after = [], None
    if filters.is_valid():
        project = filters.cleaned_data.get("project")
        stage = filters.cleaned_data.get("stage") or ""
        if project is not None:
            households, next_after = _bulk_households(request.user, project, stage=stage,
                                                      after=filters.cleaned_data.get("after"))
    base = {"project": project.code if project else "", "stage": stage or ""}
    next_url = "?" + urlencode({**base, "after": next_after}) if next_after else None
    first_url = "?" + urlencode(base) if filters.is_valid() and filters.cleaned_data.get("after") else None
    if record_form is None:
        record_form = BulkRecordForm(projects=projects, initial={"project": project.code if project else None})
    if import_form is None:
        import_form = EventsImportForm(projects=projects, initial={"project": project.code if project else None})
    ticked = set(record_form.ticked())
    for household in households:
        household.ticked = household.pk in ticked
    return render(request, "progress/events/bulk_record.html", {
        "filters": filters,
        "project": project,
        "has_projects": bool(project_list),
        "households": households,
        "next_url": next_url,
        "first_url": first_url,
        "record_form": record_form,
        "import_form": import_form,
        "import_result": import_result,
        # The office's override of the heritage guard for a batch's 拆除 (street staff are told instead).
        "can_override": heritage_can_override(request.user),
        "breadcrumbs": [(_("批量记录进度"), None)],
    }, status=status)


def _bulk_allowed(request) -> None:
    if not event_writer(request.user):
        raise Http404(_("不存在或无权查看。"))


@login_required
@require_http_methods(["GET", "POST"])
def bulk_record(request):
    """The same stage on the same day for many households: ticked in the list or pasted 户号."""
    _bulk_allowed(request)
    form = None
    if request.method == "POST":
        form = BulkRecordForm(request.POST, projects=ledger_selectors.project_write_scope(request.user))

    def save(form):
        data = form.cleaned_data
        ids = _chosen(request.user, data["project"], form)
        return households_record_stage(actor=request.user, household_ids=ids, kind=data["kind"],
                                       on_date=data["on_date"], note=data.get("note") or "",
                                       resettlement_mode=data.get("resettlement_mode") or "",
                                       heritage_override_reason=data.get("heritage_override_reason") or "",
                                       ip=_ip(request))

    def message(count: int) -> str:
        data = form.cleaned_data
        return _("已为 %(n)d 户记录「%(k)s」（%(d)s）。") % {
            "n": count, "k": _label(data["kind"]), "d": f"{data['on_date']:%Y-%m-%d}"}

    def done(count: int) -> str:
        query = {"project": form.cleaned_data["project"].code}
        if request.POST.get("stage"):
            query["stage"] = request.POST["stage"]
        return reverse("progress:bulk_record") + "?" + urlencode(query)

    return edit_page(request, form, save=save, show=form.show_error if form else None, message=message, done=done,
                     page=lambda status: _bulk_page(request, record_form=form, status=status))


def _chosen(user, project, form: BulkRecordForm) -> list[int]:
    """The households ticked and pasted, all in the project and writable, else an error naming them."""
    scope = ledger_selectors.household_write_scope(user)
    ids: list[int] = []
    numbers = importing.split_numbers(form.cleaned_data.get("numbers") or "")
    if numbers:
        ids.extend(importing.households_by_number(scope, project=project, numbers=numbers))
    ticked = form.ticked()
    if ticked:
        found = set(scope.filter(project=project, pk__in=ticked).values_list("pk", flat=True))
        if len(found) != len(set(ticked)):
            raise errors.AppError(_("勾选的住户中有 %(n)d 户不在项目 %(p)s 中或无权操作，没有写入任何记录。")
                                  % {"n": len(set(ticked) - found), "p": project.code},
                                  fields={"households": _("不存在或无权操作")})
        ids.extend(ticked)
    if not ids:
        raise errors.AppError(_("请勾选住户，或粘贴户号。"), fields={"numbers": _("未选择住户")})
    return list(dict.fromkeys(ids))


@login_required
@require_POST
def bulk_import(request):
    """Stage dates from an XLSX (从 Excel 导入日期): one POST, the result or the rejected rows."""
    _bulk_allowed(request)
    projects = ledger_selectors.project_write_scope(request.user)
    form = EventsImportForm(request.POST, request.FILES, projects=projects)
    if not form.is_valid():
        return _bulk_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="gaizao-progress-") as folder:
        target = Path(folder) / f"upload{suffix}"
        with open(target, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            result = importing.events_import(actor=request.user, project_code=form.cleaned_data["project"].code,
                                             path=target, filename=Path(upload.name).name,
                                             dry_run=form.cleaned_data.get("dry_run", False),
                                             heritage_reason=form.cleaned_data.get("heritage_override_reason") or "",
                                             ip=_ip(request))
        except errors.AppError as exc:
            form.add_error("file" if "file" in exc.fields or not exc.fields else None, exc.message)
            return _bulk_page(request, import_form=form, status=exc.status)
    if result.written:
        messages.success(request, _("已从「%(f)s」导入 %(n)d 条进度记录（%(u)d 个日期与已记录的相同）。")
                         % {"f": result.filename, "n": result.recorded, "u": result.unchanged})
    return _bulk_page(request, import_form=form, import_result=result, status=400 if result.rejected else 200)


urlpatterns = [
    path("households/<int:pk>/events/", household_record, name="household_record"),
    path("events/<int:pk>/correct/", event_correct_view, name="event_correct"),
    path("attachments/<int:pk>/", attachment_download, name="attachment"),
    path("record/", bulk_record, name="bulk_record"),
    path("record/import/", bulk_import, name="bulk_import"),
]
