"""Progress figures read from the rollups (进度汇总): never a scan of the household table.

Every function here reads ``Rollup`` (current totals) or ``DailyRollup`` (per day) with a fixed
number of queries, whatever the number of households, and is what dashboards, the API, the
`gaizao progress summary` command and the progress table (进度表) share.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.actors import is_system
from gaizao.core.errors import NotFound
from gaizao.ledger.models import Project, Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit
from gaizao.progress.choices import KEY_LABELS, SCOPE, SCOPE_UPGRADE, Level  # noqa: F401 (callers read s.KEY_LABELS)
from gaizao.progress.completion import completion, villages_completed
from gaizao.progress import signing
from gaizao.progress.models import DailyRollup, Rollup, SigningResult
from gaizao.progress.policies import dashboard_grant
from gaizao.progress.rollups import from_centi

# The funnel as dashboards and the progress table show it, in order.
FUNNEL_KEYS = ["surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]
# The upgrade way's steps (整治提升), counted against ``scope_upgrade``, not ``scope``.
UPGRADE_KEYS = ["agreed", "works_started", "works_accepted"]
CURVE_KEYS = ("signed", "vacated", "demolished")
PACE_DAYS = 28
TEN_THOUSAND = Decimal("10000")


def percent(part: int, whole: int) -> Decimal | None:
    """A rate in percent to one decimal (99.8), None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


reaches = signing.reaches  # part / whole reaches ``threshold`` percent, compared exactly


def wan(area: Decimal) -> Decimal:
    """Square metres as 万㎡ to two decimals (1,234,567 ㎡ → 123.46)."""
    return (area / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class UnitSummary:
    """One unit's figures: households and area in scope and per stage reached.

    ``households`` are those on the demolition way (they sign and are demolished: the denominator of
    the signing, vacating and demolition rates); ``upgrade_households`` those on the upgrade way
    (整治提升), the denominator of its steps. 入户调查 is counted against both together.
    """

    level: int
    unit_id: int
    code: str = ""
    name: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    areas: dict[str, Decimal] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # what the caller attaches (street name, boundary …)

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def area(self, key: str) -> Decimal:
        return self.areas.get(key, Decimal("0.00"))

    @property
    def households(self) -> int:
        return self.count(SCOPE)

    @property
    def total_area(self) -> Decimal:
        return self.area(SCOPE)

    @property
    def upgrade_households(self) -> int:
        return self.count(SCOPE_UPGRADE)

    @property
    def upgrade_area(self) -> Decimal:
        return self.area(SCOPE_UPGRADE)

    def rate(self, key: str) -> Decimal | None:
        if key in UPGRADE_KEYS:
            return percent(self.count(key), self.upgrade_households)
        if key == "surveyed":
            return percent(self.count(key), self.households + self.upgrade_households)
        return percent(self.count(key), self.households)

    @property
    def signed_rate(self) -> Decimal | None:
        return self.rate("signed")

    @property
    def vacated_rate(self) -> Decimal | None:
        return self.rate("vacated")

    @property
    def demolished_area_wan(self) -> Decimal:
        return wan(self.area("demolished"))

    @property
    def unsigned(self) -> int:
        """Households still to sign (a compensation decision takes a holdout out of this count)."""
        return max(self.households - self.count("signed") - self.count("decision"), 0)

    @property
    def complete(self) -> bool:
        """A unit is done (完成) when every household in scope finished its way: demolished (拆除)
        on the demolition way, works accepted (竣工验收) on the upgrade way (``progress.completion``)."""
        return completion("mixed", self.counts).done

    def stages(self) -> list[dict]:
        """The funnel rows: label, households, area, rate."""
        return [{"key": key, "label": str(KEY_LABELS[key]), "households": self.count(key), "area": self.area(key),
                 "rate": self.rate(key)} for key in FUNNEL_KEYS]

    def as_dict(self) -> dict:
        """Plain figures for JSON (API, command): Decimals as strings."""
        return {
            "code": self.code, "name": self.name,
            "households": self.households, "area": str(self.total_area),
            "stages": {key: {"households": self.count(key), "area": str(self.area(key)),
                             "rate": _str(self.rate(key))} for key in [*FUNNEL_KEYS, "decision"]},
            "signed_rate": _str(self.signed_rate), "vacated_rate": _str(self.vacated_rate),
            "demolished_area_wan": str(self.demolished_area_wan),
            "upgrade_households": self.upgrade_households, "upgrade_area": str(self.upgrade_area),
            "upgrade_stages": {key: {"households": self.count(key), "area": str(self.area(key)),
                                     "rate": _str(self.rate(key))} for key in UPGRADE_KEYS},
        }


def _str(value) -> str | None:
    return None if value is None else str(value)


def unit_summaries(level: int, unit_ids) -> dict[int, UnitSummary]:
    """Summaries of many units of one level in one query."""
    ids = list(unit_ids)
    out = {pk: UnitSummary(level=level, unit_id=pk) for pk in ids}
    if not ids:
        return out
    for unit, key, households, area in Rollup.objects.filter(level=level, unit__in=ids).values_list(
            "unit", "key", "households", "area_centi"):
        out[unit].counts[key] = households
        out[unit].areas[key] = from_centi(area)
    return out


# ---------------------------------------------------------------- whose dashboard

@dataclass
class Area:
    """The part of the district a dashboard shows: the district, or one street."""

    level: int
    unit: OrgUnit
    district: OrgUnit

    @property
    def is_district(self) -> bool:
        return self.level == Level.DISTRICT


def district_unit() -> OrgUnit:
    district = OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("path").first()
    if district is None:
        raise NotFound(_("尚未建立区级组织机构。"))
    return district


def dashboard_area(user, *, street_code: str | None = None, resource: str = "progress.dashboard") -> Area:
    """The district for district-wide roles (or one street they choose); a street user's own street.

    The system actor (the command line) sees the district, or any street of it. Anyone
    else, or a street out of the user's scope, gets NotFound (404). Who reaches what is ``resource``'s
    rows of the access table (the dashboard's, or the progress table's).
    """
    system = is_system(user)
    if not system and not getattr(user, "is_authenticated", False):
        raise NotFound(_("不存在或无权查看。"))
    district = district_unit()
    reach = None if system else dashboard_grant(user, resource)
    everywhere = reach is None or reach.everywhere
    if street_code:
        street = OrgUnit.objects.filter(code=street_code, kind=OrgKind.STREET).first()
        if system and street is None:
            raise NotFound(_("街道 %(c)s 不存在。") % {"c": street_code})
        if street is None or not (everywhere or street.pk in reach.unit_ids):
            raise NotFound(_("街道 %(c)s 不存在或无权查看。") % {"c": street_code})
        return Area(level=Level.STREET, unit=street, district=district)
    if everywhere:
        return Area(level=Level.DISTRICT, unit=district, district=district)
    own = reach.unit_ids
    if own:
        street = OrgUnit.objects.filter(pk__in=own).order_by("path").first()
        return Area(level=Level.STREET, unit=street, district=district)
    raise NotFound(_("不存在或无权查看。"))


def area_summary(area: Area) -> UnitSummary:
    summary = unit_summaries(area.level, [area.unit.pk])[area.unit.pk]
    summary.code, summary.name = area.unit.code, area.unit.name
    return summary


def progress_summary(user, *, street_code: str | None = None) -> UnitSummary:
    """The district's (or one street's) figures for ``user`` (2–3 queries)."""
    return area_summary(dashboard_area(user, street_code=street_code))


def street_summaries(area: Area) -> list[UnitSummary]:
    """Each street of the district (or the one street), sorted by signed rate, best first."""
    if area.is_district:
        streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET, path__startswith=area.district.path + "/")
                       .order_by("path"))
    else:
        streets = [area.unit]
    summaries = unit_summaries(Level.STREET, [s.pk for s in streets])
    for street in streets:
        summaries[street.pk].code, summaries[street.pk].name = street.code, street.name
    return sorted(summaries.values(), key=lambda s: (-(s.signed_rate or Decimal(-1)), s.code))


def village_summaries(area: Area, *, with_boundary: bool = False) -> list[UnitSummary]:
    """Each village in the area with its street's name (and boundary for the map), by code."""
    villages = Village.objects.select_related("street").order_by("code")
    if not area.is_district:
        villages = villages.filter(street=area.unit)
    if not with_boundary:
        villages = villages.defer("boundary", "notes")
    villages = list(villages)
    summaries = unit_summaries(Level.VILLAGE, [v.pk for v in villages])
    out = []
    for village in villages:
        summary = summaries[village.pk]
        summary.code, summary.name = village.code, village.name
        summary.extra = {"village": village, "street_name": village.street.name, "street_code": village.street.code,
                         "mode": village.get_mode_display()}
        if with_boundary:
            summary.extra["boundary"] = village.boundary
        out.append(summary)
    return out


def area_villages_completed(area: Area) -> tuple[int, int]:
    """(completed, all) villages of the area, by each village's mode (``progress.completion``): two queries."""
    villages = Village.objects.order_by()
    if not area.is_district:
        villages = villages.filter(street=area.unit)
    modes = list(villages.values_list("id", "mode"))
    return villages_completed(modes), len(modes)


def project_summaries(area: Area, *, village: Village | None = None, today: dt.date | None = None) -> list[UnitSummary]:
    """Each project with its signing status against its threshold (签约生效比例)."""
    today = today or timezone.localdate()
    projects = Project.objects.select_related("village", "village__street").order_by("code")
    if village is not None:
        projects = projects.filter(village=village)
    elif not area.is_district:
        projects = projects.filter(village__street=area.unit)
    return project_rows(list(projects), today=today)


def project_rows(projects: list[Project], *, today: dt.date) -> list[UnitSummary]:
    """These projects' figures and judgements (two queries), each with its signing status in ``extra``."""
    summaries = unit_summaries(Level.PROJECT, [p.pk for p in projects])
    results = signing.latest([p.pk for p in projects]) if projects else {}
    out = []
    for project in projects:
        summary = summaries[project.pk]
        summary.code, summary.name = project.code, project.name
        summary.extra = {"project": project,
                         "signing": signing_status(project, summary, today, result=results.get(project.pk))}
        out.append(summary)
    return out


# ---------------------------------------------------------------- signing threshold

@dataclass
class SigningStatus:
    """Where a project stands against its signing threshold (协议生效比例) and period.

    Once the period has ended the figures are the frozen judgement's (``progress.signing``): the
    households signed within the period against those in scope at its end, the threshold of the
    day; before that, today's figures from the rollups. ``code``: none / not_started / open /
    reached / due / effective / lapsed / ended.
    """

    code: str
    label: str
    rate: Decimal | None
    threshold: Decimal
    reached: bool
    result: object = None  # the SigningResult in force (frozen), if judged
    outcome: object = None  # the office's SigningOutcome after a lapse, if recorded

    @property
    def lapsed(self) -> bool:
        return self.code in ("lapsed", "ended")

    @property
    def frozen(self) -> bool:
        return self.code in ("effective", "lapsed", "ended") and self.result is not None

    def as_dict(self) -> dict:
        result, outcome = self.result if self.frozen else None, self.outcome
        return {
            "status": self.code, "status_label": self.label, "lapsed": self.lapsed,
            "rate": _str(self.rate), "threshold": str(self.threshold), "reached": self.reached,
            "judgement": None if result is None else judgement_dict(result),
            "outcome": None if outcome is None else {
                "decision": outcome.decision, "decided_on": outcome.decided_on,
                "new_start": outcome.new_start, "new_end": outcome.new_end},
        }


def judgement_dict(result) -> dict:
    """One signing judgement (SigningResult) as the API and ``--json`` give it."""
    return {"kind": result.kind, "period_start": result.period_start, "period_end": result.period_end,
            "signed": result.signed, "in_scope": result.in_scope, "threshold": str(result.threshold),
            "reached": result.reached, "judged_at": result.judged_at, "reason": result.reason}


def signing_status(project: Project, summary: UnitSummary, today: dt.date, *, result=None) -> SigningStatus:
    """The project's status from its latest judgement (``signing.latest``) and the live figures."""
    live = reaches(summary.count("signed"), summary.households, project.signing_threshold)
    standing = signing.standing(project, result=result, live_reached=live, today=today)
    if standing.code in ("effective", "lapsed", "ended"):
        frozen = standing.result
        label = signing.label(standing.code) if frozen.in_scope else _("签约期满，无需签约（无拆除范围内住户）")
        return SigningStatus(code=standing.code, label=str(label),
                             rate=percent(frozen.signed, frozen.in_scope), threshold=frozen.threshold,
                             reached=frozen.reached, result=frozen, outcome=standing.outcome)
    return SigningStatus(code=standing.code, label=signing.label(standing.code), rate=summary.signed_rate,
                         threshold=project.signing_threshold, reached=live, result=standing.result)


def lapsed_projects(area: Area, *, today: dt.date | None = None) -> list[UnitSummary]:
    return [s for s in project_summaries(area, today=today) if s.extra["signing"].lapsed]


# ---------------------------------------------------------------- over time

def cumulative_curves(level: int, unit: int, *, keys=CURVE_KEYS) -> dict:
    """Cumulative households per day for ``keys``: ``{"days": [...], "signed": [...], ...}`` (one query)."""
    per_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for day, key, households in DailyRollup.objects.filter(level=level, unit=unit, key__in=keys).values_list(
            "day", "key", "households"):
        per_day[day][key] = per_day[day].get(key, 0) + households
    days = sorted(per_day)
    running = {key: 0 for key in keys}
    out: dict = {"days": [d.isoformat() for d in days], **{key: [] for key in keys}}
    for day in days:
        for key in keys:
            running[key] += per_day[day].get(key, 0)
            out[key].append(running[key])
    return out


# ---------------------------------------------------------------- forecasts

# A project's place in a forecast (签约预测), from its signing period on the day:
#   open        签约期内: its unsigned households can still sign, counted, its end is the deadline;
#   planned     签约期已定、尚未开始 (or a start without an end yet): counted, they will be able to;
#   lapsed      期满未达标: the period closed below the threshold, its unsigned cannot sign (补偿决定);
#   closed      期满已达标: the period closed at or above the threshold, its unsigned cannot sign;
#   not_started 未启动: no signing period set.
COUNTED = ("open", "planned")


@dataclass(frozen=True)
class ProjectWindow:
    """One project's signing period as a forecast sees it (``signing_windows``)."""

    project_id: int
    unit_id: int
    state: str
    unsigned: int
    signing_start: dt.date | None
    signing_end: dt.date | None


def _window_state(start, end, *, today: dt.date, reached: bool) -> str:
    if start is None:
        return "not_started"
    if end is not None and today > end:
        return "closed" if reached else "lapsed"
    return "open" if today >= start else "planned"


def signing_windows(level: int, unit_ids, *, today: dt.date) -> dict[int, list[ProjectWindow]]:
    """Each unit's projects with their signing state and unsigned households (one query: the
    projects with their three project-level rollup figures as subqueries)."""
    ids = list(unit_ids)
    column = {Level.STREET: "village__street_id", Level.VILLAGE: "village_id", Level.PROJECT: "id"}.get(level)
    projects = Project.objects.all() if column is None else Project.objects.filter(**{f"{column}__in": ids})

    def figure(key: str):
        return Coalesce(Subquery(Rollup.objects.filter(level=Level.PROJECT, unit=OuterRef("pk"), key=key)
                                 .values("households")[:1]), 0)

    # the frozen judgement of the period, once it ended (progress.signing), not today's figure
    judged = Subquery(SigningResult.objects.filter(project_id=OuterRef("pk"), period_end=OuterRef("signing_end"))
                      .order_by("-id").values("reached")[:1])
    rows = projects.annotate(n_scope=figure(SCOPE), n_signed=figure("signed"), n_decision=figure("decision"),
                             frozen=judged).values_list(
        column or "pk", "pk", "signing_start", "signing_end", "signing_threshold", "n_scope", "n_signed", "n_decision",
        "frozen")
    out: dict[int, list[ProjectWindow]] = {pk: [] for pk in ids}
    for unit, pk, start, end, threshold, scope, signed, decision, frozen in rows:
        reached = bool(frozen) if frozen is not None else reaches(signed, scope, threshold)
        state = _window_state(start, end, today=today, reached=reached)
        window = ProjectWindow(project_id=pk, unit_id=unit, state=state, unsigned=max(scope - signed - decision, 0),
                               signing_start=start, signing_end=end)
        for target in (ids if column is None else [unit]):  # the district holds every project
            out[target].append(window)
    return out


FORECAST_LABELS = {
    "lapsed": _("期满未达标"),
    "closed": _("签约期已满"),
    "not_started": _("未启动"),
}

# The forecast against its deadline (``Forecast.deadline_state``): on time, a deadline still ahead
# that this pace misses (逾期风险), or a deadline already past with households left to sign (已逾期:
# no pace can meet it any more, and the page must not call it a risk).
DEADLINE_LABELS = {
    "on_time": _("按期"),
    "at_risk": _("逾期风险"),
    "overdue": _("已逾期"),
}


def judge_deadline(*, deadline: dt.date | None, will_meet: bool | None, today: dt.date) -> str | None:
    """``on_time`` / ``at_risk`` / ``overdue``, or None when there is nothing to judge (no
    deadline, or nothing left that can sign). Past is before ``today`` (Asia/Shanghai): the
    deadline's own day is still ahead."""
    if deadline is None or will_meet is None:
        return None
    if will_meet:
        return "on_time"
    return "overdue" if deadline < today else "at_risk"


@dataclass
class Forecast:
    """"At this pace, done on …" (按近四周进度预计): the signing of the households that can still sign.

    Only households of projects whose signing period is open or set for later count (``COUNTED``);
    those of projects whose period closed cannot sign any more (期满未达标 → 补偿决定), and those of
    projects with no period have not started (未启动). ``state``: forecast / finished / planned (a
    period set, none open yet) / lapsed / closed / not_started.
    """

    remaining: int
    pace_per_week: Decimal  # households per week over the window
    weekly: list[int]  # households signed in each of the last four weeks, oldest first
    done_on: dt.date | None
    earliest: dt.date | None
    latest: dt.date | None
    deadline: dt.date | None
    will_meet: bool | None  # None: no deadline, or nothing to sign
    state: str = "forecast"
    lapsed: int = 0  # unsigned households of projects whose period closed below the threshold
    not_started: int = 0  # households of projects without a signing period
    starts_on: dt.date | None = None  # the earliest start of a planned period
    deadline_state: str | None = None  # on_time / at_risk / overdue (DEADLINE_LABELS); None: no judgement

    @property
    def finished(self) -> bool:
        return self.state == "finished"

    @property
    def overdue(self) -> bool:
        return self.deadline_state == "overdue"

    @property
    def deadline_label(self) -> str:
        return str(DEADLINE_LABELS.get(self.deadline_state, ""))

    @property
    def state_label(self) -> str:
        return str(FORECAST_LABELS.get(self.state, ""))

    @property
    def text(self) -> str:
        if self.state in FORECAST_LABELS:
            return self.state_label + self._others()
        if self.finished:
            return str(_("已全部签约")) + self._others()
        if self.state == "planned":
            return str(_("签约期未开始（%(d)s 开始）")) % {"d": _d(self.starts_on)} + self._others()
        if self.done_on is None:
            return str(_("近四周无签约，按此进度无法完成")) + self._others()
        span = ""
        if self.earliest and self.latest and self.earliest != self.latest:
            span = str(_("（%(a)s 至 %(b)s）")) % {"a": _d(self.earliest), "b": _d(self.latest)}
        elif self.earliest and not self.latest:
            span = str(_("（最早 %(a)s）")) % {"a": _d(self.earliest)}
        return str(_("按此进度，预计 %(d)s 完成")) % {"d": _d(self.done_on)} + span + self._others()

    def _others(self) -> str:
        """Households outside the forecast, said after it (另 N 户期满未达标、M 户未启动)."""
        parts = []
        if self.lapsed and self.state != "lapsed":
            parts.append(str(_("%(n)d 户所在项目期满未达标")) % {"n": self.lapsed})
        if self.not_started and self.state != "not_started":
            parts.append(str(_("%(n)d 户所在项目未启动")) % {"n": self.not_started})
        return "；另 " + "、".join(parts) if parts else ""


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _after(today: dt.date, remaining: int, per_week: Decimal) -> dt.date | None:
    if per_week <= 0:
        return None
    days = math.ceil(Decimal(remaining) * 7 / per_week)
    if days > 36500:  # a century away: say "cannot", not a date
        return None
    return today + dt.timedelta(days=days)


def _state(windows: list[ProjectWindow], remaining: int) -> str:
    counted = [w for w in windows if w.state in COUNTED]
    if counted:
        if remaining == 0:
            return "finished"
        return "forecast" if any(w.state == "open" for w in counted) else "planned"
    states = {w.state for w in windows}
    if "lapsed" in states:
        return "lapsed"
    if "closed" in states:
        return "closed"
    return "not_started"


def project_windows(unit_id: int, rows: list[UnitSummary], *, today: dt.date) -> list[ProjectWindow]:
    """``signing_windows`` of one unit from project rows already read (``project_rows``): no query."""
    return [ProjectWindow(project_id=row.unit_id, unit_id=unit_id, unsigned=row.unsigned,
                          signing_start=row.extra["project"].signing_start, signing_end=row.extra["project"].signing_end,
                          state=_window_state(row.extra["project"].signing_start, row.extra["project"].signing_end,
                                              today=today, reached=row.extra["signing"].reached))
            for row in rows]


def forecasts(level: int, summaries: list[UnitSummary], *, deadlines: dict[int, dt.date | None] | None = None,
              today: dt.date | None = None,
              windows: dict[int, list[ProjectWindow]] | None = None) -> dict[int, Forecast]:
    """A forecast for each unit from the signings of its countable projects in the last four weeks.

    Two queries for all units: the projects with their figures (``signing_windows``, unless the
    caller passes ``windows`` it built from rows it holds) and their signings per day. The pace is the four weeks' average; the range comes from the slowest and the
    fastest week. The deadline compared with is a project's own signing end; for a village, street
    or the district it is the campaign target's deadline the caller passes in ``deadlines`` (none
    until the campaign's targets exist) — never the latest date found among the projects.
    """
    today = today or timezone.localdate()
    deadlines = deadlines or {}
    start = today - dt.timedelta(days=PACE_DAYS - 1)
    if windows is None:
        windows = signing_windows(level, [s.unit_id for s in summaries], today=today)
    owners: dict[int, list[int]] = defaultdict(list)  # counted project -> the units it counts in
    for unit, found in windows.items():
        for window in found:
            if window.state in COUNTED:
                owners[window.project_id].append(unit)
    weekly: dict[int, list[int]] = {s.unit_id: [0, 0, 0, 0] for s in summaries}
    if owners:
        rows = DailyRollup.objects.filter(level=Level.PROJECT, unit__in=list(owners), key="signed", day__gte=start,
                                          day__lte=today).values_list("unit", "day", "households")
        for project, day, households in rows:
            for unit in owners[project]:
                weekly[unit][min((day - start).days // 7, 3)] += households
    out = {}
    for summary in summaries:
        found = windows[summary.unit_id]
        counted = [w for w in found if w.state in COUNTED]
        remaining = sum(w.unsigned for w in counted)
        state = _state(found, remaining)
        weeks = weekly[summary.unit_id]
        per_week = Decimal(sum(weeks)) / 4
        done = state == "finished"
        done_on = today if done else (_after(today, remaining, per_week) if counted else None)
        earliest = today if done else (_after(today, remaining, Decimal(max(weeks))) if counted else None)
        latest = today if done else (_after(today, remaining, Decimal(min(weeks))) if counted else None)
        if level == Level.PROJECT:
            deadline = counted[0].signing_end if counted else None
        else:
            deadline = deadlines.get(summary.unit_id)
        will_meet = None
        if deadline is not None and counted:
            will_meet = done or (done_on is not None and done_on <= deadline)
        starts = [w.signing_start for w in counted if w.state == "planned"]
        out[summary.unit_id] = Forecast(
            remaining=remaining, pace_per_week=per_week.quantize(Decimal("0.1")), weekly=weeks, done_on=done_on,
            earliest=earliest, latest=latest, deadline=deadline, will_meet=will_meet, state=state,
            lapsed=sum(w.unsigned for w in found if w.state == "lapsed"),
            not_started=sum(w.unsigned for w in found if w.state == "not_started"),
            starts_on=min(starts) if starts else None,
            deadline_state=judge_deadline(deadline=deadline, will_meet=will_meet, today=today))
    return out
