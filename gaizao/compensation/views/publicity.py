"""Pages of the publicity (公示): the projects and their rounds, the publish form, one round with its rows and
its objections (recorded, answered, the answer published), the round as 公文 (DOCX) and as a table (XLSX);
and the public board (公示栏) of a project, without login. Thin: parse, call, render.

The public pages show only what was published, masked (张*三; never an ID number or a phone): the rounds whose
period has begun, and the objections whose answer was published, the submitter masked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.compensation import publicity_doc
from gaizao.compensation.choices import ObjectionStatus, PublicityKind
from gaizao.compensation.forms.publicity import AnswerForm, ObjectionForm, PublishAnswerForm, PublishForm
from gaizao.compensation.policies.publicity import (objection_can_write, publicity_can_publish,
                                                    publicity_may_publish_somewhere)
from gaizao.compensation.selectors import publicity as selectors
from gaizao.compensation.services import publicity as services
from gaizao.core.editing import edit_page
from gaizao.core.masking import mask_name
from gaizao.core.requests import client_ip as _ip
from gaizao.documents.docx import CONTENT_TYPE as DOCX
from gaizao.ledger.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GET_POST = require_http_methods(["GET", "POST"])


def _crumbs(*last) -> list:
    return [(_("公示"), reverse("compensation:publicity_index") if last else None), *last]


def _project_crumb(project: Project) -> tuple:
    return (project.name, reverse("compensation:publicity_project", args=[project.pk]))


def _detail_url(publicity) -> str:
    return reverse("compensation:publicity_detail", args=[publicity.pk])


@login_required
@require_GET
def publicity_index(request):
    """The projects whose publicity the user reads, with their rounds counted."""
    projects = list(selectors.publicity_projects(request.user)[:500])
    return render(request, "compensation/publicity/index.html", {
        "projects": projects, "breadcrumbs": _crumbs(),
        "can_publish": publicity_may_publish_somewhere(request.user),
    })


@login_required
@require_GET
def publicity_project(request, pk: int):
    """One project's rounds (both kinds), newest first."""
    project = selectors.publicity_project_get(request.user, pk=pk)
    rounds = list(selectors.publicity_list(request.user, project=project))
    today = timezone.localdate()
    for r in rounds:
        r.period_state = selectors.in_period(r, today)
        r.period_label = selectors.PERIOD_LABELS[r.period_state]
    return render(request, "compensation/publicity/project.html", {
        "project": project, "rounds": rounds, "can_publish": publicity_can_publish(request.user, project),
        "breadcrumbs": _crumbs((project.name, None)),
    })


@login_required
@GET_POST
def publicity_create(request, pk: int):
    project = selectors.publicity_project_get(request.user, pk=pk)
    if not publicity_can_publish(request.user, project):
        raise Http404(_("项目不存在或无权发布公示。"))
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in PublicityKind.values else
               PublicityKind.SURVEY, "starts_on": timezone.localdate(), "days": services.default_days()}
    form = PublishForm(request.POST or None, initial=initial)
    return edit_page(request, form, save=lambda form: services.publicity_publish(
        actor=request.user, project=project, ip=_ip(request), **form.values()),
        message=lambda p: _("已发布：%(t)s（%(s)s 至 %(e)s）。") % {"t": p.title, "s": p.starts_on, "e": p.ends_on},
        done=_detail_url,
        page=lambda status: render(request, "compensation/publicity/form.html", {
            "form": form, "project": project,
            "breadcrumbs": _crumbs(_project_crumb(project), (_("发布公示"), None)),
        }, status=status))


def _render_detail(request, publicity, *, status=200, objection_form=None, answer_forms=None):
    writer = objection_can_write(request.user, publicity)
    objections = selectors.objection_list(publicity)
    answer_forms = answer_forms or {}
    for o in objections:
        o.submitter_masked = mask_name(o.submitter)
        if writer and o.status != ObjectionStatus.PUBLISHED:
            o.answer_form = answer_forms.get(o.pk) or AnswerForm(
                initial={"answer": o.answer, "answered_on": o.answered_on or timezone.localdate(),
                         "version": o.version}, prefix=f"o{o.pk}")
        if writer and o.status == ObjectionStatus.ANSWERED:
            o.publish_form = PublishAnswerForm(initial={"version": o.version}, prefix=f"p{o.pk}")
    context = {"publicity": publicity, "objections": objections, "writer": writer,
               "state": selectors.PERIOD_LABELS[selectors.in_period(publicity)],
               "objection_form": objection_form or (ObjectionForm(initial={"received_on": timezone.localdate()})
                                                    if writer else None),
               "breadcrumbs": _crumbs(_project_crumb(publicity.project), (publicity.title, None))}
    context.update(_rows_context(publicity))
    return render(request, "compensation/publicity/detail.html", context, status=status)


def _rows_context(publicity) -> dict:
    """The frozen rows as the page shows them: the survey one line per building; the compensation list with its
    money items as columns, amounts with thousands separators, and the totals."""
    if publicity.kind == PublicityKind.SURVEY:
        return {"survey_rows": publicity_doc.survey_table_rows(publicity.rows)}
    money = publicity_doc.money
    columns, rows = selectors.compensation_table(publicity.rows)
    for r in rows:
        r["shown"] = [money(a) for a in r["amounts"]]
        r["total_shown"] = money(r["total"])
    totals = {"legal_area": selectors.sum_text(r["legal_area"] for r in rows),
              "amounts": [money(selectors.sum_text(r["amounts"][i] for r in rows)) for i in range(len(columns))],
              "total": money(selectors.sum_text(r["total"] for r in rows)),
              "swap_area": selectors.sum_text(r.get("swap_area") for r in rows)}
    return {"columns": columns, "rows": rows, "totals": totals}


@login_required
@require_GET
def publicity_detail(request, pk: int):
    return _render_detail(request, selectors.publicity_get(request.user, pk=pk))


@login_required
@require_GET
def publicity_docx(request, pk: int):
    """The round as 公文, with the objections whose answer was published."""
    publicity = selectors.publicity_get(request.user, pk=pk)
    data = publicity_doc.publicity_docx(publicity, objections=selectors.public_objections(publicity))
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"{publicity.title}.docx")
    return response


@login_required
@require_GET
def publicity_xlsx(request, pk: int):
    publicity = selectors.publicity_get(request.user, pk=pk)
    response = HttpResponse(publicity_doc.publicity_xlsx(publicity), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{publicity.title}.xlsx")
    return response


@login_required
@require_POST
def objection_create(request, pk: int):
    publicity = selectors.publicity_get(request.user, pk=pk)
    form = ObjectionForm(request.POST) if objection_can_write(request.user, publicity) else None
    return edit_page(request, form, save=lambda form: services.objection_record(
        actor=request.user, publicity=publicity, ip=_ip(request), **form.cleaned_data),
        message=_("已登记异议，请及时答复。"), done=lambda o: _detail_url(publicity),
        page=lambda status: _render_detail(request, publicity, status=status, objection_form=form))


@login_required
@require_POST
def objection_answer(request, pk: int):
    objection = selectors.objection_get(request.user, pk=pk)
    publicity = selectors.publicity_get(request.user, pk=objection.publicity_id)
    writer = objection_can_write(request.user, publicity)
    form = AnswerForm(request.POST, prefix=f"o{objection.pk}") if writer else None
    return edit_page(request, form, save=lambda form: services.objection_answer(
        actor=request.user, objection=objection, version=form.cleaned_data.get("version"),
        answer=form.cleaned_data.get("answer"), answered_on=form.cleaned_data.get("answered_on"), ip=_ip(request)),
        message=_("已保存答复；公布后将在公示栏显示。"), done=lambda o: _detail_url(publicity),
        page=lambda status: _render_detail(request, publicity, status=status, answer_forms={objection.pk: form}))


@login_required
@require_POST
def objection_publish(request, pk: int):
    objection = selectors.objection_get(request.user, pk=pk)
    publicity = selectors.publicity_get(request.user, pk=objection.publicity_id)
    form = PublishAnswerForm(request.POST, prefix=f"p{objection.pk}") \
        if objection_can_write(request.user, publicity) else None
    return edit_page(request, form, save=lambda form: services.objection_publish(
        actor=request.user, objection=objection, version=form.cleaned_data.get("version"), ip=_ip(request)),
        message=_("答复已公布，公示栏可见。"), done=lambda o: _detail_url(publicity),
        page=lambda status: _render_detail(request, publicity, status=status), show=_flash(request))


def _flash(request):
    """A refusal of a one-button form (公布答复) shown at the top of the page it is sent back to."""

    def show(exc):
        messages.error(request, exc.message)

    return show


# ------------------------------------------------------------------------------------------ public (no login)

@require_GET
def public_board(request, code: str):
    """The project's 公示栏: its rounds in their period and after, with the answers published."""
    project = selectors.public_project(code)
    rounds = selectors.public_rounds(project)
    today = timezone.localdate()
    for r in rounds:
        r.period_label = selectors.PERIOD_LABELS[selectors.in_period(r, today)]
    return render(request, "compensation/publicity/public_board.html", {"project": project, "rounds": rounds})


@require_GET
def public_round(request, code: str, pk: int):
    project = selectors.public_project(code)
    publicity = selectors.public_round(project, pk)
    objections = selectors.public_objections(publicity)
    for o in objections:
        o.submitter_masked = mask_name(o.submitter)
    context = {"project": project, "publicity": publicity, "objections": objections,
               "state": selectors.PERIOD_LABELS[selectors.in_period(publicity)]}
    context.update(_rows_context(publicity))
    return render(request, "compensation/publicity/public_round.html", context)


urlpatterns = [
    path("publicity/", publicity_index, name="publicity_index"),
    path("projects/<int:pk>/publicity/", publicity_project, name="publicity_project"),
    path("projects/<int:pk>/publicity/new/", publicity_create, name="publicity_create"),
    path("publicity/<int:pk>/", publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/publicity.docx", publicity_docx, name="publicity_docx"),
    path("publicity/<int:pk>/publicity.xlsx", publicity_xlsx, name="publicity_xlsx"),
    path("publicity/<int:pk>/objections/", objection_create, name="objection_create"),
    path("objections/<int:pk>/answer/", objection_answer, name="objection_answer"),
    path("objections/<int:pk>/publish/", objection_publish, name="objection_publish"),
    path("public/<str:code>/", public_board, name="publicity_public"),
    path("public/<str:code>/<int:pk>/", public_round, name="publicity_public_round"),
]
