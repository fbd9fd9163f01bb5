"""Lists, details and summaries of the ledgers, for the pages and the API.

Everything here starts from the ``*_scope`` functions in ``ledger.policies``; none of it widens what a user sees.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Count, DecimalField, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value,
)
from django.db.models.functions import Coalesce

from gaizao.core.pages import KeysetPage, keyset_page
from gaizao.core.crypto import lookup_hash
from gaizao.core.scoping import get_in_scope
from gaizao.core.validators import normalize_citizen_id
from gaizao.ledger import listing
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.ledger.policies import (
    building_scope, heritage_scope, household_grant, household_scope, person_scope, project_scope, village_scope,
)
from gaizao.ledger.surnames import READ_ALSO
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import Membership, OrgUnit, User


PAGE_SIZE = 50
AREA_PLACES = Decimal("0.01")
_AREA_OUTPUT = DecimalField(max_digits=14, decimal_places=2)


HouseholdPage = KeysetPage  # of Household rows (core.pages)


@dataclass(frozen=True)
class HouseholdFilterOptions:
    streets: QuerySet[OrgUnit]
    villages: QuerySet[Village]
    projects: QuerySet[Project]


def street_list(user: User) -> QuerySet[OrgUnit]:
    """Streets whose ledgers the user reads (the street filter of the ledger pages)."""
    qs = OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path")
    reach = household_grant(user)
    if not user.is_authenticated:
        return qs.none()
    if reach.everywhere:
        return qs
    condition = Q(id__in=reach.unit_ids)
    if reach.assigned or reach.own:
        condition |= Q(id__in=household_scope(user).values("street_id"))
    return qs.filter(condition)


def household_filter_options(user: User) -> HouseholdFilterOptions:
    """What the household filters offer: the streets, villages and projects of in-scope households.

    Cadres and residents read households but no village pages, so their options come from their
    own households rather than from ``village_scope``.
    """
    villages = Village.objects.only("id", "code", "name").order_by("code")
    projects = Project.objects.only("id", "code", "name").order_by("code")
    reach = household_grant(user)
    if not user.is_authenticated:
        villages, projects = villages.none(), projects.none()
    elif not reach.everywhere:
        condition = Q(street_id__in=reach.unit_ids)
        if reach.assigned or reach.own:
            condition |= Q(id__in=household_scope(user).values("village_id"))
        villages = villages.filter(condition)
        projects = projects.filter(village__in=Village.objects.filter(condition).values("id"))
    return HouseholdFilterOptions(streets=street_list(user), villages=villages, projects=projects)


def _household_count_subquery() -> Coalesce:
    per_village = (
        Household.objects.filter(village=OuterRef("pk")).order_by().values("village")
        .annotate(n=Count("id")).values("n")
    )
    return Coalesce(Subquery(per_village, output_field=IntegerField()), Value(0))


def _where(qs: QuerySet, **lookups) -> QuerySet:
    """Filter on each lookup that has a value: a filter left blank filters nothing."""
    return qs.filter(**{name: value for name, value in lookups.items() if value})


def village_list(user: User, *, street_id: int | None = None, mode: str = "", batch: int | None = None,
                 year: int | None = None) -> QuerySet[Village]:
    """Villages in scope with their household count (one query, a subquery per row, no N+1)."""
    qs = village_scope(user).defer("boundary", "notes").annotate(household_count=_household_count_subquery())
    return _where(qs, street_id=street_id, mode=mode, batch=batch, year=year).order_by("code")


def village_get(user: User, *, pk) -> Village:
    """The village if the user may read it, else 404."""
    return get_in_scope(village_scope(user).select_related("community"), pk=pk)


def project_list(user: User, *, village: Village) -> QuerySet[Project]:
    """The village's projects in scope, with their household counts."""
    per_project = (
        Household.objects.filter(project=OuterRef("pk")).order_by().values("project")
        .annotate(n=Count("id")).values("n")
    )
    return (
        project_scope(user).filter(village=village)
        .annotate(household_count=Coalesce(Subquery(per_project, output_field=IntegerField()), Value(0)))
        .order_by("phase", "code")
    )


def household_stage_summary(user: User, *, village: Village | None = None) -> list[dict]:
    """Households in scope per stage, every stage listed in funnel order (zeros included)."""
    qs = household_scope(user)
    if village is not None:
        qs = qs.filter(village=village)
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    return [{"stage": value, "label": label, "count": counts.get(value, 0)} for value, label in Stage.choices]


def _prefix(field: str, text: str) -> Q:
    """A prefix match that a plain B-tree index can serve on SQLite and PostgreSQL alike.

    ``LIKE 'x%'`` uses an index only with special collations (SQLite NOCASE, PostgreSQL
    text_pattern_ops); the range ``x <= value < x'`` uses the ordinary index, and the LIKE beside
    it keeps the match exact.
    """
    last = ord(text[-1])
    upper = text[:-1] + chr(last + 1) if last < 0x10FFFF else None
    condition = Q(**{f"{field}__gte": text, f"{field}__startswith": text})
    if upper is not None:
        condition &= Q(**{f"{field}__lt": upper})
    return condition


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _searched_citizen_id(text: str) -> str | None:
    """The canonical citizen ID when ``text`` is one (a search by ID), else None."""
    try:
        return normalize_citizen_id(unicodedata.normalize("NFKC", text or "").strip())
    except ValidationError:
        return None


def household_search_is_by_id(q: str) -> bool:
    """Whether the household search ``q`` is an exact search by citizen ID (按身份证号查询).

    Such a search confirms whether a number belongs to a household in scope, so the caller
    audits and limits it (``ledger.services.id_search``); this is the one place that decides
    what counts as one.
    """
    return _searched_citizen_id(q) is not None


def _household_search(text: str) -> Q | None:
    """What the search box ``q`` means, decided by the shape of what was typed.

    - an 18-character citizen ID (full-width digits, spaces and a lowercase x are fine): exact
      match through the keyed hash, on the head of household or on any member;
    - Chinese characters: a prefix of the head's name (or of the household number);
    - Latin letters: a prefix of the head's pinyin initials (``zs`` finds 张三, ``zgf`` 曾国藩: surnames
      read as surnames, ``ledger.surnames``) or of the number; a surname with two readings is found
      by either (``yj`` and ``lj`` both find 乐嘉, stored as ``yj``);
    - anything else: a prefix of the household number (``DH-001`` also finds itself).
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    normalised = _searched_citizen_id(text)
    if normalised:
        digest = lookup_hash(normalised)
        # Two IN subqueries (not ``head_id_hash = x OR ...``): the planner then drives the search
        # from the two hash indexes even when a street's scope condition competes with them.
        heads = Household.objects.filter(head_id_hash=digest).values("id")
        members = Person.objects.filter(id_hash=digest).values("household_id")
        return Q(id__in=heads) | Q(id__in=members)
    condition = _prefix("number", text)
    if _has_cjk(text):
        condition |= _prefix("head_name", text)
    elif text.isascii() and text.isalpha():
        typed = text.lower()
        condition |= _prefix("head_initials", typed)
        for surname, stored in READ_ALSO.get(typed[0], ()):
            # 乐 read lè: "lj" is 乐's "yj". Two index ranges (the name's and the initials'), as above.
            condition |= _prefix("head_name", surname) & _prefix("head_initials", stored + typed[1:])
    return condition


def _household_columns(qs: QuerySet[Household]) -> QuerySet[Household]:
    """The columns lists show beside the household's own fields: village name, legal area total."""
    legal_area = (
        Building.objects.filter(household=OuterRef("pk")).order_by().values("household")
        .annotate(total=Sum("legal_area")).values("total")
    )
    return qs.annotate(
        village_name=F("village__name"),
        legal_area_total=Coalesce(Subquery(legal_area, output_field=_AREA_OUTPUT), Value(Decimal("0")),
                                  output_field=_AREA_OUTPUT),
    )


def _quantize_area(household: Household) -> Household:
    # SQLite returns computed decimals unscaled (120.5); areas are shown with two places.
    household.legal_area_total = Decimal(household.legal_area_total).quantize(AREA_PLACES)
    return household


def _filtered(user: User, *, street_id, village_id, project_id, stage, land_type, legality) -> QuerySet[Household]:
    """The households in scope that the list's filters (all but the search) keep."""
    qs = _where(household_scope(user), street_id=street_id, village_id=village_id, project_id=project_id,
                stage=stage, land_type=land_type)
    if legality:
        # Exists, not a join: a household with two such buildings is still one row.
        qs = qs.filter(Exists(Building.objects.filter(household=OuterRef("pk"), legality=legality)))
    return qs


def household_export_ids(user: User, *, street_id: int | None = None, village_id: int | None = None,
                         project_id: int | None = None, stage: str = "", land_type: str = "", legality: str = "",
                         q: str = "") -> QuerySet:
    """The ids of every household the list shows with these filters (all its pages), for the list's export
    (按筛选条件导出), by project and number. The caller refuses a search by ID (that one is audited and limited)."""
    qs = _filtered(user, street_id=street_id, village_id=village_id, project_id=project_id, stage=stage,
                   land_type=land_type, legality=legality)
    condition = _household_search(q)
    if condition is not None:
        qs = qs.filter(condition)
    return qs.order_by("project_id", "number").values_list("id", flat=True)


def household_list(user: User, *, street_id: int | None = None, village_id: int | None = None,
                   project_id: int | None = None, stage: str = "", land_type: str = "", legality: str = "",
                   q: str = "", after: int | None = None, limit: int = PAGE_SIZE) -> HouseholdPage:
    """One page of households in scope, filtered, in id order from ``after`` (keyset pagination).

    No COUNT of the table: the page reads ``limit + 1`` rows to know whether another page follows,
    so every page costs the same at a million households.
    """
    qs = _filtered(user, street_id=street_id, village_id=village_id, project_id=project_id, stage=stage,
                   land_type=land_type, legality=legality)
    if after:
        qs = qs.filter(id__gt=after)
    condition = _household_search(q)
    if condition is not None:
        # A search can match a hundred thousand rows (the surname 李): pick the page's ids first
        # with the narrow index, then read the wide columns for those ids only. Still one query.
        qs = Household.objects.filter(id__in=qs.filter(condition).order_by("id").values("id")[: limit + 1])
    # What upper apps add to each row (ledger.listing: progress's last visit), in this same query.
    rows = [_quantize_area(row) for row in
            _household_columns(qs).annotate(**listing.annotations()).order_by("id")[: limit + 1]]
    return keyset_page(rows, limit=limit)


def household_get(user: User, **lookup) -> Household:
    """The household with its members and buildings if the user may read it, else 404."""
    qs = (
        _household_columns(household_scope(user))
        .select_related("village", "project", "street", "cadre", "resident")
        .defer("village__boundary", "village__notes")
        .prefetch_related("persons", Prefetch("buildings", queryset=_buildings_with_heritage_flag()))
    )
    return _quantize_area(get_in_scope(qs, **lookup))


def _buildings_with_heritage_flag(qs: QuerySet[Building] | None = None) -> QuerySet[Building]:
    """Buildings with ``has_heritage`` (an EXISTS per row, not another query for the badge)."""
    return (Building.objects.all() if qs is None else qs).annotate(
        has_heritage=Exists(HeritageElement.objects.filter(building=OuterRef("pk"))),
    )


def project_get(user: User, *, pk) -> Project:
    """The project with its household count if the user may read it, else 404."""
    per_project = (
        Household.objects.filter(project=OuterRef("pk")).order_by().values("project")
        .annotate(n=Count("id")).values("n")
    )
    qs = project_scope(user).defer("village__boundary", "village__notes").annotate(
        household_count=Coalesce(Subquery(per_project, output_field=IntegerField()), Value(0)),
    )
    return get_in_scope(qs, pk=pk)


def person_get(user: User, *, pk) -> Person:
    return get_in_scope(person_scope(user).select_related("household"), pk=pk)


def building_get(user: User, *, pk) -> Building:
    """The building with its household, village and project if the user may read it, else 404."""
    qs = (
        _buildings_with_heritage_flag(building_scope(user))
        .select_related("household", "household__village", "household__project", "household__street")
        .defer("household__village__boundary", "household__village__notes")
    )
    return get_in_scope(qs, pk=pk)


def heritage_list(user: User, *, village: Village | None = None, building: Building | None = None,
                  ) -> QuerySet[HeritageElement]:
    """Heritage elements (历史文化要素) in scope, of a village or of one building."""
    qs = heritage_scope(user).select_related("building", "building__household").defer(
        "village__boundary", "village__notes")
    if village is not None:
        qs = qs.filter(village=village)
    if building is not None:
        qs = qs.filter(building=building)
    return qs.order_by("id")


def heritage_of_building(building: Building) -> list[HeritageElement]:
    """The heritage elements on a building the caller has already read through scope."""
    return list(HeritageElement.objects.filter(building=building).order_by("id"))


def heritage_get(user: User, *, pk) -> HeritageElement:
    return get_in_scope(heritage_list(user), pk=pk)


def community_options(street: OrgUnit) -> QuerySet[OrgUnit]:
    """Communities (社区) under a street, for a village's community."""
    return OrgUnit.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=street.path + "/").order_by("path")


def community_get(pk: int) -> OrgUnit | None:
    return OrgUnit.objects.filter(pk=pk, kind=OrgKind.COMMUNITY).first()


def cadre_options(street: OrgUnit) -> QuerySet[User]:
    """Cadres (包户干部) whose unit is the street or lies under it: who may be assigned a household."""
    units = OrgUnit.objects.filter(Q(path=street.path) | Q(path__startswith=street.path + "/"))
    return (
        User.objects.filter(is_active=True, memberships__role=Role.CADRE, memberships__org_unit__in=units)
        .distinct().order_by("full_name", "username")
    )


def assignable_cadres(user: User, *, limit: int = 500) -> list[tuple[str, str, str]]:
    """(username, name, street) of the cadres of the streets whose households ``user`` changes (the office:
    every street), at most ``limit``, in two queries: the suggestions of the list's 分配包户干部 box."""
    reach = household_grant(user, write=True)
    streets = OrgUnit.objects.filter(kind=OrgKind.STREET)
    if not reach.everywhere:
        streets = streets.filter(id__in=reach.unit_ids)
    streets = list(streets.order_by("path").values_list("path", "name"))
    if not streets:
        return []
    under = Q(path__in=[path for path, _name in streets])
    for path, _name in streets:
        under |= Q(path__startswith=path + "/")
    rows = (Membership.objects.filter(role=Role.CADRE, user__is_active=True, org_unit__in=OrgUnit.objects.filter(under))
            .order_by("org_unit__path", "user__full_name", "user__username")
            .values_list("user__username", "user__full_name", "org_unit__path").distinct()[:limit])
    out, seen = [], set()
    for username, full_name, path in rows:
        street = next(name for top, name in streets if path == top or path.startswith(top + "/"))
        if username not in seen:
            seen.add(username)
            out.append((username, full_name, street))
    return out


def resident_options(street: OrgUnit, *, limit: int = 200) -> list[User]:
    """Resident accounts (居民账号) of the street not yet linked to a household: what the link page offers."""
    units = OrgUnit.objects.filter(Q(path=street.path) | Q(path__startswith=street.path + "/"))
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.RESIDENT, memberships__org_unit__in=units,
                            household__isnull=True)
        .distinct().order_by("username").only("id", "username", "full_name")[:limit]
    )


def building_by_ref(village: Village, ref: str) -> Building | None:
    """A building of the village named as people write it: 户号/房屋编号 (DH-001/1)."""
    household_number, _, number = (ref or "").strip().rpartition("/")
    if not household_number or not number:
        return None
    return (
        Building.objects.select_related("household")
        .filter(household__village=village, household__number=household_number.strip(), number=number.strip())
        .first()
    )


def building_in_village(village: Village, *, pk: int) -> Building | None:
    """One of the village's buildings (the caller has read the village through scope)."""
    return Building.objects.select_related("household").filter(pk=pk, household__village=village).first()
