"""API: inspections and rectification (督查 / 整改) — inspections (list, one, create, change, add a finding)
and findings (list, one, fix, verify, raise an order).

Reads start from the policies' scopes; out of scope answers 404. Writes go through the same services as
the pages: 400 with the field named when input is wrong, 404 when the user may not make the write (a fix
by another unit than the finding's), 409 for a stale ``version``. Photos are uploaded on the pages.
"""

from __future__ import annotations

from django.urls import reverse
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from gaizao.campaign.policies import campaign_scope
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id, Version
from gaizao.core.scoping import get_in_scope
from gaizao.oversight.api.inspection_schemas import (FindingIn, FindingOut, FindingPageOut,
                                                     InspectionFilters, InspectionIn, InspectionOut, InspectionPageOut,
                                                     InspectionPatch, OrderRaisedOut, FindingVerifyIn)
from gaizao.oversight.choices import FindingStatus
from gaizao.oversight.selectors import inspections as selectors
from gaizao.oversight.services import inspections as services

router = Router(tags=["督查整改"])
ERRORS = {400: dict, 404: dict, 409: dict}
ALIASES = {"unit": "unit_id", "units": "unit_ids", "owner": "owner_id", "campaign": "campaign_id"}


def _renamed(exc: AppError) -> AppError:
    return type(exc)(exc.message, fields={ALIASES.get(k, k): v for k, v in exc.fields.items()}, status=exc.status)


def _inspection(user, pk: int) -> dict:
    inspection = selectors.inspection_get(user, pk)
    rows = selectors.finding_list(user, inspection=inspection, limit=1000).items
    return {"id": inspection.pk, "version": inspection.version, "campaign_id": inspection.campaign_id,
            "title": inspection.title, "held_on": inspection.held_on, "inspectors": inspection.inspectors,
            "places": inspection.places, "summary": inspection.summary,
            "units": [{"id": u.pk, "name": u.name} for u in inspection.units.all()], "findings": rows}


def _finding(user, pk: int) -> dict:
    finding = selectors.finding_get(user, pk)
    row = selectors.finding_row(user, finding.pk)
    return {**row.__dict__, "fix_note": finding.fix_note, "fixed_by_id": finding.fixed_by_id,
            "return_reason": finding.return_reason, "verified_by_id": finding.verified_by_id,
            "photos": [{"id": p.pk, "kind": p.kind, "name": p.name, "size": p.size,
                        "url": reverse("oversight:finding_photo", args=[p.pk])} for p in finding.photos.all()]}


@router.get("/inspections", response=InspectionPageOut, summary="督查列表（按 id 倒序翻页）")
def inspection_list(request, filters: Query[InspectionFilters]):
    page = selectors.inspection_list(request.auth, campaign=filters.campaign, after=filters.after)
    return {"items": page.items, "next_after": page.next_after}


@router.get("/inspections/{inspection_id}", response=InspectionOut, summary="督查详情（含可见的问题）")
def inspection_detail(request, inspection_id: Id):
    return _inspection(request.auth, inspection_id)


@router.post("/inspections", response={201: InspectionOut, **ERRORS}, summary="记录督查")
def inspection_create(request, payload: InspectionIn):
    campaign = get_in_scope(campaign_scope(request.auth), pk=payload.campaign_id) if payload.campaign_id else None
    try:
        inspection = services.inspection_create(
            actor=request.auth, title=payload.title, held_on=payload.held_on, inspectors=payload.inspectors,
            units=payload.unit_ids, places=payload.places, summary=payload.summary, campaign=campaign,
            ip=_ip(request))
    except AppError as exc:
        raise _renamed(exc) from None
    return 201, _inspection(request.auth, inspection.pk)


@router.patch("/inspections/{inspection_id}", response={200: InspectionOut, **ERRORS}, summary="修改督查（带 version）")
def inspection_patch(request, inspection_id: Id, payload: InspectionPatch):
    selectors.inspection_get(request.auth, inspection_id)  # out of read scope: 404 before anything else
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    if "unit_ids" in changes:
        changes["units"] = changes.pop("unit_ids")
    try:
        services.inspection_update(actor=request.auth, inspection=inspection_id, version=version, ip=_ip(request),
                                   **changes)
    except AppError as exc:
        raise _renamed(exc) from None
    return 200, _inspection(request.auth, inspection_id)


@router.post("/inspections/{inspection_id}/findings", response={201: FindingOut, **ERRORS}, summary="登记督查问题")
def finding_add(request, inspection_id: Id, payload: FindingIn):
    inspection = selectors.inspection_get(request.auth, inspection_id)
    try:
        finding = services.finding_add(
            actor=request.auth, inspection=inspection, unit=payload.unit_id, text=payload.text, place=payload.place,
            requirement=payload.requirement, owner=payload.owner_id, deadline=payload.deadline,
            workdays=payload.workdays, ip=_ip(request))
    except AppError as exc:
        raise _renamed(exc) from None
    return 201, _finding(request.auth, finding.pk)


@router.get("/findings", response=FindingPageOut, summary="整改事项列表（按 id 翻页）")
def finding_list(request, unit: Id | None = None, status: str | None = None, open_only: bool = False,
                 inspection: Id | None = None, overdue: bool | None = None, after: Id | None = None):
    if status and status not in FindingStatus.values:
        raise AppError(f"状态「{status}」不是可选的值：" + "、".join(FindingStatus.values) + "。",
                       fields={"status": "不是可选的值"})
    page = selectors.finding_list(request.auth, unit=unit, status=status, open_only=open_only,
                                  inspection=inspection, overdue=overdue, after=after)
    return {"items": page.items, "next_after": page.next_after}


@router.get("/findings/{finding_id}", response=FindingOut, summary="整改事项详情")
def finding_detail(request, finding_id: Id):
    return _finding(request.auth, finding_id)


@router.post("/findings/{finding_id}/fix", response={200: FindingOut, **ERRORS},
             summary="提交整改情况（责任单位；multipart：note 整改情况、version、photos 整改照片）")
def finding_fix(request, finding_id: Id, note: Form[str] = "", version: Form[Version | None] = None,
                photos: File[list[UploadedFile]] = None):
    services.finding_fix(actor=request.auth, finding=finding_id, version=version, note=note, photos=photos or (),
                         ip=_ip(request))
    return 200, _finding(request.auth, finding_id)


@router.post("/findings/{finding_id}/verify", response={200: FindingOut, **ERRORS}, summary="核验整改：通过或退回")
def finding_verify(request, finding_id: Id, payload: FindingVerifyIn):
    selectors.finding_get(request.auth, finding_id)
    services.finding_verify(actor=request.auth, finding=finding_id, version=payload.version, passed=payload.passed,
                            reason=payload.reason, ip=_ip(request))
    return 200, _finding(request.auth, finding_id)


@router.post("/findings/{finding_id}/order", response={201: OrderRaisedOut, **ERRORS},
             summary="督查问题转督办（生成督办单草稿）")
def finding_order(request, finding_id: Id):
    selectors.finding_get(request.auth, finding_id)
    order = services.finding_raise_order(actor=request.auth, finding=finding_id, ip=_ip(request))
    return 201, order


__all__ = ["router"]
