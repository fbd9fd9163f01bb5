"""Remove invisible control characters from org units' names and users' full names (issue 15, item 3).

Only those two fields: user names, codes and password hashes are not free text. One audit entry
per model that had rows to clean. See ledger 0008.
"""

from django.db import migrations

from gaizao.core.text import clean_models


def clean(apps, schema_editor):
    clean_models(apps, "org", {"OrgUnit": ["name"], "User": ["full_name"]})


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_api_token_expiry"),
        ("core", "0006_audit_keyed_chain"),
    ]
    operations = [migrations.RunPython(clean, migrations.RunPython.noop, elidable=True)]
