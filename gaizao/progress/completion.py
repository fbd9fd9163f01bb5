"""When a village is completed (村改造完成), per mode: the default rule, read from the rollups only.

- 拆除新建: every household in scope (the demolition way) signed or under a 补偿决定, and demolished
  (拆除 needs 腾空交房, which needs 签约 or a 补偿决定: counting 拆除 counts both);
- 整治提升: every household's works accepted (竣工验收);
- 拆整结合: the households on the demolition way demolished, and those on the upgrade way accepted.

A village without a household in scope is not completed (nothing was done). Withdrawn households
left the scope and count nowhere. The campaign's rules will make this configurable (issue 10's
campaign item); this is the default, one function, so that pages, the API and the command agree.
It reads the rollups (``Rollup``: two keys per way), never the household table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gaizao.ledger.choices import RenovationMode
from gaizao.progress.choices import SCOPE, SCOPE_UPGRADE, EventKind, Level
from gaizao.progress.models import Rollup

# What each mode finishes: (scope key, the kind that ends its way, how the missing ones read).
DEMOLISH_PART = (SCOPE, EventKind.DEMOLISHED, gettext_noop("%(n)d 户未拆除"))
UPGRADE_PART = (SCOPE_UPGRADE, EventKind.WORKS_ACCEPTED, gettext_noop("%(n)d 户未验收"))
PARTS = {
    RenovationMode.DEMOLISH_REBUILD: (DEMOLISH_PART,),
    RenovationMode.UPGRADE: (UPGRADE_PART,),
    RenovationMode.MIXED: (DEMOLISH_PART, UPGRADE_PART),
}


@dataclass(frozen=True)
class Completion:
    done: bool
    reason: str  # 已完成 / 未完成：3 户未拆除，2 户未验收 / 未完成：无改造范围内的住户


def completion(mode: str, counts: dict[str, int]) -> Completion:
    """Whether a village in ``mode`` whose rollup totals are ``counts`` (key → households) is completed."""
    parts = PARTS.get(mode, (DEMOLISH_PART,))
    if not sum(counts.get(scope, 0) for scope, _k, _w in parts):
        return Completion(False, _("未完成：改造范围内没有住户"))
    missing = []
    for scope, kind, words in parts:
        left = counts.get(scope, 0) - counts.get(str(kind), 0)
        if left > 0:
            missing.append(_(words) % {"n": left})
    unsigned = counts.get(SCOPE, 0) - counts.get(EventKind.SIGNED, 0) - counts.get(EventKind.DECISION, 0)
    if DEMOLISH_PART in parts and unsigned > 0:
        missing.insert(0, _("%(n)d 户未签约（亦无补偿决定）") % {"n": unsigned})
    if missing:
        return Completion(False, _("未完成：") + "，".join(missing))
    return Completion(True, _("已完成"))


def village_completion(village) -> Completion:
    """One village's completion (one query)."""
    counts = dict(Rollup.objects.filter(level=Level.VILLAGE, unit=village.pk).values_list("key", "households"))
    return completion(village.mode, counts)


def villages_completed(villages: Iterable[tuple[int, str]]) -> int:
    """How many of these villages ((id, mode), …) are completed: one query whatever their number."""
    modes = dict(villages)
    counts: dict[int, dict[str, int]] = {pk: {} for pk in modes}
    if modes:
        for unit, key, households in Rollup.objects.filter(level=Level.VILLAGE, unit__in=list(modes)).values_list(
                "unit", "key", "households"):
            counts[unit][key] = households
    return sum(1 for pk, mode in modes.items() if completion(mode, counts[pk]).done)
