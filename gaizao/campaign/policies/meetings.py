"""Meetings (例会) and their decisions: the office holds leading-group and dispatch meetings, a street
its own street meetings; leaders read all, a street reads its own meetings."""

from __future__ import annotations

from django.db.models import QuerySet

from gaizao.campaign.models import Meeting
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Place, Rule
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


access.register("campaign.meeting", MEETING_ROWS, locate=lambda m: Place(unit_id=m.unit_id))
