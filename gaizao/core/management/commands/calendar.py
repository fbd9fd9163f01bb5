"""gaizao calendar: the working-day calendar (工作日历) from the command line.

    gaizao calendar add 2026-09-30 3        → the date 3 working days after (before it when N < 0)
    gaizao calendar workday 2026-10-01      → says whether it is a working day; exit 0 if so, 1 if not
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import calendar
from gaizao.core.commands import AppCommand


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("日期「%(text)s」无法识别，请写成 2026-09-30 的形式。") % {"text": text},
                           returncode=2) from None


class Command(AppCommand):
    help = gettext_lazy("工作日历：add 推算 N 个工作日之后（N 为负数时为之前）的日期；workday 判断某日是否工作日。"
                        "均含国家法定节假日、调休和领导小组办公室的本地调整。")
    subcommands = {"add": gettext_lazy("DATE N：DATE 之后第 N 个工作日（N 为负数时为之前）"),
                   "workday": gettext_lazy("DATE：是工作日时退出码为 0，不是时为 1")}

    def add_add(self, parser) -> None:
        parser.add_argument("date", help=str(gettext_lazy("起算日期，如 2026-09-30（当天不计）")))
        parser.add_argument("n", type=int, help=str(gettext_lazy("工作日数，负数表示往前推")))

    def add_workday(self, parser) -> None:
        parser.add_argument("date", help=str(gettext_lazy("日期，如 2026-10-01")))

    def do_add(self, *, date: str, n: int, **options) -> None:
        try:
            self.stdout.write(calendar.add_workdays(_date(date), n).isoformat())
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None

    def do_workday(self, *, date: str, **options) -> None:
        day = _date(date)
        working, why = calendar.describe(day)
        self.stdout.write(f"{day.isoformat()} {_('工作日') if working else _('非工作日')}（{why}）")
        if not working:
            raise SystemExit(1)
