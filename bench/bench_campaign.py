"""Benchmark: the campaign overview against the district dashboard, and all streets' 责任书 against
docxtpl alone. Not a test.

    .venv/bin/python bench/bench_campaign.py [HOUSEHOLDS] [--tasks 10000] [--rounds 7] [--rebuild] [--json]

1. Builds once, and keeps, ``var/bench/campaign-<N>.sqlite3`` (default 1,000,000 households): ``migrate`` and
   ``demo --households N`` in child processes (the demo's campaign: targets, milestones, signed 责任书,
   about 300 tasks, weekly reports, meetings), then tasks added up to ``--tasks`` (10,000) with
   ``bulk_create`` — spread over the streets and departments, a third overdue, some done — and ``ANALYZE``.
2. The overview: ROUNDS rounds taking turns, ``campaign.selectors.overview.overview(commander, campaign)``
   (targets vs progress by street with lights, goals, tasks per unit, overdue tasks, report completeness,
   the week's deadlines) and ``progress.selectors.dashboard.dashboard(leader)`` (the district dashboard,
   the named baseline); median seconds of each, the ratio overview ÷ dashboard (issue 12: ≤ 2), and the
   queries of each.
3. The 责任书: every street's current agreement rendered by ``campaign.agreement_doc.agreement_docx``
   (context from the frozen version, the template lookup, docxtpl, the file) against docxtpl alone
   (``DocxTemplate(the shipped template).render(the same contexts)`` and save), for the district's
   streets and for 30 documents (the streets' contexts repeated); the ratio ours ÷ docxtpl (≤ 2).
"""

from __future__ import annotations

import argparse
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


def build(db: Path, households: int, tasks: int) -> float:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    gaizao = str(ROOT / ".venv" / "bin" / "gaizao")
    started = time.perf_counter()
    subprocess.run([gaizao, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([gaizao, "demo", "--households", str(households)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, __file__, "--add-tasks", str(tasks)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def add_tasks(total: int) -> None:
    """Top the demo's task list up to ``total`` tasks (bulk, as a large district's list would be)."""
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone

    from gaizao.campaign.choices import TaskCategory, TaskStatus
    from gaizao.campaign.models import Task
    from gaizao.campaign.selectors.status import current_campaign
    from gaizao.org.choices import OrgKind
    from gaizao.org.models import OrgUnit

    campaign = current_campaign()
    units = list(OrgUnit.objects.filter(kind__in=[OrgKind.STREET, OrgKind.DEPARTMENT]).order_by("path"))
    today = timezone.localdate()
    have = Task.objects.filter(campaign=campaign).count()
    rows = []
    categories = list(TaskCategory.values)
    for i in range(max(total - have, 0)):
        status = (TaskStatus.DONE, TaskStatus.DOING, TaskStatus.TODO)[i % 3]
        deadline = today + dt.timedelta(days=(i % 90) - 30)  # a third in the past: open ones overdue
        rows.append(Task(campaign=campaign, title=f"基准任务 {i}", unit=units[i % len(units)],
                         category=categories[i % len(categories)], deadline=deadline, status=status,
                         progress=100 if status == TaskStatus.DONE else (i * 7) % 100,
                         done_on=deadline if status == TaskStatus.DONE else None))
    Task.objects.bulk_create(rows, batch_size=2000)
    print(json.dumps({"tasks": Task.objects.filter(campaign=campaign).count()}))


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    if sys.argv[1:2] == ["--add-tasks"]:
        return add_tasks(int(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = ROOT / "var" / "bench" / f"campaign-{args.households}.sqlite3"
    build_seconds = None
    if args.rebuild or not db.exists():
        build_seconds = build(db, args.households, args.tasks)
    os.environ.update({**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"})
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from docxtpl import DocxTemplate

    from gaizao.campaign.agreement_doc import agreement_context, agreement_docx
    from gaizao.campaign.models import Task
    from gaizao.campaign.selectors.campaign import current_agreements
    from gaizao.campaign.selectors.overview import overview
    from gaizao.campaign.selectors.status import current_campaign
    from gaizao.documents.docx import default_template
    from gaizao.ledger.models import Household
    from gaizao.org.models import User
    from gaizao.progress.selectors.dashboard import dashboard

    commander, leader = User.objects.get(username="commander"), User.objects.get(username="leader")
    campaign = current_campaign()
    cases = {"overview": lambda: overview(commander, campaign), "dashboard": lambda: dashboard(leader)}
    for fn in cases.values():  # warm-up
        fn()
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

    agreements = current_agreements(campaign)
    template = default_template("agreement")
    from gaizao.documents.docx import _ENV as jinja_env

    def ours(items):
        for a in items:
            agreement_docx(a)

    def docxtpl_alone(contexts):
        for context in contexts:
            document = DocxTemplate(io.BytesIO(template))
            document.render(context, jinja_env, autoescape=True)  # the template's filters (cn_number …)
            document.save(io.BytesIO())

    documents = {}
    for label, items in (("streets", agreements), ("30", (agreements * 30)[:30])):
        contexts = [agreement_context(a) for a in items]
        ours(items[:1]), docxtpl_alone(contexts[:1])  # warm-up
        t = {"ours": [], "docxtpl": []}
        for _round in range(max(args.rounds // 2, 3)):
            started = time.perf_counter()
            ours(items)
            t["ours"].append(time.perf_counter() - started)
            started = time.perf_counter()
            docxtpl_alone(contexts)
            t["docxtpl"].append(time.perf_counter() - started)
        documents[label] = {"documents": len(items), "ours_ms": median_ms(t["ours"]),
                            "docxtpl_ms": median_ms(t["docxtpl"]),
                            "ratio": round(statistics.median(t["ours"]) / statistics.median(t["docxtpl"]), 2)}
    result = {
        "machine": machine(), "households": Household.objects.count(),
        "tasks": Task.objects.filter(campaign=campaign).count(), "rounds": args.rounds,
        "build_seconds": round(build_seconds, 1) if build_seconds else None,
        "overview_ms": median_ms(times["overview"]), "dashboard_ms": median_ms(times["dashboard"]),
        "ratio_overview_to_dashboard": round(statistics.median(times["overview"]) /
                                             statistics.median(times["dashboard"]), 2),
        "queries": queries, "agreements": documents,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
