"""Schemas of the schemes and calculations API (征收补偿方案、补偿测算)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.compensation.choices import Option
from gaizao.core.schemas import Version


class SchemeRowOut(Schema):
    id: int
    version: int
    project_id: int
    number: int = Field(..., description="版本号（第 N 版）")
    name: str
    status: str = Field(..., description="draft 草稿 / published 已发布（现行） / superseded 已被新版本取代")
    note: str
    digest: str = Field(..., description="发布时方案文本的 SM3 摘要")
    created_at: dt.datetime
    published_at: dt.datetime | None = None


class CompensationSchemeOut(SchemeRowOut):
    text: str = Field(..., description="方案文本（TOML，见 docs/compensation-schemes.md）")


class CompensationSchemeIn(Schema):
    name: str = Field("", max_length=200, description="不填则取文本 [scheme] 中的 name")
    text: str = Field(..., max_length=100_000)
    note: str = Field("", max_length=2000)


class SchemePatch(CompensationSchemeIn):
    version: Version = Field(..., description="读取到的版本号（乐观锁）")


class CheckIn(Schema):
    text: str = Field("", max_length=100_000)
    cases: list[dict] | None = Field(None, description="测试用例（与 gaizao compensation calc --input 相同）；"
                                                       "不填则试算本项目前几户", max_length=50)


class ProblemOut(Schema):
    line: int | None
    name: str
    message: str


class SampleOut(Schema):
    label: str
    option: str
    total: str | None = None
    swap_area: str | None = None
    items: list[dict]
    error: str
    expected: bool | None = Field(None, description="测试用例给出 expect 时：结果是否与之一致")
    differences: list[str]


class CheckOut(Schema):
    ok: bool
    problems: list[ProblemOut]
    samples: list[SampleOut]
    cases_error: str


class CalculationOut(Schema):
    id: int
    household_id: int
    scheme_id: int
    scheme_number: int
    option: str
    items: list[dict] = Field(..., description="每项：key, label, kind, unit, formula, inputs, amount, buildings")
    total: str
    swap_area: str | None = None
    digest: str
    created_at: dt.datetime


class HouseholdCalculationOut(Schema):
    household_id: int
    number: str
    current: CalculationOut | None = Field(None, description="最近一次测算（任一补偿方式）")
    options: list[CalculationOut] = Field(..., description="各补偿方式的最新测算")


class CalculateIn(Schema):
    option: Option | None = Field(None, description="money / swap / mixed；不填则按上次测算的方式")


class ProjectCalculateIn(Schema):
    option: Option | None = Field(None, description="不填则各户按其上次测算的方式")


class ProjectCalculateOut(Schema):
    calculated: int = Field(..., description="新写入的测算户数")
    unchanged: int = Field(..., description="与现有测算相同（未重写）的户数")
    skipped: int
    problems: list[str]


class ProjectCalculationRowOut(Schema):
    household_id: int
    number: str
    head_name: str
    calculations: list[dict]


class ProjectCalculationsOut(Schema):
    project_id: int
    code: str
    scheme_id: int | None
    items: list[ProjectCalculationRowOut]
    next_after: int | None
