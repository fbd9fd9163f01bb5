"""Validators for the numbers people type: citizen ID (GB 11643-1999), mobile phone, password.

Each normaliser accepts what people really type (full-width digits, spaces, a lowercase x) and
returns the canonical form, or raises ``ValidationError`` with a Chinese message that says what
is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First digit of GB/T 2260 province codes: 1 north, 2 north-east, 3 east, 4 central-south,
# 5 south-west, 6 north-west (7, 8 are Taiwan, Hong Kong/Macao and are not on mainland IDs).
ID_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}
_SPACES = re.compile(r"[\s\u3000\-]+")


def _fold(value: str) -> str:
    """Full-width to half-width (ＮＦＫＣ), drop spaces and dashes people put in for reading."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def normalize_citizen_id(value: str) -> str:
    """Return the canonical 18-character ID or raise ValidationError saying what is wrong."""
    text = _fold(value).upper()
    if not text:
        raise ValidationError(_("身份证号不能为空。"), code="required")
    if len(text) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，实际为 %(n)d 位。") % {"n": len(text)}, code="length"
        )
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(_("身份证号只能由数字组成，最后一位可以是 X。"), code="chars")
    if text[:2] not in ID_PROVINCES:
        raise ValidationError(
            _("身份证号前 6 位行政区划代码无效（省级代码 %(code)s 不存在）。") % {"code": text[:2]},
            code="region",
        )
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不是有效日期。") % {"d": text[6:14]}, code="birth"
        ) from None
    if birth < dt.date(1880, 1, 1) or birth > dt.date.today():
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不合理。") % {"d": birth.isoformat()}, code="birth"
        )
    expected = id_check_char(text[:17])
    if text[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误：最后一位应为 %(e)s，实际为 %(a)s。") % {"e": expected, "a": text[17]},
            code="check",
        )
    return text


def citizen_id_birth_date(value: str) -> dt.date:
    text = normalize_citizen_id(value)
    return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def citizen_id_is_male(value: str) -> bool:
    return int(normalize_citizen_id(value)[16]) % 2 == 1


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    """Return an 11-digit mainland mobile number (an optional +86 / 86 prefix is dropped)."""
    text = _fold(value)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text:
        raise ValidationError(_("手机号不能为空。"), code="required")
    if not text.isdigit():
        raise ValidationError(_("手机号只能由数字组成。"), code="chars")
    if len(text) != 11:
        raise ValidationError(
            _("手机号应为 11 位，实际为 %(n)d 位。") % {"n": len(text)}, code="length"
        )
    if not _MOBILE.match(text):
        raise ValidationError(_("手机号应以 13–19 开头。"), code="prefix")
    return text


def validate_citizen_id(value: str) -> None:
    normalize_citizen_id(value)


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


class PasswordClassesValidator:
    """At least three of: lowercase, uppercase, digits, symbols (等保 password complexity)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("密码至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}
