"""What every ledger write shares: checking input field by field, scope, loading for an update.

The system actor (``core.actors.SYSTEM``: commands, the demo generator) acts everywhere, so the
scope checks apply to people only. The transaction and the locking are core's (``core.writes``,
``core.services.conditional_update``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from pypinyin import Style, lazy_pinyin

from gaizao.core import services as core_services
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.schemas import column_range
from gaizao.core.validators import normalize_citizen_id, normalize_mobile

NOT_FOUND = "不存在或无权查看。"
TWO_PLACES = Decimal("0.01")
AREA_LIMIT = Decimal("10000000000")  # max_digits=12, decimal_places=2


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 -> zs."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]


def label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def require_in_scope(actor, scope: Callable[[Any], QuerySet], obj: models.Model) -> None:
    """Out of the actor's write scope looks like absent (404)."""
    if not is_system(actor) and not scope(actor).filter(pk=obj.pk).exists():
        raise NotFound(NOT_FOUND)


def only(changes: dict, allowed: set[str], what: str) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"{what} cannot change {sorted(unknown)}")


class Checker:
    """Collects field errors so that one save reports every bad field at once."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields: dict[str, str] = {}

    def error(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def done(self) -> None:
        if self.fields:
            raise AppError("；".join(self.fields.values()), fields=self.fields)

    def text(self, values: dict, name: str, *, required: bool = False) -> None:
        if name not in values:
            return
        value = "" if values[name] is None else str(values[name]).strip()
        values[name] = value
        if required and not value:
            self.error(name, f"请填写{label(self.model, name)}。")

    def choice(self, values: dict, name: str) -> None:
        if name not in values:
            return
        field = self.model._meta.get_field(name)
        if values[name] not in {str(value) for value, _ in field.flatchoices}:
            self.error(name, f"{label(self.model, name)}「{values[name]}」不是可选的值。")

    def decimal(self, values: dict, name: str, *, low: Decimal = Decimal("0"), high: Decimal = AREA_LIMIT,
                default: Decimal | None = Decimal("0")) -> None:
        """A Decimal with at most two places in [low, high] (areas: square metres, ≥ 0)."""
        if name not in values:
            return
        raw, title = values[name], label(self.model, name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[name] = default
            if default is None:
                self.error(name, f"请填写{title}。")
            return
        try:
            number = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            self.error(name, f"{title}须为数字，「{raw}」不是。")
            return
        if not number.is_finite():
            self.error(name, f"{title}须为数字。")
        elif number < low:
            self.error(name, f"{title}不能为负数。" if low == 0 else f"{title}不能小于 {low}。")
        elif number > high:
            self.error(name, f"{title}不能大于 {high}。")
        elif number != number.quantize(TWO_PLACES):
            self.error(name, f"{title}最多保留两位小数。")
        else:
            values[name] = number.quantize(TWO_PLACES)

    def integer(self, values: dict, name: str, *, low: int | None = None, high: int | None = None,
                required: bool = True) -> None:
        if name not in values:
            return
        raw, title = values[name], label(self.model, name)
        if raw is None or raw == "":
            values[name] = None
            if required:
                self.error(name, f"请填写{title}。")
            return
        try:
            number = int(str(raw).strip())
        except ValueError:
            self.error(name, f"{title}须为整数，「{raw}」不是。")
            return
        # Unless told otherwise, what the column holds on PostgreSQL, on every database: SQLite
        # would take any 64-bit number that PostgreSQL (and so production) refuses.
        smallest, largest = column_range(self.model._meta.get_field(name))
        low = smallest if low is None else low
        high = largest if high is None else high
        if number < low:
            self.error(name, f"{title}不能小于 {low}。")
        elif number > high:
            self.error(name, f"{title}不能大于 {high}。")
        else:
            values[name] = number

    def date(self, values: dict, name: str, *, not_after_today: bool = False) -> None:
        if name not in values:
            return
        raw, title = values[name], label(self.model, name)
        if raw in (None, ""):
            values[name] = None
            return
        if isinstance(raw, dt.date):
            day = raw
        else:
            try:
                day = parse_date(str(raw).strip())
            except ValueError:  # well formed but impossible, e.g. 2026-02-30
                day = None
        if day is None:
            self.error(name, f"{title}须为有效日期（年-月-日），「{raw}」不是。")
            return
        if not_after_today and day > timezone.localdate():
            self.error(name, f"{title}不能晚于今天（{timezone.localdate():%Y-%m-%d}）。")
            return
        values[name] = day

    def citizen_id(self, values: dict, name: str, *, current: str | None = None) -> None:
        """Normalise a citizen ID; its masked form (as the edit form shows it) keeps ``current``."""
        self._personal_number(values, name, current=current, mask=mask_citizen_id, normalize=normalize_citizen_id)

    def phone(self, values: dict, name: str, *, current: str | None = None) -> None:
        """Normalise a mobile number; its masked form keeps ``current``."""
        self._personal_number(values, name, current=current, mask=mask_phone, normalize=normalize_mobile)

    def _personal_number(self, values: dict, name: str, *, current, mask, normalize) -> None:
        if name not in values:
            return
        raw = values[name]
        if current and raw == mask(current):
            values[name] = current
            return
        if raw is None or not str(raw).strip():
            values[name] = None
            return
        try:
            values[name] = normalize(raw)
        except ValidationError as exc:
            self.error(name, exc.messages[0])


def load_for_update(instance: models.Model, version: int | None) -> models.Model:
    """The object as stored now, if ``version`` is still current; else the Conflict message."""
    if version is None or isinstance(version, bool):
        raise AppError("缺少版本号 version：请先读取该记录，再带着读取到的版本号提交修改。",
                       fields={"version": "必填"})
    current = type(instance).objects.get(pk=instance.pk)
    if current.version != version:
        raise core_services.stale(current, version=version)
    return current


def save_changes(*, actor, current: models.Model, version: int, values: dict, action: str,
                 ip: str | None = None) -> models.Model:
    """Write the values that differ from ``current`` with a conditional UPDATE, audited.

    Nothing differs: nothing is written (no new version, no audit entry).
    """
    changed = {name: value for name, value in values.items() if _differs(current, name, value)}
    if not changed:
        return current
    return core_services.versioned_update(actor=actor, instance=current, changes=changed,
                                          expected_version=version, action=action, ip=ip)


def _differs(current: models.Model, name: str, value) -> bool:
    field = current._meta.get_field(name)
    if field.is_relation:  # compare ids: reading current.<fk> would cost a query
        return getattr(current, field.attname) != (value.pk if value is not None else None)
    return getattr(current, name) != value


def insert(*, actor, instance: models.Model, action: str, ip: str | None = None) -> models.Model:
    return core_services.create(actor=actor, instance=instance, action=action, ip=ip)
