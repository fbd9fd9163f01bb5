"""Benchmark: scoring an assessment period for all streets and departments against the campaign
overview, in the same run. Not a test.

    .venv/bin/python bench/bench_assessment.py [HOUSEHOLDS] [--tasks 10000] [--orders 5000] [--rounds 7]
                                               [--rebuild] [--json]

1. Builds once, and keeps, ``var/bench/assessment-<N>.sqlite3`` (default 1,000,000 households) the way
   ``bench_campaign.py`` builds its own (``migrate``, ``demo --households N``, tasks topped up to
   ``--tasks`` with ``bulk_create``), then supervision orders up to ``--orders`` (5,000; spread over the
   streets and departments, deadlines over the last four months, most closed, some late) with
   ``bulk_create``, two schemes — the example scheme for the streets (签约 25 + 拆除 15 + 交办任务 40 +
   程序合规 20) and one for the departments (tasks 60 + orders 40) — and ``ANALYZE``.
2. ROUNDS rounds taking turns: ``oversight.scoring.compute_rows`` for last month for both schemes (what
   preview and publish compute: every indicator's source for every unit, the rules, ranks and grades),
   and ``campaign.selectors.overview.overview(commander, campaign)`` (the named baseline); median seconds
   of each, the ratio scoring ÷ overview (issue 13: ≤ 2), and the queries of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ENV, machine  # noqa: E402


def build(db: Path, households: int, tasks: int, orders: int) -> float:
    from bench import bench_campaign

    started = time.perf_counter()
    bench_campaign.build(db, households, tasks)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([sys.executable, __file__, "--add-oversight", str(orders)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def add_oversight(total: int) -> None:
    """Supervision orders up to ``total`` (bulk) and the two schemes, in force."""
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone

    from gaizao.campaign.selectors.status import current_campaign
    from gaizao.core.actors import SYSTEM
    from gaizao.demo.oversight_assessment import INDICATORS
    from gaizao.org.choices import OrgKind
    from gaizao.org.models import OrgUnit
    from gaizao.oversight.models import SupervisionOrder
    from gaizao.oversight.services import assessment as services

    campaign = current_campaign()
    units = list(OrgUnit.objects.filter(kind__in=[OrgKind.STREET, OrgKind.DEPARTMENT]).order_by("path"))
    today = timezone.localdate()
    rows = []
    for i in range(max(total - SupervisionOrder.objects.count(), 0)):
        deadline = today - dt.timedelta(days=(i % 120))
        closed = i % 4 != 0
        late = i % 7 == 0
        rows.append(SupervisionOrder(
            campaign=campaign, number=f"督〔基准〕{i}号", title=f"基准督办 {i}", unit=units[i % len(units)],
            requirement="按期办结", deadline_workdays=5, deadline=deadline, issued_on=deadline - dt.timedelta(days=7),
            status="closed" if closed else "handling",
            closed_on=(deadline + dt.timedelta(days=2 if late else -1)) if closed else None))
    SupervisionOrder.objects.bulk_create(rows, batch_size=2000)
    street = services.scheme_create(actor=SYSTEM, campaign=campaign, name="基准：街道月度考核", indicators=INDICATORS)
    services.scheme_activate(actor=SYSTEM, scheme=street, version=street.version)
    department = services.scheme_create(actor=SYSTEM, campaign=campaign, name="基准：部门月度考核", assessed="department",
                                        indicators=[
        {"name": "交办任务", "weight": "60", "source": "tasks_on_time", "rule": "linear", "rule_params": {"target": 100}},
        {"name": "督办落实", "weight": "40", "source": "orders_on_time", "rule": "thresholds",
         "rule_params": {"steps": [[95, 40], [85, 32], [70, 24]], "otherwise": 10}}])
    services.scheme_activate(actor=SYSTEM, scheme=department, version=department.version)
    print(json.dumps({"orders": SupervisionOrder.objects.count()}))


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    if sys.argv[1:2] == ["--add-oversight"]:
        return add_oversight(int(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = ROOT / "var" / "bench" / f"assessment-{args.households}.sqlite3"
    build_seconds = None
    if args.rebuild or not db.exists():
        build_seconds = build(db, args.households, args.tasks, args.orders)
    os.environ.update({**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"})
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gaizao.campaign.models import Task
    from gaizao.campaign.selectors.overview import overview
    from gaizao.campaign.selectors.status import current_campaign
    from gaizao.ledger.models import Household
    from gaizao.org.models import User
    from gaizao.oversight import periods, scoring
    from gaizao.oversight.models import Scheme, SupervisionOrder

    commander = User.objects.get(username="commander")
    campaign = current_campaign()
    schemes = list(Scheme.objects.filter(campaign=campaign, name__startswith="基准："))
    period = periods.previous(periods.period_key("month", timezone.localdate()))

    def score_all():
        units = 0
        for s in schemes:
            fresh = Scheme.objects.select_related("campaign").get(pk=s.pk)  # nothing cached between rounds
            units += len(scoring.compute_rows(fresh, period))
        return units

    cases = {"scoring": score_all, "overview": lambda: overview(commander, campaign)}
    units = score_all()  # warm-up
    cases["overview"]()
    times = {name: [] for name in cases}
    for _round in range(args.rounds):
        for name, fn in cases.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    queries = {}
    for name, fn in cases.items():
        with CaptureQueriesContext(connection) as captured:
            fn()
        queries[name] = len(captured.captured_queries)
    result = {
        "machine": machine(), "households": Household.objects.count(),
        "tasks": Task.objects.filter(campaign=campaign).count(), "orders": SupervisionOrder.objects.count(),
        "period": period, "units_scored": units, "rounds": args.rounds,
        "build_seconds": round(build_seconds, 1) if build_seconds else None,
        "scoring_ms": median_ms(times["scoring"]), "overview_ms": median_ms(times["overview"]),
        "ratio_scoring_to_overview": round(statistics.median(times["scoring"])
                                           / statistics.median(times["overview"]), 2),
        "queries": queries,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
