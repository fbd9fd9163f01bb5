"""Checking a service's input field by field (逐项校验): every bad field reported at once.

A service that takes plain values (from a form, the API or a command) normalises and checks them
with a ``Checker`` before it writes: text trimmed, choices among the field's choices, Decimals
with two places in range (areas in square metres), integers in what the column holds on
PostgreSQL, dates, citizen IDs (and HK/Macao/Taiwan residence permits) and phone numbers, mobile
or landline (their masked form keeps the stored value).
``done()`` raises one ``AppError`` naming every field.

    check = Checker(Household)
    check.text(values, "head_name", required=True)
    check.decimal(values, "legal_area")
    check.done()
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date

from gaizao.core.errors import AppError
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.schemas import column_range
from gaizao.core.validators import normalize_citizen_id, normalize_phone

TWO_PLACES = Decimal("0.01")
AREA_LIMIT = Decimal("10000000000")  # max_digits=12, decimal_places=2


def label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


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
        """Normalise a phone number (a mobile, or a landline with its area code); its masked form keeps ``current``."""
        self._personal_number(values, name, current=current, mask=mask_phone, normalize=normalize_phone)

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
