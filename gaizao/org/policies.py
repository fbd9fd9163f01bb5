"""Who may see and change org units, accounts and API tokens, derived from the access table
(``core.access``).

District-wide roles and the auditor and security officer see the whole org tree, everyone else the
subtrees of their own units; the system administrator adds units. Admin and the security officer
see every account, everyone their own; the administrator creates accounts and sets their passwords,
both enable and disable them (三员分立), the security officer alone releases lockouts and resets
second factors, and sees and revokes every API token (everyone their own).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gaizao.core import access
from gaizao.core.access import ANY, DISTRICT, OWN, UNIT, Place, Rule
from gaizao.org.choices import Role
from gaizao.org.models import ApiToken, OrgUnit, User

ORGUNIT_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    **{role: Rule(read=DISTRICT) for role in (Role.COMMANDER, Role.LEADER, Role.AUDITOR, Role.SECURITY)},
    **{role: Rule(read=UNIT) for role in (Role.STREET, Role.DEPARTMENT, Role.CADRE, Role.RESIDENT)},
}
# Accounts (账号): read, and written as in created with their memberships and passwords set.
USER_ROWS = {
    ANY: Rule(read=OWN),
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.SECURITY: Rule(read=DISTRICT),
}
# Whether an account may sign in (启用/停用).
ACCOUNT_STATUS_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.SECURITY: Rule(read=DISTRICT, write=DISTRICT),
}
# Sign-in safeguards of every account (登录安全): lockouts and throttles, second-factor devices.
SIGNIN_ROWS = {
    Role.SECURITY: Rule(read=DISTRICT, write=DISTRICT),
}
APITOKEN_ROWS = {
    ANY: Rule(read=OWN, write=OWN),
    Role.SECURITY: Rule(read=DISTRICT, write=DISTRICT),
}


def register_access() -> None:
    access.register("org.orgunit", ORGUNIT_ROWS)
    access.register("org.user", USER_ROWS)
    access.register("org.account_status", ACCOUNT_STATUS_ROWS)
    access.register("org.signin", SIGNIN_ROWS)
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


# ---------------------------------------------------------------- predicates (no query)

def orgunit_writer(user) -> bool:
    """Adds org units (新建组织机构): the system administrator."""
    return bool(access.grant(user, "org.orgunit", write=True))


def account_manager(user) -> bool:
    """Sees every account (the accounts page, 账号管理): admin and the security officer."""
    return access.grant(user, "org.user").everywhere


def account_writer(user) -> bool:
    """Creates accounts and sets others' passwords: the system administrator."""
    return bool(access.grant(user, "org.user", write=True))


def account_status_writer(user) -> bool:
    """Enables and disables accounts (启用/停用): admin and the security officer."""
    return bool(access.grant(user, "org.account_status", write=True))


def signin_guard(user) -> bool:
    """Releases lockouts and resets second factors (解除锁定、重置动态口令): the security officer."""
    return bool(access.grant(user, "org.signin", write=True))


def apitoken_overseer(user) -> bool:
    """Sees every account's API tokens (接口令牌): the security officer."""
    return access.grant(user, "org.apitoken").everywhere


def apitoken_can_revoke(user, token: ApiToken) -> bool:
    """The token's owner, or whoever revokes every account's tokens."""
    return access.grant(user, "org.apitoken", write=True).covers(Place(resident_id=token.user_id))  # owner: OWN


register_access()
