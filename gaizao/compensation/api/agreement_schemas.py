"""Schemas of the agreements API (补偿协议)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gaizao.core.schemas import PositiveSmallInt, Version


class AgreementRowOut(Schema):
    id: int
    number: str
    household_id: int
    household_number: str
    head_name: str
    option: str
    total: Decimal
    status: str = Field(..., description="draft 待签约 / signed 已签约 / void 已作废")
    signed_on: dt.date | None = None
    order_no: int | None = Field(None, description="签约顺序号：按登记签约的先后，本项目内 1、2、3……")


class CompensationAgreementOut(AgreementRowOut):
    version: int
    project_id: int
    calculation_id: int
    items: list[dict[str, Any]] = Field(..., description="补偿明细（生成时从测算冻结）")
    swap_area: Decimal | None = None
    swap_flat: str
    payment_terms: str
    move_deadline: dt.date
    transition_months: int
    digest: str = Field(..., description="协议内容的 SM3 摘要")
    condition: str = Field(..., description="协议生效条件（项目签约比例）")


class RegisterOut(Schema):
    project_id: int
    signed: int
    households: int
    threshold: Decimal
    condition: str
    agreements: list[AgreementRowOut]


class AgreementGenerateIn(Schema):
    option: str | None = Field(None, description="money / swap / mixed；留空按最新测算")
    payment_terms: str = Field("", max_length=2000, description="支付方式和期限；留空按模板")
    swap_flat: str = Field("", max_length=200, description="调换房屋位置（产权调换）")
    move_deadline: dt.date | None = Field(None, description="搬迁期限；留空为签约期结束后30日")
    transition_months: PositiveSmallInt | None = Field(None, description="过渡期限（月）；留空按方案")


class AgreementPatch(Schema):
    version: Version
    payment_terms: str | None = Field(None, max_length=2000)
    swap_flat: str | None = Field(None, max_length=200)
    move_deadline: dt.date | None = None
    transition_months: PositiveSmallInt | None = None
    # Amounts are never edited: given, they are refused with the reason (a signed agreement's date named).
    total: Decimal | None = Field(None, description="不可修改：金额来自测算")
    items: list[dict[str, Any]] | None = Field(None, description="不可修改：金额来自测算")
    swap_area: Decimal | None = Field(None, description="不可修改：面积来自测算")


class AgreementSignIn(Schema):
    signed_on: dt.date = Field(..., description="签约日期：不能晚于今天，须在项目签约期内")
    version: Version | None = None
    note: str = Field("", max_length=500)
