"""Checkpoints of the audit chain (审计检查点): truncation and rewriting found against the last one."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gaizao.core import audit, audit_triggers
from gaizao.core.models import AuditEntry


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit" / "checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


def _as_attacker(*statements: tuple[str, list]) -> None:
    """Someone with database access: drop the append-only triggers, change rows, put them back."""
    audit_triggers.remove(connection)
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    audit_triggers.install(connection)


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_fresh_install_has_no_checkpoint_yet_and_verify_writes_the_first(cast, checkpoints, capsys):
    assert not checkpoints.exists()
    assert audit.verify().ok
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "尚无检查点" in out and "已写入检查点" in out
    (line,) = _lines(checkpoints)
    last = AuditEntry.objects.order_by("id").last()
    assert line["count"] == AuditEntry.objects.count()
    assert (line["last_id"], line["last_hash"]) == (last.id, last.entry_hash)
    assert set(line) == {"at", "count", "key", "last_hash", "last_id", "mac"}
    call_command("audit", "verify")
    assert "与检查点文件第 1 行" in capsys.readouterr().out
    assert len(_lines(checkpoints)) == 2  # appended, not rewritten


def test_it_detects_deleted_last_entries_against_the_last_checkpoint(cast, checkpoints):
    call_command("audit", "verify")
    last_ids = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[:3])
    _as_attacker(("DELETE FROM core_auditentry WHERE id >= %s", [min(last_ids)]))
    assert audit.verify(anchored=False).ok  # the chain alone still holds: what the old verify saw
    result = audit.verify()
    assert not result.ok
    assert "截断" in result.reason and "检查点文件第 1 行" in result.reason
    with pytest.raises(CommandError, match="截断") as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1
    assert len(_lines(checkpoints)) == 1  # a chain that fails is never checkpointed
    with pytest.raises(CommandError, match="截断"):
        call_command("audit", "checkpoint")


def test_it_detects_deleted_last_entries_hidden_behind_new_ones(cast, checkpoints):
    call_command("audit", "verify")
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    _as_attacker(("DELETE FROM core_auditentry WHERE id >= %s", [last_id - 1]))
    for n in range(5):  # the application goes on writing; the count passes the checkpoint's again
        audit.record(actor=cast.admin, action=f"later.{n}")
    result = audit.verify()
    assert not result.ok and result.broken_id == last_id
    assert f"第 {last_id} 号记录已不存在" in result.reason


def test_it_detects_a_rewrite_even_by_someone_holding_the_audit_key(cast, checkpoints):
    """The key alone does not let history be rewritten once a checkpoint is off the database."""
    call_command("audit", "verify")
    entries = list(AuditEntry.objects.order_by("id"))
    victim = entries[-2]
    victim.object_repr = "改过的"
    prev = victim.prev_hash
    statements = []
    for entry in entries[-2:]:
        digest = audit.compute_hash(prev, entry)
        statements.append(("UPDATE core_auditentry SET object_repr = %s, prev_hash = %s, entry_hash = %s "
                           "WHERE id = %s", [entry.object_repr, prev, digest, entry.id]))
        prev = digest
    _as_attacker(*statements)
    assert audit.verify(anchored=False).ok  # a consistent keyed chain
    result = audit.verify()
    assert not result.ok and result.broken_id == entries[-1].id
    assert f"第 {entries[-1].id} 号记录的哈希与检查点文件第 1 行" in result.reason and "改写" in result.reason


def test_it_reports_a_forged_checkpoint_line(cast, checkpoints):
    call_command("audit", "verify")
    forged = _lines(checkpoints)[0] | {"count": 3, "mac": "0" * 64}  # "there were only 3 entries"
    with checkpoints.open("a", encoding="utf-8") as f:
        f.write(json.dumps(forged) + "\n")
    result = audit.verify()
    assert not result.ok and result.broken_id is None
    assert "检查点文件第 2 行" in result.reason and "签名不符" in result.reason
    with pytest.raises(CommandError, match="检查点校验失败.*第 2 行") as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1


def test_it_reports_a_checkpoint_line_that_cannot_be_read(cast, checkpoints):
    call_command("audit", "verify")
    with checkpoints.open("a", encoding="utf-8") as f:
        f.write('{"count": 1, "last_id"\n')
    result = audit.verify()
    assert not result.ok and "第 2 行无法解析" in result.reason


def test_it_reports_a_checkpoint_signed_with_another_key(cast, checkpoints, settings):
    call_command("audit", "verify")
    settings.AUDIT_KEY = "ffeeddccbbaa99887766554433221100"
    result = audit.verify()
    assert not result.ok and "另一把审计密钥" in result.reason


def test_the_checkpoint_command_walks_only_the_entries_after_the_last_checkpoint(cast, checkpoints):
    call_command("audit", "verify")
    first = _lines(checkpoints)[0]
    for n in range(3):
        audit.record(actor=cast.admin, action=f"later.{n}")
    call_command("audit", "checkpoint")
    second = _lines(checkpoints)[1]
    assert second["count"] == first["count"] + 3
    # It trusts what the last checkpoint covers only while that checkpoint's own entry still matches:
    # any rewrite before it, even with the key, changes that entry's hash.
    _as_attacker(("UPDATE core_auditentry SET entry_hash = %s WHERE id = %s", ["f" * 64, second["last_id"]]))
    with pytest.raises(CommandError, match="改写"):
        call_command("audit", "checkpoint")


def test_a_chain_that_does_not_verify_is_never_checkpointed(cast, checkpoints):
    result = audit.VerifyResult(False, 3, 4, "x")
    with pytest.raises(ValueError):
        audit.write_checkpoint(result)
    assert not checkpoints.exists()


def test_the_checkpoint_command_rechecks_the_checkpointed_entry_itself(cast, checkpoints):
    call_command("audit", "verify")
    last_id = _lines(checkpoints)[0]["last_id"]
    _as_attacker(("UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", [last_id]))
    with pytest.raises(CommandError, match=f"第 {last_id} 号记录的哈希与检查点文件第 1 行"):
        call_command("audit", "checkpoint")
