"""Helpers every service uses: validate, save with optimistic locking, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from gaizao.core import audit
from gaizao.core.errors import AppError, Conflict


def full_clean(instance: models.Model, **kwargs) -> None:
    """``full_clean`` that raises the one application error shape."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise AppError.from_validation_error(exc) from None


def create(*, actor, instance: models.Model, action: str | None = None, ip: str | None = None) -> models.Model:
    """Validate, insert and audit one object (call inside the service's transaction)."""
    full_clean(instance)
    instance.save(force_insert=True)
    audit.record(
        actor=actor, action=action or f"{instance._meta.model_name}.create", obj=instance,
        changes={"after": audit.snapshot(instance)}, ip=ip,
    )
    return instance


def versioned_update(
    *, actor, instance: models.Model, changes: dict[str, Any], expected_version: int | None,
    action: str | None = None, ip: str | None = None,
) -> models.Model:
    """Apply ``changes`` if nobody saved the object since ``expected_version``.

    The write is a conditional UPDATE on (pk, version): two people editing the same household
    cannot both win. The loser gets a Conflict with a message saying what to do.
    """
    model = type(instance)
    current = model.objects.get(pk=instance.pk)
    version = current.version if expected_version is None else expected_version
    if current.version != version:
        raise Conflict(
            f"「{current}」已被他人修改（当前版本 {current.version}，你编辑的是版本 {version}）。"
            "请刷新页面，核对最新内容后再保存。"
        )
    before = audit.snapshot(current, changes.keys())
    for name, value in changes.items():
        setattr(current, name, value)
    full_clean(current)
    current.version = version + 1
    # A conditional UPDATE; update() passes values through the fields (encryption), and the
    # keyed hash beside a changed encrypted field is recomputed by its pre_save.
    field_names = list(changes.keys()) + ["version"]
    for field in current._meta.concrete_fields:
        if getattr(field, "source", None) in changes:  # keyed hash beside an encrypted field
            field_names.append(field.name)
        if field.name == "updated_at":
            field_names.append("updated_at")
    values = {
        f.attname: f.pre_save(current, False)
        for f in current._meta.concrete_fields
        if f.name in field_names and f.name != "version"
    }
    updated = model.objects.filter(pk=current.pk, version=version).update(**values, version=F("version") + 1)
    if updated != 1:
        raise Conflict(f"「{current}」已被他人修改，请刷新后再保存。")
    after = audit.snapshot(current, changes.keys())
    audit.record(
        actor=actor, action=action or f"{model._meta.model_name}.update", obj=current,
        changes=audit.diff(before, after), ip=ip,
    )
    return current
