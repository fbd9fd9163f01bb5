"""Helpers every service uses: validate, save with optimistic locking (乐观锁), audit.

Optimistic locking is written here once: ``conditional_update`` (one row, on its version, with the
one conflict message ``stale``) and ``bump_versions`` (many rows a bulk write moves on, so that a
form opened before the bulk write loses its race).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.text import check_text


def _text_error(model, field, value) -> str | None:
    if not isinstance(field, (models.CharField, models.TextField)) or not isinstance(value, str) or not value:
        return None
    multiline = isinstance(field, models.TextField) or field.name in getattr(model, "MULTILINE_TEXT_FIELDS", ())
    return check_text(value, multiline=multiline, field_label=str(field.verbose_name))


def text_errors(instance: models.Model, *, exclude=()) -> dict[str, str]:
    """Refused invisible characters in the object's text fields, by field name (``core.text``).

    A TextField is multi-line (tab and newline allowed), a CharField single-line; a model whose
    CharField holds several lines names it in ``MULTILINE_TEXT_FIELDS``.
    """
    model = type(instance)
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if field.name not in exclude:
            message = _text_error(model, field, getattr(instance, field.attname, None))
            if message:
                errors[field.name] = message
    return errors


def check_text_values(model: type[models.Model], values: dict[str, Any], *,
                      aliases: dict[str, str] | None = None) -> None:
    """The rule of ``full_clean`` on invisible characters, for writes that skip it.

    Conditional updates, bulk inserts and the event fast path write field values directly; they
    call this with the values (model field name → value) first. ``aliases`` names the input a
    field came from when it differs (``{"close_note": "note"}``), so the error shows beside it.
    """
    aliases = aliases or {}
    errors = {}
    for name, value in values.items():
        message = _text_error(model, model._meta.get_field(name), value)
        if message:
            errors[aliases.get(name, name)] = message
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)


def full_clean(instance: models.Model, **kwargs) -> None:
    """``full_clean`` that raises the one application error shape.

    Every service calls it before a write, so the rule on invisible characters (``core.text``)
    is checked here once for forms, the API, commands and the demo alike.
    """
    refused = text_errors(instance, exclude=kwargs.get("exclude") or ())
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        error = AppError.from_validation_error(exc)
    else:
        error = None
    if refused:
        fields = {**(error.fields if error else {}), **refused}
        raise AppError("；".join(fields.values()), fields=fields)
    if error is not None:
        raise error


def create(*, actor, instance: models.Model, action: str | None = None, ip: str | None = None) -> models.Model:
    """Validate, insert and audit one object (call inside the service's transaction)."""
    full_clean(instance)
    instance.save(force_insert=True)
    audit.record(
        actor=actor, action=action or f"{instance._meta.model_name}.create", obj=instance,
        changes={"after": audit.snapshot(instance)}, ip=ip,
    )
    return instance


def stale(obj: Any, *, version: int | None = None, current: int | None = None) -> Conflict:
    """The one conflict (409) of optimistic locking: someone else saved ``obj`` since it was read.

    ``version`` is what the writer read, ``current`` what is stored now (when known, both are
    named, so that the writer sees how far behind the page was).
    """
    current = getattr(obj, "version", None) if current is None else current
    if version is not None and current is not None and version != current:
        return Conflict(_("「%(what)s」已被他人修改（当前版本 %(current)d，你编辑的是版本 %(version)d），"
                          "你的修改没有保存。请刷新页面，核对最新内容后再保存。")
                        % {"what": obj, "current": current, "version": version})
    return Conflict(_("「%(what)s」已被他人修改，你的修改没有保存。请刷新页面，核对最新内容后再保存。") % {"what": obj})


def _with_updated_at(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    if "updated_at" not in values and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        return {**values, "updated_at": timezone.now()}
    return values


def conditional_update(model: type[models.Model], *, pk: Any, version: int, values: dict[str, Any],
                       extra_filter: Q | None = None, what: Any = None) -> int:
    """UPDATE one row only if its version is still ``version`` (and ``extra_filter`` holds); the new version.

    Two people saving the same object: exactly one UPDATE matches, the other gets ``stale`` for
    ``what`` (the object as the writer read it). ``values`` are column values (``attname`` keys,
    as ``update()`` takes them); ``updated_at`` is set when the model has it.
    """
    rows = model.objects.filter(pk=pk, version=version)
    if extra_filter is not None:
        rows = rows.filter(extra_filter)
    if rows.update(**_with_updated_at(model, values), version=F("version") + 1) != 1:
        raise stale(what if what is not None else f"{model._meta.verbose_name} #{pk}")
    return version + 1


def bump_versions(rows: QuerySet, **values) -> int:
    """UPDATE many rows and move each one's version on (a bulk write): a form opened before it is stale."""
    return rows.update(**_with_updated_at(rows.model, values), version=F("version") + 1)


def versioned_update(
    *, actor, instance: models.Model, changes: dict[str, Any], expected_version: int | None,
    action: str | None = None, ip: str | None = None, extra: dict | None = None,
) -> models.Model:
    """Apply ``changes`` if nobody saved the object since ``expected_version``.

    The write is a conditional UPDATE on (pk, version): two people editing the same household
    cannot both win. The loser gets a Conflict with a message saying what to do.
    """
    model = type(instance)
    current = model.objects.get(pk=instance.pk)
    version = current.version if expected_version is None else expected_version
    if current.version != version:
        raise stale(current, version=version)
    before = audit.snapshot(current, changes.keys())
    for name, value in changes.items():
        setattr(current, name, value)
    full_clean(current)
    # update() passes values through the fields (encryption), and the keyed hash beside a
    # changed encrypted field is recomputed by its pre_save.
    field_names = list(changes.keys())
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
    current.version = conditional_update(model, pk=current.pk, version=version, values=values, what=current)
    after = audit.snapshot(current, changes.keys())
    audit.record(
        actor=actor, action=action or f"{model._meta.model_name}.update", obj=current,
        changes={**audit.diff(before, after), **(extra or {})}, ip=ip,
    )
    return current


# --- the steps of an update from plain values (services of every app) ---------------------------

NOT_FOUND = "不存在或无权查看。"


def require_in_scope(actor, scope: Callable[[Any], QuerySet], obj: models.Model) -> None:
    """Out of the actor's write scope looks like absent (404); the system actor acts everywhere."""
    if not is_system(actor) and not scope(actor).filter(pk=obj.pk).exists():
        raise NotFound(NOT_FOUND)


def only(changes: dict, allowed: set[str], what: str) -> None:
    """A programming error, not a user's: a caller passed a field the service does not change."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"{what} cannot change {sorted(unknown)}")


def load_for_update(instance: models.Model, version: int | None) -> models.Model:
    """The object as stored now, if ``version`` is still current; else the Conflict message."""
    if version is None or isinstance(version, bool):
        raise AppError("缺少版本号 version：请先读取该记录，再带着读取到的版本号提交修改。",
                       fields={"version": "必填"})
    current = type(instance).objects.get(pk=instance.pk)
    if current.version != version:
        raise stale(current, version=version)
    return current


def save_changes(*, actor, current: models.Model, version: int, values: dict, action: str,
                 ip: str | None = None, extra: dict | None = None) -> models.Model:
    """Write the values that differ from ``current`` with a conditional UPDATE, audited (``extra``:
    what the audit entry adds, such as the reason for the change).

    Nothing differs: nothing is written (no new version, no audit entry).
    """
    changed = {name: value for name, value in values.items() if _differs(current, name, value)}
    if not changed:
        return current
    return versioned_update(actor=actor, instance=current, changes=changed, expected_version=version,
                            action=action, ip=ip, extra=extra)


def _differs(current: models.Model, name: str, value) -> bool:
    field = current._meta.get_field(name)
    if field.is_relation:  # compare ids: reading current.<fk> would cost a query
        return getattr(current, field.attname) != (value.pk if value is not None else None)
    return getattr(current, name) != value


def parse_date(value, *, field: str, label: str) -> dt.date:
    """A date a service was given (a date, a datetime, or text like 2026-12-31), or the one refusal naming
    ``label`` on ``field``. A datetime keeps its date as written (a service's dates are local dates)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise AppError(_("%(l)s「%(v)s」不是有效日期（应为 2026-03-02 这样的格式）。") % {"l": label, "v": value},
                       fields={field: _("不是有效日期")}) from None


def load_scoped(actor, queryset: QuerySet, obj: Any, scope: Callable[[Any], QuerySet], *,
                missing: str = "") -> models.Model:
    """The row of ``obj`` (an instance or its id) from ``queryset`` if ``scope(actor)`` reaches it (the system
    actor reaches all), else the one 404 (``missing`` names what was not found): what a service loads before
    it checks and writes."""
    pk = obj if isinstance(obj, int) else getattr(obj, "pk", obj)
    if not is_system(actor):
        queryset = queryset.filter(pk__in=scope(actor).values("pk"))
    try:
        found = queryset.filter(pk=pk).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(missing or _("不存在或无权操作。"))
    return found

