"""`gaizao progress summary [--street CODE] [--json] [--user USERNAME]`: the progress figures in a terminal.

Two functions for the `progress` command to wire in as its ``summary`` subcommand: ``add_arguments``
adds the options to its parser, ``run`` prints and returns the exit code. Without ``--user`` the
system operator asks (the whole district, or any street); with it, that account's scope, as on
its dashboard. Figures come from the rollups (never a scan of the household table).
"""

from __future__ import annotations

import json
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, NotFound
from gaizao.progress.choices import Level
from gaizao.progress.selectors import summary as s

LEVEL_NAMES = {Level.DISTRICT: "district", Level.STREET: "street"}
# The rows of the text table, in the order of a household's way (补偿决定 beside 签约).
TEXT_STAGES = ["surveyed", "decided", "valued", "decision", "signed", "vacated", "demolished", "resettled"]


def add_arguments(parser) -> None:
    parser.add_argument("--street", metavar="CODE", help="街道编码（默认：全区；街道账号为本街道）")
    parser.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 对象")
    parser.add_argument("--user", metavar="USERNAME", help="按该账号的查看范围统计（默认：系统操作员，全区）")


def system_area(street_code: str | None) -> s.Area:
    """What the system operator sees: the district, or any street of it."""
    return s.dashboard_area(SYSTEM, street_code=street_code)


def _user(username: str):
    from gaizao.org.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("账号 %(u)s 不存在或已停用。") % {"u": username})
    return user


def summary_json(area: s.Area, summary: s.UnitSummary) -> dict:
    figures = summary.as_dict()
    return {
        "unit": {"code": area.unit.code, "name": area.unit.name, "level": LEVEL_NAMES[area.level]},
        "households": figures["households"], "area": figures["area"], "stages": figures["stages"],
        "signed_rate": figures["signed_rate"], "vacated_rate": figures["vacated_rate"],
        "demolished_area_wan": figures["demolished_area_wan"],
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def summary_text(area: s.Area, summary: s.UnitSummary, *, today=None) -> list[str]:
    today = today or timezone.localdate()
    header = [_("阶段"), _("户数"), _("比例"), _("面积（㎡）")]
    rows = [[str(s.KEY_LABELS["scope"]), f"{summary.households:,}", _pct(s.percent(summary.households,
                                                                                    summary.households)),
             f"{summary.total_area:,}"]]
    for key in TEXT_STAGES:
        rows.append([str(s.KEY_LABELS[key]), f"{summary.count(key):,}", _pct(summary.rate(key)),
                     f"{summary.area(key):,}"])
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [_("%(u)s 改造进度（统计截至 %(y)d年%(m)d月%(d)d日）")
             % {"u": area.unit.name, "y": today.year, "m": today.month, "d": today.day}, ""]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)).rstrip())
        if row is header:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["",
              _("签约率：%(v)s") % {"v": _pct(summary.signed_rate)},
              _("腾空率：%(v)s") % {"v": _pct(summary.vacated_rate)},
              _("拆除面积（万㎡）：%(v)s") % {"v": summary.demolished_area_wan}]
    return lines


def run(options: dict, stdout, stderr) -> int:
    """Print the figures; 0 when printed, 1 (with a Chinese message on stderr) when they cannot be."""
    street = (options.get("street") or "").strip() or None
    try:
        username = options.get("user")
        if username:
            area = s.dashboard_area(_user(username), street_code=street)
        else:
            area = system_area(street)
        summary = s.area_summary(area)
    except AppError as exc:
        stderr.write(exc.message + "\n")
        return 1
    if options.get("json"):
        stdout.write(json.dumps(summary_json(area, summary), ensure_ascii=False) + "\n")
    else:
        stdout.write("\n".join(summary_text(area, summary)) + "\n")
    return 0
