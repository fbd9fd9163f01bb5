"""Pages of the assessment area (考核): schemes and their indicator grid, preview and publication of a
period, the sheet (ranking, each score's inputs and the records behind them, versions with their
difference), the red / yellow / black lists, bonus and penalty items, proposals.

Thin: parse, call a selector or a service, render. Out of scope answers 404; a refusal shows on the page
with its status and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign.models import Campaign
from gaizao.campaign.selectors.status import current_campaign
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError, NotFound
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.oversight import periods, scoring, sources
from gaizao.oversight.choices import ProposalStatus, SchemeStatus
from gaizao.oversight.forms.assessment import (AdjustmentForm, ConfirmForm, ReasonForm, RejectForm,
                                               SchemeForm, grid_initial, indicator_rows, rule_choices, source_choices)
from gaizao.oversight.models import Adjustment, Proposal
from gaizao.oversight.policies.assessment import (adjustment_document_scope, assessment_can_write, assessment_reader,
                                                  assessment_reads_all)
from gaizao.oversight.selectors import assessment as selectors
from gaizao.oversight.services import assessment as services

GET_POST = require_http_methods(["GET", "POST"])


def _crumbs(*more) -> list:
    return [(_("考核"), reverse("oversight:assessment_home")), *more]


def _office(request):
    if not assessment_can_write(request.user):
        raise Http404(_("不存在或无权操作。"))


def _scheme(request, pk: int):
    return selectors.scheme_get(request.user, pk)


def _write_scheme(request, pk: int):
    _office(request)
    return _scheme(request, pk)


@login_required
@require_GET
def assessment_home(request):
    """考核: the schemes (office, leaders), or the unit's own latest scores (streets, departments)."""
    if not assessment_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    campaign = current_campaign()
    if not assessment_reads_all(request.user):
        mine = selectors.my_scores(request.user, campaign)
        return render(request, "oversight/assessment/mine.html", {
            **mine, "breadcrumbs": [(_("考核"), None)], "rounding": scoring.ROUNDING_NOTE})
    return render(request, "oversight/assessment/home.html", {
        "schemes": list(selectors.scheme_list(request.user)), "can_write": assessment_can_write(request.user),
        "pending": selectors.pending_proposals(request.user), "latest": selectors.latest_sheet(request.user, campaign),
        "catalogue": selectors.source_catalogue(), "breadcrumbs": [(_("考核"), None)]})


@login_required
@GET_POST
def scheme_create(request):
    _office(request)
    form = SchemeForm(request.POST or None, campaigns=Campaign.objects.order_by("-starts_on"),
                      initial={"campaign": current_campaign()})
    return edit_page(
        request, form,
        save=lambda f: services.scheme_create(actor=request.user, ip=_ip(request), **f.cleaned_data),
        done=lambda s: reverse("oversight:scheme_indicators", args=[s.pk]), message=_("考核办法已创建，请设置考核指标。"),
        page=lambda status: render(request, "oversight/assessment/scheme_form.html", {
            "form": form, "title": _("制定考核办法"), "cancel_url": reverse("oversight:assessment_home"),
            "breadcrumbs": _crumbs((_("制定考核办法"), None))}, status=status))


@login_required
@GET_POST
def scheme_edit(request, pk: int):
    scheme = _write_scheme(request, pk)
    fields = ("name", "assessed", "period_kind", "total", "excellent_min", "good_min", "pass_min", "commend_runs",
              "account_runs", "missing_rule")
    form = SchemeForm(request.POST or None, editing=True, initial={f: getattr(scheme, f) for f in fields})
    return edit_page(
        request, form,
        save=lambda f: services.scheme_update(actor=request.user, scheme=scheme, version=scheme.version,
                                              ip=_ip(request), **f.cleaned_data),
        done=lambda s: reverse("oversight:scheme_detail", args=[s.pk]),
        page=lambda status: render(request, "oversight/assessment/scheme_form.html", {
            "form": form, "title": _("修改考核办法"), "scheme": scheme,
            "cancel_url": reverse("oversight:scheme_detail", args=[scheme.pk]),
            "breadcrumbs": _crumbs((scheme.name, reverse("oversight:scheme_detail", args=[scheme.pk])),
                                   (_("修改"), None))}, status=status))


@login_required
@GET_POST
def scheme_indicators(request, pk: int):
    """考核指标: the grid (name, weight, source and its parameters, rule and its parameters, formula)."""
    scheme = _write_scheme(request, pk)
    error, status = None, 200
    grid = grid_initial(scheme.indicators.order_by("order", "id"))
    if request.method == "POST":
        rows, grid = indicator_rows(request.POST)
        try:
            services.indicators_set(actor=request.user, scheme=scheme, version=request.POST.get("version"), rows=rows,
                                    ip=_ip(request))
        except NotFound:
            raise Http404(_("不存在或无权操作。")) from None
        except AppError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, _("考核指标已保存。"))
            return redirect("oversight:scheme_detail", pk=scheme.pk)
        grid += [dict.fromkeys(("name", "weight"), "") | {"i": len(grid) + 1}]
    return render(request, "oversight/assessment/indicators.html", {
        "scheme": scheme, "grid": grid, "error": error, "sources": source_choices(), "rules": rule_choices(),
        "metrics": sources.get("target_completion").params[0][2],
        "measures": sources.get("target_completion").params[1][2],
        "catalogue": selectors.source_catalogue(),
        "breadcrumbs": _crumbs((scheme.name, reverse("oversight:scheme_detail", args=[scheme.pk])),
                               (_("考核指标"), None))}, status=status)


@login_required
@require_GET
def scheme_detail(request, pk: int):
    scheme = _scheme(request, pk)
    today = timezone.localdate()
    can_write = assessment_can_write(request.user)
    indicators = list(scheme.indicators.order_by("order", "id"))
    for ind in indicators:
        found = sources.get(ind.source)
        ind.source_label = f"{found.label}（{found.unit}）" if found else ind.source
    return render(request, "oversight/assessment/scheme.html", {
        "scheme": scheme, "indicators": indicators,
        "sheets": selectors.scheme_sheets(scheme), "can_write": can_write,
        "period_now": periods.previous(periods.period_key(scheme.period_kind, today)),  # the last closed period
        "adjustments": list(Adjustment.objects.filter(scheme=scheme).select_related("unit").order_by("-period", "id")),
        "adjustment_form": AdjustmentForm(units=_units(scheme), initial={
            "period": periods.previous(periods.period_key(scheme.period_kind, today))}) if can_write else None,
        "sources": {s.key: s for s in selectors.source_catalogue()},
        "breadcrumbs": _crumbs((scheme.name, None))})


def _units(scheme):
    from gaizao.org.models import OrgUnit

    return OrgUnit.objects.filter(pk__in=[u.pk for u in scoring.assessed_units(scheme)]).order_by("path")


@login_required
@require_POST
def scheme_activate(request, pk: int):
    scheme = _write_scheme(request, pk)
    try:
        services.scheme_activate(actor=request.user, scheme=scheme, version=request.POST.get("version"),
                                 ip=_ip(request))
        messages.success(request, _("考核办法已施行。"))
    except AppError as exc:
        messages.error(request, exc.message)
    return redirect("oversight:scheme_detail", pk=scheme.pk)


@login_required
@require_GET
def scheme_preview(request, pk: int):
    """预览: the period computed live (nothing frozen), with the button to publish it."""
    scheme = _write_scheme(request, pk)
    period = request.GET.get("period") or periods.previous(periods.period_key(scheme.period_kind, timezone.localdate()))
    error, rows = None, []
    try:
        period = periods.normalise(period, kind=scheme.period_kind)
        rows = selectors.preview(scheme, period)
    except AppError as exc:
        error = exc
    return render(request, "oversight/assessment/preview.html", {
        "scheme": scheme, "period": period, "rows": rows, "error": error,
        "period_label": periods.label(period) if not error else period,
        "published": selectors.sheet_in_force(scheme, period) if not error else None,
        "rounding": scoring.ROUNDING_NOTE, "status_active": scheme.status == SchemeStatus.ACTIVE,
        "breadcrumbs": _crumbs((scheme.name, reverse("oversight:scheme_detail", args=[scheme.pk])),
                               (_("预览"), None))}, status=400 if error else 200)


@login_required
@require_POST
def scheme_publish(request, pk: int):
    scheme = _write_scheme(request, pk)
    try:
        sheet = services.sheet_publish(actor=request.user, scheme=scheme, period=request.POST.get("period", ""),
                                       ip=_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("oversight:scheme_detail", args=[scheme.pk]))
    messages.success(request, _("%s 考核结果已发布。") % periods.label(sheet.period))
    return redirect("oversight:sheet_detail", pk=sheet.pk)


@login_required
@require_POST
def adjustment_add(request, pk: int):
    scheme = _write_scheme(request, pk)
    form = AdjustmentForm(request.POST, request.FILES, units=_units(scheme))
    if form.is_valid() and form.submit(lambda: services.adjustment_add(
            actor=request.user, scheme=scheme, ip=_ip(request), **form.cleaned_data)):
        messages.success(request, _("加减分事项已录入，重新计算或发布该期时计入。"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("oversight:scheme_detail", pk=scheme.pk)


def _sheet_context(request, sheet) -> dict:
    return {"sheet": sheet, "scheme": sheet.scheme, "rows": selectors.sheet_rows_for(request.user, sheet),
            "period_label": periods.label(sheet.period), "versions": selectors.sheet_versions(sheet),
            "rounding": scoring.ROUNDING_NOTE, "can_write": assessment_can_write(request.user)}


@login_required
@require_GET
def sheet_detail(request, pk: int):
    """考核结果: the ranking; each score opens to its inputs and the records behind them; versions and diff."""
    sheet = selectors.sheet_get(request.user, pk)
    return render(request, "oversight/assessment/sheet.html", {
        **_sheet_context(request, sheet), "reason_form": ReasonForm(),
        "breadcrumbs": _crumbs((sheet.scheme.name, reverse("oversight:scheme_detail", args=[sheet.scheme_id])),
                               (periods.label(sheet.period), None))})


@login_required
@require_GET
def sheet_lists(request, pk: int):
    """红榜、黄榜、黑榜 of a period."""
    sheet = selectors.sheet_get(request.user, pk)
    return render(request, "oversight/assessment/lists.html", {
        **_sheet_context(request, sheet), "lists": selectors.lists(sheet),
        "breadcrumbs": _crumbs((sheet.scheme.name, reverse("oversight:scheme_detail", args=[sheet.scheme_id])),
                               (periods.label(sheet.period), reverse("oversight:sheet_detail", args=[sheet.pk])),
                               (_("红黄黑榜"), None))})


@login_required
@require_POST
def sheet_recompute(request, pk: int):
    _office(request)
    sheet = selectors.sheet_get(request.user, pk)
    try:
        new = services.sheet_recompute(actor=request.user, sheet=sheet, reason=request.POST.get("reason", ""),
                                       ip=_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
        response = render(request, "oversight/assessment/sheet.html", {
            **_sheet_context(request, sheet), "reason_form": ReasonForm(request.POST), "error": exc,
            "breadcrumbs": _crumbs((periods.label(sheet.period), None))}, status=exc.status)
        return response
    messages.success(request, _("已重新计算，生成第 %d 版。") % new.version)
    return redirect("oversight:sheet_detail", pk=new.pk)


@login_required
@require_GET
def proposal_list(request):
    """表彰问责建议: the rules' proposals, to confirm (making a record) or reject with a reason."""
    if not assessment_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    proposals = list(selectors.proposal_list(request.user))
    can_write = assessment_can_write(request.user)
    for p in proposals:
        if can_write and p.status == ProposalStatus.PROPOSED:
            p.confirm_form = ConfirmForm(kind=p.kind, initial={"version": p.version, "reason": p.reason},
                                         prefix=f"c{p.pk}")
            p.reject_form = RejectForm(initial={"version": p.version}, prefix=f"r{p.pk}")
    return render(request, "oversight/assessment/proposals.html", {
        "proposals": proposals, "can_write": can_write, "breadcrumbs": _crumbs((_("表彰问责建议"), None))})


def _proposal(request, pk: int) -> Proposal:
    _office(request)
    found = Proposal.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("不存在或无权操作。"))
    return found


def _posted(request, form_class, prefix, **kwargs):
    """A decision form posted with or without its page's prefix (the API-like plain names work too)."""
    data = request.POST
    if not any(k.startswith(f"{prefix}-") for k in data):
        return form_class(data, request.FILES, **kwargs)
    return form_class(data, request.FILES, prefix=prefix, **kwargs)


@login_required
@require_POST
def proposal_confirm(request, pk: int):
    proposal = _proposal(request, pk)
    form = _posted(request, ConfirmForm, f"c{pk}", kind=proposal.kind)
    if form.is_valid() and form.submit(lambda: services.proposal_confirm(
            actor=request.user, proposal=proposal, ip=_ip(request), **form.cleaned_data)):
        messages.success(request, _("已确认，并记入表彰问责记录。"))
        return redirect("oversight:proposals")
    return _proposals_again(request, form, status=getattr(form, "error_status", 400))


@login_required
@require_POST
def proposal_reject(request, pk: int):
    proposal = _proposal(request, pk)
    form = _posted(request, RejectForm, f"r{pk}")
    if form.is_valid() and form.submit(lambda: services.proposal_reject(
            actor=request.user, proposal=proposal, ip=_ip(request), **form.cleaned_data)):
        messages.success(request, _("已否决。"))
        return redirect("oversight:proposals")
    return _proposals_again(request, form, status=getattr(form, "error_status", 400))


def _proposals_again(request, form, *, status: int):
    """A refused decision: the message on a page of its own with the refusal's status (nothing written)."""
    errors = "；".join(e for errors in form.errors.values() for e in errors) or _("提交有误。")
    return render(request, "oversight/assessment/refused.html", {
        "message": errors, "back": reverse("oversight:proposals"),
        "breadcrumbs": _crumbs((_("表彰问责建议"), reverse("oversight:proposals")))}, status=status)


@login_required
@require_GET
def adjustment_document(request, pk: int):
    """The document file of a bonus or penalty item, to the office, leaders and the unit it is about."""
    item = get_in_scope(adjustment_document_scope(request.user).exclude(document=""), pk=pk)
    try:
        handle = item.document.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    return FileResponse(handle, filename=item.document.name.rsplit("/", 1)[-1], as_attachment=True)


urlpatterns = [
    path("assessment/", assessment_home, name="assessment_home"),
    path("assessment/schemes/new/", scheme_create, name="scheme_create"),
    path("assessment/schemes/<int:pk>/", scheme_detail, name="scheme_detail"),
    path("assessment/schemes/<int:pk>/edit/", scheme_edit, name="scheme_edit"),
    path("assessment/schemes/<int:pk>/indicators/", scheme_indicators, name="scheme_indicators"),
    path("assessment/schemes/<int:pk>/activate/", scheme_activate, name="scheme_activate"),
    path("assessment/schemes/<int:pk>/preview/", scheme_preview, name="scheme_preview"),
    path("assessment/schemes/<int:pk>/publish/", scheme_publish, name="scheme_publish"),
    path("assessment/schemes/<int:pk>/adjustments/", adjustment_add, name="adjustment_add"),
    path("assessment/adjustments/<int:pk>/document/", adjustment_document, name="adjustment_document"),
    path("assessment/sheets/<int:pk>/", sheet_detail, name="sheet_detail"),
    path("assessment/sheets/<int:pk>/lists/", sheet_lists, name="sheet_lists"),
    path("assessment/sheets/<int:pk>/recompute/", sheet_recompute, name="sheet_recompute"),
    path("assessment/proposals/", proposal_list, name="proposals"),
    path("assessment/proposals/<int:pk>/confirm/", proposal_confirm, name="proposal_confirm"),
    path("assessment/proposals/<int:pk>/reject/", proposal_reject, name="proposal_reject"),
]
