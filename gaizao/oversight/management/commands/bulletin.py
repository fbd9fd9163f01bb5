"""`gaizao bulletin`: the weekly bulletin (工作通报) of one ISO week, as DOCX (and the ranking as XLSX).

    gaizao bulletin --period 2026-W47 --out 通报.docx [--xlsx 排名.xlsx] [--next-steps FILE] [--user USERNAME]

The first generation of a week freezes its figures; later ones print the same document. Exit 1 with the
Chinese message for a period written otherwise, a week in the future or a week with no data.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from gaizao.core.actors import command_actor
from gaizao.core.commands import AppCommand, add_user_option
from gaizao.core.errors import AppError


class Command(AppCommand):
    help = ("工作通报：生成某一周（ISO 周，如 2026-W47）的工作通报 DOCX，可同时输出考核排名 XLSX。"
            "首次生成时固定数据，再次生成得到相同的文件。退出码：0 成功，1 出错。")

    def add_arguments(self, parser) -> None:  # one action: no subcommands
        parser.add_argument("--period", required=True, metavar="2026-W47", help="期别（ISO 周），如 2026-W47")
        parser.add_argument("--out", required=True, metavar="FILE.docx", help="通报 DOCX 的输出文件")
        parser.add_argument("--xlsx", metavar="FILE.xlsx", help="同时输出考核排名表（XLSX，一页）")
        parser.add_argument("--next-steps", metavar="FILE", help="下步工作（UTF-8 文本，一行一条；仅首次生成时有效）")
        add_user_option(parser, doing="生成")

    def handle(self, *args, period: str, out: str, xlsx: str | None = None, next_steps: str | None = None,
               user: str | None = None, **options):
        try:
            self.generate(period=period, out=out, xlsx_out=xlsx, next_steps=next_steps, user=user)
        except AppError as exc:
            raise CommandError(exc.message, returncode=1) from None

    def generate(self, *, period, out, xlsx_out, next_steps, user) -> None:
        from gaizao.oversight.bulletin_doc import bulletin_docx, bulletin_xlsx
        from gaizao.oversight.services.bulletins import bulletin_generate

        steps = None
        if next_steps:
            try:
                steps = Path(next_steps).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"无法读取下步工作文件 {next_steps}：{exc}", returncode=1) from None
        bulletin, created = bulletin_generate(actor=command_actor(user), period=period, next_steps=steps)
        files = [(out, bulletin_docx(bulletin.data))]
        if xlsx_out:
            files.append((xlsx_out, bulletin_xlsx(bulletin.data)))
        for name, data in files:
            try:
                Path(name).write_bytes(data)
            except OSError as exc:
                raise CommandError(f"无法写入 {name}：{exc}", returncode=1) from None
        what = "已生成并固定数据" if created else "已按固定数据重新输出"
        self.stdout.write(self.style.SUCCESS(f"{bulletin.title}（{bulletin.number}）{what}：" +
                                             "，".join(name for name, _data in files)))
