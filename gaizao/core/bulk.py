"""A narrow, fast insert for many rows of one model (批量写入): demo load, ledger import, audit trail.

``bulk_create`` spends 30–150 µs per row in Django's generic SQL compiler (measured: 100,000
imported households 7.7 s, a million demo households over ten minutes on SQLite), so these paths
write tuples with ``executemany`` instead. What matters still comes from the model:

- the columns come from its concrete fields. A column the caller does not supply takes the field's
  default, ``auto_now``/``auto_now_add`` the time of the write, each converted once per batch; an
  auto primary key is left to the database. A field with none of these makes the writer refuse
  to start, with a message naming it;
- an ``EncryptedTextField`` column takes plain text and is stored in ``gaizao.core.crypto``'s
  format (``crypto.encrypt_many``: empty gives NULL, as the field does); a ``LookupHashField`` is
  filled from its source's plain text (``crypto.lookup_hash_many``, as the field's ``pre_save``);
- primitive columns (integers, text, decimals, booleans, dates, foreign keys) are passed as given:
  the caller supplies database-ready values; any other field (``JSONField``, ``DateTimeField``, ...)
  is converted per row by its own ``get_db_prep_save``;
- ``fixed`` columns hold one value for every row (the actor of an audit batch), converted once.
"""

from __future__ import annotations

import gc
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gaizao.core import crypto
from gaizao.core.fields import EncryptedTextField, LookupHashField

BATCH_ROWS = 5000
_PRIMITIVE = (models.AutoField, models.BigAutoField, models.IntegerField, models.CharField, models.TextField,
              models.DecimalField, models.ForeignKey, models.BooleanField, models.DateField)
# A DateTimeField is a DateField, but the driver would store an aware datetime in another format.
_CONVERTED = (models.DateTimeField,)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a batch builds hundreds of thousands of objects.

    None of them form cycles, yet each generation-2 pass walks all of them: measured on 100,000
    imported rows, the collector took a quarter of the parse time. Reference counting still frees
    memory. Nests: an inner block leaves the collector as the outer one set it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LaterCheckpoint:
    """What ``checkpoint_later`` yields: ``wait()`` for the background checkpoint (tests, the bench)."""

    def __init__(self):
        self.thread: threading.Thread | None = None

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


@contextmanager
def checkpoint_later(db=None):
    """One large write transaction on SQLite in WAL mode: its commit returns without the checkpoint.

    SQLite checkpoints at the commit that leaves more than 1,000 pages in the write-ahead log:
    it copies them back into the database file and syncs it, all before the commit returns (a
    100,000-household import: 0.55 s of a 0.7 s commit). The data is committed and visible to
    every reader once it is in the log, so the checkpoint can wait: inside this block the
    connection does not checkpoint by itself, and after it a background thread runs a passive
    checkpoint (readers and writers go on) on a connection of its own. A failed background
    checkpoint leaves the log for the next automatic one. PostgreSQL, other journal modes and a
    block inside a larger transaction (which commits later) are left as they are.
    """
    db = db or connection
    later = LaterCheckpoint()
    path = db.settings_dict["NAME"]
    if db.vendor != "sqlite" or db.in_atomic_block or db.is_in_memory_db():
        yield later
        return
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":
            yield later
            return
        cursor.execute("PRAGMA wal_autocheckpoint")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield later
    finally:
        if db.connection is not None:  # the block may have closed it
            with db.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
    later.thread = threading.Thread(target=_checkpoint, args=(str(path),), name="gaizao-checkpoint", daemon=True)
    later.thread.start()


@contextmanager
def page_cache_limited(kib: int = 32768, *, db=None) -> Iterator[None]:
    """Hold SQLite's page cache to ``kib`` KiB for a large write, then give it back.

    The connection's cache (``PRAGMA cache_size=-65536``, settings) fills with the pages a long
    transaction dirties and counts in the process's memory: 64 MB of a 100,000-household import's
    peak. With 32 MB the cache spills the rest to the write-ahead log as it goes, at no measured
    cost in time (apply 4.92 s with 64 MB, 4.98 s with 32 MB, 4.96 s with 16 MB; peak 37 MB lower).
    PostgreSQL is left as it is.
    """
    db = db or connection
    if db.vendor != "sqlite":
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        # a negative size is KiB, a positive one pages: compare as KiB (pages of 4 KiB)
        current = -previous if previous < 0 else previous * 4
        if current > kib:
            cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        if db.connection is not None and current > kib:
            with db.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={previous}")


def _checkpoint(path: str) -> None:
    try:
        db = sqlite3.connect(path, timeout=20)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()
    except sqlite3.Error:
        pass  # the next automatic checkpoint copies the log


# Rows per statement of an overlapped write at most (RowWriter._insert: fewer when SQLite's limit of
# bound values comes first), statements waiting, and the interpreter's switch interval meanwhile: the
# inserting thread, back from SQLite, waits at most this long for the GIL that the row-making thread
# holds (5 ms by default: up to 3 s per 100,000 rows).
OVERLAP_ROWS = 2000
OVERLAP_QUEUE = 4
OVERLAP_SWITCH = 0.0005


class _Inserter:
    """A thread running the statements it is given, in order, on a sqlite3 connection.

    ``finish()`` waits for it and returns the first error (the statements after it are dropped, the
    caller's transaction is rolled back by its caller). ``logged`` is the connection's query log,
    when queries are being recorded (``DEBUG``, ``assertNumQueries``): each statement is added to it.
    """

    def __init__(self, db: sqlite3.Connection, *, logged=None):
        self._db, self._logged = db, logged
        self._queue: queue.Queue = queue.Queue(OVERLAP_QUEUE)
        self.error: BaseException | None = None
        self._finished = False
        _switch_lowered(True)
        self._thread = threading.Thread(target=self._run, name="gaizao-inserter", daemon=True)
        self._thread.start()

    def put(self, sql: str, params: list) -> None:
        if self.error is not None:
            raise _Stopped
        self._queue.put((sql, params))

    def _run(self) -> None:
        cursor = self._db.cursor()
        try:
            while (item := self._queue.get()) is not None:
                if self.error is not None:
                    continue  # drained: the maker stops at its next put
                sql, params = item
                start = time.perf_counter()
                try:
                    cursor.execute(sql, params)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self.error = exc
                    continue
                if self._logged is not None:
                    self._logged.append({"sql": f"{sql[:200]}… ({len(params)} values)",
                                         "time": f"{time.perf_counter() - start:.3f}"})
        finally:
            cursor.close()

    def finish(self) -> BaseException | None:
        if not self._finished:
            self._finished = True
            self._queue.put(None)
            self._thread.join()
            _switch_lowered(False)
        return self.error


_switch = {"users": 0, "saved": 0.005}
_switch_lock = threading.Lock()


def _switch_lowered(on: bool) -> None:
    """The switch interval lowered while any inserter runs (the process's setting: counted, so that
    two inserters in one process give back the interval that was there before the first)."""
    with _switch_lock:
        if on:
            if _switch["users"] == 0:
                _switch["saved"] = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch["saved"], OVERLAP_SWITCH))
            _switch["users"] += 1
        else:
            _switch["users"] -= 1
            if _switch["users"] == 0:
                sys.setswitchinterval(_switch["saved"])


class _Stopped(Exception):
    """The inserter met an error: the maker stops; ``drain`` raises the error."""


class _Overlap:
    """The inserting thread of an ``overlapped()`` block, started by its first large write."""

    def __init__(self, db):
        self.db = db
        self.inserter: _Inserter | None = None

    def put(self, sql: str, params: list) -> None:
        if self.inserter is None:
            self.inserter = _Inserter(self.db.connection,
                                      logged=self.db.queries_log if self.db.queries_logged else None)
        try:
            self.inserter.put(sql, params)
        except _Stopped:
            self.drain()

    def drain(self) -> None:
        """Wait until every statement given has run; raise the first error (as Django's error)."""
        inserter, self.inserter = self.inserter, None
        error = inserter.finish() if inserter is not None else None
        if error is not None:
            with self.db.wrap_database_errors:
                raise error

    def before_query(self, execute, sql, params, many, context):
        self.drain()  # a query of this thread sees (and never runs beside) the rows given before it
        return execute(sql, params, many, context)


@contextmanager
def overlapped(db=None) -> Iterator[None]:
    """Inside this block, RowWriter's large writes on SQLite go to one inserting thread that runs
    beside this one across writes: the rows of the next write are made while the last one's are
    inserted. Any query this thread makes through Django first waits for the statements given
    (an execute wrapper), so it reads what was written, and the block ends when all have run.
    PostgreSQL, a block inside another, and a block outside a transaction are left as they are (the
    transaction's commit is not a query the wrapper sees: it must come after the block).
    """
    db = db or connection
    if db.vendor != "sqlite" or not db.in_atomic_block or getattr(db, "gaizao_overlap", None) is not None:
        yield
        return
    state = _Overlap(db)
    db.gaizao_overlap = state
    try:
        with db.execute_wrapper(state.before_query):
            yield
        state.drain()
    finally:
        db.gaizao_overlap = None
        if state.inserter is not None:  # an error in this thread: stop the inserter, keep that error
            state.inserter.finish()


# A write of at least REBUILD_MIN_ROWS rows into a SQLite table holding at most REBUILD_EXISTING_SHARE
# times as many builds some of the table's indexes after the rows are in (``indexes_rebuilt``).
REBUILD_MIN_ROWS = 10_000
REBUILD_EXISTING_SHARE = 2


@contextmanager
def indexes_rebuilt(model: type[models.Model], *, adding: int, columns: Sequence[str], db=None) -> Iterator[bool]:
    """A large write into a table that holds fewer rows than it adds, with the table's plain indexes that
    lead with one of ``columns`` (attribute names) built once after the rows are in, instead of kept up
    to date row by row (索引后建), on SQLite.

    Each row inserted walks every index's B-tree. Where its key comes in no order (a keyed hash, a
    name), it lands on a page the cache no longer holds once the index outgrows it; ``CREATE INDEX``
    sorts the keys and writes the tree once. An index whose keys come in order (a foreign key the rows
    share, an increasing number) is cheap to keep and dearer to build again (a scan of the table each):
    the caller names the columns of the first kind. Measured (bench/README.md, "Issue 10: indexes
    built after the rows"), 100,000 households into an empty table: 1.35–1.45 s with their indexes kept
    up to date, 0.75–0.91 s with the name, initials and ID-hash indexes dropped and built again (0.9–1.0 s
    with all seven); with 100,000 households already there 2.7 s against 1.7 s, with 200,000 3.2 s
    against 2.3 s, with 400,000 about even. A table holding more than ``REBUILD_EXISTING_SHARE`` times
    the rows added is left as it is.

    Only plain indexes are dropped: a UNIQUE one checks the rows as they go in and stays. It happens in
    the caller's transaction: an error inside the block marks it for rollback, which brings the indexes
    back with the rows, and other connections read the table as last committed, indexes and all (WAL).
    Inside an ``overlapped()`` block the indexes are built by its inserting thread after the rows given
    so far (any query of this thread waits for them). A query inside the block that needs a dropped
    index scans the table: the block is for the write alone. Yields whether it dropped any. PostgreSQL,
    a write of fewer than ``REBUILD_MIN_ROWS`` and a block outside a transaction are left as they are.
    """
    db = db or connection
    indexes: list[tuple[str, str]] = []
    if db.vendor == "sqlite" and adding >= REBUILD_MIN_ROWS and db.in_atomic_block:
        quote = db.ops.quote_name
        table = model._meta.db_table
        leading = {model._meta.get_field(name).column for name in columns}
        with db.cursor() as cursor:
            # the highest key ever given: at least the rows there are (fewer when some were deleted)
            cursor.execute(f"SELECT MAX(rowid) FROM {quote(table)}")
            if (cursor.fetchone()[0] or 0) <= REBUILD_EXISTING_SHARE * adding:
                cursor.execute(
                    "SELECT m.name, m.sql FROM sqlite_master m, pragma_index_info(m.name) i WHERE m.type = 'index' "
                    "AND m.tbl_name = %s AND m.sql IS NOT NULL AND i.seqno = 0 AND i.name IN (%s) ORDER BY m.name"
                    % ("%s", ", ".join(["%s"] * len(leading))), [table, *sorted(leading)])
                indexes = [(name, sql) for name, sql in cursor.fetchall()
                           if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
    if not indexes:
        yield False
        return
    with db.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {db.ops.quote_name(name)}")
    try:
        yield True
        state = getattr(db, "gaizao_overlap", None)
        if state is not None and state.inserter is not None:
            for _name, sql in indexes:  # after the rows given, while this thread goes on
                state.put(sql, [])
        else:
            with db.cursor() as cursor:
                for _name, sql in indexes:
                    cursor.execute(sql)
    except BaseException:
        # The indexes come back with the rollback of the transaction that dropped them, even if the
        # caller catches this error inside it (an error of the write, or of building them again).
        transaction.set_rollback(True, using=db.alias)
        raise


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for ``count`` rows of ``model`` that the caller is about to insert with them.

    Knowing the keys first lets a bulk write prepare everything that refers to the rows (their
    buildings, their audit entries) before, or while, the rows themselves are written. PostgreSQL
    takes them from the table's sequence, which no other transaction will hand out again. SQLite
    continues after the highest key ever used (``AUTOINCREMENT`` keeps it in ``sqlite_sequence``);
    that holds only inside the transaction that inserts them, which has the write lock from its
    ``BEGIN IMMEDIATE`` on, so this refuses to run outside one.
    """
    if count <= 0:
        return []
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [quote(table), pk, count])
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids must run inside the transaction that inserts the rows")
        cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _null_by_omission(field: models.Field, value) -> bool:
    """Whether leaving the column out of an INSERT stores the same as writing ``value``: NULL, with no
    database default."""
    return value is None and field.null and field.db_default is models.NOT_PROVIDED


def _is_primitive(field: models.Field) -> bool:
    return isinstance(field, _PRIMITIVE) and not isinstance(field, _CONVERTED)


class RowWriter:
    """Inserts rows of one model given as tuples in the order of ``columns`` (attribute names).

    ``who`` names the code that supplies the rows, in the message when a column is missing.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, fixed: Mapping[str, Any] | None = None,
                 batch_size: int = BATCH_ROWS, who: str = "批量写入", prepared: Sequence[str] = ()):
        """``prepared`` names columns whose values the caller already made ready for the database
        (encrypted, hashed or converted); an encrypted column's hash column must then be supplied too."""
        self.model = model
        self.columns = tuple(columns)
        self.batch_size = batch_size
        fixed = dict(fixed or {})
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in (*self.columns, *fixed) if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
        self._encrypted: list[int] = []
        self._converted: list[tuple[int, models.Field]] = []
        self._hashed: list[int] = []  # the position of the source column of each hash column
        hash_fields: list[models.Field] = []
        self._now: list[models.Field] = []
        self._defaults: list[tuple[models.Field, object]] = []
        for index, name in enumerate(self.columns):
            field = fields[name]
            if name in prepared:
                continue
            if isinstance(field, EncryptedTextField):
                self._encrypted.append(index)
            elif isinstance(field, LookupHashField):
                raise ValueError(f"{model.__name__}.{name} is computed from {field.source}; supply that instead")
            elif not _is_primitive(field):
                self._converted.append((index, field))
        for name, field in fields.items():
            if name in self.columns or name in fixed:
                continue
            if isinstance(field, LookupHashField):
                source = model._meta.get_field(field.source).attname
                if source not in self.columns:
                    raise ValueError(f"{model.__name__}.{name} hashes {source}, which is not supplied")
                if source in prepared:
                    raise ValueError(f"{model.__name__}.{source} is supplied encrypted: supply {name} as well")
                self._hashed.append(self.columns.index(source))
                hash_fields.append(field)
            elif field.primary_key and field.db_returning:
                continue  # an auto primary key: the database numbers the rows
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self._now.append(field)
            elif field.has_default() or field.null:
                if field.unique and field.has_default() and callable(field.default):
                    raise ValueError(f"{model.__name__}.{name} needs a fresh default per row; supply it")
                self._defaults.append((field, field.get_default()))
            else:
                raise ValueError(f"{who}没有为 {model.__name__}.{name} 提供值，该字段也没有默认值；请在调用处补上。")
        # A column that is NULL in every row is left out of the statement: the database fills it
        # with NULL, and binding a NULL per row costs as much as a real value (measured: 30 bound
        # columns 0.40 s per 100,000 rows, the same without their 11 NULLs 0.18 s).
        self._defaults = [(f, value) for f, value in self._defaults if not _null_by_omission(f, value)]
        fixed = {name: value for name, value in fixed.items() if not _null_by_omission(fields[name], value)}
        fixed_fields = [fields[name] for name in fixed]
        self._fixed = tuple(f.get_db_prep_save(value, connection) for f, value in zip(fixed_fields, fixed.values()))
        order = [*(fields[name] for name in self.columns), *hash_fields, *self._now,
                 *(f for f, _v in self._defaults), *fixed_fields]
        quote = connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in order)}) "
                    f"VALUES ({', '.join(['%s'] * len(order))})")
        self._statements = None  # overlapped writes: _statement_parts()

    def write(self, rows: Iterable[tuple], *, progress: Callable[[int], None] | None = None) -> int:
        """Insert every row, one ``executemany`` per ``batch_size`` rows; return how many were written.

        ``progress`` is called with the number written so far after each batch. On SQLite, a write
        of more than one batch is overlapped (``_insert``).
        """
        return write_together((self, rows, progress))[0]

    def _constant(self) -> tuple:
        """The values every row of a write shares: the time of the write, defaults and fixed columns."""
        now = timezone.now()
        return (*(f.get_db_prep_save(now, connection) for f in self._now),
                *(f.get_db_prep_save(value, connection) for f, value in self._defaults), *self._fixed)

    def _insert(self, batch: list[tuple], constant: tuple, cursor, state: _Overlap | None) -> None:
        """One batch: ``executemany``, or, given an ``overlapped()`` block, statements for its thread.

        sqlite3 lets go of the GIL while a statement runs, so making rows (Python) and inserting
        them (SQLite's B-trees) can take the two cores at once — but with ``executemany`` the
        inserting thread needs the GIL back for every row and waits for it behind the busy maker
        (measured: no gain). One statement of several hundred rows (``INSERT … VALUES (…), (…)``)
        needs it once per statement, and runs for milliseconds without it: the thread then spends
        its time in SQLite (bench/README.md, "Issue 10: rows made while SQLite inserts"). The
        statements are as large as SQLite's limit of bound values allows (up to ``OVERLAP_ROWS``
        rows; 500 took 0.3 s more per 100,000 households, 1,000 0.2 s), a batch cut into equal
        parts so that its statements share one text. Fewer wait in the queue than with smaller
        ones: each large statement holds a few MB of SQLite's memory while it is prepared. They go
        to the block's thread, which may still be running them when this returns; the block waits
        for them.
        """
        if state is None:
            cursor.executemany(self.sql, self._params(batch, constant))
            return
        if self._statements is None:
            self._statements = self._statement_parts(len(constant))
        most, head, group, end, texts = self._statements
        parts = -(-len(batch) // most)
        per = -(-len(batch) // parts)
        plain = not (self._encrypted or self._hashed or self._converted)
        rows = batch if plain else self._params(batch, ())
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            # the shared values once, then each row's laid end to end (no tuple per row in between)
            flat: list = list(constant)
            extend = flat.extend
            for row in chunk:
                extend(row)
            sql = texts.get(len(chunk))
            if sql is None:
                sql = texts[len(chunk)] = head + ", ".join([group] * len(chunk)) + end
            state.put(sql, flat)

    def _statement_parts(self, shared: int) -> tuple[int, str, str, str, dict]:
        """An overlapped statement's parts: rows per statement at most, its head, one row's group, its
        end, and the texts made so far by number of rows. The values every row shares (the time of
        the write, defaults, fixed columns) are bound once per statement, not once per row:
        ``INSERT INTO t (a, b, c) SELECT column1, column2, ? FROM (VALUES (?, ?), (?, ?), …)``.
        A bound value costs about as much as a column's own work (``RowWriter``: the NULL columns left out)."""
        head, group = self.sql.split(" VALUES ")
        head, group = head.replace("%s", "?"), group.replace("%s", "?")
        width = group.count("?")
        own = width - shared  # the values each row binds
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        if not shared or own < 1:
            return max(1, min(OVERLAP_ROWS, limit // width)), f"{head} VALUES ", group, "", {}
        columns = ", ".join(f"column{i}" for i in range(1, own + 1))
        return (max(1, min(OVERLAP_ROWS, (limit - shared) // own)),
                f"{head} SELECT {columns}, {', '.join(['?'] * shared)} FROM (VALUES ",
                "(" + ", ".join(["?"] * own) + ")", ")", {})

    def _params(self, batch: list[tuple], constant: tuple) -> list[tuple]:
        if not (self._encrypted or self._hashed or self._converted):
            return [(*row, *constant) for row in batch] if constant else batch
        # Column by column: each conversion runs over the whole batch with its key looked up once.
        extra = [crypto.lookup_hash_many([row[i] for row in batch]) for i in self._hashed]
        replaced = [(i, crypto.encrypt_many([row[i] for row in batch])) for i in self._encrypted]
        replaced += [(i, [f.get_db_prep_save(row[i], connection) for row in batch]) for i, f in self._converted]
        params = []
        append = params.append
        for n, row in enumerate(batch):
            values = list(row)
            for i, column in replaced:
                values[i] = column[n]
            for column in extra:
                values.append(column[n])
            values.extend(constant)
            append(values)
        return params


def write_together(*writes: tuple[RowWriter, Iterable[tuple], Callable[[int], None] | None]) -> list[int]:
    """Several writers' rows, a batch of each in turn; how many rows each wrote.

    One write's rows can be slow to make and quick to insert (the audit trail's: JSON and the keyed
    chain), another's quick to make and slow to insert (households: ten indexes). Overlapped (on
    SQLite, more than one batch in all), taking them in turn keeps both cores busy, where one after
    the other leaves the inserting thread waiting for the first and the maker for the second.
    """
    pending = [_Pending(writer, iter(rows), progress, writer._constant()) for writer, rows, progress in writes]
    for item in pending:
        item.take()
    # More than one batch to come: the rows still to be made are made while the database inserts these.
    large = connection.vendor == "sqlite" and any(len(item.batch) == item.writer.batch_size for item in pending)
    with gc_paused(), connection.cursor() as cursor, (overlapped() if large else nullcontext()):
        state = getattr(connection, "gaizao_overlap", None) if large else None
        while any(item.batch for item in pending):
            for item in pending:
                if not item.batch:
                    continue
                item.writer._insert(item.batch, item.constant, cursor, state)
                item.written += len(item.batch)
                if item.progress is not None:
                    item.progress(item.written)
                item.take()
    return [item.written for item in pending]


@dataclass(slots=True)
class _Pending:
    """One writer's part of ``write_together``: its rows, the batch to insert next, the rows written."""

    writer: RowWriter
    rows: Iterator[tuple]
    progress: Callable[[int], None] | None
    constant: tuple
    written: int = 0
    batch: list = field(default_factory=list)

    def take(self) -> None:
        self.batch = list(islice(self.rows, self.writer.batch_size))


