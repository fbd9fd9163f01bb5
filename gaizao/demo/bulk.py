"""A narrow, fast bulk insert for the demo's millions of rows (批量写入).

``bulk_create`` spends 30–150 µs per row in Django's generic SQL compiler here (measured: 1,000,000
households with their members and buildings would take over ten minutes on SQLite), so the demo
writes households, persons and buildings with ``executemany`` instead. Values still go through
the model's own fields where it matters:

- an ``EncryptedTextField`` column is converted by ``field.get_db_prep_save`` (SM4 encryption),
- a ``LookupHashField`` is filled by ``field.pre_save`` from its source value (keyed SM3 hash),
- columns the generator does not supply get the field's default, ``auto_now``/``auto_now_add``
  columns the time of the write, each converted once per batch by the field.

The generator supplies every other column as a database-ready primitive (int, str, Decimal, None).
A new model field without a default makes the writer refuse to start, with a message naming it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

from gaizao.core.fields import EncryptedTextField, LookupHashField

_PRIMITIVE_FIELDS = (models.AutoField, models.BigAutoField, models.IntegerField, models.CharField,
                     models.TextField, models.DecimalField, models.ForeignKey, models.BooleanField)


class _Source:
    """Stands in for a model instance when a lookup-hash field reads its source value."""


class RowWriter:
    """Inserts rows of one model given as tuples in the order of ``columns`` (attribute names)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.columns = tuple(columns)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
        self._encrypted: list[tuple[int, models.Field]] = []
        self._hashes: list[tuple[int, models.Field]] = []
        self._now: list[models.Field] = []
        self._defaults: list[tuple[models.Field, object]] = []
        for index, name in enumerate(self.columns):
            field = fields[name]
            if isinstance(field, EncryptedTextField):
                self._encrypted.append((index, field))
            elif not isinstance(field, _PRIMITIVE_FIELDS):
                raise ValueError(f"{model.__name__}.{name} ({type(field).__name__}) needs conversion; "
                                 "the demo's fast insert only takes primitive columns")
        for name, field in fields.items():
            if name in self.columns:
                continue
            if isinstance(field, LookupHashField):
                source = fields[field.source].attname
                if source not in self.columns:
                    raise ValueError(f"{model.__name__}.{name} hashes {source}, which is not supplied")
                self._hashes.append((self.columns.index(source), field))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self._now.append(field)
            elif field.has_default() or field.null:
                self._defaults.append((field, field.get_default()))
            else:
                raise ValueError(
                    f"演示数据生成器没有为 {model.__name__}.{name} 提供值，该字段也没有默认值；"
                    "请在 gaizao/demo 中补上。"
                )
        order = [fields[name] for name in self.columns] + [f for _i, f in self._hashes] + self._now \
            + [f for f, _v in self._defaults]
        quote = connection.ops.quote_name
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in order)}) "
                    f"VALUES ({', '.join(['%s'] * len(order))})")

    def write(self, rows: list[tuple]) -> int:
        """Insert ``rows`` (one ``executemany``) and return how many were written."""
        if not rows:
            return 0
        now = timezone.now()
        constant = tuple(f.get_db_prep_save(now, connection) for f in self._now) + tuple(
            f.get_db_prep_save(value, connection) for f, value in self._defaults)
        encrypted, hashes = self._encrypted, self._hashes
        holder = _Source()
        params = []
        append = params.append
        for row in rows:
            extra = []
            for index, field in hashes:  # the keyed hash, computed by the field itself
                setattr(holder, field.source, row[index])
                extra.append(field.pre_save(holder, True))
            if encrypted:
                row = list(row)
                for index, field in encrypted:
                    row[index] = field.get_db_prep_save(row[index], connection)
            append((*row, *extra, *constant))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
        return len(rows)
