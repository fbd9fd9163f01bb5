"""Pages of the valuations area (评估结果): the list in reach, a household's buildings with the valuation in
force and the history (and the form that records one), the import in two stages (upload → preview →
confirm) and the template the valuer fills. Out of reach: 404."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.compensation import importing
from gaizao.compensation.forms.valuations import ConfirmForm, ImportForm, ValuationForm
from gaizao.compensation.policies.valuations import valuation_can_write, valuation_reader, valuation_writer
from gaizao.compensation.selectors import valuations as selectors
from gaizao.compensation.services.valuations import valuation_record
from gaizao.core.editing import edit_page, found
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.ledger.choices import Disposition

UPLOADS = "compensation/valuation_imports"  # under MEDIA_ROOT, until confirmed
STORED_SECONDS = 24 * 3600


def _crumbs(*more) -> list:
    return [(_("评估结果"), reverse("compensation:valuation_list")), *more]


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


@login_required
@require_GET
def valuation_list(request):
    """评估结果: the valuations in force in reach, by project and household."""
    if not valuation_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    projects = list(selectors.valuation_read_projects(request.user))
    project_id = _int(request.GET.get("project"))
    if project_id not in {p.pk for p in projects}:
        project_id = None
    rows = selectors.valuation_list(request.user, project_id=project_id)
    return render(request, "compensation/valuations/list.html", {
        "valuations": rows, "projects": projects, "project_id": project_id, "limit": selectors.LIST_LIMIT,
        "can_import": valuation_writer(request.user), "breadcrumbs": [(_("评估结果"), None)]})


def _show(form):
    """A service's refusal beside the fields it names; what names no field of the form, above it."""
    def show(exc: AppError) -> None:
        placed = False
        for name, message in exc.fields.items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, message)
                placed = True
            elif name not in form.fields:
                form.add_error(None, message)
                placed = True
        if not placed:
            form.add_error(None, exc.message)
    return show


@login_required
@require_http_methods(["GET", "POST"])
def valuation_household(request, pk: int):
    """A household's valuations (住户评估结果): each building with the valuation in force and the history;
    the form records a valuation, a review (复核) or an appraisal (鉴定)."""
    household = found(selectors.valuation_household_get, request.user, pk, write=request.method == "POST")
    rows = selectors.household_valuations(household)
    can_write = valuation_can_write(request.user, household)
    form = None
    if can_write:
        taken = [row.building for row in rows if row.building.disposition == Disposition.DEMOLISH]
        form = ValuationForm(request.POST or None, buildings=taken,
                             initial={"valued_on": timezone.localdate()})
    url = reverse("compensation:valuation_household", args=[household.pk])
    return edit_page(
        request, form,
        save=lambda f: valuation_record(actor=request.user, household=household, ip=_ip(request),
                                        building=int(f.cleaned_data["building"]),
                                        **{k: v for k, v in f.cleaned_data.items() if k != "building"}),
        done=lambda v: url, show=_show(form) if form is not None else None,
        message=lambda v: _("已录入房屋 %(b)s 的%(k)s结果。") % {"b": v.building.number, "k": v.get_kind_display()},
        page=lambda status: render(request, "compensation/valuations/household.html", {
            "household": household, "rows": rows, "complete": selectors.valuations_complete(rows), "form": form,
            "breadcrumbs": _crumbs((str(household), None))}, status=status))


# --- the import -------------------------------------------------------------------------------------

def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOADS


def _sweep(folder: Path) -> None:
    """Uploads previewed but never confirmed go after a day."""
    cutoff = time.time() - STORED_SECONDS
    for stored in folder.iterdir():
        try:
            if stored.stat().st_mtime < cutoff:
                stored.unlink(missing_ok=True)
        except OSError:
            continue


def _store(upload, *, user, project) -> tuple[str, Path]:
    token = secrets.token_hex(16)
    suffix = Path(upload.name).suffix.lower()[:8]
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    target = folder / f"{token}{suffix}"
    with open(target, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    (folder / f"{token}.json").write_text(json.dumps({
        "user": user.pk, "project": project.pk, "filename": Path(upload.name).name, "suffix": suffix}),
        encoding="utf-8")
    return token, target


def _stored(token: str, *, user) -> tuple[dict, Path]:
    meta_path = _folder() / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404(_("预览已失效，请重新上传。")) from None
    if meta.get("user") != user.pk:
        raise Http404(_("预览已失效，请重新上传。"))
    return meta, _folder() / f"{token}{meta['suffix']}"


def _forget(token: str, suffix: str) -> None:
    for name in (f"{token}.json", f"{token}{suffix}"):
        (_folder() / name).unlink(missing_ok=True)


def _import_page(request, *, form, plan=None, confirm=None, status=200):
    return render(request, "compensation/valuations/import.html", {
        "form": form, "plan": plan, "summary": plan.summary() if plan else None, "confirm": confirm,
        "breadcrumbs": _crumbs((_("导入评估结果"), None))}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def valuation_import(request):
    """导入评估结果, stage one: upload the file and see what it would do (new, changed, unchanged, rejected)."""
    if not valuation_writer(request.user):
        raise Http404(_("不存在或无权操作。"))
    projects = selectors.valuation_projects(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, projects=projects,
                      initial={"project": _int(request.GET.get("project"))})
    if request.method != "POST":
        return _import_page(request, form=form)
    if not form.is_valid():
        return _import_page(request, form=form, status=400)
    project = form.cleaned_data["project"]
    token, target = _store(form.cleaned_data["file"], user=request.user, project=project)
    try:
        plan = importing.valuations_preview(actor=request.user, project=project, path=target,
                                            filename=Path(form.cleaned_data["file"].name).name)
    except AppError as exc:
        _forget(token, target.suffix)
        form.add_error("file", exc.message)
        return _import_page(request, form=form, status=exc.status)
    confirm = None
    if not plan.rejected and plan.planned:
        confirm = ConfirmForm(initial={"token": token, "fingerprint": plan.fingerprint})
    else:
        _forget(token, target.suffix)
    return _import_page(request, form=form, plan=plan, confirm=confirm, status=400 if plan.rejected else 200)


@login_required
@require_POST
def valuation_import_confirm(request):
    """导入评估结果, stage two: apply what was previewed, all in one transaction, or nothing."""
    if not valuation_writer(request.user):
        raise Http404(_("不存在或无权操作。"))
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():
        raise Http404(_("预览已失效，请重新上传。"))
    token = confirm.cleaned_data["token"]
    meta, target = _stored(token, user=request.user)
    try:
        outcome = importing.valuations_import(actor=request.user, project=meta["project"], path=target,
                                              filename=meta["filename"],
                                              fingerprint=confirm.cleaned_data["fingerprint"], ip=_ip(request))
    except AppError as exc:
        _forget(token, meta["suffix"])
        form = ImportForm(projects=selectors.valuation_projects(request.user), initial={"project": meta["project"]})
        form.add_error(None, exc.message)
        return _import_page(request, form=form, status=exc.status)
    _forget(token, meta["suffix"])
    messages.success(request, _("已从「%(f)s」导入 %(n)d 条评估结果（%(u)d 条与现行结果相同），记录了 %(s)d 户的评估阶段。") % {
        "f": meta["filename"], "n": outcome.written, "u": outcome.plan.unchanged, "s": outcome.stages})
    return redirect(reverse("compensation:valuation_list") + f"?project={meta['project']}")


@login_required
@require_GET
def valuation_template(request):
    """The template the valuer fills (评估结果导入模板); with ``?project=``, a row per building to demolish."""
    if not valuation_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    households = None
    project_id = _int(request.GET.get("project"))
    name = _("评估结果导入模板")
    if request.GET.get("project"):
        project = selectors.valuation_read_projects(request.user).filter(pk=project_id).first()
        if project is None:
            raise Http404(_("不存在或无权查看。"))
        from gaizao.compensation.policies.valuations import valuation_household_scope

        households = (valuation_household_scope(request.user).filter(project=project).order_by("number")
                      .prefetch_related("buildings"))
        name = f"{name}-{project.code}"
    response = HttpResponse(importing.template_workbook(households=households),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    return response


urlpatterns = [
    path("valuations/", valuation_list, name="valuation_list"),
    path("valuations/households/<int:pk>/", valuation_household, name="valuation_household"),
    path("valuations/import/", valuation_import, name="valuation_import"),
    path("valuations/import/confirm/", valuation_import_confirm, name="valuation_import_confirm"),
    path("valuations/template.xlsx", valuation_template, name="valuation_template"),
]
