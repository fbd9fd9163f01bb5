"""Schemas of the publicity API (公示、异议)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.compensation.choices import PublicityKind
from gaizao.core.schemas import Id, Version


class PublicityRowOut(Schema):
    id: int
    project_id: int
    kind: str
    round: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    households: int = Field(..., description="公示户数")
    objections: int = Field(..., description="异议数")
    open_objections: int = Field(..., description="待答复的异议数")


class ObjectionOut(Schema):
    id: int
    version: int
    publicity_id: int
    household_id: int | None = None
    household_number: str = ""
    submitter: str
    content: str
    received_on: dt.date
    status: str = Field(..., description="open 待答复 / answered 已答复 / published 答复已公布")
    answer: str
    answered_on: dt.date | None = None
    answer_published_at: dt.datetime | None = None


class ColumnOut(Schema):
    key: str
    label: str


class PublicityOut(Schema):
    id: int
    project_id: int
    kind: str
    round: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    scheme_id: int | None = None
    note: str
    state: str = Field(..., description="upcoming 未开始 / running 公示中 / ended 已结束")
    columns: list[ColumnOut] = Field(..., description="分户补偿情况公示：各补偿项目（按方案顺序）")
    rows: list[dict] = Field(..., description="公示内容（发布时固定；姓名已隐去部分）")
    objections: list[ObjectionOut]


class PublicityIn(Schema):
    kind: PublicityKind
    starts_on: dt.date | None = Field(None, description="公示开始日期，默认今天")
    ends_on: dt.date | None = Field(None, description="公示结束日期；不填按 days 计算")
    days: int | None = Field(None, description="公示天数（含开始当天），默认 7，最多 60")
    household_ids: list[Id] | None = Field(None, max_length=100000, description="公示的住户 id，默认项目全部住户")
    household_numbers: list[str] | None = Field(None, max_length=100000, description="或：公示的户号")
    title: str = Field("", max_length=200)
    note: str = ""


class ObjectionIn(Schema):
    submitter: str = Field("", max_length=50)
    content: str = ""
    received_on: dt.date | None = Field(None, description="收到日期，须在公示期内，默认今天")
    household_number: str = Field("", max_length=32, description="涉及的户号（可不填）")


class AnswerIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    answer: str = ""
    answered_on: dt.date | None = Field(None, description="答复日期，默认今天")


class PublishAnswerIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
