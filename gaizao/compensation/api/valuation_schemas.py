"""Schemas of the valuations API (评估结果)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from gaizao.core.schemas import Id


class ValuationIn(Schema):
    """One building's valuation: numbers and dates as JSON numbers or text (a bad one is named in Chinese)."""

    building_id: Id | None = None
    kind: str = "initial"  # initial 评估 | review 复核 | appraisal 鉴定
    unit_price: Decimal | str | None = None  # 元/㎡, > 0
    decoration: Decimal | str | None = None  # 元, ≥ 0
    valued_on: dt.date | str | None = None  # not after today
    valuer: str = ""
    appraiser: str = ""
    report_no: str = ""
    reason: str = ""  # a review's or an appraisal's, at least 4 characters


class ValuationOut(Schema):
    id: int
    household_id: int
    household: str
    building_id: int
    building: str
    kind: str
    kind_label: str
    unit_price: Decimal
    decoration: Decimal
    valued_on: dt.date
    valuer: str
    appraiser: str
    report_no: str
    in_force: bool
    replaces_id: int | None = None
    reason: str
    created_at: dt.datetime


class BuildingValuationsOut(Schema):
    building_id: int
    number: str
    legality: str
    disposition: str
    in_force: ValuationOut | None = None
    history: list[ValuationOut]


class HouseholdValuationsOut(Schema):
    household_id: int
    number: str
    head_name: str
    stage: str
    complete: bool  # every building to demolish has a valuation in force
    buildings: list[BuildingValuationsOut]


class RejectedRowOut(Schema):
    row: int
    household: str
    column: str
    reason: str


class FieldChangeOut(Schema):
    column: str
    before: str
    after: str


class PlannedRowOut(Schema):
    row: int
    household: str
    building: str
    status: str  # new | changed
    kind: str
    reason: str
    fields: list[FieldChangeOut]


class ImportOut(Schema):
    project: str
    file: str
    sheet: str
    new: int
    changed: int
    unchanged: int
    blank: int
    rejected: list[RejectedRowOut]
    warnings: list[str]
    stages: list[str]
    changes: list[PlannedRowOut]
    fingerprint: str
    written: int = 0  # valuations written (0 in a preview)
    stages_recorded: int = 0
