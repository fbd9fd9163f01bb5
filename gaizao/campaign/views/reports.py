"""Pages: periodic reports (定期汇报).

The street: its form for the current period (figures live until submitted, then frozen), its
reports, and the approval by a second account. The office: the table of streets × periods (late
and missing in red), accept / return / reopen, and one period's reports of all streets as one DOCX
(汇总) and one XLSX. Thin: parse, call a selector or a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign import documents
from gaizao.campaign.choices import ReportStatus
from gaizao.campaign.forms.reports import ReopenForm, ReportForm, ReturnForm, VersionForm
from gaizao.campaign.models import Report
from gaizao.campaign.policies.reports import (report_can_accept, report_reads_all, report_scope,
                                              report_street_writer, report_writer_streets)
from gaizao.campaign.selectors import reports as selectors
from gaizao.campaign.services import reports as services
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.org.models import OrgUnit

GET_POST = require_http_methods(["GET", "POST"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request):
    raw = request.GET.get("campaign") or request.POST.get("campaign")
    campaign = selectors.current_campaign(int(raw) if raw and raw.isdigit() else None)
    if campaign is None:
        raise Http404(_("没有进行中的攻坚行动。"))
    return campaign


def _crumbs(*last) -> list:
    return [(_("定期汇报"), reverse("campaign:reports") if last else None), *last]


def _detail_url(report) -> str:
    return reverse("campaign:report_detail", args=[report.pk])


def _figures(report: Report | None, campaign, street) -> tuple[dict, bool]:
    """The report's frozen figures once submitted, else those of today (live)."""
    if report is not None and report.status not in services.EDITABLE_STATES and report.figures:
        return report.figures, True
    return services.live_figures(campaign, street), False


@login_required
@require_GET
def report_home(request):
    """定期汇报: the office's table for the district roles, the street's own reports for a street."""
    if not request.GET.get("campaign") and selectors.current_campaign() is None:
        return render(request, "campaign/reports/no_campaign.html", {"heading": _("定期汇报"),
                                                                     "breadcrumbs": _crumbs()})
    campaign = _campaign(request)
    today = timezone.localdate()
    if report_reads_all(request.user):
        periods = services.periods_until(campaign, today)
        return render(request, "campaign/reports/office.html", {
            "campaign": campaign, "table": selectors.report_table(request.user, campaign, today=today),
            "summary": selectors.report_summary(campaign, today=today),
            "all_periods": periods[::-1], "can_review": report_can_accept(request.user),
            "reopen_form": ReopenForm() if report_can_accept(request.user) else None,
            "streets": selectors.streets(), "today": today, "breadcrumbs": _crumbs(),
        })
    street_ids = report_writer_streets(request.user)
    if not street_ids and not report_scope(request.user).exists():
        raise Http404(_("不存在或无权查看。"))
    return render(request, "campaign/reports/street.html", {
        "campaign": campaign, "current": services.period_of(campaign, today),
        "table": selectors.report_table(request.user, campaign, today=today),
        "reports": selectors.report_list(request.user, campaign=campaign),
        "breadcrumbs": _crumbs(),
    })


def _street_for(request) -> OrgUnit:
    street_ids = report_writer_streets(request.user)
    raw = request.GET.get("street") or request.POST.get("street")
    if raw and raw.isdigit():
        pk = int(raw)
    elif len(street_ids) == 1:
        pk = next(iter(street_ids))
    else:
        raise Http404(_("请选择街道。"))
    if pk not in street_ids:
        raise Http404(_("不存在或无权操作。"))
    street = OrgUnit.objects.filter(pk=pk).first()
    if street is None:
        raise Http404(_("不存在或无权操作。"))
    return street


@login_required
@GET_POST
def report_fill(request):
    """The street's report for one period (the current one unless ``?period=``): save or submit."""
    campaign = _campaign(request)
    street = _street_for(request)
    today = timezone.localdate()
    raw = request.GET.get("period")
    try:
        period = services.check_period_start(campaign, raw, today=today) if raw else services.period_of(campaign,
                                                                                                        today)
    except AppError:  # an address typed by hand: the current period instead
        period = services.period_of(campaign, today)
    if period is None:
        raise Http404(_("今天不在攻坚行动的汇报周期内。"))
    report = selectors.report_for_period(request.user, campaign=campaign, street_id=street.pk, start=period.start)
    editable = report is None or report.status in services.EDITABLE_STATES
    if report is not None and not editable and request.method == "GET":
        return redirect(_detail_url(report))
    form = ReportForm(request.POST or None, report=report) if editable else None
    is_locked = services.locked(campaign, period_end=period.end, reopened_until=report.reopened_until if report
                                else None, today=today)

    def save(form):
        with transaction.atomic():  # saved and submitted together, or neither
            saved = services.report_save(actor=request.user, campaign=campaign, street=street,
                                         period_start=period.start, version=form.cleaned_data.get("version"),
                                         ip=_ip(request), **form.texts())
            if request.POST.get("action") == "submit":
                saved = services.report_submit(actor=request.user, report=saved, version=saved.version,
                                               ip=_ip(request))
        return saved

    figures, frozen = _figures(report, campaign, street)
    return edit_page(
        request, form, save=save,
        message=lambda r: _("已提交，待本街道另一位账号审核。") if r.status == ReportStatus.SUBMITTED else _("已保存草稿。"),
        done=lambda r: _detail_url(r) if r.status == ReportStatus.SUBMITTED else (
            f"{reverse('campaign:report_fill')}?street={street.pk}&period={period.start:%Y-%m-%d}"),
        page=lambda status: render(request, "campaign/reports/fill.html", {
            "campaign": campaign, "street": street, "period": period, "report": report, "form": form,
            "figures": figures, "frozen": frozen, "locked": is_locked,
            "breadcrumbs": _crumbs((f"{street.name} {period.label}", None)),
        }, status=status))


def _render_detail(request, report, *, status=200, **forms):
    user = request.user
    writer = report_street_writer(user, report.street_id)
    reviewer = report_can_accept(user)
    figures, frozen = _figures(report, report.campaign, report.street)
    can_approve = writer and report.status == ReportStatus.SUBMITTED and report.submitted_by_id != user.pk
    return render(request, "campaign/reports/detail.html", {
        "report": report, "figures": figures, "frozen": frozen,
        "period": services.period_at(report.campaign, report.period_start),
        "on_time": services.on_time(report.campaign, period_end=report.period_end, submitted_at=report.submitted_at),
        "can_fill": writer and report.status in services.EDITABLE_STATES,
        "submit_form": forms.get("submit_form") or (VersionForm(initial={"version": report.version})
                                                    if writer and report.status in services.EDITABLE_STATES else None),
        "approve_form": forms.get("approve_form") or (VersionForm(initial={"version": report.version})
                                                      if can_approve else None),
        "waits_for_other": writer and report.status == ReportStatus.SUBMITTED and report.submitted_by_id == user.pk,
        "accept_form": forms.get("accept_form") or (VersionForm(initial={"version": report.version})
                                                    if reviewer and report.status == ReportStatus.APPROVED else None),
        "return_form": forms.get("return_form") or (ReturnForm(initial={"version": report.version})
                                                    if reviewer and report.status in (ReportStatus.SUBMITTED,
                                                                                      ReportStatus.APPROVED) else None),
        "breadcrumbs": _crumbs((f"{report.street.name} {report.period_start:%m-%d}～{report.period_end:%m-%d}", None)),
    }, status=status)


@login_required
@require_GET
def report_detail(request, pk: int):
    return _render_detail(request, selectors.report_get(request.user, pk=pk))


def _action(request, pk: int, *, form_name: str, form_class, allowed, call, message: str):
    report = selectors.report_get(request.user, pk=pk)
    form = form_class(request.POST) if allowed(request.user, report) else None  # None: a POST is 404
    return edit_page(request, form, save=lambda form: call(report, form), message=message,
                     done=lambda result: _detail_url(report),
                     page=lambda status: _render_detail(request, report, status=status, **{form_name: form}))


def _street_writer(user, report) -> bool:
    return report_street_writer(user, report.street_id)


def _reviewer(user, report) -> bool:
    return report_can_accept(user)


@login_required
@require_POST
def report_submit(request, pk: int):
    return _action(request, pk, form_name="submit_form", form_class=VersionForm, allowed=_street_writer,
                   call=lambda report, form: services.report_submit(
                       actor=request.user, report=report, version=form.cleaned_data["version"], ip=_ip(request)),
                   message=_("已提交，待本街道另一位账号审核。"))


@login_required
@require_POST
def report_approve(request, pk: int):
    return _action(request, pk, form_name="approve_form", form_class=VersionForm, allowed=_street_writer,
                   call=lambda report, form: services.report_approve(
                       actor=request.user, report=report, version=form.cleaned_data["version"], ip=_ip(request)),
                   message=_("已审核，报送指挥部。"))


@login_required
@require_POST
def report_accept(request, pk: int):
    return _action(request, pk, form_name="accept_form", form_class=VersionForm, allowed=_reviewer,
                   call=lambda report, form: services.report_accept(
                       actor=request.user, report=report, version=form.cleaned_data["version"], ip=_ip(request)),
                   message=_("已接收。"))


@login_required
@require_POST
def report_return(request, pk: int):
    return _action(request, pk, form_name="return_form", form_class=ReturnForm, allowed=_reviewer,
                   call=lambda report, form: services.report_return(
                       actor=request.user, report=report, version=form.cleaned_data["version"],
                       reason=form.cleaned_data.get("reason"), ip=_ip(request)),
                   message=_("已退回，并通知了提交人。"))


@login_required
@require_POST
def report_reopen(request):
    """The office reopens one street's period (重新开放补报), from the table."""
    campaign = _campaign(request)
    if not report_can_accept(request.user):
        raise Http404(_("不存在或无权操作。"))
    form = ReopenForm(request.POST)
    ok = form.is_valid() and form.submit(lambda: services.report_reopen(
        actor=request.user, campaign=campaign, street=form.cleaned_data["street"],
        period_start=form.cleaned_data["period_start"], until=form.cleaned_data["until"], ip=_ip(request)))
    if ok:
        messages.success(request, _("已重新开放，街道可在 %(d)s 前补报。") % {"d": form.cleaned_data["until"]})
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("未能重新开放：%(e)s") % {"e": "；".join(problems)})
    return redirect(f"{reverse('campaign:reports')}?campaign={campaign.pk}")


def _digest(request):
    campaign = _campaign(request)
    if not report_reads_all(request.user):
        raise Http404(_("不存在或无权查看。"))
    raw = request.GET.get("period")
    today = timezone.localdate()
    try:
        period = services.check_period_start(campaign, raw, today=today) if raw else None
    except AppError:  # a typed address: refused as missing
        period = None
    if period is None:
        periods = services.periods_until(campaign, today)
        if raw or not periods:
            raise Http404(_("没有这个汇报周期。"))
        period = periods[-1]
    reports = report_scope(request.user).filter(campaign=campaign, period_start=period.start).select_related(
        "submitted_by", "approved_by")
    return documents.report_digest_context(campaign, period.start, reports), period


@login_required
@require_GET
def report_digest_docx(request):
    from gaizao.documents import docx

    context, period = _digest(request)
    response = HttpResponse(docx.render("report_digest", context), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"定期汇报汇总_{period.start:%Y%m%d}.docx")
    return response


@login_required
@require_GET
def report_digest_xlsx(request):
    context, period = _digest(request)
    response = HttpResponse(documents.report_digest_xlsx(context), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"定期汇报汇总_{period.start:%Y%m%d}.xlsx")
    return response


urlpatterns = [
    path("reports/", report_home, name="reports"),
    path("reports/fill/", report_fill, name="report_fill"),
    path("reports/reopen/", report_reopen, name="report_reopen"),
    path("reports/digest.docx", report_digest_docx, name="report_digest_docx"),
    path("reports/digest.xlsx", report_digest_xlsx, name="report_digest_xlsx"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", report_approve, name="report_approve"),
    path("reports/<int:pk>/accept/", report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", report_return, name="report_return"),
]
