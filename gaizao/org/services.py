"""Writes of org units, users and memberships. Each runs in one transaction and is audited.

Also the account-security writes (账号安全): sign-in events, lockout release, second factor
(TOTP 动态口令) and API tokens (接口令牌).

``actor=None`` means the system or the command line (`gaizao user ...`); a user actor must hold
the role the operation needs (三员分立: the system administrator manages accounts, the security
officer releases locks, neither touches business data).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core import audit
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.core.notifications import notify
from gaizao.core.services import full_clean
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import ApiToken, Membership, OrgUnit, User
from gaizao.org.selectors import users_with_role


def _require_role(actor, *roles: str) -> None:
    """The command line and the system (no actor) may; a user must hold one of ``roles``."""
    if actor is None or getattr(actor, "pk", None) is None:
        return
    if not actor.has_role(*roles):
        raise PermissionDenied(_("你的账号无权执行此操作。"))


@transaction.atomic
def orgunit_create(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None = None,
                   sort_order: int = 0) -> OrgUnit:
    """Create an org unit (组织机构) under ``parent``; its path is the chain of codes."""
    _require_role(actor, Role.ADMIN)
    if kind not in OrgKind.values:
        raise AppError(f"组织类型「{kind}」无效。", fields={"kind": "无效的组织类型"})
    code = (code or "").strip()
    if "/" in code:
        raise AppError(_("代码不能包含“/”。"), fields={"code": _("代码不能包含“/”。")})
    unit = OrgUnit(code=code, name=(name or "").strip(), kind=kind, parent=parent, sort_order=sort_order,
                   path=f"{parent.path}/{code}" if parent else code)
    full_clean(unit)
    unit.save(force_insert=True)
    audit.record(actor=actor, action="orgunit.create", obj=unit, changes={"after": audit.snapshot(unit)})
    return unit


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


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "",
                memberships: list[tuple[str, OrgUnit]] = (), ip: str | None = None,
                password_hash: str | None = None) -> User:
    """Create an account with its roles. ``password_hash`` lets the demo reuse one Argon2 hash."""
    _require_role(actor, Role.ADMIN)
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


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, ip: str | None = None) -> User:
    """Set a new password (an administrator's reset, or the command line)."""
    if actor is None or actor.pk != user.pk:
        _require_role(actor, Role.ADMIN)
    validate_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.set_password", obj=user, ip=ip)
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, ip: str | None = None) -> User:
    """Disable (停用) or enable (启用) an account; a disabled account cannot sign in."""
    _require_role(actor, Role.ADMIN, Role.SECURITY)
    if not active and actor is not None and getattr(actor, "pk", None) == user.pk:
        raise AppError(_("不能停用自己的账号。"))
    if User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active) == 1:
        audit.record(actor=actor, action="user.enable" if active else "user.disable", obj=user, ip=ip,
                     changes={"is_active": [not active, active]})
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
    return actor


@transaction.atomic
def user_unlock(*, actor, username: str, ip: str | None = None) -> int:
    """Release a login lockout (解除锁定) now instead of after the cool-off; returns the attempts cleared."""
    from axes.utils import reset

    _require_role(actor, Role.SECURITY)
    username = (username or "").strip()
    if not username:
        raise AppError(_("用户名不能为空。"), fields={"username": _("必填")})
    cleared = reset(username=username)
    user = User.objects.filter(username=username).first()
    audit.record(actor=actor, action="user.unlock", obj=user, object_type="org.user",
                 object_repr=username, ip=ip, changes={"attempts_cleared": cleared})
    return cleared


@transaction.atomic
def user_reset_second_factor(*, actor, user: User, ip: str | None = None) -> int:
    """Remove a user's TOTP devices (重置动态口令), e.g. a lost phone; they enrol again at next sign-in."""
    _require_role(actor, Role.SECURITY)
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


# --- second factor (TOTP 动态口令) --------------------------------------------------------------

@transaction.atomic
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


@transaction.atomic
def totp_device_remove(*, actor: User, device: TOTPDevice, password: str, ip: str | None = None) -> None:
    """Unbind one's own TOTP device (解绑); the current password is asked again."""
    if device.user_id != actor.pk:
        raise AppError(_("该设备不存在。"), status=404)
    if not actor.check_password(password or ""):
        raise AppError(_("当前密码不正确。"), fields={"password": _("当前密码不正确。")})
    TOTPDevice.objects.filter(pk=device.pk).delete()
    audit.record(actor=actor, action="auth.otp_remove", obj=actor, ip=ip, changes={"device": device.name})


# --- API tokens (接口令牌) -----------------------------------------------------------------------

@transaction.atomic
def apitoken_create(*, actor: User, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """Issue an API token; returns the token row and the key, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise AppError(_("请填写令牌用途。"), fields={"name": _("请填写令牌用途。")})
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name, key_hash=sm3_hex(key.encode()), prefix=key[:8])
    full_clean(token)
    token.save(force_insert=True)
    audit.record(actor=actor, action="apitoken.create", obj=token, ip=ip,
                 changes={"after": {"name": name, "prefix": token.prefix}})
    return token, key


@transaction.atomic
def apitoken_revoke(*, actor: User, token: ApiToken, ip: str | None = None) -> ApiToken:
    """Revoke a token (吊销); it answers 401 from then on. Revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise AppError(_("该令牌不存在。"), status=404)
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now) == 1:
        token.revoked_at = now
        audit.record(actor=actor, action="apitoken.revoke", obj=token, ip=ip)
    return token


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
