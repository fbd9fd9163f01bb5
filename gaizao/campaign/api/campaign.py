"""API: campaigns, their status (targets, progress from the rollups, milestones and lights), the targets
grid, one street target, and the responsibility agreements."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from gaizao.campaign.choices import Metric
from gaizao.campaign.policies import campaign_can_write
from gaizao.campaign.selectors import campaign as sel
from gaizao.campaign.selectors.status import campaign_overview_status, fmt
from gaizao.campaign.services import campaign as services
from gaizao.core.errors import AppError, NotFound
from gaizao.core.requests import client_ip
from gaizao.core.schemas import Id

router = Router(tags=["攻坚行动"])
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    starts_on: dt.date
    ends_on: dt.date
    status: str
    yellow_behind: str = Field(..., description="落后序时进度达到该百分点为黄灯")
    red_behind: str = Field(..., description="落后序时进度超过该百分点为红灯")
    report_days: int
    report_lock_days: int


class TargetStatusOut(Schema):
    key: str = Field(..., description="指标：" + "、".join(f"{v} {label}" for v, label in Metric.choices))
    label: str
    unit: str
    scope: str = Field(..., description="空：整个街道；否则为城中村或项目名称")
    target: str
    done: str = Field(..., description="已完成（由台账进度和任务统计，不填报）")
    rate: str | None = Field(..., description="完成率（%）")
    expected_rate: str = Field(..., description="截至今天按节点目标应完成的比例（序时进度，%）")
    light: str = Field(..., description="green / yellow / red / none（未开始）")
    milestone: dict | None = Field(..., description="下一节点（已过最后一个节点时为最后一个）：due_on、rate（%）、amount、passed")


class StreetStatusOut(Schema):
    street: str = Field(..., description="街道代码")
    name: str
    light: str
    targets: list[TargetStatusOut]


class GoalOut(Schema):
    key: str
    label: str
    unit: str
    goal: str | None = Field(..., description="区级目标")
    assigned: str = Field(..., description="各街道目标合计")
    difference: str | None = Field(..., description="街道目标合计减区级目标：0 为一致")
    done: str
    rate: str | None
    expected_rate: str
    light: str


class StatusOut(Schema):
    campaign: CampaignOut
    today: dt.date
    goals: list[GoalOut]
    streets: list[StreetStatusOut]


class TargetIn(Schema):
    street: str = Field(..., description="街道代码")
    metric: str
    target: str | None = Field(..., description="目标值；null 删除")


class TargetsIn(Schema):
    goals: dict[str, str | None] = Field(default_factory=dict, description="指标 → 区级目标（null 删除）")
    targets: list[TargetIn] = Field(default_factory=list, max_length=2000)
    reason: str = Field("", max_length=200, description="调整原因（已签订责任书的街道生成新版本时写入）")


class TargetOut(Schema):
    id: int
    campaign_id: int
    street: str
    metric: str
    village_id: int | None
    project_id: int | None
    target: str


class AgreementOut(Schema):
    id: int
    campaign_id: int
    street: str
    version: int
    status: str
    number: str
    title: str
    targets: list[dict] = Field(..., description="签订时冻结的目标")
    issued_on: dt.date | None
    signed_on: dt.date | None
    in_force_on: dt.date | None
    supersedes_id: int | None
    change_reason: str


def _campaign(c) -> dict:
    return {"id": c.pk, "name": c.name, "year": c.year, "starts_on": c.starts_on, "ends_on": c.ends_on,
            "status": c.status, "yellow_behind": fmt(c.yellow_behind), "red_behind": fmt(c.red_behind),
            "report_days": c.report_days, "report_lock_days": c.report_lock_days}


@router.get("/campaigns", response=list[CampaignOut], summary="攻坚行动列表")
def campaigns(request):
    return [_campaign(c) for c in sel.campaign_list(request.auth)]


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, 404: dict}, summary="攻坚行动")
def campaign(request, campaign_id: Id):
    return _campaign(sel.campaign_get(request.auth, pk=campaign_id))


@router.get("/campaigns/{campaign_id}/status", response={200: StatusOut, 404: dict},
            summary="各街道目标、完成情况、序时进度与红黄绿灯")
def campaign_status(request, campaign_id: Id):
    """街道人员只看到本街道；区级目标及街道目标合计差额只对全区角色给出。"""
    from gaizao.core import access

    found = sel.campaign_get(request.auth, pk=campaign_id)
    status = campaign_overview_status(found, streets=sel.visible_streets(request.auth))
    district = access.grant(request.auth, "campaign.target").everywhere
    return {"campaign": _campaign(found), "today": status.today,
            "goals": [g.as_dict() for g in status.goals] if district else [],
            "streets": [s.as_dict() for s in status.streets]}


@router.post("/campaigns/{campaign_id}/targets", response={200: dict, **ERRORS},
             summary="设定区级目标和街道目标（领导小组办公室）")
def campaign_targets(request, campaign_id: Id, payload: TargetsIn):
    """一次写入：任何一项不合规则全部不写入，错误信息指出街道和指标。"""
    found = sel.campaign_get(request.auth, pk=campaign_id)
    if not campaign_can_write(request.auth):  # a reader of the campaign who may not write it: as absent
        raise NotFound("攻坚行动不存在或无权修改。")
    streets = {s.code: s for s in sel.streets()}
    targets = {}
    for i, row in enumerate(payload.targets):
        if row.street not in streets:
            raise AppError(f"第 {i + 1} 项：找不到街道「{row.street}」。", fields={f"targets[{i}].street": "找不到该街道"})
        targets[(streets[row.street], row.metric)] = row.target
    changed = services.targets_set(actor=request.auth, campaign=found, goals=payload.goals, targets=targets,
                                   reason=payload.reason, ip=client_ip(request))
    return {"changed": changed}


@router.get("/targets/{target_id}", response={200: TargetOut, 404: dict}, summary="一个街道目标")
def target(request, target_id: Id):
    t = sel.target_of(request.auth, pk=target_id)
    return {"id": t.pk, "campaign_id": t.campaign_id, "street": t.street.code, "metric": t.metric,
            "village_id": t.village_id, "project_id": t.project_id, "target": fmt(t.target)}


@router.get("/agreements/{agreement_id}", response={200: AgreementOut, 404: dict}, summary="目标责任书（一个版本）")
def agreement(request, agreement_id: Id):
    a = sel.agreement_get(request.auth, pk=agreement_id)
    if a is None:
        raise NotFound("责任书不存在。")
    return {"id": a.pk, "campaign_id": a.campaign_id, "street": a.street.code, "version": a.version,
            "status": a.status, "number": a.number, "title": a.title, "targets": a.targets,
            "issued_on": a.issued_on, "signed_on": a.signed_on, "in_force_on": a.in_force_on,
            "supersedes_id": a.supersedes_id, "change_reason": a.change_reason}
