"""`gaizao ledger template|import|export|projects`: the household ledger and Excel (住户台账)."""

from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError

from gaizao.core.actors import command_actor
from gaizao.core.commands import AppCommand, ProgressBar, add_user_option

SHOWN_ERRORS = 50
SHOWN_CHANGES = 50
# What the import's progress bar says for each stage of its work.
STAGES = {"read": "读取并校验", "write": "写入数据库"}


class Command(AppCommand):
    help = ("住户台账与 Excel：template 生成导入模板，import 导入（可预演），export 导出，projects 列出项目，"
            "verify 交叉核对全部台账。"
            "导入的退出码：0 全部无误，2 有行被拒绝，1 文件无法导入。")

    subcommands = {
        "template": "生成空白导入模板（含下拉列表和填写说明）",
        "import": "导入住户台账（.xlsx/.xlsm/.xls/.ods/.csv）",
        "export": "按模板格式导出项目的住户台账",
        "projects": "列出项目：编码、名称、城中村、街道",
        "verify": "台账交叉核对：一人一证、认定与房屋、拆除与房屋、历史文化要素（一致返回 0，否则返回 1 并列出）",
    }

    def add_template(self, parser):
        parser.add_argument("out", help="输出文件，如 台账模板.xlsx")

    def add_import(self, parser):
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--project", required=True, help="项目编码（gaizao ledger projects 可查）")
        parser.add_argument("--dry-run", action="store_true", help="只预演：显示将新增、修改、拒绝的住户，不写入")
        parser.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 对象（统计与被拒绝的行）")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="有错误时仍导入无误的住户（默认：有任何错误就不写入）")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="把错误清单写入 Excel 文件")
        add_user_option(parser, doing="导入")

    def add_export(self, parser):
        parser.add_argument("out", help="输出文件，如 P001.xlsx")
        parser.add_argument("--project", required=True, help="项目编码")
        add_user_option(parser, doing="导出")
        parser.add_argument("--full", action="store_true", help="导出完整身份证号和手机号（留痕）；默认脱敏")

    def add_projects(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出")

    # --- verify -------------------------------------------------------------------------------
    def add_verify(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出发现的问题")

    def do_verify(self, *, json: bool = False, **options):
        from gaizao.ledger.selectors.integrity import RULES, SHOWN, household_labels, ledger_breaches

        breaches = ledger_breaches()
        if json:
            self.write_json([{"rule": b.rule, "label": b.label, "households": list(b.households), "detail": b.detail}
                             for b in breaches])
        elif not breaches:
            self.stdout.write(self.style.SUCCESS("台账交叉核对一致：一人一证、认定与房屋、拆除与房屋、历史文化要素均无问题。"))
        else:
            per_rule: Counter[str] = Counter()
            kept = []
            for breach in breaches:
                per_rule[breach.rule] += 1
                if per_rule[breach.rule] <= SHOWN:
                    kept.append(breach)
            labels = household_labels({pk for b in kept for pk in b.households})
            for b in kept:
                where = "、".join(labels.get(pk, f"住户 {pk}") for pk in b.households)
                extra = f"（{b.detail}）" if b.detail else ""
                self.stdout.write(f"  {b.label}：{where}{extra}")
            for rule, count in per_rule.items():
                if count > SHOWN:
                    self.stdout.write(f"  ……「{RULES[rule]}」另有 {count - SHOWN} 处未列出。")
        if breaches:
            raise CommandError(f"台账交叉核对发现 {len(breaches)} 处问题。", returncode=1)

    # --- template ----------------------------------------------------------------------------
    def do_template(self, *, out: str, **options):
        from gaizao.ledger.importing.template import write_template

        write_template(Path(out))
        self.stdout.write(self.style.SUCCESS(f"已生成导入模板：{out}"))

    # --- projects -----------------------------------------------------------------------------
    def do_projects(self, *, json: bool = False, **options):
        from gaizao.ledger.models import Project

        rows = [
            {"code": p.code, "name": p.name, "village": p.village.name, "street": p.village.street.name}
            for p in Project.objects.select_related("village", "village__street").order_by("code")
        ]
        if json:
            self.write_json(rows)
            return
        if not rows:
            self.stdout.write("还没有项目。")
            return
        for row in rows:
            self.stdout.write(f"{row['code']:<12}{row['name']}（{row['village']}，{row['street']}）")

    # --- export -------------------------------------------------------------------------------
    def do_export(self, *, out: str, project: str, user: str | None = None, full: bool = False, **options):
        from gaizao.ledger.importing.export import export_project, export_project_for

        actor = command_actor(user)
        target = export_project_for(actor=actor, code=project, full=full)
        result = export_project(actor=actor, project=target, out=Path(out), full=full)
        kind = "完整号码（已留痕）" if full else "身份证号、手机号已脱敏"
        self.stdout.write(self.style.SUCCESS(
            f"已导出 {target.code} {target.name}：{result.households} 户、{result.buildings} 栋房屋、"
            f"{result.persons} 名家庭成员 → {out}（{kind}）"))

    # --- import -------------------------------------------------------------------------------
    def do_import(self, *, file: str, project: str, dry_run: bool = False, json: bool = False,
                  skip_invalid: bool = False, errors: str | None = None, user: str | None = None, **options):
        from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
        from gaizao.ledger.importing.report import write_error_report

        actor = command_actor(user)
        bar = ProgressBar(self.stderr, labels=STAGES)
        show = bar if options.get("verbosity", 1) >= 1 else None
        try:
            plan = ledger_import_preview(actor=actor, project_code=project, path=Path(file),
                                         filename=Path(file).name, progress=show, to_apply=not dry_run)
        finally:
            bar.close()
        if errors:
            write_error_report(Path(errors), errors=plan.errors, warnings=plan.parsed.warnings,
                               filename=plan.parsed.filename)
        result = None
        if not dry_run and (not plan.errors or skip_invalid) and (plan.new or plan.changed):
            try:
                result = ledger_import_apply(actor=actor, plan=plan, skip_invalid=skip_invalid, progress=show)
            finally:
                bar.close()
        if json:
            self.write_json(_json_summary(plan))
        else:
            self._print_summary(plan, dry_run=dry_run, result=result, skip_invalid=skip_invalid, errors_file=errors)
        if plan.errors:
            written = "，其余住户已写入" if result is not None else "，没有写入任何数据"
            raise CommandError(f"有 {len(plan.errors)} 处错误（{plan.rejected_households} 户被拒绝）{written}。",
                               returncode=2)

    def _print_summary(self, plan, *, dry_run: bool, result, skip_invalid: bool, errors_file: str | None) -> None:
        counts = plan.counts()
        parsed = plan.parsed
        write = self.stdout.write
        write(f"文件：{parsed.filename}（「{parsed.household_sheet}」{counts['households']} 户、"
              f"{counts['buildings']} 栋房屋；家庭成员 {counts['persons']} 人）")
        write(f"项目：{plan.project_code}")
        write(f"新增 {counts['new']} 户，修改 {counts['changed']} 户，未变 {counts['unchanged']} 户，"
              f"拒绝 {counts['rejected_households']} 户（{len(plan.errors)} 处错误）")
        if plan.errors:
            write(f"错误（前 {SHOWN_ERRORS} 处）：" if len(plan.errors) > SHOWN_ERRORS else "错误：")
            for error in plan.errors[:SHOWN_ERRORS]:
                write(f"  「{error.sheet}」第 {error.row} 行 户号 {error.household or '（空）'} "
                      f"【{error.column}】{error.reason}")
            if errors_file:
                write(f"完整错误清单：{errors_file}")
        if parsed.warnings:
            write(f"提示（前 {SHOWN_ERRORS} 条，不影响导入）：" if len(parsed.warnings) > SHOWN_ERRORS
                  else "提示（不影响导入）：")
        for warning in parsed.warnings[:SHOWN_ERRORS]:
            if warning.letter:  # a column not imported: the reason names its letter, header and rows
                write(f"  「{warning.sheet}」{warning.reason}")
            else:
                write(f"  「{warning.sheet}」第 {warning.row} 行 户号 {warning.household or '（空）'} "
                      f"【{warning.column}】{warning.reason}")
        if dry_run:
            for item in plan.changed[:SHOWN_CHANGES]:
                details = "；".join(f"{c.column}：{c.before or '（空）'} → {c.after}" for c in item.changes)
                write(f"  修改 户号 {item.number}（第 {item.row} 行）：{details}")
            write("预演（--dry-run），没有写入任何数据。")
        elif result is not None:
            write(self.style.SUCCESS(
                f"已写入：新增 {result.created} 户，修改 {result.updated} 户；房屋新增 {result.buildings_created} 栋、"
                f"修改 {result.buildings_updated} 栋；家庭成员新增 {result.persons_created} 人、"
                f"修改 {result.persons_updated} 人。"))
        elif not plan.errors or not skip_invalid:
            write("没有需要写入的变化。" if not plan.errors else "有错误，没有写入任何数据。")


def _json_summary(plan) -> dict:
    """The one JSON object of ``--json``; rows of the members sheet say so in their reason.

    ``warnings`` (提示, nothing refused) carry their sheet; a column not imported also its letter
    and the rows holding data in it.
    """
    counts = plan.counts()
    household_sheet = plan.parsed.household_sheet
    rejected = []
    for error in plan.errors:
        reason = error.reason if error.sheet == household_sheet else f"［{error.sheet}］{error.reason}"
        rejected.append({"row": error.row, "household": error.household, "column": error.column, "reason": reason})
    return {"new": counts["new"], "changed": counts["changed"], "unchanged": counts["unchanged"],
            "rejected": rejected, "households": counts["households"], "buildings": counts["buildings"],
            "persons": counts["persons"], "warnings": [warning.as_dict() for warning in plan.parsed.warnings]}

