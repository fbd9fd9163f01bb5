"""Keyset pages (按 id 翻页): the one pager of long lists (households, hard cases, bulk recording).

A page is the rows after the last id of the previous one, read as ``limit + 1`` rows in id order:
the extra row says whether another page follows, so no COUNT is run and every page costs the same
at a million rows. The footer is ``templates/partials/keyset_footer.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet

T = TypeVar("T")


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One keyset page: ``next_after`` is the id to continue from, or None on the last page."""

    items: list[T]
    next_after: int | None


def after_id(qs: QuerySet, after: int | None) -> QuerySet:
    """The rows after ``after`` (the previous page's last id) in id order; the first page without it."""
    return (qs.filter(id__gt=after) if after else qs).order_by("id")


def keyset_page(rows: Sequence[Any], *, limit: int, key: Callable[[Any], int] = lambda row: row.pk) -> KeysetPage:
    """Cut ``limit + 1`` rows read in id order into a page and the id to continue from."""
    rows = list(rows)
    next_after = key(rows[limit - 1]) if len(rows) > limit else None
    return KeysetPage(items=rows[:limit], next_after=next_after)


def keyset_links(request, next_after: int | None) -> dict[str, str | None]:
    """The footer's links, keeping the list's filters: ``next_url`` and, past the first page, ``first_url``."""
    query = [(k, v) for k, v in request.GET.items() if k != "after" and v]
    return {
        "next_url": "?" + urlencode(query + [("after", next_after)]) if next_after else None,
        "first_url": "?" + urlencode(query) if request.GET.get("after") else None,
    }
