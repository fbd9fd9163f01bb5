"""API of the assessment area (考核): schemes (list, one, create), a live preview, publication, a sheet
and its lists, recomputation, proposals (confirm, reject). The office writes; leaders read all; a street
or department reads its own row of the latest sheet (``/assessment/mine``). Out of scope: 404."""

from __future__ import annotations

from django.http import Http404
from ninja import Query, Router

from gaizao.campaign.models import Campaign
from gaizao.campaign.selectors.status import current_campaign
from gaizao.core.errors import NotFound
from gaizao.core.requests import client_ip as _ip
from gaizao.oversight import scoring
from gaizao.oversight.api.assessment_schemas import (ConfirmIn, ListsOut, PeriodIn, PreviewOut, ProposalOut,
                                                     ReasonIn, RecordOut, RejectIn, SchemeIn, SchemeOut, SheetOut)
from gaizao.oversight.models import Proposal
from gaizao.oversight.policies.assessment import assessment_can_write, assessment_reader
from gaizao.oversight.selectors import assessment as selectors
from gaizao.oversight.services import assessment as services

router = Router(tags=["考核"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _office(user) -> None:
    if not assessment_can_write(user):
        raise NotFound("不存在或无权操作。")


def _scheme_out(scheme) -> dict:
    fmt = scoring.fmt
    return {"id": scheme.pk, "version": scheme.version, "campaign_id": scheme.campaign_id, "name": scheme.name,
            "assessed": scheme.assessed, "period_kind": scheme.period_kind, "total": fmt(scheme.total),
            "status": scheme.status, "excellent_min": fmt(scheme.excellent_min), "good_min": fmt(scheme.good_min),
            "pass_min": fmt(scheme.pass_min), "commend_runs": scheme.commend_runs, "account_runs": scheme.account_runs,
            "missing_rule": scheme.missing_rule,
            "indicators": [{"id": i.pk, "order": i.order, "name": i.name, "weight": fmt(i.weight), "source": i.source,
                            "params": i.params, "rule": i.rule, "rule_params": i.rule_params,
                            "expression": i.expression} for i in scheme.indicators.order_by("order", "id")],
            "sheets": [{"id": s.pk, "period": s.period, "version": s.version, "status": s.status}
                       for s in selectors.scheme_sheets(scheme)]}


def _sheet_out(user, sheet) -> dict:
    return {"id": sheet.pk, "scheme_id": sheet.scheme_id, "scheme": sheet.scheme.name, "period": sheet.period,
            "starts_on": sheet.starts_on, "ends_on": sheet.ends_on, "version": sheet.version, "status": sheet.status,
            "reason": sheet.reason, "rounding": scoring.ROUNDING_NOTE, "rows": selectors.sheet_rows_for(user, sheet),
            "diff": sheet.diff}


@router.get("/assessment/schemes", response=list[SchemeOut], summary="考核办法列表")
def scheme_list(request):
    return [_scheme_out(s) for s in selectors.scheme_list(request.auth)]


@router.post("/assessment/schemes", response={201: SchemeOut, **ERRORS}, summary="制定考核办法（含指标）")
def scheme_create(request, body: SchemeIn):
    _office(request.auth)
    campaign = Campaign.objects.filter(pk=body.campaign_id).first()
    if campaign is None:
        raise NotFound("攻坚行动不存在。")
    data = body.dict()
    data.pop("campaign_id")
    scheme = services.scheme_create(actor=request.auth, campaign=campaign, ip=_ip(request), **data)
    return 201, _scheme_out(scheme)


@router.get("/assessment/schemes/{scheme_id}", response=SchemeOut, summary="考核办法详情")
def scheme_get(request, scheme_id: int):
    return _scheme_out(selectors.scheme_get(request.auth, scheme_id))


@router.get("/assessment/schemes/{scheme_id}/preview", response={200: PreviewOut, **ERRORS},
            summary="预览某期考核结果（实时计算，不冻结）")
def scheme_preview(request, scheme_id: int, period: str = Query(..., max_length=16)):
    _office(request.auth)
    scheme = selectors.scheme_get(request.auth, scheme_id)
    rows = selectors.preview(scheme, period)
    return {"scheme_id": scheme.pk, "period": period, "rounding": scoring.ROUNDING_NOTE, "rows": rows}


@router.post("/assessment/schemes/{scheme_id}/publish", response={201: SheetOut, **ERRORS}, summary="发布某期考核结果")
def scheme_publish(request, scheme_id: int, body: PeriodIn):
    _office(request.auth)
    scheme = selectors.scheme_get(request.auth, scheme_id)
    sheet = services.sheet_publish(actor=request.auth, scheme=scheme, period=body.period, ip=_ip(request))
    return 201, _sheet_out(request.auth, sheet)


@router.get("/assessment/mine", response={200: SheetOut | None}, summary="本单位最新考核结果（仅本单位一行）")
def mine(request):
    if not assessment_reader(request.auth):
        raise NotFound("不存在或无权查看。")
    sheet = selectors.latest_sheet(request.auth, current_campaign())
    return None if sheet is None else _sheet_out(request.auth, sheet)


@router.get("/assessment/sheets/{sheet_id}", response=SheetOut, summary="考核结果（某期某版）")
def sheet_get(request, sheet_id: int):
    return _sheet_out(request.auth, selectors.sheet_get(request.auth, sheet_id))


@router.get("/assessment/sheets/{sheet_id}/lists", response=ListsOut, summary="红榜、黄榜、黑榜")
def sheet_lists(request, sheet_id: int):
    sheet = selectors.sheet_get(request.auth, sheet_id)
    return {"sheet_id": sheet.pk, "period": sheet.period, **selectors.lists(sheet)}


@router.post("/assessment/sheets/{sheet_id}/recompute", response={201: SheetOut, **ERRORS},
             summary="重新计算（新版本，写明原因）")
def sheet_recompute(request, sheet_id: int, body: ReasonIn):
    _office(request.auth)
    sheet = selectors.sheet_get(request.auth, sheet_id)
    new = services.sheet_recompute(actor=request.auth, sheet=sheet, reason=body.reason, ip=_ip(request))
    return 201, _sheet_out(request.auth, new)


@router.get("/assessment/proposals", response=list[ProposalOut], summary="表彰问责建议")
def proposal_list(request):
    if not assessment_reader(request.auth):
        raise NotFound("不存在或无权查看。")
    return list(selectors.proposal_list(request.auth)[:500])


def _proposal(user, pk: int) -> Proposal:
    _office(user)
    found = Proposal.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.post("/assessment/proposals/{proposal_id}/confirm", response={201: RecordOut, **ERRORS},
             summary="确认建议（生成表彰问责记录）")
def proposal_confirm(request, proposal_id: int, body: ConfirmIn):
    proposal = _proposal(request.auth, proposal_id)
    data = body.dict()
    record = services.proposal_confirm(actor=request.auth, proposal=proposal, person=data.pop("person_id"),
                                       ip=_ip(request), **data)
    return 201, {**{f: getattr(record, f) for f in ("id", "kind", "measure", "unit_id", "person_id", "reason",
                                                    "decided_on", "document_number", "proposal_id")},
                 "unit": record.unit.name}


@router.post("/assessment/proposals/{proposal_id}/reject", response={200: ProposalOut, **ERRORS},
             summary="否决建议（写明理由）")
def proposal_reject(request, proposal_id: int, body: RejectIn):
    proposal = _proposal(request.auth, proposal_id)
    return services.proposal_reject(actor=request.auth, proposal=proposal, version=body.version, reason=body.reason,
                                    ip=_ip(request))
