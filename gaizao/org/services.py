"""Writes of org units, users and memberships. Each runs in one transaction and is audited.

Also the account-security writes (账号安全): sign-in events, lockout release, second factor
(TOTP 动态口令) and API tokens (接口令牌).

The system actor (``core.actors.SYSTEM``: the command line, `gaizao user ...`) may; a user actor must be
allowed by the access table (``org.policies``, 三员分立: the system administrator manages accounts,
the security officer releases locks, neither touches business data).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core import audit
from gaizao.core.actors import is_system
from gaizao.core.boundary import clean_boundary
from gaizao.core.writes import writes
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, NotFound, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.core.notifications import notify
from gaizao.core.services import full_clean
from gaizao.org.choices import OrgKind, Role
from gaizao.org import policies, selectors
from gaizao.org.models import ApiToken, LoginThrottle, Membership, OrgUnit, OrgUnitBoundary, User
from gaizao.org.selectors import users_with_role


@writes(policy=policies.orgunit_writer)
def orgunit_create(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None = None,
                   sort_order: int = 0, boundary=None) -> OrgUnit:
    """Create an org unit (组织机构) under ``parent``; its path is the chain of codes."""
    if kind not in OrgKind.values:
        raise AppError(f"组织类型「{kind}」无效。", fields={"kind": "无效的组织类型"})
    code = (code or "").strip()
    if "/" in code:
        raise AppError(_("代码不能包含“/”。"), fields={"code": _("代码不能包含“/”。")})
    unit = OrgUnit(code=code, name=(name or "").strip(), kind=kind, parent=parent, sort_order=sort_order,
                   path=f"{parent.path}/{code}" if parent else code)
    geometry = _unit_boundary(boundary, kind=kind)
    full_clean(unit)
    unit.save(force_insert=True)
    after = audit.snapshot(unit)
    if geometry is not None:
        OrgUnitBoundary.objects.create(unit=unit, geometry=geometry)
        after["boundary"] = geometry
    audit.record(actor=actor, action="orgunit.create", obj=unit, changes={"after": after})
    return unit


# A unit's outline is drawn on every dashboard load: a real street's, simplified, needs far fewer
# points than this (a district's GIS export of 20,000 points is about 400 kB of JSON).
UNIT_BOUNDARY_POINTS = 20_000
_WHOSE = {OrgKind.DISTRICT: "该区", OrgKind.STREET: "该街道", OrgKind.COMMUNITY: "该社区"}


def _unit_boundary(value, *, kind: str) -> dict | None:
    return clean_boundary(value, whose=_WHOSE.get(kind, "该单位"), max_points=UNIT_BOUNDARY_POINTS)


@writes(policy=policies.orgunit_writer)
def orgunit_set_boundary(*, actor, unit: OrgUnit, boundary, ip: str | None = None) -> OrgUnitBoundary | None:
    """Set (or with ``None``/"" clear) the boundary (边界) of a district or street for the map; the
    stored row, or None when there is none now.

    ``boundary`` is GeoJSON (a geometry, a Feature or a one-feature FeatureCollection, as a dict or
    its text); a bad one gets a Chinese message naming the ``boundary`` field and nothing is written.
    """
    geometry = _unit_boundary(boundary, kind=unit.kind)
    row = OrgUnitBoundary.objects.select_for_update().filter(unit=unit).first()
    before = row.geometry if row else None
    if before == geometry:
        return row
    if geometry is None:
        row.delete()
        row = None
    else:
        row, _created = OrgUnitBoundary.objects.update_or_create(unit=unit, defaults={"geometry": geometry})
    audit.record(actor=actor, action="orgunit.set_boundary", obj=unit, ip=ip,
                 changes={"boundary": [before, geometry]})
    return row


# Django 5.2's own Chinese catalogue lags behind some of its validator messages; these codes
# always get a Chinese sentence, whatever the installed translations hold.
_PASSWORD_MESSAGES = {
    "password_too_short": gettext_lazy("密码太短，至少需要 %(min_length)d 个字符。"),
    "password_too_common": gettext_lazy("这个密码太常见，容易被猜到，请换一个。"),
    "password_too_similar": gettext_lazy("密码与%(verbose_name)s太相似。"),
    "password_entirely_numeric": gettext_lazy("密码不能全是数字。"),
}


def validate_new_password(password: str, user: User | None = None) -> None:
    """The password policy (≥10 characters, ≥3 classes, not common), in Chinese."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        messages = []
        for error in exc.error_list:
            template = _PASSWORD_MESSAGES.get(error.code or "")
            messages.extend([str(template) % (error.params or {})] if template else error.messages)
        text = "；".join(messages)
        raise AppError(text, fields={"password": text}) from None


@writes(policy=policies.account_writer)
def user_create(*, actor, username: str, password: str, full_name: str = "",
                memberships: list[tuple[str, OrgUnit]] = (), ip: str | None = None,
                password_hash: str | None = None) -> User:
    """Create an account with its roles. ``password_hash`` lets the demo reuse one Argon2 hash."""
    username = (username or "").strip()
    if not username:
        raise AppError("用户名不能为空。", fields={"username": "必填"})
    if User.objects.filter(username=username).exists():
        raise AppError(f"用户名「{username}」已存在。", fields={"username": "已存在"})
    memberships = list(dict.fromkeys((str(role), unit) for role, unit in memberships))
    for role, _unit in memberships:
        if role not in Role.values:
            raise AppError(f"角色「{role}」无效。", fields={"role": "无效的角色"})
    user = User(username=username, full_name=(full_name or "").strip())
    if password_hash:
        user.password = password_hash
    else:
        validate_new_password(password, user)
        user.set_password(password)
    full_clean(user, exclude=["password"])
    user.save(force_insert=True)
    for role, unit in memberships:
        Membership.objects.create(user=user, org_unit=unit, role=role)
    audit.record(actor=actor, action="user.create", obj=user, ip=ip, changes={
        "after": {"username": user.username, "full_name": user.full_name,
                  "memberships": [[role, unit.code] for role, unit in memberships]},
    })
    return user


@writes
def user_set_password(*, actor, user: User, password: str, ip: str | None = None) -> User:
    """Set a new password (an administrator's reset, or the command line)."""
    if not is_system(actor) and actor.pk != user.pk and not policies.account_writer(actor):
        raise PermissionDenied(_("你的账号无权执行此操作。"))
    validate_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.set_password", obj=user, ip=ip)
    _apitokens_kill(user=user, actor=actor, reason="password_set", ip=ip)
    return user


@writes(policy=policies.account_status_writer)
def user_set_active(*, actor, user: User, active: bool, ip: str | None = None) -> User:
    """Disable (停用) or enable (启用) an account; a disabled account cannot sign in."""
    if not active and not is_system(actor) and actor.pk == user.pk:
        raise AppError(_("不能停用自己的账号。"))
    if User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active) == 1:
        audit.record(actor=actor, action="user.enable" if active else "user.disable", obj=user, ip=ip,
                     changes={"is_active": [not active, active]})
    if not active:
        # Revoked, not merely refused while disabled: enabling the account must not revive them.
        _apitokens_kill(user=user, actor=actor, reason="account_disabled", ip=ip)
    user.is_active = active
    return user


def user_change_password(*, actor: User, old_password: str, new_password: str, ip: str | None = None) -> User:
    """A user changes their own password (修改密码): the current one must be right."""
    if not actor.check_password(old_password or ""):
        audit.record(actor=actor, action="user.change_password", obj=actor, ip=ip,
                     result=AuditEntry.Result.FAILURE, changes={"reason": "wrong_old_password"})
        raise AppError(_("当前密码不正确。"), fields={"old_password": _("当前密码不正确。")})
    if old_password == new_password:
        raise AppError(_("新密码不能与当前密码相同。"), fields={"password": _("新密码不能与当前密码相同。")})
    with transaction.atomic():
        validate_new_password(new_password, actor)
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        audit.record(actor=actor, action="user.change_password", obj=actor, ip=ip)
        _apitokens_kill(user=actor, actor=actor, reason="password_change", ip=ip)
    return actor


@writes(policy=policies.signin_guard)
def user_unlock(*, actor, username: str, ip: str | None = None) -> int:
    """Release a login lockout (解除锁定) now instead of after the cool-off; returns the attempts cleared."""
    from axes.utils import reset

    username = (username or "").strip()
    if not username:
        raise AppError(_("用户名不能为空。"), fields={"username": _("必填")})
    # Every address's lock on this name, and the throttle: the security officer vouched for it.
    cleared = reset(username=username)
    throttled, _detail = LoginThrottle.objects.filter(username=username).delete()
    user = User.objects.filter(username=username).first()
    audit.record(actor=actor, action="user.unlock", obj=user, object_type="org.user",
                 object_repr=username, ip=ip, changes={"attempts_cleared": cleared, "throttle_cleared": bool(throttled)})
    return cleared + throttled


@writes(policy=policies.signin_guard)
def user_reset_second_factor(*, actor, user: User, ip: str | None = None) -> int:
    """Remove a user's TOTP devices (重置动态口令), e.g. a lost phone; they enrol again at next sign-in."""
    count, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="user.reset_otp", obj=user, ip=ip, changes={"devices_removed": count})
    return count


# --- sign-in events (written from gaizao.org.signals) -----------------------------------------

def auth_event_record(*, action: str, username: str, user: User | None = None, success: bool = True,
                      ip: str | None = None, changes: dict | None = None) -> AuditEntry:
    """One audit entry for a sign-in event (登录、退出、登录失败、锁定). Never the password.

    A failed attempt names the username tried, not the account as actor: whoever typed it is unknown.
    """
    return audit.record(
        actor=user if success else None, actor_name=(username or "")[:150], action=action,
        obj=user, object_type="org.user", object_repr=(username or "")[:200],
        result=AuditEntry.Result.SUCCESS if success else AuditEntry.Result.FAILURE,
        ip=ip, changes=changes,
    )


def _accounts_link(username: str) -> str:
    return f"{reverse('org:user_list')}?q={username}"


def login_locked_notify(*, username: str, ip: str | None) -> int:
    """Tell the security officers that a user name was just locked at one address (账号锁定)."""
    return notify_security_officers(
        title=_("账号「%(u)s」在地址 %(ip)s 连续登录失败，已锁定") % {"u": username[:60], "ip": ip or "?"},
        body=_("连续 %(n)d 次登录失败，该地址对该账号的登录锁定 %(m)d 分钟；其他地址不受影响。")
        % {"n": settings.AXES_FAILURE_LIMIT, "m": int(selectors.cool_off().total_seconds() // 60)},
        link=_accounts_link(username), kind="account_locked",
    )


def login_gate(*, username: str, ip: str | None = None) -> None:
    """Let a sign-in attempt check its password, or refuse it first (登录限速).

    A user name with more than GAIZAO_LOGIN_SPRAY_LIMIT failures in the cool-off window, from
    any addresses, gets one attempt per GAIZAO_LOGIN_SPRAY_DELAY_SECONDS; the others are refused
    with the time to retry (status 429) before the password is looked at. Refused attempts do not
    move the slot, so an attacker cannot keep the real user out: a slow-down, never a lock.
    The first refusal of an episode tells the security officers; every refusal is audited.
    """
    username = (username or "").strip()[:150]
    if not username or selectors.lockout_until(username, ip) is not None:
        return  # nothing, or django-axes refuses it anyway: a locked address takes no one's turn
    failures, last = selectors.login_failures(username)
    if failures <= settings.GAIZAO_LOGIN_SPRAY_LIMIT:
        LoginThrottle.objects.filter(username=username).delete()  # the episode, if any, is over
        return
    now = timezone.now()
    delay = dt.timedelta(seconds=settings.GAIZAO_LOGIN_SPRAY_DELAY_SECONDS)
    throttle, created = LoginThrottle.objects.get_or_create(
        username=username, defaults={"started_at": now, "next_attempt_at": (last or now) + delay})
    if created:
        user = User.objects.filter(username=username).first()
        auth_event_record(action="auth.throttle_start", username=username, user=user, success=False, ip=ip,
                          changes={"failures": failures, "limit": settings.GAIZAO_LOGIN_SPRAY_LIMIT,
                                   "delay_seconds": settings.GAIZAO_LOGIN_SPRAY_DELAY_SECONDS})
        notify_security_officers(
            title=_("账号「%(u)s」正被从多个地址尝试登录，已限速") % {"u": username[:60]},
            body=_("%(m)d 分钟内从多个地址登录失败 %(n)d 次。在此期间该账号每 %(s)d 秒只允许尝试一次；"
                   "若非本人操作，请核实来源地址。") % {
                "m": int(selectors.cool_off().total_seconds() // 60), "n": failures,
                "s": settings.GAIZAO_LOGIN_SPRAY_DELAY_SECONDS},
            link=_accounts_link(username), kind="login_spray",
        )
    # The slot moves in one conditional update: of two concurrent attempts, one gets it.
    if LoginThrottle.objects.filter(pk=throttle.pk, next_attempt_at__lte=now).update(
            next_attempt_at=now + delay) == 1:
        return
    LoginThrottle.objects.filter(pk=throttle.pk).update(refused=F("refused") + 1)
    retry_at = LoginThrottle.objects.filter(pk=throttle.pk).values_list("next_attempt_at", flat=True).first() or now
    wait = max(1, int((retry_at - now).total_seconds() + 0.999))
    user = User.objects.filter(username=username).first()
    auth_event_record(action="auth.throttled", username=username, user=user, success=False, ip=ip,
                      changes={"failures": failures, "retry_in_seconds": wait})
    message = _("该账号近期从多个地址登录失败次数过多，已临时限速。请 %(n)d 秒后再试。") % {"n": wait}
    raise AppError(message, status=429)


# --- second factor (TOTP 动态口令) --------------------------------------------------------------

@writes
def totp_device_start(*, actor: User, ip: str | None = None) -> TOTPDevice:
    """The unconfirmed device a user is enrolling; the same one until confirmed (the QR stays put)."""
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise AppError(_("已绑定动态口令设备，无需重复绑定。"))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=_("动态口令"), confirmed=False)
        audit.record(actor=actor, action="auth.otp_enrol_start", obj=actor, ip=ip)
    return device


def _check_token(*, actor: User, device: TOTPDevice, token: str, action: str, ip: str | None) -> None:
    """Verify one code on one device; a failure is audited (outside any rolled-back transaction)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        until = (info or {}).get("locked_until")
        wait = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
        message = _("动态口令错误次数过多，请 %(n)d 秒后再试。") % {"n": wait}
        raise AppError(message, fields={"token": message}, status=429)
    token = (token or "").strip().replace(" ", "")
    well_formed = token.isdigit() and len(token) == device.digits
    if not well_formed:
        device.throttle_increment(commit=True)  # verify_token counts the other failures itself
    if not well_formed or not device.verify_token(token):
        audit.record(actor=actor, action=action, obj=actor, ip=ip, result=AuditEntry.Result.FAILURE)
        message = _("动态口令不正确或已过期，请输入验证器当前显示的 6 位数字。")
        raise AppError(message, fields={"token": message})


def totp_device_confirm(*, actor: User, device: TOTPDevice, token: str, ip: str | None = None) -> TOTPDevice:
    """Confirm an enrolment with the first correct code (绑定动态口令)."""
    if device.user_id != actor.pk or device.confirmed:
        raise AppError(_("该设备不存在或已绑定。"), status=404)
    _check_token(actor=actor, device=device, token=token, action="auth.otp_enrol", ip=ip)
    with transaction.atomic():
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True) != 1:
            raise AppError(_("该设备已绑定，请直接输入动态口令。"))
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device.confirmed = True
        audit.record(actor=actor, action="auth.otp_enrol", obj=actor, ip=ip, changes={"device": device.name})
    return device


def totp_verify(*, actor: User, token: str, ip: str | None = None) -> TOTPDevice:
    """Check the second factor at sign-in (动态口令验证); returns the device that accepted the code."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=True).order_by("id").first()
    if device is None:
        raise AppError(_("尚未绑定动态口令设备。"))
    _check_token(actor=actor, device=device, token=token, action="auth.otp_verify", ip=ip)
    audit.record(actor=actor, action="auth.otp_verify", obj=actor, ip=ip)
    return device


@writes
def totp_device_remove(*, actor: User, device: TOTPDevice, password: str, ip: str | None = None) -> None:
    """Unbind one's own TOTP device (解绑); the current password is asked again."""
    if device.user_id != actor.pk:
        raise AppError(_("该设备不存在。"), status=404)
    if not actor.check_password(password or ""):
        raise AppError(_("当前密码不正确。"), fields={"password": _("当前密码不正确。")})
    TOTPDevice.objects.filter(pk=device.pk).delete()
    audit.record(actor=actor, action="auth.otp_remove", obj=actor, ip=ip, changes={"device": device.name})


# --- API tokens (接口令牌) -----------------------------------------------------------------------

@writes
def apitoken_create(*, actor: User, name: str, days: int | None = None,
                    ip: str | None = None) -> tuple[ApiToken, str]:
    """Issue an API token valid for ``days`` (at most GAIZAO_API_TOKEN_DAYS, the default); returns the
    token row and the key, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise AppError(_("请填写令牌用途。"), fields={"name": _("请填写令牌用途。")})
    longest = settings.GAIZAO_API_TOKEN_DAYS
    days = longest if days is None else days
    if not 1 <= days <= longest:
        message = _("有效期须为 1 至 %(n)d 天。") % {"n": longest}
        raise AppError(message, fields={"days": message})
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name, key_hash=sm3_hex(key.encode()), prefix=key[:8],
                     expires_at=timezone.now() + dt.timedelta(days=days))
    full_clean(token)
    token.save(force_insert=True)
    audit.record(actor=actor, action="apitoken.create", obj=token, ip=ip,
                 changes={"after": {"name": name, "prefix": token.prefix, "days": days,
                                    "expires_at": token.expires_at.isoformat()}})
    return token, key


@writes
def apitoken_revoke(*, actor: User, token: ApiToken, reason: str = "", ip: str | None = None) -> ApiToken:
    """Revoke a token (吊销): its owner, or the security officer for any account (with a reason if
    they give one). It answers 401 from then on. Revoking twice changes nothing."""
    if not is_system(actor) and not policies.apitoken_can_revoke(actor, token):
        raise NotFound(_("该令牌不存在。"))
    reason = (reason or "").strip()[:200]
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
        token.revoked_at = now
        changes = {"owner": token.user.get_username()}
        if reason:
            changes["reason"] = reason
        audit.record(actor=actor, action="apitoken.revoke", obj=token, ip=ip, changes=changes)
    return token


def _apitokens_kill(*, user: User, actor, reason: str, ip: str | None) -> int:
    """Revoke every live token of ``user`` (password changed or set, account disabled): a key copied
    before the change must not outlive it. One audit entry per token."""
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("id"))
    for token in tokens:
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
            token.revoked_at = now
            audit.record(actor=actor, action="apitoken.revoke", obj=token, ip=ip,
                         changes={"owner": user.get_username(), "reason": reason})
    return len(tokens)


def membership_pairs(rows: Iterable[tuple[str, str]]) -> list[tuple[str, OrgUnit]]:
    """(role, unit code) pairs from the command line resolved to units, with a message per bad one."""
    out = []
    for role, code in rows:
        if role not in Role.values:
            choices = "、".join(Role.values)
            message = _("角色「%(r)s」无效，可选：%(c)s。") % {"r": role, "c": choices}
            raise AppError(message, fields={"role": _("无效的角色")})
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise AppError(_("组织机构代码「%(c)s」不存在。") % {"c": code}, fields={"unit": _("不存在")})
        out.append((role, unit))
    return out


def notify_security_officers(*, title: str, body: str = "", link: str = "", kind: str = "") -> int:
    """Tell every active security officer (安全管理员) in-platform: locks, refused lookups …"""
    return notify(recipients=users_with_role(Role.SECURITY), title=title, body=body, link=link, kind=kind)
