"""What the apps above add to each row of the household list (住户列表的附加信息), without a query more.

The ledger's list reads one query per page; an upper app that knows something of each household
(progress: the last visit of a hard case, 最近走访) registers a ``ListFact`` in its ``ready()``. Its
``annotate()`` gives the annotations (a correlated subquery, an ``F`` over a one-to-one) that the
list adds to that same query; each row then carries ``facts``: ``[(label, value), …]`` in order,
shown on the phone's cards. The ledger never names the upper app's models.

    from gaizao.ledger.listing import ListFact, household_list_facts
    household_list_facts.register(ListFact(name="myapp.thing", label=_("某事"), annotate=lambda: {...}))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gaizao.core.registry import Registry


@dataclass(frozen=True)
class ListFact:
    name: str
    label: Any  # a lazy gettext string
    annotate: Callable[[], dict[str, Any]]  # one annotation: its name is the value each row carries
    order: int = 100

    @property
    def key(self) -> str:
        return next(iter(self.annotate()))


household_list_facts: Registry[ListFact] = Registry("household list facts")


def annotations() -> dict[str, Any]:
    """Every registered fact's annotation, for the list's one query."""
    out: dict[str, Any] = {}
    for fact in household_list_facts:
        out.update(fact.annotate())
    return out
