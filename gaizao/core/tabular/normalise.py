"""Cell values to Python values, in one place (单元格规范化).

python-calamine gives whole numbers as float (``3.0``), empty cells as ``''``, date cells as
``datetime.date``/``datetime``; a CSV gives text only. These helpers turn a cell into the value a
model field takes, and every refusal is a ``CellError`` with a Chinese message. What the values
mean (a ledger's areas, a valuation's sums) is the importing app's: it builds its rules from these.

What people really type is accepted: full-width digits and letters, spaces, a lowercase x in an
ID, a landline with its area code ((020) 1234 5678), numbers stored as text, numbers with units
(㎡, 平方米, m2, 人, 层), dates as Excel serial numbers or written 2026.11.05 / 2026-11-05 /
2026年11月5日.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gaizao.core.text import check_text
from gaizao.core.validators import (
    ID_CHECK_CHARS, ID_PROVINCES, LANDLINE, PERMIT_REGIONS, normalize_citizen_id, normalize_phone,
)

AREA_PLACES = Decimal("0.01")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's 1900-02-29
MAX_SERIAL = 2958465  # 9999-12-31
_WHITESPACE = re.compile(r"\s+")
# A column of at least this many cells with at most one distinct cell in DISTINCT_SHARE is converted
# through a table of its distinct cells (``column_converter``).
DISTINCT_MIN_CELLS, DISTINCT_SHARE = 256, 8
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits: \d would take other scripts' too
MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE_SHAPE = LANDLINE  # the canonical landline (020-12345678, 0755-1234567-801), already clean
AREA_UNIT = re.compile(r"(?:m2|m²|㎡|平方米|平米|平方)$", re.IGNORECASE)
_NUMBER_SUFFIX = re.compile(r"(?:人|口|层|户|个|栋|间|年)$")
_DATE_YMD = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?")
_YEAR = re.compile(r"(\d{4})\s*年?")


class CellError(ValueError):
    """A cell that cannot be turned into its column's value; the message is for the user."""


class Masked(str):
    """A personal number as exported, masked (110105********002X, 138****5678).

    It means "keep the stored value" when the household exists and the mask fits that value.
    """


# Full-width letters, digits and the few signs numbers and codes use (ＤＨ－００１, １２０．５), and the
# ideographic space. Not NFKC: that would also turn the full-width brackets of a certificate number
# (云集用（2005）第000001号) or compatibility ideographs in names into something else.
_FULLWIDTH_MAP = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    0xFF0D: "-", 0xFF0E: ".", 0x3000: " ",
}
_FULLWIDTH = re.compile("[" + "".join(chr(c) for c in _FULLWIDTH_MAP) + "]")


def fold(text: str) -> str:
    """Full-width letters, digits, number signs and spaces to half-width, only when present."""
    return text.translate(_FULLWIDTH_MAP) if _FULLWIDTH.search(text) else text


# The export quotes text a spreadsheet would read as a formula (documents.xlsx.safe_text: one more
# leading quote before quotes followed by = + - @ tab CR); this removes exactly that one quote.
_EXPORT_QUOTE = re.compile(r"'(?='*[=+\-@\t\r])")


def unquote(text: str) -> str:
    """Text as stored, from a cell the export wrote (``'=HYPERLINK(...)`` → ``=HYPERLINK(...)``)."""
    return text[1:] if text[:1] == "'" and _EXPORT_QUOTE.match(text) else text


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def as_text(value: object) -> str:
    """Any cell as stripped text with single spaces (numbers without a trailing ``.0``)."""
    if type(value) is str:
        text = fold(unquote(value))
    elif isinstance(value, bool):
        raise CellError(_("应为文字，实际是逻辑值 %(v)s。") % {"v": "TRUE" if value else "FALSE"})
    elif isinstance(value, float):
        text = _number_text(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        raise CellError(_("被 Excel 识别成了日期（%(d)s），请把该列设为文本后重新填写。") % {"d": value.isoformat()})
    else:
        text = str(value)
    text = text.strip()
    if "  " in text or "\n" in text or "\t" in text or "\u3000" in text:
        text = _WHITESPACE.sub(" ", text)
    return text


def to_code(value: object) -> str:
    """户号, 房屋编号, 权证号: text without any spaces."""
    text = as_text(value)
    return text.replace(" ", "") if " " in text else text


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def to_name(value: object) -> str:
    """A person's name: spaces between Chinese characters dropped (张 三 → 张三)."""
    text = as_text(value)
    if " " in text and any(_is_cjk(ch) for ch in text):
        text = text.replace(" ", "")
    return text


_BIRTH_OK: dict[str, bool] = {}


def _birth_ok(text: str) -> bool:
    known = _BIRTH_OK.get(text)
    if known is None:
        try:
            birth = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            known = dt.date(1880, 1, 1) <= birth <= dt.date.today()
        except ValueError:
            known = False
        if len(_BIRTH_OK) < 100_000:
            _BIRTH_OK[text] = known
    return known


def _fast_citizen_id(text: str) -> bool:
    """The acceptance rule of ``normalize_citizen_id`` for the common, well-formed case, faster.

    Anything this does not accept goes through ``normalize_citizen_id``, which accepts it or says
    what is wrong; a test checks that both agree.
    """
    if len(text) != 18 or not _ID_SHAPE.fullmatch(text):
        return False
    if text[:2] not in ID_PROVINCES and text[:6] not in PERMIT_REGIONS:  # the second test: HK/Macao/Taiwan only
        return False
    return ID_CHECK_CHARS[2 * int(text[:17], 13) % 11] == text[17] and _birth_ok(text[6:14])


# The check digit's weights are 2^17 … 2^1 mod 11, and 13 ≡ 2 (mod 11): the seventeen digits read as a
# base-13 number, doubled, give the weighted sum mod 11 in one int() in C (a test holds it to the weights).
_FIRST_17, _LAST = operator.itemgetter(slice(0, 17)), operator.itemgetter(17)
_PROVINCE, _BIRTH = operator.itemgetter(slice(0, 2)), operator.itemgetter(slice(6, 14))
_ID_COLUMN = re.compile(r"(?:[0-9]{17}[0-9X]a)*")
_MOBILE_COLUMN = re.compile(r"(?:1[3-9][0-9]{9}a)*")


def _filled(values: list, kind: type) -> list | None:
    """The column's filled cells when each is ``kind`` or blank (''), else None."""
    if not values or not set(map(type, values)) <= {kind, str}:
        return None
    filled = [value for value in values if value != ""]
    return filled if filled and set(map(type, filled)) == {kind} else None


def citizen_id_column(values: list) -> list | None:
    """The whole column when every cell is an ID ``_fast_citizen_id`` accepts (mainland regions) or
    blank ('' → None), else None: a few passes in C instead of a call per cell (100,000 IDs: ~40 ms
    instead of ~180 ms). Anything else sends the column to the per-cell path, which is right, only slower."""
    filled = _filled(values, str)
    if filled is None or set(map(len, filled)) != {18} or not _ID_COLUMN.fullmatch("a".join(filled) + "a"):
        return None
    if not set(map(_PROVINCE, filled)).issubset(ID_PROVINCES):
        return None
    sums = map(operator.mod, map(operator.mul, map(int, map(_FIRST_17, filled), itertools.repeat(13)),
                                 itertools.repeat(2)), itertools.repeat(11))
    if not all(map(operator.eq, map(ID_CHECK_CHARS.__getitem__, sums), map(_LAST, filled))):
        return None
    if not all(map(_birth_ok, set(map(_BIRTH, filled)))):
        return None
    return [value or None for value in values]


def mobile_column(values: list) -> list | None:
    """The whole column when every cell is a mobile number as stored (13812345678) or blank ('' → None),
    else None (a landline or anything to clean goes cell by cell)."""
    filled = _filled(values, str)
    if filled is None or set(map(len, filled)) != {11} or not _MOBILE_COLUMN.fullmatch("a".join(filled) + "a"):
        return None
    return [value or None for value in values]


def float_column(values: list, *, low, high, places: Decimal) -> list | None:
    """The whole column as Decimals rounded half up to ``places`` when every cell is a finite float in
    ``low``..``high`` or blank ('' → None), else None: ``Decimal(repr(value))``, as the cell rule takes
    it, in C passes instead of a call per cell."""
    filled = _filled(values, float)
    if filled is None or not all(map(math.isfinite, filled)) or min(filled) < low or max(filled) > high:
        return None
    rounded = map(Decimal.quantize, map(Decimal, map(repr, filled)), itertools.repeat(places),
                  itertools.repeat(ROUND_HALF_UP))
    if len(filled) == len(values):
        return list(rounded)
    return [None if value == "" else next(rounded) for value in values]


def to_citizen_id(value: object) -> str:
    """An 18-character citizen ID or HK/Macao/Taiwan residence permit, checked (check digit, birth date,
    region), or ``Masked``."""
    if isinstance(value, float):
        if value >= 1e15:
            raise CellError(_("身份证号被 Excel 存成了数字，后几位已经丢失；请把该列设为文本后重新填写。"))
        raise CellError(_("身份证号应为 18 位，实际为 %(n)d 位。") % {"n": len(_number_text(value))})
    text = as_text(value)
    if "*" in text:
        return Masked(text.replace(" ", "").upper())
    if _fast_citizen_id(text):
        return text
    try:
        return normalize_citizen_id(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def to_phone(value: object) -> str:
    """A mobile (13812345678) or a landline with its area code (020-12345678), or ``Masked``."""
    if isinstance(value, float) and value.is_integer() and not _number_text(value).startswith("1"):
        raise CellError(_("联系电话被 Excel 存成了数字，固定电话区号开头的 0 已经丢失；请把该列设为文本后重新填写"
                          "（如 020-12345678）。"))
    text = as_text(value)
    if "*" in text:
        # As exported: 138****5678 (dashes people add dropped), 020-****5678 (the landline's kept).
        text = text.replace(" ", "")
        return Masked(text if text[:1] == "0" else text.replace("-", ""))
    if MOBILE_SHAPE.fullmatch(text) or LANDLINE_SHAPE.fullmatch(text):
        return text
    try:
        return normalize_phone(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def _choice_key(text: str) -> str:
    return _WHITESPACE.sub("", fold(text)).lower()


def choice_table(choices, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Label, stored value and aliases of a choices class (``TextChoices``), folded, to the stored value."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[_choice_key(str(label))] = value
        table[_choice_key(value)] = value
    for alias, value in (aliases or {}).items():
        table[_choice_key(alias)] = value
    return table


def to_choice(value: object, *, table: dict[str, str], choices) -> str:
    """The stored value of a choice written as its label, its value or an alias (folded, spaces ignored)."""
    found = table.get(value) if type(value) is str else None
    if found is not None:
        return found
    found = table.get(_choice_key(as_text(value)))
    if found is None:
        labels = "、".join(str(label) for _v, label in choices.choices)
        raise CellError(_("“%(v)s”不是可选值，只能填写：%(labels)s。") % {"v": as_text(value), "labels": labels})
    return found


def parse_number(value: object, *, what: str) -> Decimal:
    """A Decimal from a number cell or text (thousands separators, units of area and counts dropped)."""
    if isinstance(value, bool):
        raise CellError(_("%(what)s应为数字，实际是逻辑值。") % {"what": what})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))  # NaN and infinity (a generated file may hold them) are refused below
    else:
        text = as_text(value).replace(",", "").replace("，", "").replace(" ", "")
        text = AREA_UNIT.sub("", text)
        text = _NUMBER_SUFFIX.sub("", text)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(v)s”不是有效的%(what)s。") % {"v": as_text(value), "what": what}) from None
    if not number.is_finite():
        raise CellError(_("“%(v)s”不是有效的%(what)s。") % {"v": as_text(value), "what": what})
    return number


def to_integer(value: object, *, low: int, high: int, what: str) -> int:
    """A whole number in ``low..high`` (``3.0``, ``"３"``, ``"3人"``, ``"3层"`` are 3)."""
    if type(value) is float and value.is_integer():
        number = int(value)
    else:
        decimal = parse_number(value, what=what)
        if decimal != decimal.to_integral_value():
            raise CellError(_("%(what)s应为整数，实际为 %(v)s。") % {"what": what, "v": decimal})
        number = int(decimal)
    if not low <= number <= high:
        raise CellError(_("%(what)s应在 %(low)d–%(high)d 之间，实际为 %(v)d。")
                        % {"what": what, "low": low, "high": high, "v": number})
    return number


def from_serial(serial: float) -> dt.date:
    """An Excel serial date (1900 date system) as a date."""
    if not 1 <= serial <= MAX_SERIAL:
        raise CellError(_("%(v)s 不是有效的 Excel 日期。") % {"v": _number_text(float(serial))})
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _date(year: str, month: str, day: str, original: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(_("“%(v)s”不是有效日期。") % {"v": original}) from None


def to_date(value: object) -> dt.date:
    """A date from a date cell, an Excel serial number, or text (2026.11.05, 2026年11月5日, 20261105)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return from_serial(float(value))
    text = as_text(value)
    match = _DATE_YMD.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if match:
        return _date(*match.groups(), text)
    try:
        return from_serial(float(text))
    except (ValueError, CellError):
        raise CellError(_("“%(v)s”不是可识别的日期（可写 2026-11-05、2026.11.05 或 2026年11月5日）。") % {"v": text}) from None


def _year_from_number(number: float) -> int:
    """2001 is a year; a number past 9999 is an Excel serial date (a date cell typed as number)."""
    if number < 10000:
        if not number.is_integer():
            raise CellError(_("“%(v)s”不是有效的年份（应为四位年份，如 2001）。") % {"v": _number_text(number)})
        return int(number)
    return from_serial(number).year


def to_year(value: object, *, low: int, what: str, today: dt.date | None = None) -> int:
    """A year from ``low`` to this year: 2001, "2001年", "2001.05", a date, or an Excel serial date (then its year)."""
    this_year = (today or dt.date.today()).year
    year: int | None = None
    if isinstance(value, (dt.date, dt.datetime)):
        year = value.year
    elif type(value) is float:
        year = _year_from_number(value)
    else:
        text = as_text(value).replace(" ", "")
        for pattern in (_DATE_YMD, _YEAR_MONTH, _YEAR):
            match = pattern.fullmatch(text)
            if match:
                year = int(match.group(1))
                if pattern is _DATE_YMD:
                    _date(*match.groups(), text)
                break
        else:
            if text.replace(".", "", 1).isdigit():
                year = _year_from_number(float(text))
            else:
                raise CellError(_("“%(v)s”不是有效的年份（应为四位年份，如 2001）。") % {"v": text})
    if not low <= year <= this_year:
        raise CellError(_("%(what)s %(y)d 不合理（应在 %(low)d–%(high)d 之间）。")
                        % {"what": what, "y": year, "low": low, "high": this_year})
    return year


# --- whole columns at once ------------------------------------------------------------------------
# An import has a hundred thousand rows: each column is converted in one pass, with a fast path
# for cells that are already clean (``fast`` returns None when it cannot tell) and the functions
# above for everything else (``slow`` raises CellError).

def clean_text(value: object, max_length: int) -> bool:
    """Whether a cell is text that needs no work: no spaces, quotes, full-width or refused characters."""
    # isprintable() is False for every character core.text refuses (Cc, bidi controls, surrogates,
    # noncharacters), so those take the slow path, which refuses them.
    return (type(value) is str and 0 < len(value) <= max_length and " " not in value
            and value[0] != "'" and value.isprintable() and not _FULLWIDTH.search(value))


def text_rule(base, *, label: str, max_length: int | None = None):
    """``(slow, fast)`` for a text column converted by ``base`` (as_text, to_code, to_name).

    Line breaks (Alt+Enter) and tabs in a cell are what people type: ``base`` folds them into
    spaces. Invisible control characters are refused, as in every other input.
    """
    limit = max_length or 10**6

    def slow(value):
        if type(value) is str:
            refused = check_text(value.replace("\r", "\n"), multiline=True, field_label=label)
            if refused:
                raise CellError(refused)
        text = base(value)
        if len(text) > limit:
            raise CellError(_("不能超过 %(n)d 个字（现有 %(m)d 个）。") % {"n": limit, "m": len(text)})
        return text

    def fast(value):
        return value if clean_text(value, limit) else None

    def column(values: list) -> list | None:
        """The whole column when every cell is clean text or blank ("" → None), else None.

        The rule of ``clean_text``, asked of the column joined by a plain letter: a few passes in
        C instead of a call per cell (100,000 cells: ~10 ms instead of ~150 ms). A value that
        merely contains "a'" sends the column to the per-cell path, which is right, only slower.
        """
        if not values or set(map(type, values)) != {str} or max(map(len, values)) > limit:
            return None
        joined = "a".join(values)
        if (" " in joined or "a'" in joined or joined.startswith("'") or not joined.isprintable()
                or _FULLWIDTH.search(joined)):
            return None
        return [value or None for value in values]

    fast.column = column
    return slow, fast


def choice_rule(choices, aliases: dict[str, str] | None = None):
    """``(slow, fast)`` for a choice column (see ``choice_table``)."""
    table = choice_table(choices, aliases)

    def slow(value):
        return to_choice(value, table=table, choices=choices)

    return slow, table.get


def _looked_up(get):
    """The whole-column path of a choice table's ``get``: every cell looked up in one pass in C, taken when
    each filled cell is in the table (as many None as blank cells; the table has no blank key)."""
    def column(values: list) -> list | None:
        out = list(map(get, values))
        return out if out.count(None) == values.count("") else None

    return column


def _by_distinct(values: list, fast) -> list | None:
    """The column through a table of its distinct cells, when they are few (choices, floors, years) and
    ``fast`` takes each (a blank '' gives None): one call per distinct cell and one pass in C, instead of
    a call per cell. None otherwise (a cell ``fast`` does not take is converted, or refused, cell by cell).
    Only text and numbers are looked up this way: a bool or a date would meet an equal float in the table."""
    if len(values) < DISTINCT_MIN_CELLS or not set(map(type, values)) <= {str, float}:
        return None
    distinct = set(values)
    if len(distinct) * DISTINCT_SHARE > len(values):
        return None
    table = {}
    for value in distinct:
        converted = None if value == "" else fast(value)
        if converted is None and value != "":
            return None
        table[value] = converted
    return list(map(table.__getitem__, values))


def column_converter(*, slow, fast=None):
    """``convert(values) -> (converted, errors)``: None for blank cells, errors by position."""
    fast = fast or (lambda value: None)
    whole = getattr(fast, "column", None)  # a rule that can vouch for a whole column at once (text_rule)
    if whole is None and isinstance(getattr(fast, "__self__", None), dict) and fast("") is None:
        whole = _looked_up(fast)  # a choice table's get (choice_rule)

    def convert(values: list) -> tuple[list, dict[int, str]]:
        if whole is not None and (out := whole(values)) is not None:
            return out, {}
        if (out := _by_distinct(values, fast)) is not None:
            return out, {}
        out = [fast(v) if v != "" else None for v in values]
        errors: dict[int, str] = {}
        for index, result in enumerate(out):
            if result is None:
                value = values[index]
                if value is None or (type(value) is str and not value.strip()):
                    continue  # blank, or only spaces
                try:
                    out[index] = slow(value)
                except CellError as exc:
                    errors[index] = str(exc)
        return out, errors

    return convert
