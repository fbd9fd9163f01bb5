"""Validators for the numbers people type: citizen ID (GB 11643-1999) and the residence permit of
Hong Kong, Macao and Taiwan residents, phone numbers (mobile and landline), password.

Each normaliser accepts what people really type (full-width digits, spaces, a lowercase x, a
dash or brackets around an area code) and returns the canonical form, or raises
``ValidationError`` with a Chinese message that says what is wrong and what is accepted.
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
# 港澳台居民居住证 (State Council 2018): the citizen ID's layout, birth date and check digit, with the
# region part one of three codes and nothing else (Taiwan's is 830000 here, not its GB/T 2260 710000).
PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
_PERMIT_PREFIXES = {code[:2]: (code, place) for code, place in PERMIT_REGIONS.items()}
_SPACES = re.compile(r"[\s\u3000\-]+")


def _fold(value: str) -> str:
    """Full-width to half-width (ＮＦＫＣ), drop spaces and dashes people put in for reading."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def normalize_citizen_id(value: str) -> str:
    """Return the canonical 18-character ID or raise ValidationError saying what is wrong.

    A residence permit number of a Hong Kong, Macao or Taiwan resident (810000…, 820000…,
    830000…) is accepted wherever a citizen ID is: same layout, birth date and check digit.
    """
    text = _fold(value).upper()
    if not text:
        raise ValidationError(_("身份证号不能为空。"), code="required")
    if len(text) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，实际为 %(n)d 位。") % {"n": len(text)}, code="length"
        )
    # ASCII digits only: str.isdigit() also takes other scripts' digits (٣, ३), which would store the same
    # number under another keyed hash
    if not text.isascii() or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(_("身份证号只能由数字组成，最后一位可以是 X。"), code="chars")
    kind = _("身份证号")
    if text[:2] in _PERMIT_PREFIXES:
        code, place = _PERMIT_PREFIXES[text[:2]]
        if text[:6] != code:
            raise ValidationError(
                _("以 %(p)s 开头的是%(place)s居民居住证号码，前 6 位应为 %(code)s，实际为 %(a)s。")
                % {"p": text[:2], "place": place, "code": code, "a": text[:6]},
                code="permit_region",
            )
        kind = _("港澳台居民居住证号码")
    elif text[:2] not in ID_PROVINCES:
        raise ValidationError(
            _("身份证号前 6 位行政区划代码无效（省级代码 %(code)s 不存在）。") % {"code": text[:2]},
            code="region",
        )
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(
            _("%(kind)s中的出生日期 %(d)s 不是有效日期。") % {"kind": kind, "d": text[6:14]}, code="birth"
        ) from None
    if birth < dt.date(1880, 1, 1) or birth > dt.date.today():
        raise ValidationError(
            _("%(kind)s中的出生日期 %(d)s 不合理。") % {"kind": kind, "d": birth.isoformat()}, code="birth"
        )
    expected = id_check_char(text[:17])
    if text[17] != expected:
        raise ValidationError(
            _("%(kind)s校验位错误：最后一位应为 %(e)s，实际为 %(a)s。") % {"kind": kind, "e": expected, "a": text[17]},
            code="check",
        )
    return text


def is_residence_permit(number: str) -> bool:
    """Whether a canonical number is a Hong Kong, Macao or Taiwan resident's residence permit."""
    return number[:6] in PERMIT_REGIONS


def citizen_id_birth_date(value: str) -> dt.date:
    text = normalize_citizen_id(value)
    return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def citizen_id_is_male(value: str) -> bool:
    return int(normalize_citizen_id(value)[16]) % 2 == 1


_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_mobile(value: str) -> str:
    """Return an 11-digit mainland mobile number (an optional +86 / 86 prefix is dropped)."""
    text = _fold(value)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text:
        raise ValidationError(_("手机号不能为空。"), code="required")
    if not text.isascii() or not text.isdigit():
        raise ValidationError(_("手机号只能由数字组成。"), code="chars")
    if len(text) != 11:
        raise ValidationError(
            _("手机号应为 11 位，实际为 %(n)d 位。") % {"n": len(text)}, code="length"
        )
    if not _MOBILE.match(text):
        raise ValidationError(_("手机号应以 13–19 开头。"), code="prefix")
    return text


# A landline (固定电话): area code, then the local number, then an optional extension. Area codes
# are 010 and 020–029 (three digits) or 0 and three more digits from 03 to 09 (0755, 0571), so the
# digits alone say where the area code ends. Stored as area-number[-extension]: 020-12345678,
# 0755-1234567, 010-12345678-801.
# (Digits as [0-9]: \d would also match other scripts' digits.)
LANDLINE = re.compile(r"(?:010|02[0-9]|0[3-9][0-9][0-9])-[0-9]{7,8}(?:-[0-9]{1,6})?")
_AREA_CODE = re.compile(r"010|02[0-9]|0[3-9][0-9][0-9]")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_LANDLINE_CHARS = re.compile(r"[0-9\s\-()]+")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")


def normalize_landline(value: str) -> str:
    """Return a landline as area-number[-extension] (020-12345678), or raise ValidationError."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    extension = None
    found = _EXTENSION.search(text)
    if found:
        extension, text = found.group(1), text[:found.start()].strip()
    if not text or not _LANDLINE_CHARS.fullmatch(text):
        raise ValidationError(
            _("固定电话只能由区号、号码和“-”、空格、括号组成（如 020-12345678、(0755) 1234567）。"), code="chars"
        )
    groups = re.findall(r"[0-9]+", text)
    digits = "".join(groups)
    if not digits.startswith("0"):
        raise ValidationError(_("固定电话须带区号（以 0 开头，如 020-12345678）。"), code="area")
    size = 3 if digits.startswith(("010", "02")) else 4
    area = digits[:size]
    written = groups[0] if len(groups) > 1 and len(groups[0]) in (3, 4) else area
    if written != area or not _AREA_CODE.fullmatch(area):
        raise ValidationError(
            _("固定电话区号 %(a)s 不存在：区号为 010、020–029，或 0 开头的四位数字（如 0755）。") % {"a": written},
            code="area",
        )
    number = digits[size:]
    if extension is None and len(groups) > 1 and 7 <= len(digits) - len(groups[-1]) - size <= 8:
        # 020-12345678-801, 010-1234567-8: a group after a whole number is its extension.
        number, extension = number[: len(number) - len(groups[-1])], groups[-1]
        if len(extension) > 6:
            raise ValidationError(_("分机号最多 6 位，实际为 %(n)d 位。") % {"n": len(extension)}, code="extension")
    if not 7 <= len(number) <= 8:
        raise ValidationError(
            _("固定电话号码（区号 %(a)s 之后）应为 7–8 位，实际为 %(n)d 位。") % {"a": area, "n": len(number)},
            code="length",
        )
    return f"{area}-{number}-{extension}" if extension else f"{area}-{number}"


def normalize_phone(value: str) -> str:
    """A contact phone (联系电话): a mainland mobile (13812345678) or a landline with its area code.

    What starts with 0 is read as a landline, what starts with 1 (or +86) as a mobile; each says
    what is wrong with it. Anything else is refused with what is accepted.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        raise ValidationError(_("联系电话不能为空。"), code="required")
    if compact.startswith("0"):
        return normalize_landline(text)
    if compact.startswith(("1", "+86")) or (compact.startswith("86") and len(compact) == 13):
        return normalize_mobile(text)
    if compact.isdigit() and 7 <= len(compact) <= 8:
        raise ValidationError(_("固定电话须带区号（如 020-%(n)s）。") % {"n": compact}, code="area")
    raise ValidationError(
        _("联系电话应为手机号（11 位，以 13–19 开头）或带区号的固定电话（如 020-12345678、0755-1234567，"
          "分机写在后面，如 020-12345678 转 801）。"),
        code="invalid",
    )


def is_landline(number: str) -> bool:
    """Whether a canonical phone number is a landline (020-12345678), not a mobile."""
    return number[:1] == "0"


def validate_citizen_id(value: str) -> None:
    normalize_citizen_id(value)


def validate_mobile(value: str) -> None:
    normalize_mobile(value)


def validate_phone(value: str) -> None:
    normalize_phone(value)


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
