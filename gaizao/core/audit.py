"""Writing and verifying the SM3-chained audit trail (审计日志, 等保 level 3, 网络安全法 §21)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from django.db import connection, models, transaction
from django.utils import timezone

from gaizao.core import masking
from gaizao.core.bulk import RowWriter
from gaizao.core.crypto import sm3_hex
from gaizao.core.fields import EncryptedTextField, LookupHashField
from gaizao.core.models import AuditEntry

GENESIS = "0" * 64

# Chinese labels of audit actions, for the auditor's page and the history on detail pages.
# Each app adds its own in AppConfig.ready() through register_action_labels.
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
# Any 64-bit number: the advisory lock that serialises appends to the chain on PostgreSQL.
# (On SQLite every write transaction begins IMMEDIATE, which serialises them already.)
_PG_LOCK_KEY = 0x6761697A616F  # "gaizao"
# record_many: the columns each entry supplies, and those every entry of one call shares.
_ENTRY_COLUMNS = ("action", "object_type", "object_id", "object_repr", "changes", "prev_hash", "entry_hash")
_SHARED_COLUMNS = ("created_at", "actor_id", "actor_name", "result", "ip")


_PLAIN = (str, int, bool, float, type(None))


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        # PostgreSQL's jsonb cannot hold NUL; drop it on every database so the hash agrees.
        return value.replace("\x00", "") if "\x00" in value else value
    if kind in _PLAIN:  # the common cases first: this runs for every value of every entry
        return value
    if kind is dict:
        return {(k if type(k) is str and "\x00" not in k else _jsonable(str(k))):
                (v if (t := type(v)) in _PLAIN and (t is not str or "\x00" not in v) else _jsonable(v))
                for k, v in value.items()}
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return _jsonable(dict(value))
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def mask_sensitive(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) == 18:
        return masking.mask_citizen_id(text)
    return masking.mask_phone(text)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The values of an object's concrete fields, encrypted ones masked, hashes left out."""
    out: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if isinstance(field, LookupHashField) or field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, EncryptedTextField):
            value = mask_sensitive(value) if value else ""
        out[field.name] = _jsonable(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def canonical(entry: AuditEntry) -> bytes:
    content = {
        "created_at": entry.created_at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "result": entry.result,
        "ip": entry.ip,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return sm3_hex(prev_hash.encode("ascii") + canonical(entry))


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict | None = None,
    result: str = AuditEntry.Result.SUCCESS,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction (or a new one)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    # No savepoint of its own: an entry that cannot be written fails the caller's whole write.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        cursor.execute(_sql()["last"])
        last = cursor.fetchone()
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if is_user else None,
            actor_name=(actor.get_username() if is_user else actor_name or "system")[:150],
            action=action,
            object_type=str(object_type)[:64],
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:200],
            changes=_jsonable(changes or {}),
            result=result,
            ip=ip,
            prev_hash=last[0] if last else GENESIS,
        )
        entry.entry_hash = compute_hash(entry.prev_hash, entry)
        # One plain INSERT (values prepared by the fields, as save() would): this runs on every write.
        cursor.execute(_sql()["insert"], [f.get_db_prep_save(getattr(entry, f.attname), connection)
                                          for f in _insert_fields()])
        entry.pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
        entry._state.adding = False
    return entry


def _insert_fields() -> list:
    return [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


_SQL: dict[str, dict[str, str]] = {}


def _sql() -> dict[str, str]:
    """The two statements ``record`` runs, built once per database vendor."""
    if connection.vendor not in _SQL:
        qn = connection.ops.quote_name
        table = qn(AuditEntry._meta.db_table)
        fields = _insert_fields()
        insert = (f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) "
                  f"VALUES ({', '.join(['%s'] * len(fields))})")
        if connection.features.can_return_columns_from_insert:
            insert += f" RETURNING {qn('id')}"
        _SQL[connection.vendor] = {"last": f"SELECT {qn('entry_hash')} FROM {table} ORDER BY {qn('id')} DESC LIMIT 1",
                                   "insert": insert}
    return _SQL[connection.vendor]


@dataclass
class Change:
    """One audited change for ``record_many`` (bulk paths such as the ledger import)."""

    action: str
    object_type: str
    object_id: str | int
    object_repr: str = ""
    changes: dict | None = None


def record_many(*, actor, items: Iterable[Change], ip: str | None = None, batch_size: int = 2000) -> int:
    """Append many entries in one go: chained in memory, inserted with ``executemany`` (core.bulk).

    Must run inside the caller's transaction; holds the chain lock (PostgreSQL) until it ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    prev = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    shared = {"created_at": timezone.now(), "actor_id": actor.pk if is_user else None,
              "actor_name": actor.get_username() if is_user else "system", "result": AuditEntry.Result.SUCCESS,
              "ip": ip}
    # The changes are serialised once, for the hash and for the column alike (they are most of an
    # entry's bytes); the rest of canonical() is spliced around them (see _canonical_parts).
    writer = RowWriter(AuditEntry, _ENTRY_COLUMNS, fixed=shared, batch_size=batch_size, who="audit.record_many",
                       prepared=("changes",))
    created_at = shared["created_at"].astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    json_value = _json_column()
    heads: dict[str, str] = {}  # action -> the canonical text before the changes (the actor is shared)
    # The canonical text after the changes: keys in sorted order, the shared values written once.
    tail_start = f',"created_at":{_dumps(created_at)},"ip":{_dumps(ip)},"object_id":'
    tail_end = f',"result":{_dumps(shared["result"])}}}'

    def rows():
        nonlocal prev
        for item in items:
            action = item.action
            object_type, object_id = str(item.object_type)[:64], str(item.object_id)[:64]
            object_repr = str(item.object_repr)[:200]
            changes = _dumps(_jsonable(item.changes or {}))
            head = heads.get(action)
            if head is None:
                head = heads[action] = _dumps({"action": action, "actor_id": shared["actor_id"],
                                               "actor_name": shared["actor_name"]})[:-1]
            content = (f'{head},"changes":{changes}{tail_start}{_json_string(object_id)},"object_repr":'
                       f'{_json_string(object_repr)},"object_type":{_json_string(object_type)}{tail_end}')
            digest = sm3_hex(prev.encode("ascii") + content.encode("utf-8"))
            yield (action, object_type, object_id, object_repr, json_value(changes), prev, digest)
            prev = digest

    return writer.write(rows())


# JSON as canonical() writes it: sorted keys, no spaces, Chinese as is; a string alone the same way.
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_json_string = json.encoder.encode_basestring


def _json_column():
    """How a JSON text already serialised goes into the ``changes`` column on this database."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda text: Jsonb(text, dumps=lambda already: already)
    return lambda text: text


@dataclass
class VerifyResult:
    ok: bool
    verified: int
    broken_id: int | None = None
    reason: str = ""


def verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; stop at the first entry whose link or content does not hold."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(ok=True, verified=count)
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(False, count, entry.id, "前序哈希不连续（有记录被删除、插入或改动）")
            if compute_hash(entry.prev_hash, entry) != entry.entry_hash:
                return VerifyResult(False, count, entry.id, "内容与哈希不符（记录被篡改）")
            prev = entry.entry_hash
            count += 1
            last_id = entry.id
