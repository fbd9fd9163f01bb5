"""The access table (权限表): which role reads and writes which resource, and at which org level.

Written once, as data. Each app's ``policies.py`` registers the rows of its resources
(``register``) when core's ``ready()`` imports it (``autodiscover``, as the admin finds ``admin.py``),
so a new app brings its rows by writing that file; the same module derives from them the querysets (``*_scope``,
``*_write_scope``) and predicates (``*_can_*``) its selectors, services and views use; nobody
else asks which roles a user holds to decide what they may touch.

Role names are plain strings here: core sits below org, which defines the roles (``org.choices.Role``
is a ``TextChoices``, so its members are these strings). The table lives in core rather than in
org because the scoping helpers every app starts from live here, and because the apps above org
add resources of their own: a registry at the bottom of the house lets each of them bring its rows
without editing anyone else's file.

Levels, from widest to narrowest:

- ``DISTRICT``: everything in the district;
- ``UNIT``: what lies in the org units where the user holds the role (a street's villages and
  households for street staff; for org units themselves, those units' subtrees);
- ``ASSIGNED``: the households assigned to the user (a cadre, 包户干部);
- ``OWN``: the user's own (a resident's household; an account's own record);
- no rule: nothing.

A row keyed ``ANY`` holds for every signed-in user, whatever their roles (everyone reads their own
account, an outsider with no role included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules

DISTRICT = "district"
UNIT = "unit"
ASSIGNED = "assigned"
OWN = "own"
LEVELS = (DISTRICT, UNIT, ASSIGNED, OWN)
ANY = "*"


@dataclass(frozen=True)
class Rule:
    """One role's access to one resource: the level it reads at and the level it writes at."""

    read: str | None = None
    write: str | None = None

    def __post_init__(self) -> None:
        for level in (self.read, self.write):
            if level is not None and level not in LEVELS:
                raise ImproperlyConfigured(f"unknown access level {level!r}")


@dataclass(frozen=True)
class Place:
    """Where one object sits, in the terms of the levels: its unit, its cadre, its resident."""

    unit_id: int | None = None
    cadre_id: int | None = None
    resident_id: int | None = None


@dataclass(frozen=True)
class Endpoint:
    """A page or API route that shows (or changes) one object of a resource, for the scope matrix.

    ``url`` builds the address from an object; ``write`` endpoints answer 404 out of write scope,
    the others out of read scope; ``method`` other than GET is sent with the sample body of
    ``tests/<app>/scope_samples.py`` (``BODIES``, by endpoint name; else an empty one), so an
    in-scope call is refused for its input (4xx but not 404) or written, never 403 or 404.
    ``refused_to_readers_of`` names a resource whose readers already see the object: out of this
    endpoint's reach they are refused (403, audited) rather than told it is missing (404), as on the
    reveal of a household's full numbers.
    """

    name: str
    url: Callable[[Any], str]
    write: bool = False
    method: str = "GET"
    shows: Callable[[Any], str] | None = None  # text an in-scope answer holds and an out-of-scope one does not
    refused_to_readers_of: str | None = None


@dataclass(frozen=True)
class Resource:
    name: str
    rows: Mapping[str, Rule]
    locate: Callable[[Any], Place] | None = None
    endpoints: tuple[Endpoint, ...] = ()


ACCESS: dict[str, Resource] = {}
NO_RULE = Rule()


def register(name: str, rows: Mapping[str, Rule], *, locate: Callable[[Any], Place] | None = None,
             endpoints: Iterable[Endpoint] = ()) -> None:
    """Register a resource's rows (role → Rule), how to place one of its objects, and its endpoints.

    Registering the same name again replaces it (``ready()`` may run twice in tests).
    """
    ACCESS[name] = Resource(name=name, rows={str(role): rule for role, rule in rows.items()},
                            locate=locate, endpoints=tuple(endpoints))


def resource(name: str) -> Resource:
    try:
        return ACCESS[name]
    except KeyError:
        raise ImproperlyConfigured(f"access resource {name!r} is not registered") from None


def rule(name: str, role: str) -> Rule:
    return resource(name).rows.get(str(role), NO_RULE)


@dataclass(frozen=True)
class Grant:
    """What one user may touch of one resource (read or write): the roles holding each level.

    Reading the user's units costs a query only when a role grants ``UNIT`` (as before the table).
    """

    user: Any
    levels: dict[str, frozenset[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.levels)

    @property
    def everywhere(self) -> bool:
        return DISTRICT in self.levels

    @property
    def assigned(self) -> bool:
        return ASSIGNED in self.levels

    @property
    def own(self) -> bool:
        return OWN in self.levels

    def roles_at(self, level: str) -> frozenset[str]:
        return self.levels.get(level, frozenset())

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        roles = self.levels.get(UNIT, frozenset())
        if not roles:
            return frozenset()
        by_role = self.user.unit_ids_by_role
        return frozenset().union(*(by_role.get(r, frozenset()) for r in roles))

    def covers(self, place: Place) -> bool:
        """This grant reaches one object (no query beyond the user's units)."""
        if self.everywhere:
            return True
        if self.assigned and place.cadre_id is not None and place.cadre_id == self.user.pk:
            return True
        if self.own and place.resident_id is not None and place.resident_id == self.user.pk:
            return True
        return UNIT in self.levels and place.unit_id in self.unit_ids

    def condition(self, *, unit: str | None = None, assigned: str | None = None, own: str | None = None) -> Q | None:
        """The filter for a queryset below ``everywhere``: lookups naming the object's unit, cadre and
        resident. None: nothing. A level the resource has no lookup for grants nothing."""
        parts = []
        if unit and UNIT in self.levels:
            parts.append(Q(**{f"{unit}__in": self.unit_ids}))
        if assigned and self.assigned:
            parts.append(Q(**{assigned: self.user}))
        if own and self.own:
            parts.append(Q(**{own: self.user}))
        if not parts:
            return None
        out = parts[0]
        for part in parts[1:]:
            out |= part
        return out

    def filter(self, queryset: QuerySet, **lookups: str) -> QuerySet:
        """``queryset`` narrowed to this grant (unchanged when it reaches the whole district)."""
        if self.everywhere:
            return queryset
        condition = self.condition(**lookups)
        return queryset.filter(condition) if condition is not None else queryset.none()


def grant(user, name: str, *, write: bool = False) -> Grant:
    """The user's grant over resource ``name``: the union over the roles the user holds."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Grant(user=user)
    rows = resource(name).rows
    levels: dict[str, set[str]] = {}
    # The system actor (core.actors) holds no roles: services let it through before asking the table.
    for role in (*getattr(user, "role_set", ()), ANY):
        found = rows.get(role)
        level = (found.write if write else found.read) if found else None
        if level is not None:
            levels.setdefault(level, set()).add(role)
    return Grant(user=user, levels={k: frozenset(v) for k, v in levels.items()})


def roles_with(name: str, *, write: bool = False) -> frozenset[str]:
    """The roles that reach resource ``name`` at some level (menus, and "may this role ever …")."""
    return frozenset(role for role, r in resource(name).rows.items() if (r.write if write else r.read))


def autodiscover() -> None:
    """Import every installed app's ``policies`` module: each registers its resources on import."""
    autodiscover_modules("policies")
