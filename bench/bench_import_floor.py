"""Benchmark: the floor under the 100,000-household import (导入下限). Never part of the test run.

    .venv/bin/python bench/bench_import_floor.py [--layout everyday] [--repeat 3]

What no import of the file can avoid, each measured on its own, medians of ``--repeat``:

(a) python-calamine reading the file (open + every sheet to Python): issue 10's yardstick;
(b) the row guard (``core.tabular.reader._XlsxGuard``): the sheet XML streamed before calamine may
    parse it (issue 15: a sheet of a million rows must be refused before it fills memory);
(c) SQLite inserting the rows the import writes — households, buildings, audit entries — taken
    from a database the import filled (bench_import's import, run once here), as multi-row
    statements into fresh tables with the same schema and indexes, in one transaction, nothing
    else running. As the import writes them: the columns it fills (not those NULL in every row:
    ``core.bulk.RowWriter`` leaves them out), as many rows per statement as it puts in one
    (``core.bulk.OVERLAP_ROWS``, within SQLite's limit of bound values), the values every row shares
    bound once per statement, foreign keys checked, the households' ID-hash, name and initials indexes
    dropped first and built again after (``core.bulk.indexes_rebuilt``, as the import into an empty ledger).

(b) must finish before calamine starts and (c) cannot start before the file is read and checked,
so (a) + (b) + (c) is a floor for an import that does its checks before it writes; the ratio to
(a) is printed beside issue 10's target (≤ 4 ×).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import CACHE, time_calamine  # noqa: E402
from bench.common import ENV, machine  # noqa: E402

TABLES = ("ledger_household", "ledger_building", "core_auditentry")


def _filled_database(path: Path, db: Path) -> None:
    """Import the file into a fresh database at ``db`` (bench_import's child, kept here)."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "import bench.bench_import as b; b.child_ours(Path(sys.argv[2]), Path(sys.argv[3]), None)"
    )
    env = {**os.environ, **ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{db}", "GAIZAO_VAR_DIR": str(db.parent)}
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(path), str(db)], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def _parents(source: sqlite3.Connection, table: str, db: sqlite3.Connection) -> None:
    """The rows the table's foreign keys point at, copied as they are, untimed (the import's inserts
    check them: the buildings' households, the households' project, village and street)."""
    for (parent,) in source.execute(f'SELECT DISTINCT "table" FROM pragma_foreign_key_list("{table}")'):
        if parent == table:
            continue
        _parents(source, parent, db)
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [parent]).fetchone():
            continue
        db.execute(source.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  [parent]).fetchone()[0])
        rows = source.execute(f'SELECT * FROM "{parent}"').fetchall()
        if rows:
            db.executemany(f'INSERT INTO "{parent}" VALUES ({", ".join("?" * len(rows[0]))})', rows)


def _insert_seconds(source: sqlite3.Connection, table: str, target: Path) -> float:
    from gaizao.core.bulk import OVERLAP_ROWS
    from gaizao.ledger.importing.apply import REBUILT_INDEXES

    schema = [row[0] for row in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL AND type != 'trigger'", [table])]
    columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')
               if source.execute(f'SELECT 1 FROM "{table}" WHERE "{row[1]}" IS NOT NULL LIMIT 1').fetchone()]
    # A column holding one value in every row is bound once per statement, as the import binds what its
    # rows share (core.bulk: INSERT … SELECT column1, …, ? FROM (VALUES …)).
    shared = [c for c in columns if source.execute(f'SELECT COUNT(DISTINCT "{c}") FROM "{table}"').fetchone()[0] == 1]
    columns = [c for c in columns if c not in shared] + shared
    names = ", ".join(f'"{c}"' for c in columns)
    own = len(columns) - len(shared)
    quoted = [f'"{c}"' for c in columns]
    rows = source.execute(f'SELECT {", ".join(quoted[:own])} FROM "{table}"').fetchall()
    constant = (list(source.execute(f'SELECT {", ".join(quoted[own:])} FROM "{table}" LIMIT 1').fetchone())
                if shared else [])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-8192")  # as the import holds it (ledger/importing/apply.py)
    _parents(source, table, db)
    for statement in schema:
        db.execute(statement)
    db.execute("PRAGMA foreign_keys=ON")
    per = min(OVERLAP_ROWS, (db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(shared)) // own)
    group = f"({', '.join('?' * own)})"
    head = (f'INSERT INTO "{table}" ({names}) SELECT {", ".join(f"column{i}" for i in range(1, own + 1))}, '
            f'{", ".join("?" * len(shared))} FROM (VALUES ' if shared else f'INSERT INTO "{table}" ({names}) VALUES ')
    end = ")" if shared else ""
    full = head + ", ".join([group] * per) + end
    batches = [constant + [v for row in rows[i:i + per] for v in row] for i in range(0, len(rows), per)]
    # The indexes the import builds after its rows (apply.REBUILT_INDEXES, core.bulk.indexes_rebuilt), the same way.
    rebuilt = [(name, sql) for name, sql, first in db.execute(
        "SELECT m.name, m.sql, i.name FROM sqlite_master m, pragma_index_info(m.name) i WHERE m.type = 'index' "
        "AND m.tbl_name = ? AND m.sql IS NOT NULL AND i.seqno = 0", [table])
        if table == "ledger_household" and first in REBUILT_INDEXES and not sql.upper().startswith("CREATE UNIQUE")]
    db.execute("BEGIN IMMEDIATE")
    start = time.perf_counter()
    for name, _sql in rebuilt:
        db.execute(f'DROP INDEX "{name}"')
    for batch in batches:
        count = (len(batch) - len(shared)) // own
        db.execute(full if count == per else head + ", ".join([group] * count) + end, batch)
    for _name, sql in rebuilt:
        db.execute(sql)
    seconds = time.perf_counter() - start
    db.execute("COMMIT")
    db.close()
    return seconds


def _guard_seconds(path: Path) -> float:
    import django

    django.setup()
    from gaizao.core.tabular.reader import _XlsxGuard
    import python_calamine

    names = list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    start = time.perf_counter()
    _XlsxGuard(path).check(names)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--layout", choices=("template", "everyday"), default="everyday")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update({k: v for k, v in ENV.items() if k not in os.environ})
    import django

    django.setup()
    suffix = "" if args.layout == "template" else f"_{args.layout}"
    path = CACHE / f"ledger_{args.households}{suffix}.xlsx"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run bench/bench_import.py --layout {args.layout} first")
    with tempfile.TemporaryDirectory(prefix="gaizao-floor-") as tmp:
        filled = Path(tmp) / "filled.sqlite3"
        _filled_database(path, filled)
        source = sqlite3.connect(filled)
        inserts = {table: statistics.median(_insert_seconds(source, table, Path(tmp) / "t.sqlite3")
                                            for _ in range(args.repeat)) for table in TABLES}
    calamine = statistics.median(time_calamine(path) for _ in range(args.repeat))
    guard = statistics.median(_guard_seconds(path) for _ in range(args.repeat))
    floor = calamine + guard + sum(inserts.values())
    print(f"machine: {machine()}")
    print(f"file: {path} ({args.households:,} households, {args.layout} layout)")
    print(f"(a) calamine read          {calamine:6.2f} s")
    print(f"(b) row guard              {guard:6.2f} s")
    for table, seconds in inserts.items():
        print(f"(c) insert {table:<16}{seconds:6.2f} s")
    print(f"floor (a) + (b) + (c)      {floor:6.2f} s = {floor / calamine:.2f} × calamine (issue 10's target: ≤ 4 ×)")


if __name__ == "__main__":
    main()
