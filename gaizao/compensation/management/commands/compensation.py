"""`gaizao compensation`: compensation schemes and calculations from the terminal (征收补偿).

    gaizao compensation check 方案.toml                       # every problem, with its line and name
    gaizao compensation calc --scheme 方案.toml --input cases.json [--json]
    gaizao compensation calculate --project P001 [--option money] [--skip-incomplete] [--user USERNAME]

``calc`` runs a scheme that is not yet published over hand-written cases (household facts,
buildings, dates, option; an ``expect`` per case is compared): how a district tests a scheme before
it publishes it. Exit codes: 0 fine; 1 an error (the scheme or the file is wrong; nothing written);
2 a case could not be calculated or differs from what it expects.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from gaizao.core.commands import AppCommand, add_user_option, table
from gaizao.core.errors import AppError

MAX_INPUT_BYTES = 20 * 1024 * 1024


def _read(path: str, *, what: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise AppError(_("找不到%(w)s文件：%(p)s") % {"w": what, "p": path})
    if file.stat().st_size > MAX_INPUT_BYTES:
        raise AppError(_("%(w)s文件过大（最多 20 MB）：%(p)s") % {"w": what, "p": path})
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise AppError(_("%(w)s文件须为 UTF-8 编码的文本：%(p)s") % {"w": what, "p": path}) from None


class Command(AppCommand):
    help = ("征收补偿：check 检查方案文本，calc 用案例试算方案（发布前），calculate 测算项目各户。"
            "退出码：0 成功，1 出错（没有写入），2 有案例无法计算或与预期不符。")
    subcommands = {
        "check": "检查补偿方案文本（TOML）：列出每处错误及其行号",
        "calc": "用案例文件（JSON）试算补偿方案，输出每户每项的公式、取值和金额",
        "calculate": "按已发布的补偿方案测算项目各户（写入测算结果）",
    }

    def add_check(self, parser) -> None:
        parser.add_argument("scheme", metavar="方案.toml")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def do_check(self, *, scheme: str, json: bool = False, **options) -> None:
        from gaizao.compensation import language

        problems = language.check(_read(scheme, what=_("方案")))
        if json:
            self.write_json({"ok": not problems, "problems": [
                {"line": p.line, "name": p.name, "message": p.message} for p in problems]})
        elif not problems:
            self.stdout.write(_("方案无误。"))
        else:
            self.stdout.write("\n".join(str(p) for p in problems))
        if problems:
            raise CommandError(_("方案有 %(n)d 处错误。") % {"n": len(problems)}, returncode=1)

    def add_calc(self, parser) -> None:
        parser.add_argument("--scheme", required=True, metavar="方案.toml", help="补偿方案文本（TOML）")
        parser.add_argument("--input", required=True, metavar="cases.json",
                            help="案例：[{\"name\", \"option\", \"persons\", \"signed_on\", \"buildings\": [...], "
                                 "\"expect\": {...}}, ...]")
        parser.add_argument("--json", action="store_true", help="输出 JSON（每个案例的每一项：公式、取值、金额）")

    def do_calc(self, *, scheme: str, input: str, json: bool = False, **options) -> None:  # noqa: A002
        from gaizao.compensation.services.calculations import check_cases

        text = _read(scheme, what=_("方案"))
        try:
            cases = _json_load(_read(input, what=_("案例")))
        except ValueError as exc:
            raise AppError(_("案例文件不是有效的 JSON：%(e)s") % {"e": exc}) from None
        results = check_cases(text=text, cases=cases)
        if json:
            self.write_json({"scheme": scheme, "cases": results})
        else:
            self.stdout.write("\n".join(_calc_text(results)))
        failed = [r for r in results if "error" in r or r.get("expected") is False]
        if failed:
            raise CommandError(_("%(n)d 个案例无法计算或与预期不符。") % {"n": len(failed)}, returncode=2)

    def add_calculate(self, parser) -> None:
        parser.add_argument("--project", required=True, help="项目编码")
        parser.add_argument("--option", choices=["money", "swap", "mixed"], help="统一按此补偿方式测算（默认：各户已选的方式）")
        parser.add_argument("--skip-incomplete", action="store_true", help="跳过资料不全的住户，其余照常测算")
        add_user_option(parser, doing="测算")

    def do_calculate(self, *, project: str, option: str | None = None, skip_incomplete: bool = False,
                     user: str | None = None, **options) -> None:
        from gaizao.compensation.services.calculations import project_calculate
        from gaizao.core.actors import command_actor
        from gaizao.ledger.models import Project

        found = Project.objects.filter(code=project).first()
        if found is None:
            raise AppError(_("项目编码 %(c)s 不存在。") % {"c": project})
        outcome = project_calculate(actor=command_actor(user), project=found, option=option,
                                    skip_incomplete=skip_incomplete)
        self.stdout.write(_("测算 %(c)d 户，未变 %(u)d 户，跳过 %(s)d 户。") % {
            "c": outcome["calculated"], "u": outcome["unchanged"], "s": outcome["skipped"]})
        for problem in outcome["problems"][:50]:
            self.stdout.write("  " + problem)


def _json_load(text: str):
    return json.loads(text)


def _calc_text(results: list[dict]) -> list[str]:
    lines: list[str] = []
    for entry in results:
        title = _("案例 %(i)d") % {"i": entry["case"]}
        if entry.get("name"):
            title += f"：{entry['name']}"
        lines.append(title)
        if "error" in entry:
            lines.append("  " + _("无法计算：%(e)s") % {"e": entry["error"]})
            lines.append("")
            continue
        lines.append("  " + _("补偿方式：%(o)s") % {"o": entry["option_label"]})
        rows = [[_("项目"), _("金额"), _("公式"), _("取值")]]
        for item in entry["items"]:
            if not item["applies"]:
                continue
            inputs = "，".join(f"{k}={v}" for k, v in item["inputs"].items())
            if item.get("buildings"):
                inputs = "；".join(f"{_('房屋')}{b['building']}: {b['amount']}" for b in item["buildings"])
            rows.append([item["label"], f"{item['amount']} {item['unit']}".strip(), item["formula"], inputs])
        lines.extend("  " + line for line in table(rows, right=frozenset({1})))
        lines.append("  " + _("合计：%(t)s 元") % {"t": entry["total"]})
        if entry.get("differences"):
            lines.extend("  " + _("与预期不符：%(d)s") % {"d": d} for d in entry["differences"])
        elif entry.get("expected"):
            lines.append("  " + _("与预期相符。"))
        lines.append("")
    return lines
