"""`gaizao keys generate|check|rotate`: the data key (数据密钥, SM4) of the personal numbers."""

from gaizao.core import crypto, keys
from gaizao.core.commands import AppCommand


class Command(AppCommand):
    help = "数据密钥（SM4）：generate 生成新密钥，check 校验密钥能否解开库中数据，rotate 用新密钥重新加密。"
    subcommands = {
        "generate": "生成一把新的 128 位数据密钥（32 位十六进制）",
        "check": "校验 GAIZAO_DATA_KEY 能否解开库中的加密数据",
        "rotate": "把全部加密数据改用当前 GAIZAO_DATA_KEY 重新加密；旧密钥须列入 GAIZAO_DATA_KEYS_OLD",
    }
    exit_codes = {crypto.DataKeyError: 2}

    def add_check(self, parser):
        parser.add_argument("--all", action="store_true", help="逐条解密全部数据（默认每列抽查一条）")

    def do_generate(self, **options):
        self.stdout.write(crypto.generate_key_text())

    def do_check(self, *, all: bool = False, **options):
        opened = keys.check(sample=not all)
        total = sum(opened.values())
        self.stdout.write(self.style.SUCCESS(f"数据密钥正确：已解密 {total} 个加密值。"))
        current = crypto.keyring().current.key_id.hex()
        stale = sum(n for key_id, n in opened.items() if key_id != current)
        if stale:
            self.stdout.write(f"其中 {stale} 个仍由旧密钥加密，请运行 gaizao keys rotate。")

    def do_rotate(self, **options):
        counts = keys.rotate(progress=lambda label, n: self.stderr.write(f"\r{label}: {n}", ending=""))
        self.stderr.write("")
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} 行已重新加密")
        self.stdout.write(self.style.SUCCESS("密钥轮换完成。确认无误后可从 GAIZAO_DATA_KEYS_OLD 中移除旧密钥。"))
