"""Pages: compensation schemes (征收补偿方案).

The projects with their scheme in force; a project's versions (status, who, when) with a side-by-side diff
of any two; the editor (a textarea the page's script highlights, with line numbers; a plain textarea without
JavaScript) with 检查 (every problem with its line and name, and a sample calculation), save, copy and
publish. Thin: parse, call the services, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.forms.schemes import CheckForm, SchemeForm
from gaizao.compensation.models import Scheme
from gaizao.compensation.samples import scheme_text
from gaizao.compensation.policies.schemes import project_calculation_can_read, scheme_can_write
from gaizao.compensation.selectors import schemes as selectors
from gaizao.compensation.services import schemes as services
from gaizao.core.editing import edit_page, found
from gaizao.core.errors import AppError, NotFound
from gaizao.core.requests import client_ip as _ip

GET_POST = require_http_methods(["GET", "POST"])


def _crumbs(*last) -> list:
    return [(_("补偿方案"), reverse("compensation:projects") if last else None), *last]


def _project_crumbs(project, *last) -> list:
    return _crumbs((project.name, reverse("compensation:scheme_list", args=[project.pk]) if last else None), *last)


def _editor_url(scheme: Scheme) -> str:
    return reverse("compensation:scheme_detail", args=[scheme.pk])


@login_required
@require_GET
def project_list(request):
    projects = list(selectors.scheme_projects(request.user))
    in_force = selectors.in_force_by_project(p.pk for p in projects)
    for p in projects:
        p.scheme_in_force = in_force.get(p.pk)
    return render(request, "compensation/schemes/projects.html", {"projects": projects, "breadcrumbs": _crumbs()})


@login_required
@require_GET
def scheme_list(request, pk: int):
    project = found(selectors.project_get, request.user, pk)
    versions = selectors.scheme_list(project)
    return render(request, "compensation/schemes/list.html", {
        "project": project, "versions": versions, "writer": scheme_can_write(request.user),
        "in_force": next((s for s in versions if s.status == SchemeStatus.PUBLISHED), None),
        "calculations": project_calculation_can_read(request.user, project),
        "breadcrumbs": _project_crumbs(project),
    })


def _editor(request, *, project, scheme, form, status=200, report=None, check_form=None):
    writer = scheme_can_write(request.user)
    editable = writer and (scheme is None or scheme.status == SchemeStatus.DRAFT)
    title = (_("第 %(n)d 版：%(name)s") % {"n": scheme.number, "name": scheme.name}) if scheme else _("起草新版本")
    return render(request, "compensation/schemes/editor.html", {
        "project": project, "scheme": scheme, "form": form, "editable": editable, "writer": writer,
        "check_form": check_form or CheckForm(initial={"scheme": getattr(scheme, "pk", None)}),
        "report": report, "previous": selectors.scheme_previous(scheme) if scheme else None,
        "breadcrumbs": _project_crumbs(project, (title, None)), "title": title,
    }, status=status)


@login_required
@GET_POST
def scheme_create(request, pk: int):
    project = found(selectors.project_get, request.user, pk)
    if not scheme_can_write(request.user):
        raise Http404(_("不存在或无权操作。"))
    latest = Scheme.objects.filter(project=project).order_by("-number").first()
    # A project's first version starts from the complete money-heavy sample (docs/compensation-schemes.md).
    start = (project.signing_start or timezone.localdate()).isoformat()
    initial = {"text": latest.text if latest else scheme_text("money", project=project.name, start=start)}
    form = SchemeForm(request.POST or None, initial=initial)
    return edit_page(request, form, save=lambda form: services.scheme_create(
        actor=request.user, project=project, name=form.cleaned_data["name"], text=form.cleaned_data["text"],
        note=form.cleaned_data["note"], ip=_ip(request)),
        message=lambda s: _("已保存第 %(n)d 版草稿。") % {"n": s.number}, done=_editor_url,
        page=lambda status: _editor(request, project=project, scheme=None, form=form, status=status))


@login_required
@GET_POST
def scheme_detail(request, pk: int):
    """The editor of a draft (save on POST); a published or superseded version read only."""
    scheme = found(selectors.scheme_get, request.user, pk)
    project = scheme.project
    writer = scheme_can_write(request.user)
    if request.method == "POST":
        form = SchemeForm(request.POST, scheme=scheme) if writer else None
    else:
        form = SchemeForm(scheme=scheme, readonly=not (writer and scheme.status == SchemeStatus.DRAFT))
    return edit_page(request, form, save=lambda form: services.scheme_update(
        actor=request.user, scheme=scheme, version=form.cleaned_data.get("version"), text=form.cleaned_data["text"],
        name=form.cleaned_data["name"], note=form.cleaned_data["note"], ip=_ip(request)),
        message=_("已保存草稿。"), done=_editor_url,
        page=lambda status: _editor(request, project=project, scheme=scheme, form=form, status=status))


@login_required
@require_POST
def scheme_check(request, pk: int):
    """检查: the text as typed, checked by the language, and a sample calculation. Answers the result's part of
    the page to htmx, the whole editor page to a browser without JavaScript."""
    project = found(selectors.project_get, request.user, pk)
    check_form = CheckForm(request.POST)
    check_form.is_valid()
    data = check_form.cleaned_data
    report = selectors.scheme_check(request.user, project=project, text=data.get("text") or "",
                                    cases_text=data.get("cases") or "")
    if request.headers.get("HX-Request"):
        return render(request, "compensation/schemes/_check.html", {"report": report})
    scheme = None
    if data.get("scheme"):
        scheme = Scheme.objects.filter(pk=data["scheme"], project=project).first()
    form = SchemeForm(request.POST, scheme=scheme)
    form.is_valid()
    return _editor(request, project=project, scheme=scheme, form=form, report=report, check_form=check_form)


def _post_action(request, pk: int, call, message):
    scheme = found(selectors.scheme_get, request.user, pk)
    if not scheme_can_write(request.user):
        raise Http404(_("不存在或无权操作。"))
    try:
        result = call(scheme)
    except NotFound:
        raise Http404(_("不存在或无权操作。")) from None
    except AppError as exc:
        messages.error(request, exc.message)
        response = redirect(_editor_url(scheme))
        return response
    messages.success(request, message(result))
    return redirect(_editor_url(result))


@login_required
@require_POST
def scheme_copy(request, pk: int):
    return _post_action(request, pk, lambda s: services.scheme_copy(actor=request.user, scheme=s, ip=_ip(request)),
                        lambda s: _("已复制为第 %(n)d 版草稿。") % {"n": s.number})


@login_required
@require_POST
def scheme_publish(request, pk: int):
    return _post_action(request, pk, lambda s: services.scheme_publish(actor=request.user, scheme=s, ip=_ip(request)),
                        lambda s: _("第 %(n)d 版已发布，现行有效。") % {"n": s.number})


@login_required
@require_GET
def scheme_diff(request, pk: int):
    """Two versions side by side: this one and ``?against=`` (default the one before it)."""
    scheme = found(selectors.scheme_get, request.user, pk)
    versions = selectors.scheme_list(scheme.project)
    right = request.GET.get("right") or ""
    if right.isdigit():  # the list's form names both versions
        scheme = Scheme.objects.filter(project_id=scheme.project_id, pk=int(right)).select_related("project").first() \
            or scheme
    raw = request.GET.get("against") or ""
    other = None
    if raw.isdigit():
        other = Scheme.objects.filter(project_id=scheme.project_id, pk=int(raw)).first()
    other = other or selectors.scheme_previous(scheme)
    full = request.GET.get("all") == "1"
    rows = selectors.scheme_diff(other.text if other else "", scheme.text, context=None if full else 3)
    return render(request, "compensation/schemes/diff.html", {
        "scheme": scheme, "other": other, "rows": rows, "versions": versions, "full": full,
        "changed": any(r.kind != "equal" for r in rows), "project": scheme.project,
        "breadcrumbs": _project_crumbs(scheme.project, (_("版本对比"), None)),
    })


urlpatterns = [
    path("projects/", project_list, name="projects"),
    path("projects/<int:pk>/schemes/", scheme_list, name="scheme_list"),
    path("projects/<int:pk>/schemes/new/", scheme_create, name="scheme_create"),
    path("projects/<int:pk>/schemes/check/", scheme_check, name="scheme_check"),
    path("schemes/<int:pk>/", scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/copy/", scheme_copy, name="scheme_copy"),
    path("schemes/<int:pk>/publish/", scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/diff/", scheme_diff, name="scheme_diff"),
]
