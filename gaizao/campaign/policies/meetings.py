"""Meetings (例会) and their decisions: the office holds leading-group and dispatch meetings, a street
its own street meetings; leaders read all, a street reads its own meetings.

A meeting's unit (召集单位) places it: the office's meetings sit on the office (or the district), so
a street reads only its own street meetings. Decisions follow their meeting.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.campaign.models import Meeting
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.org.choices import Role

MEETING_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}


def meeting_scope(user) -> QuerySet[Meeting]:
    return access.grant(user, "campaign.meeting").filter(Meeting.objects.all(), unit="unit_id")


def meeting_write_scope(user) -> QuerySet[Meeting]:
    return access.grant(user, "campaign.meeting", write=True).filter(Meeting.objects.all(), unit="unit_id")


def meeting_can_write(user, meeting: Meeting) -> bool:
    return access.grant(user, "campaign.meeting", write=True).covers(Place(unit_id=meeting.unit_id))


def meeting_can_hold_district(user) -> bool:
    """May hold leading-group and dispatch meetings (the office, the admin)."""
    return access.grant(user, "campaign.meeting", write=True).everywhere


def meeting_street_ids(user) -> frozenset[int]:
    """The units whose street meetings the user holds (a street's staff)."""
    return access.grant(user, "campaign.meeting", write=True).unit_ids


def _first_decision(meeting: Meeting) -> int:
    return meeting.decisions.order_by("order", "id").values_list("pk", flat=True)[0]


def register_access() -> None:
    access.register("campaign.meeting", MEETING_ROWS, locate=lambda m: Place(unit_id=m.unit_id), endpoints=[
        Endpoint("meeting_page", lambda m: reverse("campaign:meeting_detail", args=[m.pk]), shows=lambda m: m.title),
        Endpoint("meeting_api", lambda m: f"/api/campaign/meetings/{m.pk}", shows=lambda m: m.title),
        Endpoint("meeting_minutes", lambda m: reverse("campaign:meeting_minutes", args=[m.pk])),
        Endpoint("meeting_edit_page", lambda m: reverse("campaign:meeting_edit", args=[m.pk]), write=True,
                 method="POST"),
        Endpoint("meeting_update_api", lambda m: f"/api/campaign/meetings/{m.pk}", write=True, method="PATCH"),
        Endpoint("decision_add_page", lambda m: reverse("campaign:decision_add", args=[m.pk]), write=True,
                 method="POST"),
        Endpoint("decision_add_api", lambda m: f"/api/campaign/meetings/{m.pk}/decisions", write=True,
                 method="POST"),
        Endpoint("decision_task_page", lambda m: reverse("campaign:decision_task", args=[m.pk]), write=True,
                 method="POST"),
        Endpoint("decision_task_api", lambda m: f"/api/campaign/decisions/{_first_decision(m)}/task", write=True,
                 method="POST"),
    ])


register_access()
