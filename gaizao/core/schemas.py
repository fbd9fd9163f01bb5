"""Integers the database can hold (整数取值范围), for every API input: ids, versions, counts.

A number outside its column's range used to reach the database and fail there (OverflowError on
SQLite, "integer out of range" on PostgreSQL): a 500. Typed with these, it is refused before the
view runs, with 422 and the field named. The ranges are PostgreSQL's, which is stricter than
SQLite's 64 bits, so both databases accept and refuse the same values.

These bounds are what can be stored; what a value means (层数 at most 200, 计划年度 2000–2100 …)
stays with the services, which answer 400 with a Chinese message naming the field.

    village_id: Id                      # a path parameter
    street: Id | None = Field(None, description="街道 id")
"""

from __future__ import annotations

from typing import Annotated

from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import Field

_RANGES = BaseDatabaseOperations.integer_field_ranges  # PostgreSQL's (SQLite accepts 64 bits for all)

ID_MAX = _RANGES["BigAutoField"][1]  # 2**63 - 1: every primary key is a BigAutoField
INT32_MIN, INT32_MAX = _RANGES["IntegerField"]  # integer
SMALL_MAX = _RANGES["PositiveSmallIntegerField"][1]  # smallint: 32767

Id = Annotated[int, Field(ge=1, le=ID_MAX)]
"""The id of an object (primary key or foreign key)."""

Cursor = Annotated[int, Field(ge=0, le=ID_MAX)]
"""``after`` in keyset pagination: the last id of the previous page (0 is before the first)."""

Int32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
"""An IntegerField."""

PositiveInt32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A PositiveIntegerField (population, 应征询户数 …)."""

PositiveSmallInt = Annotated[int, Field(ge=0, le=SMALL_MAX)]
"""A PositiveSmallIntegerField (批次, 期次, 计划年度, 层数, 建成年份, 家庭人数)."""

Version = PositiveInt32
"""The ``version`` a client read (optimistic locking, a PositiveIntegerField); a stale one is 409."""



def column_range(field) -> tuple[int, int]:
    """The values a model's integer field can store on every database we run on (PostgreSQL's)."""
    return _RANGES.get(field.get_internal_type(), _RANGES["BigIntegerField"])


BIG_MIN, BIG_MAX = _RANGES["BigIntegerField"]
"""What no column, and no lookup, can go beyond: the bound a form's IntegerField gets when it
names none (core.forms.bound_integers), so that 2**70 is a form error, never an OverflowError."""
