from django.core.management.base import BaseCommand, CommandError

from gaizao.core import crypto, keys


class Command(BaseCommand):
    help = "数据密钥（SM4）：generate 生成新密钥，check 校验密钥能否解开库中数据，rotate 用新密钥重新加密。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        sub.add_parser("generate", help="生成一把新的 128 位数据密钥（32 位十六进制）")
        check = sub.add_parser("check", help="校验 GAIZAO_DATA_KEY 能否解开库中的加密数据")
        check.add_argument("--all", action="store_true", help="逐条解密全部数据（默认每列抽查一条）")
        sub.add_parser(
            "rotate",
            help="把全部加密数据改用当前 GAIZAO_DATA_KEY 重新加密；旧密钥须列入 GAIZAO_DATA_KEYS_OLD",
        )

    def handle(self, *args, action: str, **options):
        try:
            if action == "generate":
                self.stdout.write(crypto.generate_key_text())
            elif action == "check":
                opened = keys.check(sample=not options["all"])
                total = sum(opened.values())
                self.stdout.write(self.style.SUCCESS(f"数据密钥正确：已解密 {total} 个加密值。"))
                current = crypto.keyring().current.key_id.hex()
                stale = sum(n for key_id, n in opened.items() if key_id != current)
                if stale:
                    self.stdout.write(f"其中 {stale} 个仍由旧密钥加密，请运行 gaizao keys rotate。")
            elif action == "rotate":
                counts = keys.rotate(progress=lambda label, n: self.stderr.write(f"\r{label}: {n}", ending=""))
                self.stderr.write("")
                for label, n in counts.items():
                    self.stdout.write(f"{label}: {n} 行已重新加密")
                self.stdout.write(self.style.SUCCESS("密钥轮换完成。确认无误后可从 GAIZAO_DATA_KEYS_OLD 中移除旧密钥。"))
        except crypto.DataKeyError as exc:
            raise CommandError(str(exc), returncode=2) from None
