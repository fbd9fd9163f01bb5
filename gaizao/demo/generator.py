"""The demo district loader (演示数据): 云溪区 with its streets, ~30 urban villages, their projects,
households, members, buildings and an account for every role.

Deterministic for a seed and a "today": every random choice comes from ``random.Random`` streams
derived from the seed; people's dates are offsets from a fixed anchor (``district.ANCHOR``) and the
campaign's dates (decisions, signing periods, every stage event) from ``today``, the day of the
load unless the caller fixes it. Two loads with the same seed and today into empty databases hold
the same decrypted values and lookup hashes; only the ciphertexts (random IVs), password hashes
(random salts) and row timestamps differ.

The whole load is one transaction: either the district is there, or nothing is.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from gaizao.core import audit
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.core.services import versioned_update
from gaizao.demo.accounts import ROLE_PASSWORDS, AccountMaker, DemoLogin, DemoSecondFactor, password_hash
from gaizao.demo.campaign import demo_campaign
from gaizao.demo.campaign_reports import demo_reports
from gaizao.demo.campaign_tasks import demo_tasks
from gaizao.demo.compensation import demo_compensation
from gaizao.demo.oversight_assessment import demo_assessment
from gaizao.demo.oversight_bulletins import demo_bulletins
from gaizao.demo.oversight_inspections import demo_inspections
from gaizao.demo.oversight_orders import demo_orders
from gaizao.demo.casework import legal_paths
from gaizao.progress.signing import judge_due
from gaizao.demo.district import STREETS, create_org_tree, create_villages
from gaizao.demo.heritage import create_heritage
from gaizao.demo.households import LedgerWriter
from gaizao.demo.names import NamePicker
from gaizao.demo.progress import HistoryWriter, ProgressCounts
from gaizao.ledger.models import Building, Household, Person, Project, Village
from gaizao.org.models import OrgUnit
from gaizao.progress.models import HardCase, StageEvent, Visit

# Tables written with primary keys chosen here (their sequences are moved past them afterwards).
LEDGER_MODELS = (Village, Project, Household, Person, Building, StageEvent, HardCase, Visit)


@dataclass
class DemoResult:
    """What a load made, for the command to print."""

    seed: int
    counts: dict[str, int]
    logins: list[DemoLogin] = field(default_factory=list)
    second_factors: list[DemoSecondFactor] = field(default_factory=list)
    elapsed: float = 0.0
    today: dt.date | None = None
    progress: ProgressCounts = field(default_factory=ProgressCounts)


def database_has_data() -> bool:
    """True when the database has an org tree already (the demo loads into an empty one)."""
    return OrgUnit.objects.exists()


def _rng(seed: int, stream: str) -> random.Random:
    """An independent generator per part of the load, so that e.g. the number of households
    does not change the accounts' names. String seeds are hashed with SHA-512: stable everywhere."""
    return random.Random(f"gaizao-demo/{seed}/{stream}")


def _next_pk(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _refuse_loaded_demo() -> None:
    codes = [f"V{i:02d}" for i in range(1, sum(len(villages) for _s, _c, villages in STREETS) + 1)]
    taken = list(Village.objects.filter(code__in=codes).order_by("code").values_list("code", flat=True)[:3])
    if taken:
        raise AppError(
            f"演示数据已经载入过（城中村编码 {'、'.join(taken)} 已存在），不能重复载入。"
            "如需重新生成，请先删除数据库（如 var/gaizao.sqlite3）并执行 migrate，再运行 demo。"
        )


def _reset_sequences() -> None:
    """Explicit primary keys do not move PostgreSQL's sequences: set them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), LEDGER_MODELS)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def _sqlite_cache_for(households: int) -> Iterator[None]:
    """On SQLite, a page cache of about 1 KiB per household (64 MiB to 1 GiB) while loading.

    The household table carries a dozen indexes, several on random keyed hashes; once they outgrow
    the cache every insert touches disk pages (measured: 1,000,000 households load in 179 s instead
    of 202 s). The connection's own setting is restored afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        wanted = -min(1_048_576, max(65_536, households))  # negative: KiB
        if wanted < previous:
            cursor.execute(f"PRAGMA cache_size = {wanted}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def load_demo(*, households: int, seed: int, progress: Callable[[int], None] | None = None,
              today: dt.date | None = None) -> DemoResult:
    """Load the demo district with about ``households`` households, deterministically for ``seed``.

    ``today`` is the day the progress history runs up to (default: today in Asia/Shanghai); no
    event is later than it. Tests fix it to get the same data on any day.
    """
    if households < 0:
        raise AppError("住户数不能为负数。", fields={"households": "须 ≥ 0"})
    real_today = timezone.localdate()
    today = real_today if today is None else today
    if today > real_today:
        raise AppError(f"演示数据的基准日 {today:%Y-%m-%d} 晚于今天（{real_today:%Y-%m-%d}），进度记录不能晚于今天。",
                       fields={"today": "不能晚于今天"})
    started = time.perf_counter()
    for password in dict.fromkeys(ROLE_PASSWORDS.values()):
        password_hash(password)  # slow on purpose (Argon2): once per distinct password, before the lock
    with _sqlite_cache_for(households), transaction.atomic():
        _refuse_loaded_demo()
        tree = create_org_tree()
        district_rng = _rng(seed, "district")
        villages = create_villages(rng=district_rng, names=NamePicker(district_rng), tree=tree,
                                   households=households, first_village_pk=_next_pk(Village),
                                   first_project_pk=_next_pk(Project), today=today,
                                   timeline_rng=_rng(seed, "timeline"))
        accounts = AccountMaker(rng=_rng(seed, "accounts"), seed=seed)
        accounts.staff(tree=tree)
        cadre_ranges = accounts.cadres(tree=tree, villages=villages)
        progress_rng = _rng(seed, "progress")
        grid = NamePicker(progress_rng)
        history = HistoryWriter(
            rng=progress_rng, today=today, first_event_pk=_next_pk(StageEvent), first_case_pk=_next_pk(HardCase),
            street_staff=accounts.street_staff, street_cadres=accounts.street_cadres,
            grid_names=[grid.full(male=progress_rng.random() < 0.5, birth_year=progress_rng.randint(1975, 1998))
                        for _ in range(60)])
        writer = LedgerWriter(rng=_rng(seed, "ledger"), history=history, first_household_pk=_next_pk(Household),
                              first_person_pk=_next_pk(Person), first_building_pk=_next_pk(Building),
                              progress=progress)
        ledger = writer.write(villages=villages, cadre_ranges=cadre_ranges)
        history_counts = history.finish()
        _reset_sequences()
        heritage = create_heritage(rng=_rng(seed, "heritage"), villages=villages)
        Village.objects.bulk_update([Village(pk=v.pk, population=v.population) for v in villages], ["population"])
        home = next((v for v in villages if v.households), None)
        if home is not None:
            household = Household.objects.get(pk=writer.first_household_pk)
            resident = accounts.resident(full_name=household.head_name, unit=home.community)
            if household.resident_id is None and not hasattr(resident, "household"):
                versioned_update(actor=SYSTEM, instance=household, changes={"resident": resident},
                                 expected_version=None, action="household.link_resident")
        counts = {
            "streets": len(tree.streets),
            "communities": sum(len(units) for units in tree.communities.values()),
            "departments": len(tree.departments),
            "org_units_created": tree.created,
            "villages": len(villages),
            "projects": sum(len(v.projects) for v in villages),
            "households": ledger.households,
            "persons": ledger.persons,
            "buildings": ledger.buildings,
            "heritage": heritage,
            "users": accounts.created,
            "cadre_households": sum(stop - first for rs in cadre_ranges.values() for first, stop, _c in rs),
            "events": history_counts.events,
            "hard_cases": history_counts.hard_cases,
            "visits": history_counts.visits,
            "legal_cases": legal_paths(rng=_rng(seed, "legal"), today=today),
            # every signing period that ended is judged (签约期满判定), as the hourly sweep would
            "signing_results": judge_due(actor=SYSTEM, today=today),
        }
        # the campaign: targets and signed 责任书, its tasks, the streets' weekly reports and three meetings
        campaign = demo_campaign(rng=_rng(seed, "campaign"), today=today)
        counts["campaign_tasks"] = demo_tasks(campaign=campaign, today=today, rng=_rng(seed, "tasks"))
        demo_reports(campaign=campaign, today=today, rng=_rng(seed, "reports"))
        # oversight judges it: orders in every state and colour, two inspections, three published months of
        # the assessment with its proposals, and the bulletins of the last three weeks (read from all of them)
        counts["orders"] = demo_orders(campaign=campaign, today=today, rng=_rng(seed, "orders"))
        counts["findings"] = demo_inspections(campaign=campaign, today=today, rng=_rng(seed, "inspections"))
        counts["score_sheets"] = demo_assessment(campaign=campaign, today=today, rng=_rng(seed, "assessment"))
        counts["bulletins"] = demo_bulletins(campaign=campaign, today=today, rng=_rng(seed, "bulletins"))
        # compensation: two projects' schemes, valuations, calculations, 公示 with objections, change requests and
        # the agreements of the households that signed
        counts["compensation"] = demo_compensation(today=today, rng=_rng(seed, "compensation"))
        audit.record(actor=SYSTEM, actor_name="demo", action="demo.load", object_type="demo",
                     object_repr=f"演示数据（种子 {seed}）",
                     changes={"seed": seed, "today": today.isoformat(), "counts": counts})
    return DemoResult(seed=seed, counts=counts, logins=accounts.logins, second_factors=accounts.second_factors,
                      elapsed=time.perf_counter() - started, today=today, progress=history_counts)
