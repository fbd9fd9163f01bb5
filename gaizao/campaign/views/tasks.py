"""Pages of the task list (任务清单): the tree and the filtered list, one task, its forms, the XLSX
bulk creation with its template, preview and confirmation.

Thin: parse a form, call a selector or a service, render. A task out of the user's scope answers
404, and so does a write the user may not make (the service says NotFound); a refusal shows beside
the field with its status (400, 409 for a stale edit) and writes nothing.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign import importing
from gaizao.campaign.choices import OPEN_TASK_STATUSES
from gaizao.campaign.forms.tasks import (AttachForm, CompleteForm, NoteForm, ReasonForm, TaskFilterForm, TaskForm,
                                         TaskImportForm, sub_units)
from gaizao.campaign.policies import campaign_scope
from gaizao.campaign.policies.tasks import task_can_assign, task_reader, task_write_scope
from gaizao.campaign.selectors import tasks as selectors
from gaizao.campaign.services import tasks as services
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError
from gaizao.core.pages import keyset_links
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope

GET_POST = require_http_methods(["GET", "POST"])
UPLOADS = "campaign/task_imports"


def _crumbs(*more) -> list:
    return [(_("任务清单"), reverse("campaign:task_list")), *more]


def _detail_url(task) -> str:
    return reverse("campaign:task_detail", args=[task.pk])


@login_required
@require_GET
def task_list(request):
    """任务清单: the campaign's tasks in scope as a tree, or, with a filter, a flat list by pages."""
    form = TaskFilterForm(request.GET or None, user=request.user)
    valid = form.valid_or_unbound()
    campaign = (form.value("campaign") if valid else None) or selectors.current_campaign()
    if campaign is not None and not campaign_scope(request.user).filter(pk=campaign.pk).exists():
        campaign = None
    if not task_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    narrowed = valid and form.is_bound and form.narrowed()
    page = selectors.task_list(request.user, campaign=campaign, **form.filters()) if narrowed and campaign else None
    tree = selectors.flatten(selectors.task_tree(campaign, request.user)) if campaign and valid and not narrowed else []
    return render(request, "campaign/tasks/list.html", {
        "form": form,
        "campaign": campaign,
        "narrowed": narrowed,
        "rows": page.items if page else [],
        "tree": tree,
        **keyset_links(request, page.next_after if page else None),
        "can_assign": task_can_assign(request.user),
        "breadcrumbs": [(_("任务清单"), None)],
    })


def _task_page(request, *, form, title: str, cancel_url: str, status: int, parent=None, task=None):
    return render(request, "campaign/tasks/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "parent": parent, "task": task,
        "breadcrumbs": _crumbs(*((parent.title, _detail_url(parent)),) if parent else (),
                               *((task.title, _detail_url(task)),) if task else (), (title, None)),
    }, status=status)


@login_required
@GET_POST
def task_create(request):
    """交办任务: the office assigns a new task to a street or department."""
    if not task_can_assign(request.user):
        raise Http404(_("不存在或无权操作。"))
    chosen = request.GET.get("campaign", "")
    campaign = get_in_scope(campaign_scope(request.user), pk=chosen) if chosen.isdigit() else \
        selectors.current_campaign()
    if campaign is None:
        messages.info(request, _("请先创建攻坚行动。"))
        return redirect("campaign:task_list")
    form = TaskForm(request.POST or None)
    title = _("交办任务（%(c)s）") % {"c": campaign.name}
    return edit_page(request, form, save=lambda form: services.task_create(
        actor=request.user, campaign=campaign, ip=_ip(request), **form.values()),
        message=_("已交办任务。"), done=_detail_url,
        page=lambda status: _task_page(request, form=form, title=title, cancel_url=reverse("campaign:task_list"),
                                       status=status))


@login_required
@GET_POST
def task_subtask(request, pk: int):
    """分解子任务: a sub-task under a task the user works on (for the unit itself or one below it)."""
    parent = get_in_scope(task_write_scope(request.user).select_related("unit", "campaign"), pk=pk)
    units = None if task_can_assign(request.user) else sub_units(parent.unit)
    form = TaskForm(request.POST or None, units=units, initial={"unit": parent.unit_id, "category": parent.category,
                                                                 "village": parent.village_id})
    return edit_page(request, form, save=lambda form: services.task_create(
        actor=request.user, campaign=parent.campaign, parent=parent, ip=_ip(request), **form.values()),
        message=_("已分解子任务。"), done=_detail_url,
        page=lambda status: _task_page(request, form=form, title=_("分解子任务"), cancel_url=_detail_url(parent),
                                       parent=parent, status=status))


@login_required
@GET_POST
def task_edit(request, pk: int):
    """修改任务: what the task is (the office; a unit for the sub-tasks it made)."""
    task = get_in_scope(services.task_edit_scope(request.user).select_related("unit", "campaign", "parent",
                                                                               "parent__unit"), pk=pk)
    units = None if task_can_assign(request.user) or task.parent is None else sub_units(task.parent.unit)
    form = TaskForm(request.POST or None, units=units, task=task)
    return edit_page(request, form, save=lambda form: services.task_update(
        actor=request.user, task=task, version=form.cleaned_data.get("version"), ip=_ip(request), **form.values()),
        message=_("已保存任务。"), done=_detail_url,
        page=lambda status: _task_page(request, form=form, title=_("修改任务"), cancel_url=_detail_url(task),
                                       task=task, status=status))


def _render_detail(request, task, *, status: int = 200, **forms):
    user = request.user
    writer = task_write_scope(user).filter(pk=task.pk).exists()
    assigner = task_can_assign(user)
    is_open = task.status in OPEN_TASK_STATUSES
    today = timezone.localdate()
    overdue = is_open and task.deadline < today
    return render(request, "campaign/tasks/detail.html", {
        "task": task,
        "overdue": overdue,
        "days_overdue": (today - task.deadline).days if overdue else 0,
        "notes": selectors.task_notes(task),
        "attachments": selectors.task_attachments(task),
        "children": selectors.task_children(task, user),
        "note_form": (forms.get("note_form") or NoteForm()) if writer and is_open else None,
        "attach_form": (forms.get("attach_form") or AttachForm()) if writer else None,
        "complete_form": (forms.get("complete_form") or CompleteForm()) if writer and is_open else None,
        "can_subtask": writer and is_open,
        "can_edit": is_open and services.task_can_edit(user, task),
        "cancel_form": (forms.get("cancel_form") or ReasonForm()) if assigner and is_open else None,
        "reopen_form": (forms.get("reopen_form") or ReasonForm()) if assigner and not is_open else None,
        "breadcrumbs": _crumbs(*((task.parent.title, _detail_url(task.parent)),) if task.parent_id else (),
                               (task.title, None)),
    }, status=status)


@login_required
@require_GET
def task_detail(request, pk: int):
    return _render_detail(request, selectors.task_get(request.user, pk))


def _post(request, pk: int, form_name: str, form, save, message: str):
    task = selectors.task_get(request.user, pk)
    return edit_page(request, form, save=lambda form: save(task, form), message=message,
                     done=lambda result: _detail_url(task),
                     page=lambda status: _render_detail(request, task, status=status, **{form_name: form}))


@login_required
@require_POST
def task_note(request, pk: int):
    return _post(request, pk, "note_form", NoteForm(request.POST), lambda task, form: services.task_note_add(
        actor=request.user, task=task, ip=_ip(request), **form.cleaned_data), _("已填报进展。"))


@login_required
@require_POST
def task_attach(request, pk: int):
    return _post(request, pk, "attach_form", AttachForm(request.POST, request.FILES),
                 lambda task, form: services.task_attach(actor=request.user, task=task, ip=_ip(request),
                                                         files=form.cleaned_data.get("files")), _("已上传附件。"))


@login_required
@require_POST
def task_complete(request, pk: int):
    return _post(request, pk, "complete_form", CompleteForm(request.POST), lambda task, form: services.task_complete(
        actor=request.user, task=task, ip=_ip(request), **form.cleaned_data), _("任务已办结。"))


@login_required
@require_POST
def task_reopen(request, pk: int):
    return _post(request, pk, "reopen_form", ReasonForm(request.POST), lambda task, form: services.task_reopen(
        actor=request.user, task=task, ip=_ip(request), reason=form.cleaned_data.get("reason")), _("任务已重新打开。"))


@login_required
@require_POST
def task_cancel(request, pk: int):
    return _post(request, pk, "cancel_form", ReasonForm(request.POST), lambda task, form: services.task_cancel(
        actor=request.user, task=task, ip=_ip(request), reason=form.cleaned_data.get("reason")), _("任务已取消。"))


@login_required
@require_GET
def task_attachment(request, pk: int):
    """A task's file, to whoever reads the task; never from a public media address."""
    attachment = get_in_scope(selectors.task_attachment_scope(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在。")) from None
    return FileResponse(handle, content_type=attachment.content_type, filename=attachment.name, as_attachment=True)


# --- XLSX bulk creation -------------------------------------------------------------------------

def _import_allowed(request) -> None:
    if not task_can_assign(request.user):
        raise Http404(_("不存在或无权操作。"))


def _stored(request, token: str) -> Path:
    """The upload kept between preview and confirmation: the user's own, by its token."""
    if not token or not token.replace("-", "").isalnum() or not token.startswith(f"{request.user.pk}-"):
        raise Http404(_("导入文件不存在或已过期，请重新上传。"))
    found = sorted((Path(settings.MEDIA_ROOT) / UPLOADS).glob(f"{token}.*"))
    if not found:
        raise Http404(_("导入文件不存在或已过期，请重新上传。"))
    return found[0]


def _import_page(request, *, form, result=None, token: str = "", campaign=None, status: int = 200):
    return render(request, "campaign/tasks/import.html", {
        "form": form, "result": result, "token": token, "campaign": campaign,
        "breadcrumbs": _crumbs((_("批量交办"), None)),
    }, status=status)


@login_required
@GET_POST
def task_import(request):
    """批量交办 (XLSX): upload and preview; nothing is written until confirmed."""
    _import_allowed(request)
    form = TaskImportForm(request.POST or None, request.FILES or None, user=request.user,
                          initial={"campaign": selectors.current_campaign()})
    if request.method != "POST":
        return _import_page(request, form=form)
    if not form.is_valid():
        return _import_page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    campaign = form.cleaned_data["campaign"]
    suffix = Path(upload.name).suffix.lower()[:8]
    token = f"{request.user.pk}-{uuid.uuid4().hex}"
    folder = Path(settings.MEDIA_ROOT) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{token}{suffix if suffix.isascii() else ''}"
    with open(target, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        result = importing.tasks_preview(actor=request.user, campaign=campaign, path=target,
                                         filename=Path(upload.name).name, ip=_ip(request))
    except AppError as exc:
        target.unlink(missing_ok=True)
        form.add_error("file", exc.message)
        return _import_page(request, form=form, status=exc.status)
    if result.refused:
        target.unlink(missing_ok=True)
        token = ""
    return _import_page(request, form=form, result=result, token=token, campaign=campaign,
                        status=400 if result.refused else 200)


@login_required
@require_POST
def task_import_confirm(request):
    """Create every task of the previewed file, or none."""
    _import_allowed(request)
    target = _stored(request, request.POST.get("token", ""))
    campaign = get_in_scope(campaign_scope(request.user), pk=request.POST.get("campaign") or 0)
    filename = request.POST.get("filename") or target.name
    form = TaskImportForm(user=request.user, initial={"campaign": campaign})
    try:
        result = importing.tasks_import(actor=request.user, campaign=campaign, path=target, filename=filename[:200],
                                        ip=_ip(request))
    except AppError as exc:
        form.add_error(None, exc.message)
        return _import_page(request, form=form, status=exc.status)
    finally:
        target.unlink(missing_ok=True)
    if not result.written:
        return _import_page(request, form=form, result=result, campaign=campaign, status=400)
    messages.success(request, _("已从「%(f)s」交办 %(n)d 项任务。") % {"f": result.filename, "n": len(result.accepted)})
    return redirect(reverse("campaign:task_list") + f"?campaign={campaign.pk}")


@login_required
@require_GET
def task_import_template(request):
    _import_allowed(request)
    response = HttpResponse(importing.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('任务清单模板.xlsx')}"
    return response


urlpatterns = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/new/", task_create, name="task_create"),
    path("tasks/import/", task_import, name="task_import"),
    path("tasks/import/confirm/", task_import_confirm, name="task_import_confirm"),
    path("tasks/import/template.xlsx", task_import_template, name="task_import_template"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/subtasks/new/", task_subtask, name="task_subtask"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("tasks/<int:pk>/notes/", task_note, name="task_note"),
    path("tasks/<int:pk>/attachments/", task_attach, name="task_attach"),
    path("tasks/<int:pk>/complete/", task_complete, name="task_complete"),
    path("tasks/<int:pk>/reopen/", task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/cancel/", task_cancel, name="task_cancel"),
    path("tasks/attachments/<int:pk>/", task_attachment, name="task_attachment"),
]
