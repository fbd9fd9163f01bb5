"""Benchmark: generating the weekly bulletin (工作通报) against docxtpl alone rendering the same template with
the same tables. Not a test.

    .venv/bin/python bench/bench_bulletin.py [HOUSEHOLDS] [--tasks 10000] [--orders 5000] [--rounds 7] [--rebuild]
                                             [--json]

1. Builds once, and keeps, ``var/bench/bulletin-<N>.sqlite3`` (default 20,000 households: the bulletin reads
   rollups, never households, so their number does not move it): ``migrate`` and ``demo --households N`` in
   child processes (the demo's campaign with targets, milestones, tasks, reports), then tasks topped up to
   ``--tasks`` (``bench_campaign.add_tasks``: a third overdue), ``--orders`` open supervision orders of every
   colour, 500 open inspection findings and one published score sheet of every street, then ``ANALYZE``.
2. ROUNDS rounds taking turns:
   - **generate**: ``bulletin_generate`` of a week not yet generated (the figures read — the campaign's status,
     the ranking, overdue tasks, orders by colour, findings — frozen in a new row with its audit entry) and
     ``bulletin_docx`` of it; each round in a transaction rolled back, so every round generates afresh;
   - **again**: ``bulletin_generate`` of the generated week (the frozen row read) and ``bulletin_docx``;
   - **docxtpl alone**: ``DocxTemplate(the shipped bulletin template).render(the same context)`` and a save to
     memory — the same tables, the same Jinja environment.
   Medians, the ratios to docxtpl alone (issue 13: generating ≤ 2×), and the queries of a generation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    gaizao = str(ROOT / ".venv" / "bin" / "gaizao")
    started = time.perf_counter()
    subprocess.run([gaizao, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([gaizao, "demo", "--households", str(households)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(ROOT / "bench" / "bench_campaign.py"), "--add-tasks", str(tasks)], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, __file__, "--add-oversight", str(orders)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def add_oversight(total: int) -> None:
    """Open orders of every colour, open findings, and a published score sheet of every street."""
    import django

    django.setup()
    from django.utils import timezone

    from gaizao.campaign.selectors.status import current_campaign
    from gaizao.oversight.models import Finding, Inspection, Scheme, ScoreSheet, SupervisionOrder
    from gaizao.org.choices import OrgKind
    from gaizao.org.models import OrgUnit

    campaign = current_campaign()
    today = timezone.localdate()
    units = list(OrgUnit.objects.filter(kind__in=[OrgKind.STREET, OrgKind.DEPARTMENT]).order_by("path"))
    statuses = ("issued", "received", "handling", "feedback", "returned")
    SupervisionOrder.objects.bulk_create([
        SupervisionOrder(campaign=campaign, number=f"基准督〔{today.year}〕{i}号", title=f"基准督办事项 {i}",
                         unit=units[i % len(units)], requirement="按期办结", deadline_workdays=10,
                         deadline=today + dt.timedelta(days=(i % 40) - 20), status=statuses[i % len(statuses)],
                         issued_on=today - dt.timedelta(days=30), returned_count=1 if i % 7 == 0 else 0)
        for i in range(total)], batch_size=2000)
    inspection = Inspection.objects.create(campaign=campaign, title="基准专项督查", held_on=today - dt.timedelta(days=40),
                                           inspectors="督查组")
    Finding.objects.bulk_create([
        Finding(inspection=inspection, unit=units[i % len(units)], text=f"基准督查问题 {i}",
                deadline=today + dt.timedelta(days=(i % 30) - 15)) for i in range(500)], batch_size=2000)
    streets = [u for u in units if u.kind == OrgKind.STREET]
    rows = [{"unit_id": s.pk, "unit": s.name, "total": f"{95 - 4 * i:.2f}", "rank": i + 1, "grade": "good",
             "grade_label": "良好", "list": "red" if i == 0 else "black" if i == len(streets) - 1 else "",
             "indicators": [], "adjustment_total": "0"} for i, s in enumerate(streets)]
    scheme = Scheme.objects.create(campaign=campaign, name="基准考核办法", status="active")
    sheet = ScoreSheet.objects.create(scheme=scheme, period="bench", starts_on=today - dt.timedelta(days=60),
                                      ends_on=today - dt.timedelta(days=30), rows=rows)
    ScoreSheet.objects.filter(pk=sheet.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    print(json.dumps({"orders": SupervisionOrder.objects.count(), "findings": Finding.objects.count()}))


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    if sys.argv[1:2] == ["--add-oversight"]:
        return add_oversight(int(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = ROOT / "var" / "bench" / f"bulletin-{args.households}.sqlite3"
    build_seconds = None
    if args.rebuild or not db.exists():
        build_seconds = build(db, args.households, args.tasks, args.orders)
    os.environ.update({**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"})
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from docxtpl import DocxTemplate

    from gaizao.campaign.models import Task
    from gaizao.core.actors import SYSTEM
    from gaizao.documents.docx import _ENV as jinja_env
    from gaizao.documents.docx import default_template
    from gaizao.oversight.bulletin_doc import bulletin_context, bulletin_docx
    from gaizao.oversight.models import Bulletin, SupervisionOrder
    from gaizao.oversight.selectors.bulletins import week_of
    from gaizao.oversight.services.bulletins import bulletin_generate

    today = timezone.localdate()
    period = week_of(today).period
    Bulletin.objects.filter(period=period).exists() or bulletin_generate(actor=SYSTEM, period=period)
    fresh = week_of(today - dt.timedelta(days=7)).period
    template = default_template("bulletin")

    class Rollback(Exception):
        pass

    def generate():
        try:
            with transaction.atomic():
                bulletin, created = bulletin_generate(actor=SYSTEM, period=fresh)
                assert created, "the week must not be generated yet"
                bulletin_docx(bulletin.data)
                raise Rollback
        except Rollback:
            pass

    def again():
        bulletin, _created = bulletin_generate(actor=SYSTEM, period=period)
        bulletin_docx(bulletin.data)

    context = bulletin_context(Bulletin.objects.get(period=period).data)

    def docxtpl_alone():
        document = DocxTemplate(io.BytesIO(template))
        document.render(context, jinja_env, autoescape=True)
        document.save(io.BytesIO())

    if Bulletin.objects.filter(period=fresh).exists():
        raise SystemExit(f"{fresh} is already generated in {db}: rebuild (--rebuild)")
    cases = {"generate": generate, "again": again, "docxtpl": docxtpl_alone}
    for fn in cases.values():  # warm-up
        fn()
    times = {name: [] for name in cases}
    for _round in range(args.rounds):
        for name, fn in cases.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    queries = {}
    for name in ("generate", "again"):
        with CaptureQueriesContext(connection) as captured:
            cases[name]()
        queries[name] = len(captured.captured_queries)
    base = statistics.median(times["docxtpl"])
    data = Bulletin.objects.get(period=period).data
    result = {
        "machine": machine(), "rounds": args.rounds,
        "build_seconds": round(build_seconds, 1) if build_seconds else None,
        "tasks": Task.objects.count(), "overdue_tasks": data["tasks"]["count"],
        "open_orders": SupervisionOrder.objects.count(), "streets": len(data["streets"]),
        "tables_rows": sum(len(t["rows"]) for s in context["sections"] for t in s["tables"]),
        "generate_ms": median_ms(times["generate"]), "again_ms": median_ms(times["again"]),
        "docxtpl_ms": median_ms(times["docxtpl"]),
        "ratio_generate": round(statistics.median(times["generate"]) / base, 2),
        "ratio_again": round(statistics.median(times["again"]) / base, 2),
        "queries": queries,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
