"""Whole-column conversion (整列换算): the fast paths that take a clean column at once, or a column of few
distinct cells through a table, give exactly what converting cell by cell gives, errors included."""

from __future__ import annotations

import datetime as dt
import operator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaizao.core.tabular import normalise as t
from gaizao.core.validators import ID_CHECK_CHARS, ID_PROVINCES, ID_WEIGHTS
from gaizao.ledger.importing import headers as h
from gaizao.ledger.importing import normalise as n


def _column(key: str) -> h.Column:
    return next(c for c in h.HOUSEHOLD_COLUMNS if c.key == key)


def _cell_by_cell(slow, fast, values: list) -> tuple[list, dict[int, str]]:
    """The per-cell rule, as the converter applies it to a cell: blank is None, ``fast`` or else ``slow``."""
    out, errors = [], {}
    for index, value in enumerate(values):
        if value is None or (type(value) is str and not value.strip()):
            out.append(None)
            continue
        converted = fast(value)
        if converted is None:
            try:
                converted = slow(value)
            except t.CellError as exc:
                errors[index] = str(exc)
        out.append(converted)
    return out, errors


def _assert_same_as_cell_by_cell(key: str, values: list) -> None:
    slow, fast = n.column_rule(_column(key))
    assert n.column_converter(_column(key))(values) == _cell_by_cell(slow, fast, values)


def _citizen_id(region: str, born: dt.date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ID_CHECK_CHARS[sum(map(operator.mul, ID_WEIGHTS, map(int, body))) % 11]


_GOOD_IDS = st.builds(_citizen_id, st.sampled_from(sorted(f"{p}0102" for p in ID_PROVINCES)),
                      st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999))
_BAD_IDS = st.one_of(
    _GOOD_IDS.map(lambda good: good[:17] + ("0" if good[17] != "0" else "1")),  # the check digit wrong
    _GOOD_IDS.map(lambda good: good.lower()), _GOOD_IDS.map(lambda good: f"{good[:6]} {good[6:]}"),
    _GOOD_IDS.map(lambda good: "99" + good[2:]),  # no such province
    # digits of other scripts after the region: refused; full-width ones: folded by the cell rule
    _GOOD_IDS.map(lambda good: good[:6] + good[6:].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))),
    _GOOD_IDS.map(lambda good: good[:6] + good[6:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    st.sampled_from(["", "   ", "110105********002X", "11010519491231002", "810000199001010011",
                     "830000199001010014", "身份证", "11010520991231002X"]),
    st.just(110105194912310020.0), st.just(True), st.just(dt.date(2020, 1, 1)),
)


def _clean_or_mixed(good, bad):
    return st.one_of(st.lists(st.one_of(good, st.just("")), max_size=30),
                     st.lists(st.one_of(good, bad), max_size=30))


@given(_clean_or_mixed(_GOOD_IDS, _BAD_IDS))
def test_a_whole_id_column_converts_as_cell_by_cell(values):
    _assert_same_as_cell_by_cell("head_id_number", values)


_GOOD_MOBILES = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
_BAD_PHONES = st.one_of(st.sampled_from(["", "020-12345678", "(020) 1234 5678", "138 1234 5678", "12345678901",
                                         "138****5678", "电话", "1381234567", "138١٢٣٤٥٦٧٨", "１３８12345678"]),
                        st.just(13812345678.0), st.just(True))


@given(_clean_or_mixed(_GOOD_MOBILES, _BAD_PHONES))
def test_a_whole_phone_column_converts_as_cell_by_cell(values):
    _assert_same_as_cell_by_cell("phone", values)


_GOOD_AREAS = st.floats(0, h.MAX_AREA, allow_nan=False)
_BAD_AREAS = st.one_of(st.sampled_from(["", "120㎡", "1,234.5", "面积", "-3"]),
                       st.sampled_from([-0.5, h.MAX_AREA + 0.01, float("nan"), float("inf"), -0.0, 1e-05, 123.455]),
                       st.just(True), st.just(dt.date(2020, 1, 1)))


@given(_clean_or_mixed(_GOOD_AREAS, _BAD_AREAS))
def test_a_whole_area_column_converts_as_cell_by_cell(values):
    _assert_same_as_cell_by_cell("legal_area", values)


def test_a_clean_column_takes_the_whole_column_path_and_a_dirty_one_does_not():
    ids = ["11010519491231002X", "", "440106194001010002"]
    assert t.citizen_id_column(ids) == ["11010519491231002X", None, "440106194001010002"]
    assert t.mobile_column(["13812345678", ""]) == ["13812345678", None]
    assert t.float_column([1.005, "", 2.0], low=0, high=10, places=t.AREA_PLACES) == [
        t.Decimal("1.01"), None, t.Decimal("2.00")]
    for dirty in (ids + ["11010519491231002x"], ids + ["110105194912310021"], ["810000199001010011"], [""], []):
        assert t.citizen_id_column(dirty) is None, dirty
    assert t.mobile_column(["13812345678", "020-12345678"]) is None
    assert t.float_column([1.0, float("nan")], low=0, high=10, places=t.AREA_PLACES) is None
    assert t.float_column([1.0, 11.0], low=0, high=10, places=t.AREA_PLACES) is None


@given(st.from_regex(r"\d{17}", fullmatch=True))
def test_the_check_digit_read_in_base_13_is_the_weighted_sum(digits):
    """13 ≡ 2 (mod 11) and the weights are 2^17 … 2^1 mod 11: the fast path's one int() in C."""
    assert 2 * int(digits, 13) % 11 == sum(map(operator.mul, ID_WEIGHTS, map(int, digits))) % 11


_FEW = {
    "floors": [1.0, 2.0, 3.0, 10.0, 0.0, 3.5, 99.0, "3层", "", " ", "三层", True, dt.date(2020, 1, 1), -0.0],
    "build_year": [1998.0, 2001.0, 1899.0, 2999.0, "1998年", "", "1998.05", True],
    "structure": ["砖混", "框架", "钢混", "砖木", "", "不知道", "砖 混", 1.0, True],
    "legality": ["合法", "违法", "未超期临时", "", "待认定", "合法建筑", "不合法", 0.0],
}


# the structures' list is the office's (ledger.known, read from the database): nothing here writes to it
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(_FEW)).flatmap(
    lambda key: st.tuples(st.just(key), st.lists(st.sampled_from(_FEW[key]), min_size=t.DISTINCT_MIN_CELLS,
                                                 max_size=t.DISTINCT_MIN_CELLS + 40))))
def test_a_column_of_few_distinct_cells_converts_as_cell_by_cell(db, case):
    key, values = case
    _assert_same_as_cell_by_cell(key, values)


def test_a_column_of_few_distinct_clean_cells_is_converted_through_their_table():
    calls = []
    slow, fast = n.column_rule(_column("floors"))

    def counted(value):
        calls.append(value)
        return fast(value)

    values = [1.0, 2.0, "", 3.0] * 100
    assert t.column_converter(slow=slow, fast=counted)(values) == ([1, 2, None, 3] * 100, {})
    assert sorted(calls) == [1.0, 2.0, 3.0]  # once per distinct cell, not once per cell
