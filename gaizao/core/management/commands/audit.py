"""`gaizao audit verify|checkpoint|rekey`: the keyed audit chain (审计日志) and its checkpoints."""

from django.core.management.base import BaseCommand, CommandError

from gaizao.core import audit, crypto
from gaizao.core.errors import AppError


class Command(BaseCommand):
    help = ("审计日志：verify 用审计密钥重新计算哈希链并与最近的检查点核对，指出第一条被破坏的记录；"
            "checkpoint 写入检查点（供定时任务）；rekey 更换审计密钥。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        sub.add_parser("verify", help="校验整条哈希链与最近的检查点，通过后追加一个检查点（完整返回 0，被破坏返回 1）")
        sub.add_parser("checkpoint", help="核对最近的检查点，只校验其后的记录，通过后追加一个检查点（供 cron 定时运行）")
        sub.add_parser("rekey", help="更换审计密钥：旧密钥在 GAIZAO_AUDIT_KEY_OLD，新密钥在 GAIZAO_AUDIT_KEY")

    def handle(self, *args, action: str, **options):
        try:
            if action == "rekey":
                return self._rekey()
            result = audit.verify(since_checkpoint=action == "checkpoint")
            if not result.ok:
                if result.against_checkpoint:
                    raise CommandError(f"审计日志与检查点校验失败：{result.reason}。", returncode=1)
                raise CommandError(f"审计日志第 {result.broken_id} 号记录校验失败：{result.reason}。"
                                   f"此前 {result.verified} 条记录完整。", returncode=1)
            point = audit.write_checkpoint(result)
        except crypto.AuditKeyError as exc:
            raise CommandError(str(exc), returncode=2) from None
        against = (f"与{result.checkpoint.describe()}一致" if result.checkpoint
                   else "尚无检查点（首次校验）")
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {result.verified} 条记录，{against}。"))
        self.stdout.write(f"已写入检查点：{point.count} 条，截至第 {point.last_id} 号记录，"
                          f"哈希 {point.last_hash[:16]}…（{audit.checkpoint_path()}）")

    def _rekey(self):
        try:
            old = crypto.audit_key_old()
            if old is None:
                raise CommandError("请把当前（旧）审计密钥设为 GAIZAO_AUDIT_KEY_OLD，新密钥设为 GAIZAO_AUDIT_KEY"
                                   "（见 docs/operations.md）。", returncode=2)
            done = audit.rekey(old=old)
        except crypto.AuditKeyError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except AppError as exc:
            raise CommandError(exc.message, returncode=1) from None
        self.stdout.write(self.style.SUCCESS(
            f"审计密钥已更换：{done.count} 条记录已用新密钥重新链接，并写入新检查点。"
            "确认无误后从环境中移除 GAIZAO_AUDIT_KEY_OLD。"))
