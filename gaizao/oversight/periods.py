"""Assessment periods (考核期) as keys: ``"2026-11"`` a month, ``"2026-Q4"`` a quarter, ``"2026"`` a year.

``period_range(key)`` → (first day, last day); ``period_key(kind, day)`` the period holding a day;
``previous(key)`` the one before. A key that cannot be read is refused with a Chinese message naming it.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re

from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.oversight.choices import PeriodKind

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _refuse(key, kind: str | None = None) -> AppError:
    examples = {PeriodKind.MONTH: "2026-11", PeriodKind.QUARTER: "2026-Q4", PeriodKind.YEAR: "2026"}
    example = examples.get(kind) or "2026-11、2026-Q4、2026"
    return AppError(_("考核期「%(k)s」无法识别，应写作 %(e)s。") % {"k": key, "e": example},
                    fields={"period": _("无法识别的考核期")})


def kind_of(key: str) -> str:
    """month, quarter or year, from the key's shape (refused when it has none)."""
    text = str(key or "").strip()
    if _MONTH.match(text):
        return PeriodKind.MONTH
    if _QUARTER.match(text):
        return PeriodKind.QUARTER
    if _YEAR.match(text):
        return PeriodKind.YEAR
    raise _refuse(key)


def period_range(key: str, *, kind: str | None = None) -> tuple[dt.date, dt.date]:
    """(starts_on, ends_on) of a period key; ``kind`` given: the key must be of that kind."""
    text = str(key or "").strip()
    found = kind_of(text) if text else None
    if found is None or (kind is not None and found != kind):
        raise _refuse(key, kind)
    if found == PeriodKind.MONTH:
        year, month = (int(x) for x in _MONTH.match(text).groups())
        if not 1 <= month <= 12:
            raise _refuse(key, kind)
        return dt.date(year, month, 1), dt.date(year, month, _calendar.monthrange(year, month)[1])
    if found == PeriodKind.QUARTER:
        year, quarter = (int(x) for x in _QUARTER.match(text).groups())
        first = 3 * (quarter - 1) + 1
        return dt.date(year, first, 1), dt.date(year, first + 2, _calendar.monthrange(year, first + 2)[1])
    year = int(text)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def normalise(key: str, *, kind: str | None = None) -> str:
    """The key as stored: ``2026-3`` → ``2026-03``, ``2026-q4`` → ``2026-Q4``."""
    starts_on, _ends = period_range(key, kind=kind)
    return period_key(kind_of(str(key).strip()), starts_on)


def period_key(kind: str, day: dt.date) -> str:
    if kind == PeriodKind.MONTH:
        return f"{day.year}-{day.month:02d}"
    if kind == PeriodKind.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}"


def previous(key: str) -> str:
    kind = kind_of(key)
    starts_on, _ends = period_range(key)
    return period_key(kind, starts_on - dt.timedelta(days=1))


def label(key: str) -> str:
    """How people write it: 2026年11月, 2026年第四季度, 2026年度."""
    kind = kind_of(key)
    starts_on, _ends = period_range(key)
    if kind == PeriodKind.MONTH:
        return _("%(y)d年%(m)d月") % {"y": starts_on.year, "m": starts_on.month}
    if kind == PeriodKind.QUARTER:
        names = {1: _("一"), 2: _("二"), 3: _("三"), 4: _("四")}
        return _("%(y)d年第%(q)s季度") % {"y": starts_on.year, "q": names[(starts_on.month - 1) // 3 + 1]}
    return _("%(y)d年度") % {"y": starts_on.year}
