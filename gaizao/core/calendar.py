"""The working-day calendar (工作日历): one calendar for every deadline counted in working days.

A day is a working day unless it is a weekend or an official holiday, and an adjusted workday (调休
上班, a Saturday or Sunday worked in exchange for a holiday) is one; both come from China's
official calendar in the ``holidays`` package. Over it, the office's local adjustments
(``CalendarAdjustment``: a day declared a working day or a day off, with a reason) win.

    from gaizao.core import calendar
    calendar.is_workday(day)            # bool
    calendar.add_workdays(day, 5)       # 5 working days after day (before it when negative)
    calendar.next_workday(day)          # day itself if a working day, else the next one
    calendar.describe(day)              # (is a working day, why: 「周六」「春节」「调休上班」「本地调整：…」)

Each call reads the local adjustments of the days it may touch in one query. Writes go through
``adjustment_set`` / ``adjustment_remove`` (the office and the administrator; audited).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import access, audit
from gaizao.core.access import ANY, DISTRICT, Rule
from gaizao.core.checking import Checker
from gaizao.core.models import CalendarAdjustment
from gaizao.core.writes import writes

# Everyone signed in reads the calendar; the office and the administrator adjust it (role names are
# strings in core: org's Role values).
CALENDAR_ROWS = {
    ANY: Rule(read=DISTRICT),
    "commander": Rule(read=DISTRICT, write=DISTRICT),
    "admin": Rule(read=DISTRICT, write=DISTRICT),
}
# How far a count of working days may reach (a year of working days is about 250).
MAX_WORKDAYS = 1000
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
ACTION_LABELS = {
    "calendar.set": gettext_lazy("设置工作日历调整"),
    "calendar.remove": gettext_lazy("取消工作日历调整"),
}


def register_access() -> None:
    access.register("core.calendar", CALENDAR_ROWS)


def calendar_writer(user) -> bool:
    """Adjusts the calendar (工作日历): the office and the administrator."""
    return bool(access.grant(user, "core.calendar", write=True))


@lru_cache(maxsize=64)
def _official(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year, language="zh_CN")


def _official_workday(day: dt.date) -> bool:
    return _official(day.year).is_working_day(day)


def _adjustments(start: dt.date, end: dt.date) -> dict[dt.date, CalendarAdjustment]:
    low, high = min(start, end), max(start, end)
    return {a.day: a for a in CalendarAdjustment.objects.filter(day__gte=low, day__lte=high)}


def _is_workday(day: dt.date, local: dict[dt.date, CalendarAdjustment]) -> bool:
    adjusted = local.get(day)
    if adjusted is not None:
        return adjusted.kind == CalendarAdjustment.Kind.WORKDAY
    return _official_workday(day)


def is_workday(day: dt.date) -> bool:
    return _is_workday(day, _adjustments(day, day))


def describe(day: dt.date) -> tuple[bool, str]:
    """Whether ``day`` is a working day, and why in words."""
    local = _adjustments(day, day).get(day)
    if local is not None:
        return local.kind == CalendarAdjustment.Kind.WORKDAY, _("本地调整：%(note)s") % {"note": local.note}
    official = _official(day.year)
    name = official.get(day)
    working = official.is_working_day(day)
    if name:
        return working, str(name)
    if working and day.weekday() >= 5:
        return True, _("调休上班")
    return working, WEEKDAYS[day.weekday()] if not working else _("工作日")


def _check_count(n: int) -> None:
    if abs(n) > MAX_WORKDAYS:
        raise ValueError(_("工作日数不能超过 %(max)d 个（给出的是 %(n)d）。") % {"max": MAX_WORKDAYS, "n": n})


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (before it when ``n`` is negative; ``day`` when 0).

    ``day`` itself does not count: 1 working day after a Friday is the next Monday (or the first
    working day after it). One query for the local adjustments of the window.
    """
    _check_count(n)
    if n == 0:
        return day
    step = 1 if n > 0 else -1
    # a generous window: every working day is at most a fortnight's holidays away from the next
    local = _adjustments(day, day + dt.timedelta(days=step * (abs(n) * 2 + 30)))
    left, current = abs(n), day
    while left:
        current += dt.timedelta(days=step)
        if _is_workday(current, local):
            left -= 1
    return current


def next_workday(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the first working day after it (a deadline on a holiday moves)."""
    local = _adjustments(day, day + dt.timedelta(days=30))
    current = day
    while not _is_workday(current, local):
        current += dt.timedelta(days=1)
    return current


def year_days(year: int) -> list[dict]:
    """The year's days that are not ordinary (official holidays, adjusted workdays, local adjustments),
    in date order, for the calendar page: ``{"day", "workday", "why", "local"}``."""
    local = _adjustments(dt.date(year, 1, 1), dt.date(year, 12, 31))
    official = _official(year)
    days = set(official) | set(local) | {d for d in _weekend_workdays(official, year)}
    out = []
    for day in sorted(d for d in days if d.year == year):
        adjusted = local.get(day)
        if adjusted is not None:
            out.append({"day": day, "workday": adjusted.kind == CalendarAdjustment.Kind.WORKDAY,
                        "why": adjusted.note, "local": adjusted})
        elif day in official:
            out.append({"day": day, "workday": official.is_working_day(day), "why": str(official[day]),
                        "local": None})
        else:
            out.append({"day": day, "workday": True, "why": _("调休上班"), "local": None})
    return out


def _weekend_workdays(official: holidays.HolidayBase, year: int) -> set[dt.date]:
    return {d for d in getattr(official, "weekend_workdays", set()) if d.year == year}


@writes(policy=calendar_writer)
def adjustment_set(*, actor, day, kind: str, note: str, ip: str | None = None) -> CalendarAdjustment:
    """Declare ``day`` a working day or a day off (本地调整), with a reason of 2–200 characters."""
    check = Checker(CalendarAdjustment)
    if not isinstance(day, dt.date):
        check.error("day", _("请填写日期。"))
    if kind not in CalendarAdjustment.Kind.values:
        check.error("kind", _("请选择调整为工作日还是休息日。"))
    note = (note or "").strip()
    if not 2 <= len(note) <= 200:
        check.error("note", _("请写明调整的依据（2 至 200 字），如“区政府通知：因台风停工一天”。"))
    check.done()
    before = CalendarAdjustment.objects.select_for_update().filter(day=day).first()
    if before is not None and (before.kind, before.note) == (kind, note):
        return before
    adjustment, _created = CalendarAdjustment.objects.update_or_create(day=day, defaults={"kind": kind, "note": note})
    audit.record(actor=actor, action="calendar.set", obj=adjustment, ip=ip, changes={
        "day": day.isoformat(), "kind": [before.kind if before else None, kind],
        "note": [before.note if before else None, note]})
    return adjustment


@writes(policy=calendar_writer)
def adjustment_remove(*, actor, day: dt.date, ip: str | None = None) -> bool:
    """Take back the local adjustment of ``day`` (the official calendar holds again); False if there was none."""
    found = CalendarAdjustment.objects.select_for_update().filter(day=day).first()
    if found is None:
        return False
    audit.record(actor=actor, action="calendar.remove", obj=found, ip=ip,
                 changes={"day": day.isoformat(), "kind": [found.kind, None], "note": [found.note, None]})
    found.delete()
    return True
