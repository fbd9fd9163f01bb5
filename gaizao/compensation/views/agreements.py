"""Pages of the compensation agreements (补偿协议): a project's register (签约顺序), one agreement (its frozen
amounts, the draft's terms, the signature), its DOCX, and generating from the household page's panel.

Generating is posted from the household page (the ledger's): a refusal shows that page again with the
panel's form and the service's message (``core.editing.page_again``), and writes nothing.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.compensation.agreement_doc import (agreement_docx, agreement_filename, effectiveness_condition,
                                               item_lines, money)
from gaizao.compensation.choices import AgreementStatus
from gaizao.compensation.forms.agreements import AgreementEditForm, AgreementGenerateForm, AgreementSignForm
from gaizao.compensation.policies.agreements import agreement_can_write, register_reader
from gaizao.compensation.selectors import agreements as sel
from gaizao.compensation.services import agreements as services
from gaizao.core.editing import edit_page, found, page_again
from gaizao.core.requests import client_ip
from gaizao.documents.docx import CONTENT_TYPE

PANEL = "compensation.agreements"


def _household_url(pk: int) -> str:
    return reverse("ledger:household_detail", args=[pk]) + "#agreement"


def _crumbs(agreement):
    project = agreement.project
    return [(project.name, reverse("compensation:project_agreements", args=[project.pk])),
            (agreement.household.number, reverse("ledger:household_detail", args=[agreement.household_id])),
            (agreement.number, None)]


@login_required
@require_GET
def agreement_index(request):
    """补偿协议: each project the user reads, with its signed and waiting agreements; a project opens its register."""
    projects = sel.register_index(request.user)
    if not projects and not register_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    return render(request, "compensation/agreements/index.html", {
        "projects": projects, "breadcrumbs": [(_("补偿协议"), None)]})


@login_required
@require_GET
def project_agreements(request, pk: int):
    """A project's register of agreements: the signed ones in signing order, then the drafts."""
    project = found(sel.register_project_get, request.user, pk=pk)
    agreements = list(sel.project_agreements(request.user, project))
    for a in agreements:
        a.total_text = money(a.total)
    return render(request, "compensation/agreements/project_list.html", {
        "project": project, "agreements": agreements, "summary": sel.register_summary(project, agreements),
        "condition": effectiveness_condition(project),
        "breadcrumbs": [(project.village.name, reverse("ledger:village_detail", args=[project.village_id])),
                        (_("%(p)s · 补偿协议") % {"p": project.name}, None)]})


@login_required
@require_POST
def agreement_generate(request, pk: int):
    """Generate (or regenerate a draft of) the household's agreement from its current calculation."""
    household = found(sel.household_get, request.user, pk=pk, write=True)
    form = AgreementGenerateForm(request.POST)

    def save(form):
        return services.agreement_generate(actor=request.user, household=household, ip=client_ip(request),
                                           option=form.cleaned_data.get("option") or None, **form.terms())

    return edit_page(request, form, save=save, done=lambda a: reverse("compensation:agreement", args=[a.pk]),
                     message=lambda a: _("已生成补偿协议 %(n)s（待签约）。") % {"n": a.number},
                     page=lambda status: page_again(request, reverse("ledger:household_detail", args=[pk]),
                                                    status=status, panels={PANEL: {"generate_form": form}}))


@login_required
@require_http_methods(["GET", "POST"])
def agreement_detail(request, pk: int):
    """One agreement: its frozen amounts and terms; a draft's terms edited and its signature recorded here."""
    agreement = found(sel.agreement_get, request.user, pk=pk)
    may_write = agreement_can_write(request.user, agreement.household)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms = {}
    if may_write and agreement.status == AgreementStatus.DRAFT:
        forms["edit"] = AgreementEditForm(request.POST if step == "edit" else None, prefix="edit", initial={
            "version": agreement.version, "payment_terms": agreement.payment_terms, "swap_flat": agreement.swap_flat,
            "move_deadline": agreement.move_deadline, "transition_months": agreement.transition_months})
        forms["sign"] = AgreementSignForm(request.POST if step == "sign" else None, prefix="sign",
                                          initial={"version": agreement.version})
    if request.method == "POST" and step not in forms:
        if may_write and step in {"edit", "sign"}:
            refusal = (services.signed_refusal(agreement, what=_("协议内容")) if step == "edit"
                       and agreement.status == AgreementStatus.SIGNED else None)
            if step == "sign" and agreement.status == AgreementStatus.SIGNED:
                refusal = _("补偿协议 %(n)s 已于 %(d)s 签订（签约顺序号 %(o)s），不能重复签约。") % {
                    "n": agreement.number, "d": agreement.signed_on, "o": agreement.order_no}
            messages.error(request, str(refusal) if refusal else _("协议 %(n)s 已作废，不能修改或签约。") % {
                "n": agreement.number})
            return redirect("compensation:agreement", pk=pk)
        raise Http404(_("不存在或无权操作。"))
    saves = {
        "edit": lambda f: services.agreement_update(actor=request.user, agreement=agreement.pk, ip=client_ip(request),
                                                    version=f.cleaned_data["version"], **f.terms()),
        "sign": lambda f: services.agreement_sign(actor=request.user, agreement=agreement.pk, ip=client_ip(request),
                                                  version=f.cleaned_data["version"],
                                                  signed_on=f.cleaned_data["signed_on"]),
    }
    words = {"edit": lambda a: _("已保存协议条款。"),
             "sign": lambda a: _("已登记签约：协议 %(n)s，签约日期 %(d)s，签约顺序号 %(o)d。") % {
                 "n": a.number, "d": a.signed_on, "o": a.order_no}}
    return edit_page(request, forms.get(step), save=saves.get(step), message=words.get(step),
                     done=lambda a: reverse("compensation:agreement", args=[pk]),
                     page=lambda status: render(request, "compensation/agreements/detail.html", {
                         "agreement": agreement, "forms": forms, "may_write": may_write,
                         "lines": item_lines(agreement), "total": money(agreement.total),
                         "condition": effectiveness_condition(agreement.project),
                         "digest_holds": services.digest_holds(agreement), "breadcrumbs": _crumbs(agreement)},
                         status=status))


@login_required
@require_GET
def agreement_download(request, pk: int):
    """The agreement as 公文 DOCX, from its frozen row."""
    agreement = found(sel.agreement_get, request.user, pk=pk)
    return docx_response(agreement)


def docx_response(agreement) -> HttpResponse:
    response = HttpResponse(agreement_docx(agreement), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(agreement_filename(agreement))}"
    return response


urlpatterns = [
    path("agreements/", agreement_index, name="agreement_index"),
    path("projects/<int:pk>/agreements/", project_agreements, name="project_agreements"),
    path("households/<int:pk>/agreements/generate/", agreement_generate, name="agreement_generate"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement"),
    path("agreements/<int:pk>/docx/", agreement_download, name="agreement_docx"),
]
