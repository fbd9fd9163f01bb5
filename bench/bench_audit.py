"""Benchmark: appending to the audit chain (审计日志) in bulk and one by one. Never part of the test run.

    .venv/bin/python bench/bench_audit.py [--items 100000] [--rounds 3] [--single 2000] [--json]

1. Builds a fresh SQLite database ``var/bench/audit.sqlite3`` (``migrate`` in a child process).
2. In this process (file database, WAL, as in production):
   a. hash only: the chain's hash of ITEMS canonical texts of the size an import writes, with
      nothing else around it (what the keyed hash costs against the plain SM3 of before);
   b. ``record_many`` of ITEMS entries shaped like the ledger import's (``household.import`` with
      the household's masked values), in one transaction, ROUNDS times; the median;
   c. ``record`` of SINGLE entries, each in its own transaction (a service write's audit entry);
   d. ``audit.verify()`` over everything written (chain and, where there is one, checkpoint).
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

DB = ROOT / "var" / "bench" / "audit.sqlite3"
BENCH_ENV = {**ENV, "GAIZAO_DATABASE_URL": f"sqlite:///{DB}"}


def build() -> None:
    DB.parent.mkdir(parents=True, exist_ok=True)
    for path in (DB, Path(f"{DB}-wal"), Path(f"{DB}-shm"), Path(BENCH_ENV["GAIZAO_AUDIT_CHECKPOINT_FILE"])):
        path.unlink(missing_ok=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "gaizao"), "migrate", "-v", "0"],
                   env={**os.environ, **BENCH_ENV}, check=True)


def changes(i: int) -> dict:
    """What the import records for a new household (masked numbers, as audit.snapshot gives them)."""
    return {"after": {"number": f"DH-{i:06d}", "head_name": "张三", "head_id_number": "110105********002X",
                      "phone": "138****5678", "address": f"东湖村 {i % 300} 巷 {i % 40} 号",
                      "legal_area": "120.50", "project": 12, "village": 3, "street": 2, "stage": "registered"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    build()
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    from django.db import transaction

    from gaizao.core.actors import SYSTEM
    from gaizao.core import audit
    from gaizao.core.crypto import sm3_hex

    items = [audit.Change(action="household.import", object_type="ledger.household", object_id=i,
                          object_repr=f"DH-{i:06d} 张三", changes=changes(i)) for i in range(args.items)]

    texts = [audit._dumps(changes(i)).encode("utf-8") for i in range(args.items)]
    prev = audit.GENESIS
    t0 = time.perf_counter()
    for text in texts:
        prev = sm3_hex(prev.encode("ascii") + text)
    plain_seconds = time.perf_counter() - t0
    keyed = getattr(audit, "chain_hash", None)  # None on the code before the key (to compare, run it there)
    keyed_seconds = None
    if keyed is not None:
        prev = audit.GENESIS
        t0 = time.perf_counter()
        for text in texts:
            prev = keyed(prev, text)
        keyed_seconds = time.perf_counter() - t0

    bulk_times, bulk_cpu = [], []
    for _ in range(args.rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        with transaction.atomic():
            written = audit.record_many(actor=SYSTEM, items=items)
        bulk_times.append(time.perf_counter() - t0)
        bulk_cpu.append(time.process_time() - c0)
        assert written == args.items
    bulk = statistics.median(bulk_times)

    t0 = time.perf_counter()
    for i in range(args.single):
        with transaction.atomic():
            audit.record(actor=SYSTEM, action="bench.single", object_type="ledger.household", object_id=i,
                         changes=changes(i))
    single = (time.perf_counter() - t0) / max(args.single, 1)

    t0 = time.perf_counter()
    check = audit.verify()
    verify_seconds = time.perf_counter() - t0
    result = {
        "machine": machine(), "items": args.items,
        "hash_only_plain_sm3_s": round(plain_seconds, 3),
        "hash_only_keyed_s": None if keyed_seconds is None else round(keyed_seconds, 3),
        "record_many_s": round(bulk, 2), "record_many_cpu_s": round(statistics.median(bulk_cpu), 2),
        "record_many_rounds_s": [round(t, 2) for t in bulk_times],
        "record_many_per_s": round(args.items / bulk),
        "record_ms": round(single * 1000, 3),
        "verify_entries": check.verified, "verify_ok": check.ok, "verify_s": round(verify_seconds, 2),
    }
    if not args.json:
        print(f"机器：{result['machine']}")
        print(f"仅哈希 {args.items} 条：SM3 {result['hash_only_plain_sm3_s']} s；"
              f"HMAC-SM3 {result['hash_only_keyed_s']} s")
        print(f"record_many {args.items} 条：{result['record_many_s']} s（中位数，{result['record_many_per_s']} 条/s；"
              f"CPU {result['record_many_cpu_s']} s）")
        print(f"record 单条：{result['record_ms']} ms")
        print(f"verify {check.verified} 条：{'完整' if check.ok else check.reason}（{result['verify_s']} s）")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
