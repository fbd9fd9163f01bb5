"""Pages of inspections and rectification (督查 / 整改): the inspections, one inspection with its findings
and the form to add one, one finding (the unit's fix, the office's verification, 督办), the rectification
list by unit and status, and the photos.

Thin: parse a form, call a selector or a service, render. Out of scope answers 404, and so does a write
the user may not make (the service says NotFound); a refusal shows beside the field with its status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign.services.tasks import campaign_units
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError, NotFound
from gaizao.core.pages import keyset_links
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.oversight.choices import FindingStatus
from gaizao.oversight.forms.inspections import FindingFilterForm, FindingForm, FixForm, InspectionForm, VerifyForm
from gaizao.oversight.policies.inspections import (finding_can_verify, finding_fix_scope, finding_photo_scope,
                                                   finding_units_read, inspection_can_write, inspection_reader)
from gaizao.oversight.selectors import inspections as selectors
from gaizao.oversight.services import inspections as services
from gaizao.progress.services.photos import prepare_photos

GET_POST = require_http_methods(["GET", "POST"])
NOT_FOUND = "不存在或无权查看。"


def _crumbs(*more) -> list:
    return [(_("督查"), reverse("oversight:inspection_list")), *more]


def _inspection_url(inspection) -> str:
    return reverse("oversight:inspection_detail", args=[getattr(inspection, "pk", inspection)])


def _finding_url(finding) -> str:
    return reverse("oversight:finding_detail", args=[getattr(finding, "pk", finding)])


def _order_url(order_id) -> str | None:
    """The order's page, once the orders area offers one."""
    if not order_id:
        return None
    try:
        return reverse("oversight:order_detail", args=[order_id])
    except NoReverseMatch:
        return None


def _require_reader(request) -> None:
    if not inspection_reader(request.user):
        raise Http404(NOT_FOUND)


# --- inspections ---------------------------------------------------------------------------------------

@login_required
@require_GET
def inspection_list(request):
    """督查: the inspections the user reads, latest first, with the findings' counts."""
    _require_reader(request)
    after = request.GET.get("after", "")
    # an id a database holds (a longer string of digits is no page of ours)
    page = selectors.inspection_list(request.user, after=int(after) if after.isdigit() and len(after) < 19 else None)
    return render(request, "oversight/inspections/list.html", {
        "rows": page.items, **keyset_links(request, page.next_after),
        "can_write": inspection_can_write(request.user), "breadcrumbs": [(_("督查"), None)],
    })


def _form_page(request, *, form, title: str, cancel_url: str, status: int, inspection=None):
    return render(request, "oversight/inspections/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url,
        "breadcrumbs": _crumbs(*((inspection.title, _inspection_url(inspection)),) if inspection else (),
                               (title, None)),
    }, status=status)


@login_required
@GET_POST
def inspection_create(request):
    """记录督查: the office records an inspection."""
    if not inspection_can_write(request.user):
        raise Http404(NOT_FOUND)
    form = InspectionForm(request.POST or None, user=request.user)
    return edit_page(request, form, save=lambda form: services.inspection_create(
        actor=request.user, ip=_ip(request), **form.values()), message=_("已记录督查。"), done=_inspection_url,
        page=lambda status: _form_page(request, form=form, title=_("记录督查"),
                                       cancel_url=reverse("oversight:inspection_list"), status=status))


@login_required
@GET_POST
def inspection_edit(request, pk: int):
    """修改督查 (the office)."""
    if not inspection_can_write(request.user):
        raise Http404(NOT_FOUND)
    inspection = selectors.inspection_get(request.user, pk)
    form = InspectionForm(request.POST or None, user=request.user, inspection=inspection)
    return edit_page(request, form, save=lambda form: services.inspection_update(
        actor=request.user, inspection=inspection, version=form.cleaned_data.get("version"), ip=_ip(request),
        **form.values()), message=_("已保存督查。"), done=_inspection_url,
        page=lambda status: _form_page(request, form=form, title=_("修改督查"), cancel_url=_inspection_url(inspection),
                                       inspection=inspection, status=status))


def _render_inspection(request, inspection, *, status: int = 200, finding_form=None):
    writer = inspection_can_write(request.user)
    findings = selectors.inspection_findings(request.user, inspection)
    units = list(inspection.units.all())
    if writer and finding_form is None:
        finding_form = FindingForm(units=services.finding_units(inspection))
    return render(request, "oversight/inspections/detail.html", {
        "inspection": inspection, "units": units, "findings": findings, "can_write": writer,
        "finding_form": finding_form if writer else None,
        "breadcrumbs": _crumbs((inspection.title, None)),
    }, status=status)


@login_required
@require_GET
def inspection_detail(request, pk: int):
    return _render_inspection(request, selectors.inspection_get(request.user, pk))


@login_required
@require_POST
def finding_add(request, pk: int):
    """登记督查问题: a finding with photos, on the inspection page (the office)."""
    inspection = selectors.inspection_get(request.user, pk)
    form = FindingForm(request.POST, request.FILES, units=services.finding_units(inspection)) \
        if inspection_can_write(request.user) else None

    def save(form):
        values = dict(form.cleaned_data)
        # decoded and resized before the write's transaction, which would hold the write lock meanwhile
        values["photos"] = prepare_photos(values.get("photos"))
        return services.finding_add(actor=request.user, inspection=inspection, ip=_ip(request), **values)

    return edit_page(request, form, save=save, message=_("已登记督查问题。"),
                     done=lambda finding: _inspection_url(inspection) + f"#finding-{finding.pk}",
                     page=lambda status: _render_inspection(request, inspection, status=status, finding_form=form))


# --- findings ------------------------------------------------------------------------------------------

@login_required
@require_GET
def finding_list(request):
    """整改事项: the findings the user reads by unit and status (open ones by default), and the open,
    overdue and waiting counts per unit."""
    _require_reader(request)
    read = finding_units_read(request.user)
    everywhere = read is None
    units = campaign_units() if everywhere else campaign_units().filter(pk__in=read)
    form = FindingFilterForm(request.GET or None, units=units)
    valid = form.valid_or_unbound()
    page = selectors.finding_list(request.user, **form.filters()) if valid else None
    return render(request, "oversight/inspections/findings.html", {
        "form": form, "rows": page.items if page else [], **keyset_links(request, page.next_after if page else None),
        "summary": selectors.open_findings_summary(request.user), "everywhere": everywhere,
        "breadcrumbs": [(_("整改事项"), None)],
    }, status=200 if valid else 400)


def _render_finding(request, finding, *, status: int = 200, **forms):
    user = request.user
    fixer = finding_fix_scope(user).filter(pk=finding.pk).exists()
    office = finding_can_verify(user)
    fixable = finding.status in services.FIXABLE
    waiting = finding.status == FindingStatus.FIXED
    own_fix = waiting and finding.fixed_by_id == user.pk
    order_open = bool(finding.order_id) and finding.order.status not in services.CLOSED_ORDERS
    return render(request, "oversight/inspections/finding.html", {
        "finding": finding, "order_url": _order_url(finding.order_id),
        "fix_form": (forms.get("fix_form") or FixForm(initial={"version": finding.version}))
        if fixer and fixable else None,
        "verify_form": (forms.get("verify_form") or VerifyForm(initial={"version": finding.version}))
        if office and waiting and not own_fix else None,
        "own_fix": office and own_fix,
        "order_error": forms.get("order_error"),
        "can_raise": office and finding.status != FindingStatus.VERIFIED and not order_open,
        "breadcrumbs": [(_("整改事项"), reverse("oversight:finding_list")),
                        (finding.inspection.title, _inspection_url(finding.inspection_id)),
                        (finding.text[:20], None)],
    }, status=status)


@login_required
@require_GET
def finding_detail(request, pk: int):
    return _render_finding(request, selectors.finding_get(request.user, pk))


@login_required
@require_POST
def finding_fix(request, pk: int):
    """提交整改: the finding's unit only (anyone else: 404)."""
    finding = get_in_scope(finding_fix_scope(request.user), pk=pk)
    finding = selectors.finding_get(request.user, finding.pk)
    form = FixForm(request.POST, request.FILES)

    def save(form):
        photos = prepare_photos(form.cleaned_data.get("photos"))
        return services.finding_fix(actor=request.user, finding=finding, version=form.cleaned_data.get("version"),
                                    note=form.cleaned_data.get("note"), photos=photos, ip=_ip(request))

    return edit_page(request, form, save=save, message=_("已提交整改情况，等待核验。"), done=_finding_url,
                     page=lambda status: _render_finding(request, finding, status=status, fix_form=form))


@login_required
@require_POST
def finding_verify(request, pk: int):
    """核验整改: pass (销号) or return with the reason (the office)."""
    finding = selectors.finding_get(request.user, pk)
    form = VerifyForm(request.POST) if finding_can_verify(request.user) else None
    return edit_page(request, form, save=lambda form: services.finding_verify(
        actor=request.user, finding=finding, version=form.cleaned_data.get("version"), passed=form.passed(),
        reason=form.cleaned_data.get("reason"), ip=_ip(request)),
        message=lambda f: _("已核验销号。") if f.status == FindingStatus.VERIFIED else _("已退回重新整改。"),
        done=_finding_url,
        page=lambda status: _render_finding(request, finding, status=status, verify_form=form))


@login_required
@require_POST
def finding_order(request, pk: int):
    """督办: raise a supervision order (a draft) from the finding (the office)."""
    finding = selectors.finding_get(request.user, pk)
    if not finding_can_verify(request.user):
        raise Http404(NOT_FOUND)
    try:
        order = services.finding_raise_order(actor=request.user, finding=finding, ip=_ip(request))
    except NotFound:
        raise Http404(NOT_FOUND) from None
    except AppError as exc:
        return _render_finding(request, finding, status=exc.status, order_error=exc.message)
    messages.success(request, _("已生成督办单草稿，请完善后送领导审核。"))
    return redirect(_order_url(order.pk) or _finding_url(finding))


@login_required
@require_GET
def finding_photo(request, pk: int):
    """A finding's photo (问题照片 or 整改照片): to whoever reads the finding; never from a public address."""
    photo = get_in_scope(finding_photo_scope(request.user), pk=pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    response = FileResponse(handle, content_type="image/jpeg", filename=photo.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/findings/", finding_add, name="finding_add"),
    path("findings/", finding_list, name="finding_list"),
    path("findings/<int:pk>/", finding_detail, name="finding_detail"),
    path("findings/<int:pk>/fix/", finding_fix, name="finding_fix"),
    path("findings/<int:pk>/verify/", finding_verify, name="finding_verify"),
    path("findings/<int:pk>/order/", finding_order, name="finding_order"),
    path("findings/photos/<int:pk>/", finding_photo, name="finding_photo"),
]
