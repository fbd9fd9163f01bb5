"""Reads of the weekly bulletin (工作通报) and the leader's page (领导驾驶舱).

``bulletin_figures`` gathers, for one ISO week, everything a bulletin prints — the district's goals
against what is done (from the campaign's status, never typed), each street's targets and light, the
ranking of the latest score sheet published by the week's end (the version in force then), the red,
yellow and black lists, overdue tasks, open supervision orders by colour with the overdue ones, open
inspection findings — as plain JSON-able data. The service freezes it in ``Bulletin.data`` at the first
generation; every later rendering reads the frozen copy.

``leader_overview`` is the same reading for today, for the leader's page. Both cost a fixed number of
queries whatever the number of streets, tasks, orders or findings (tests/oversight/test_leader*.py pins it).

The orders', findings' and score sheets' models are read here directly (their areas' selectors are written
beside this one); the colour of an order is ``oversight.colours`` (one calendar read per list).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.models import Campaign, Task
from gaizao.campaign.selectors.status import campaign_overview_status, fmt
from gaizao.campaign.selectors.tasks import overdue_condition
from gaizao.core.errors import AppError
from gaizao.oversight.choices import (OPEN_FINDING_STATUSES, OPEN_ORDER_STATUSES, Assessed, FindingStatus,
                                      OrderColour, OrderLevel)
from gaizao.oversight.colours import Clock, order_colour
from gaizao.oversight.models import Bulletin, Finding, ScoreSheet, SupervisionOrder
from gaizao.progress.models import Rollup

PERIOD_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")
PERIOD_MESSAGE = "期别应为 2026-W47 的形式"
LISTED = 20  # rows of a list (overdue tasks, overdue orders, open findings) a bulletin prints
LIGHT_WORDS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "未开始"}
LIST_WORDS = {"red": "红榜", "yellow": "黄榜", "black": "黑榜"}
COLOURS = ("red", "yellow", "blue", "none")


# --- the period -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Week:
    """One ISO week (期别): 2026-W47 runs from Monday 16 to Sunday 22 November 2026."""

    year: int
    week: int

    @property
    def period(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def starts_on(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)


def parse_period(text) -> Week:
    """``"2026-W47"`` (also ``2026W47``, ``2026-w47``) as a ``Week``; anything else refused in Chinese."""
    found = PERIOD_RE.match(str(text or ""))
    if not found:
        raise AppError(_(PERIOD_MESSAGE) + _("（收到：%(t)s）。") % {"t": str(text or "")[:20] or _("空")},
                       fields={"period": _(PERIOD_MESSAGE)})
    year, week = int(found.group(1)), int(found.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise AppError(_("%(y)d 年没有第 %(w)d 周：") % {"y": year, "w": week} + _(PERIOD_MESSAGE) + "。",
                       fields={"period": _("%(y)d 年没有第 %(w)d 周。") % {"y": year, "w": week}}) from None
    return Week(year, week)


def week_of(day: dt.date) -> Week:
    year, week, _weekday = day.isocalendar()
    return Week(year, week)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# --- the campaign of a week, and whether there is anything to report ------------------------------------

def campaign_for_week(week: Week) -> Campaign | None:
    """The campaign running in the week: the latest started by its end (one query)."""
    return (Campaign.objects.filter(starts_on__lte=week.ends_on).exclude(status="draft")
            .order_by("-starts_on", "-id").first())


def check_has_data(week: Week, *, today: dt.date) -> Campaign:
    """The week's campaign; refused (in Chinese) for a week in the future, before any campaign, or
    before any progress was recorded (no rollups)."""
    if week.starts_on > today:
        raise AppError(_("%(p)s（%(a)s至%(b)s）尚未开始，不能生成未来的通报。") % {
            "p": week.period, "a": cn_date(week.starts_on), "b": cn_date(week.ends_on)}, fields={"period": _("未来的期别。")})
    campaign = campaign_for_week(week)
    if campaign is None:
        raise AppError(_("%(p)s（%(a)s至%(b)s）没有数据：当时攻坚行动尚未开始，无可通报的内容。") % {
            "p": week.period, "a": cn_date(week.starts_on), "b": cn_date(week.ends_on)},
            fields={"period": _("该期没有数据。")})
    if not Rollup.objects.exists():
        raise AppError(_("%(p)s没有数据：尚未录入任何进度（进度汇总为空），无可通报的内容。") % {"p": week.period},
                       fields={"period": _("该期没有数据。")})
    return campaign


# --- pieces shared by the bulletin and the leader's page ------------------------------------------------

def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def sheets_in_force(*, campaign: Campaign | None, on: dt.date) -> list[ScoreSheet]:
    """The latest score sheet per kind of unit assessed (streets first, then departments) published by the
    end of ``on``, in the version in force then (a later recomputation is not yet known): one query."""
    qs = ScoreSheet.objects.filter(created_at__lt=_end_of(on)).select_related("scheme")
    if campaign is not None:
        qs = qs.filter(scheme__campaign=campaign)
    found: dict[str, ScoreSheet] = {}
    for sheet in qs.order_by("-ends_on", "-version", "-created_at", "-id")[:200]:
        found.setdefault(sheet.scheme.assessed, sheet)
    return [found[k] for k in (Assessed.STREET, Assessed.DEPARTMENT) if k in found]


def ranking_of(sheet: ScoreSheet) -> dict:
    rows = []
    for r in sheet.rows or []:
        rows.append({"rank": r.get("rank"), "unit": r.get("unit", ""), "unit_id": r.get("unit_id"),
                     "total": str(r.get("total", "")), "grade": r.get("grade", ""),
                     "grade_label": r.get("grade_label", ""), "list": r.get("list", "") or ""})
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return {"sheet_id": sheet.pk, "scheme": sheet.scheme.name, "assessed": sheet.scheme.assessed,
            "assessed_label": str(Assessed(sheet.scheme.assessed).label), "period": sheet.period,
            "starts_on": sheet.starts_on.isoformat(), "ends_on": sheet.ends_on.isoformat(),
            "version": sheet.version, "published_on": timezone.localtime(sheet.created_at).date().isoformat(),
            "rows": rows}


def lists_of(rankings: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"red": [], "yellow": [], "black": []}
    for ranking in rankings:
        for r in ranking["rows"]:
            if r["list"] in out:
                out[r["list"]].append(r["unit"])
    return out


def _orders(campaign: Campaign | None, on: dt.date) -> QuerySet[SupervisionOrder]:
    qs = SupervisionOrder.objects.filter(status__in=OPEN_ORDER_STATUSES).filter(
        Q(issued_on__isnull=True) | Q(issued_on__lte=on))
    if campaign is not None:
        qs = qs.filter(Q(campaign=campaign) | Q(campaign__isnull=True))
    return qs


def orders_by_colour(campaign: Campaign | None, on: dt.date, *, listed: int = LISTED) -> dict:
    """Open orders counted by colour, the first ``listed`` overdue (red) ones listed, most overdue first:
    four queries whatever their number (the calendar twice, the orders grouped by what their colour depends
    on, the listed red ones' details).

    The colour is ``colours.order_colour``, asked once per group of orders alike in status, deadline, issue
    day, returns and feedback day (the rule reads nothing else): 5,000 orders make a few hundred groups, so
    the rule is not copied into SQL and the count costs one light query."""
    clock = Clock.at(on)
    counts = dict.fromkeys(COLOURS, 0)
    local = timezone.get_default_timezone()  # Asia/Shanghai: the feedback's day as people count it
    groups = (_orders(campaign, on).annotate(fed=TruncDate("feedback_at", tzinfo=local))
              .values("status", "deadline", "issued_on", "returned_count", "fed").annotate(n=Count("id")).order_by())
    red: list[dict] = []
    order = _Row()
    for group in groups:
        order.status, order.deadline, order.issued_on = group["status"], group["deadline"], group["issued_on"]
        order.returned_count = group["returned_count"]
        # colours.py reads the feedback's local date: local midnight of that day gives it back
        order.feedback_at = timezone.make_aware(dt.datetime.combine(group["fed"], dt.time.min), local) \
            if group["fed"] else None
        colour = order_colour(order, clock)
        if colour in counts:
            counts[colour] += group["n"]
        if colour == OrderColour.RED:
            red.append(group)
    red.sort(key=lambda g: (g["deadline"], g["status"], g["issued_on"] or dt.date.min))
    wanted, taken = Q(pk__in=[]), 0
    for group in red:
        if taken >= listed:
            break
        fed = group["fed"]
        day = (Q(feedback_at__isnull=True) if fed is None else
               Q(feedback_at__gte=timezone.make_aware(dt.datetime.combine(fed, dt.time.min), local),
                 feedback_at__lt=timezone.make_aware(dt.datetime.combine(fed + dt.timedelta(days=1), dt.time.min),
                                                     local)))
        wanted |= Q(status=group["status"], deadline=group["deadline"], issued_on=group["issued_on"],
                    returned_count=group["returned_count"]) & day
        taken += group["n"]
    levels = {key: str(label) for key, label in OrderLevel.choices}
    shown = _orders(campaign, on).filter(wanted).order_by("deadline", "id").values(
        "id", "number", "title", "deadline", "level", unit_name=F("unit__name"))[:listed] if red else []
    rows = [{"id": row["id"], "number": row["number"], "title": row["title"], "unit": row["unit_name"],
             "level": levels.get(row["level"], row["level"]),
             "deadline": row["deadline"].isoformat() if row["deadline"] else "",
             "days_overdue": (on - row["deadline"]).days if row["deadline"] else 0} for row in shown]
    return {"open": sum(counts.values()), "by_colour": counts, "overdue": rows,
            "overdue_count": sum(g["n"] for g in red)}


class _Row:
    """One order's five columns, read as an order by ``order_colour``."""

    __slots__ = ("status", "deadline", "issued_on", "returned_count", "feedback_at")


def open_findings(campaign: Campaign | None, on: dt.date, *, listed: int = LISTED, overdue_only: bool = False) -> dict:
    """Findings not yet verified (整改未销号): how many, how many past their deadline (a fix waiting for the
    office's check is not the unit's delay), and the first ``listed``, soonest deadline first: two queries."""
    qs = Finding.objects.filter(status__in=OPEN_FINDING_STATUSES, inspection__held_on__lte=on)
    if campaign is not None:
        qs = qs.filter(Q(inspection__campaign=campaign) | Q(inspection__campaign__isnull=True))
    late = Q(deadline__lt=on) & ~Q(status=FindingStatus.FIXED)
    figures = qs.aggregate(open=Count("id"), overdue=Count("id", filter=late))
    statuses = dict(FindingStatus.choices)
    shown = (qs.filter(late) if overdue_only else qs).order_by("deadline", "id").values(
        "id", "text", "deadline", "status", unit_name=F("unit__name"), inspection_title=F("inspection__title"))
    rows = [{"id": row["id"], "unit": row["unit_name"], "text": row["text"], "inspection": row["inspection_title"],
             "deadline": row["deadline"].isoformat(), "status": str(statuses.get(row["status"], row["status"])),
             "overdue": row["deadline"] < on and row["status"] != FindingStatus.FIXED} for row in shown[:listed]]
    return {"open": figures["open"], "overdue": figures["overdue"], "rows": rows}


def _overdue_tasks(campaign: Campaign, on: dt.date, *, listed: int = LISTED) -> dict:
    """Overdue tasks (逾期任务) of the campaign: the count per responsible unit and the most overdue
    ``listed`` rows: two queries whatever their number."""
    qs = Task.objects.filter(campaign=campaign).filter(overdue_condition(on))
    by_unit = list(qs.order_by().values(unit_name=F("unit__name")).annotate(n=Count("id")))
    by_unit.sort(key=lambda r: (-r["n"], r["unit_name"]))
    rows = qs.order_by("deadline", "id").values("id", "title", "deadline", unit_name=F("unit__name"))[:listed]
    return {"count": sum(r["n"] for r in by_unit),
            "by_unit": [{"unit": r["unit_name"], "count": r["n"]} for r in by_unit],
            "rows": [{"id": t["id"], "title": t["title"], "unit": t["unit_name"], "deadline": t["deadline"].isoformat(),
                      "days_overdue": (on - t["deadline"]).days} for t in rows]}


def _status(campaign: Campaign, on: dt.date) -> tuple[list[dict], list[dict], dict]:
    status = campaign_overview_status(campaign, today=on)
    goals = [{"key": g.key, "label": g.label, "unit": g.unit, "goal": fmt(g.goal) or fmt(g.assigned),
              "done": fmt(g.done), "rate": None if g.rate is None else str(g.rate),
              "expected_rate": str(g.expected_rate), "light": g.light} for g in status.goals]
    streets = []
    lights = dict.fromkeys(("red", "yellow", "green", "none"), 0)
    for s in status.streets:
        lights[s.light] = lights.get(s.light, 0) + 1
        streets.append({"id": s.street_id, "name": s.name, "light": s.light,
                        "targets": [{"label": t.label, "scope": t.scope, "unit": t.unit, "target": fmt(t.target),
                                     "done": fmt(t.done), "rate": None if t.rate is None else str(t.rate),
                                     "expected_rate": str(t.expected_rate), "light": t.light}
                                    for t in s.targets]})
    return goals, streets, lights


# --- the bulletin's figures --------------------------------------------------------------------------------

def bulletin_figures(week: Week, campaign: Campaign, *, today: dt.date) -> dict:
    """Everything the bulletin of ``week`` prints, judged at the week's end (or today, for the running week).

    The lights' 序时进度, the overdue tasks and orders, the findings and the score sheet in force are those
    of that day; what is done comes from the rollups, which hold today's figures (progress keeps no daily
    history), and the orders' and tasks' states are today's: a bulletin generated long after its week says
    so through its ``generated_on``. Generated in its week, as the office does, it is that week's picture."""
    on = min(week.ends_on, today)
    goals, streets, lights = _status(campaign, on)
    rankings = [ranking_of(s) for s in sheets_in_force(campaign=campaign, on=on)]
    return {
        "format": 1,
        "period": week.period, "year": week.year, "week": week.week,
        "starts_on": week.starts_on.isoformat(), "ends_on": week.ends_on.isoformat(), "as_of": on.isoformat(),
        "campaign": {"id": campaign.pk, "name": campaign.name, "starts_on": campaign.starts_on.isoformat(),
                     "ends_on": campaign.ends_on.isoformat()},
        "goals": goals, "streets": streets, "lights": lights,
        "rankings": rankings, "lists": lists_of(rankings),
        "tasks": _overdue_tasks(campaign, on),
        "orders": orders_by_colour(campaign, on),
        "findings": open_findings(campaign, on),
    }


# --- lists of bulletins ------------------------------------------------------------------------------------

def bulletin_list(*, limit: int = 200) -> list[Bulletin]:
    """The bulletins, newest week first (one query). Every role that reads bulletins reads them all."""
    return list(Bulletin.objects.defer("data").order_by("-starts_on")[:limit])


def bulletin_latest() -> Bulletin | None:
    return Bulletin.objects.defer("data").order_by("-starts_on").first()


# --- the leader's page -----------------------------------------------------------------------------------------

@dataclass
class LeaderOverview:
    """What the leader's page shows (领导驾驶舱), judged today."""

    today: dt.date
    campaign: Campaign | None
    goals: list[dict] = field(default_factory=list)
    streets: list[dict] = field(default_factory=list)
    lights: dict = field(default_factory=dict)
    rankings: list[dict] = field(default_factory=list)
    lists: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    findings: dict = field(default_factory=dict)
    red_targets: list[dict] = field(default_factory=list)
    latest: Bulletin | None = None

    @property
    def red_count(self) -> int:
        return (len(self.red_targets) + self.tasks.get("count", 0) + self.orders.get("overdue_count", 0)
                + self.findings.get("overdue", 0))


def leader_overview(*, today: dt.date | None = None, listed: int = 10) -> LeaderOverview:
    """The ranking (latest published sheet), each street's light, the red items (red targets, overdue
    tasks, red orders, overdue findings), orders by colour, the latest bulletin: a fixed number of queries."""
    today = today or timezone.localdate()
    from gaizao.campaign.selectors.status import current_campaign

    campaign = current_campaign(today=today)
    view = LeaderOverview(today=today, campaign=campaign, latest=bulletin_latest())
    view.rankings = [ranking_of(s) for s in sheets_in_force(campaign=campaign, on=today)]
    view.lists = lists_of(view.rankings)
    view.orders = orders_by_colour(campaign, today, listed=listed)
    view.findings = open_findings(campaign, today, listed=listed, overdue_only=True)
    if campaign is not None:
        view.goals, view.streets, view.lights = _status(campaign, today)
        view.red_targets = [{"street": s["name"], **t} for s in view.streets for t in s["targets"]
                            if t["light"] == "red"]
        view.tasks = _overdue_tasks(campaign, today, listed=listed)
    else:
        view.tasks = {"count": 0, "by_unit": [], "rows": []}
    return view

