"""Reads of org units and users, always through the scope functions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gaizao.org.choices import Role
from gaizao.org.models import OrgUnit, User


def orgunit_scope(user: User) -> QuerySet[OrgUnit]:
    """District-wide roles see the whole tree; others see the subtrees of their own units."""
    qs = OrgUnit.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_district_wide or user.has_role(Role.AUDITOR, Role.SECURITY):
        return qs
    paths = list(OrgUnit.objects.filter(memberships__user=user).values_list("path", flat=True))
    if not paths:
        return qs.none()
    cond = Q()
    for path in paths:
        cond |= Q(path=path) | Q(path__startswith=path + "/")
    return qs.filter(cond)


def user_scope(user: User) -> QuerySet[User]:
    """Accounts a user may see: admin and the security officer manage all; others only themselves."""
    if not user.is_authenticated:
        return User.objects.none()
    if user.has_role(Role.ADMIN, Role.SECURITY):
        return User.objects.all()
    return User.objects.filter(pk=user.pk)
