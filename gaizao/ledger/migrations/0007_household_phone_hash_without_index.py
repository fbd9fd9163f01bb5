"""Drop the index on households' phone hash: nothing looks a household up by phone.

Dropped by name as the database reports it rather than by AlterField, which on SQLite would
rebuild the whole household table (minutes at a million households).
"""

import gaizao.core.fields
from django.db import migrations


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "ledger_household")
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == ["phone_hash"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor):
    schema_editor.execute("CREATE INDEX ledger_household_phone_hash_idx ON ledger_household (phone_hash)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_household_stage_dates_and_area")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="household", name="phone_hash",
                field=gaizao.core.fields.LookupHashField(db_index=False, source="phone"),
            )],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
