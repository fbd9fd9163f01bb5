"""Schemas of the tasks API (任务清单)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.campaign.choices import TaskCategory, TaskStatus
from gaizao.core.schemas import Cursor, Id, PositiveSmallInt, Version

STATUS_HELP = "、".join(f"{v} {l}" for v, l in TaskStatus.choices)
CATEGORY_HELP = "、".join(f"{v} {l}" for v, l in TaskCategory.choices)


class TaskFilters(Schema):
    campaign: Id | None = Field(None, description="攻坚行动 id")
    unit: Id | None = Field(None, description="责任单位 id")
    status: str | None = Field(None, description=f"open（未办结）或：{STATUS_HELP}")
    overdue: bool | None = Field(None, description="true 只列逾期的，false 只列未逾期的")
    category: TaskCategory | None = Field(None, description=f"类别：{CATEGORY_HELP}")
    after: Cursor | None = Field(None, description="上一页返回的 next_after")


class TaskRowOut(Schema):
    id: int
    version: int
    campaign_id: int
    parent_id: int | None
    depth: int
    title: str
    category: str
    category_label: str
    unit_id: int
    unit_name: str
    person_id: int | None
    person_name: str
    village_id: int | None
    village_name: str
    deadline: dt.date
    deadline_note: str = Field(..., description="时限说明：如遇休息日顺延")
    status: str
    status_label: str
    progress: int
    done_on: dt.date | None
    overdue: bool
    days_overdue: int = Field(..., description="逾期天数（自然日）")


class TaskPageOut(Schema):
    items: list[TaskRowOut]
    next_after: int | None


class NoteOut(Schema):
    id: int
    text: str
    progress: int | None
    author_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author_name(obj) -> str:
        return str(obj.author) if obj.author_id else ""


class TaskAttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class TaskOut(Schema):
    id: int
    version: int
    campaign_id: int
    parent_id: int | None
    depth: int
    title: str
    description: str
    category: str
    unit_id: int
    unit_name: str
    person_id: int | None
    village_id: int | None
    deadline: dt.date
    deadline_workdays: int | None
    deadline_note: str
    status: str
    status_label: str
    progress: int
    done_on: dt.date | None
    overdue: bool
    notes: list[NoteOut]
    attachments: list[TaskAttachmentOut]
    children: list[TaskRowOut]


class TaskIn(Schema):
    campaign_id: Id = Field(..., description="攻坚行动 id")
    parent_id: Id | None = Field(None, description="上级任务 id（街道、部门只能在本单位的任务下分解）")
    title: str = Field(..., description="任务名称")
    unit_id: Id = Field(..., description="责任单位 id：本区的街道或部门")
    person_id: Id | None = Field(None, description="责任人（用户 id，须在责任单位任职）")
    deadline: dt.date | None = Field(None, description="完成时限（遇休息日顺延）；与 workdays 只填一项")
    workdays: PositiveSmallInt | None = Field(None, description="时限（工作日），自 start 起算")
    start: dt.date | None = Field(None, description="起算日期，默认今天")
    category: TaskCategory = Field(TaskCategory.GENERAL, description=f"类别：{CATEGORY_HELP}")
    village_id: Id | None = Field(None, description="城中村 id")
    description: str = Field("", description="任务要求")


class TaskPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    title: str | None = None
    description: str | None = None
    category: TaskCategory | None = None
    unit_id: Id | None = Field(None, description="责任单位 id")
    person_id: Id | None = Field(None, description="责任人 id")
    village_id: Id | None = None
    deadline: dt.date | None = None
    workdays: PositiveSmallInt | None = None
    start: dt.date | None = None


class NoteIn(Schema):
    text: str = Field(..., description="进展情况")
    progress: int | None = Field(None, ge=0, le=100, description="完成进度（%），不低于已填报的")


class CompleteIn(Schema):
    done_on: dt.date | None = Field(None, description="完成日期，默认今天")
    note: str = Field("", description="办结说明")
