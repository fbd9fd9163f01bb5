"""The ledger's value rules (台账取值规则): each column kind of headers.py to the value its field takes.

The cell helpers themselves (full-width digits, quotes, IDs, phones, dates, numbers with units)
are the tabular reader's (``gaizao.core.tabular.normalise``), shared with every import; what is
the ledger's own is here: areas per building, build years, the plausibility limits of headers.py,
and one converter per column kind, with a fast path for clean cells (100,000 rows in one pass).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gaizao.core.tabular import normalise as t
from gaizao.core.tabular.normalise import (  # noqa: F401 — the ledger's modules and tests read them from here
    AREA_PLACES, CellError, Masked, _fast_citizen_id, as_text, fold, from_serial, to_citizen_id, to_code, to_date,
    to_integer, to_name, to_phone, unquote,
)
from gaizao.ledger import known
from gaizao.ledger.choices import KnownList
from gaizao.ledger.importing import headers as h

# The columns whose values the office may extend (可选值), by the list they read.
EXTENDABLE = {"structure": KnownList.STRUCTURE, "use": KnownList.USE}


def choice_table(column: h.Column) -> dict[str, str]:
    """Label, stored value and aliases of a choice column, folded, mapped to the stored value."""
    return t.choice_table(column.choices, column.aliases)


def to_area(value: object) -> Decimal:
    """Square metres with two places (half up), 0..MAX_AREA; units and thousands separators allowed."""
    if type(value) is float and math.isfinite(value):
        area = Decimal(repr(value))
    else:
        area = t.parse_number(value, what=_("面积"))
    if area < 0:
        raise CellError(_("面积不能为负数（%(v)s）。") % {"v": area})
    if area > h.MAX_AREA:
        raise CellError(_("面积 %(v)s ㎡ 不合理：单栋房屋不超过 %(max)s ㎡，请核对单位（应为平方米）。")
                        % {"v": area, "max": f"{h.MAX_AREA:,}"})
    return area.quantize(AREA_PLACES, rounding=ROUND_HALF_UP)


def to_year(value: object, *, today: dt.date | None = None) -> int:
    """A build year (建成年份): 2001, "2001年", "2001.05", a date, or an Excel serial date (then its year)."""
    return t.to_year(value, low=h.MIN_BUILD_YEAR, what=_("建成年份"), today=today)


def column_converter(column: h.Column, *, max_length: int | None = None):
    """``convert(values) -> (converted, errors)`` for a ledger column: None for blank cells, errors by position."""
    slow, fast = column_rule(column, max_length=max_length)
    return t.column_converter(slow=slow, fast=fast)


def column_rule(column: h.Column, *, max_length: int | None = None):
    """``(slow, fast)`` for a ledger column: ``fast`` takes a clean cell (None otherwise), ``slow`` any cell
    or says what is wrong; ``fast.column``, where there is one, takes a whole clean column at once."""
    kind = column.kind

    if kind == h.CHOICE and column.key in EXTENDABLE:
        # Structures and uses: the built-in values and those the office added (ledger.known).
        slow, fast = t.choice_rule(*known.import_rule(EXTENDABLE[column.key], column.aliases))
    elif kind == h.CHOICE:
        slow, fast = t.choice_rule(column.choices, column.aliases)
    elif kind == h.INTEGER:
        low, high = (1, h.MAX_FLOORS) if column.key == "floors" else (1, h.MAX_MEMBERS)

        def slow(value):
            return to_integer(value, low=low, high=high, what=column.header)

        def fast(value):
            return int(value) if type(value) is float and value.is_integer() and low <= value <= high else None
    elif kind == h.YEAR:
        this_year = dt.date.today().year

        def slow(value):
            return to_year(value)

        def fast(value):
            return (int(value) if type(value) is float and value.is_integer() and h.MIN_BUILD_YEAR <= value <= this_year
                    else None)
    elif kind == h.AREA:
        slow = to_area

        def fast(value):
            if type(value) is float and 0 <= value <= h.MAX_AREA:
                return Decimal(repr(value)).quantize(AREA_PLACES, rounding=ROUND_HALF_UP)
            return None

        def column(values):
            return t.float_column(values, low=0, high=h.MAX_AREA, places=AREA_PLACES)

        fast.column = column
    elif kind == h.CITIZEN_ID:
        slow = to_citizen_id

        def fast(value):
            return value if type(value) is str and _fast_citizen_id(value) else None

        fast.column = t.citizen_id_column
    elif kind == h.PHONE:
        slow = to_phone

        def fast(value):
            # A mobile first, as before (nearly every cell); a landline already in its stored form
            # (020-12345678) is clean too; anything else goes to to_phone.
            if type(value) is not str:
                return None
            if len(value) == 11 and t.MOBILE_SHAPE.fullmatch(value):
                return value
            return value if t.LANDLINE_SHAPE.fullmatch(value) else None

        fast.column = t.mobile_column
    else:
        base = {h.CODE: to_code, h.NAME: to_name, h.TEXT: as_text}[kind]
        slow, fast = t.text_rule(base, label=str(column.header), max_length=max_length)
    return slow, fast
