"""Org units (组织机构) as a tree, users and their memberships (role + org unit)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStampedModel
from gaizao.org.choices import DISTRICT_WIDE_ROLES, SECOND_FACTOR_ROLES, OrgKind, Role


class OrgUnit(TimeStampedModel):
    """A unit of the district's organisation: district, office, street, community, department.

    ``path`` is the chain of codes from the root ("440199/440199001/..."), so a subtree is one
    indexed prefix query. Its area on the map, if drawn, is an ``OrgUnitBoundary`` beside it.
    """

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class OrgUnitBoundary(TimeStampedModel):
    """A unit's boundary (边界) on the command map (作战图): the district's outline, a street's area.

    GeoJSON Polygon or MultiPolygon in lon/lat, checked by ``core.boundary`` in
    ``orgunit_set_boundary``. It lives beside the unit, not on it: units are read on every request
    (the user's memberships) and with every household (its street), and a district's outline of
    thousands of points must not ride along; the dashboard reads the boundaries in one query.
    """

    unit = models.OneToOneField(OrgUnit, verbose_name=_("组织机构"), primary_key=True, on_delete=models.CASCADE,
                                related_name="outline")
    geometry = models.JSONField(_("边界（GeoJSON）"))

    class Meta:
        verbose_name = _("组织机构边界")
        verbose_name_plural = _("组织机构边界")

    def __str__(self) -> str:
        return str(self.unit_id)


class User(AbstractUser):
    """An account. One person, one account (等保: unique accounts); roles come from memberships."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.memberships.values_list("role", flat=True))

    @cached_property
    def unit_ids_by_role(self) -> dict[str, frozenset[int]]:
        out: dict[str, set[int]] = {}
        for role, unit_id in self.memberships.values_list("role", "org_unit_id"):
            out.setdefault(role, set()).add(unit_id)
        return {k: frozenset(v) for k, v in out.items()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_district_wide(self) -> bool:
        return bool(self.role_set & DISTRICT_WIDE_ROLES)

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.role_set & SECOND_FACTOR_ROLES)


class Membership(TimeStampedModel):
    """A user's role in an org unit (一个账号可有多个岗位)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("组织机构"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org_unit} · {self.get_role_display()}"


def default_token_expiry():
    """Now + GAIZAO_API_TOKEN_DAYS: a token nobody chose a period for still dies."""
    return timezone.now() + dt.timedelta(days=settings.GAIZAO_API_TOKEN_DAYS)


class ApiToken(TimeStampedModel):
    """A token for the JSON API (接口令牌). Only its SM3 hash is stored; the token is shown once.

    It works until ``expires_at`` (到期), and dies for good when revoked (吊销): by its owner, by
    the security officer, or when its owner's password changes or the account is disabled.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已吊销")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), default=default_token_expiry)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)


class LoginThrottle(models.Model):
    """A user name being slowed down (登录限速) after failing from many addresses (password spraying).

    The row lives for one episode: it exists while the user name has more than
    GAIZAO_LOGIN_SPRAY_LIMIT failures in the cool-off window. ``next_attempt_at`` is the slot: an
    attempt may check its password only by moving it forward in one conditional update, so two
    concurrent attempts never both get through.
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    started_at = models.DateTimeField(_("开始时间"))
    next_attempt_at = models.DateTimeField(_("下次可尝试"))
    refused = models.PositiveIntegerField(_("已拒绝次数"), default=0)

    class Meta:
        verbose_name = _("登录限速")
        verbose_name_plural = _("登录限速")

    def __str__(self) -> str:
        return self.username
