"""Targets meet the data (目标与进度): each street's targets, what is done from the rollups and tasks, the
share expected by now from the milestones (序时进度) and the light. Never typed: ``done`` is read.

A fixed number of queries whatever the number of streets, villages or households
(``tests/campaign/test_status.py`` pins it): the streets, the goals, the targets and their milestones,
the street rollups, the villages and their rollups and open tasks (for completed villages), the done
tasks (site readiness, public services), and the narrowed targets' own rollups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.choices import Light, Metric, TaskCategory, TaskStatus
from gaizao.campaign.completion import villages_completion
from gaizao.campaign.models import Campaign, Goal, Milestone, Target, Task
from gaizao.ledger.models import Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit
from gaizao.progress.choices import Level
from gaizao.progress.models import Rollup

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
UNITS = {Metric.DEMOLISHED_AREA: _("万㎡")}
TASK_METRICS = {Metric.SITE_READY: TaskCategory.SITE, Metric.PUBLIC_SERVICE: TaskCategory.PUBLIC_SERVICE}
ROLLUP_METRICS = {Metric.SIGNED: "signed", Metric.VACATED: "vacated", Metric.WORKS_ACCEPTED: "works_accepted"}


def unit_of(metric: str) -> str:
    return str(UNITS.get(metric, _("户") if metric in ROLLUP_METRICS else _("个") if metric == Metric.VILLAGES_COMPLETED
                         else _("项")))


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str | None:
    """A figure as people write it: 400, 12.5, 3.25 (no trailing zeros, never an exponent)."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def expected_rate(*, starts_on: dt.date, ends_on: dt.date, points: list[tuple[dt.date, Decimal]],
                  today: dt.date) -> Decimal:
    """The share (%) due by ``today``: straight lines from (start, 0) through each milestone, then to
    (end, 100) unless a milestone already asks for 100 %. Before the start 0, after the last point its rate."""
    line = [(starts_on, Decimal("0"))] + sorted(points)
    if line[-1][1] < HUNDRED and ends_on > line[-1][0]:
        line.append((ends_on, HUNDRED))
    if today <= line[0][0]:
        return Decimal("0.00")
    for (d0, r0), (d1, r1) in zip(line, line[1:]):
        if today <= d1:
            span = (d1 - d0).days
            return q2(r1 if span <= 0 else r0 + (r1 - r0) * Decimal((today - d0).days) / Decimal(span))
    return q2(line[-1][1])


def light_for(*, rate: Decimal | None, expected: Decimal, yellow: Decimal, red: Decimal, started: bool) -> str:
    """Green on or ahead (or behind by less than ``yellow`` points), yellow up to ``red`` points behind, red beyond."""
    if not started or rate is None:
        return Light.NONE.value
    behind = expected - rate
    if behind > red:
        return Light.RED.value
    if behind >= yellow:
        return Light.YELLOW.value
    return Light.GREEN.value


LIGHT_ORDER = {Light.RED.value: 3, Light.YELLOW.value: 2, Light.GREEN.value: 1, Light.NONE.value: 0}


@dataclass
class TargetStatus:
    key: str
    label: str
    unit: str
    target: Decimal
    done: Decimal
    rate: Decimal | None
    expected_rate: Decimal
    light: str
    milestone: dict | None  # the next milestone (or the last passed): {"due_on", "rate", "amount"}
    scope: str = ""  # "" for the street; the village's or project's name when narrowed
    target_id: int | None = None

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def behind(self) -> Decimal | None:
        return None if self.rate is None else q2(self.expected_rate - self.rate)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit, "scope": self.scope,
                "target": fmt(self.target), "done": fmt(self.done),
                "rate": None if self.rate is None else str(self.rate), "expected_rate": str(self.expected_rate),
                "light": self.light, "milestone": self.milestone}


@dataclass
class StreetStatus:
    street_id: int
    code: str
    name: str
    targets: list[TargetStatus] = field(default_factory=list)

    @property
    def light(self) -> str:
        lights = [t.light for t in self.targets]
        return max(lights, key=LIGHT_ORDER.__getitem__) if lights else Light.NONE.value

    def as_dict(self) -> dict:
        return {"street": self.code, "name": self.name, "light": self.light,
                "targets": [t.as_dict() for t in self.targets]}


@dataclass
class GoalStatus:
    """The district's goal for a metric against the sum of the street targets (目标分解差额) and what is done."""

    key: str
    label: str
    unit: str
    goal: Decimal | None
    assigned: Decimal
    done: Decimal
    rate: Decimal | None
    expected_rate: Decimal
    light: str

    @property
    def difference(self) -> Decimal | None:
        """Street targets minus the district goal: 0 when they add up (None without a goal)."""
        return None if self.goal is None else q2(self.assigned - self.goal)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit,
                "goal": fmt(self.goal), "assigned": fmt(self.assigned),
                "difference": fmt(self.difference), "done": fmt(self.done),
                "rate": None if self.rate is None else str(self.rate), "expected_rate": str(self.expected_rate),
                "light": self.light}


@dataclass
class CampaignStatus:
    campaign: Campaign
    today: dt.date
    goals: list[GoalStatus]
    streets: list[StreetStatus]


def _rate(done: Decimal, target: Decimal) -> Decimal | None:
    if target <= 0:
        return HUNDRED if target == 0 else None
    return q2(done * HUNDRED / target)


def _done_tables(campaign: Campaign, street_ids: list[int], targets: list[Target]):
    """(street figures, village figures, project figures): metric → done, from rollups and tasks."""
    metrics = {t.metric for t in targets}
    street: dict[int, dict[str, Decimal]] = defaultdict(dict)
    village: dict[int, dict[str, Decimal]] = defaultdict(dict)
    project: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rollup_keys = [ROLLUP_METRICS[m] for m in metrics if m in ROLLUP_METRICS]
    if Metric.DEMOLISHED_AREA in metrics:
        rollup_keys.append("demolished")
    village_ids = {t.village_id for t in targets if t.village_id and not t.project_id}
    project_ids = {t.project_id for t in targets if t.project_id}
    if rollup_keys:
        for level, ids, table in ((Level.STREET, street_ids, street), (Level.VILLAGE, village_ids, village),
                                  (Level.PROJECT, project_ids, project)):
            if not ids:
                continue
            for unit, key, households, area in Rollup.objects.filter(
                    level=level, unit__in=list(ids), key__in=rollup_keys).values_list(
                    "unit", "key", "households", "area_centi"):
                for metric, rkey in ROLLUP_METRICS.items():
                    if rkey == key:
                        table[unit][metric] = Decimal(households)
                if key == "demolished":
                    table[unit][Metric.DEMOLISHED_AREA] = q2(Decimal(area) / Decimal(1_000_000))  # centi-㎡ → 万㎡
    if Metric.VILLAGES_COMPLETED in metrics:
        villages = list(Village.objects.filter(street_id__in=street_ids).order_by().only("id", "mode", "street_id"))
        judged = villages_completion(campaign, villages)
        for v in villages:
            done = Decimal(1 if judged[v.pk].done else 0)
            street[v.street_id][Metric.VILLAGES_COMPLETED] = street[v.street_id].get(
                Metric.VILLAGES_COMPLETED, Decimal(0)) + done
            village[v.pk][Metric.VILLAGES_COMPLETED] = done
    categories = {TASK_METRICS[m]: m for m in metrics if m in TASK_METRICS}
    if categories:
        rows = (Task.objects.filter(campaign=campaign, category__in=list(categories), status=TaskStatus.DONE)
                .filter(Q(unit_id__in=street_ids) | Q(village__street_id__in=street_ids))
                .values("category", "unit_id", "village_id", "village__street_id").annotate(n=Count("id")).order_by())
        for row in rows:
            metric = categories[row["category"]]
            owner = row["village__street_id"] or row["unit_id"]
            street[owner][metric] = street[owner].get(metric, Decimal(0)) + row["n"]
            if row["village_id"]:
                village[row["village_id"]][metric] = village[row["village_id"]].get(metric, Decimal(0)) + row["n"]
    return street, village, project


def _milestone_points(milestones: list[Milestone]) -> tuple[dict, dict]:
    general: dict[str, list] = defaultdict(list)
    own: dict[int, list] = defaultdict(list)
    for m in milestones:
        (own[m.target_id] if m.target_id else general[m.metric]).append((m.due_on, m.rate))
    return general, own


def _next_milestone(points: list[tuple[dt.date, Decimal]], target: Decimal, today: dt.date) -> dict | None:
    if not points:
        return None
    points = sorted(points)
    upcoming = [p for p in points if p[0] >= today]
    due_on, rate = upcoming[0] if upcoming else points[-1]
    return {"due_on": due_on.isoformat(), "rate": fmt(rate), "amount": fmt(q2(target * rate / HUNDRED)),
            "passed": due_on < today}


def campaign_status(campaign: Campaign, *, streets=None, today: dt.date | None = None) -> list[StreetStatus]:
    """Each street's targets with done, rate, expected rate and light (the streets given, else all streets)."""
    return campaign_overview_status(campaign, streets=streets, today=today).streets


def campaign_overview_status(campaign: Campaign, *, streets=None, today: dt.date | None = None) -> CampaignStatus:
    """The district's goals and each street's targets, judged at ``today`` (fixed number of queries)."""
    today = today or timezone.localdate()
    if streets is None:
        streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))
    street_ids = [s.pk for s in streets]
    targets = list(Target.objects.filter(campaign=campaign, street_id__in=street_ids)
                   .select_related("village", "project").order_by("metric", "id"))
    milestones = list(Milestone.objects.filter(campaign=campaign))
    goals = {g.metric: g.target for g in Goal.objects.filter(campaign=campaign)}
    general, own = _milestone_points(milestones)
    street_done, village_done, project_done = _done_tables(campaign, street_ids, targets)
    started = today >= campaign.starts_on
    by_street: dict[int, StreetStatus] = {s.pk: StreetStatus(s.pk, s.code, s.name) for s in streets}
    order = {m: i for i, m in enumerate(Metric.values)}
    for t in sorted(targets, key=lambda t: (order[t.metric], t.village_id or 0, t.project_id or 0)):
        if t.project_id:
            done, scope = project_done[t.project_id].get(t.metric, Decimal(0)), t.project.name
        elif t.village_id:
            done, scope = village_done[t.village_id].get(t.metric, Decimal(0)), t.village.name
        else:
            done, scope = street_done[t.street_id].get(t.metric, Decimal(0)), ""
        points = own.get(t.pk) or general.get(t.metric, [])
        expected = expected_rate(starts_on=campaign.starts_on, ends_on=campaign.ends_on, points=points, today=today)
        rate = _rate(done, t.target)
        by_street[t.street_id].targets.append(TargetStatus(
            key=t.metric, label=str(Metric(t.metric).label), unit=unit_of(t.metric), target=t.target, done=done,
            rate=rate, expected_rate=expected,
            light=light_for(rate=rate, expected=expected, yellow=campaign.yellow_behind, red=campaign.red_behind,
                            started=started),
            milestone=_next_milestone(points, t.target, today), scope=scope, target_id=t.pk))
    goal_rows = []
    for metric in Metric.values:
        street_targets = [t for t in targets if t.metric == metric and not t.village_id and not t.project_id]
        if metric not in goals and not street_targets:
            continue
        assigned = sum((t.target for t in street_targets), Decimal(0))
        done = sum((street_done[s].get(metric, Decimal(0)) for s in street_ids), Decimal(0))
        whole = goals.get(metric, assigned)
        expected = expected_rate(starts_on=campaign.starts_on, ends_on=campaign.ends_on,
                                 points=general.get(metric, []), today=today)
        rate = _rate(done, whole)
        goal_rows.append(GoalStatus(
            key=metric, label=str(Metric(metric).label), unit=unit_of(metric), goal=goals.get(metric),
            assigned=assigned, done=done, rate=rate, expected_rate=expected,
            light=light_for(rate=rate, expected=expected, yellow=campaign.yellow_behind, red=campaign.red_behind,
                            started=started)))
    return CampaignStatus(campaign=campaign, today=today, goals=goal_rows, streets=list(by_street.values()))


def current_campaign(*, today: dt.date | None = None) -> Campaign | None:
    """The campaign running today (the latest started, not closed), else the latest one: one query."""
    from django.db.models import Case, IntegerField, Value, When

    from gaizao.campaign.choices import CampaignStatus as S

    today = today or timezone.localdate()
    running = Case(When(Q(starts_on__lte=today) & ~Q(status=S.CLOSED), then=Value(0)), default=Value(1),
                   output_field=IntegerField())
    return Campaign.objects.annotate(running=running).order_by("running", "-starts_on", "-id").first()


def done_by_street(campaign: Campaign, street_ids: list[int], metrics) -> dict[int, dict[str, Decimal]]:
    """What each street has done per metric, whether or not it has targets (the demo sets targets from it)."""
    probes = [Target(campaign=campaign, metric=m, street_id=pk, target=Decimal(1)) for m in metrics
              for pk in street_ids]
    street, _village, _project = _done_tables(campaign, list(street_ids), probes)
    return {pk: {m: street[pk].get(m, Decimal(0)) for m in metrics} for pk in street_ids}
