"""Remove invisible control characters from progress records' stored text (issue 15, item 3).

Notes of stage events and consultations, hard cases (难点说明, 一户一策, 销号说明), visits and
attachment names: refused characters removed (tab and newline kept in multi-line notes), one
audit entry per model that had rows to clean. See ledger 0008.
"""

from django.db import migrations

from gaizao.core.text import clean_models

MODELS = ["StageEvent", "EventAttachment", "HardCase", "Visit", "Consultation"]


def clean(apps, schema_editor):
    clean_models(apps, "progress", MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0002_rollups_for_existing_households"),
        ("core", "0006_audit_keyed_chain"),
    ]
    operations = [migrations.RunPython(clean, migrations.RunPython.noop, elidable=True)]
