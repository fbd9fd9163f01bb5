"""Reads of org units and users, always through the scope functions (``org.policies``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.org.models import ApiToken, LoginThrottle, Membership, OrgUnit, OrgUnitBoundary, User
from gaizao.org.policies import apitoken_scope, orgunit_scope, user_scope  # noqa: F401 (views read them here)


@dataclass(frozen=True)
class TreeNode:
    unit: OrgUnit
    depth: int
    members: int


def orgunit_tree(user: User) -> list[TreeNode]:
    """The units a user may see in tree order (by path), indented relative to the top ones shown."""
    units = list(orgunit_scope(user).annotate(members=Count("memberships__user", distinct=True)).order_by("path"))
    if not units:
        return []
    top = min(u.path.count("/") for u in units)
    return [TreeNode(unit=u, depth=u.path.count("/") - top, members=u.members) for u in units]


@dataclass(frozen=True)
class Lockout:
    """A user name locked at one address (锁定): django-axes counts failures per name and address."""

    username: str
    ip_address: str | None
    until: dt.datetime


def cool_off() -> dt.timedelta:
    """django-axes' cool-off window (15 minutes): how long a lock lasts, and how far back failures count."""
    return get_cool_off() or dt.timedelta(0)


def lockout_list() -> list[Lockout]:
    """The locks in force now, one per user name and address, by user name."""
    window = cool_off()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - window, username__isnull=False)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username", "ip_address")
    )
    return [Lockout(username=r["username"], ip_address=r["ip_address"], until=r["last"] + window) for r in rows]


def lockouts() -> dict[str, dt.datetime]:
    """User names locked out now at some address, each with the moment its last lock ends (可重试时间)."""
    out: dict[str, dt.datetime] = {}
    for lock in lockout_list():
        out[lock.username] = max(lock.until, out.get(lock.username, lock.until))
    return out


def lockout_until(username: str, ip_address: str | None) -> dt.datetime | None:
    """When this user name may try again from this address, or None if it is not locked there."""
    window = cool_off()
    row = AccessAttempt.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=timezone.now() - window,
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if not row["last"] or (row["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    return row["last"] + window


def login_failures(username: str) -> tuple[int, dt.datetime | None]:
    """Failures of a user name in the cool-off window from every address, and the latest one's time.

    Counts what django-axes keeps (one row per name, address and browser), so an unlock that
    clears those rows ends a throttle too. A row counts at most the lock's limit: one address
    hammering on after its own lock must not slow the name down everywhere (it takes several).
    """
    row = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - cool_off(),
    ).aggregate(failures=Sum(Least("failures_since_start", Value(settings.AXES_FAILURE_LIMIT))),
                last=Max("attempt_time"))
    return row["failures"] or 0, row["last"]


def login_throttles() -> QuerySet[LoginThrottle]:
    """User names being slowed down now (登录限速), for the security officer's page."""
    return LoginThrottle.objects.order_by("username")


def user_list(*, user: User, query: str = "", status: str = "") -> QuerySet[User]:
    """Accounts for the account page, with memberships and units in two extra queries at most.

    ``status``: "active", "disabled" or "locked" (the usernames django-axes holds now).
    """
    qs = user_scope(user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("org_unit").order_by("id"))
    ).annotate(
        totp_devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True), distinct=True),
        active_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True,
                                                    api_tokens__expires_at__gt=timezone.now()), distinct=True),
    )
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "disabled":
        qs = qs.filter(is_active=False)
    elif status == "locked":
        qs = qs.filter(username__in=list(lockouts()))
    return qs.order_by("username")


def apitoken_list(user: User) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first (revoked and expired ones stay listed, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def apitoken_overview(*, user: User, owner: str = "", status: str = "") -> QuerySet[ApiToken]:
    """Every token the user may see with its owner, newest first; ``owner`` a user name, ``status``
    one of ApiToken.Status (有效 / 已过期 / 已吊销)."""
    qs = apitoken_scope(user).select_related("user")
    if owner:
        qs = qs.filter(user__username=owner)
    now = timezone.now()
    if status == ApiToken.Status.ACTIVE:
        qs = qs.filter(revoked_at__isnull=True, expires_at__gt=now)
    elif status == ApiToken.Status.EXPIRED:
        qs = qs.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif status == ApiToken.Status.REVOKED:
        qs = qs.filter(revoked_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def totp_device_list(user: User) -> QuerySet[TOTPDevice]:
    """A user's confirmed TOTP devices."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id")


def user_roles(user: User) -> list[Membership]:
    """A user's memberships with their units, for the profile page and ``/api/org/me``."""
    return list(Membership.objects.filter(user=user).select_related("org_unit").order_by("id"))


def users_with_role(role: str) -> QuerySet[User]:
    """Active accounts holding ``role`` anywhere (e.g. the security officers to notify)."""
    return User.objects.filter(is_active=True, memberships__role=role).distinct().order_by("id")


def orgunit_boundary(unit: OrgUnit) -> dict | None:
    """A unit's boundary (GeoJSON geometry) for its edit page, or None: one query."""
    return OrgUnitBoundary.objects.filter(unit=unit).values_list("geometry", flat=True).first()


def unit_member(value, unit: OrgUnit, *, field: str, label: str) -> User | None:
    """The active person ``value`` (a user or an id; empty: None) who works in ``unit`` — the one check of
    a responsible person (责任人) on a task, a finding or any record that names one. Refused with a message
    naming ``label`` on ``field``: an id that is not a number, a person missing or disabled, or one who
    holds no post in the unit."""
    from gaizao.core.errors import AppError

    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise AppError(_("%(l)s「%(p)s」不存在。") % {"l": label, "p": value}, fields={field: _("不存在")}) from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise AppError(_("所选%(l)s不存在或已停用。") % {"l": label}, fields={field: _("不存在或已停用")})
    if not Membership.objects.filter(user=user, org_unit=unit).exists():
        raise AppError(_("%(l)s「%(p)s」不在%(u)s任职，请选择该单位的人员。") % {"l": label, "p": user, "u": unit.name},
                       fields={field: _("不是责任单位的人员")})
    return user
