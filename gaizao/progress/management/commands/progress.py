"""`gaizao progress`: household progress from the terminal (进度).

    gaizao progress record --project P001 --stage 签约 --date 2026-11-05 --households DH-001 DH-002
    gaizao progress record --project P001 --stage 拆除 --date 2026-11-20 --households DH-001 \
        --heritage-reason "经区文物主管部门批准迁建（云文物〔2026〕12号）" --user commander
    gaizao progress import 进度.xlsx --project P001 [--dry-run] [--json] [--heritage-reason 理由]
    gaizao progress summary [--street CODE] [--json] [--user USERNAME]

Each subcommand is one ``add_<name>`` (its arguments) and one ``do_<name>`` (parse, call the
service, print), as ``core.commands.AppCommand`` has them. Errors print the Chinese message on
stderr and exit non-zero: 1 for an error, and for ``import`` 2 when rows are rejected (nothing written).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import SYSTEM, command_actor, is_system
from gaizao.core.commands import AppCommand, add_user_option, table

SHOWN_ROWS = 50
# The rows of the summary table, in the order of a household's way (补偿决定 beside 签约).
SUMMARY_STAGES = ["surveyed", "decided", "valued", "decision", "signed", "vacated", "demolished", "resettled"]


class Command(AppCommand):
    help = ("住户进度：record 批量记录同一进度，import 从 Excel 导入进度日期，summary 进度汇总。"
            "退出码：0 成功，1 出错（没有写入），2 导入有被拒绝的行（没有写入）。")
    subcommands = {
        "record": "批量记录同一进度：同一项目的多户、同一天（全部成功才写入）",
        "import": "从 Excel 导入进度日期（户号 + 入户调查日期、签约日期 …）",
        "summary": "进度汇总：各阶段户数与面积、签约率、腾空率、拆除面积",
    }

    # --- record ----------------------------------------------------------------------------
    def add_record(self, parser) -> None:
        parser.add_argument("--project", required=True, help="项目编码")
        parser.add_argument("--stage", required=True, metavar="KIND",
                            help="事项：英文值或中文名，如 signed 或 签约、vacated 或 腾空交房")
        parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="日期，如 2026-11-05")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--households", nargs="+", metavar="户号", help="户号，空格分隔")
        who.add_argument("--file", metavar="numbers.txt", help="户号文件：每行一个，或用空格、逗号、顿号分隔")
        parser.add_argument("--note", default="", help="说明")
        parser.add_argument("--mode", choices=["money", "swap", "return"], default="",
                            help="安置方式（记录安置时必填）：money 货币补偿、swap 产权调换、return 回迁")
        _add_heritage_option(parser)
        add_user_option(parser, doing="记录")

    def do_record(self, *, project: str, stage: str, date: str, households: list[str] | None = None,
                  file: str | None = None, note: str = "", mode: str = "", heritage_reason: str = "",
                  user: str | None = None, **options) -> None:
        from gaizao.ledger.models import Household
        from gaizao.ledger.selectors import household_write_scope
        from gaizao.progress import importing
        from gaizao.progress.choices import EventKind
        from gaizao.progress.services.events import households_record_stage, parse_day

        actor = command_actor(user)
        kind = importing.kind_from_text(stage)
        day = parse_day(date, field="date")
        target = importing.project_for_progress(actor=actor, code=project)
        if file:
            try:
                text = Path(file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"无法读取户号文件 {file}：{exc}", returncode=1) from None
        else:
            text = "\n".join(households or [])
        numbers = importing.split_numbers(text)
        if not numbers:
            raise CommandError("没有给出户号。", returncode=1)
        scope = Household.objects.all() if is_system(actor) else household_write_scope(actor)
        ids = importing.households_by_number(scope, project=target, numbers=numbers)
        count = households_record_stage(actor=actor, household_ids=ids, kind=kind, on_date=day, note=note,
                                        resettlement_mode=mode, heritage_override_reason=heritage_reason)
        self.stdout.write(self.style.SUCCESS(
            f"已为 {count} 户记录「{EventKind(kind).label}」（{day:%Y-%m-%d}，项目 {target.code}）。"))

    # --- import ----------------------------------------------------------------------------
    def add_import(self, parser) -> None:
        parser.add_argument("file", help="要导入的文件（.xlsx/.xls/.ods/.csv）")
        parser.add_argument("--project", required=True, help="项目编码")
        parser.add_argument("--dry-run", action="store_true", help="只检查：显示将记录、不变、被拒绝的行，不写入")
        parser.add_argument("--json", action="store_true",
                            help='在标准输出打印一个 JSON 对象：{"recorded", "unchanged", "rejected": [...]}')
        _add_heritage_option(parser)
        add_user_option(parser, doing="导入")

    def do_import(self, *, file: str, project: str, dry_run: bool = False, json: bool = False,
                  heritage_reason: str = "", user: str | None = None, **options) -> None:
        from gaizao.progress.importing import events_import

        actor = command_actor(user)
        result = events_import(actor=actor, project_code=project, path=Path(file), filename=Path(file).name,
                               dry_run=dry_run, heritage_reason=heritage_reason)
        write = self.stdout.write
        if json:
            self.write_json(result.as_json())
        else:
            write(f"文件：{result.filename}（工作表「{result.sheet}」，{result.households} 户）")
            if result.rejected:
                write(f"被拒绝的行（前 {SHOWN_ROWS} 处）：" if len(result.rejected) > SHOWN_ROWS else "被拒绝的行：")
                for row in result.rejected[:SHOWN_ROWS]:
                    write(f"  第 {row.row} 行 户号 {row.household or '（空）'} 【{row.column}】{row.reason}")
            elif result.written:
                write(self.style.SUCCESS(f"已记录 {result.recorded} 条进度，{result.unchanged} 个日期与已记录的相同。"))
            elif dry_run:
                write(f"将记录 {result.recorded} 条进度，{result.unchanged} 个日期与已记录的相同。预演（--dry-run），没有写入。")
            else:
                write(f"没有需要记录的新日期（{result.unchanged} 个日期与已记录的相同）。")
        if result.rejected:
            raise CommandError(f"有 {len(result.rejected)} 行被拒绝，没有写入任何记录。", returncode=2)

    # --- summary ----------------------------------------------------------------------------
    def add_summary(self, parser) -> None:
        parser.add_argument("--street", metavar="CODE", help="街道编码（默认：全区；街道账号为本街道）")
        parser.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 对象")
        parser.add_argument("--user", metavar="USERNAME", help="按该账号的查看范围统计（默认：系统操作员，全区）")

    def do_summary(self, *, street: str | None = None, json: bool = False, user: str | None = None,
                   **options) -> None:
        """The figures from the rollups (never a scan of the household table), in the scope of
        ``--user`` as on its dashboard; without it the system operator's: the district or any street."""
        from gaizao.progress.selectors import summary as s

        actor = command_actor(user) if user else SYSTEM
        area = s.dashboard_area(actor, street_code=(street or "").strip() or None)
        summary = s.area_summary(area)
        if json:
            self.write_json(summary_json(area, summary))
        else:
            self.stdout.write("\n".join(summary_text(area, summary)))


def _add_heritage_option(parser) -> None:
    parser.add_argument("--heritage-reason", dest="heritage_reason", default="", metavar="理由",
                        help="拆除的房屋登记有历史文化要素时：特批理由（不少于 10 个字，记入审计日志）；"
                             "须以领导小组办公室或系统管理员账号（--user）执行，或不带 --user 以系统身份执行")


def _own_targets(area, today):
    """The area's targets in the running campaign (None without one): the district's goals or the street's."""
    from gaizao.progress.extensions import targets_for

    return targets_for(area.level, [area.unit.pk], today=today).get(area.unit.pk)


def summary_json(area, summary, *, today=None) -> dict:
    from gaizao.progress.choices import Level

    from gaizao.progress.selectors import summary as s
    from gaizao.progress.selectors.summary import area_villages_completed

    today = today or timezone.localdate()
    targets = _own_targets(area, today)
    figures = summary.as_dict()
    completed, total = area_villages_completed(area)
    level = {Level.DISTRICT: "district", Level.STREET: "street"}[area.level]
    return {
        "unit": {"code": area.unit.code, "name": area.unit.name, "level": level},
        "households": figures["households"], "area": figures["area"], "stages": figures["stages"],
        "signed_rate": figures["signed_rate"], "vacated_rate": figures["vacated_rate"],
        "demolished_area_wan": figures["demolished_area_wan"],
        "upgrade_households": figures["upgrade_households"], "upgrade_stages": figures["upgrade_stages"],
        "villages_completed": completed, "villages_total": total,
        # each project's signing status; once its period ended, the frozen judgement (签约期满判定)
        "projects": [{"code": p.code, "name": p.name, "signing_start": p.extra["project"].signing_start,
                      "signing_end": p.extra["project"].signing_end, **p.extra["signing"].as_dict()}
                     for p in s.project_summaries(area, today=today)],
        # the running campaign's targets of the area with done, the share due by now and the light (null without)
        "targets": targets.as_dict() if targets else None,
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def summary_text(area, summary, *, today=None) -> list[str]:
    from gaizao.progress.selectors import summary as s

    today = today or timezone.localdate()
    rows = [[_("阶段"), _("户数"), _("比例"), _("面积（㎡）")],
            [str(s.KEY_LABELS["scope"]), f"{summary.households:,}",
             _pct(s.percent(summary.households, summary.households)), f"{summary.total_area:,}"]]
    for key in SUMMARY_STAGES:
        rows.append([str(s.KEY_LABELS[key]), f"{summary.count(key):,}", _pct(summary.rate(key)),
                     f"{summary.area(key):,}"])
    return [_("%(u)s 改造进度（统计截至 %(y)d年%(m)d月%(d)d日）")
            % {"u": area.unit.name, "y": today.year, "m": today.month, "d": today.day}, "",
            *table(rows, right=frozenset({1, 2, 3})), "",
            _("签约率：%(v)s") % {"v": _pct(summary.signed_rate)},
            _("腾空率：%(v)s") % {"v": _pct(summary.vacated_rate)},
            _("拆除面积（万㎡）：%(v)s") % {"v": summary.demolished_area_wan},
            *_upgrade_and_villages(area, summary), *_targets_block(_own_targets(area, today)),
            *_judged_projects(area, today=today)]


def _one_place(rate: str | None):
    """A rate as the rest of the summary shows it: one decimal (66.67 → 66.7)."""
    from decimal import ROUND_HALF_UP, Decimal

    return None if rate is None else Decimal(rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _targets_block(targets) -> list[str]:
    """目标: each target of the running campaign with done / target, the rate, the share due by now and the light."""
    from gaizao.progress.documents import LIGHT_LABELS

    if targets is None:
        return []
    head = _("攻坚目标（%(c)s）") % {"c": targets.campaign}
    if targets.signing_due:
        head += _("，签约应于 %(d)s 前完成") % {"d": f"{targets.signing_due:%Y-%m-%d}"}
    head += _("：总体 %(l)s") % {"l": LIGHT_LABELS[targets.light]}
    rows = [[_("指标"), _("完成 / 目标"), _("完成率"), _("序时应完成"), _("灯")]]
    for c in targets.cells:
        rows.append([c.label, f"{c.done} / {c.target} {c.unit}", _pct(_one_place(c.rate)),
                     _pct(_one_place(c.expected_rate)), str(LIGHT_LABELS[c.light])])
    return ["", head, *table(rows, right=frozenset({1, 2, 3}))]


def _judged_projects(area, *, today) -> list[str]:
    """The projects whose signing period ended, with the frozen judgement (签约期满判定)."""
    from gaizao.progress.selectors import summary as s

    rows = [[_("项目"), _("签约期"), _("期内签约 / 应签约"), _("签约率"), _("生效比例"), _("判定")]]
    for project in s.project_summaries(area, today=today):
        st = project.extra["signing"]
        if st.code not in ("due", "effective", "lapsed", "ended"):
            continue
        p = project.extra["project"]
        figures = f"{st.result.signed:,} / {st.result.in_scope:,}" if st.frozen else "—"
        rows.append([f"{p.code} {p.name}", f"{p.signing_start:%Y-%m-%d}—{p.signing_end:%Y-%m-%d}", figures,
                     _pct(st.rate) if st.frozen else "—", f"{st.threshold.normalize():f}%", st.label])
    if len(rows) == 1:
        return []
    return ["", _("签约期满的项目（期满判定，冻结）："), *table(rows, right=frozenset({2, 3, 4}))]


def _upgrade_and_villages(area, summary) -> list[str]:
    """整治范围 (the upgrade way's steps) and the villages completed by their modes' rule."""
    from gaizao.progress.selectors import summary as s

    done, total = s.area_villages_completed(area)
    lines = []
    if summary.upgrade_households:
        steps = "，".join(f"{s.KEY_LABELS[key]} {summary.count(key):,} 户（{_pct(summary.rate(key))}）"
                         for key in s.UPGRADE_KEYS)
        lines.append(_("整治范围内：%(n)s 户；%(steps)s") % {"n": f"{summary.upgrade_households:,}", "steps": steps})
    lines.append(_("已完成改造的城中村：%(d)d / %(t)d 个") % {"d": done, "t": total})
    return lines
