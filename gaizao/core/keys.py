"""Data-key operations: check that the key opens the stored data, and rotate it (密钥轮换)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator

from django.apps import apps
from django.db import connection, models, transaction

from gaizao.core import audit, crypto
from gaizao.core.actors import SYSTEM
from gaizao.core.fields import EncryptedTextField, LookupHashField


@dataclass
class EncryptedColumns:
    model: type[models.Model]
    fields: list[EncryptedTextField]
    hashes: dict[str, LookupHashField] = field(default_factory=dict)  # source name -> hash field


def encrypted_columns() -> Iterator[EncryptedColumns]:
    for model in apps.get_models():
        enc = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not enc:
            continue
        hashes = {f.source: f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)}
        yield EncryptedColumns(model, enc, hashes)


def check(*, sample: bool = True) -> Counter:
    """Open stored values with the configured keys; raise DataKeyError on the first that fails.

    ``sample`` opens one value per column (the start-up check); otherwise every value.
    Returns how many values each key id opened.
    """
    crypto.keyring()  # a missing or malformed key fails here, before any query
    opened: Counter = Counter()
    for cols in encrypted_columns():
        for f in cols.fields:
            for blob in _raw_values(cols.model, f, limit=1 if sample else None):
                crypto.decrypt(blob)
                opened[crypto.key_id_of(blob).hex()] += 1
    return opened


def _raw_values(model: type[models.Model], f: EncryptedTextField, *, limit: int | None) -> Iterator[bytes]:
    """The stored bytes of one encrypted column, without the field decrypting them."""
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn(f.column)} FROM {qn(model._meta.db_table)} WHERE {qn(f.column)} IS NOT NULL"
        f" ORDER BY {qn(model._meta.pk.column)}"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(2000):
            for (blob,) in rows:
                yield bytes(blob)


def rotate(*, actor=SYSTEM, batch_size: int = 2000, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Re-encrypt every encrypted value with the current key and recompute the lookup hashes.

    Old keys must be listed in GAIZAO_DATA_KEYS_OLD while this runs. Runs in one transaction:
    a failure leaves every row as it was.
    """
    current = crypto.keyring().current
    counts: dict[str, int] = {}
    with transaction.atomic():
        for cols in encrypted_columns():
            names = [f.name for f in cols.fields]
            hash_fields = [cols.hashes[n] for n in names if n in cols.hashes]
            done = 0
            last_pk = None
            manager = cols.model._base_manager
            while True:
                qs = manager.order_by("pk").only("pk", *names)
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                batch = list(qs[:batch_size])
                if not batch:
                    break
                for obj in batch:
                    for hf in hash_fields:
                        plain = getattr(obj, hf.source)
                        setattr(obj, hf.attname, crypto.lookup_hash(plain, key=current) if plain else None)
                # bulk_update sends the plain values through the field again: encrypted anew.
                manager.bulk_update(batch, names + [hf.name for hf in hash_fields])
                done += len(batch)
                last_pk = batch[-1].pk
                if progress:
                    progress(cols.model._meta.label, done)
            counts[cols.model._meta.label] = done
        audit.record(actor=actor, actor_name="keys", action="keys.rotate", changes={"rows": counts})
    return counts
