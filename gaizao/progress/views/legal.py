"""Pages of the holdouts' legal path (补偿决定的法定程序): the list per step, recording a step from
the household page's panel, and a step's document.

Thin: parse, call, render. A case out of the user's scope is 404, and so is a step the user may
not record (the service says NotFound). A refusal shows the household page again (the ledger's,
reached by its address) with the service's message in the legal panel, status 400 (409 stale).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gaizao.core.editing import edit_page, page_again
from gaizao.core.pages import keyset_links
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.progress import legal
from gaizao.progress.forms.legal import LegalFilterForm, LegalStepForm
from gaizao.progress.models import LegalStep
from gaizao.progress.policies import legalcase_can_write, legalcase_scope
from gaizao.progress.selectors.legal import legalcase_get, legalcase_list
from gaizao.progress.services.legal import legal_step_record

PANEL = "progress.legal"  # its name in core.registry.panels (progress.registrations)


def _household_url(pk: int) -> str:
    return reverse("ledger:household_detail", args=[pk]) + "#legal"


@login_required
@require_GET
def legal_list(request):
    form = LegalFilterForm(request.GET or None, user=request.user)
    page = legalcase_list(request.user, **form.filters()) if form.valid_or_unbound() else None
    return render(request, "progress/legal/list.html", {
        "form": form,
        "rows": page.items if page else [],
        **keyset_links(request, page.next_after if page else None),
        "breadcrumbs": [(_("补偿决定程序"), None)],
    })


@login_required
@require_POST
def legal_step(request, pk: int):
    """Record the next step (the form of the household page's legal panel)."""
    case = legalcase_get(request.user, pk=pk)
    if not legalcase_can_write(request.user, case):  # a reader who may not record: 404, as the service says
        raise Http404(_("不存在或无权操作。"))
    form = LegalStepForm(request.POST, request.FILES)

    def save(form):
        return legal_step_record(actor=request.user, case=case.pk, ip=_ip(request), **form.values())

    return edit_page(request, form, save=save, show=form.show_error, done=lambda step: _household_url(case.household_id),
                     message=lambda step: _("已登记「%(k)s」（%(d)s）。") % {
                         "k": legal.step_label(step.kind, case.land_type), "d": f"{step.on_date:%Y-%m-%d}"},
                     page=lambda status: page_again(request, reverse("ledger:household_detail",
                                                                     args=[case.household_id]),
                                                    status=status, panels={PANEL: {"form": form}}))


@login_required
@require_GET
def legal_document(request, pk: int):
    """A step's document (文书), to whoever reads the case; saved under its original name."""
    step = get_in_scope(LegalStep.objects.filter(case__in=legalcase_scope(request.user)).exclude(file=""), pk=pk)
    try:
        handle = step.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文书文件不存在。")) from None
    return FileResponse(handle, content_type=step.content_type, as_attachment=True, filename=step.file_name)


urlpatterns = [
    path("legal/", legal_list, name="legal_list"),
    path("legal/<int:pk>/steps/", legal_step, name="legal_step"),
    path("legal/documents/<int:pk>/", legal_document, name="legal_document"),
]
