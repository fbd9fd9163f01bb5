"""Benchmark: recording a stage event through the service vs a bare ORM insert. Never part of the test run.

    .venv/bin/python bench/bench_progress_event.py [--households 20000] [--events 2000] [--rounds 5]
                                                   [--bulk 10000] [--json]

1. Builds a fresh SQLite database ``var/bench/progress-event.sqlite3``: ``migrate`` and
   ``demo --households N`` in child processes (so the audit chain, the events and the rollup
   tables have a realistic size), then adds a project 「BENCH」 in a village of street 01 with
   2 × EVENTS + BULK households without events (its signing period around today).
2. In this process (file database, WAL, autocommit as in production), ROUNDS rounds; each round,
   in turns:
   a. bare: ``StageEvent.objects.create(...)`` for EVENTS / ROUNDS households (one INSERT each,
      its own transaction);
   b. service: ``household_record_event(actor=<street01's user>, household=…, kind="surveyed",
      on_date=today)`` for as many other households: scope check, validation, the event,
      the household's conditional UPDATE, the SM3-chained audit entry and the rollup upserts, in one
      transaction each.
   Medians of the per-event time over the rounds; ratio service / bare (issue 4's target: ≤ 4×).
3. Bulk: ``households_record_stage`` of BULK households in one call (one transaction: the
   function is ``transaction.atomic``; the script checks that the number of COMMITs seen by the
   connection's execute wrapper is 0 inside it), its time, and ``rollups.verify()`` at the end.
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

DB = ROOT / "var" / "bench" / "progress-event.sqlite3"


def build(households: int) -> None:
    DB.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{DB}"}
    gaizao = str(ROOT / ".venv" / "bin" / "gaizao")
    subprocess.run([gaizao, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([gaizao, "demo", "--households", str(households), "--seed", "2026"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    build(args.households)
    build_seconds = time.perf_counter() - started
    os.environ.update({**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{DB}"})
    import django

    django.setup()
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from gaizao.ledger.models import Household, Project, Village
    from gaizao.org.choices import Role
    from gaizao.org.models import User
    from gaizao.progress import rollups
    from gaizao.progress.models import StageEvent
    from gaizao.progress.services import household_record_event, households_record_stage

    today = timezone.localdate()
    user = next(u for u in User.objects.filter(username="street01") if u.has_role(Role.STREET))
    street_id = min(user.unit_ids_by_role[Role.STREET])
    village = Village.objects.filter(street_id=street_id).order_by("code").first()
    total = 2 * args.events + args.bulk
    with transaction.atomic():
        project = Project.objects.create(code="BENCH", name="基准测试项目", village=village,
                                         signing_start=today - dt.timedelta(days=60),
                                         signing_end=today + dt.timedelta(days=60))
        Household.objects.bulk_create(
            [Household(project=project, street_id=street_id, village=village, number=f"B{i:06d}",
                       head_name="测试", head_id_number=None, phone=None) for i in range(total)], batch_size=2000)
        ids = list(Household.objects.filter(project=project).order_by("id").values_list("id", flat=True))
        rollups.households_added(ids)
    bare_ids, service_ids, bulk_ids = ids[:args.events], ids[args.events:2 * args.events], ids[2 * args.events:]
    per_round = args.events // args.rounds
    bare_times, service_times = [], []
    for r in range(args.rounds):
        chunk = slice(r * per_round, (r + 1) * per_round)
        t0 = time.perf_counter()
        for pk in bare_ids[chunk]:
            StageEvent.objects.create(household_id=pk, project_id=project.pk, kind="surveyed", on_date=today,
                                      actor=user)
        bare_times.append((time.perf_counter() - t0) / per_round)
        t0 = time.perf_counter()
        for pk in service_ids[chunk]:
            household_record_event(actor=user, household=pk, kind="surveyed", on_date=today)
        service_times.append((time.perf_counter() - t0) / per_round)
    bare, service = statistics.median(bare_times), statistics.median(service_times)

    commits = []

    def watch(execute, sql, params, many, context):
        if sql.strip().upper().startswith(("COMMIT", "RELEASE SAVEPOINT")) and "RELEASE" not in sql.upper():
            commits.append(sql)
        return execute(sql, params, many, context)

    t0 = time.perf_counter()
    with connection.execute_wrapper(watch):
        recorded = households_record_stage(actor=user, household_ids=bulk_ids, kind="surveyed", on_date=today)
    bulk_seconds = time.perf_counter() - t0
    # Bare events above bypassed the service on purpose; take them out before verifying.
    with transaction.atomic():
        StageEvent.objects.filter(household_id__in=bare_ids).delete()
    t0 = time.perf_counter()
    check = rollups.verify()
    verify_seconds = time.perf_counter() - t0
    result = {
        "machine": machine(), "households": args.households + total, "events_stored": StageEvent.objects.count(),
        "build_seconds": round(build_seconds, 1),
        "bare_insert_ms": round(bare * 1000, 3), "service_ms": round(service * 1000, 3),
        "ratio": round(service / bare, 2), "target_ratio": 4.0,
        "bulk_households": recorded, "bulk_seconds": round(bulk_seconds, 2), "bulk_commits_inside": len(commits),
        "verify_ok": check.ok, "verify_seconds": round(verify_seconds, 2), "mismatch": check.mismatch,
    }
    if not args.json:
        print(f"机器：{result['machine']}")
        print(f"裸 ORM 插入事件：{result['bare_insert_ms']} ms/条；服务记录：{result['service_ms']} ms/条；"
              f"比值 {result['ratio']}×（目标 ≤ 4×）")
        print(f"批量记录 {recorded} 户：{result['bulk_seconds']} s，一个事务（其间提交 {len(commits)} 次）")
        print(f"rollups verify：{'一致' if check.ok else check.mismatch}（{result['verify_seconds']} s）")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
