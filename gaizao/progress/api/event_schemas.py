"""API schemas of stage events (进度事件).

Dates travel as ``YYYY-MM-DD`` strings and kinds as plain strings, so that the services check
them and answer 400 with the field named (a datetime or an unknown kind is refused by name).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Field, Schema

from gaizao.core.schemas import Id, Version
from gaizao.progress.choices import EventKind
from gaizao.progress.stages import DATE_FIELDS


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("progress:attachment", args=[obj.pk])


class EventOut(Schema):
    id: int
    household_id: int
    kind: str
    kind_label: str
    on_date: dt.date
    resettlement_mode: str
    note: str
    corrects_id: int | None
    actor: str | None
    created_at: dt.datetime
    attachments: list[AttachmentOut] = []

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(EventKind(obj.kind).label)

    @staticmethod
    def resolve_actor(obj) -> str | None:
        actor = obj.actor
        return (actor.full_name or actor.username) if actor is not None else None

    @staticmethod
    def resolve_attachments(obj) -> list:
        return obj.files if hasattr(obj, "files") else list(obj.attachments.all())


class HouseholdProgressOut(Schema):
    """A household's stage, version and stage dates after a write."""

    id: int
    number: str
    stage: str
    stage_label: str
    version: int
    resettlement_mode: str
    dates: dict[str, dt.date | None]

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return obj.get_stage_display()

    @staticmethod
    def resolve_dates(obj) -> dict:
        return {str(kind): getattr(obj, name) for kind, name in DATE_FIELDS.items()}


class EventsOut(Schema):
    household: HouseholdProgressOut
    events: list[EventOut]


class EventWriteOut(Schema):
    event: EventOut
    household: HouseholdProgressOut


class EventIn(Schema):
    kind: str = Field(..., description="事项：surveyed、decided、valued、decision、signed、vacated、demolished、"
                                       "resettled、withdrawn")
    on_date: str = Field(..., description="日期（YYYY-MM-DD，不含时间）")
    note: str = Field("", max_length=2000, description="说明")
    resettlement_mode: str = Field("", description="安置方式（记录安置时必填）：money、swap、return")
    heritage_override_reason: str = Field(
        "", max_length=500, description="拆除（demolished）的房屋登记有历史文化要素时必填：特批理由，不少于 10 个字，"
                                        "仅领导小组办公室（指挥部）和系统管理员账号可用，记入审计日志")
    version: Version | None = Field(None, description="读取时住户的 version；过期则 409，不写入")


class CorrectionIn(Schema):
    on_date: str | None = Field(None, description="新日期（YYYY-MM-DD）；与 void 二选一")
    void: bool = Field(False, description="撤销这条记录")
    note: str = Field(..., max_length=2000, description="更正原因（必填）")
    version: Version | None = Field(None, description="读取时住户的 version；过期则 409，不写入")


class BulkIn(Schema):
    kind: str = Field(..., description="事项")
    on_date: str = Field(..., description="日期（YYYY-MM-DD）")
    note: str = Field("", max_length=2000)
    resettlement_mode: str = Field("", description="安置方式（记录安置时必填）")
    heritage_override_reason: str = Field(
        "", max_length=500, description="批量拆除中有房屋登记历史文化要素时：本批的特批理由（不少于 10 个字，"
                                        "仅领导小组办公室和系统管理员账号）；缺少时列出这些住户，整批不写入")
    household_ids: list[Id] | None = Field(None, description="住户 id；或用 project + numbers")
    project: str | None = Field(None, description="项目编码（与 numbers 一起用）")
    numbers: list[str] | None = Field(None, description="项目内的户号")


class BulkOut(Schema):
    recorded: int
