"""`gaizao tasks overdue [--campaign ID] [--json]`: the tasks past their deadline (逾期任务)."""

from __future__ import annotations

from django.core.management.base import CommandError

from gaizao.core.commands import AppCommand


class Command(AppCommand):
    help = "任务清单：overdue 列出逾期未办结的任务（可按攻坚行动筛选）。"
    subcommands = {"overdue": "列出逾期未办结的任务：责任单位、任务、完成时限、逾期天数、责任人"}

    def add_overdue(self, parser):
        parser.add_argument("--campaign", metavar="ID", type=int, help="攻坚行动 id")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出")

    def do_overdue(self, *, campaign: int | None = None, json: bool = False, **options):
        from gaizao.campaign.models import Campaign
        from gaizao.campaign.selectors.tasks import tasks_overdue

        if campaign is not None and not Campaign.objects.filter(pk=campaign).exists():
            raise CommandError(f"攻坚行动 id {campaign} 不存在。", returncode=1)
        rows = tasks_overdue(campaign=campaign)
        if json:
            self.write_json([_as_dict(row) for row in rows])
            return
        if not rows:
            self.stdout.write("没有逾期未办结的任务。")
            return
        self.stdout.write(f"逾期未办结的任务 {len(rows)} 项：")
        for row in rows:
            self.stdout.write(f"{row.unit_name}  {row.title}  完成时限 {row.deadline:%Y-%m-%d}  逾期 {row.days_overdue} 天  "
                              f"责任人 {row.person_name or '（单位）'}")


def _as_dict(row) -> dict:
    return {"id": row.id, "campaign_id": row.campaign_id, "unit": row.unit_name, "unit_id": row.unit_id,
            "title": row.title, "deadline": row.deadline.isoformat(), "days_overdue": row.days_overdue,
            "person": row.person_name, "status": row.status, "progress": row.progress}
