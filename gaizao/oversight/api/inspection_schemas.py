"""Schemas of the inspections API (督查 / 整改)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.core.schemas import Cursor, Id, PositiveSmallInt, Version
from gaizao.oversight.choices import FindingStatus

STATUS_HELP = "、".join(f"{v} {l}" for v, l in FindingStatus.choices)


class InspectionFilters(Schema):
    campaign: Id | None = Field(None, description="攻坚行动 id")
    after: Cursor | None = Field(None, description="上一页返回的 next_after（按 id 倒序）")


class InspectionRowOut(Schema):
    id: int
    version: int
    title: str
    held_on: dt.date
    inspectors: str
    places: str
    unit_names: list[str]
    findings: int = Field(..., description="可见的问题数（街道、部门：本单位的）")
    open: int = Field(..., description="其中未销号的")


class InspectionPageOut(Schema):
    items: list[InspectionRowOut]
    next_after: int | None


class FindingRowOut(Schema):
    id: int
    version: int
    inspection_id: int
    inspection_title: str
    held_on: dt.date
    unit_id: int
    unit_name: str
    place: str
    text: str
    requirement: str
    owner_id: int | None
    owner_name: str
    deadline: dt.date
    status: str
    status_label: str
    fixed_at: dt.datetime | None
    verified_at: dt.datetime | None
    order_id: int | None
    overdue: bool = Field(..., description="逾期未整改")
    days_overdue: int


class FindingPageOut(Schema):
    items: list[FindingRowOut]
    next_after: int | None


class InspectionUnitOut(Schema):
    id: int
    name: str


class InspectionOut(Schema):
    id: int
    version: int
    campaign_id: int | None
    title: str
    held_on: dt.date
    inspectors: str
    places: str
    summary: str
    units: list[InspectionUnitOut]
    findings: list[FindingRowOut] = Field(..., description="可见的问题（街道、部门：本单位的）")


class PhotoOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    url: str


class FindingOut(FindingRowOut):
    fix_note: str
    fixed_by_id: int | None
    return_reason: str
    verified_by_id: int | None
    photos: list[PhotoOut]


class InspectionIn(Schema):
    title: str = Field(..., description="督查名称")
    held_on: dt.date = Field(..., description="督查日期（不晚于今天）")
    inspectors: str = Field(..., description="督查人员")
    unit_ids: list[Id] = Field(..., description="被督查单位 id：本区的街道或部门，至少一个")
    places: str = Field("", description="督查地点")
    summary: str = Field("", description="总体情况")
    campaign_id: Id | None = Field(None, description="攻坚行动 id")


class InspectionPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    title: str | None = None
    held_on: dt.date | None = None
    inspectors: str | None = None
    unit_ids: list[Id] | None = None
    places: str | None = None
    summary: str | None = None


class FindingIn(Schema):
    unit_id: Id = Field(..., description="整改责任单位 id：须为本次督查的被督查单位")
    text: str = Field(..., description="发现问题")
    place: str = Field("", description="地点")
    requirement: str = Field("", description="整改要求")
    owner_id: Id | None = Field(None, description="整改责任人（用户 id，须在责任单位任职）")
    deadline: dt.date | None = Field(None, description="整改期限（不早于今天，遇休息日顺延）；与 workdays 只填一项")
    workdays: PositiveSmallInt | None = Field(None, description="整改时限（工作日），自今天起算")


class FindingVerifyIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    passed: bool = Field(..., description="true 通过销号；false 退回重新整改（须填 reason）")
    reason: str = Field("", description="不通过的原因")


class OrderRaisedOut(Schema):
    id: int
    title: str
    status: str
    unit_id: int
    deadline_workdays: int
