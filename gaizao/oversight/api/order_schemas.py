"""Schemas of the supervision orders API (督办单)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.core.schemas import Cursor, Id, PositiveSmallInt, Version
from gaizao.oversight.choices import OrderColour, OrderLevel, OrderStatus, SubjectKind

STATUS_HELP = "、".join(f"{v} {l}" for v, l in OrderStatus.choices)
COLOUR_HELP = "、".join(f"{v} {l}" for v, l in OrderColour.choices)
LEVEL_HELP = "、".join(f"{v} {l}" for v, l in OrderLevel.choices)
SUBJECT_HELP = "、".join(f"{v} {l}" for v, l in SubjectKind.choices)


class OrderFilters(Schema):
    status: str | None = Field(None, description=f"open（已下发未销号）或：{STATUS_HELP}")
    colour: OrderColour | None = Field(None, description=f"颜色：{COLOUR_HELP}")
    unit: Id | None = Field(None, description="承办单位 id")
    level: OrderLevel | None = Field(None, description=f"等级：{LEVEL_HELP}")
    campaign: Id | None = Field(None, description="攻坚行动 id")
    after: Cursor | None = Field(None, description="上一页返回的 next_after（按 id 倒序翻页）")


class OrderRowOut(Schema):
    id: int
    version: int
    number: str
    title: str
    level: str
    level_label: str
    unit_id: int
    unit_name: str
    subject_kind: str
    subject_label: str
    status: str
    status_label: str
    colour: str
    colour_label: str
    deadline: dt.date | None
    deadline_workdays: int
    issued_on: dt.date | None
    closed_on: dt.date | None
    returned_count: int
    days_overdue: int


class OrderPageOut(Schema):
    items: list[OrderRowOut]
    next_after: int | None


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    created_at: dt.datetime


class HistoryOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    note: str


class OrderOut(Schema):
    id: int
    version: int
    number: str
    title: str
    requirement: str
    level: str
    unit_id: int
    unit_name: str
    campaign_id: int | None
    subject_kind: str
    subject_id: int | None
    subject_label: str
    status: str
    status_label: str
    colour: str
    colour_label: str
    deadline_workdays: int
    deadline: dt.date | None
    issued_on: dt.date | None
    received_on: dt.date | None
    review_note: str
    feedback: str
    feedback_at: dt.datetime | None
    return_reason: str
    returned_count: int
    closed_on: dt.date | None
    evidence: list[EvidenceOut]
    history: list[HistoryOut]
    actions: list[str] = Field(..., description="当前用户可执行的操作")


class OrderIn(Schema):
    title: str = Field(..., description="督办事项")
    requirement: str = Field(..., description="督办要求")
    unit_id: Id | None = Field(None, description="承办单位 id（街道或部门）；不填为督办对象所在单位")
    level: OrderLevel = Field(OrderLevel.GENERAL, description=f"等级：{LEVEL_HELP}")
    deadline_workdays: PositiveSmallInt | None = Field(None, description="办理时限（工作日），自下发之日起算")
    campaign_id: Id | None = Field(None, description="攻坚行动 id")
    subject_kind: SubjectKind = Field(SubjectKind.OTHER, description=f"督办对象类型：{SUBJECT_HELP}")
    subject_id: Id | None = Field(None, description="督办对象 id（任务、目标、城中村、户、督查问题）")


class RaiseIn(Schema):
    kind: str = Field(..., description="target（红灯目标）或 task（逾期任务）")
    campaign_id: Id | None = Field(None, description="攻坚行动 id（target）")
    street_id: Id | None = Field(None, description="街道 id（target）")
    metric: str = Field("", description="指标（target）")
    task_id: Id | None = Field(None, description="任务 id（task）")


class OrderPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号")
    title: str | None = None
    requirement: str | None = None
    unit_id: Id | None = None
    level: OrderLevel | None = None
    deadline_workdays: PositiveSmallInt | None = None
    campaign_id: Id | None = None


class OrderStepIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（不填为当前版本）")


class ReviewIn(OrderStepIn):
    approve: bool | None = Field(None, description="true 同意下发，false 退回修改")
    note: str = Field("", description="审核意见（退回时必填）")


class VerifyIn(OrderStepIn):
    passed: bool | None = Field(None, description="true 核验通过并销号，false 退回重办")
    reason: str = Field("", description="退回原因（不通过时必填）")


class CancelIn(OrderStepIn):
    reason: str = Field("", description="撤销原因（必填）")
