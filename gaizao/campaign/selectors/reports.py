"""Reads of the periodic reports (定期汇报): a street's reports, the office's table of streets × periods,
completeness and timeliness (报送率、及时率) that the overview and the assessment read, and the home cards.

Every function here costs a fixed number of queries whatever the number of streets and periods
(tests/campaign/test_reports_queries.py pins them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.choices import ReportStatus
from gaizao.campaign.models import Campaign, Report
from gaizao.campaign.policies.reports import (report_can_accept, report_reads_all, report_scope,
                                              report_writer_streets)
from gaizao.campaign.services.reports import (SUBMITTED_STATES, Period, locked, on_time, period_at, period_of,
                                              periods_until)
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

__all__ = ["Period", "period_of", "periods_until", "report_figures", "report_summary", "report_table",
           "report_list", "report_get", "current_campaign", "street_report_todo", "office_report_todo"]


def current_campaign(pk: int | None = None) -> Campaign | None:
    """The campaign a page is about: the one asked for, else the current one (``status.current_campaign``)."""
    from gaizao.campaign.selectors.status import current_campaign as current

    if pk is not None:
        return Campaign.objects.filter(pk=pk).first()
    return current()


def streets() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def report_figures(campaign: Campaign, *, periods: list[Period] | None = None, today: dt.date | None = None,
                   street_list: list[OrgUnit] | None = None) -> dict[tuple[int, dt.date], dict]:
    """Per (street id, period start): ``submitted`` (submitted, approved or accepted), ``on_time``
    (first submitted by the period's lock day), ``accepted``, and ``due`` (the lock day has passed,
    so a missing report counts as missing). Every street × every period begun by ``today``.

    Two queries: the streets and the reports (one if ``street_list`` is given).
    """
    today = today or timezone.localdate()
    periods = periods if periods is not None else periods_until(campaign, today)
    street_list = street_list if street_list is not None else streets()
    starts = [p.start for p in periods]
    found = {(r["street_id"], r["period_start"]): r for r in Report.objects.filter(
        campaign=campaign, period_start__in=starts).values("street_id", "period_start", "status", "submitted_at")}
    out = {}
    for street in street_list:
        for period in periods:
            row = found.get((street.pk, period.start))
            submitted = bool(row) and row["status"] in SUBMITTED_STATES
            out[street.pk, period.start] = {
                "submitted": submitted,
                "on_time": submitted and on_time(campaign, period_end=period.end, submitted_at=row["submitted_at"]),
                "accepted": bool(row) and row["status"] == ReportStatus.ACCEPTED,
                "due": today > period.locks_after,
            }
    return out


@dataclass
class StreetReportSummary:
    street_id: int
    code: str
    name: str
    due: int  # periods whose submission window has closed
    submitted: int  # of those, reported
    on_time: int  # of those, reported in time
    accepted: int
    missing: list[dt.date] = field(default_factory=list)

    @property
    def rate_reported(self) -> Decimal | None:
        return _rate(self.submitted, self.due)

    @property
    def rate_on_time(self) -> Decimal | None:
        return _rate(self.on_time, self.due)

    def as_dict(self) -> dict:
        return {"street": self.code, "name": self.name, "due": self.due, "submitted": self.submitted,
                "on_time": self.on_time, "accepted": self.accepted,
                "rate_reported": None if self.rate_reported is None else str(self.rate_reported),
                "rate_on_time": None if self.rate_on_time is None else str(self.rate_on_time),
                "missing": [d.isoformat() for d in self.missing]}


def report_summary(campaign: Campaign, *, today: dt.date | None = None) -> list[StreetReportSummary]:
    """Per street, over the periods whose window has closed: how many reported, how many on time
    (报送率、及时率). Two queries."""
    today = today or timezone.localdate()
    street_list = streets()
    figures = report_figures(campaign, today=today, street_list=street_list)
    out = []
    for street in street_list:
        s = StreetReportSummary(street.pk, street.code, street.name, 0, 0, 0, 0)
        for (street_id, start), f in sorted(figures.items(), key=lambda kv: kv[0][1]):
            if street_id != street.pk or not f["due"]:
                continue
            s.due += 1
            s.submitted += f["submitted"]
            s.on_time += f["on_time"]
            s.accepted += f["accepted"]
            if not f["submitted"]:
                s.missing.append(start)
        out.append(s)
    return out


# --- the office's table ---------------------------------------------------------------------------

TONES = {  # status → colour of the table's cell
    ReportStatus.DRAFT: "secondary", ReportStatus.SUBMITTED: "azure", ReportStatus.APPROVED: "blue",
    ReportStatus.ACCEPTED: "green", ReportStatus.RETURNED: "orange",
}


@dataclass
class Cell:
    period: Period
    report: Report | None
    label: str
    tone: str
    late: bool  # submitted after the lock day, or missing with the window closed
    open_now: bool  # the street may still fill it (not locked, or reopened)


def _cell(campaign: Campaign, period: Period, report: Report | None, today: dt.date) -> Cell:
    reopened = report.reopened_until if report else None
    open_now = not locked(campaign, period_end=period.end, reopened_until=reopened, today=today)
    if report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        missing = today > period.locks_after
        label = (report.get_status_display() if report and report.status == ReportStatus.RETURNED
                 else _("未报") if missing else _("待报"))
        if report and report.status == ReportStatus.DRAFT:
            label = _("草稿") if not missing else _("未报（草稿）")
        tone = "red" if missing else TONES[report.status] if report else "secondary"
        return Cell(period, report, label, tone, missing, open_now)
    late = not on_time(campaign, period_end=period.end, submitted_at=report.submitted_at)
    label = report.get_status_display() + ("（迟报）" if late else "")
    return Cell(period, report, label, "red" if late else TONES[report.status], late, open_now)


def report_table(user, campaign: Campaign, *, periods: int = 8, today: dt.date | None = None) -> dict:
    """Streets × the last ``periods`` periods, each cell a report's status (late and missing in red). Two queries."""
    today = today or timezone.localdate()
    shown = periods_until(campaign, today)[-periods:][::-1]  # newest first
    reports = {(r.street_id, r.period_start): r for r in report_scope(user).filter(
        campaign=campaign, period_start__in=[p.start for p in shown])}
    street_list = streets() if report_reads_all(user) else [
        s for s in streets() if s.pk in report_writer_streets(user)]
    rows = [{"street": s, "cells": [_cell(campaign, p, reports.get((s.pk, p.start)), today) for p in shown]}
            for s in street_list]
    return {"periods": shown, "rows": rows}


# --- one street's reports -------------------------------------------------------------------------

def report_list(user, *, campaign: Campaign, street_id: int | None = None):
    qs = report_scope(user).filter(campaign=campaign).select_related("street", "submitted_by", "approved_by",
                                                                     "accepted_by")
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    return qs.order_by("-period_start", "street__path")


def report_get(user, *, pk: int) -> Report:
    found = report_scope(user).select_related("campaign", "street", "submitted_by", "approved_by",
                                              "accepted_by").filter(pk=pk).first()
    if found is None:
        raise Http404(_("汇报不存在或无权查看。"))
    return found


def report_for_period(user, *, campaign: Campaign, street_id: int, start: dt.date) -> Report | None:
    return report_scope(user).filter(campaign=campaign, street_id=street_id, period_start=start).first()


# --- home cards -----------------------------------------------------------------------------------

def street_report_todo(user, *, today: dt.date | None = None) -> dict | None:
    """The street's reports due now (本期未提交), returned ones, and those waiting for this account's
    approval: None for those who fill none. Four queries: the user's units, the active campaign,
    the street's reports, their streets' names."""
    street_ids = report_writer_streets(user)
    if not street_ids:
        return None
    today = today or timezone.localdate()
    campaign = current_campaign()
    if campaign is None:
        return None
    # the current period, and one just ended until it locks
    due = [p for p in periods_until(campaign, today) if today <= p.locks_after]
    starts = [p.start for p in due]
    reports = list(Report.objects.filter(campaign=campaign, street_id__in=street_ids).filter(
        Q(period_start__in=starts) | Q(status=ReportStatus.RETURNED)).select_related("street"))
    by_key = {(r.street_id, r.period_start): r for r in reports}
    names = dict(OrgUnit.objects.filter(pk__in=street_ids).values_list("pk", "name"))
    items = []
    for street_id in sorted(street_ids):
        for period in due:
            r = by_key.get((street_id, period.start))
            if r is None or r.status == ReportStatus.DRAFT:
                items.append({"street_id": street_id, "street": names.get(street_id, ""), "period": period,
                              "report": r, "returned": False})
    for r in reports:
        if r.status == ReportStatus.RETURNED:
            items.append({"street_id": r.street_id, "street": r.street.name,
                          "period": period_at(campaign, r.period_start), "report": r, "returned": True})
    waiting = [r for r in reports if r.status == ReportStatus.SUBMITTED and r.submitted_by_id != user.pk]
    return {"campaign": campaign, "items": items, "to_approve": waiting}


def office_report_todo(user, *, today: dt.date | None = None) -> dict | None:
    """The office's reports awaiting acceptance (街道已审核) and those returned, not yet resubmitted. Two queries."""
    if not report_can_accept(user):
        return None
    campaign = current_campaign()
    if campaign is None:
        return None
    rows = list(Report.objects.filter(campaign=campaign, status__in=(ReportStatus.APPROVED, ReportStatus.RETURNED))
                .select_related("street").order_by("period_start", "street__path")[:50])
    return {"campaign": campaign,
            "awaiting": [r for r in rows if r.status == ReportStatus.APPROVED],
            "returned": [r for r in rows if r.status == ReportStatus.RETURNED]}
