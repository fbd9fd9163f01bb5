"""Pages: hard cases (攻坚户: 包户, 一户一策, 走访) and consultations (意愿征询).

Thin: parse a form, call a selector or a service, render. A case out of the user's scope answers
404; a write the user may not make answers 404 too (the service says NotFound). A service's
refusal shows beside the field with status 400 (409 for a stale edit) and writes nothing. A visit's
photos are served to whoever reads the case, never from a public media address.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core.editing import edit_page
from gaizao.core.pages import keyset_links
from gaizao.core.scoping import get_in_scope
from gaizao.ledger.selectors import household_write_scope, village_can_write
from gaizao.progress import selectors, services
from gaizao.progress.forms import (
    CloseForm, ConsultationAnswerForm, ConsultationForm, HardCaseEditForm, HardCaseFilterForm, HardCaseOpenForm, VisitForm,
)
from gaizao.progress.models import VisitPhoto
from gaizao.progress.policies import hardcase_can_visit as can_visit
from gaizao.progress.policies import hardcase_scope
from gaizao.progress.policies import hardcase_can_write as can_write
from gaizao.progress.services.hardcases import open_refusal, visit_interval_days
from gaizao.progress.services.photos import prepare_photos
from gaizao.core.requests import client_ip as _ip

GET_POST = require_http_methods(["GET", "POST"])


def _list_crumbs() -> list:
    return [(_("攻坚户"), reverse("progress:hardcase_list"))]


def _detail_url(case) -> str:
    return reverse("progress:hardcase_detail", args=[case.pk])


@login_required
@require_GET
def hardcase_list(request):
    form = HardCaseFilterForm(request.GET or None, user=request.user)
    page = selectors.hardcase_list(request.user, **form.filters()) if form.valid_or_unbound() else None
    return render(request, "progress/hardcases/list.html", {
        "form": form,
        "rows": page.items if page else [],
        **keyset_links(request, page.next_after if page else None),
        "interval": visit_interval_days(),
        "breadcrumbs": [(_("攻坚户"), None)],
    })


def _render_detail(request, case, *, visit_form=None, edit_form=None, close_form=None, status=200):
    writer = can_write(request.user, case)
    visitor = can_visit(request.user, case)
    open_case = case.closed_on is None
    return render(request, "progress/hardcases/detail.html", {
        "case": case,
        "household": case.household,
        "status": selectors.case_status(case),
        "visits": selectors.hardcase_visits(case),
        "visit_form": (visit_form or VisitForm()) if visitor and open_case else None,
        "edit_form": (edit_form or HardCaseEditForm(hard_case=case)) if writer and open_case else None,
        "close_form": (close_form or CloseForm(hard_case=case)) if writer and open_case else None,
        "reopen": writer and not open_case and open_refusal(case.household) is None,
        "interval": visit_interval_days(),
        "breadcrumbs": [*_list_crumbs(), (str(case.household), None)],
    }, status=status)


@login_required
@require_GET
def hardcase_detail(request, pk: int):
    case = selectors.hardcase_get(request.user, pk=pk)
    return _render_detail(request, case)


def _post(request, pk: int, form_name: str, build, save, done_message: str):
    """A POST from one of the detail page's forms: save through the service, or show the errors."""
    case = selectors.hardcase_get(request.user, pk=pk)
    form = build(case)
    return edit_page(request, form, save=lambda form: save(case, form), message=done_message,
                     done=lambda result: _detail_url(case),
                     page=lambda status: _render_detail(request, case, status=status, **{form_name: form}))


@login_required
@require_POST
def visit_create(request, pk: int):
    def save(case, form):
        values = dict(form.cleaned_data)
        if can_visit(request.user, case):  # else the service answers 404 without reading them
            # Decoded and resized before the write's transaction, which would hold the write lock meanwhile.
            values["photos"] = prepare_photos(values.get("photos"))
        services.visit_record(actor=request.user, hard_case=case, ip=_ip(request), **values)

    return _post(request, pk, "visit_form", lambda case: VisitForm(request.POST, request.FILES), save,
                 _("已记录走访。"))


@login_required
@require_GET
def visit_photo(request, pk: int):
    """A visit's photo (走访照片), shown in the page (the thumbnail is this file): to whoever reads the
    hard case; never from a public media address."""
    photo = get_in_scope(VisitPhoto.objects.filter(visit__hard_case__in=hardcase_scope(request.user)), pk=pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    response = FileResponse(handle, content_type=photo.content_type, filename=photo.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def hardcase_edit(request, pk: int):
    def save(case, form):
        services.hardcase_update(actor=request.user, hard_case=case, version=form.version_value,
                                 ip=_ip(request), **form.values())

    return _post(request, pk, "edit_form", lambda case: HardCaseEditForm(request.POST, hard_case=case), save,
                 _("已保存一户一策。"))


@login_required
@require_POST
def hardcase_close(request, pk: int):
    def save(case, form):
        data = form.cleaned_data
        services.hardcase_close(actor=request.user, hard_case=case, version=data.get("version"),
                                closed_on=data.get("closed_on"), note=data.get("note"), ip=_ip(request))

    return _post(request, pk, "close_form", lambda case: CloseForm(request.POST, hard_case=case), save,
                 _("已销号。"))


@login_required
@GET_POST
def hardcase_open(request, household_id: int):
    """List a household as a hard case (列为攻坚户), from the household page."""
    household = get_in_scope(household_write_scope(request.user).select_related("street", "cadre"), pk=household_id)
    existing = selectors.hardcase_of_household(request.user, household)
    if existing is not None and existing.closed_on is None:
        messages.info(request, _("该户已是攻坚户。"))
        return redirect(_detail_url(existing))
    form = HardCaseOpenForm(request.POST or None, household=household)
    household_url = reverse("ledger:household_detail", args=[household.pk])
    return edit_page(request, form, save=lambda form: services.hardcase_open(
        actor=request.user, household=household, ip=_ip(request), **form.values()),
        message=_("已列为攻坚户。"), done=_detail_url, page=lambda status: render(
            request, "progress/hardcases/open.html", {
                "form": form,
                "household": household,
                "refusal": open_refusal(household),
                "reopening": existing is not None,
                "cancel_url": household_url,
                "breadcrumbs": [(_("住户台账"), reverse("ledger:household_list")), (str(household), household_url),
                                (_("列为攻坚户"), None)],
            }, status=status))


def _consultation_crumbs(project, *last) -> list:
    village = project.village
    return [(_("城中村"), reverse("ledger:village_list")),
            (village.name, reverse("ledger:village_detail", args=[village.pk])),
            (_("意愿征询（%(p)s）") % {"p": project.name},
             reverse("progress:consultation_list", args=[project.pk]) if last else None), *last]


@login_required
@GET_POST
def consultation_list(request, project_id: int):
    """A project's consultations (意愿征询) with their tallies, and a form to open a round."""
    project = selectors.consultation_project(request.user, pk=project_id)
    can_record = village_can_write(request.user, project.village)
    form = ConsultationForm(request.POST or None) if can_record else None  # None: a POST is 404
    return edit_page(request, form, save=lambda form: services.consultation_open(
        actor=request.user, project=project, ip=_ip(request), **form.cleaned_data),
        message=_("已开展意愿征询，请逐户登记意见。"),
        done=lambda result: reverse("progress:consultation_detail", args=[project.pk, result.pk]),
        page=lambda status: render(request, "progress/hardcases/consultations.html", {
            "project": project,
            "consultations": selectors.consultation_list(project),
            "form": form,
            "breadcrumbs": _consultation_crumbs(project),
        }, status=status))


@login_required
@GET_POST
def consultation_detail(request, project_id: int, pk: int):
    """One consultation: each household in scope with its answer, and a form to record one."""
    project = selectors.consultation_project(request.user, pk=project_id)
    consultation = get_in_scope(project.consultations.all(), pk=pk)
    can_record = village_can_write(request.user, project.village)
    form = ConsultationAnswerForm(request.POST or None) if can_record else None  # None: a POST is 404
    return edit_page(request, form, save=lambda form: services.consultation_answer(
        actor=request.user, consultation=consultation, ip=_ip(request), **form.cleaned_data),
        message=_("已登记住户意见。"),
        done=lambda result: reverse("progress:consultation_detail", args=[project.pk, consultation.pk]),
        page=lambda status: render(request, "progress/hardcases/consultation_detail.html", {
            "project": project,
            "consultation": next(r for r in selectors.consultation_list(project) if r.id == consultation.pk),
            "answers": selectors.consultation_answers(consultation),
            "form": form,
            "breadcrumbs": _consultation_crumbs(project, (f"{consultation.held_on:%Y-%m-%d}", None)),
        }, status=status))


urlpatterns = [
    path("hardcases/", hardcase_list, name="hardcase_list"),
    path("hardcases/<int:pk>/", hardcase_detail, name="hardcase_detail"),
    path("hardcases/<int:pk>/visits/", visit_create, name="hardcase_visit"),
    path("hardcases/photos/<int:pk>/", visit_photo, name="visit_photo"),
    path("hardcases/<int:pk>/edit/", hardcase_edit, name="hardcase_edit"),
    path("hardcases/<int:pk>/close/", hardcase_close, name="hardcase_close"),
    path("households/<int:household_id>/hardcase/", hardcase_open, name="hardcase_open"),
    path("projects/<int:project_id>/consultations/", consultation_list, name="consultation_list"),
    path("projects/<int:project_id>/consultations/<int:pk>/", consultation_detail, name="consultation_detail"),
]
