"""Pages of supervision orders (督办单): the list with colours, one order with the steps this user may
take, the draft form, the candidates (待督办) with their one-click 督办, the 督办通知 as DOCX, and the
evidence files.

Thin: parse a form, call a selector or a service, render. An order out of the user's scope answers
404, and so does a step the user may not take; a refusal shows beside the field with its status
(400, 409 for a stale page) and writes nothing.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign.models import Campaign
from gaizao.campaign.selectors.status import current_campaign
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError, NotFound
from gaizao.core.pages import keyset_links
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.oversight import order_doc
from gaizao.oversight.choices import OrderColour, OrderStatus
from gaizao.oversight.forms.orders import (FeedbackForm, OrderFilterForm, OrderForm, ReasonForm, ReviewForm,
                                           VerifyForm, VersionForm)
from gaizao.oversight.models import SupervisionOrder
from gaizao.oversight.policies.orders import (order_office, order_reader, order_reviewer, order_unit_condition,
                                              order_write_scope)
from gaizao.oversight.selectors import orders as selectors
from gaizao.oversight.services import orders as services

GET_POST = require_http_methods(["GET", "POST"])
COLOUR_CSS = {OrderColour.RED: "bg-red text-red-fg", OrderColour.YELLOW: "bg-yellow text-yellow-fg",
              OrderColour.BLUE: "bg-blue text-blue-fg", OrderColour.NONE: "bg-green-lt",
              OrderColour.DONE: "bg-secondary-lt"}


def _crumbs(*more) -> list:
    return [(_("督办单"), reverse("oversight:order_list")), *more]


def _detail_url(order) -> str:
    return reverse("oversight:order_detail", args=[order.pk])


def _office_only(request) -> None:
    if not order_office(request.user):
        raise Http404(_("不存在或无权操作。"))


@login_required
@require_GET
def order_list(request):
    """督办单: the orders in scope, newest first, with their colours; filters by status, colour, unit, level."""
    if not order_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    form = OrderFilterForm(request.GET or None)
    page = selectors.order_list(request.user, **form.filters()) if form.valid_or_unbound() else None
    return render(request, "oversight/orders/list.html", {
        "form": form, "rows": page.items if page else [], **keyset_links(request, page.next_after if page else None),
        "counts": selectors.orders_by_colour(request.user), "colour_css": COLOUR_CSS,
        "colours": [(c, OrderColour(c).label) for c in selectors.COLOUR_ORDER],
        "can_draft": order_office(request.user), "can_review": order_reviewer(request.user),
        "breadcrumbs": [(_("督办单"), None)],
    })


def _form_page(request, *, form, title: str, cancel_url: str, status: int, order=None):
    return render(request, "oversight/orders/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "order": order,
        "breadcrumbs": _crumbs(*((order.number or order.title, _detail_url(order)),) if order else (), (title, None)),
    }, status=status)


@login_required
@GET_POST
def order_create(request):
    """拟稿: the office drafts an order about a task, a target, a village, a household or anything else."""
    _office_only(request)
    campaign = current_campaign()
    form = OrderForm(request.POST or None, initial={"campaign": campaign.pk if campaign else None})
    return edit_page(request, form, save=lambda form: services.order_create(
        actor=request.user, ip=_ip(request), **form.values()), message=_("已保存督办单草稿。"), done=_detail_url,
        page=lambda status: _form_page(request, form=form, title=_("督办单拟稿"),
                                       cancel_url=reverse("oversight:order_list"), status=status))


@login_required
@GET_POST
def order_edit(request, pk: int):
    """修改草稿 (the office; a draft only)."""
    _office_only(request)
    order = get_in_scope(SupervisionOrder.objects.select_related("unit"), pk=pk)
    form = OrderForm(request.POST or None, order=order)
    return edit_page(request, form, save=lambda form: services.order_update(
        actor=request.user, order=order, version=form.cleaned_data.get("version"), ip=_ip(request),
        **form.values()), message=_("已保存督办单草稿。"), done=_detail_url,
        page=lambda status: _form_page(request, form=form, title=_("修改督办单"), cancel_url=_detail_url(order),
                                       order=order, status=status))


def _is_unit(user, order) -> bool:
    condition = order_unit_condition(user)
    return condition is not None and SupervisionOrder.objects.filter(condition, pk=order.pk).exists()


def _render_detail(request, order, *, status: int = 200, **forms):
    user = request.user
    office = order_office(user)
    unit = _is_unit(user, order)
    s = order.status
    colour = selectors.order_colour_now(order)
    initial = {"version": order.version}
    open_ = s not in (OrderStatus.CLOSED, OrderStatus.CANCELLED)
    return render(request, "oversight/orders/detail.html", {
        "order": order, "colour": colour, "colour_label": OrderColour(colour).label,
        "colour_css": COLOUR_CSS[colour], "evidence": selectors.order_evidence(order),
        "history": selectors.order_history(order),
        "can_edit": office and s == OrderStatus.DRAFT,
        "submit_form": (forms.get("submit_form") or VersionForm(initial=initial))
        if office and s == OrderStatus.DRAFT else None,
        "review_form": (forms.get("review_form") or ReviewForm(initial=initial))
        if order_reviewer(user) and s == OrderStatus.REVIEW and order.created_by_id != user.pk else None,
        "receive_form": (forms.get("receive_form") or VersionForm(initial=initial))
        if unit and s == OrderStatus.ISSUED else None,
        "start_form": (forms.get("start_form") or VersionForm(initial=initial))
        if unit and s in (OrderStatus.RECEIVED, OrderStatus.RETURNED) else None,
        "feedback_form": (forms.get("feedback_form") or FeedbackForm(initial=initial))
        if unit and s in services.UNIT_WORKING else None,
        "verify_form": (forms.get("verify_form") or VerifyForm(initial=initial))
        if office and s == OrderStatus.FEEDBACK and order.feedback_by_id != user.pk else None,
        "self_fed": office and s == OrderStatus.FEEDBACK and order.feedback_by_id == user.pk,
        "cancel_form": (forms.get("cancel_form") or ReasonForm(initial=initial)) if office and open_ else None,
        "today": timezone.localdate(),
        "breadcrumbs": _crumbs((order.number or order.title, None)),
    }, status=status)


@login_required
@require_GET
def order_detail(request, pk: int):
    return _render_detail(request, selectors.order_get(request.user, pk))


def _step(request, pk: int, *, scope, form_name: str, form, save, message: str):
    """A POST of one step: the order must be in ``scope`` for the user (else 404), then the form and
    the service; a refusal shows the order again with the form and its error."""
    order = get_in_scope(scope(request.user).select_related("unit", "campaign"), pk=pk)

    def page(status):
        return _render_detail(request, selectors.order_get(request.user, order.pk), status=status,
                              **{form_name: form})

    return edit_page(request, form, save=lambda form: save(order, form), message=message,
                     done=lambda result: _detail_url(order), page=page)


def _office_scope(user):
    return SupervisionOrder.objects.all() if order_office(user) else SupervisionOrder.objects.none()


def _review_scope(user):
    return SupervisionOrder.objects.all() if order_reviewer(user) else SupervisionOrder.objects.none()


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


@login_required
@require_POST
def order_submit(request, pk: int):
    return _step(request, pk, scope=_office_scope, form_name="submit_form", form=VersionForm(request.POST),
                 save=lambda order, form: services.order_submit(actor=request.user, order=order,
                                                                version=_version(form), ip=_ip(request)),
                 message=_("已提交领导审核。"))


@login_required
@require_POST
def order_review(request, pk: int):
    return _step(request, pk, scope=_review_scope, form_name="review_form", form=ReviewForm(request.POST),
                 save=lambda order, form: services.order_review(
                     actor=request.user, order=order, version=_version(form), approve=form.cleaned_data["approve"],
                     note=form.cleaned_data.get("note"), ip=_ip(request)),
                 message=_("已审核。"))


@login_required
@require_POST
def order_receive(request, pk: int):
    return _step(request, pk, scope=order_write_scope, form_name="receive_form", form=VersionForm(request.POST),
                 save=lambda order, form: services.order_receive(actor=request.user, order=order,
                                                                 version=_version(form), ip=_ip(request)),
                 message=_("已签收。"))


@login_required
@require_POST
def order_start(request, pk: int):
    return _step(request, pk, scope=order_write_scope, form_name="start_form", form=VersionForm(request.POST),
                 save=lambda order, form: services.order_start(actor=request.user, order=order,
                                                               version=_version(form), ip=_ip(request)),
                 message=_("已开始办理。"))


@login_required
@require_POST
def order_feedback(request, pk: int):
    return _step(request, pk, scope=order_write_scope, form_name="feedback_form",
                 form=FeedbackForm(request.POST, request.FILES),
                 save=lambda order, form: services.order_feedback(
                     actor=request.user, order=order, version=_version(form), text=form.cleaned_data.get("text"),
                     files=form.cleaned_data.get("files"), ip=_ip(request)),
                 message=_("已反馈办理情况，等待核验。"))


@login_required
@require_POST
def order_verify(request, pk: int):
    return _step(request, pk, scope=_office_scope, form_name="verify_form", form=VerifyForm(request.POST),
                 save=lambda order, form: services.order_verify(
                     actor=request.user, order=order, version=_version(form), passed=form.cleaned_data["passed"],
                     reason=form.cleaned_data.get("reason"), ip=_ip(request)),
                 message=_("已核验。"))


@login_required
@require_POST
def order_cancel(request, pk: int):
    return _step(request, pk, scope=_office_scope, form_name="cancel_form", form=ReasonForm(request.POST),
                 save=lambda order, form: services.order_cancel(
                     actor=request.user, order=order, version=_version(form), reason=form.cleaned_data.get("reason"),
                     ip=_ip(request)),
                 message=_("督办单已撤销。"))


@login_required
@require_GET
def order_docx(request, pk: int):
    """督办通知 (公文, DOCX) of one order, to whoever reads it."""
    order = selectors.order_get(request.user, pk)
    content = order_doc.order_docx(order)
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    name = f"督办通知-{order.number or order.pk}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def order_evidence(request, pk: int):
    """An evidence file (佐证材料), to whoever reads its order; never from a public media address."""
    item = get_in_scope(selectors.order_evidence_scope(request.user), pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    return FileResponse(handle, content_type=item.content_type, filename=item.name, as_attachment=True)


# --- 待督办: the candidates and the one-click order --------------------------------------------------

@login_required
@require_GET
def order_candidates(request):
    """待督办: every red target light and overdue task without an open order, each with its 督办 button."""
    _office_only(request)
    chosen = request.GET.get("campaign", "")
    campaign = Campaign.objects.filter(pk=chosen).first() if chosen.isdigit() else current_campaign()
    return render(request, "oversight/orders/candidates.html", {
        "campaign": campaign, "campaigns": Campaign.objects.order_by("-year", "-id"),
        "candidates": selectors.order_candidates(campaign),
        "breadcrumbs": _crumbs((_("待督办"), None)),
    })


@login_required
@require_POST
def order_raise(request):
    """一键督办: a draft order from a red light (campaign, street, metric) or an overdue task, then its page."""
    _office_only(request)
    kind = request.POST.get("kind", "")
    try:
        if kind == "target":
            campaign = Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first()
            if campaign is None:
                raise AppError(_("所选攻坚行动不存在。"))
            order = services.order_raise_from_target(actor=request.user, campaign=campaign,
                                                     street=request.POST.get("street") or 0,
                                                     metric=request.POST.get("metric", ""), ip=_ip(request))
        elif kind == "task":
            order = services.order_raise_from_task(actor=request.user, task=request.POST.get("task") or 0,
                                                   ip=_ip(request))
        else:
            raise AppError(_("请选择督办的对象。"))
    except NotFound:
        raise Http404(_("不存在或无权操作。")) from None
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("oversight:order_candidates"))
    messages.success(request, _("已生成督办单草稿，请核对后提交领导审核。"))
    return redirect(_detail_url(order))


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/new/", order_create, name="order_create"),
    path("orders/candidates/", order_candidates, name="order_candidates"),
    path("orders/raise/", order_raise, name="order_raise"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", order_edit, name="order_edit"),
    path("orders/<int:pk>/submit/", order_submit, name="order_submit"),
    path("orders/<int:pk>/review/", order_review, name="order_review"),
    path("orders/<int:pk>/receive/", order_receive, name="order_receive"),
    path("orders/<int:pk>/start/", order_start, name="order_start"),
    path("orders/<int:pk>/feedback/", order_feedback, name="order_feedback"),
    path("orders/<int:pk>/verify/", order_verify, name="order_verify"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order_cancel"),
    path("orders/<int:pk>/notice.docx", order_docx, name="order_docx"),
    path("orders/evidence/<int:pk>/", order_evidence, name="order_evidence"),
]
