"""Existing ledgers (before progress existed): count their areas and scope into the rollups."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if not apps.get_model("ledger", "Household").objects.exists():
        return  # a fresh database: nothing to count
    from gaizao.progress import rollups

    rollups.rebuild()


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_events_hard_cases_rollups")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
