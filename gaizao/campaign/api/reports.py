"""The reports API (定期汇报): list, get, save, submit, approve, accept, return, reopen, and each street's
completeness and timeliness. Same services as the pages: 400 with the field named for bad input, 404
out of scope or for a write the user may not make, 409 for a stale ``version``."""

from __future__ import annotations

from django.http import Http404
from ninja import Query, Router

from gaizao.campaign.api.report_schemas import (ReopenIn, ReportFilters, ReportOut, ReportSaveIn, ReportUpdateIn,
                                                ReturnIn, StreetSummaryOut, VersionIn)
from gaizao.campaign.policies.reports import report_reads_all, report_scope
from gaizao.campaign.selectors import reports as selectors
from gaizao.campaign.services import reports as services
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id
from gaizao.core.scoping import get_in_scope

router = Router(tags=["定期汇报"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _campaign(campaign_id: int | None):
    campaign = selectors.current_campaign(campaign_id)
    if campaign is None:
        raise Http404("没有进行中的攻坚行动。")
    return campaign


def _get(user, pk: int):
    return get_in_scope(report_scope(user).select_related("street"), pk=pk)


@router.get("/reports", response=list[ReportOut], summary="定期汇报列表（可按行动、街道、周期筛选）")
def report_list(request, filters: Query[ReportFilters]):
    campaign = _campaign(filters.campaign_id)
    qs = selectors.report_list(request.auth, campaign=campaign, street_id=filters.street_id)
    if filters.period_start:
        qs = qs.filter(period_start=filters.period_start)
    return list(qs[:1000])


@router.get("/reports/summary", response=list[StreetSummaryOut], summary="各街道报送率与及时率（已截止的周期）")
def report_summary(request, campaign_id: Id | None = None):
    if not report_reads_all(request.auth):
        raise Http404("不存在或无权查看。")
    return [s.as_dict() for s in selectors.report_summary(_campaign(campaign_id))]


@router.post("/reports", response={200: ReportOut, **ERRORS}, summary="保存某街道某周期的汇报草稿（首次保存即创建）")
def report_save(request, payload: ReportSaveIn):
    campaign = _campaign(payload.campaign_id)
    return services.report_save(actor=request.auth, campaign=campaign, street=payload.street_id,
                                period_start=payload.period_start, version=payload.version, ip=_ip(request),
                                **payload.dict(include={"work_done", "problems", "next_plan", "help_needed"}))


@router.post("/reports/reopen", response={200: ReportOut, **ERRORS}, summary="重新开放某街道某周期的汇报（指挥部）")
def report_reopen(request, payload: ReopenIn):
    return services.report_reopen(actor=request.auth, campaign=_campaign(payload.campaign_id),
                                  street=payload.street_id, period_start=payload.period_start, until=payload.until,
                                  ip=_ip(request))


@router.get("/reports/{report_id}", response=ReportOut, summary="一期汇报")
def report_get(request, report_id: Id):
    return _get(request.auth, report_id)


@router.put("/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="修改汇报草稿（或被退回的汇报）")
def report_update(request, report_id: Id, payload: ReportUpdateIn):
    report = _get(request.auth, report_id)
    return services.report_save(actor=request.auth, campaign=report.campaign, street=report.street_id,
                                period_start=report.period_start, version=payload.version, ip=_ip(request),
                                **payload.dict(include={"work_done", "problems", "next_plan", "help_needed"}))


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **ERRORS}, summary="提交汇报（固定数据）")
def report_submit(request, report_id: Id, payload: VersionIn):
    return services.report_submit(actor=request.auth, report=_get(request.auth, report_id), version=payload.version,
                                  ip=_ip(request))


@router.post("/reports/{report_id}/approve", response={200: ReportOut, **ERRORS},
             summary="街道领导审核（须为提交人以外的本街道账号）")
def report_approve(request, report_id: Id, payload: VersionIn):
    return services.report_approve(actor=request.auth, report=_get(request.auth, report_id), version=payload.version,
                                   ip=_ip(request))


@router.post("/reports/{report_id}/accept", response={200: ReportOut, **ERRORS}, summary="指挥部接收")
def report_accept(request, report_id: Id, payload: VersionIn):
    return services.report_accept(actor=request.auth, report=_get(request.auth, report_id), version=payload.version,
                                  ip=_ip(request))


@router.post("/reports/{report_id}/return", response={200: ReportOut, **ERRORS}, summary="指挥部退回（须填原因）")
def report_return(request, report_id: Id, payload: ReturnIn):
    return services.report_return(actor=request.auth, report=_get(request.auth, report_id), version=payload.version,
                                  reason=payload.reason, ip=_ip(request))
