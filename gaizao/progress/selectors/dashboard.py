"""The command dashboard (作战图), the village progress card and the public signing board (签约公示大屏).

Everything here is assembled from the rollup selectors in ``summary`` (never a scan of the
household table) plus small reads: the hard-case counts (``hardcases.hardcase_counts``, one
grouped query over the open cases), the map's outlines of the district and streets (one query,
``map_outlines``) and, for the board, a project's latest signings
(``StageEvent`` by its (project, kind, on_date) index, 30 rows), and the targets of the running campaign
that an app above registered (``extensions.targets_for``: a fixed number of queries per call, none of them
here when nothing is registered). Each function runs a fixed number of queries whatever the number of
households, villages or events; the tests pin them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.errors import NotFound
from gaizao.core.masking import mask_name
from gaizao.ledger.models import Project, Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnitBoundary
from gaizao.progress import signing
from gaizao.progress.choices import EventKind, Level
from gaizao.progress.extensions import UnitTargets, deadlines, targets_for
from gaizao.progress.models import StageEvent
from gaizao.progress.policies import dashboard_grant
from gaizao.progress.selectors.hardcases import hardcase_counts
from gaizao.progress.selectors.summary import (
    Area, Forecast, SigningStatus, UnitSummary, area_summary, cumulative_curves, dashboard_area, forecasts, percent,
    project_rows, project_summaries, project_windows, signing_status, street_summaries, unit_summaries,
    village_summaries, wan,
)

# Projects the dashboard lists: those being signed and those whose period ended below the threshold.
LISTED_SIGNING = ("open", "reached", "due", "effective", "lapsed", "ended")
BOARD_ROWS = 30
MAP_NAME = "gaizao-villages"
# The map's colours for a signed rate (签约率), the legend's bands: below 20 %, 20–40 %, … (the last
# band includes 100 %). Villages without households in scope are grey.
RATE_BANDS = [(0, 20, "#d63939"), (20, 40, "#f76707"), (40, 60, "#f59f00"), (60, 80, "#74b816"), (80, 100, "#2fb344")]
NO_RATE_COLOR = "#adb5bd"


def _num(value: Decimal | None) -> float | None:
    """A rate for the charts' JSON (display only; the page's tables show the Decimal)."""
    return None if value is None else float(value)


# ---------------------------------------------------------------- hard cases

def area_hardcase_counts(user, area: Area, *, today: dt.date | None = None) -> dict[str, int]:
    """Open hard cases (攻坚户) in the area and those overdue for a visit (the hard-case app's rule)."""
    counts = hardcase_counts(user, street=None if area.is_district else area.unit, today=today)
    return {"open": counts.open, "overdue": counts.overdue}


# ---------------------------------------------------------------- the dashboard

@dataclass
class Kpi:
    """One KPI card: done out of a whole, with its rate."""

    key: str
    label: str
    done: int | Decimal
    whole: int | Decimal
    rate: Decimal | None
    unit: str
    note: str = ""


@dataclass
class Outline:
    """A district's or street's boundary on the map (区界, 街道范围), with the street's figures."""

    kind: str  # "district" or "street"
    code: str
    name: str
    geometry: dict
    url: str = ""  # where clicking it goes (a street's dashboard; "" for the area being shown)
    summary: UnitSummary | None = None

    @property
    def key(self) -> str:
        """Its feature's name on the map: kind and code, so that it never equals a village's code."""
        return f"{self.kind}:{self.code}"


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one area (the district or a street)."""

    area: Area
    summary: UnitSummary
    forecast: Forecast
    units: list[UnitSummary]  # streets (district view) or villages (street view), by signed rate
    unit_level: int
    villages: list[UnitSummary]
    projects: list[UnitSummary]  # being signed or lapsed, lapsed first
    lapsed: int
    curves: dict
    hardcases: dict[str, int]
    today: dt.date
    kpis: list[Kpi] = field(default_factory=list)
    outlines: list[Outline] = field(default_factory=list)  # the district's outline, then the streets'
    targets: UnitTargets | None = None  # the area's goals (district) or targets (street) in the running campaign

    @property
    def unit_targets(self) -> bool:
        """Whether the units' table has the targets column (streets with targets in the district's view)."""
        return any(u.extra.get("targets") for u in self.units)

    @property
    def unmapped(self) -> list[UnitSummary]:
        """Villages with no boundary yet (未绘制边界): listed under the map."""
        return [v for v in self.villages if not v.extra.get("boundary")]

    @property
    def has_map(self) -> bool:
        return bool(self.outlines) or any(v.extra.get("boundary") for v in self.villages)

    @property
    def rate_bands(self) -> list[dict]:
        """The map's legend: each band of the signed rate with its colour."""
        last = len(RATE_BANDS) - 1
        bands = []
        for i, (low, high, color) in enumerate(RATE_BANDS):
            if i == 0:
                label = _("低于 %(high)s%%") % {"high": high}
            elif i == last:
                label = _("%(low)s%% 及以上") % {"low": low}
            else:
                label = _("%(low)s%%–%(high)s%%") % {"low": low, "high": high}
            bands.append({"min": low, "max": high, "color": color, "label": label})
        return bands

    @property
    def decision(self) -> int:
        return self.summary.count("decision")

    def chart_data(self, *, geometry: bool = True) -> dict:
        """What the page's charts need, as JSON (``json_script`` and ``progress:dashboard_data``)."""
        unit_rows = []
        for unit in self.units:
            forecast = unit.extra.get("forecast")
            unit_rows.append({
                "code": unit.code, "name": unit.name, "url": unit.extra["url"],
                "households": unit.households, "signed": unit.count("signed"), "vacated": unit.count("vacated"),
                "signed_rate": _num(unit.signed_rate), "vacated_rate": _num(unit.vacated_rate),
                "forecast": forecast.text if forecast else "",
                "light": unit.extra["targets"].light if unit.extra.get("targets") else None,
            })
        villages = [{
            "code": v.code, "name": v.name, "street": v.extra["street_name"], "url": v.extra["url"],
            "households": v.households, "signed": v.count("signed"), "vacated": v.count("vacated"),
            "signed_rate": _num(v.signed_rate), "vacated_rate": _num(v.vacated_rate),
            "mapped": bool(v.extra.get("boundary")),
        } for v in self.villages]
        areas = [{
            "key": o.key, "kind": o.kind, "code": o.code, "name": o.name, "url": o.url,
            "households": o.summary.households if o.summary else None,
            "signed": o.summary.count("signed") if o.summary else None,
            "signed_rate": _num(o.summary.signed_rate) if o.summary else None,
            "vacated_rate": _num(o.summary.vacated_rate) if o.summary else None,
        } for o in self.outlines]
        data = {
            "level": "district" if self.area.is_district else "street",
            "area": {"code": self.area.unit.code, "name": self.area.unit.name},
            "today": self.today.isoformat(),
            "kpis": {k.key: {"done": str(k.done), "whole": str(k.whole), "rate": _num(k.rate)} for k in self.kpis},
            "targets": self.targets.as_dict() if self.targets else None,
            "households": self.summary.households,
            "curves": self.curves,
            "curve_labels": {"signed": _("签约"), "vacated": _("腾空交房"), "demolished": _("拆除")},
            "units": unit_rows,
            "funnel": [{"key": row["key"], "label": row["label"], "households": row["households"],
                        "rate": _num(row["rate"])} for row in self.summary.stages()],
            "map": {"name": MAP_NAME, "villages": villages, "areas": areas, "bands": self.rate_bands,
                    "no_rate_color": NO_RATE_COLOR, "tiles": settings.MAP_TILES},
            "labels": {"unit": _("户"), "scope": _("改造范围内"), "households": _("住户"), "signed_rate": _("签约率"),
                       "vacated_rate": _("腾空率"), "refreshed": _("图表更新于"), "drill": _("点击查看该街道"),
                       "open_village": _("点击查看该村")},
        }
        if geometry:
            data["map"]["geojson"] = feature_collection(self.villages, outlines=self.outlines)
        return data


def feature_collection(villages: list[UnitSummary], *, outlines: list[Outline] = ()) -> dict:
    """The boundaries as a GeoJSON FeatureCollection for ``echarts.registerMap``: the district's
    outline and the streets' areas first (drawn underneath), then the villages.

    ``properties.name`` is the village code (unique), or ``street:CODE`` / ``district:CODE`` for an
    outline, which the chart's data rows refer to; ``properties.kind`` says which. Names are shown
    from the data rows.
    """
    return {"type": "FeatureCollection", "features": [
        *({"type": "Feature", "properties": {"name": o.key, "kind": o.kind}, "geometry": o.geometry}
          for o in outlines),
        *({"type": "Feature", "properties": {"name": v.code, "kind": "village"}, "geometry": v.extra["boundary"]}
          for v in villages if v.extra.get("boundary")),
    ]}


def map_outlines(area: Area, streets: list[UnitSummary]) -> list[Outline]:
    """The district's outline and the streets' areas that have a boundary, in one query (the
    boundaries live beside the units, ``org.OrgUnitBoundary``). In a street's view, that street's
    area only."""
    if area.is_district:
        shapes = OrgUnitBoundary.objects.filter(
            Q(unit=area.district) | Q(unit__kind=OrgKind.STREET, unit__path__startswith=area.district.path + "/"))
    else:
        shapes = OrgUnitBoundary.objects.filter(unit=area.unit)
    by_unit = dict(shapes.values_list("unit_id", "geometry"))
    out = []
    if area.is_district and area.district.pk in by_unit:
        out.append(Outline("district", area.district.code, area.district.name, by_unit[area.district.pk]))
    for street in streets:
        if street.unit_id in by_unit:
            out.append(Outline("street", street.code, street.name, by_unit[street.unit_id],
                               url=street.extra.get("url", ""), summary=street))
    return out


def _extend_to(curves: dict, today: dt.date) -> dict:
    """Carry the cumulative curves on to today, so that a quiet week shows as a flat line."""
    days = curves["days"]
    if days and days[-1] < today.isoformat():
        days.append(today.isoformat())
        for key, values in curves.items():
            if key != "days":
                values.append(values[-1])
    return curves


def _kpis(summary: UnitSummary, villages: list[UnitSummary]) -> list[Kpi]:
    done_villages = sum(1 for v in villages if v.complete)
    total_wan, demolished_wan = wan(summary.total_area), summary.demolished_area_wan
    return [
        Kpi("villages", _("城中村完成"), done_villages, len(villages), percent(done_villages, len(villages)), _("个"),
            _("全部住户已拆除")),
        Kpi("signed", _("签约户数"), summary.count("signed"), summary.households, summary.signed_rate, _("户")),
        Kpi("vacated", _("腾空交房"), summary.count("vacated"), summary.households, summary.vacated_rate, _("户")),
        Kpi("demolished_area", _("拆除面积"), demolished_wan, total_wan,
            percent(summary.area("demolished"), summary.total_area), _("万㎡")),
    ]


def dashboard(user, *, street_code: str | None = None, today: dt.date | None = None) -> Dashboard:
    """The dashboard of the user's area (the district, or one street); NotFound when out of scope."""
    today = today or timezone.localdate()
    area = dashboard_area(user, street_code=street_code)
    summary = area_summary(area)
    own_targets = targets_for(area.level, [area.unit.pk], today=today)
    # the forecasts compare with the date the campaign wants signing done (none without a campaign)
    area_forecast = forecasts(area.level, [summary], today=today, deadlines=deadlines(own_targets))[area.unit.pk]
    villages = village_summaries(area, with_boundary=True)
    for village in villages:
        village.extra["url"] = reverse("ledger:village_detail", args=[village.unit_id])
    if area.is_district:
        units, unit_level = street_summaries(area), Level.STREET
        base = reverse("progress:dashboard")
        for street in units:
            street.extra["url"] = f"{base}?street={street.code}"
    else:
        unit_level = Level.VILLAGE
        units = sorted(villages, key=lambda s: (-(s.signed_rate if s.signed_rate is not None else Decimal(-1)),
                                                s.code))
    unit_targets = targets_for(unit_level, [u.unit_id for u in units], today=today)  # streets only: {} for villages
    unit_forecasts = forecasts(unit_level, units, today=today, deadlines=deadlines(unit_targets))
    for unit in units:
        unit.extra["forecast"] = unit_forecasts[unit.unit_id]
        unit.extra["targets"] = unit_targets.get(unit.unit_id)
    projects = [p for p in project_summaries(area, today=today) if p.extra["signing"].code in LISTED_SIGNING]
    projects.sort(key=lambda p: (not p.extra["signing"].lapsed, p.code))
    return Dashboard(
        area=area, summary=summary, forecast=area_forecast, units=units, unit_level=unit_level,
        villages=villages, projects=projects, lapsed=sum(1 for p in projects if p.extra["signing"].lapsed),
        curves=_extend_to(cumulative_curves(area.level, area.unit.pk), today),
        hardcases=area_hardcase_counts(user, area, today=today), today=today, kpis=_kpis(summary, villages),
        outlines=map_outlines(area, units if area.is_district else [summary]),
        targets=own_targets.get(area.unit.pk),
    )


# ---------------------------------------------------------------- the home page

def home_progress(user) -> dict | None:
    """Rollup figures for the home page of those who see the dashboard (None for everyone else)."""
    if not dashboard_grant(user):
        return None  # decided from the roles already read: no query for the others
    try:
        area = dashboard_area(user)
    except NotFound:
        return None
    summary = area_summary(area)
    villages = village_summaries(area)
    projects = Project.objects.filter(village__street=area.unit) if not area.is_district else Project.objects.all()
    streets = street_summaries(area) if area.is_district else []
    base = reverse("progress:dashboard")
    for street in streets:
        street.extra["url"] = f"{base}?street={street.code}"
    return {
        "area": area, "summary": summary, "villages": len(villages),
        "villages_done": sum(1 for v in villages if v.complete), "projects": projects.count(),
        "total_area_wan": wan(summary.total_area), "streets": streets,
    }


# ---------------------------------------------------------------- the village progress card

@dataclass
class VillageProgress:
    summary: UnitSummary
    forecast: Forecast
    projects: list[UnitSummary]

    @property
    def lapsed(self) -> list[UnitSummary]:
        return [p for p in self.projects if p.extra["signing"].lapsed]


def village_progress(village: Village, *, projects: list[Project] | None = None,
                     today: dt.date | None = None) -> VillageProgress:
    """A village's figures, its projects' signing status and its forecast.

    4 queries, 3 when the caller already holds the village's ``projects``.
    """
    today = today or timezone.localdate()
    summary = unit_summaries(Level.VILLAGE, [village.pk])[village.pk]
    summary.code, summary.name = village.code, village.name
    if projects is None:
        projects = list(Project.objects.filter(village_id=village.pk).order_by("phase", "code"))
    rows = project_rows(projects, today=today)
    forecast = forecasts(Level.VILLAGE, [summary], today=today,
                         windows={village.pk: project_windows(village.pk, rows, today=today)})[village.pk]
    return VillageProgress(summary=summary, forecast=forecast, projects=rows)


# ---------------------------------------------------------------- the public signing board

@dataclass
class Signing:
    order: int  # 签约顺序号: 1 for the project's first effective signing
    number: str
    name: str  # masked (张*三)
    on_date: dt.date


@dataclass
class Board:
    project: Project
    summary: UnitSummary
    signing: SigningStatus
    signings: list[Signing]
    today: dt.date

    @property
    def signed(self) -> int:
        return self.summary.count("signed")

    @property
    def days_left(self) -> int | None:
        """Days until the signing period ends, today counted (None outside the period)."""
        p = self.project
        if p.signing_start and p.signing_end and p.signing_start <= self.today <= p.signing_end:
            return (p.signing_end - self.today).days + 1
        return None

    @property
    def days_to_start(self) -> int | None:
        p = self.project
        if p.signing_start and self.today < p.signing_start:
            return (p.signing_start - self.today).days
        return None

    @property
    def bar_percent(self) -> Decimal:
        return min(self.signing.rate or Decimal("0"), Decimal("100"))

    @property
    def to_threshold(self) -> int | None:
        """Households still needed to reach the threshold (0 when reached; None with nobody in scope)."""
        if not self.summary.households:
            return None
        needed = math.ceil(self.project.signing_threshold * self.summary.households / 100)
        return max(needed - self.signed, 0)


def board_project(code: str) -> Project:
    """The project shown on a board, by its code; NotFound for an unknown code."""
    project = Project.objects.select_related("village").filter(code=code).first()
    if project is None:
        raise NotFound(_("项目不存在。"))
    return project


def latest_signings(project: Project, *, total: int, limit: int = BOARD_ROWS) -> list[Signing]:
    """The project's latest effective signings, newest first, numbered in signing order.

    A signing that was corrected is replaced by its correction, and a voided one drops out: only
    events nobody corrected count, and the household must still be signed on that date.
    ``total`` is the project's signed households (from the rollup): the newest gets that number.
    """
    corrected = StageEvent.objects.filter(corrects=OuterRef("pk"))
    rows = (StageEvent.objects.filter(project=project, kind=EventKind.SIGNED)
            .filter(~Exists(corrected), household__signed_on=F("on_date"))
            .order_by("-on_date", "-id").values_list("on_date", "household__number", "household__head_name")[:limit])
    return [Signing(order=total - index, number=number, name=mask_name(name), on_date=on_date)
            for index, (on_date, number, name) in enumerate(rows)]


def signing_board(code: str, *, today: dt.date | None = None) -> Board:
    """What the on-site screen shows for a project (public: masked names, no ID, phone or address)."""
    today = today or timezone.localdate()
    project = board_project(code)
    summary = unit_summaries(Level.PROJECT, [project.pk])[project.pk]
    summary.code, summary.name = project.code, project.name
    result = signing.latest([project.pk]).get(project.pk)
    return Board(project=project, summary=summary, signing=signing_status(project, summary, today, result=result),
                 signings=latest_signings(project, total=summary.count("signed")), today=today)
