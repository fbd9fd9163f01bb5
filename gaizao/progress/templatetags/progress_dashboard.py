"""Template helpers of the dashboard and the village progress card.

``{% load progress_dashboard %}{% village_progress village %}`` on the village page draws the
village's progress card (figures, its projects' signing status with 已失效, the forecast).
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from gaizao.progress.selectors.dashboard import village_progress as village_progress_data

register = template.Library()


@register.filter
def pct(value) -> str:
    """A rate as "12.3%" (one decimal), "—" when there is none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.1f}%"


@register.filter
def bar_width(value) -> str:
    """A rate as a CSS width between 0 and 100 (dot decimal, whatever the locale)."""
    if value is None:
        return "0"
    return f"{min(max(Decimal(value), Decimal(0)), Decimal(100)):.1f}"


@register.filter
def stage_rate(summary, key: str):
    """The share of a unit's households that reached ``key`` (UnitSummary.rate)."""
    return summary.rate(key)


@register.filter
def columns(items, count: int) -> list[list]:
    """``items`` in ``count`` consecutive parts for side-by-side columns (the first ones fuller)."""
    items = list(items)
    size = -(-len(items) // int(count)) if items else 0
    return [items[i:i + size] for i in range(0, len(items), size)] if size else []


@register.filter
def cn_date(value) -> str:
    """2027年3月5日."""
    if not value:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


@register.inclusion_tag("progress/dashboard/_village_progress.html", takes_context=True)
def village_progress(context, village):
    # The village page already holds the village's projects: use them rather than read them again.
    projects = context.get("projects")
    if projects is not None and not all(getattr(p, "village_id", None) == village.pk for p in projects):
        projects = None
    return {"village": village, "progress": village_progress_data(village, projects=projects)}
