"""`gaizao campaign`: the campaign from the terminal (攻坚行动).

    gaizao campaign status [--campaign ID] [--street CODE] [--json] [--user USERNAME]
    gaizao campaign agreements --out DIR [--campaign ID]

``status`` prints each street's targets, what is done (from the rollups and tasks, never typed), the
milestone due and the light; ``--json`` one object per street (``street``, ``name``, ``light``,
``targets``: ``key``, ``target``, ``done``, ``rate``, ``expected_rate``, ``light`` green / yellow / red /
none, ``milestone``). ``agreements`` writes the current 责任书 of every street as DOCX. Exit 1 on error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from gaizao.core.actors import command_actor
from gaizao.core.commands import AppCommand, add_user_option, table

LIGHT_WORDS = {"green": "绿", "yellow": "黄", "red": "红", "none": "—"}


class Command(AppCommand):
    help = "攻坚行动：status 各街道目标、进度与序时进度红黄绿灯；agreements 导出各街道现行目标责任书（DOCX）。退出码：0 成功，1 出错。"
    subcommands = {
        "status": "各街道目标、完成数、完成率、序时应完成比例与红黄绿灯",
        "agreements": "把各街道现行的目标责任书写成 DOCX 文件",
    }

    def add_status(self, parser) -> None:
        parser.add_argument("--campaign", type=int, help="攻坚行动编号（默认当前行动）")
        parser.add_argument("--street", metavar="CODE", help="只看一个街道（街道代码）")
        parser.add_argument("--json", action="store_true", help="输出 JSON：每个街道一个对象")
        add_user_option(parser, doing="查看")

    def do_status(self, *, campaign=None, street=None, json=False, user=None, **options) -> None:
        from gaizao.campaign.selectors.campaign import campaign_by_id_or_current, visible_streets
        from gaizao.campaign.selectors.status import campaign_overview_status, fmt
        from gaizao.core.actors import is_system
        from gaizao.org.choices import OrgKind
        from gaizao.org.models import OrgUnit

        actor = command_actor(user)
        found = campaign_by_id_or_current(actor, campaign)
        chosen = (list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path")) if is_system(actor)
                  else visible_streets(actor))
        if street:
            chosen = [s for s in chosen if s.code == street]
            if not chosen:
                raise CommandError(f"找不到街道 {street}（或无权查看）。", returncode=1)
        status = campaign_overview_status(found, streets=chosen)
        if json:
            self.write_json([s.as_dict() for s in status.streets])
            return
        self.stdout.write(f"{found.name}（{found.starts_on} 至 {found.ends_on}），截至 {status.today}")
        rows = []
        for s in status.streets:
            for t in s.targets:
                milestone = t.milestone
                rows.append([s.name, t.label + (f"·{t.scope}" if t.scope else ""), fmt(t.target), fmt(t.done),
                             "—" if t.rate is None else f"{t.rate}%", f"{t.expected_rate}%",
                             f"{milestone['due_on']} {milestone['rate']}%" if milestone else "—",
                             LIGHT_WORDS[t.light]])
            if not s.targets:
                rows.append([s.name, "（未分解目标）", "", "", "", "", "", ""])
        for line in table([["街道", "指标", "目标", "完成", "完成率", "序时应完成", "节点", "灯"], *rows],
                          right=frozenset({2, 3, 4, 5})):
            self.stdout.write(line)
        for g in status.goals:
            if g.difference:
                self.stdout.write(f"注意：{g.label}各街道目标合计 {fmt(g.assigned)}，区级目标 {fmt(g.goal)}，"
                                  f"差额 {fmt(g.difference)}。")

    def add_agreements(self, parser) -> None:
        parser.add_argument("--out", required=True, metavar="DIR", help="输出目录（不存在则创建）")
        parser.add_argument("--campaign", type=int, help="攻坚行动编号（默认当前行动）")

    def do_agreements(self, *, out: str, campaign=None, **options) -> None:
        from gaizao.campaign.agreement_doc import agreement_docx, agreement_filename
        from gaizao.campaign.selectors.campaign import campaign_by_id_or_current, current_agreements

        found = campaign_by_id_or_current(command_actor(None), campaign)
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"无法创建输出目录 {out}：{exc}", returncode=1) from None
        agreements = current_agreements(found)
        if not agreements:
            raise CommandError("该攻坚行动还没有生成目标责任书。", returncode=1)
        for a in agreements:
            path = folder / agreement_filename(a)
            path.write_bytes(agreement_docx(a))
            self.stdout.write(f"{path}  {a.get_status_display()}")
        self.stdout.write(self.style.SUCCESS(f"已写出 {len(agreements)} 份目标责任书。"))
