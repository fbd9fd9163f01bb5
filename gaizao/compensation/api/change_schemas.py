"""Schemas of the change requests' API (补偿变更申请)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.core.schemas import Version


class ChangeRowOut(Schema):
    id: int
    version: int
    household_id: int
    household_number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    summary: str
    reason: str
    total_before: str | None = Field(None, description="变更前补偿合计（元）")
    total_after: str | None = Field(None, description="变更后补偿合计（元）")
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class ChangeOut(ChangeRowOut):
    payload: dict = Field(description="变更事项：op 操作及其对象、变更的值（变更前的值在 before）")
    before: dict = Field(description="变更前：计算依据 inputs、补偿明细 items、合计 total")
    after: dict = Field(description="变更后：同上")
    evidence_url: str
    publicity_id: int | None = Field(None, description="批准后重新公示的公示轮次")


class ChangeDecisionIn(Schema):
    version: Version
    note: str = Field("", description="审核意见（驳回时必填，至少 4 个字）")
