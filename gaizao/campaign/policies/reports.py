"""Periodic reports (定期汇报): a street writes and approves its own; the office accepts, returns and
reopens; leaders read all."""

from __future__ import annotations

from django.db.models import QuerySet

from gaizao.campaign.models import Report
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Place, Rule
from gaizao.org.choices import Role

REPORT_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}


def report_scope(user) -> QuerySet[Report]:
    return access.grant(user, "campaign.report").filter(Report.objects.all(), unit="street_id")


def report_write_scope(user) -> QuerySet[Report]:
    return access.grant(user, "campaign.report", write=True).filter(Report.objects.all(), unit="street_id")


def report_can_accept(user) -> bool:
    """May accept, return and reopen reports (the office, the admin)."""
    return access.grant(user, "campaign.report", write=True).everywhere


access.register("campaign.report", REPORT_ROWS, locate=lambda r: Place(unit_id=r.street_id))
