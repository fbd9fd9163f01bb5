"""`gaizao audit verify|checkpoint|rekey`: the keyed audit chain (审计日志) and its checkpoints."""

from django.core.management.base import CommandError

from gaizao.core import audit, crypto
from gaizao.core.commands import AppCommand


class Command(AppCommand):
    help = ("审计日志：verify 用审计密钥重新计算哈希链并与最近的检查点核对，指出第一条被破坏的记录；"
            "checkpoint 写入检查点（供定时任务）；rekey 更换审计密钥。")
    subcommands = {
        "verify": "校验整条哈希链与最近的检查点，通过后追加一个检查点（完整返回 0，被破坏返回 1）",
        "checkpoint": "核对最近的检查点，只校验其后的记录，通过后追加一个检查点（供 cron 定时运行）",
        "rekey": "更换审计密钥：旧密钥在 GAIZAO_AUDIT_KEY_OLD，新密钥在 GAIZAO_AUDIT_KEY",
    }
    exit_codes = {crypto.AuditKeyError: 2}  # a missing or wrong key is the operator's to fix

    def do_verify(self, *, since_checkpoint: bool = False, **options):
        result = audit.verify(since_checkpoint=since_checkpoint)
        if not result.ok:
            if result.against_checkpoint:
                raise CommandError(f"审计日志与检查点校验失败：{result.reason}。", returncode=1)
            raise CommandError(f"审计日志第 {result.broken_id} 号记录校验失败：{result.reason}。"
                               f"此前 {result.verified} 条记录完整。", returncode=1)
        point = audit.write_checkpoint(result)
        against = (f"与{result.checkpoint.describe()}一致" if result.checkpoint
                   else "尚无检查点（首次校验）")
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {result.verified} 条记录，{against}。"))
        self.stdout.write(f"已写入检查点：{point.count} 条，截至第 {point.last_id} 号记录，"
                          f"哈希 {point.last_hash[:16]}…（{audit.checkpoint_path()}）")

    def do_checkpoint(self, **options):
        self.do_verify(since_checkpoint=True)

    def do_rekey(self, **options):
        old = crypto.audit_key_old()
        if old is None:
            raise CommandError("请把当前（旧）审计密钥设为 GAIZAO_AUDIT_KEY_OLD，新密钥设为 GAIZAO_AUDIT_KEY"
                               "（见 docs/operations.md）。", returncode=2)
        done = audit.rekey(old=old)
        self.stdout.write(self.style.SUCCESS(
            f"审计密钥已更换：{done.count} 条记录已用新密钥重新链接，并写入新检查点。"
            "确认无误后从环境中移除 GAIZAO_AUDIT_KEY_OLD。"))
