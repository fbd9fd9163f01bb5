"""The audit entry's hash loses its unique index (see AuditEntry.entry_hash).

On SQLite, changing the field rebuilds the table, and the append-only triggers go with the old
one: they are installed again straight after, in the same migration. Going back, the rebuild
happens again and the triggers are installed once more.
"""

from django.db import migrations, models

from gaizao.core import audit_triggers


def install_triggers(apps, schema_editor):
    audit_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_drop_redundant_object_type_index")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, install_triggers),
        migrations.AlterField(model_name="auditentry", name="entry_hash", field=models.CharField(max_length=64)),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
