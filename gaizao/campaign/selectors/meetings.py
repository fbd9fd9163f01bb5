"""Reads of meetings (例会): the list in scope, one meeting with its decisions, and the follow-up of
earlier meetings' decisions (their tasks open, overdue or done) that each meeting page lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.campaign.choices import MeetingKind, TaskStatus
from gaizao.campaign.models import Campaign, Decision, Meeting
from gaizao.campaign.policies.meetings import meeting_scope

FOLLOW_UP = {"open": gettext_lazy("办理中"), "overdue": gettext_lazy("已逾期"), "done": gettext_lazy("已办结"),
             "cancelled": gettext_lazy("已取消"), "none": gettext_lazy("未转办")}
FOLLOW_UP_TONES = {"open": "azure", "overdue": "red", "done": "green", "cancelled": "secondary", "none": "secondary"}
DISTRICT_KINDS = (MeetingKind.LEADING_GROUP, MeetingKind.DISPATCH)


def meeting_list(user, *, campaign: Campaign | None = None, kind: str | None = None):
    qs = meeting_scope(user).select_related("unit", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-held_on", "-id")


def meeting_get(user, *, pk: int) -> Meeting:
    found = meeting_scope(user).select_related("unit", "campaign", "created_by").filter(pk=pk).first()
    if found is None:
        raise Http404(_("会议不存在或无权查看。"))
    return found


def meeting_decisions(meeting: Meeting) -> list[Decision]:
    return list(meeting.decisions.select_related("task", "task__unit", "task__person").order_by("order", "id"))


def follow_up(task, *, today: dt.date) -> str:
    """A decision's task: open (办理中), overdue (已逾期), done (已办结), cancelled; ``none`` without a task."""
    if task is None:
        return "none"
    if task.status == TaskStatus.DONE:
        return "done"
    if task.status == TaskStatus.CANCELLED:
        return "cancelled"
    return "overdue" if task.deadline < today else "open"


@dataclass
class FollowUp:
    decision: Decision
    state: str

    @property
    def label(self) -> str:
        return str(FOLLOW_UP[self.state])

    @property
    def tone(self) -> str:
        return FOLLOW_UP_TONES[self.state]


def earlier_decisions(meeting: Meeting, *, today: dt.date | None = None, limit: int = 200) -> list[FollowUp]:
    """The decisions of the campaign's earlier meetings made tasks, with their task's state, open and
    overdue first (督办): the office's meetings follow every earlier office meeting, a street meeting
    its own street's. One query."""
    today = today or timezone.localdate()
    earlier = Q(meeting__held_on__lt=meeting.held_on) | Q(meeting__held_on=meeting.held_on, meeting_id__lt=meeting.pk)
    qs = Decision.objects.filter(earlier, meeting__campaign_id=meeting.campaign_id, task__isnull=False)
    if meeting.kind == MeetingKind.STREET:
        qs = qs.filter(meeting__kind=MeetingKind.STREET, meeting__unit_id=meeting.unit_id)
    else:
        qs = qs.filter(meeting__kind__in=DISTRICT_KINDS)
    rows = list(qs.select_related("meeting", "task", "task__unit").order_by("-meeting__held_on", "meeting_id",
                                                                               "order")[:limit])
    out = [FollowUp(d, follow_up(d.task, today=today)) for d in rows]
    rank = {"overdue": 0, "open": 1, "done": 2, "cancelled": 3}
    return sorted(out, key=lambda f: rank[f.state])
