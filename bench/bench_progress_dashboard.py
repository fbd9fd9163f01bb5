"""Benchmark: the command dashboard's data from rollups vs the same figures by GROUP BY. Not a test.

    .venv/bin/python bench/bench_progress_dashboard.py [HOUSEHOLDS] [--seed 2026] [--rounds 7] [--rebuild] [--json]

1. Builds once, and keeps, ``var/bench/progress-<N>.sqlite3`` (default 1,000,000 households): ``migrate``
   and ``demo --households N`` in child processes (the demo writes each household's history:
   about 3.3 events per household, as half of its villages have not started signing), then a
   *top-up* in a child process that takes the district about two months further, through the
   services: projects whose signing has not started open it 30 days ago (``project_update``), and
   every household that can is walked, stage by stage, to 腾空交房 (and half of the vacated to
   拆除) with ``households_record_stage`` in transactions of 10,000 households, dated today —
   which brings the events to about 6 per household and measures bulk recording at scale; then
   ``ANALYZE``. ``--rebuild`` builds it again.
2. In this process, ROUNDS rounds, taking turns:
   a. ours: ``progress.selectors.dashboard.dashboard(leader)`` (the district) and
      ``dashboard(leader, street_code=<the largest street>)``: everything the page shows (KPIs,
      curves, streets or villages, map features, projects with signing status, forecasts, hard cases);
   b. baseline: the same figures computed the way one would without rollups, by GROUP BY over the
      household table: per street (district) or per village (street) and per project — households,
      area and, for each stage, households and area reached — plus the per-day counts of signed,
      vacated and demolished for the curves (``Count("*")`` and ``Sum("area", filter=…)``; the
      household table carries each stage's date and the area).
   Median seconds of each; the ratio baseline / ours (issue 4's target: ours ≤ 1/20, ratio ≥ 20).
3. Runs ``rollups.verify()`` on the database afterwards and prints whether it holds.
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

KEYS = ["surveyed", "decided", "valued", "decision", "signed", "vacated", "demolished", "resettled"]


def build(db: Path, households: int, seed: int) -> float:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    gaizao = str(ROOT / ".venv" / "bin" / "gaizao")
    started = time.perf_counter()
    subprocess.run([gaizao, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([gaizao, "demo", "--households", str(households), "--seed", str(seed)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, __file__, "--top-up", str(db)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def baseline(street_id: int | None):
    """The dashboard's figures by GROUP BY over households (what rollups replace)."""
    from django.db.models import Count, Q, Sum

    from gaizao.ledger.models import Household

    qs = Household.objects.exclude(stage="withdrawn").order_by()
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    figures = {"scope": Count("*"), "scope_area": Sum("area")}
    for key in KEYS:
        figures[f"{key}_n"] = Count(f"{key}_on")
        figures[f"{key}_a"] = Sum("area", filter=Q(**{f"{key}_on__isnull": False}))
    out = {
        "units": list(qs.values("village_id" if street_id else "street_id").annotate(**figures)),
        "projects": list(qs.values("project_id").annotate(**figures)),
        "total": qs.aggregate(**figures),
    }
    for key in ("signed", "vacated", "demolished"):
        out[key] = list(qs.exclude(**{f"{key}_on": None}).values(f"{key}_on").annotate(n=Count("*")))
    return out


WALK = ["surveyed", "decided", "valued", "signed", "vacated"]
BATCH = 10_000


def top_up() -> None:
    """Take the demo district about two months further through the services (see the docstring)."""
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone

    from gaizao.core.actors import SYSTEM
    from gaizao.core.errors import AppError
    from gaizao.ledger.models import Household, Project
    from gaizao.ledger.services import project_update
    from gaizao.progress.services import households_record_stage

    today = timezone.localdate()
    for project in Project.objects.all():
        if project.signing_start is None or project.signing_start > today:
            end = max(project.signing_end or today, today + dt.timedelta(days=60))
            project_update(actor=SYSTEM, project=project, version=project.version,
                           signing_start=today - dt.timedelta(days=30), signing_end=end)
    open_projects = list(Project.objects.filter(signing_start__lte=today, signing_end__gte=today)
                         .values_list("id", flat=True))
    before = {"registered": None, "surveyed": "registered", "decided": "surveyed", "valued": "decided",
              "signed": "valued", "vacated": "signed"}
    started = time.perf_counter()
    recorded, batches, slowest = 0, 0, 0.0
    for kind in WALK:
        qs = Household.objects.filter(stage=before[kind] or "registered")
        if kind == "signed":
            qs = qs.filter(project_id__in=open_projects)
        ids = list(qs.order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            t0 = time.perf_counter()
            try:
                recorded += households_record_stage(actor=SYSTEM, household_ids=ids[start:start + BATCH], kind=kind,
                                                    on_date=today, note="基准测试补录")
            except AppError as exc:
                print(f"skipped a batch of {kind}: {exc.message[:200]}", file=sys.stderr)
            batches += 1
            slowest = max(slowest, time.perf_counter() - t0)
    vacated = list(Household.objects.filter(stage="vacated").order_by("id").values_list("id", flat=True))[::2]
    for start in range(0, len(vacated), BATCH):
        recorded += households_record_stage(actor=SYSTEM, household_ids=vacated[start:start + BATCH],
                                            kind="demolished", on_date=today, note="基准测试补录")
        batches += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"top_up_events": recorded, "batches": batches, "seconds": round(seconds, 1),
                      "events_per_second": round(recorded / seconds), "slowest_batch_seconds": round(slowest, 2)}))


def main() -> None:
    if sys.argv[1:2] == ["--top-up"]:
        return top_up()
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = ROOT / "var" / "bench" / (f"progress-{args.households // 1_000_000}m.sqlite3" if args.households % 1_000_000 == 0
                                   else f"progress-{args.households}.sqlite3")
    build_seconds = None
    if args.rebuild or not db.exists():
        build_seconds = build(db, args.households, args.seed)
    os.environ.update({**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"})
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from gaizao.ledger.models import Household
    from gaizao.org.models import User
    from gaizao.progress import rollups
    from gaizao.progress.models import StageEvent
    from gaizao.progress.selectors.dashboard import dashboard

    leader = User.objects.get(username="leader")
    street_id, _n = Household.objects.order_by().values_list("street_id").annotate(n=Count("*")).order_by("-n")[0]
    from gaizao.org.models import OrgUnit

    street_code = OrgUnit.objects.get(pk=street_id).code
    cases = {
        "district": (lambda: dashboard(leader), lambda: baseline(None)),
        "street": (lambda: dashboard(leader, street_code=street_code), lambda: baseline(street_id)),
    }
    times = {name: {"ours": [], "baseline": []} for name in cases}
    for name, (ours, base) in cases.items():  # warm-up
        ours()
        base()
    for _round in range(args.rounds):
        for name, (ours, base) in cases.items():
            for label, fn in (("ours", ours), ("baseline", base)):
                started = time.perf_counter()
                fn()
                times[name][label].append(time.perf_counter() - started)
    queries = {}
    for name, (ours, _base) in cases.items():
        with CaptureQueriesContext(connection) as captured:
            ours()
        queries[name] = len(captured.captured_queries)
        assert not any("ledger_household" in q["sql"] for q in captured.captured_queries), "dashboard read households"
    started = time.perf_counter()
    check = rollups.verify()
    verify_seconds = time.perf_counter() - started
    result = {"machine": machine(), "households": Household.objects.count(), "events": StageEvent.objects.count(),
              "build_seconds": round(build_seconds, 1) if build_seconds else None, "rounds": args.rounds}
    for name in cases:
        ours_s, base_s = statistics.median(times[name]["ours"]), statistics.median(times[name]["baseline"])
        result[name] = {"ours_ms": round(ours_s * 1000, 2), "group_by_ms": round(base_s * 1000, 1),
                        "ratio": round(base_s / ours_s, 1), "queries": queries[name]}
    result.update({"target_ratio": 20, "verify_ok": check.ok, "verify_seconds": round(verify_seconds, 1),
                   "mismatch": check.mismatch})
    if not args.json:
        print(f"机器：{result['machine']}；住户 {result['households']:,}，事件 {result['events']:,}")
        for name, label in (("district", "全区作战图"), ("street", f"街道作战图（{street_code}）")):
            r = result[name]
            print(f"{label}：汇总表 {r['ours_ms']} ms（{r['queries']} 次查询），住户表 GROUP BY {r['group_by_ms']} ms，"
                  f"快 {r['ratio']} 倍（目标 ≥ 20 倍）")
        print(f"rollups verify：{'一致' if check.ok else check.mismatch}（{result['verify_seconds']} s）")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
