"""Benchmark: the household list (住户台账) against Django admin's changelist. Never part of the test run.

    .venv/bin/python bench/bench_household_list.py [HOUSEHOLDS] [--seed 2026] [--rounds 5] [--requests 20]
                                                   [--max-seconds 5] [--rebuild] [--json]

1. Builds once, and keeps, an SQLite database of HOUSEHOLDS demo households (default 1,000,000) in
   ``var/bench/list-1m.sqlite3`` (``list-<N>.sqlite3`` for another N): ``migrate`` and
   ``demo --households N --seed S`` in child processes, then ``PRAGMA optimize=0x10002`` (what
   ``gaizao run`` issues at start-up; on SQLite < 3.46 it analyses nothing on a fresh connection,
   and the build records that) followed by a plain ``ANALYZE``. ``--rebuild`` builds it again.
2. In a child process (``DJANGO_SETTINGS_MODULE=bench.admin_settings``: gaizao plus the admin, see
   ``bench/admin_urls.py``), with ``django.test.Client`` in-process (no network, no test
   instrumentation), signed in with ``force_login``: the demo ``leader`` (district-wide read, no
   second factor) for our pages, a superuser ``bench-admin`` (created if missing) for the admin.
   Requests per second of each page, median of ROUNDS rounds of REQUESTS requests (or MAX_SECONDS,
   at least one request, for pages that take seconds) after a warm-up; the pages take turns within
   each round, so load from other processes falls on all of them alike:

   a. one street: ``/ledger/households/?street=<id>`` vs ``/admin/ledger/household/?street__id__exact=<id>``;
   b. name search: ``?q=<the most common head's name>`` on both (ours: indexed prefix; admin: icontains);
      for information, the most common surname (one character: the widest prefix a user types);
   c. our first page vs our deep page ``?after=<id>`` showing the rows about 1,000 before the end, in
      the whole table and in the street; for information, the admin's first page and ``?p=<the page
      showing the same rows>`` (OFFSET).

   Every page must answer 200 with table rows, or the run stops. One extra request per page under
   ``CaptureQueriesContext`` gives its query count; its SELECTs are then run again on the raw
   connection to the last row (SQL time, best of 3), and each page's list query's EXPLAIN QUERY
   PLAN is printed. The session's UPDATE (SESSION_SAVE_EVERY_REQUEST) is in every page's time.
3. Prints a table, the ratios against the targets of issue 3 (≥ 3×, ≥ 10×, deep ≈ first) and one
   JSON line (``--json`` for the JSON only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ENV as COMMON_ENV, machine  # noqa: E402

ENV = {**COMMON_ENV, "GAIZAO_ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "bench.admin_settings"}
OPTIMIZE = "PRAGMA optimize=0x10002"  # as gaizao/core/management/commands/run.py
BENCH_ADMIN = "bench-admin"
DEEP_FROM_END = 1000  # rows after the deep page's ``after``: a full page follows it
TARGETS = {"street": 3.0, "search": 10.0}

OUR_IDS = re.compile(r'href="/ledger/households/(\d+)/"')
ADMIN_IDS = re.compile(r'href="/admin/ledger/household/(\d+)/change/')


def database_path(households: int) -> Path:
    name = "list-1m" if households == 1_000_000 else f"list-{households}"
    return ROOT / "var" / "bench" / f"{name}.sqlite3"


def _env(database: Path) -> dict:
    return {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{database}"}


def _remove(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


# --- 1. the database ------------------------------------------------------------------------------

def _analysed_tables(connection: sqlite3.Connection) -> set[str]:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        return set()
    return {row[0] for row in connection.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}


def build(database: Path, households: int, seed: int) -> dict:
    """migrate + demo into a temporary file, statistics, then rename: a cut-short build is never reused."""
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(database.name + ".partial")
    _remove(partial)
    env = _env(partial)
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    # The demo prints the demo logins on stdout; its progress bar goes to stderr.
    subprocess.run([*manage, "demo", "--households", str(households), "--seed", str(seed)],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    loaded = time.perf_counter()
    connection = sqlite3.connect(partial)
    # What `gaizao run` does at start-up. On SQLite < 3.46 the 0x10000 bit ("every table, even one
    # not queried on this connection") is unknown, so on a fresh connection it analyses nothing:
    # recorded here, then a plain ANALYZE gives the planner the statistics it should have.
    connection.execute(OPTIMIZE)
    by_optimize = _analysed_tables(connection)
    connection.execute("ANALYZE")
    analysed = time.perf_counter()
    if "ledger_household" not in _analysed_tables(connection):
        raise SystemExit("ANALYZE left no statistics for ledger_household")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    _remove(database)
    partial.rename(database)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return {"load_s": round(loaded - started, 1), "analyze_s": round(analysed - loaded, 1),
            "tables_analysed_by_optimize": sorted(by_optimize),
            "database_mb": round(database.stat().st_size / 1e6)}


# --- 2. the requests (child process) --------------------------------------------------------------

def _rows(html: str, pattern: re.Pattern) -> list[int]:
    return [int(pk) for pk in dict.fromkeys(pattern.findall(html))]


def _time_sql(raw: sqlite3.Connection, sql: str) -> float:
    started = time.perf_counter()
    raw.execute(sql).fetchall()
    return (time.perf_counter() - started) * 1000


def _abridged(sql: str) -> str:
    """The start and the end of a long statement: its columns are long, its WHERE is at the end."""
    return sql if len(sql) <= 600 else f"{sql[:120]} … {sql[-450:]}"


def child_measure(database: Path, rounds: int, per_round: int, warmup: int, max_seconds: float) -> dict:
    os.environ.update(_env(database))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils.http import urlencode

    from gaizao.ledger.models import Household
    from gaizao.org.choices import Role
    from gaizao.org.models import OrgUnit, User

    backend = "django.contrib.auth.backends.ModelBackend"
    leader = User.objects.filter(memberships__role=Role.LEADER, is_active=True).order_by("id").first()
    if leader is None:
        raise SystemExit("no leader account in the demo data")
    superuser = User.objects.filter(username=BENCH_ADMIN).first()
    if superuser is None:
        superuser = User.objects.create_superuser(BENCH_ADMIN, email="", password=None)
    ours, admin = Client(), Client()
    ours.force_login(leader, backend=backend)
    admin.force_login(superuser, backend=backend)

    # What to ask for, read from the data (not timed).
    total = Household.objects.count()
    street_id, street_n = (Household.objects.order_by().values_list("street").annotate(n=Count("*"))
                           .order_by("-n").first())
    name, name_n = (Household.objects.order_by().values_list("head_name").annotate(n=Count("*"))
                    .order_by("-n", "head_name").first())
    surname, surname_n = (Household.objects.order_by().annotate(first=Substr("head_name", 1, 1))
                          .values_list("first").annotate(n=Count("*")).order_by("-n", "first").first())
    # Deep pages: the admin page DEEP_FROM_END rows before the end (fewer in a small try), and our
    # keyset page that shows the same rows (``after`` = the id just before that page's first row).
    deep_page = (total - min(DEEP_FROM_END, total // 2)) // 50 + 1
    last_page = -(-total // 50)
    deep_after = Household.objects.order_by("id").values_list("id", flat=True)[(deep_page - 1) * 50 - 1]
    street_deep_page = (street_n - min(DEEP_FROM_END, street_n // 2)) // 50 + 1
    street_after = (Household.objects.filter(street_id=street_id).order_by("id")
                    .values_list("id", flat=True)[(street_deep_page - 1) * 50 - 1])
    street = OrgUnit.objects.get(pk=street_id)

    ours_url, admin_url = "/ledger/households/?", "/admin/ledger/household/?"
    cases = {  # name: (client, url, id pattern)
        "ours_street": (ours, ours_url + urlencode({"street": street_id}), OUR_IDS),
        "admin_street": (admin, admin_url + urlencode({"street__id__exact": street_id}), ADMIN_IDS),
        "ours_search": (ours, ours_url + urlencode({"q": name}), OUR_IDS),
        "admin_search": (admin, admin_url + urlencode({"q": name}), ADMIN_IDS),
        "ours_surname": (ours, ours_url + urlencode({"q": surname}), OUR_IDS),
        "admin_surname": (admin, admin_url + urlencode({"q": surname}), ADMIN_IDS),
        "ours_first": (ours, "/ledger/households/", OUR_IDS),
        "ours_deep": (ours, ours_url + urlencode({"after": deep_after}), OUR_IDS),
        "ours_street_deep": (ours, ours_url + urlencode({"street": street_id, "after": street_after}), OUR_IDS),
        "admin_street_deep": (admin, admin_url + urlencode({"street__id__exact": street_id, "p": street_deep_page}),
                              ADMIN_IDS),
        "admin_first": (admin, "/admin/ledger/household/", ADMIN_IDS),
        "admin_deep": (admin, admin_url + urlencode({"p": deep_page}), ADMIN_IDS),
    }

    def get(case: str) -> str:
        client, url, pattern = cases[case]
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{case}: {url} answered {response.status_code}")
        return response.content.decode()

    first_ids = {}
    for case, (_client, url, pattern) in cases.items():
        for _ in range(max(1, warmup)):
            started = time.perf_counter()
            html = get(case)
            if time.perf_counter() - started > 1:
                break  # a page of seconds needs no warming, and would make the run take an hour
        ids = _rows(html, pattern)
        if not ids:
            raise SystemExit(f"{case}: {url} shows no households")
        first_ids[case] = ids

    # Query count, SQL time and plans: one request each, outside the timing. Each SELECT is run
    # again on the raw connection to its last row (best of 3 when quick): Django's execute() returns
    # at the first row, so timing it would miss most of a streamed scan.
    queries, plans = {}, {}
    raw = connection.connection
    for case in cases:
        with CaptureQueriesContext(connection) as captured:
            get(case)
        timed = []
        for query in captured.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue  # the session's UPDATE, BEGIN and COMMIT: the same on every page
            runs = [_time_sql(raw, query["sql"])]
            while runs[-1] < 1000 and len(runs) < 3:
                runs.append(_time_sql(raw, query["sql"]))
            timed.append((min(runs), query["sql"]))
        slowest = max(timed)
        listing = next((sql for _t, sql in timed if sql.startswith('SELECT "ledger_household"."id"')), None)
        if listing is None:
            raise SystemExit(f"{case}: no list query among {[sql[:300] for _t, sql in timed]}")
        queries[case] = {"count": len(captured), "select_ms": round(sum(t for t, _ in timed), 1),
                         "list_ms": round(next(t for t, sql in timed if sql == listing), 1),
                         "slowest_ms": round(slowest[0], 1), "slowest_sql": _abridged(slowest[1])}
        plans[case] = [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + listing).fetchall()]

    # Pages take turns within a round; a page gets `per_round` requests or `max_seconds`, whichever
    # comes first (at least one request).
    rps = {case: [] for case in cases}
    for _ in range(rounds):
        for case in cases:
            started, done = time.perf_counter(), 0
            while done < per_round and (done == 0 or time.perf_counter() - started < max_seconds):
                get(case)
                done += 1
            rps[case].append(done / (time.perf_counter() - started))
    medians = {case: statistics.median(values) for case, values in rps.items()}
    return {
        "households": total,
        "street": {"id": street_id, "name": street.name, "households": street_n},
        "name": {"q": name, "households": name_n},
        "surname": {"q": surname, "households": surname_n},
        "deep_after": deep_after, "admin_deep_page": deep_page, "admin_last_page": last_page,
        "street_after": street_after, "admin_street_deep_page": street_deep_page,
        "urls": {case: url for case, (_c, url, _p) in cases.items()},
        "rows": {case: len(ids) for case, ids in first_ids.items()},
        "same_rows": {
            "street": first_ids["ours_street"] == first_ids["admin_street"],
            "search": first_ids["ours_search"] == first_ids["admin_search"],
            "first": first_ids["ours_first"] == first_ids["admin_first"],
            "surname": first_ids["ours_surname"] == first_ids["admin_surname"],
            "deep": first_ids["ours_deep"] == first_ids["admin_deep"],
            "street_deep": first_ids["ours_street_deep"] == first_ids["admin_street_deep"],
        },
        "queries": queries, "plans": plans,
        "rps_median": {case: round(v, 3) for case, v in medians.items()},
        "rps_rounds": {case: [round(v, 3) for v in values] for case, values in rps.items()},
        "sqlite": sqlite3.sqlite_version,
    }


# --- 3. report ------------------------------------------------------------------------------------

def ratios(m: dict) -> dict:
    r = m["rps_median"]
    return {
        "street": round(r["ours_street"] / r["admin_street"], 2),
        "search": round(r["ours_search"] / r["admin_search"], 2),
        "surname": round(r["ours_surname"] / r["admin_surname"], 2),
        "deep_vs_first": round(r["ours_deep"] / r["ours_first"], 2),
        "street_deep_vs_street": round(r["ours_street_deep"] / r["ours_street"], 2),
        "admin_street_deep_vs_street": round(r["admin_street_deep"] / r["admin_street"], 2),
        "admin_deep_vs_first": round(r["admin_deep"] / r["admin_first"], 2),
    }


def print_report(report: dict) -> None:
    m = report["measure"]
    r, q = m["rps_median"], m["queries"]
    print(f"machine: {report['machine']}, SQLite {m['sqlite']}, load average {report['load_average']}")
    print(f"database: {report['database']} ({m['households']:,} households)")
    print(f"street {m['street']['id']} ({m['street']['name']}, {m['street']['households']:,} households); "
          f"q={m['name']['q']} ({m['name']['households']:,} households); q={m['surname']['q']} "
          f"({m['surname']['households']:,}); after={m['deep_after']}; "
          f"admin p={m['admin_deep_page']} of {m['admin_last_page']}")
    print(f"{'page':<18} {'req/s':>8} {'ms/req':>9} {'queries':>7} {'SQL ms':>8} {'list SQL':>8} {'rows':>4}  url")
    for case, url in m["urls"].items():
        print(f"{case:<18} {r[case]:>8.2f} {1000 / r[case]:>9.1f} {q[case]['count']:>7} {q[case]['select_ms']:>8.1f} "
              f"{q[case]['list_ms']:>8.1f} {m['rows'][case]:>4}  {url}")
    x = report["ratios"]
    print(f"street filter: ours / admin = {x['street']} × (target ≥ {TARGETS['street']} ×)")
    print(f"name search:   ours / admin = {x['search']} × (target ≥ {TARGETS['search']} ×); "
          f"surname prefix {x['surname']} ×")
    print(f"deep page:     ours deep / ours first = {x['deep_vs_first']}, in one street {x['street_deep_vs_street']} "
          f"(target ≈ 1); admin: {x['admin_deep_vs_first']}, in one street {x['admin_street_deep_vs_street']}")
    print(f"same first-page rows as admin: {m['same_rows']}")
    for case in m["urls"]:
        print(f"plan {case} ({q[case]['list_ms']} ms): " + " | ".join(m["plans"][case]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("households", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per page per round")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=5.0,
                        help="at most this long per page per round (slow pages get fewer requests)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = child_measure(args.database, args.rounds, args.requests, args.warmup, args.max_seconds)
        print(json.dumps(result, ensure_ascii=False))
        return

    database = database_path(args.households)
    report = {"machine": machine(), "database": str(database.relative_to(ROOT))}
    if args.rebuild or not database.exists():
        report["build"] = build(database, args.households, args.seed)
        if not args.json:
            b = report["build"]
            print(f"built {database}: migrate + demo {b['load_s']} s; {OPTIMIZE} analysed "
                  f"{len(b['tables_analysed_by_optimize'])} tables; ANALYZE {b['analyze_s']} s; "
                  f"{b['database_mb']:,} MB", flush=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--database", str(database), "--rounds", str(args.rounds),
         "--requests", str(args.requests), "--warmup", str(args.warmup), "--max-seconds", str(args.max_seconds)],
        check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    ).stdout
    report["measure"] = json.loads(out.strip().splitlines()[-1])
    report["ratios"] = ratios(report["measure"])
    report["load_average"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    if not args.json:
        print_report(report)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
