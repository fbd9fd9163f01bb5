"""Drop the audit table's index on object_type alone: (object_type, object_id) leads with it.

Every write appends an audit entry, and a bulk import appends one per household: one B-tree
less to update per entry. The index is dropped by name as the database reports it, not by
altering the field: on SQLite an AlterField rebuilds the table and would drop the
append-only triggers with it.
"""

from django.db import migrations, models


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    table = "core_auditentry"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == ["object_type"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor):
    schema_editor.execute("CREATE INDEX core_auditentry_object_type_idx ON core_auditentry (object_type)")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only_triggers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="auditentry", name="object_type",
                field=models.CharField(blank=True, max_length=64, verbose_name="对象类型"),
            )],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
