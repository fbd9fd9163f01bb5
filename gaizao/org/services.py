"""Writes of org units, users and memberships. Each runs in one transaction and is audited."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from gaizao.core import audit
from gaizao.core.errors import AppError
from gaizao.core.services import full_clean
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import Membership, OrgUnit, User


@transaction.atomic
def orgunit_create(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None = None,
                   sort_order: int = 0) -> OrgUnit:
    """Create an org unit (组织机构) under ``parent``; its path is the chain of codes."""
    if kind not in OrgKind.values:
        raise AppError(f"组织类型「{kind}」无效。", fields={"kind": "无效的组织类型"})
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order,
                   path=f"{parent.path}/{code}" if parent else code)
    full_clean(unit)
    unit.save(force_insert=True)
    audit.record(actor=actor, action="orgunit.create", obj=unit, changes={"after": audit.snapshot(unit)})
    return unit


def validate_new_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AppError("；".join(exc.messages), fields={"password": "；".join(exc.messages)}) from None


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "",
                memberships: list[tuple[str, OrgUnit]] = (), ip: str | None = None,
                password_hash: str | None = None) -> User:
    """Create an account with its roles. ``password_hash`` lets the demo reuse one Argon2 hash."""
    username = (username or "").strip()
    if not username:
        raise AppError("用户名不能为空。", fields={"username": "必填"})
    if User.objects.filter(username=username).exists():
        raise AppError(f"用户名「{username}」已存在。", fields={"username": "已存在"})
    user = User(username=username, full_name=full_name)
    if password_hash:
        user.password = password_hash
    else:
        validate_new_password(password, user)
        user.set_password(password)
    full_clean(user, exclude=["password"])
    user.save(force_insert=True)
    for role, unit in memberships:
        if role not in Role.values:
            raise AppError(f"角色「{role}」无效。", fields={"role": "无效的角色"})
        Membership.objects.create(user=user, org_unit=unit, role=role)
    audit.record(actor=actor, action="user.create", obj=user, ip=ip, changes={
        "after": {"username": user.username, "full_name": full_name,
                  "memberships": [[role, unit.code] for role, unit in memberships]},
    })
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, ip: str | None = None) -> User:
    validate_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.set_password", obj=user, ip=ip)
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool, ip: str | None = None) -> User:
    if user.is_active != active:
        User.objects.filter(pk=user.pk).update(is_active=active)
        audit.record(actor=actor, action="user.enable" if active else "user.disable", obj=user, ip=ip,
                     changes={"is_active": [not active, active]})
        user.is_active = active
    return user
