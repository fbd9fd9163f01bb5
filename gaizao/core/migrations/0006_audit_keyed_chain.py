"""The audit chain becomes keyed: every entry's link is computed again with HMAC-SM3 and the audit key.

Before, an entry's hash was the plain SM3 of the previous hash and its content, which anyone with
database access could recompute after rewriting an entry. This walks the entries in id order
(batches of 2,000), checks each old plain link on the way, writes the keyed link, with the
append-only triggers dropped and installed again in the same transaction, and then appends
one entry ``audit.rechain`` (actor "system") saying how many entries were re-chained and whether
the old chain held up to then, so that the re-chaining is itself on record.

An empty table (a fresh install) needs no key and gets no entry. Going back leaves the keyed
links as they are: the plain hashes are not kept, and restoring them would undo the protection.
"""

import sys

from django.db import migrations

from gaizao.core import audit, crypto
from gaizao.core.actors import SYSTEM


def rechain_with_key(apps, schema_editor):
    model = apps.get_model("core", "AuditEntry")
    if not model.objects.exists():
        return
    key = crypto.audit_key()  # a missing or malformed GAIZAO_AUDIT_KEY stops here, with its message
    done = audit.rechain(connection=schema_editor.connection, model=model, key=key, old_hash=audit.plain_hash)
    changes = {"count": done.count, "old_chain_ok": done.old_chain_ok}
    if not done.old_chain_ok:
        # Recorded, not refused: an upgrade must not be stuck, and the break stays on record.
        changes["old_chain_first_broken_id"] = done.first_broken_id
        sys.stderr.write(f"\n注意：改用密钥链之前，审计日志自第 {done.first_broken_id} 号记录起已校验失败；"
                         "已记入 audit.rechain 记录。\n")
    audit.record(actor=SYSTEM, action="audit.rechain", object_type="core.auditentry",
                 changes=changes)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_notification")]
    operations = [migrations.RunPython(rechain_with_key, migrations.RunPython.noop, elidable=False)]
