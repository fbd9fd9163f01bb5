"""Page: a project's signing judgements (签约期满判定) and the office's record of what follows a lapse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gaizao.core.editing import edit_page
from gaizao.core.requests import client_ip
from gaizao.progress.forms.signing import SigningOutcomeForm
from gaizao.progress.policies import signing_can_decide
from gaizao.core.errors import AppError
from gaizao.progress.selectors.signing import signing_project, signing_record, signing_write_project
from gaizao.progress.services.signing import signing_judge_now, signing_outcome_record


@login_required
@require_http_methods(["GET", "POST"])
def project_signing(request, pk: int):
    """签约期满判定: the period, the frozen result and its re-judgements; the office records the next step."""
    project = signing_project(request.user, pk=pk)
    record = signing_record(project)
    # the office's form (a POST from anyone else is 404); shown while a lapse awaits its next step, and
    # a POST when none is awaited is refused by the service with the reason
    form = SigningOutcomeForm(request.POST or None) if signing_can_decide(request.user) else None
    return edit_page(request, form, save=lambda form: signing_outcome_record(
        actor=request.user, project=project, ip=client_ip(request), **form.cleaned_data),
        message=_("已登记期满未达标项目的处置。"),
        done=lambda result: reverse("progress:project_signing", args=[project.pk]),
        page=lambda status: render(request, "progress/signing/project.html", {
            "project": project, "record": record, "form": form,
            "show_form": form is not None and (record.needs_outcome or request.method == "POST"),
            "may_judge": form is not None and record.status.code == "due",
            "breadcrumbs": [(_("城中村"), reverse("ledger:village_list")),
                            (project.village.name, reverse("ledger:village_detail", args=[project.village_id])),
                            (_("签约期满判定"), None)],
        }, status=status))


@login_required
@require_POST
def project_signing_judge(request, pk: int):
    """立即判定: the office judges an ended period at once instead of waiting for the hourly sweep."""
    project = signing_write_project(request.user, pk=pk)
    try:
        result = signing_judge_now(actor=request.user, project=project, ip=client_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        if result is None:
            messages.warning(request, _("签约期尚未届满（或未设定），不作判定。"))
        else:
            messages.success(request, _("已判定签约期满结果。"))
    return redirect("progress:project_signing", pk=project.pk)


urlpatterns = [
    path("projects/<int:pk>/signing/", project_signing, name="project_signing"),
    path("projects/<int:pk>/signing/judge/", project_signing_judge, name="project_signing_judge"),
]
