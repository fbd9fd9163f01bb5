"""Remove invisible control characters from the ledger's stored text (issue 15, item 3).

Text written before input refused them (a U+0001 in a certificate number, a NUL in a name) made
every export of its project fail. Cleans every text field of villages, projects, households,
persons, buildings and heritage elements (core.text.clean_stored_text: refused characters removed,
line breaks in single-line fields become spaces), one audit entry per model that had rows to
clean. Encrypted numbers are not touched. Nothing to undo: the removed characters were never
meant to be there.
"""

from django.db import migrations

from gaizao.core.text import clean_models

MODELS = ["Village", "Project", "Household", "Person", "Building", "HeritageElement"]


def clean(apps, schema_editor):
    clean_models(apps, "ledger", MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_household_phone_hash_without_index"),
        ("core", "0006_audit_keyed_chain"),  # entries appended to the keyed chain
    ]
    operations = [migrations.RunPython(clean, migrations.RunPython.noop, elidable=True)]
