"""Schemas of the reports API (定期汇报)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.core.schemas import Id, Version


class ReportOut(Schema):
    id: int
    version: int
    campaign_id: int
    street_id: int
    street_name: str = Field(..., alias="street.name")
    period_start: dt.date
    period_end: dt.date
    status: str
    status_label: str
    work_done: str
    problems: str
    next_plan: str
    help_needed: str
    figures: dict = Field(..., description="提交时固定的数据（指标 status、任务 tasks、as_of）；草稿为空")
    submitted_at: dt.datetime | None = Field(None, description="首次提交时间（及时率按它计算）")
    submitted_by_id: int | None
    approved_at: dt.datetime | None
    approved_by_id: int | None
    accepted_at: dt.datetime | None
    accepted_by_id: int | None
    return_reason: str
    reopened_until: dt.date | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ReportFilters(Schema):
    campaign_id: Id | None = Field(None, description="攻坚行动 id，默认进行中的")
    street_id: Id | None = Field(None, description="街道 id")
    period_start: dt.date | None = Field(None, description="周期开始日期")


class ReportTexts(Schema):
    work_done: str = Field("", description="本期工作（提交前必填）")
    problems: str = Field("", description="存在问题")
    next_plan: str = Field("", description="下期计划")
    help_needed: str = Field("", description="需区级协调事项")


class ReportSaveIn(ReportTexts):
    campaign_id: Id
    street_id: Id
    period_start: dt.date = Field(..., description="周期开始日期（自行动开始日起每 report_days 天一期）")
    version: Version | None = Field(None, description="已有草稿时必填：读取时返回的版本号")


class ReportUpdateIn(ReportTexts):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")


class VersionIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")


class ReturnIn(VersionIn):
    reason: str = Field("", description="退回原因（必填）")


class ReopenIn(Schema):
    campaign_id: Id
    street_id: Id
    period_start: dt.date
    until: dt.date = Field(..., description="开放至（含当天）")


class StreetSummaryOut(Schema):
    street: str = Field(..., description="街道代码")
    name: str
    due: int = Field(..., description="已截止的周期数")
    submitted: int
    on_time: int
    accepted: int
    rate_reported: str | None = Field(None, description="报送率（%）")
    rate_on_time: str | None = Field(None, description="及时率（%）")
    missing: list[str] = Field(..., description="未报的周期（开始日期）")
