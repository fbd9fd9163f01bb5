"""Schemas of the meetings API (例会、议定事项)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gaizao.campaign.choices import MeetingKind
from gaizao.core.schemas import Id, Version


class TaskBrief(Schema):
    id: int
    title: str
    unit_id: int
    deadline: dt.date
    status: str


class DecisionOut(Schema):
    id: int
    order: int
    text: str
    task: TaskBrief | None = None


class FollowUpOut(Schema):
    decision_id: int
    meeting_id: int
    meeting_title: str
    order: int
    task: TaskBrief
    state: str = Field(..., description="open 办理中 / overdue 已逾期 / done 已办结 / cancelled 已取消")


class MeetingRowOut(Schema):
    id: int
    version: int
    campaign_id: int
    kind: str
    unit_id: int
    title: str
    number: str
    held_on: dt.date


class MeetingOut(MeetingRowOut):
    place: str
    chair: str
    attendees: str
    agenda: str
    minutes: str
    decisions: list[DecisionOut]
    earlier: list[FollowUpOut] = Field(..., description="此前会议议定事项（已转为任务）的落实情况")


class MeetingIn(Schema):
    campaign_id: Id | None = Field(None, description="攻坚行动 id，默认进行中的")
    kind: MeetingKind
    unit_id: Id | None = Field(None, description="街道例会：召开的街道 id")
    title: str = ""
    number: str = ""
    held_on: dt.date
    place: str = ""
    chair: str = ""
    attendees: str = ""
    agenda: str = ""
    minutes: str = ""


class MeetingPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    title: str | None = None
    number: str | None = None
    held_on: dt.date | None = None
    place: str | None = None
    chair: str | None = None
    attendees: str | None = None
    agenda: str | None = None
    minutes: str | None = None


class DecisionIn(Schema):
    text: str = ""


class DecisionTaskIn(Schema):
    unit_id: Id | None = Field(None, description="责任单位 id（必填）")
    person_id: Id | None = Field(None, description="责任人（用户 id）")
    deadline: dt.date | None = Field(None, description="完成时限")
    workdays: int | None = Field(None, ge=1, le=365, description="或：自今天起的工作日数")
    title: str = Field("", description="任务名称，默认取议定事项的内容")
    parent_id: Id | None = Field(None, description="上级任务 id（街道例会的议定事项须挂在本街道的任务下）")
