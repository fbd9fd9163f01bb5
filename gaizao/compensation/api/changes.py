"""API: change requests after 公示 (补偿变更申请) — a household's requests, one request with its diff and evidence,
asking for one (multipart: kind, payload as JSON, reason, evidence), approving and rejecting (a second person of the
office). Same services as the pages: 400 naming the field, 403 for a decision the account may not make, 404 out of
reach, 409 for the gate, a stale ``version`` or a request already decided."""

from __future__ import annotations

import json

from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from gaizao.compensation.api.change_schemas import ChangeDecisionIn, ChangeOut, ChangeRowOut
from gaizao.compensation.selectors import changes as selectors
from gaizao.compensation.services import changes as services
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id

router = Router(tags=["补偿变更申请"])
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}


def _row(change) -> dict:
    return {
        "id": change.pk, "version": change.version, "household_id": change.household_id,
        "household_number": change.household.number, "kind": change.kind, "kind_label": change.get_kind_display(),
        "status": change.status, "status_label": change.get_status_display(),
        "summary": selectors.change_summary(change), "reason": change.reason,
        "total_before": change.before.get("total"), "total_after": change.after.get("total"),
        "requested_by": str(change.requested_by) if change.requested_by_id else None, "requested_at": change.created_at,
        "decided_by": str(change.decided_by) if change.decided_by_id else None, "decided_at": change.decided_at,
        "decision_note": change.decision_note,
    }


def _detail(user, pk: int) -> dict:
    change = selectors.change_get(user, pk)
    return {**_row(change), "payload": change.payload, "before": change.before, "after": change.after,
            "evidence_url": reverse("compensation:change_evidence", args=[change.pk]),
            "publicity_id": change.publicity_id}


@router.get("/households/{household_id}/changes", response=list[ChangeRowOut], summary="住户的补偿变更申请")
def household_changes(request, household_id: Id):
    household = selectors.household_in_reach(request.auth, household_id)
    return [_row(change) for change in selectors.household_changes(request.auth, household)]


@router.post("/households/{household_id}/changes", response={201: ChangeOut, **ERRORS},
             summary="提交补偿变更申请（公示后；multipart：kind、payload（JSON）、reason、evidence 证明材料）",
             description="payload 为一项操作：building_update {building, changes}、building_add {changes}、"
                         "household_update {changes}、person_add {changes}、person_update {person, changes}、"
                         "valuation {building, entry}、scheme {scheme}；changes 的值为文本。"
                         "证明材料须为 PDF、JPG 或 PNG，不超过 10 MB。")
def change_create(request, household_id: Id, kind: Form[str] = "", payload: Form[str] = "{}",
                  reason: Form[str] = "", evidence: File[UploadedFile] = None):
    household = selectors.household_for_request(request.auth, household_id)
    try:
        data = json.loads(payload or "{}")
    except ValueError:
        raise AppError("变更事项 payload 须为有效的 JSON 对象。", fields={"payload": "格式有误"}) from None
    change = services.change_request(actor=request.auth, household=household, kind=kind, payload=data, reason=reason,
                                     evidence=evidence, ip=_ip(request))
    return Status(201, _detail(request.auth, change.pk))


@router.get("/changes", response=list[ChangeRowOut], summary="补偿变更申请列表（默认待审核）")
def change_list(request, status: str = "pending"):
    return [_row(change) for change in selectors.change_list(request.auth, status=None if status == "all" else status)]


@router.get("/changes/{change_id}", response=ChangeOut, summary="补偿变更申请详情（变更前后对比）")
def change_detail(request, change_id: Id):
    return _detail(request.auth, change_id)


@router.get("/changes/{change_id}/evidence", summary="下载证明材料")
def change_evidence(request, change_id: Id):
    change = selectors.change_get(request.auth, change_id)
    try:
        handle = change.evidence.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("证明材料文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=change.evidence.name.rsplit("/", 1)[-1])


@router.post("/changes/{change_id}/approve", response={200: ChangeOut, **ERRORS},
             summary="批准补偿变更申请（领导小组办公室的第二人；批准即生效、重新测算、重新公示）")
def change_approve(request, change_id: Id, payload: ChangeDecisionIn):
    services.change_approve(actor=request.auth, change=change_id, version=payload.version, note=payload.note,
                            ip=_ip(request))
    return Status(200, _detail(request.auth, change_id))


@router.post("/changes/{change_id}/reject", response={200: ChangeOut, **ERRORS},
             summary="驳回补偿变更申请（领导小组办公室的第二人；须写明理由）")
def change_reject(request, change_id: Id, payload: ChangeDecisionIn):
    services.change_reject(actor=request.auth, change=change_id, version=payload.version, note=payload.note,
                           ip=_ip(request))
    return Status(200, _detail(request.auth, change_id))
