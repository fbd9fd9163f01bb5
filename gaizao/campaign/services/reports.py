"""Periodic reports (定期汇报): a street's weekly report, its approval and the office's acceptance.

Periods run from the campaign's ``starts_on`` in steps of ``report_days`` (7 by default) and are
named by their first day. A street writes the narrative (本期工作、存在问题、下期计划、需区级协调事项)
as a draft, submits it — the figures of the moment (targets from ``campaign_status``, tasks) are
frozen then — and a second account of the same street approves it (the street leader's check,
四眼原则: never the account that submitted it). The office (指挥部) accepts it, or returns it with a
reason; a returned report is corrected and submitted again. A period locks ``report_lock_days``
after its end; the office may reopen one street's period until a date.

Timeliness is judged on the first submission: ``submitted_at`` keeps the time a report was first
submitted, so a report returned for correction and submitted again stays on time (each submission is
in the audit trail).

Who may write: ``report_write_scope`` (the street's own accounts) fills, submits and approves;
``report_can_accept`` (the office, the admin) accepts, returns and reopens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.campaign.choices import OPEN_TASK_STATUSES, ReportStatus, TaskStatus
from gaizao.campaign.models import Campaign, Report, Task
from gaizao.campaign.policies.reports import report_can_accept, report_street_writer
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.notifications import notify
from gaizao.core.services import check_text_values, conditional_update, full_clean, parse_date, stale
from gaizao.core.writes import writes
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import OrgUnit, User

NOT_FOUND = "汇报不存在或无权操作。"
TEXT_FIELDS = ("work_done", "problems", "next_plan", "help_needed")
TEXT_MAX = 5000
REASON_MAX = 300
SUBMITTED_STATES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED)
EDITABLE_STATES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


# --- periods ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """One reporting period (汇报周期): its first and last day and the last day a report may be sent."""

    start: dt.date
    end: dt.date
    locks_after: dt.date  # the last day of submission (period end + report_lock_days)

    @property
    def label(self) -> str:
        return f"{self.start:%m-%d}～{self.end:%m-%d}"


def period_at(campaign: Campaign, start: dt.date) -> Period:
    end = min(start + dt.timedelta(days=campaign.report_days - 1), campaign.ends_on)
    return Period(start=start, end=end, locks_after=end + dt.timedelta(days=campaign.report_lock_days))


def period_of(campaign: Campaign, day: dt.date) -> Period | None:
    """The period holding ``day``; None before the campaign's start or after its end."""
    if day < campaign.starts_on or day > campaign.ends_on:
        return None
    steps = (day - campaign.starts_on).days // campaign.report_days
    return period_at(campaign, campaign.starts_on + dt.timedelta(days=steps * campaign.report_days))


def periods_until(campaign: Campaign, day: dt.date) -> list[Period]:
    """Every period that has begun by ``day``, oldest first."""
    out = []
    start = campaign.starts_on
    last = min(day, campaign.ends_on)
    while start <= last:
        out.append(period_at(campaign, start))
        start += dt.timedelta(days=campaign.report_days)
    return out


def check_period_start(campaign: Campaign, value, *, today: dt.date | None = None) -> Period:
    """The period that begins on ``value``: refused when no period begins then or it has not begun."""
    today = today or timezone.localdate()
    start = _day(value, field="period_start", label=_("周期开始日期"))
    found = period_of(campaign, start)
    if found is None or found.start != start:
        raise AppError(_("%(d)s 不是「%(c)s」的汇报周期开始日期（周期自 %(s)s 起每 %(n)d 天一期）。")
                       % {"d": start, "c": campaign, "s": campaign.starts_on, "n": campaign.report_days},
                       fields={"period_start": _("不是周期开始日期")})
    if start > today:
        raise AppError(_("%(d)s 开始的汇报周期尚未开始，不能填报。") % {"d": start},
                       fields={"period_start": _("周期尚未开始")})
    return found


def locked(campaign: Campaign, *, period_end: dt.date, reopened_until: dt.date | None, today: dt.date) -> bool:
    """A period locks ``report_lock_days`` after its end, unless the office reopened it until a later day."""
    if today <= period_end + dt.timedelta(days=campaign.report_lock_days):
        return False
    return reopened_until is None or today > reopened_until


def on_time(campaign: Campaign, *, period_end: dt.date, submitted_at) -> bool:
    """Submitted (first) no later than the last day before the period locks."""
    if submitted_at is None:
        return False
    day = timezone.localdate(submitted_at)
    return day <= period_end + dt.timedelta(days=campaign.report_lock_days)


# --- figures frozen at submission ---------------------------------------------------------------

def task_figures(campaign: Campaign, street: OrgUnit, *, today: dt.date) -> dict:
    """The street's tasks of the campaign: open, overdue and done (one query)."""
    row = Task.objects.filter(campaign=campaign, unit=street).aggregate(
        total=Count("id", filter=~Q(status=TaskStatus.CANCELLED)),
        open=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_TASK_STATUSES, deadline__lt=today)),
        done=Count("id", filter=Q(status=TaskStatus.DONE)))
    return {k: int(v or 0) for k, v in row.items()}


def live_figures(campaign: Campaign, street: OrgUnit, *, today: dt.date | None = None) -> dict:
    """What the report shows until it is submitted, and freezes then: the street's targets (as
    ``campaign_status`` judges them today) and its tasks."""
    from gaizao.campaign.selectors.status import campaign_status

    today = today or timezone.localdate()
    found = campaign_status(campaign, streets=[street], today=today)
    status = found[0].as_dict() if found else {"street": street.code, "name": street.name, "targets": []}
    return {"as_of": today.isoformat(), "status": status, "tasks": task_figures(campaign, street, today=today)}


# --- helpers ------------------------------------------------------------------------------------

def _day(value, *, field: str, label: str) -> dt.date:
    return parse_date(value, field=field, label=label)


def _lock(qs):
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update else qs


def _load(actor, report: Report | int, *, may) -> Report:
    pk = report if isinstance(report, int) else report.pk
    found = _lock(Report.objects.select_related("campaign", "street")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not may(actor, found)):
        raise NotFound(_(NOT_FOUND))
    return found


def _check_version(report: Report, version) -> None:
    if version is None or isinstance(version, bool):
        raise AppError(_("缺少版本号 version：请先读取该汇报，再带着读取到的版本号提交。"), fields={"version": _("必填")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != report.version:
        raise stale(report, version=version)


def _update(report: Report, *, status_from, **values) -> None:
    """The one conditional UPDATE of a report: on its version and the state it was read in."""
    check_text_values(Report, {k: v for k, v in values.items() if isinstance(v, str)})
    report.version = conditional_update(Report, pk=report.pk, version=report.version, values=values,
                                        extra_filter=Q(status__in=status_from), what=report)
    for name, value in values.items():
        setattr(report, name, value)  # attnames (submitted_by_id): the object follows its row


def _texts(values: dict) -> dict:
    out = {}
    labels = {f: str(Report._meta.get_field(f).verbose_name) for f in TEXT_FIELDS}
    for name in TEXT_FIELDS:
        text = "" if values.get(name) is None else str(values[name]).strip()
        if len(text) > TEXT_MAX:
            raise AppError(_("%(l)s最多 %(n)d 个字（现有 %(m)d 个）。") % {"l": labels[name], "n": TEXT_MAX, "m": len(text)},
                           fields={name: _("过长")})
        out[name] = text
    return out


def _refuse_locked(campaign: Campaign, *, start: dt.date, end: dt.date, reopened_until, street: OrgUnit,
                   today: dt.date) -> None:
    if locked(campaign, period_end=end, reopened_until=reopened_until, today=today):
        last = max(d for d in (end + dt.timedelta(days=campaign.report_lock_days), reopened_until) if d)
        raise AppError(_("%(s)s %(a)s～%(b)s 的汇报已于 %(d)s 截止并锁定，不能再填报或提交。如确需补报，请联系指挥部重新开放该期。")
                       % {"s": street.name, "a": start, "b": end, "d": last}, fields={"period_start": _("已截止锁定")})


def _street(actor, street: OrgUnit | int) -> OrgUnit:
    pk = street if isinstance(street, int) else street.pk
    found = OrgUnit.objects.filter(pk=pk, kind=OrgKind.STREET).first()
    if found is None:
        raise AppError(_("所选单位不是街道。"), fields={"street": _("不是街道")})
    return found


def street_writers(street_id: int):
    """The active accounts that fill and approve this street's reports (its street staff)."""
    return User.objects.filter(is_active=True, memberships__role=Role.STREET,
                               memberships__org_unit_id=street_id).distinct()


# --- services -----------------------------------------------------------------------------------

@writes
def report_save(*, actor, campaign: Campaign, street: OrgUnit | int, period_start, version=None,
                work_done: str = "", problems: str = "", next_plan: str = "", help_needed: str = "",
                today: dt.date | None = None, ip: str | None = None) -> Report:
    """Save a street's report for one period as a draft (保存草稿): creates its row the first time.

    Only a draft or a returned report is edited; a locked period is refused.
    """
    today = today or timezone.localdate()
    street = _street(actor, street)
    if not is_system(actor) and not report_street_writer(actor, street.pk):
        raise NotFound(_(NOT_FOUND))
    period = check_period_start(campaign, period_start, today=today)
    texts = _texts({"work_done": work_done, "problems": problems, "next_plan": next_plan, "help_needed": help_needed})
    existing = _lock(Report.objects.filter(campaign=campaign, street=street, period_start=period.start)).first()
    _refuse_locked(campaign, start=period.start, end=period.end, street=street, today=today,
                   reopened_until=existing.reopened_until if existing else None)
    if existing is None:
        report = Report(campaign=campaign, street=street, period_start=period.start, period_end=period.end, **texts)
        full_clean(report, exclude=["campaign", "street"])
        report.save(force_insert=True)
        writes.audit(action="campaign.report_save", obj=report, changes={"after": texts})
        return report
    report = existing
    if report.status not in EDITABLE_STATES:
        raise AppError(_("该期汇报%(s)s，不能再修改。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    _check_version(report, version)
    before = {name: getattr(report, name) for name in TEXT_FIELDS}
    _update(report, status_from=EDITABLE_STATES, **texts)
    writes.audit(action="campaign.report_save", obj=report,
                 changes={k: [before[k], v] for k, v in texts.items() if before[k] != v})
    return report


@writes
def report_submit(*, actor, report: Report | int, version, today: dt.date | None = None,
                  ip: str | None = None) -> Report:
    """Submit a draft or returned report (提交): the figures of the moment are frozen in it; the street's
    other accounts are told that it waits for their approval."""
    today = today or timezone.localdate()
    report = _load(actor, report, may=lambda a, r: report_street_writer(a, r.street_id))
    _check_version(report, version)
    if report.status not in EDITABLE_STATES:
        raise AppError(_("该期汇报%(s)s，不能重复提交。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    _refuse_locked(report.campaign, start=report.period_start, end=report.period_end, street=report.street,
                   reopened_until=report.reopened_until, today=today)
    if not report.work_done.strip():
        raise AppError(_("请先填写「本期工作」再提交。"), fields={"work_done": _("提交前必填")})
    now = timezone.now()
    figures = live_figures(report.campaign, report.street, today=today)
    was = report.status
    _update(report, status_from=EDITABLE_STATES, status=ReportStatus.SUBMITTED, figures=figures,
            submitted_at=report.submitted_at or now, submitted_by_id=getattr(actor, "pk", None),
            approved_at=None, approved_by_id=None, return_reason="")
    writes.audit(action="campaign.report_submit", obj=report, changes={"status": [was, ReportStatus.SUBMITTED]})
    notify(recipients=street_writers(report.street_id).exclude(pk=getattr(actor, "pk", None)),
           title=_("%(s)s %(p)s 的定期汇报待审核") % {"s": report.street.name, "p": report.period_start},
           body=_("请核对后审核（四眼原则：须由提交人以外的本街道账号审核）。"),
           link=reverse("campaign:report_detail", args=[report.pk]), kind="campaign.report")
    return report


@writes
def report_approve(*, actor, report: Report | int, version, ip: str | None = None) -> Report:
    """The street leader's approval (街道领导审核): another account of the same street than the one that
    submitted it (四眼原则)."""
    report = _load(actor, report, may=lambda a, r: report_street_writer(a, r.street_id))
    _check_version(report, version)
    if report.status != ReportStatus.SUBMITTED:
        raise AppError(_("只有已提交、待审核的汇报才能审核（该期汇报%(s)s）。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    if not is_system(actor) and report.submitted_by_id == actor.pk:
        raise AppError(_("汇报须由提交人以外的本街道账号审核（四眼原则），你是该期汇报的提交人。"),
                       fields={"approved_by": _("不能审核自己提交的汇报")})
    _update(report, status_from=(ReportStatus.SUBMITTED,), status=ReportStatus.APPROVED, approved_at=timezone.now(),
            approved_by_id=getattr(actor, "pk", None))
    writes.audit(action="campaign.report_approve", obj=report,
                 changes={"status": [ReportStatus.SUBMITTED, ReportStatus.APPROVED]})
    return report


def _office(actor, report) -> bool:
    return report_can_accept(actor)


@writes
def report_accept(*, actor, report: Report | int, version, ip: str | None = None) -> Report:
    """The office accepts an approved report (指挥部接收)."""
    report = _load(actor, report, may=_office)
    _check_version(report, version)
    if report.status != ReportStatus.APPROVED:
        raise AppError(_("只有街道已审核的汇报才能接收（该期汇报%(s)s）。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    _update(report, status_from=(ReportStatus.APPROVED,), status=ReportStatus.ACCEPTED, accepted_at=timezone.now(),
            accepted_by_id=getattr(actor, "pk", None))
    writes.audit(action="campaign.report_accept", obj=report,
                 changes={"status": [ReportStatus.APPROVED, ReportStatus.ACCEPTED]})
    return report


@writes
def report_return(*, actor, report: Report | int, version, reason: str, today: dt.date | None = None,
                  ip: str | None = None) -> Report:
    """The office returns a submitted or approved report with a reason (退回): the street corrects and
    submits it again. The submitter (and approver) are told. A period already locked is reopened for
    ``report_lock_days`` more days, so that the correction can be sent."""
    today = today or timezone.localdate()
    report = _load(actor, report, may=_office)
    _check_version(report, version)
    text = "" if reason is None else str(reason).strip()
    if not text:
        raise AppError(_("请填写退回原因。"), fields={"reason": _("必填")})
    if len(text) > REASON_MAX:
        raise AppError(_("退回原因最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": REASON_MAX, "m": len(text)},
                       fields={"reason": _("过长")})
    waiting = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    if report.status not in waiting:
        raise AppError(_("只有已提交或已审核、尚未接收的汇报才能退回（该期汇报%(s)s）。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    values = {"status": ReportStatus.RETURNED, "return_reason": text}
    if locked(report.campaign, period_end=report.period_end, reopened_until=report.reopened_until, today=today):
        values["reopened_until"] = today + dt.timedelta(days=report.campaign.report_lock_days)
    was = report.status
    _update(report, status_from=waiting, **values)
    writes.audit(action="campaign.report_return", obj=report,
                 changes={"status": [was, ReportStatus.RETURNED], "return_reason": ["", text]})
    recipients = [u for u in User.objects.filter(pk__in=[report.submitted_by_id, report.approved_by_id])]
    notify(recipients=recipients,
           title=_("%(s)s %(p)s 的定期汇报被退回") % {"s": report.street.name, "p": report.period_start},
           body=_("退回原因：%(r)s") % {"r": text}, link=reverse("campaign:report_detail", args=[report.pk]),
           kind="campaign.report")
    return report


@writes
def report_reopen(*, actor, campaign: Campaign, street: OrgUnit | int, period_start, until,
                  today: dt.date | None = None, ip: str | None = None) -> Report:
    """The office reopens one street's locked period until a date (重新开放补报): the street may fill and
    submit it until then. Creates the report's row when the street never started it."""
    today = today or timezone.localdate()
    if not is_system(actor) and not report_can_accept(actor):
        raise NotFound(_(NOT_FOUND))
    street = _street(actor, street)
    period = check_period_start(campaign, period_start, today=today)
    until = _day(until, field="until", label=_("开放至"))
    if until < today:
        raise AppError(_("开放至 %(u)s 早于今天（%(t)s）。") % {"u": until, "t": today}, fields={"until": _("不能早于今天")})
    if until > campaign.ends_on + dt.timedelta(days=60):
        raise AppError(_("开放至 %(u)s 晚于行动结束 60 天以上。") % {"u": until}, fields={"until": _("过晚")})
    report = _lock(Report.objects.filter(campaign=campaign, street=street, period_start=period.start)).first()
    if report is None:
        report = Report(campaign=campaign, street=street, period_start=period.start, period_end=period.end,
                        reopened_until=until)
        full_clean(report, exclude=["campaign", "street"])
        report.save(force_insert=True)
        writes.audit(action="campaign.report_reopen", obj=report, changes={"reopened_until": [None, str(until)]})
        return report
    if report.status not in EDITABLE_STATES:
        raise AppError(_("该期汇报%(s)s，无需重新开放。") % {"s": report.get_status_display()},
                       fields={"status": report.get_status_display()})
    before = report.reopened_until
    _update(report, status_from=EDITABLE_STATES, reopened_until=until)
    writes.audit(action="campaign.report_reopen", obj=report,
                 changes={"reopened_until": [str(before) if before else None, str(until)]})
    return report


ACTION_LABELS = {  # registered by registrations.reports
    "campaign.report_save": gettext_lazy("保存定期汇报"),
    "campaign.report_submit": gettext_lazy("提交定期汇报"),
    "campaign.report_approve": gettext_lazy("街道审核定期汇报"),
    "campaign.report_accept": gettext_lazy("指挥部接收定期汇报"),
    "campaign.report_return": gettext_lazy("退回定期汇报"),
    "campaign.report_reopen": gettext_lazy("重新开放汇报周期"),
}
