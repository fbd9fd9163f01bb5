"""The catalogue of sources (数据来源目录): where an indicator's value comes from.

Each source computes one figure for ALL the assessed units of a period at once, with a fixed number of
queries whatever the number of units or households (rollups and grouped counts; households are never
scanned): ``compute(campaign=, units=, starts_on=, ends_on=, params=) -> {unit_id: SourceValue}``.

``SourceValue.value`` is a Decimal, or None when the data is missing (数据缺失: no households in scope,
no task due in the period, no target …) — never 0 for "unknown". ``inputs`` are the figures used (shown
beside the score and offered to formulas by name), ``link`` the page listing the records behind it.

Signing, vacating and demolition are counted as they stood at the period's end (the daily rollups summed
up to it, by the events' dates), so a past month keeps its figures; the households in scope are today's.
Target completion goes through the campaign's status, judged at the period's end against today's figures.

A source says which kinds of unit it makes sense for (``kinds``); for the others every value is missing.
Appeals answered on time and satisfaction wait for the residents issue: listed, always missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import OrgKind
from gaizao.progress.choices import SCOPE as SCOPE_KEY

HUNDRED = Decimal("100")
STREET_ONLY = (OrgKind.STREET,)
BOTH = (OrgKind.STREET, OrgKind.DEPARTMENT)


@dataclass(frozen=True)
class SourceValue:
    value: Decimal | None
    inputs: dict = field(default_factory=dict)
    link: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    unit: str  # how the value reads: "%", "户", "万㎡"
    compute: Callable[..., dict]
    kinds: tuple = STREET_ONLY
    inputs: tuple[str, ...] = ()  # the names of its inputs (offered to formulas)
    params: tuple[tuple[str, str, tuple], ...] = ()  # (name, label, choices) of its own parameters
    available: bool = True
    note: str = ""

    def run(self, *, campaign, units, starts_on: dt.date, ends_on: dt.date, params: dict | None = None
            ) -> dict[int, SourceValue]:
        """Values for every unit: the source's own where it makes sense, missing elsewhere."""
        fitting = [u for u in units if u.kind in self.kinds]
        found = self.compute(campaign=campaign, units=fitting, starts_on=starts_on, ends_on=ends_on,
                             params=params or {}) if fitting and self.available else {}
        return {u.pk: found.get(u.pk, SourceValue(None)) for u in units}


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.key] = source
    return source


def get(key: str) -> Source | None:
    return SOURCES.get(key)


def choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.label}（{s.unit}）" + ("" if s.available else "（暂无数据）")) for s in SOURCES.values()]


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _url(name: str, args=None, **query) -> str:
    try:
        base = reverse(name, args=args)
    except NoReverseMatch:  # a page another area has not built yet
        return ""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


# --- rollups (签约、腾空、拆除) -------------------------------------------------------------------------

def _rollups(units, keys, *, on: dt.date) -> dict[int, dict[str, tuple[int, int]]]:
    """{street id: {key: (households, area_centi)}} as they stood at the end of ``on``: the households in
    scope from the street rollups (today's), the stages reached from the daily rollups summed up to ``on``
    (a signing dated after the period does not count in it): two queries."""
    from gaizao.progress.choices import Level
    from gaizao.progress.models import DailyRollup, Rollup

    ids = [u.pk for u in units]
    out: dict[int, dict] = {u.pk: {} for u in units}
    scope_keys = [k for k in keys if k == SCOPE_KEY]
    for unit, key, households, area in Rollup.objects.filter(
            level=Level.STREET, unit__in=ids, key__in=scope_keys).values_list("unit", "key", "households",
                                                                               "area_centi"):
        out[unit][key] = (households, area)
    stages = [k for k in keys if k != SCOPE_KEY]
    for row in (DailyRollup.objects.filter(level=Level.STREET, unit__in=ids, key__in=stages, day__lte=on)
                .order_by().values("unit", "key").annotate(h=Sum("households"), a=Sum("area_centi"))):
        out[row["unit"]][row["key"]] = (row["h"] or 0, row["a"] or 0)
    return out


def _signing_rate(*, campaign, units, starts_on, ends_on, params):
    from gaizao.progress.choices import SCOPE

    figures = _rollups(units, [SCOPE, "signed"], on=ends_on)
    out = {}
    for u in units:
        in_scope = figures[u.pk].get(SCOPE, (0, 0))[0]
        signed = figures[u.pk].get("signed", (0, 0))[0]
        out[u.pk] = SourceValue(percent(signed, in_scope), {"signed": signed, "in_scope": in_scope},
                                _url("progress:table", street=u.code))
    return out


def _vacated(*, campaign, units, starts_on, ends_on, params):
    from gaizao.progress.choices import SCOPE

    figures = _rollups(units, [SCOPE, "vacated"], on=ends_on)
    out = {}
    for u in units:
        in_scope = figures[u.pk].get(SCOPE, (0, 0))[0]
        vacated = figures[u.pk].get("vacated", (0, 0))[0]
        out[u.pk] = SourceValue(Decimal(vacated) if in_scope else None, {"vacated": vacated, "in_scope": in_scope},
                                _url("progress:table", street=u.code))
    return out


def _demolished_area(*, campaign, units, starts_on, ends_on, params):
    from gaizao.progress.choices import SCOPE

    figures = _rollups(units, [SCOPE, "demolished"], on=ends_on)
    out = {}
    for u in units:
        in_scope = figures[u.pk].get(SCOPE, (0, 0))[0]
        area = figures[u.pk].get("demolished", (0, 0))[1]
        wan = (Decimal(area) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # centi-㎡ → 万㎡
        out[u.pk] = SourceValue(wan if in_scope else None, {"demolished_area": wan, "in_scope": in_scope},
                                _url("progress:table", street=u.code))
    return out


# --- targets (目标完成率) -------------------------------------------------------------------------------

def _target_completion(*, campaign, units, starts_on, ends_on, params):
    """Done ÷ target (%) of the street's own target for ``metric`` (not a village's narrowed one), judged at
    the period's end; ``measure=due``: done ÷ the share due by then (序时进度), capped at nothing."""
    from gaizao.campaign.choices import Metric
    from gaizao.campaign.selectors.status import campaign_status

    metric = params.get("metric") or Metric.SIGNED
    measure = params.get("measure") or "rate"
    out = {}
    for street in campaign_status(campaign, streets=list(units), today=ends_on):
        found = next((t for t in street.targets if t.key == metric and not t.scope), None)
        if found is None or found.rate is None:
            continue
        inputs = {"done": found.done, "target": found.target, "rate": found.rate, "expected_rate": found.expected_rate}
        value = found.rate
        if measure == "due":
            value = percent(found.rate, found.expected_rate) if found.expected_rate else None
        out[street.street_id] = SourceValue(value, inputs, _url("campaign:overview", args=[campaign.pk]))
    return out


# --- tasks, orders, findings (按时完成) ---------------------------------------------------------------

def _tasks_on_time(*, campaign, units, starts_on, ends_on, params):
    """Tasks due in the period (deadline inside it, not cancelled): done on or before the deadline ÷ due."""
    from gaizao.campaign.choices import TaskStatus
    from gaizao.campaign.models import Task

    rows = (Task.objects.filter(campaign=campaign, unit_id__in=[u.pk for u in units], deadline__gte=starts_on,
                                deadline__lte=ends_on).exclude(status=TaskStatus.CANCELLED)
            .values("unit_id").annotate(due=Count("id"),
                                        on_time=Count("id", filter=Q(status=TaskStatus.DONE,
                                                                     done_on__lte=F("deadline"))),
                                        done=Count("id", filter=Q(status=TaskStatus.DONE))).order_by())
    out = {}
    for row in rows:
        out[row["unit_id"]] = SourceValue(
            percent(row["on_time"], row["due"]),
            {"due": row["due"], "on_time": row["on_time"], "late": row["done"] - row["on_time"],
             "open": row["due"] - row["done"]},
            _url("campaign:task_list", campaign=campaign.pk, unit=row["unit_id"]))
    return out


def _orders_on_time(*, campaign, units, starts_on, ends_on, params):
    """Supervision orders issued to the unit and due in the period: closed (销号) by the deadline ÷ due."""
    from gaizao.oversight.choices import OrderStatus
    from gaizao.oversight.models import SupervisionOrder

    rows = (SupervisionOrder.objects.filter(unit_id__in=[u.pk for u in units], deadline__gte=starts_on,
                                            deadline__lte=ends_on)
            .filter(Q(campaign=campaign) | Q(campaign__isnull=True))
            .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.REVIEW, OrderStatus.CANCELLED))
            .values("unit_id").annotate(due=Count("id"),
                                        on_time=Count("id", filter=Q(status=OrderStatus.CLOSED,
                                                                     closed_on__lte=F("deadline"))),
                                        closed=Count("id", filter=Q(status=OrderStatus.CLOSED))).order_by())
    out = {}
    for row in rows:
        out[row["unit_id"]] = SourceValue(
            percent(row["on_time"], row["due"]),
            {"due": row["due"], "on_time": row["on_time"], "late": row["closed"] - row["on_time"],
             "open": row["due"] - row["closed"]},
            _url("oversight:order_list", unit=row["unit_id"]))
    return out


def _findings_fixed(*, campaign, units, starts_on, ends_on, params):
    """Rectification items due in the period: verified (核验销号) with the fix submitted by the deadline ÷ due."""
    from gaizao.oversight.choices import FindingStatus
    from gaizao.oversight.models import Finding

    rows = (Finding.objects.filter(unit_id__in=[u.pk for u in units], deadline__gte=starts_on, deadline__lte=ends_on)
            .filter(Q(inspection__campaign=campaign) | Q(inspection__campaign__isnull=True))
            .values("unit_id", "status", "fixed_at", "deadline").order_by())
    from django.utils import timezone

    tally: dict[int, dict] = {}
    for row in rows:
        t = tally.setdefault(row["unit_id"], {"due": 0, "on_time": 0, "verified": 0})
        t["due"] += 1
        if row["status"] == FindingStatus.VERIFIED:
            t["verified"] += 1
            if row["fixed_at"] is not None and timezone.localdate(row["fixed_at"]) <= row["deadline"]:
                t["on_time"] += 1
    return {unit: SourceValue(percent(t["on_time"], t["due"]),
                              {"due": t["due"], "on_time": t["on_time"], "late": t["verified"] - t["on_time"],
                               "open": t["due"] - t["verified"]},
                              _url("oversight:finding_list", unit=unit)) for unit, t in tally.items()}


# --- reports (汇报) ----------------------------------------------------------------------------------

def _report_periods(campaign, starts_on, ends_on):
    from gaizao.campaign.services.reports import periods_until

    return [p for p in periods_until(campaign, ends_on) if starts_on <= p.end <= ends_on]


def _reports(measure: str):
    def compute(*, campaign, units, starts_on, ends_on, params):
        from gaizao.campaign.selectors.reports import report_figures

        periods = _report_periods(campaign, starts_on, ends_on)
        if not periods:
            return {}
        # every period ending inside the assessment period is due, whatever day it is computed on
        figures = report_figures(campaign, periods=periods, street_list=list(units),
                                 today=max(p.locks_after for p in periods) + dt.timedelta(days=1))
        out = {}
        for u in units:
            cells = [figures[u.pk, p.start] for p in periods]
            due = len(cells)
            submitted = sum(1 for c in cells if c["submitted"])
            on_time = sum(1 for c in cells if c["on_time"])
            accepted = sum(1 for c in cells if c["accepted"])
            value = percent(submitted if measure == "complete" else on_time, due)
            out[u.pk] = SourceValue(value, {"due": due, "submitted": submitted, "on_time": on_time,
                                            "accepted": accepted}, _url("campaign:reports", campaign=campaign.pk))
        return out

    return compute


def _not_yet(**kwargs):
    return {}


def register_defaults() -> None:
    from gaizao.campaign.choices import Metric

    metric_choices = tuple((m.value, str(m.label)) for m in Metric)
    measure_choices = (("rate", str(_("完成目标的比例"))), ("due", str(_("完成序时进度的比例"))))
    register(Source("signing_rate", _("签约率"), "%", _signing_rate, inputs=("signed", "in_scope"),
                    note=_("已签约户数 ÷ 拆除范围内户数（街道汇总）")))
    register(Source("vacated", _("腾空交房户数"), _("户"), _vacated, inputs=("vacated", "in_scope")))
    register(Source("demolished_area", _("拆除建筑面积"), _("万㎡"), _demolished_area,
                    inputs=("demolished_area", "in_scope")))
    register(Source("target_completion", _("目标完成率"), "%", _target_completion,
                    inputs=("done", "target", "rate", "expected_rate"),
                    params=(("metric", str(_("指标")), metric_choices), ("measure", str(_("口径")), measure_choices)),
                    note=_("街道目标的完成数 ÷ 目标值（期末判定）；口径“序时进度”时再除以应完成比例")))
    register(Source("tasks_on_time", _("交办任务按时办结率"), "%", _tasks_on_time, kinds=BOTH,
                    inputs=("due", "on_time", "late", "open"), note=_("本期到期任务中按期办结的比例")))
    register(Source("orders_on_time", _("督办事项按时销号率"), "%", _orders_on_time, kinds=BOTH,
                    inputs=("due", "on_time", "late", "open"), note=_("本期到期督办单中按期销号的比例")))
    register(Source("findings_fixed", _("督查问题按时整改率"), "%", _findings_fixed, kinds=BOTH,
                    inputs=("due", "on_time", "late", "open"), note=_("本期到期整改事项中按期整改并核验的比例")))
    register(Source("reports_complete", _("工作汇报完整率"), "%", _reports("complete"),
                    inputs=("due", "submitted", "on_time", "accepted"), note=_("本期各汇报周期已报的比例")))
    register(Source("reports_on_time", _("工作汇报及时率"), "%", _reports("on_time"),
                    inputs=("due", "submitted", "on_time", "accepted"), note=_("本期各汇报周期按时报送的比例")))
    register(Source("appeals_on_time", _("群众诉求按时答复率"), "%", _not_yet, kinds=BOTH, available=False,
                    note=_("待群众诉求功能上线后提供")))
    register(Source("satisfaction", _("群众满意度"), "%", _not_yet, kinds=BOTH, available=False,
                    note=_("待群众诉求功能上线后提供")))


register_defaults()
