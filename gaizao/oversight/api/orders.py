"""API: supervision orders (督办单) — list, one order, draft, change a draft, raise from a red light or
an overdue task, and one POST per step (submit, review, receive, start, feedback, verify, cancel).

Reads start from ``order_scope``; out of scope answers 404, and so does a step the user may not
take. Errors have the one shape ``{"message", "fields"}``: 400 with the field named, 404, 409 when
``version`` is stale or the order moved on meanwhile.
"""

from __future__ import annotations

from django.http import Http404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from gaizao.campaign.models import Campaign
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id, Version
from gaizao.core.scoping import get_in_scope
from gaizao.oversight.api.order_schemas import (CancelIn, OrderFilters, OrderIn, OrderOut, OrderPageOut, OrderPatch,
                                                RaiseIn, ReviewIn, OrderStepIn, VerifyIn)
from gaizao.oversight.choices import OrderColour, OrderStatus
from gaizao.oversight.models import SupervisionOrder
from gaizao.oversight.policies.orders import (order_office, order_reviewer, order_unit_condition,
                                              order_write_scope)
from gaizao.oversight.selectors import orders as selectors
from gaizao.oversight.services import orders as services

router = Router(tags=["督办单"])
ERRORS = {400: dict, 404: dict, 409: dict}
ALIASES = {"unit": "unit_id", "campaign": "campaign_id"}


def _renamed(exc: AppError) -> AppError:
    return type(exc)(exc.message, fields={ALIASES.get(k, k): v for k, v in exc.fields.items()}, status=exc.status)


def _actions(user, order) -> list[str]:
    s = order.status
    office = order_office(user)
    condition = order_unit_condition(user)
    unit = condition is not None and SupervisionOrder.objects.filter(condition, pk=order.pk).exists()
    found = []
    if office and s == OrderStatus.DRAFT:
        found += ["update", "submit"]
    if order_reviewer(user) and s == OrderStatus.REVIEW and order.created_by_id != user.pk:
        found.append("review")
    if unit and s == OrderStatus.ISSUED:
        found.append("receive")
    if unit and s in (OrderStatus.RECEIVED, OrderStatus.RETURNED):
        found.append("start")
    if unit and s in services.UNIT_WORKING:
        found.append("feedback")
    if office and s == OrderStatus.FEEDBACK and order.feedback_by_id != user.pk:
        found.append("verify")
    if office and s in services.OPEN_STATUSES:
        found.append("cancel")
    return found


def _detail(user, pk: int) -> dict:
    order = selectors.order_get(user, pk)
    colour = selectors.order_colour_now(order)
    return {**{name: getattr(order, name) for name in (
        "id", "version", "number", "title", "requirement", "level", "unit_id", "campaign_id", "subject_kind",
        "subject_id", "subject_label", "status", "deadline_workdays", "deadline", "issued_on", "received_on",
        "review_note", "feedback", "feedback_at", "return_reason", "returned_count", "closed_on")},
        "unit_name": order.unit.name, "status_label": order.get_status_display(), "colour": colour,
        "colour_label": str(OrderColour(colour).label), "evidence": selectors.order_evidence(order),
        "history": selectors.order_history(order), "actions": _actions(user, order)}


def _office_scope(user):
    return SupervisionOrder.objects.all() if order_office(user) else SupervisionOrder.objects.none()


def _review_scope(user):
    return SupervisionOrder.objects.all() if order_reviewer(user) else SupervisionOrder.objects.none()


def _in(scope, user, pk: int) -> SupervisionOrder:
    return get_in_scope(scope(user).select_related("unit", "campaign"), pk=pk)


@router.get("/orders", response=OrderPageOut, summary="督办单列表（按 id 倒序翻页，含颜色）")
def order_list(request, filters: Query[OrderFilters]):
    if filters.status and filters.status not in (selectors.OPEN, *OrderStatus.values):
        raise AppError(f"状态「{filters.status}」不是可选的值：open 或 " + "、".join(OrderStatus.values) + "。",
                       fields={"status": "不是可选的值"})
    page = selectors.order_list(request.auth, status=filters.status, colour=filters.colour, unit=filters.unit,
                                level=filters.level, campaign=filters.campaign, after=filters.after)
    return {"items": page.items, "next_after": page.next_after}


@router.get("/orders/counts", response=dict[str, int], summary="督办单按颜色计数")
def order_counts(request):
    return selectors.orders_by_colour(request.auth)


@router.get("/orders/{order_id}", response=OrderOut, summary="督办单详情（含佐证材料、办理记录、可执行操作）")
def order_detail(request, order_id: Id):
    return _detail(request.auth, order_id)


@router.post("/orders", response={201: OrderOut, **ERRORS}, summary="督办单拟稿（草稿）")
def order_create(request, payload: OrderIn):
    if not order_office(request.auth):
        raise Http404
    try:
        order = services.order_create(
            actor=request.auth, title=payload.title, requirement=payload.requirement, unit=payload.unit_id,
            level=payload.level, deadline_workdays=payload.deadline_workdays, campaign=payload.campaign_id,
            subject_kind=payload.subject_kind, subject_id=payload.subject_id, ip=_ip(request))
    except AppError as exc:
        raise _renamed(exc) from None
    return Status(201, _detail(request.auth, order.pk))


@router.post("/orders/raise", response={201: OrderOut, **ERRORS}, summary="一键督办：红灯目标或逾期任务生成草稿")
def order_raise(request, payload: RaiseIn):
    if not order_office(request.auth):
        raise Http404
    if payload.kind == "target":
        campaign = Campaign.objects.filter(pk=payload.campaign_id or 0).first()
        if campaign is None:
            raise AppError("所选攻坚行动不存在。", fields={"campaign_id": "不存在"})
        order = services.order_raise_from_target(actor=request.auth, campaign=campaign, street=payload.street_id or 0,
                                                 metric=payload.metric, ip=_ip(request))
    elif payload.kind == "task":
        order = services.order_raise_from_task(actor=request.auth, task=payload.task_id or 0, ip=_ip(request))
    else:
        raise AppError("kind 须为 target 或 task。", fields={"kind": "不是可选的值"})
    return Status(201, _detail(request.auth, order.pk))


@router.patch("/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="修改督办单草稿（带 version）")
def order_patch(request, order_id: Id, payload: OrderPatch):
    order = _in(_office_scope, request.auth, order_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    renamed = {{"unit_id": "unit", "campaign_id": "campaign"}.get(k, k): v for k, v in changes.items()}
    try:
        services.order_update(actor=request.auth, order=order, version=version, ip=_ip(request), **renamed)
    except AppError as exc:
        raise _renamed(exc) from None
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/submit", response={200: OrderOut, **ERRORS}, summary="提交领导审核")
def order_submit(request, order_id: Id, payload: OrderStepIn):
    order = _in(_office_scope, request.auth, order_id)
    services.order_submit(actor=request.auth, order=order, version=payload.version, ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/review", response={200: OrderOut, **ERRORS},
             summary="领导审核：approve=true 下发（编号、办理期限），false 退回修改")
def order_review(request, order_id: Id, payload: ReviewIn):
    order = _in(_review_scope, request.auth, order_id)
    if payload.approve is None:
        raise AppError("请选择审核意见：approve 为 true（同意下发）或 false（退回修改）。", fields={"approve": "必填"})
    services.order_review(actor=request.auth, order=order, version=payload.version, approve=payload.approve,
                          note=payload.note, ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/receive", response={200: OrderOut, **ERRORS}, summary="签收（承办单位）")
def order_receive(request, order_id: Id, payload: OrderStepIn):
    order = _in(order_write_scope, request.auth, order_id)
    services.order_receive(actor=request.auth, order=order, version=payload.version, ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/start", response={200: OrderOut, **ERRORS}, summary="开始办理（承办单位）")
def order_start(request, order_id: Id, payload: OrderStepIn):
    order = _in(order_write_scope, request.auth, order_id)
    services.order_start(actor=request.auth, order=order, version=payload.version, ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/feedback", response={200: OrderOut, **ERRORS},
             summary="反馈办理情况（承办单位；multipart：text、files 佐证材料、version）")
def order_feedback(request, order_id: Id, text: Form[str] = "", version: Form[Version | None] = None,
                   files: File[list[UploadedFile]] = None):
    order = _in(order_write_scope, request.auth, order_id)
    services.order_feedback(actor=request.auth, order=order, version=version, text=text, files=files or (),
                            ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/verify", response={200: OrderOut, **ERRORS},
             summary="核验：passed=true 销号，false 退回重办（须填原因）；不能核验本人的反馈")
def order_verify(request, order_id: Id, payload: VerifyIn):
    order = _in(_office_scope, request.auth, order_id)
    if payload.passed is None:
        raise AppError("请选择核验结果：passed 为 true（通过，销号）或 false（退回重办）。", fields={"passed": "必填"})
    services.order_verify(actor=request.auth, order=order, version=payload.version, passed=payload.passed,
                          reason=payload.reason, ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, summary="撤销督办单（须填原因）")
def order_cancel(request, order_id: Id, payload: CancelIn):
    order = _in(_office_scope, request.auth, order_id)
    services.order_cancel(actor=request.auth, order=order, version=payload.version, reason=payload.reason,
                          ip=_ip(request))
    return Status(200, _detail(request.auth, order_id))
