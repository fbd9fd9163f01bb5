"""Benchmark: calculating 100,000 households' compensation with a 12-item scheme against loading those
households and buildings from the database, in the same run. Not a test.

    .venv/bin/python bench/bench_compensation.py [HOUSEHOLDS] [--rounds 5] [--rebuild] [--json]

1. Builds once, and keeps, ``var/bench/compensation-<N>.sqlite3`` (default 100,000 households): ``migrate``,
   then one street, village and project with N households (1 to 3 buildings each, mixed legality, use and
   certificates), a valuation in force for every building, and the sample money scheme (12 items: building
   value, swap area and difference, relocation ×2 for a swap, transition for money and for a swap with the
   late-delivery steps, business loss clamped, registration reward, early-signing reward with a floor per
   certificate by signing day, money-option reward capped, signing-rate reward in steps, minimum-area
   subsidy; 3 named values, 2 tables) published; then ``ANALYZE``.
2. ROUNDS rounds taking turns:
   - **load** (the named baseline): the project's households, buildings and valuations in force read from
     the database as rows (the three ``values_list`` queries the calculator's loader runs);
   - **calculate**: ``facts.cases_for_project`` (the same queries, made into cases) and
     ``calculator.calculate_many`` for every household under its option (a quarter swap), with every line's
     formula, inputs and amount (``Result`` objects); then, apart, the results made into the JSON a stored
     calculation keeps (``Result.as_json``: serialising, as the writes that follow, is not the calculation);
   median seconds of each and the ratio calculate ÷ load (issue 14: ≤ 3).
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


def build(db: Path, households: int) -> float:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "gaizao"), "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([sys.executable, __file__, "--fill", str(households)], env=env, check=True)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def fill(total: int) -> None:
    import django

    django.setup()
    import datetime as dt
    import random
    from decimal import Decimal

    from gaizao.compensation.choices import SchemeStatus
    from gaizao.compensation.models import Scheme, Valuation
    from gaizao.compensation.samples import scheme_text
    from gaizao.core.actors import SYSTEM
    from gaizao.core.crypto import sm3_hex
    from gaizao.ledger import services as ledger_services
    from gaizao.ledger.models import Building, Household
    from gaizao.org import services as org_services
    from gaizao.org.choices import OrgKind

    rng = random.Random(14)
    district = org_services.orgunit_create(actor=SYSTEM, code="440199", name="云溪区", kind=OrgKind.DISTRICT)
    street = org_services.orgunit_create(actor=SYSTEM, code="440199001", name="东湖街道", kind=OrgKind.STREET,
                                         parent=district)
    village = ledger_services.village_create(actor=SYSTEM, street=street, code="V001", name="东湖村",
                                             mode="demolish_rebuild", year=2026)
    project = ledger_services.project_create(actor=SYSTEM, village=village, code="P001", name="东湖村一期",
                                             signing_start=dt.date(2026, 3, 1), signing_end=dt.date(2026, 6, 30))
    start = dt.date(2026, 3, 1)
    batch = 20_000
    for first in range(0, total, batch):
        rows = [Household(project=project, street=street, village=village, number=f"DH-{i:06d}", head_name=f"住户{i}",
                          member_count=rng.randint(1, 7), use=rng.choice(["residential"] * 9 + ["mixed"]),
                          signed_on=start + dt.timedelta(days=rng.randint(0, 60)) if rng.random() < 0.6 else None)
                for i in range(first, min(total, first + batch))]
        Household.objects.bulk_create(rows, batch_size=2000)
    ids = list(Household.objects.filter(project=project).values_list("pk", flat=True))
    buildings = []
    for pk in ids:
        for n in range(rng.choice([1, 1, 2, 2, 3])):
            buildings.append(Building(
                household_id=pk, number=str(n + 1), legal_area=Decimal(rng.randint(3000, 25000)) / 100,
                unlicensed_area=Decimal(rng.randint(0, 5000)) / 100,
                legality=rng.choice(["legal"] * 8 + ["temporary", "illegal"]),
                use=rng.choice(["residential"] * 8 + ["non_residential"]), structure=rng.choice(
                    ["brick_concrete", "frame", "brick_wood"]), floors=rng.randint(1, 4),
                certificate_no=f"C{pk}-{n}" if rng.random() < 0.7 else ""))
    Building.objects.bulk_create(buildings, batch_size=5000)
    valuations = [Valuation(household_id=h, building_id=b, unit_price=Decimal(rng.randint(3000, 8000)),
                            decoration=Decimal(rng.randint(0, 50000)), valued_on=start, valuer="云溪房地产估价有限公司")
                  for b, h in Building.objects.values_list("pk", "household_id")]
    Valuation.objects.bulk_create(valuations, batch_size=5000)
    text = scheme_text("money", project=project.name)
    Scheme.objects.create(project=project, number=1, name="东湖村一期征收补偿方案", text=text,
                          status=SchemeStatus.PUBLISHED, digest=sm3_hex(text.encode()))


def measure(rounds: int) -> dict:
    import django

    django.setup()
    from django.db import connection, reset_queries

    from gaizao.compensation import calculator, facts
    from gaizao.compensation.models import Valuation
    from gaizao.compensation.selectors.calculations import scheme_in_force
    from gaizao.compensation.services.calculations import parsed
    from gaizao.ledger.models import Building, Household, Project

    project = Project.objects.get(code="P001")
    definition = parsed(scheme_in_force(project))

    def load():
        households = list(Household.objects.filter(project=project).values_list(
            "pk", "project__code", "number", "member_count", "land_type", "use", "signed_on", "vacated_on",
            "project_id"))
        valuations = list(Valuation.objects.filter(household__project=project, in_force=True).values_list(
            "building_id", "unit_price", "decoration"))
        buildings = list(Building.objects.filter(household__project=project).order_by(
            "household_id", "number", "pk").values_list(
            "pk", "household_id", "number", "legal_area", "unlicensed_area", "floors", "build_year", "legality", "use",
            "structure", "certificate_no", "disposition"))
        return len(households), len(buildings), len(valuations)

    def calculate():
        cases = facts.cases_for_project(project, signed_on=project.signing_start)
        keys = list(cases)
        results = calculator.calculate_many(definition, [cases[pk] for pk in keys],
                                            ["swap" if pk % 4 == 0 else "money" for pk in keys])
        return results

    def serialise(results):
        return [result.as_json() for result in results]

    loads, calcs, jsons = [], [], []
    counts = None
    for _ in range(rounds):
        started = time.perf_counter()
        counts = load()
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = calculate()
        calcs.append(time.perf_counter() - started)
        started = time.perf_counter()
        serialise(results)
        jsons.append(time.perf_counter() - started)
        done = len(results)
        del results
    connection.force_debug_cursor = True
    reset_queries()
    calculate()
    queries = len(connection.queries)
    load_s, calc_s = statistics.median(loads), statistics.median(calcs)
    return {"households": counts[0], "buildings": counts[1], "valuations": counts[2], "calculated": done,
            "items": len(definition.items), "load_s": round(load_s, 3), "calculate_s": round(calc_s, 3),
            "ratio": round(calc_s / load_s, 2), "calculate_queries": queries,
            "json_s": round(statistics.median(jsons), 3), "loads": [round(x, 3) for x in loads],
            "calcs": [round(x, 3) for x in calcs], "fallbacks": calculator.STATS["fallbacks"], "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", nargs="?", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fill", type=int)
    parser.add_argument("--measure", type=int)
    args = parser.parse_args()
    if args.fill:
        fill(args.fill)
        return
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    db = ROOT / "var" / "bench" / f"compensation-{args.households}.sqlite3"
    if args.rebuild or not db.exists():
        print(f"building {db.name} …", file=sys.stderr)
        print(f"built in {build(db, args.households):.1f} s", file=sys.stderr)
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "gaizao"), "migrate", "-v", "0"], env=env, check=True)
    out = subprocess.run([sys.executable, __file__, "--measure", str(args.rounds)], env=env, check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{result['households']:,} households, {result['buildings']:,} buildings, {result['items']} items")
    print(f"load (baseline)  median {result['load_s']:.3f} s   rounds {result['loads']}")
    print(f"calculate        median {result['calculate_s']:.3f} s   rounds {result['calcs']}")
    print(f"ratio calculate ÷ load: {result['ratio']}  (issue 14: ≤ 3);  queries per calculation run: "
          f"{result['calculate_queries']}")
    print(f"as JSON (what a stored calculation keeps) median {result['json_s']:.3f} s more")
    print(f"fallback chunks: {result['fallbacks']}")
    print(result["machine"])


if __name__ == "__main__":
    main()
