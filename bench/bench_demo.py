"""Benchmark: loading the demo district (演示数据载入性能). Never part of the test run.

    .venv/bin/python bench/bench_demo.py [HOUSEHOLDS] [--seed 2026] [--no-baseline] [--json]

Measures, in one run, each in a child process on a fresh SQLite database file (migrated first,
in a temporary directory that is removed afterwards):

(a) `demo --households HOUSEHOLDS`: households with their members and buildings, personal numbers
    SM4-encrypted with keyed SM3 hashes, demo accounts, one transaction;
(b) the baseline: a plain ``bulk_create`` of the same number of bare households (no ID number, no
    phone, so no encryption) in one transaction, objects built in the timed part too.

Prints households per second for both and the ratio (a)/(b), and one JSON line (``--json`` for the
JSON only). HOUSEHOLDS defaults to 1,000,000.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ENV, machine  # noqa: E402

BASELINE_BATCH = 5000


def _setup(database: Path) -> None:
    os.environ.update(ENV)
    os.environ["GAIZAO_DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command

    # skip_checks: the benchmark measures the load, not whether every URL module imports.
    call_command("migrate", verbosity=0, skip_checks=True)


def child_demo(database: Path, households: int, seed: int) -> dict:
    """(a) The demo command, timed from the call to its return (progress goes to stderr)."""
    _setup(database)
    from io import StringIO

    from django.core.management import call_command

    from gaizao.ledger.models import Building, Household, Person

    started = time.perf_counter()
    call_command("demo", households=households, seed=seed, stdout=StringIO(), skip_checks=True)
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "households": Household.objects.count(), "persons": Person.objects.count(),
            "buildings": Building.objects.count()}


def child_baseline(database: Path, households: int) -> dict:
    """(b) ``bulk_create`` of bare households into one project, timed with building the objects."""
    _setup(database)
    from django.db import transaction

    from gaizao.ledger.models import Household, Project, Village
    from gaizao.org.models import OrgUnit

    street = OrgUnit.objects.create(code="440199001", name="基准街道", kind="street", path="440199001")
    village = Village.objects.create(code="B01", name="基准村", street=street, mode="upgrade", year=2026)
    project = Project.objects.create(code="B0101", name="基准项目", village=village)
    started = time.perf_counter()
    with transaction.atomic():
        for first in range(0, households, BASELINE_BATCH):
            Household.objects.bulk_create([
                Household(project_id=project.pk, street_id=street.pk, village_id=village.pk,
                          number=f"B-{i:07d}", head_name="陈大文", head_initials="cdw")
                for i in range(first, min(households, first + BASELINE_BATCH))
            ])
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "households": Household.objects.count()}


def run_child(kind: str, households: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="gaizao-bench-demo-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--database", str(database), "--seed", str(seed),
             str(households)],
            check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        result["database_mb"] = round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("households", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("demo", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "demo":
        print(json.dumps(child_demo(args.database, args.households, args.seed)))
        return
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.database, args.households)))
        return

    n = args.households
    demo = run_child("demo", n, args.seed)
    report = {"households": n, "machine": machine(), "demo": demo,
              "demo_households_per_s": round(n / demo["elapsed"])}
    if not args.no_baseline:
        baseline = run_child("baseline", n, args.seed)
        report["baseline"] = baseline
        report["baseline_households_per_s"] = round(n / baseline["elapsed"])
        report["ratio"] = round(demo["elapsed"] / baseline["elapsed"], 2)
    if not args.json:
        rows = demo["households"] + demo["persons"] + demo["buildings"]
        print(f"machine: {report['machine']}")
        print(f"demo:     {n:>9,} households ({demo['persons']:,} persons, {demo['buildings']:,} buildings; "
              f"{rows:,} rows) in {demo['elapsed']:7.1f} s = {report['demo_households_per_s']:>7,} households/s, "
              f"{rows / demo['elapsed']:,.0f} rows/s, database {demo['database_mb']:,} MB")
        if "baseline" in report:
            b = report["baseline"]
            print(f"baseline: {n:>9,} bare households (bulk_create, no encryption) in {b['elapsed']:7.1f} s = "
                  f"{report['baseline_households_per_s']:>7,} households/s")
            print(f"ratio demo / baseline: {report['ratio']} ×")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
