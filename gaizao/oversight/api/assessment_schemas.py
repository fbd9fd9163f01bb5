"""Schemas of the assessment API (考核)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from gaizao.core.schemas import Version


class IndicatorIn(Schema):
    name: str = Field(..., max_length=100)
    weight: str = Field(..., max_length=20, description="分值")
    source: str = Field(..., max_length=64, description="数据来源（目录中的键，如 signing_rate）")
    params: dict[str, Any] = Field(default_factory=dict, description="来源参数，如 {\"metric\": \"signed\"}")
    rule: str = Field("linear", max_length=16, description="linear、points、thresholds、expression")
    rule_params: dict[str, Any] = Field(default_factory=dict)
    expression: str = Field("", max_length=500)


class SchemeIn(Schema):
    campaign_id: int
    name: str = Field(..., max_length=200)
    assessed: str = Field("street", max_length=16)
    period_kind: str = Field("month", max_length=16)
    total: str = Field("100", max_length=20)
    excellent_min: str = Field("90", max_length=20)
    good_min: str = Field("80", max_length=20)
    pass_min: str = Field("60", max_length=20)
    commend_runs: int = Field(2, ge=0, le=12)
    account_runs: int = Field(2, ge=0, le=12)
    missing_rule: str = Field("rescale", max_length=16, description="数据缺失的指标：rescale 按其他指标得分率折算，"
                                                                      "zero 计 0 分，full 按满分计")
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=30)


class IndicatorOut(Schema):
    id: int
    order: int
    name: str
    weight: str
    source: str
    params: dict[str, Any]
    rule: str
    rule_params: dict[str, Any]
    expression: str


class SheetBrief(Schema):
    id: int
    period: str
    version: int
    status: str


class SchemeOut(Schema):
    id: int
    version: int
    campaign_id: int
    name: str
    assessed: str
    period_kind: str
    total: str
    status: str
    excellent_min: str
    good_min: str
    pass_min: str
    commend_runs: int
    account_runs: int
    missing_rule: str
    indicators: list[IndicatorOut]
    sheets: list[SheetBrief]


class PeriodIn(Schema):
    period: str = Field(..., max_length=16, description="考核期：2026-11、2026-Q4、2026")


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class SheetOut(Schema):
    id: int
    scheme_id: int
    scheme: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    version: int
    status: str
    reason: str
    rounding: str
    rows: list[dict[str, Any]]
    diff: list[dict[str, Any]]


class PreviewOut(Schema):
    scheme_id: int
    period: str
    rounding: str
    rows: list[dict[str, Any]]


class ListsOut(Schema):
    sheet_id: int
    period: str
    red: list[dict[str, Any]]
    yellow: list[dict[str, Any]]
    black: list[dict[str, Any]]


class ConfirmIn(Schema):
    version: Version
    measure: str = Field(..., max_length=20)
    reason: str = Field("", max_length=300)
    decided_on: dt.date | None = None
    document_number: str = Field("", max_length=60)
    person_id: int | None = None


class RejectIn(Schema):
    version: Version
    reason: str = Field("", max_length=300)


class ProposalOut(Schema):
    id: int
    version: int
    kind: str
    unit_id: int
    periods: list[str]
    reason: str
    status: str
    decision_reason: str


class RecordOut(Schema):
    id: int
    kind: str
    measure: str
    unit_id: int
    unit: str
    person_id: int | None
    reason: str
    decided_on: dt.date
    document_number: str
    proposal_id: int | None


class RecordIn(Schema):
    kind: str = Field(..., max_length=16)
    unit_id: int
    person_id: int | None = None
    measure: str = Field(..., max_length=20)
    reason: str = Field(..., max_length=2000)
    decided_on: dt.date | None = None
    document_number: str = Field("", max_length=60)


class UnitRecordOut(Schema):
    unit_id: int
    unit: str
    scores: list[dict[str, Any]]
    proposals: list[ProposalOut]
    records: list[RecordOut]
