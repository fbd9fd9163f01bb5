"""Reads of the ledgers. Every queryset a user sees starts from a ``*_scope`` function here."""

from __future__ import annotations

from django.db.models import QuerySet

from gaizao.ledger.models import Building, Household, Person, Project, Village
from gaizao.org.choices import Role
from gaizao.org.models import User


def _street_ids(user: User) -> frozenset[int]:
    return user.unit_ids_by_role.get(Role.STREET, frozenset())


def village_scope(user: User) -> QuerySet[Village]:
    qs = Village.objects.select_related("street")
    if not user.is_authenticated:
        return qs.none()
    if user.is_district_wide:
        return qs
    if user.has_role(Role.STREET):
        return qs.filter(street_id__in=_street_ids(user))
    return qs.none()


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
    from django.db.models import Q

    if user.has_role(Role.STREET):
        condition = Q(street_id__in=_street_ids(user))
    if user.has_role(Role.CADRE):
        condition = (condition | Q(cadre=user)) if condition else Q(cadre=user)
    if user.has_role(Role.RESIDENT):
        condition = (condition | Q(resident=user)) if condition else Q(resident=user)
    return qs.filter(condition) if condition is not None else qs.none()


def person_scope(user: User) -> QuerySet[Person]:
    return Person.objects.filter(household__in=household_scope(user))


def building_scope(user: User) -> QuerySet[Building]:
    return Building.objects.filter(household__in=household_scope(user))
