"""Writing and verifying the keyed, anchored audit trail (审计日志, 等保 level 3, 网络安全法 §21).

Each entry's hash is HMAC-SM3(audit key, previous hash + canonical content). The audit key
(``GAIZAO_AUDIT_KEY``) lives outside the database, so someone who can write the database (and
drop the append-only triggers) cannot rewrite an entry and recompute the chain after it.

Deleting the last entries leaves a chain that still holds; checkpoints catch that. A checkpoint
(检查点) is the count of entries, the last one's id and hash and the time, MACed with the audit key
and appended as one JSON line to a file outside the database (``GAIZAO_AUDIT_CHECKPOINT_FILE``).
``verify`` checks the chain and the last checkpoint; `gaizao audit verify` and `gaizao audit
checkpoint` (cron) append a new one.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit_triggers, crypto, masking
from gaizao.core.actors import SYSTEM, as_user
from gaizao.core.bulk import RowWriter
from gaizao.core.crypto import AuditKey, sm3_hex
from gaizao.core.errors import AppError
from gaizao.core.fields import EncryptedTextField, LookupHashField
from gaizao.core.models import AuditEntry

GENESIS = "0" * 64

# Chinese labels of audit actions, for the auditor's page and the history on detail pages.
# Each app adds its own in AppConfig.ready() through register_action_labels.
ACTION_LABELS: dict[str, str] = {
    "audit.rechain": gettext_lazy("审计日志改用密钥哈希链"),
    "audit.rekey": gettext_lazy("更换审计密钥"),
    "keys.rotate": gettext_lazy("更换数据加密密钥"),
    "text.clean_control_characters": gettext_lazy("清除文本中的控制字符"),
    "demo.load": gettext_lazy("载入演示数据"),
}
# Who wrote an entry when no person did: the system actor and the commands that name themselves.
SYSTEM_ACTOR_NAMES: dict[str, Any] = {
    "system": gettext_lazy("系统"),
    "demo": gettext_lazy("演示数据程序"),
    "keys": gettext_lazy("密钥更换命令"),
}


def actor_label(actor_id: int | None, actor_name: str) -> str:
    """The entry's actor as a person reads it: a user's name, or what the system actor was."""
    if actor_id is None and actor_name in SYSTEM_ACTOR_NAMES:
        return str(SYSTEM_ACTOR_NAMES[actor_name])
    return actor_name


def register_action_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# Chinese names of the objects an entry is about (``object_type`` "app_label.model"): a model's own
# verbose name, unless an app registers another (register_object_labels); never the model's code.
OBJECT_LABELS: dict[str, str] = {}
UNKNOWN_OBJECT = gettext_lazy("其他记录")


def register_object_labels(labels: dict[str, str]) -> None:
    OBJECT_LABELS.update(labels)


def _model(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    """「住户」 for "ledger.household": what the auditor's page and the histories show."""
    if object_type in OBJECT_LABELS:
        return str(OBJECT_LABELS[object_type])
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else str(UNKNOWN_OBJECT)


def field_label(object_type: str, name: str) -> str:
    """A changed field's Chinese name (the model field's verbose name), else the name as recorded."""
    model = _model(object_type)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # FieldDoesNotExist, or a key that is not a field (a summary's own words)
            pass
    return str(CHANGE_WORDS.get(name, name))


# Keys of ``changes`` that are not model fields but recur across apps.
CHANGE_WORDS: dict[str, Any] = {
    "after": gettext_lazy("新值"), "before": gettext_lazy("原值"), "file": gettext_lazy("文件"),
    "new": gettext_lazy("新增"), "changed": gettext_lazy("修改"), "unchanged": gettext_lazy("未变"),
    "rejected": gettext_lazy("未导入"), "reason": gettext_lazy("理由"), "count": gettext_lazy("数量"),
    "photos": gettext_lazy("照片"),
}


def describe_changes(object_type: str, changes: Any) -> list[tuple[str, str]]:
    """An entry's changes as (label, text) lines in Chinese: ``[before, after]`` pairs read
    "before → after", a nested ``{"after": {...}}`` is opened, other values shown as they are."""
    if not isinstance(changes, dict):
        return [("", _plain(changes))] if changes not in (None, "", [], {}) else []
    lines: list[tuple[str, str]] = []
    for key, value in changes.items():
        if key in ("after", "before") and isinstance(value, dict):
            lines.extend((f"{field_label(object_type, k)}", _plain(v)) for k, v in value.items())
        elif isinstance(value, list) and len(value) == 2 and not any(isinstance(v, (dict, list)) for v in value):
            lines.append((field_label(object_type, key), f"{_plain(value[0])} → {_plain(value[1])}"))
        else:
            lines.append((field_label(object_type, key), _plain(value)))
    return lines


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    return str(value)
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
    if len(text) == 18 and "-" not in text:  # a landline with an extension can be 18 long: 0755-12345678-1234
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


def chain_hash(prev_hash: str, content: bytes, *, key: AuditKey | None = None) -> str:
    """HMAC-SM3(audit key, previous hash + canonical content), in hex: one link of the chain."""
    mac = (key or crypto.audit_key()).chain.copy()  # a prepared state: no key set-up per entry
    mac.update(prev_hash.encode("ascii") + content)
    return mac.finalize().hex()


def compute_hash(prev_hash: str, entry: AuditEntry, *, key: AuditKey | None = None) -> str:
    return chain_hash(prev_hash, canonical(entry), key=key)


def plain_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The chain's hash before it was keyed (SM3 without a key): only to re-chain old entries."""
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
    is_user = as_user(actor) is not None
    # No savepoint of its own: an entry that cannot be written fails the caller's whole write.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        cursor.execute(_sql()["last"])
        last = cursor.fetchone()
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if is_user else None,
            actor_name=(actor.get_username() if is_user else actor_name or SYSTEM.get_username())[:150],
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
    # True when ``changes`` holds only str keys and str (without NUL), int, bool and None values, in
    # dicts and lists: serialised as it is, without the walk that makes other values JSON. The
    # ledger import's 100,000 entries are such (its text cells refuse control characters): the
    # walk cost them ~0.3 s. Anything else in a plain change fails loudly (TypeError), never quietly.
    plain: bool = False
    # ``changes`` already written as the chain writes it (``canonical_json``: sorted keys, no spaces,
    # Chinese as is), by a caller that makes many of one shape (the ledger import: the encoder cost
    # its 100,000 entries ~0.3 s). Used instead of ``changes``; the caller's test holds the two equal.
    text: str | None = None


def record_many(*, actor, items: Iterable[Change], ip: str | None = None, batch_size: int = 2000) -> int:
    """Append many entries in one go: chained in memory, inserted with ``executemany`` (core.bulk).

    Must run inside the caller's transaction; holds the chain lock (PostgreSQL) until it ends.
    """
    writer, rows = entries_to_write(actor=actor, items=items, ip=ip, batch_size=batch_size)
    return writer.write(rows)


def entries_to_write(*, actor, items: Iterable[Change], ip: str | None = None,
                     batch_size: int = 2000) -> tuple[RowWriter, Iterator[tuple]]:
    """``record_many``'s writer and rows, for a caller that writes them beside rows of its own
    (``bulk.write_together``: the ledger import). The chain's head is read (and, on PostgreSQL,
    locked) now; nothing else may append to the trail until the rows are written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    prev = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS
    is_user = as_user(actor) is not None
    shared = {"created_at": timezone.now(), "actor_id": actor.pk if is_user else None,
              "actor_name": actor.get_username() if is_user else SYSTEM.get_username(),
              "result": AuditEntry.Result.SUCCESS, "ip": ip}
    # The changes are serialised once, for the hash and for the column alike (they are most of an
    # entry's bytes); the rest of canonical() is spliced around them (see _canonical_parts).
    writer = RowWriter(AuditEntry, _ENTRY_COLUMNS, fixed=shared, batch_size=batch_size, who="audit.record_many",
                       prepared=("changes",))
    created_at = shared["created_at"].astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    json_value = _json_column()
    new_state = crypto.audit_key().chain.copy  # prepared once; each entry copies it
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
            changes = (item.text if item.text is not None else
                       _dumps(item.changes if item.plain else _jsonable(item.changes or {})))
            head = heads.get(action)
            if head is None:
                head = heads[action] = _dumps({"action": action, "actor_id": shared["actor_id"],
                                               "actor_name": shared["actor_name"]})[:-1]
            content = (f'{head},"changes":{changes}{tail_start}{_json_string(object_id)},"object_repr":'
                       f'{_json_string(object_repr)},"object_type":{_json_string(object_type)}{tail_end}')
            state = new_state()
            state.update(prev.encode("ascii") + content.encode("utf-8"))
            digest = state.finalize().hex()
            yield (action, object_type, object_id, object_repr, json_value(changes), prev, digest)
            prev = digest

    return writer, rows()


# JSON as canonical() writes it: sorted keys, no spaces, Chinese as is; a string alone the same way.
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_json_string = json.encoder.encode_basestring
canonical_json, json_string = _dumps, _json_string  # for a caller writing ``Change.text``


def _json_column():
    """How a JSON text already serialised goes into the ``changes`` column on this database."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda text: Jsonb(text, dumps=lambda already: already)
    return lambda text: text


@dataclass(frozen=True)
class Checkpoint:
    """One line of the checkpoint file (审计检查点): the chain's length and head at a time, keyed."""

    count: int
    last_id: int
    last_hash: str
    at: str
    key: str  # the audit key's fingerprint (AuditKey.key_id)
    mac: str = ""
    line: int = 0  # its line number in the file, for messages

    def body(self) -> bytes:
        return _dumps({"at": self.at, "count": self.count, "key": self.key, "last_hash": self.last_hash,
                       "last_id": self.last_id}).encode("utf-8")

    def expected_mac(self, key: AuditKey) -> str:
        mac = key.anchor.copy()
        mac.update(self.body())
        return mac.finalize().hex()

    def describe(self) -> str:
        return f"检查点文件第 {self.line} 行（{self.at}，{self.count} 条，截至第 {self.last_id} 号记录）"


class CheckpointError(Exception):
    """The checkpoint file's last line cannot be trusted (its reason is in Chinese)."""


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def last_checkpoint(*, key: AuditKey | None = None, path: Path | None = None) -> Checkpoint | None:
    """The last checkpoint of the file, its MAC checked; None when there is none yet."""
    key = key or crypto.audit_key()
    path = path or checkpoint_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    numbered = [(n, text) for n, text in enumerate(lines, start=1) if text.strip()]
    if not numbered:
        return None
    number, text = numbered[-1]
    try:
        data = json.loads(text)
        point = Checkpoint(count=int(data["count"]), last_id=int(data["last_id"]), last_hash=str(data["last_hash"]),
                           at=str(data["at"]), key=str(data["key"]), mac=str(data["mac"]), line=number)
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(f"检查点文件第 {number} 行无法解析（文件被改动或截断）：{path}") from None
    if point.key != key.key_id:
        raise CheckpointError(
            f"{point.describe()}由另一把审计密钥签署（密钥指纹 {point.key}，当前 {key.key_id}）："
            "GAIZAO_AUDIT_KEY 不是写入审计日志时的密钥，或检查点被伪造")
    if not hmac.compare_digest(point.mac, point.expected_mac(key)):
        raise CheckpointError(f"{point.describe()}的签名不符：检查点被伪造或改动")
    return point


def write_checkpoint(result: "VerifyResult", *, key: AuditKey | None = None, path: Path | None = None) -> Checkpoint:
    """Append a checkpoint of a chain that has just verified (never of one that has not)."""
    if not result.ok:
        raise ValueError("a chain that does not verify is not checkpointed")
    key = key or crypto.audit_key()
    path = path or checkpoint_path()
    point = Checkpoint(count=result.verified, last_id=result.last_id, last_hash=result.last_hash,
                       at=timezone.localtime().isoformat(timespec="seconds"), key=key.key_id)
    line = _dumps({"at": point.at, "count": point.count, "key": point.key, "last_hash": point.last_hash,
                   "last_id": point.last_id, "mac": point.expected_mac(key)}) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Appended, never rewritten; on disk before the command reports success.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return point


@dataclass
class VerifyResult:
    ok: bool
    verified: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int = 0  # the head of what verified, for the next checkpoint
    last_hash: str = GENESIS
    checkpoint: Checkpoint | None = None  # the checkpoint checked against; None: none yet
    against_checkpoint: bool = False  # the failure is the checkpoint's (or the chain's against it)


def verify(*, batch_size: int = 5000, key: AuditKey | None = None, anchored: bool = True,
           since_checkpoint: bool = False) -> VerifyResult:
    """Walk the chain in order; stop at the first entry whose link or content does not hold.

    ``anchored``: also hold the chain to the last checkpoint (truncation, rewriting).
    ``since_checkpoint``: trust what the last checkpoint covers once its own entry still matches,
    and walk only the entries after it (`gaizao audit checkpoint` every hour).
    """
    key = key or crypto.audit_key()
    point = None
    if anchored or since_checkpoint:
        try:
            point = last_checkpoint(key=key)
        except CheckpointError as exc:
            return VerifyResult(False, 0, None, str(exc), against_checkpoint=True)
    prev, count, last_id, seen = GENESIS, 0, 0, False
    if point is not None and since_checkpoint and point.count:
        head = AuditEntry.objects.filter(pk=point.last_id).first()
        if head is None:
            tail = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            if tail < point.last_id:
                return _against(point, "truncated", count=AuditEntry.objects.count(), last_id=tail)
            return _against(point, "missing")
        if head.entry_hash != point.last_hash or compute_hash(head.prev_hash, head, key=key) != head.entry_hash:
            return _against(point, "rewritten")
        upto = AuditEntry.objects.filter(pk__lte=point.last_id).count()
        if upto != point.count:
            return _against(point, "count", count=upto)
        prev, count, last_id = point.last_hash, point.count, point.last_id
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(False, count, entry.id, "前序哈希不连续（有记录被删除、插入或改动）", checkpoint=point)
            if compute_hash(entry.prev_hash, entry, key=key) != entry.entry_hash:
                reason = "内容与哈希不符（记录被篡改）"
                if count == 0:
                    reason = ("内容与哈希不符：第一条记录即不符，多半是 GAIZAO_AUDIT_KEY 不是写入审计日志时的审计密钥"
                              "（否则是记录被篡改）")
                return VerifyResult(False, count, entry.id, reason, checkpoint=point)
            count += 1
            if point is not None and entry.id == point.last_id:
                seen = True
                if entry.entry_hash != point.last_hash:
                    return _against(point, "rewritten", count=count)
                if count != point.count:
                    return _against(point, "count", count=count)
            prev, last_id = entry.entry_hash, entry.id
    if point is not None and point.count and not seen and not (since_checkpoint and last_id >= point.last_id):
        kind = "truncated" if last_id < point.last_id or count < point.count else "missing"
        return _against(point, kind, count=count, last_id=last_id)
    return VerifyResult(True, count, last_id=last_id, last_hash=prev, checkpoint=point)


def _against(point: Checkpoint, kind: str, *, count: int = 0, last_id: int = 0) -> VerifyResult:
    """The chain disagrees with the last checkpoint: say how, naming the checkpoint."""
    reason = {
        "truncated": f"审计日志现有 {count} 条（截至第 {last_id} 号记录），少于{point.describe()}：末尾的记录被删除（截断）",
        "missing": f"{point.describe()}所记的第 {point.last_id} 号记录已不存在：记录被删除",
        "rewritten": f"第 {point.last_id} 号记录的哈希与{point.describe()}不符：记录被改写",
        "count": f"审计日志截至第 {point.last_id} 号记录有 {count} 条，与{point.describe()}不符：其间的记录被删除或插入",
    }[kind]
    return VerifyResult(False, count, point.last_id, reason, checkpoint=point, against_checkpoint=True)


@dataclass
class Rechained:
    count: int
    old_chain_ok: bool
    first_broken_id: int | None = None


def rechain(*, connection, model=AuditEntry, key: AuditKey, old_hash, batch_size: int = 2000) -> Rechained:
    """Compute every entry's link again with ``key``, in id order, in the caller's transaction.

    ``old_hash(prev_hash, entry)`` is the hash the chain was written with (``plain_hash`` before
    it was keyed, ``compute_hash`` with the old key for a rotation): the walk checks each old link
    and reports the first that did not hold, so a re-chain never hides an earlier break silently.
    Used by migration 0006 (``model`` is then the historical one) and by ``rekey``.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    update = f"UPDATE {table} SET prev_hash = %s, entry_hash = %s WHERE id = %s"
    old_prev, new_prev, count, last_id = GENESIS, GENESIS, 0, 0
    first_broken = None
    audit_triggers.remove(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        while True:
            batch = list(model.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
            if not batch:
                break
            rows = []
            for entry in batch:
                if first_broken is None and (entry.prev_hash != old_prev
                                             or old_hash(entry.prev_hash, entry) != entry.entry_hash):
                    first_broken = entry.id
                old_prev = entry.entry_hash
                digest = chain_hash(new_prev, canonical(entry), key=key)
                rows.append((new_prev, digest, entry.id))
                new_prev, last_id = digest, entry.id
                count += 1
            cursor.executemany(update, rows)
    audit_triggers.install(connection)
    return Rechained(count=count, old_chain_ok=first_broken is None, first_broken_id=first_broken)


def rekey(*, old: AuditKey) -> Rechained:
    """Rotate the audit key (`gaizao audit rekey`): the chain and its last checkpoint must verify
    with the old key; then every link is computed with the new one, the rotation is recorded as
    an entry of its own, and a checkpoint with the new key is appended. One transaction."""
    new = crypto.audit_key()  # the one record() writes with
    if new.key_id == old.key_id:
        raise AppError(_("新旧审计密钥相同：请把新密钥设为 GAIZAO_AUDIT_KEY，旧密钥设为 GAIZAO_AUDIT_KEY_OLD。"))
    with transaction.atomic():
        before = verify(key=old)
        if not before.ok:
            raise AppError(_("用旧审计密钥校验失败（第 %(id)s 号记录：%(reason)s），未更换密钥：请先查明原因。")
                           % {"id": before.broken_id, "reason": before.reason})
        done = rechain(connection=transaction.get_connection(), key=new,
                       old_hash=lambda prev, entry: compute_hash(prev, entry, key=old))
        record(actor=SYSTEM, action="audit.rekey", object_type="core.auditentry",
               changes={"count": done.count, "old_key": old.key_id, "new_key": new.key_id})
        after = verify(key=new, anchored=False)
    write_checkpoint(after, key=new)
    return done
