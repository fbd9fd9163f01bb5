import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gaizao.core import audit, audit_triggers
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


@pytest.mark.django_db(transaction=True)
def test_bulk_entries_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        audit.record_many(actor=None, items=[])
