"""The small helpers every service shares: reading a date it was given, loading a row within scope."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import load_scoped, parse_date
from gaizao.org.models import OrgUnit


@pytest.mark.parametrize("given, day", [("2026-12-31", dt.date(2026, 12, 31)), (" 2026-03-02 ", dt.date(2026, 3, 2)),
                                        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
                                        (dt.datetime(2026, 1, 5, 23, 30), dt.date(2026, 1, 5))])
def test_a_date_is_read_from_text_a_date_or_a_datetime(given, day):
    assert parse_date(given, field="held_on", label="会议日期") == day


@pytest.mark.parametrize("given", ["2026-13-01", "明天", "", None, 2026])
def test_a_bad_date_is_refused_naming_the_field_and_its_label(given):
    with pytest.raises(AppError) as caught:
        parse_date(given, field="deadline", label="整改期限")
    assert caught.value.fields == {"deadline": "不是有效日期"} and "整改期限" in caught.value.message


def test_a_row_out_of_scope_is_404_and_the_system_reaches_every_row(cast):
    def own_units(user):
        return OrgUnit.objects.filter(memberships__user=user)

    qs = OrgUnit.objects.all()
    assert load_scoped(cast.street_user_a, qs, cast.street_a, own_units) == cast.street_a
    with pytest.raises(NotFound, match="街道不存在"):
        load_scoped(cast.street_user_a, qs, cast.street_b.pk, own_units, missing="街道不存在或无权操作。")
    with pytest.raises(NotFound):
        load_scoped(cast.street_user_a, qs, "not-a-number", own_units)
    assert load_scoped(SYSTEM, qs, cast.street_b, own_units) == cast.street_b
