"""`gaizao hardcases overdue [--street CODE] [--json]`: the hard cases whose visits are overdue."""

from __future__ import annotations

from django.core.management.base import CommandError

from gaizao.core.commands import AppCommand


class Command(AppCommand):
    help = "攻坚户：overdue 列出走访逾期的攻坚户（可按街道代码筛选）。"
    subcommands = {"overdue": "列出走访逾期的攻坚户：计划走访日期已过，或长期未走访"}

    def add_overdue(self, parser):
        parser.add_argument("--street", metavar="CODE", help="街道的组织机构代码，如 440199001")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出")

    def do_overdue(self, *, street: str | None = None, json: bool = False, **options):
        from gaizao.org.choices import OrgKind
        from gaizao.org.models import OrgUnit
        from gaizao.progress.selectors import hardcase_overdue_all
        from gaizao.progress.services.hardcases import visit_interval_days

        unit = None
        if street:
            unit = OrgUnit.objects.filter(code=street.strip(), kind=OrgKind.STREET).first()
            if unit is None:
                raise CommandError(f"街道代码「{street}」不存在。", returncode=1)
        rows = hardcase_overdue_all(street=unit)
        if json:
            self.write_json([_as_dict(row) for row in rows])
            return
        if not rows:
            self.stdout.write("没有走访逾期的攻坚户。")
            return
        self.stdout.write(f"走访逾期的攻坚户 {len(rows)} 户（未定下次走访的，超过 {visit_interval_days()} 天未走访即逾期）：")
        for row in rows:
            last = f"最近走访 {row.last_visit_on:%Y-%m-%d}（{row.days_since_visit} 天前）" if row.last_visit_on \
                else f"未走访（列入 {row.days_since_opened} 天）"
            planned = f"，计划 {row.next_visit_on:%Y-%m-%d}" if row.next_visit_on else ""
            self.stdout.write(f"{row.household_number:<12}{row.head_name}  {row.street_name} {row.village_name}  "
                              f"包户干部 {row.cadre_name or '未指派'}  {row.reason_label}  {last}{planned}")


def _as_dict(row) -> dict:
    return {
        "id": row.id, "household_id": row.household_id, "household_number": row.household_number,
        "head_name": row.head_name, "street": row.street_name, "village": row.village_name,
        "cadre": row.cadre_name, "reason": row.reason, "reason_label": row.reason_label,
        "opened_on": row.opened_on.isoformat(),
        "last_visit_on": row.last_visit_on.isoformat() if row.last_visit_on else None,
        "next_visit_on": row.next_visit_on.isoformat() if row.next_visit_on else None,
        "days_since_visit": row.days_since_visit,
    }

