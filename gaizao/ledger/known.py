"""Known values (可选值) of the ledger's lists that the office extends: building structures and uses.

The built-in values are ``choices.Structure`` and ``choices.HouseholdUse``; the office (领导小组办公室, and
the admin) adds more on a page (``services.known``, audited), stored in ``models.KnownValue``. A value
added is stored on a building or household under its name (钢木, 商铺 …), so it needs no code of its
own and shows as it was written.

Every reader asks here: the model fields' choices (a callable: validation and ``get_*_display``), the
edit forms' drop-downs, the import's cell rules and the template's drop-down lists. What the database
holds is read once a minute per process at most (``TTL``), and at once in the process that wrote it
(``forget`` on commit); another app process sees a new value within the minute.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

from django.db import DatabaseError

from gaizao.ledger.choices import HouseholdUse, KnownList, Structure

TTL = 60.0
BUILT_IN = {KnownList.STRUCTURE: Structure, KnownList.USE: HouseholdUse}
_cache: dict[str, tuple[float, list[tuple[str, str, bool]]]] = {}


def split_aliases(text: str) -> list[str]:
    """Other spellings, written one after another with 、 , ， ; or spaces."""
    return [part for part in re.split(r"[、,，;；\s]+", text or "") if part]


def _added(kind: str) -> list[tuple[str, str, bool]]:
    """(name, aliases, active) of the values the office added to ``kind``, cached."""
    now = time.monotonic()
    hit = _cache.get(kind)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    from gaizao.ledger.models import KnownValue

    try:
        rows = list(KnownValue.objects.filter(kind=kind).order_by("id").values_list("label", "aliases", "active"))
    except DatabaseError:  # before the table exists (migrating, checks): the built-in values only
        return []
    _cache[kind] = (now, rows)
    return rows


def forget() -> None:
    """Read the lists again on the next ask (the writing process, after its commit)."""
    _cache.clear()


def choices(kind: str, *, offered: bool = False) -> list[tuple[str, str]]:
    """The list's (value, label) pairs: the built-in ones, then those added (``offered``: only those in use)."""
    base = [(value, str(label)) for value, label in BUILT_IN[kind].choices]
    return base + [(name, name) for name, _aliases, active in _added(kind) if active or not offered]


def structure_choices() -> list[tuple[str, str]]:
    return choices(KnownList.STRUCTURE)


def use_choices() -> list[tuple[str, str]]:
    return choices(KnownList.USE)


def offered_structures() -> list[tuple[str, str]]:
    return choices(KnownList.STRUCTURE, offered=True)


def offered_uses() -> list[tuple[str, str]]:
    return choices(KnownList.USE, offered=True)


def import_rule(kind: str, aliases: dict[str, str]) -> tuple[SimpleNamespace, dict[str, str]]:
    """What the import's choice rule reads (``core.tabular.normalise.choice_rule``): an object with the
    list's ``choices`` (those offered, for the message) and the aliases with the added values' own."""
    added = dict(aliases)
    for name, more, active in _added(kind):
        if not active:  # retired: no longer taken from a sheet
            continue
        added[name] = name
        for alias in split_aliases(more):
            added.setdefault(alias, name)
    return SimpleNamespace(choices=choices(kind, offered=True)), added
