"""Periodic reports (定期汇报): a street writes, submits and approves its own; the office accepts, returns
and reopens; leaders read all.

Two resources, so that the access table says who does which half: ``campaign.report`` (the street's
own writing: fill, submit, approve) and ``campaign.report_review`` (the office's: accept, return,
reopen). The office reads every report but does not fill a street's; a street reads its own
reports' review (accepted or returned, and why) but does not accept them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.campaign.models import Report
from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.org.choices import Role

REPORT_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}
REVIEW_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}


def report_place(report) -> Place:
    return Place(unit_id=report.street_id)


def report_scope(user) -> QuerySet[Report]:
    return access.grant(user, "campaign.report").filter(Report.objects.all(), unit="street_id")


def report_write_scope(user) -> QuerySet[Report]:
    return access.grant(user, "campaign.report", write=True).filter(Report.objects.all(), unit="street_id")


def report_street_writer(user, street_id: int) -> bool:
    """May fill, submit and approve this street's reports (the street's own accounts)."""
    return access.grant(user, "campaign.report", write=True).covers(Place(unit_id=street_id))


def report_writer_streets(user) -> frozenset[int]:
    """The streets whose reports the user fills (none for the district roles)."""
    found = access.grant(user, "campaign.report", write=True)
    return found.unit_ids


def report_can_accept(user) -> bool:
    """May accept, return and reopen reports (the office, the admin)."""
    return access.grant(user, "campaign.report_review", write=True).everywhere


def report_reads_all(user) -> bool:
    """Reads every street's reports (the district roles): the office's table."""
    return access.grant(user, "campaign.report").everywhere


def _page(name: str):
    return lambda r: reverse(f"campaign:{name}", args=[r.pk])


def _api(suffix: str = ""):
    return lambda r: f"/api/campaign/reports/{r.pk}{suffix}"


def register_access() -> None:
    access.register("campaign.report", REPORT_ROWS, locate=report_place, endpoints=[
        Endpoint("report_page", _page("report_detail"), shows=lambda r: r.work_done),
        Endpoint("report_api", _api(), shows=lambda r: r.work_done),
        Endpoint("report_save_api", _api(), write=True, method="PUT"),
        Endpoint("report_submit_page", _page("report_submit"), write=True, method="POST"),
        Endpoint("report_submit_api", _api("/submit"), write=True, method="POST"),
        Endpoint("report_approve_page", _page("report_approve"), write=True, method="POST"),
        Endpoint("report_approve_api", _api("/approve"), write=True, method="POST"),
    ])
    access.register("campaign.report_review", REVIEW_ROWS, locate=report_place, endpoints=[
        Endpoint("report_accept_page", _page("report_accept"), write=True, method="POST"),
        Endpoint("report_accept_api", _api("/accept"), write=True, method="POST"),
        Endpoint("report_return_page", _page("report_return"), write=True, method="POST"),
        Endpoint("report_return_api", _api("/return"), write=True, method="POST"),
    ])


register_access()
