"""The demo district's organisation and villages: 云溪区, its streets, communities, departments,
urban villages (城中村) and their renovation projects (改造项目).

Org units go through ``org.services.orgunit_create`` (a few dozen rows, each audited), and the
streets' and district's boundaries, drawn around the villages, through ``orgunit_set_boundary``; villages
and projects are bulk-inserted with primary keys chosen here, so households can point at them
without reading anything back. The projects' decision and signing dates are set by
``gaizao.demo.schedule.schedule_projects`` relative to the load's "today".
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from gaizao.core.actors import SYSTEM
from gaizao.demo import geo
from gaizao.demo.names import NamePicker
from gaizao.demo.schedule import schedule_projects
from gaizao.ledger.choices import LandType, RenovationMode
from gaizao.ledger.models import Project, Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit
from gaizao.org.services import orgunit_create, orgunit_set_boundary

DISTRICT_CODE = "440199"
OFFICE_CODE = f"{DISTRICT_CODE}-BGS"
# The day people's birth dates, build years and certificates are anchored to (never today, so
# that the ledger is the same whenever it is loaded). Campaign dates follow the load's "today".
ANCHOR = dt.date(2026, 1, 1)

# Street name, its communities (社区), its villages (城中村).
STREETS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("云溪街道", ("云溪社区", "溪头社区", "新市社区"), ("石岗村", "溪头村", "上涌村", "下涌村")),
    ("凤岭街道", ("凤岭社区", "岭南社区"), ("凤凰村", "鹤岭村", "马岭村", "南坑村")),
    ("沙河街道", ("沙河社区", "白沙社区", "河东社区", "河西社区"), ("沙溪村", "白沙村", "潭村", "蚬岗村")),
    ("金沙街道", ("金沙社区", "沙洲社区", "官洲社区"), ("金沙洲村", "官洲村", "大坦村", "塘尾村")),
    ("白鹤街道", ("白鹤社区", "鹤洞社区"), ("鹤洞村", "水口村", "榕树头村", "横沥村")),
    ("棠溪街道", ("棠溪社区", "棠下社区", "石溪社区"), ("棠下村", "石溪村", "冼家村", "谭边村")),
    ("龙湖街道", ("龙湖社区", "龙田社区", "新围社区", "湖滨社区"), ("龙田村", "新围村", "大塘村")),
    ("石门街道", ("石门社区", "松岗社区"), ("松岗村", "罗冲围村", "南岸村")),
)

# Code suffix (unit code 440199-ZRZY; demo username dept_zrzy) and name.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("ZRZY", "自然资源和规划局"),
    ("ZJJ", "住房和城乡建设局"),
    ("CZJ", "财政局"),
    ("JYJ", "教育局"),
    ("WJJ", "卫生健康局"),
    ("WGLTJ", "文化广电旅游体育局"),
    ("CGJ", "城市管理和综合执法局"),
    ("XFJ", "信访局"),
)

ROADS = ("云溪大道", "凤岭路", "沙河涌", "金沙西路", "白鹤大道", "棠溪路", "龙湖大道", "石门路",
         "环城高速", "溪头涌", "新市路", "岭南大道", "江滨路", "官洲河", "广园快速路", "鹤洞路",
         "北环路", "工业大道", "学府路", "科韵路")

_MODES = ((RenovationMode.DEMOLISH_REBUILD, 40), (RenovationMode.UPGRADE, 35), (RenovationMode.MIXED, 25))
_MODE_PLANS = {
    RenovationMode.DEMOLISH_REBUILD: "拟整体拆除重建，同步建设复建安置房及配套学校、社区卫生服务站。",
    RenovationMode.UPGRADE: "以消防通道打通、管网改造、立面整治和公共空间提升为主，保留现有建筑。",
    RenovationMode.MIXED: "核心区拆除新建，外围整治提升，历史风貌区原址保护。",
}


@dataclass
class ProjectPlan:
    """A project (one phase of a village), how many households it gets, and its campaign: the
    dates and the pace of signing that ``gaizao.demo.schedule`` draws."""

    pk: int
    code: str
    households: int
    phase: int = 1
    threshold: Decimal = Decimal("90.00")
    status: str = ""  # schedule.FINISHED, LAPSED, RUNNING, UPCOMING or PLANNED
    decision_date: dt.date | None = None
    signing_start: dt.date | None = None
    signing_end: dt.date | None = None
    midpoint: float = 0.5  # where in the signing period (0..1) signing is fastest
    spread: float = 0.1  # how wide the rush is, as a share of the period
    holdouts: float = 0.05  # share of households that do not sign in the period


@dataclass
class VillagePlan:
    """What the household generator needs to know about a village."""

    pk: int
    code: str
    name: str
    street: OrgUnit
    community: OrgUnit
    households: int
    clans: list[str]
    projects: list[ProjectPlan] = field(default_factory=list)
    population: int = 0
    mode: str = RenovationMode.DEMOLISH_REBUILD
    batch: int = 1
    pace: float = 0.0  # < 0: the village signs ahead of its period, > 0: behind
    cleared: bool = False  # every household vacated and demolished (the village is done, 完成)


@dataclass
class OrgTree:
    """The demo's org units, as the rest of the load needs them."""

    district: OrgUnit
    office: OrgUnit
    streets: list[OrgUnit]
    communities: dict[int, list[OrgUnit]]  # street pk -> its communities
    departments: list[tuple[str, OrgUnit]]  # (username suffix, unit)
    created: int = 0


class _UnitMaker:
    """Returns the org unit with a code: the existing one (``--force`` on a database that has
    an org tree already) or a new one made through the org service."""

    def __init__(self):
        self.created = 0

    def __call__(self, *, code: str, name: str, kind: str, parent: OrgUnit | None, sort_order: int) -> OrgUnit:
        existing = OrgUnit.objects.filter(code=code).first()
        if existing is not None:
            return existing
        self.created += 1
        return orgunit_create(actor=SYSTEM, code=code, name=name, kind=kind, parent=parent, sort_order=sort_order)


def create_org_tree() -> OrgTree:
    """The district, the leading-group office, streets with communities, departments."""
    unit = _UnitMaker()
    district = unit(code=DISTRICT_CODE, name=settings.DISTRICT_NAME, kind=OrgKind.DISTRICT, parent=None,
                     sort_order=0)
    office = unit(code=OFFICE_CODE, name="领导小组办公室", kind=OrgKind.OFFICE, parent=district,
                   sort_order=1)
    streets, communities = [], {}
    for s, (street_name, community_names, _villages) in enumerate(STREETS, start=1):
        street_code = f"{DISTRICT_CODE}{s:03d}"
        street = unit(code=street_code, name=street_name, kind=OrgKind.STREET, parent=district,
                       sort_order=10 + s)
        streets.append(street)
        communities[street.pk] = [
            unit(code=f"{street_code}{c:03d}", name=community_name, kind=OrgKind.COMMUNITY, parent=street,
                  sort_order=c)
            for c, community_name in enumerate(community_names, start=1)
        ]
    departments = [
        (suffix.lower(), unit(code=f"{DISTRICT_CODE}-{suffix}", name=name, kind=OrgKind.DEPARTMENT,
                               parent=district, sort_order=100 + d))
        for d, (suffix, name) in enumerate(DEPARTMENTS, start=1)
    ]
    return OrgTree(district, office, streets, communities, departments, created=unit.created)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), summing exactly to it."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _notes(*, rng: random.Random, name: str, mode: str, clans: list[str], migrants: int) -> str:
    """The village's present state (现状说明): buildings, renters, heritage, the plan."""
    low, high = rng.randint(2, 3), rng.randint(5, 7)
    parts = [f"{name}现状以{low}至{high}层村民自建房为主"]
    parts.append(rng.choice(("，建筑密度高，“握手楼”“贴面楼”较多", "，巷道狭窄，消防车无法通行",
                             "，排水管网老化，雨季易内涝", "，电力、通信线路私拉乱接，安全隐患突出")))
    parts.append(f"；出租屋较多，常住外来人口约{migrants:,}人。")
    heritage = []
    if rng.random() < 0.6:
        heritage.append(f"{clans[0]}氏宗祠一座（拟保留修缮）")
    if rng.random() < 0.5:
        heritage.append(f"古榕树{rng.randint(1, 6)}株（挂牌保护）")
    if rng.random() < 0.25:
        heritage.append(f"清末民初民居{rng.randint(2, 9)}处（历史建筑，原址保护）")
    if heritage:
        parts.append("村内有" + "、".join(heritage) + "。")
    parts.append(_MODE_PLANS[mode])
    return "".join(parts)


def create_villages(*, rng: random.Random, names: NamePicker, tree: OrgTree, households: int,
                    first_village_pk: int, first_project_pk: int, today: dt.date,
                    timeline_rng: random.Random) -> list[VillagePlan]:
    """Plan and insert the villages and projects; households are spread over them by size.

    Batches are years counted from ``today``: batch 1 started last year, batch 2 this year,
    batch 3 is planned for next year. ``timeline_rng`` draws the projects' dates and pace.
    """
    catalogue = [(street, villages) for street, (_n, _c, villages) in zip(tree.streets, STREETS)]
    count = sum(len(villages) for _street, villages in catalogue)
    # Sizes vary a lot: log-uniform between 150 and 2,000, the households of each village when
    # the district has about 20,000; they scale with ``households``.
    nominal = [150 * (2000 / 150) ** rng.random() for _ in range(count)]
    allotted = _allocate(households, nominal)
    plans: list[VillagePlan] = []
    village_rows: list[Village] = []
    project_rows: list[Project] = []
    street_shapes: list[tuple[OrgUnit, dict]] = []
    cells = geo.street_cells(len(catalogue))
    index = 0
    for (street, village_names), street_cell in zip(catalogue, cells):
        first_row = len(village_rows)
        for village_name, cell in zip(village_names, street_cell.split(len(village_names))):
            size, allot = nominal[index], allotted[index]
            index += 1
            code = f"V{index:02d}"
            mode = rng.choices([m for m, _w in _MODES], weights=[w for _m, w in _MODES])[0]
            if size > 1200 and mode == RenovationMode.UPGRADE and rng.random() < 0.5:
                mode = RenovationMode.DEMOLISH_REBUILD
            batch = rng.choices((1, 2, 3), weights=(40, 35, 25))[0]
            boundary = geo.village_polygon(rng=rng, cell=cell, area_m2=size * rng.uniform(260, 420))
            land_area = Decimal(round(geo.polygon_area_m2(boundary["coordinates"][0]) * 100)).scaleb(-2)
            clans = names.clan_surnames(rng.randint(1, 3))
            community = rng.choice(tree.communities[street.pk])
            plan = VillagePlan(pk=first_village_pk + index - 1, code=code, name=village_name, street=street,
                               community=community, households=allot, clans=clans, mode=mode, batch=batch)
            village_rows.append(Village(
                id=plan.pk, code=code, name=village_name, street=street, community=community, mode=mode,
                batch=batch, year=today.year - 2 + batch, land_area=land_area, boundary=boundary,
                notes=_notes(rng=rng, name=village_name, mode=mode, clans=clans,
                             migrants=max(10, int(round(allot * rng.uniform(8, 20), -1)))),
            ))
            # Big villages go in two phases (分期); drawn whatever ``households`` is, so that the
            # district looks the same at 300 or 1,000,000 households.
            two_phases = size > 1100 or rng.random() < 0.25
            phases = 2 if two_phases and allot >= 2 else 1
            first_share = rng.uniform(0.5, 0.7)
            split = [allot] if phases == 1 else [round(allot * first_share), allot - round(allot * first_share)]
            threshold = Decimal("90.00") if rng.random() < 0.6 else Decimal("80.00")
            for phase, phase_households in enumerate(split, start=1):
                project_code = f"P{index:02d}{phase:02d}"
                roads = rng.sample(ROADS, 4)
                suffix = "" if phases == 1 else ("（一期）" if phase == 1 else "（二期）")
                project = ProjectPlan(pk=first_project_pk + len(project_rows), code=project_code,
                                      households=phase_households, phase=phase, threshold=threshold)
                plan.projects.append(project)
                project_rows.append(Project(
                    id=project.pk, code=project_code, village_id=plan.pk, phase=phase,
                    name=f"{village_name}城中村改造项目{suffix}",
                    scope=f"东至{roads[0]}，南至{roads[1]}，西至{roads[2]}，北至{roads[3]}。",
                    signing_threshold=threshold,
                    # every third village's land is still collective (集体土地): its holdouts get a
                    # 责令交出土地决定; the others were taken into state ownership (国有土地: 补偿决定)
                    land_type=LandType.COLLECTIVE if index % 3 == 0 else LandType.STATE,
                ))
            plans.append(plan)
        street_shapes.append((street, geo.street_polygon([v.boundary for v in village_rows[first_row:]],
                                                         cell=street_cell)))
    schedule_projects(villages=plans, rng=timeline_rng, today=today)
    dated = {p.pk: p for plan in plans for p in plan.projects}
    for row in project_rows:
        project = dated[row.id]
        row.decision_date, row.signing_start, row.signing_end = (
            project.decision_date, project.signing_start, project.signing_end)
    Village.objects.bulk_create(village_rows)
    Project.objects.bulk_create(project_rows)
    draw_units(tree, street_shapes)
    return plans


def draw_units(tree: OrgTree, street_shapes: list[tuple[OrgUnit, dict]]) -> None:
    """Each street's boundary around its villages and the district's outline around the streets,
    set through the org service (audited, as a district's own would be)."""
    for street, shape in street_shapes:
        orgunit_set_boundary(actor=SYSTEM, unit=street, boundary=shape)
    orgunit_set_boundary(actor=SYSTEM, unit=tree.district,
                         boundary=geo.district_polygon([shape for _street, shape in street_shapes]))
