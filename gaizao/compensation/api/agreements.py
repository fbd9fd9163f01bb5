"""The agreements API (补偿协议): a project's register, a household's agreements, one agreement, generate,
edit a draft's terms, record the signature, the DOCX. Same services and selectors as the pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from ninja import Router, Status

from gaizao.compensation.agreement_doc import agreement_docx, agreement_filename, effectiveness_condition
from gaizao.compensation.api.agreement_schemas import (AgreementGenerateIn, AgreementPatch, AgreementRowOut,
                                                       AgreementSignIn, CompensationAgreementOut, RegisterOut)
from gaizao.compensation.selectors import agreements as sel
from gaizao.compensation.services import agreements as services
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id
from gaizao.documents.docx import CONTENT_TYPE

router = Router(tags=["补偿协议"])
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}


def _row(a) -> dict:
    return {"id": a.pk, "number": a.number, "household_id": a.household_id, "household_number": a.household.number,
            "head_name": a.household.head_name, "option": a.option, "total": a.total, "status": a.status,
            "signed_on": a.signed_on, "order_no": a.order_no}


def _detail(a) -> dict:
    return {**_row(a), "version": a.version, "project_id": a.project_id, "calculation_id": a.calculation_id,
            "items": a.items, "swap_area": a.swap_area, "swap_flat": a.swap_flat, "payment_terms": a.payment_terms,
            "move_deadline": a.move_deadline, "transition_months": a.transition_months, "digest": a.digest,
            "condition": effectiveness_condition(a.project)}


@router.get("/projects/{project_id}/agreements", response=RegisterOut, summary="项目的补偿协议（签约顺序）")
def project_agreements(request, project_id: Id):
    project = sel.register_project_get(request.auth, pk=project_id)
    agreements = list(sel.project_agreements(request.auth, project))
    summary = sel.register_summary(project, agreements)
    return {"project_id": project.pk, "signed": summary["signed"], "households": summary["households"],
            "threshold": project.signing_threshold, "condition": effectiveness_condition(project),
            "agreements": [_row(a) for a in agreements]}


@router.get("/households/{household_id}/agreements", response=list[AgreementRowOut], summary="住户的补偿协议")
def household_agreements(request, household_id: Id):
    household = sel.household_get(request.auth, pk=household_id)
    rows = sel.household_agreements(household)
    for a in rows:
        a.household = household
    return [_row(a) for a in rows]


@router.post("/households/{household_id}/agreements", response={201: CompensationAgreementOut, **ERRORS},
             summary="按最新测算生成补偿协议（草稿可重新生成）")
def agreement_generate(request, household_id: Id, payload: AgreementGenerateIn):
    household = sel.household_get(request.auth, pk=household_id, write=True)
    agreement = services.agreement_generate(actor=request.auth, household=household, ip=_ip(request),
                                            **payload.dict())
    return Status(201, _detail(sel.agreement_get(request.auth, pk=agreement.pk)))


@router.get("/agreements/{agreement_id}", response=CompensationAgreementOut, summary="一份补偿协议")
def agreement_get(request, agreement_id: Id):
    return _detail(sel.agreement_get(request.auth, pk=agreement_id))


@router.patch("/agreements/{agreement_id}", response={200: CompensationAgreementOut, **ERRORS},
              summary="修改协议条款（仅草稿；金额不可修改）")
def agreement_update(request, agreement_id: Id, payload: AgreementPatch):
    agreement = sel.agreement_get(request.auth, pk=agreement_id)
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    services.agreement_update(actor=request.auth, agreement=agreement.pk, version=payload.version, ip=_ip(request),
                              **changes)
    return _detail(sel.agreement_get(request.auth, pk=agreement_id))


@router.post("/agreements/{agreement_id}/sign", response={200: CompensationAgreementOut, **ERRORS},
             summary="登记签约（记录签约进度，取得签约顺序号）")
def agreement_sign(request, agreement_id: Id, payload: AgreementSignIn):
    agreement = sel.agreement_get(request.auth, pk=agreement_id)
    services.agreement_sign(actor=request.auth, agreement=agreement.pk, signed_on=payload.signed_on,
                            version=payload.version, note=payload.note, ip=_ip(request))
    return _detail(sel.agreement_get(request.auth, pk=agreement_id))


@router.get("/agreements/{agreement_id}/docx", summary="补偿协议（公文 DOCX）")
def agreement_download(request, agreement_id: Id):
    agreement = sel.agreement_get(request.auth, pk=agreement_id)
    response = HttpResponse(agreement_docx(agreement), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(agreement_filename(agreement))}"
    return response
