from django.core.management.base import BaseCommand, CommandError

from gaizao.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 重新计算 SM3 哈希链，指出第一条被破坏的记录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        sub.add_parser("verify", help="校验审计日志哈希链（完整返回 0，被破坏返回 1）")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            result = audit.verify()
            if not result.ok:
                raise CommandError(
                    f"审计日志第 {result.broken_id} 号记录校验失败：{result.reason}。"
                    f"此前 {result.verified} 条记录完整。",
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {result.verified} 条记录。"))
