"""Who may read and who may change each ledger resource: the one place scope is decided.

Every queryset a user sees starts from a ``*_scope`` function here, every write from a
``*_write_scope`` one. Out of scope is 404 (``core.scoping.get_in_scope``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import OrgUnit, User


def _street_ids(user: User) -> frozenset[int]:
    return user.unit_ids_by_role.get(Role.STREET, frozenset())


def _villages(user: User, *, everywhere: bool) -> QuerySet[Village]:
    """All villages when ``everywhere``, else those of the user's streets (street staff) or none."""
    qs = Village.objects.select_related("street")
    if not user.is_authenticated:
        return qs.none()
    if everywhere:
        return qs
    if user.has_role(Role.STREET):
        return qs.filter(street_id__in=_street_ids(user))
    return qs.none()


def village_scope(user: User) -> QuerySet[Village]:
    return _villages(user, everywhere=user.is_authenticated and user.is_district_wide)


def project_scope(user: User) -> QuerySet[Project]:
    return Project.objects.select_related("village", "village__street").filter(village__in=village_scope(user))


def household_scope(user: User) -> QuerySet[Household]:
    """District roles: all; street staff: their streets; cadre: assigned households; resident: own."""
    qs = Household.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_district_wide:
        return qs
    condition = None
    if user.has_role(Role.STREET):
        condition = Q(street_id__in=_street_ids(user))
    if user.has_role(Role.CADRE):
        condition = (condition | Q(cadre=user)) if condition else Q(cadre=user)
    if user.has_role(Role.RESIDENT):
        condition = (condition | Q(resident=user)) if condition else Q(resident=user)
    return qs.filter(condition) if condition is not None else qs.none()


def village_write_scope(user: User) -> QuerySet[Village]:
    """Villages a user may change: district office and admin everywhere, street staff their streets."""
    return _villages(user, everywhere=user.is_authenticated and user.has_role(Role.ADMIN, Role.COMMANDER))


def project_write_scope(user: User) -> QuerySet[Project]:
    """Projects a user may change or import households into."""
    return Project.objects.select_related("village", "village__street").filter(village__in=village_write_scope(user))


def household_write_scope(user: User) -> QuerySet[Household]:
    """Households a user may change (the cadre and the resident read but do not edit the ledger)."""
    qs = Household.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.ADMIN, Role.COMMANDER):
        return qs
    if user.has_role(Role.STREET):
        return qs.filter(street_id__in=_street_ids(user))
    return qs.none()


def person_scope(user: User) -> QuerySet[Person]:
    if user.is_authenticated and user.is_district_wide:
        return Person.objects.all()  # the same rows, without a semi-join over every household
    return Person.objects.filter(household__in=household_scope(user))


def building_scope(user: User) -> QuerySet[Building]:
    if user.is_authenticated and user.is_district_wide:
        return Building.objects.all()  # the same rows, without a semi-join over every household
    return Building.objects.filter(household__in=household_scope(user))



def household_can_write(user: User, household: Household) -> bool:
    """Write roles over a household: admin, commander, and the staff of its street."""
    if user.has_role(Role.ADMIN, Role.COMMANDER):
        return True
    return household.street_id in _street_ids(user)


def household_can_reveal(user: User, household: Household) -> bool:
    """Who may see the full ID and phone numbers: the write roles, and the resident of their own."""
    if household_can_write(user, household):
        return True
    return household.resident_id is not None and household.resident_id == user.pk


def village_can_read(user: User, village: Village) -> bool:
    """``village_scope`` for one village, without a query."""
    if not user.is_authenticated:
        return False
    return user.is_district_wide or village.street_id in _street_ids(user)


def village_can_write(user: User, village: Village) -> bool:
    """Write roles over a village (no query): admin, commander, and the staff of its street."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN, Role.COMMANDER):
        return True
    return user.has_role(Role.STREET) and village.street_id in _street_ids(user)


def street_write_list(user: User) -> QuerySet[OrgUnit]:
    """Streets a user may register villages in."""
    qs = OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.ADMIN, Role.COMMANDER):
        return qs
    return qs.filter(id__in=_street_ids(user))


def person_write_scope(user: User) -> QuerySet[Person]:
    return Person.objects.filter(household__in=household_write_scope(user))


def building_write_scope(user: User) -> QuerySet[Building]:
    return Building.objects.filter(household__in=household_write_scope(user))


def heritage_scope(user: User) -> QuerySet[HeritageElement]:
    """Heritage elements (历史文化要素) of the villages a user reads."""
    return HeritageElement.objects.select_related("village").filter(village__in=village_scope(user))


def heritage_write_scope(user: User) -> QuerySet[HeritageElement]:
    return HeritageElement.objects.select_related("village").filter(village__in=village_write_scope(user))
