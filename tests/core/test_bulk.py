"""The fast insert (core.bulk.RowWriter) stores what the model fields would store."""

import datetime as dt
import sys
import threading

import pytest
from django.utils import timezone

from gaizao.core import crypto
from gaizao.core.bulk import RowWriter, overlapped
from gaizao.core.models import AuditEntry
from gaizao.ledger.models import Household

COLUMNS = ("project_id", "street_id", "village_id", "number", "head_name", "head_initials", "address",
           "head_id_number", "phone")


def test_it_encrypts_hashes_and_fills_defaults_as_the_fields_do(cast):
    project = cast.project_a
    start = timezone.now()
    written = RowWriter(Household, COLUMNS).write([
        (project.id, project.village.street_id, project.village_id, "BW-1", "王五", "ww", "", "11010519491231002X", ""),
        (project.id, project.village.street_id, project.village_id, "BW-2", "赵六", "zl", "", None, "13812345678"),
    ])
    assert written == 2
    first, second = Household.objects.filter(number__in=["BW-1", "BW-2"]).order_by("number")
    assert first.head_id_number == "11010519491231002X"
    assert first.head_id_hash == crypto.lookup_hash("11010519491231002X")
    assert first.phone is None and first.phone_hash is None  # empty is NULL, as the field stores it
    assert second.head_id_hash is None and second.phone == "13812345678"
    assert first.member_count == 1 and first.stage == "registered" and first.version == 1
    assert first.created_at >= start and first.updated_at == first.created_at


def test_it_converts_json_and_fixed_columns_and_reports_progress_per_batch(cast):
    at = timezone.now() - dt.timedelta(days=1)
    progress = []
    writer = RowWriter(AuditEntry, ("action", "changes", "prev_hash", "entry_hash"), batch_size=2,
                       fixed={"created_at": at, "actor_id": cast.admin.pk, "actor_name": "admin",
                              "object_type": "", "object_id": "", "object_repr": ""})
    rows = ((f"bulk.test{i}", {"after": {"n": i, "名": "张三"}}, "0" * 64, f"{i:064d}") for i in range(5))
    assert writer.write(rows, progress=progress.append) == 5
    assert progress == [2, 4, 5]
    entries = list(AuditEntry.objects.filter(action__startswith="bulk.test").order_by("action"))
    assert [e.changes for e in entries] == [{"after": {"n": i, "名": "张三"}} for i in range(5)]
    assert {(e.created_at, e.actor_id, e.actor_name, e.result, e.ip) for e in entries} == {
        (at, cast.admin.pk, "admin", "success", None)}


@pytest.mark.parametrize("columns, message", [
    (("project_id", "number", "nonsense"), "has no column nonsense"),
    ((*COLUMNS, "phone_hash"), "computed from phone"),
    (("id", "number", "head_name"), "Household.project_id"),
])
def test_it_refuses_columns_it_cannot_fill(db, columns, message):
    with pytest.raises(ValueError, match=message):
        RowWriter(Household, columns)


def test_prepared_columns_are_stored_as_given_and_an_encrypted_one_needs_its_hash(cast):
    project = cast.project_a
    columns = ("project_id", "street_id", "village_id", "number", "head_name", "head_initials", "address", "phone",
               "head_id_number")
    with pytest.raises(ValueError, match="supplied encrypted: supply head_id_hash"):
        RowWriter(Household, columns, prepared=("head_id_number",))
    sealed = crypto.encrypt_many(["11010519491231002X"])[0]
    RowWriter(Household, (*columns, "head_id_hash"), prepared=("head_id_number", "head_id_hash")).write([
        (project.id, project.village.street_id, project.village_id, "BW-9", "王五", "ww", "", None, sealed, "given-hash"),
    ])
    household = Household.objects.get(number="BW-9")
    assert household.head_id_number == "11010519491231002X"  # not encrypted a second time
    assert household.head_id_hash == "given-hash"


def test_columns_that_are_null_in_every_row_are_left_out_of_the_insert_and_read_null(cast):
    project = cast.project_a
    writer = RowWriter(Household, COLUMNS)
    for column in ("cadre_id", "resident_id", "signed_on", "withdrawn_on"):
        assert f'"{column}"' not in writer.sql
    assert '"stage"' in writer.sql and '"version"' in writer.sql  # defaults that are not NULL are written
    writer.write([(project.id, project.village.street_id, project.village_id, "BW-8", "王五", "ww", "", None, None)])
    household = Household.objects.get(number="BW-8")
    assert (household.cadre_id, household.resident_id, household.signed_on, household.withdrawn_on) == (
        None, None, None, None)


def test_reserved_keys_are_used_by_the_rows_and_never_handed_out_again(cast):
    from django.db import transaction

    from gaizao.core.bulk import reserve_ids

    project = cast.project_a
    highest = Household.objects.order_by("-id").values_list("id", flat=True).first()
    with transaction.atomic():
        ids = reserve_ids(Household, 3)
        assert len(set(ids)) == 3 and min(ids) > highest
        RowWriter(Household, ("id", *COLUMNS)).write([
            (pk, project.id, project.village.street_id, project.village_id, f"BR-{pk}", "王五", "ww", "", None, None)
            for pk in ids])
    assert set(Household.objects.filter(number__startswith="BR-").values_list("id", flat=True)) == set(ids)
    with transaction.atomic():
        later = reserve_ids(Household, 2)
    after = Household.objects.create(project=project, street=project.village.street, village=project.village,
                                     number="BR-after", head_name="赵六", head_initials="zl")
    assert min(later) > max(ids) and after.pk > max(ids)
    assert reserve_ids(Household, 0) == []


@pytest.mark.django_db(transaction=True)
def test_reserving_keys_outside_a_transaction_is_refused_on_sqlite():
    from django.db import connection

    from gaizao.core.bulk import reserve_ids

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes the keys from the sequence, which holds outside a transaction too")
    with pytest.raises(RuntimeError, match="inside the transaction"):
        reserve_ids(Household, 2)


def test_a_large_commit_leaves_the_checkpoint_to_a_background_thread(db, tmp_path):
    """SQLite in WAL mode: the commit returns with the pages still in the log; a thread copies them."""
    import os
    import sqlite3

    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from gaizao.core.bulk import checkpoint_later

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite behaviour")
    path = tmp_path / "wal.sqlite3"
    wal = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="checkpoint-test")
    try:
        with wal.cursor() as cursor:
            cursor.execute("CREATE TABLE t (id integer PRIMARY KEY, body text)")
        before = os.path.getsize(path)
        with checkpoint_later(wal) as later:
            wal.set_autocommit(False)
            with wal.cursor() as cursor:
                cursor.executemany("INSERT INTO t (body) VALUES (%s)", [("x" * 400,) for _ in range(20_000)])
            wal.commit()
            wal.set_autocommit(True)
            # Committed and readable, but not yet copied from the log into the database file.
            assert os.path.getsize(path) == before
            with sqlite3.connect(path) as reader:
                assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (20_000,)
        later.wait(30)
        assert os.path.getsize(path) > 20_000 * 400  # the background thread checkpointed
        with wal.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000  # the connection checkpoints by itself again
    finally:
        wal.close()


def test_inside_a_larger_transaction_the_checkpoint_is_left_alone(db):
    from django.db import connection

    from gaizao.core.bulk import checkpoint_later

    with checkpoint_later() as later:
        pass
    assert later.thread is None
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 1000


@pytest.mark.django_db(transaction=True)
def test_a_large_write_holds_the_sqlite_page_cache_and_gives_it_back():
    from django.db import connection

    from gaizao.core.bulk import page_cache_limited

    if connection.vendor != "sqlite":  # PostgreSQL is left as it is: the block only runs its body
        ran = []
        with page_cache_limited(1024):
            ran.append(True)
        assert ran == [True]
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with page_cache_limited(1024):
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -1024
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
        with page_cache_limited(10 ** 9):  # never raised above what it is
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == before


# --- rows made while a thread inserts (RowWriter._write_overlapped, overlapped()) -------------------

def _rows(project, count, *, start=0, fail_at=None):
    for i in range(start, start + count):
        if i == fail_at:
            raise RuntimeError("the row maker failed")
        yield (project.id, project.village.street_id, project.village_id, f"OV-{i:05d}", "王五", "ww", f"{i}号", None,
               f"138{i:08d}")


def test_a_write_of_several_batches_inserts_every_row_as_one_executemany_would(cast):
    project = cast.project_a
    progress = []
    written = RowWriter(Household, COLUMNS, batch_size=300).write(_rows(project, 1234), progress=progress.append)
    assert written == 1234 and progress == [300, 600, 900, 1200, 1234]
    stored = list(Household.objects.filter(number__startswith="OV-").order_by("number")
                  .values_list("number", "address", "phone_hash"))
    assert len(stored) == 1234
    assert stored[0] == ("OV-00000", "0号", crypto.lookup_hash("13800000000"))
    assert stored[-1] == ("OV-01233", "1233号", crypto.lookup_hash("13800001233"))
    # Same as the plain path (a write of one batch): its rows read back the same way.
    RowWriter(Household, COLUMNS, batch_size=5000).write(_rows(project, 3, start=5000))
    assert Household.objects.get(number="OV-05000").phone == "13800005000"


def test_an_error_in_the_inserting_thread_reaches_the_caller_as_djangos_and_nothing_stays(cast):
    from django.db import IntegrityError, transaction

    project = cast.project_a
    before = Household.objects.count()
    rows = list(_rows(project, 900))
    rows[700] = rows[10]  # the same 户号 twice in one project: the unique constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        RowWriter(Household, COLUMNS, batch_size=300).write(rows)
    assert Household.objects.count() == before


def test_an_error_while_making_rows_stops_the_thread_before_the_transaction_rolls_back(cast):
    from django.db import transaction

    project = cast.project_a
    before = Household.objects.count()
    with pytest.raises(RuntimeError, match="row maker"), transaction.atomic():
        RowWriter(Household, COLUMNS, batch_size=300).write(_rows(project, 900, fail_at=650))
    assert Household.objects.count() == before
    assert not [t for t in threading.enumerate() if t.name == "gaizao-inserter"]


def test_inside_overlapped_a_query_waits_for_the_rows_given_before_it(cast, django_assert_num_queries):
    from django.db import connection, transaction

    project = cast.project_a
    with transaction.atomic(), overlapped():
        RowWriter(Household, COLUMNS, batch_size=200).write(_rows(project, 1000))
        # the statements may still be running: the count below waits for them (the execute wrapper)
        assert Household.objects.filter(number__startswith="OV-").count() == 1000
        RowWriter(Household, COLUMNS, batch_size=200).write(_rows(project, 1000, start=1000))
    assert Household.objects.filter(number__startswith="OV-").count() == 2000
    if connection.vendor == "sqlite":  # the switch interval is given back
        assert sys.getswitchinterval() == pytest.approx(0.005)


def test_overlapped_statements_are_in_the_query_log_when_queries_are_recorded(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        RowWriter(Household, COLUMNS, batch_size=300).write(_rows(cast.project_a, 1200))
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    # one statement per batch of 300 (within OVERLAP_ROWS) on SQLite; one executemany per batch on PostgreSQL
    assert len(inserts) == 4 and all("ledger_household" in q["sql"] for q in inserts)
    if connection.vendor == "sqlite":
        assert all(q["sql"].endswith(" values)") for q in inserts)  # multi-row statements, their values counted


def test_a_batch_larger_than_a_statement_is_cut_into_equal_statements_and_every_row_stored(cast, monkeypatch):
    """Statements as large as SQLite allows, a batch in equal parts (one statement text for all of them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gaizao.core import bulk

    if connection.vendor != "sqlite":
        pytest.skip("multi-row statements are SQLite's (PostgreSQL keeps executemany)")
    monkeypatch.setattr(bulk, "OVERLAP_ROWS", 120)
    writer = RowWriter(Household, COLUMNS, batch_size=300)
    with CaptureQueriesContext(connection) as queries:
        written = writer.write(_rows(cast.project_a, 700))
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    # 300 rows: three statements of 100 (not 120 + 120 + 60); the last batch of 100: one statement.
    # The values every row shares (the time, the defaults) are bound once per statement.
    shared = len(writer._constant())
    own = writer.sql.count("%s") - shared  # values each row binds
    counts = [(int(sql.rsplit("(", 1)[1].split()[0]) - shared) // own for sql in inserts]
    assert shared >= 3 and " SELECT " in writer._statements[1]
    assert written == 700 and len(inserts) == 7
    assert counts == [100] * 7
    stored = Household.objects.filter(number__startswith="OV-")
    assert set(stored.values_list("number", flat=True)) == {f"OV-{i:05d}" for i in range(700)}
    # each row took its own values and the shared ones
    assert set(stored.values_list("version", "stage")) == {(1, "registered")}
    assert stored.filter(created_at__isnull=True).count() == 0
    assert list(stored.order_by("id").values_list("number", flat=True)) == [f"OV-{i:05d}" for i in range(700)]


def test_outside_a_transaction_a_large_write_is_not_overlapped(transactional_db, cast):
    """The commit of a transaction begun inside the block would not wait for the inserting thread, so
    the block overlaps only inside a transaction; in autocommit the batches go in one by one."""
    from django.db import connection

    from gaizao.core import bulk

    started = []
    real = bulk._Inserter
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk, "_Inserter", lambda *a, **k: started.append(1) or real(*a, **k))
        assert not connection.in_atomic_block
        RowWriter(Household, COLUMNS, batch_size=300).write(_rows(cast.project_a, 700))
    assert not started and Household.objects.filter(number__startswith="OV-").count() == 700


def test_two_inserters_in_one_process_give_back_the_switch_interval_that_was_there():
    import sqlite3

    from gaizao.core import bulk

    before = sys.getswitchinterval()
    first, second = bulk._Inserter(sqlite3.connect(":memory:", check_same_thread=False)), None
    try:
        second = bulk._Inserter(sqlite3.connect(":memory:", check_same_thread=False))
        assert sys.getswitchinterval() == bulk.OVERLAP_SWITCH
        first.finish()
        assert sys.getswitchinterval() == bulk.OVERLAP_SWITCH  # the second still runs
    finally:
        first.finish()
        if second is not None:
            second.finish()
            second.finish()  # twice is harmless
    assert sys.getswitchinterval() == before


def _household_indexes() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_household' "
                       "AND sql IS NOT NULL")
        return dict(cursor.fetchall())


def test_a_large_write_into_a_small_table_builds_the_named_indexes_after_its_rows(cast, monkeypatch):
    from django.db import connection, transaction

    from gaizao.core import bulk

    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 500)
    project = cast.project_a
    before = _household_indexes() if connection.vendor == "sqlite" else {}
    with transaction.atomic(), overlapped():
        with bulk.indexes_rebuilt(Household, adding=1000, columns=("head_name", "number")) as dropped:
            assert dropped == (connection.vendor == "sqlite")  # PostgreSQL keeps its indexes as they are
            if dropped:  # the name and number indexes are gone meanwhile; the unique and the others stay
                assert set(before) - set(_household_indexes()) == {"household_head_name_idx", "household_number_idx"}
            RowWriter(Household, COLUMNS, batch_size=200).write(_rows(project, 1000))
        # built again by the inserting thread after the rows; this query waits for it
        assert Household.objects.filter(number__startswith="OV-", head_name="王五").count() == 1000
    if connection.vendor == "sqlite":
        assert _household_indexes() == before
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN SELECT id FROM ledger_household WHERE head_name = '张三'")
            assert "household_head_name_idx" in " ".join(str(row) for row in cursor.fetchall())
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"


def test_an_error_inside_brings_the_indexes_back_with_the_rollback_even_when_caught(cast, monkeypatch):
    from django.db import connection, transaction

    from gaizao.core import bulk

    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    project = cast.project_a
    before = _household_indexes() if connection.vendor == "sqlite" else {}
    with transaction.atomic():
        try:
            with bulk.indexes_rebuilt(Household, adding=1000, columns=("head_name",)):
                RowWriter(Household, COLUMNS).write(_rows(project, 10))
                raise ValueError("the write failed half-way")
        except ValueError:
            pass  # caught inside the transaction: where indexes were dropped, it is rolled back all the same
    # PostgreSQL: the block left the indexes and the transaction alone, so its rows stay
    assert Household.objects.filter(number__startswith="OV-").exists() == (connection.vendor != "sqlite")
    if connection.vendor == "sqlite":
        assert _household_indexes() == before


def test_a_table_holding_more_than_twice_the_rows_added_or_a_small_write_keeps_its_indexes(cast, monkeypatch):
    from django.db import connection, transaction

    from gaizao.core import bulk

    RowWriter(Household, COLUMNS).write(_rows(cast.project_a, 30))
    stored = Household.objects.order_by("-id").values_list("id", flat=True).first()
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    with transaction.atomic():
        with bulk.indexes_rebuilt(Household, adding=-(-stored // 2) - 1, columns=("head_name",)) as dropped:
            assert not dropped
        with bulk.indexes_rebuilt(Household, adding=-(-stored // 2), columns=("head_name",)) as dropped:
            assert dropped == (connection.vendor == "sqlite")  # at most twice as many: rebuilt
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 10_000)
    with transaction.atomic():
        with bulk.indexes_rebuilt(Household, adding=9_999, columns=("head_name",)) as dropped:
            assert not dropped
