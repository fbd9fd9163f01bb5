import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gaizao.core.actors import SYSTEM
from gaizao.core import audit, audit_triggers, crypto
from gaizao.core.models import AuditEntry
from gaizao.ledger.models import Household


def test_every_service_write_is_chained_and_verifies(cast):
    result = audit.verify()
    assert result.ok
    assert result.verified == AuditEntry.objects.count() > 10
    entries = list(AuditEntry.objects.order_by("id"))
    assert entries[0].prev_hash == audit.GENESIS
    for prev, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == prev.entry_hash


def test_audit_entry_masks_personal_numbers(cast):
    entry = AuditEntry.objects.get(action="household.create", object_id=str(cast.household_a1.pk))
    after = entry.changes["after"]
    assert after["head_id_number"] == "110105********002X"
    assert after["phone"] == "138****5678"
    assert "11010519491231002X" not in str(entry.changes)
    assert "head_id_hash" not in after


def test_orm_refuses_to_update_or_delete_entries(cast):
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditentry SET action = 'forged' WHERE id = %s",
    "DELETE FROM core_auditentry WHERE id = %s",
])
def test_database_triggers_refuse_update_and_delete(cast, sql):
    entry_id = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry_id])
    assert AuditEntry.objects.filter(pk=entry_id, action="forged").count() == 0


def _tamper(sql: str, params: list) -> None:
    """What an attacker with database access does: drop the guard, change a row."""
    audit_triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    audit_triggers.install(connection)


def test_verify_names_the_first_tampered_entry(cast):
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    victim = ids[5]
    _tamper("UPDATE core_auditentry SET actor_name = 'someone-else' WHERE id = %s", [victim])
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == victim
    assert result.verified == 5
    assert "篡改" in result.reason


def test_verify_notices_a_deleted_entry(cast):
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [ids[3]])
    result = audit.verify()
    assert not result.ok and result.broken_id == ids[4]
    assert "前序哈希不连续" in result.reason


def test_verify_command_exits_1_naming_the_entry_and_0_with_the_count(cast, capsys):
    call_command("audit", "verify")
    assert f"已校验 {AuditEntry.objects.count()} 条记录" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("id").values_list("id", flat=True)[2]
    _tamper("UPDATE core_auditentry SET changes = '{}' WHERE id = %s", [victim])
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1
    assert f"第 {victim} 号记录" in str(exc.value)


def test_versioned_update_records_before_and_after(cast):
    from gaizao.core.services import versioned_update

    household = Household.objects.get(pk=cast.household_a1.pk)
    versioned_update(actor=cast.street_user_a, instance=household, changes={"address": "东湖村三巷 8 号",
                     "phone": "13700009999"}, expected_version=household.version)
    entry = AuditEntry.objects.filter(action="household.update").latest("id")
    assert entry.actor_name == "street_a"
    assert entry.changes["address"] == ["", "东湖村三巷 8 号"]
    assert entry.changes["phone"] == ["138****5678", "137****9999"]
    refreshed = Household.objects.get(pk=household.pk)
    assert refreshed.version == household.version + 1
    from gaizao.core import crypto

    assert refreshed.phone_hash == crypto.lookup_hash("13700009999")


def test_stale_edit_is_refused_and_overwrites_nothing(cast):
    from gaizao.core.errors import Conflict
    from gaizao.core.services import versioned_update

    first = Household.objects.get(pk=cast.household_a1.pk)
    second = Household.objects.get(pk=cast.household_a1.pk)
    versioned_update(actor=cast.street_user_a, instance=first, changes={"address": "甲"}, expected_version=first.version)
    with pytest.raises(Conflict, match="已被他人修改"):
        versioned_update(actor=cast.admin, instance=second, changes={"address": "乙"}, expected_version=second.version)
    assert Household.objects.get(pk=first.pk).address == "甲"


def test_bulk_entries_continue_the_chain_and_verify(cast):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with transaction.atomic():
        n = audit.record_many(actor=cast.street_user_a, items=[
            audit.Change(action="household.import", object_type="ledger.household", object_id=i,
                         changes={"after": {"number": f"X-{i}"}})
            for i in range(4500)
        ])
    assert n == 4500 and AuditEntry.objects.count() == before + 4500
    result = audit.verify()
    assert result.ok and result.verified == before + 4500
    audit.record(actor=cast.admin, action="after.bulk")
    assert audit.verify().ok


def test_bulk_entries_hash_the_same_content_as_single_entries(cast):
    """record_many serialises the changes once and splices them: the chain must still verify,
    and each stored entry must hash to what canonical() computes from it."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction

    changes = {"住户": "李四", "面积": Decimal("120.50"), "日期": dt.date(2026, 11, 5), "空": None,
               "嵌套": {"b": [1, "二", True], "a": "引号\"与\\反斜杠"}, "repr": "含 \u0000 与 , 的文字"}
    with transaction.atomic():
        audit.record_many(actor=cast.street_user_a, ip="10.0.0.8", items=[
            audit.Change(action="test.bulk", object_type="ledger.household", object_id=7,
                         object_repr="DH-001 \"李四\"\\\t", changes=changes)])
    entry = AuditEntry.objects.get(action="test.bulk")
    assert entry.changes["面积"] == "120.50" and entry.changes["日期"] == "2026-11-05"
    assert entry.changes["嵌套"] == {"a": "引号\"与\\反斜杠", "b": [1, "二", True]}
    assert entry.changes["repr"] == "含  与 , 的文字"  # NUL dropped: PostgreSQL's jsonb cannot hold it
    assert entry.object_repr == "DH-001 \"李四\"\\\t"  # quotes, backslash and tab escaped in the hashed text
    assert entry.entry_hash == audit.compute_hash(entry.prev_hash, entry)
    assert audit.verify().ok


def test_plain_changes_store_and_hash_as_the_walked_ones_and_refuse_what_is_not_plain(cast):
    """``Change(plain=True)`` skips the walk that makes values JSON: for plain data the stored entry
    and its hash are what the walk gives; a value that is not plain fails, it is never stored."""
    from decimal import Decimal

    from django.db import transaction

    changes = {"after": {"number": "DH-9", "head_name": "王五", "member_count": 3, "phone": "", "x": None,
                         "flags": [True, "二"]}}
    with transaction.atomic():
        audit.record_many(actor=cast.street_user_a, items=[
            audit.Change(action="test.walked", object_type="t", object_id=1, changes=changes),
            audit.Change(action="test.walked", object_type="t", object_id=1, changes=changes, plain=True)])
    walked, plain = AuditEntry.objects.filter(action="test.walked").order_by("id")
    assert plain.changes == walked.changes == changes
    assert plain.entry_hash == audit.compute_hash(plain.prev_hash, plain)
    assert audit.verify().ok
    count = AuditEntry.objects.count()
    with pytest.raises(TypeError), transaction.atomic():
        audit.record_many(actor=cast.street_user_a, items=[
            audit.Change(action="test.plain", object_type="t", object_id=1, changes={"a": Decimal("1")},
                         plain=True)])
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_bulk_entries_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        audit.record_many(actor=SYSTEM, items=[])


# --- the keyed chain (issue 15, item 5) -------------------------------------------------------

def _rewrite_plain_chain(*, from_id: int, set_sql: str = "") -> None:
    """What an attacker with database access (and without the audit key) does: drop the triggers,
    optionally rewrite an entry, and recompute the plain SM3 chain from there to the end."""
    audit_triggers.remove(connection)
    with connection.cursor() as cursor:
        if set_sql:
            cursor.execute(f"UPDATE core_auditentry SET {set_sql} WHERE id = %s", [from_id])
        prev = AuditEntry.objects.filter(id__lt=from_id).order_by("-id").values_list("entry_hash", flat=True).first()
        prev = prev or audit.GENESIS
        for entry in AuditEntry.objects.filter(id__gte=from_id).order_by("id"):
            digest = audit.plain_hash(prev, entry)
            cursor.execute("UPDATE core_auditentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
                           [prev, digest, entry.id])
            prev = digest
    audit_triggers.install(connection)


def test_it_refuses_a_rewritten_entry_whose_plain_sm3_chain_was_recomputed(cast):
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    victim = ids[4]
    _rewrite_plain_chain(from_id=victim, set_sql="actor_name = 'someone-else'")
    # The links hold as plain SM3 (the old verify passed this) ...
    entries = list(AuditEntry.objects.order_by("id"))
    assert all(e.entry_hash == audit.plain_hash(e.prev_hash, e) for e in entries if e.id >= victim)
    # ... but not with the audit key.
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == victim and result.verified == 4
    assert "篡改" in result.reason


def test_the_keyed_hash_is_not_the_plain_sm3(cast):
    entry = AuditEntry.objects.order_by("id").last()
    assert entry.entry_hash == audit.compute_hash(entry.prev_hash, entry)
    assert entry.entry_hash != audit.plain_hash(entry.prev_hash, entry)
    other = crypto.AuditKey.from_text("ffeeddccbbaa99887766554433221100")
    assert entry.entry_hash != audit.compute_hash(entry.prev_hash, entry, key=other)


def test_it_fails_verification_under_another_audit_key_with_a_clear_message(cast, settings):
    settings.AUDIT_KEY = "ffeeddccbbaa99887766554433221100"
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    assert "GAIZAO_AUDIT_KEY 不是写入审计日志时的审计密钥" in result.reason


@pytest.mark.parametrize("value, message", [("", "GAIZAO_AUDIT_KEY 未设置"), ("abc", "32 位十六进制"),
                                             ("g" * 32, "32 位十六进制")])
def test_it_refuses_to_write_without_a_well_formed_audit_key(cast, settings, value, message):
    settings.AUDIT_KEY = value
    with pytest.raises(crypto.AuditKeyError, match=message):
        audit.record(actor=cast.admin, action="test.nokey")
    with pytest.raises(CommandError, match=message) as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 2


OLD_KEY = "c0ffee00d15ea5e0a0d1700000000001"  # gaizao.testenv's
NEW_KEY = "00112233445566778899aabbccddeeff"


def test_rekey_rechains_with_the_new_key_and_the_old_one_no_longer_verifies(cast, settings, capsys):
    assert settings.AUDIT_KEY == OLD_KEY
    call_command("audit", "verify")  # a checkpoint under the old key
    before = AuditEntry.objects.count()
    settings.AUDIT_KEY, settings.AUDIT_KEY_OLD = NEW_KEY, OLD_KEY
    call_command("audit", "rekey")
    assert f"{before} 条记录已用新密钥重新链接" in capsys.readouterr().out
    entry = AuditEntry.objects.order_by("id").last()
    assert entry.action == "audit.rekey" and entry.actor_name == "system"
    assert entry.changes["count"] == before
    assert audit.verify().ok  # chain and the new checkpoint, under the new key
    assert audit.last_checkpoint().count == before + 1
    old = crypto.AuditKey.from_text(OLD_KEY)
    assert not audit.verify(key=old, anchored=False).ok
    settings.AUDIT_KEY, settings.AUDIT_KEY_OLD = OLD_KEY, ""
    result = audit.verify()
    assert not result.ok and "另一把审计密钥" in result.reason
    assert audit_triggers_still_refuse(entry.id)


def audit_triggers_still_refuse(entry_id: int) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry_id])
    except DatabaseError:
        return True
    return False


def test_rekey_refuses_a_chain_that_does_not_verify_with_the_old_key(cast, settings):
    victim = AuditEntry.objects.order_by("id").values_list("id", flat=True)[3]
    _tamper("UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", [victim])
    settings.AUDIT_KEY, settings.AUDIT_KEY_OLD = NEW_KEY, OLD_KEY
    with pytest.raises(CommandError, match=f"第 {victim} 号记录") as exc:
        call_command("audit", "rekey")
    assert exc.value.returncode == 1
    assert not AuditEntry.objects.filter(action="audit.rekey").exists()
    settings.AUDIT_KEY = OLD_KEY
    assert audit.verify().broken_id == victim  # nothing was re-chained


def test_rekey_needs_the_old_key(cast, settings):
    settings.AUDIT_KEY_OLD = ""
    with pytest.raises(CommandError, match="GAIZAO_AUDIT_KEY_OLD"):
        call_command("audit", "rekey")


def test_the_migration_rechains_an_old_plain_chain_and_records_it(cast):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("gaizao.core.migrations.0006_audit_keyed_chain")
    first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    _rewrite_plain_chain(from_id=first)  # the chain as gaizao wrote it before the key
    count = AuditEntry.objects.count()
    assert not audit.verify().ok
    migration.rechain_with_key(apps, SimpleNamespace(connection=connection))
    result = audit.verify()
    assert result.ok and result.verified == count + 1
    entry = AuditEntry.objects.order_by("id").last()
    assert (entry.action, entry.actor_name) == ("audit.rechain", "system")
    assert entry.changes == {"count": count, "old_chain_ok": True}
    assert audit_triggers_still_refuse(first)


def test_the_migration_records_where_the_old_plain_chain_was_already_broken(cast):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("gaizao.core.migrations.0006_audit_keyed_chain")
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _rewrite_plain_chain(from_id=ids[0])
    _tamper("UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", [ids[2]])
    migration.rechain_with_key(apps, SimpleNamespace(connection=connection))
    entry = AuditEntry.objects.order_by("id").last()
    assert entry.changes == {"count": len(ids), "old_chain_ok": False, "old_chain_first_broken_id": ids[2]}


@pytest.mark.django_db
def test_the_migration_needs_no_key_on_an_empty_table(settings):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    assert not AuditEntry.objects.exists()
    settings.AUDIT_KEY = ""
    importlib.import_module("gaizao.core.migrations.0006_audit_keyed_chain").rechain_with_key(
        apps, SimpleNamespace(connection=connection))
    assert not AuditEntry.objects.exists()


def test_the_server_refuses_to_start_without_the_audit_key():
    from tests.core.test_settings import PRODUCTION, _run

    env = {**PRODUCTION}
    del env["GAIZAO_AUDIT_KEY"]
    out = _run(["run", "--port", "8765"], **env)
    assert out.returncode == 2
    assert "GAIZAO_AUDIT_KEY 未设置" in out.stderr
