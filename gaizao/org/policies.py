"""Who may see org units, accounts and API tokens, derived from the access table (``core.access``).

District-wide roles and the auditor and security officer see the whole org tree, everyone else the
subtrees of their own units; admin and the security officer manage every account, everyone sees
their own; the security officer sees every API token, everyone their own.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gaizao.core import access
from gaizao.core.access import ANY, DISTRICT, OWN, UNIT, Rule
from gaizao.org.choices import Role
from gaizao.org.models import ApiToken, OrgUnit, User

ORGUNIT_ROWS = {
    **{role: Rule(read=DISTRICT) for role in (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.AUDITOR, Role.SECURITY)},
    **{role: Rule(read=UNIT) for role in (Role.STREET, Role.DEPARTMENT, Role.CADRE, Role.RESIDENT)},
}
USER_ROWS = {
    ANY: Rule(read=OWN),
    Role.ADMIN: Rule(read=DISTRICT),
    Role.SECURITY: Rule(read=DISTRICT),
}
APITOKEN_ROWS = {
    ANY: Rule(read=OWN, write=OWN),
    Role.SECURITY: Rule(read=DISTRICT, write=DISTRICT),
}


def register_access() -> None:
    access.register("org.orgunit", ORGUNIT_ROWS)
    access.register("org.user", USER_ROWS)
    access.register("org.apitoken", APITOKEN_ROWS)


def orgunit_scope(user: User) -> QuerySet[OrgUnit]:
    """District-wide roles see the whole tree; others see the subtrees of their own units."""
    qs = OrgUnit.objects.all()
    reach = access.grant(user, "org.orgunit")
    if reach.everywhere:
        return qs
    roles = reach.roles_at(UNIT)
    if not roles:
        return qs.none()
    # One query for the paths, as before the table: the units where the user holds those roles.
    paths = list(OrgUnit.objects.filter(memberships__user=user, memberships__role__in=roles)
                 .values_list("path", flat=True))
    if not paths:
        return qs.none()
    cond = Q()
    for path in paths:
        cond |= Q(path=path) | Q(path__startswith=path + "/")
    return qs.filter(cond)


def user_scope(user: User) -> QuerySet[User]:
    """Accounts a user may see: admin and the security officer manage all; others only themselves."""
    return access.grant(user, "org.user").filter(User.objects.all(), own="pk")


def apitoken_scope(user: User) -> QuerySet[ApiToken]:
    """Tokens a user may see and revoke: the security officer every account's, others their own."""
    return access.grant(user, "org.apitoken").filter(ApiToken.objects.all(), own="user")


register_access()
