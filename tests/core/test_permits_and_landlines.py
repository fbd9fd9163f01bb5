"""Numbers as people have them (issue 10, item 7): residence permits of Hong Kong, Macao and Taiwan
residents where a citizen ID is asked, landlines where a phone is asked; each refusal says which
rule and what is accepted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.tabular import normalise as t
from gaizao.core.validators import (
    LANDLINE, PERMIT_REGIONS, id_check_char, is_landline, is_residence_permit, normalize_citizen_id,
    normalize_landline, normalize_phone,
)


def permit(region: str = "810000", birth: str = "19900101", seq: int = 123) -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_char(first17)


# --- residence permits (港澳台居民居住证) -----------------------------------------------------------

@pytest.mark.parametrize("region", sorted(PERMIT_REGIONS))
def test_each_regions_permit_is_accepted_as_a_citizen_id(region):
    number = permit(region)
    assert normalize_citizen_id(number) == number
    assert is_residence_permit(number) and not is_residence_permit("11010519491231002X")


def test_a_permit_is_typed_as_an_id_is():
    number = permit("830000", seq=5)
    typed = " ".join([number[:6], number[6:14], number[14:]]).translate(
        {ord(c): 0xFF10 + int(c) for c in "0123456789"})
    assert normalize_citizen_id(typed.lower()) == number


@given(
    region=st.sampled_from(sorted(PERMIT_REGIONS)),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_permit_round_trips_and_any_wrong_check_digit_fails(region, birth, seq):
    good = permit(region, f"{birth:%Y%m%d}", seq)
    assert normalize_citizen_id(good.lower()) == good
    assert t._fast_citizen_id(good)
    for wrong in "0123456789X":
        if wrong != good[-1]:
            with pytest.raises(ValidationError, match="港澳台居民居住证号码校验位错误"):
                normalize_citizen_id(good[:17] + wrong)
            assert not t._fast_citizen_id(good[:17] + wrong)


@pytest.mark.parametrize("region, message", [
    ("811234", "以 81 开头的是香港居民居住证号码，前 6 位应为 810000，实际为 811234"),
    ("820100", "以 82 开头的是澳门居民居住证号码，前 6 位应为 820000，实际为 820100"),
    ("830001", "以 83 开头的是台湾居民居住证号码，前 6 位应为 830000，实际为 830001"),
    ("710000", "行政区划代码无效（省级代码 71 不存在）"),  # Taiwan's GB/T 2260 code is not on permits
    ("840000", "行政区划代码无效（省级代码 84 不存在）"),
])
def test_a_permit_with_a_wrong_region_part_names_the_rule(region, message):
    number = permit(region)  # a right check digit: the region is what is wrong
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id(number)
    assert message in exc.value.messages[0]
    assert not t._fast_citizen_id(number)
    with pytest.raises(t.CellError, match=re.escape(message)):
        t.to_citizen_id(number)


@pytest.mark.parametrize("number, message", [
    (permit("820000", birth="19901301"), "港澳台居民居住证号码中的出生日期 19901301 不是有效日期"),
    (permit("830000", birth="29990101"), "港澳台居民居住证号码中的出生日期 2999-01-01 不合理"),
    (permit("810000")[:17] + ("0" if permit("810000")[17] != "0" else "1"), "港澳台居民居住证号码校验位错误"),
])
def test_a_permits_birth_date_and_check_digit_are_checked(number, message):
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id(number)
    assert message in exc.value.messages[0]


def test_a_citizen_ids_messages_still_say_citizen_id():
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id("530102192005080119")
    assert exc.value.messages[0].startswith("身份证号校验位错误")


def test_a_permit_is_masked_as_an_id_is():
    number = permit("830000", seq=7)
    assert mask_citizen_id(number) == "830000********" + number[-4:]


def test_the_import_takes_a_permit_on_its_fast_path():
    number = permit("820000")
    assert t.to_citizen_id(number) == number and t._fast_citizen_id(number)


# --- landlines (固定电话) ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("020-12345678", "020-12345678"),
    ("02012345678", "020-12345678"),
    ("(020)12345678", "020-12345678"),
    ("（020）1234 5678", "020-12345678"),
    ("０２０－１２３４５６７８", "020-12345678"),
    ("010 8765 4321", "010-87654321"),
    ("0755-1234567", "0755-1234567"),
    ("07551234567", "0755-1234567"),
    ("075512345678", "0755-12345678"),
    ("0571 - 8888 6666", "0571-88886666"),
    ("010-12345678-801", "010-12345678-801"),
    ("010-12345678 转 801", "010-12345678-801"),
    ("02012345678-801", "020-12345678-801"),
    ("020 1234 5678", "020-12345678"),
    ("0755 123 4567", "0755-1234567"),
    ("010-1234567-8", "010-1234567-8"),
    ("02012345678 分机 12", "020-12345678-12"),
    ("0755-1234567 ext. 9", "0755-1234567-9"),
])
def test_landlines_as_people_write_them(typed, stored):
    assert normalize_phone(typed) == stored
    assert normalize_landline(typed) == stored
    assert is_landline(stored)


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "8613812345678"])
def test_mobiles_stay_as_they_were(typed):
    assert normalize_phone(typed) == "13812345678"
    assert not is_landline("13812345678")


@pytest.mark.parametrize("bad, message", [
    ("0201-2345678", "固定电话区号 0201 不存在：区号为 010、020–029，或 0 开头的四位数字（如 0755）"),
    ("075-51234567", "固定电话区号 075 不存在"),
    ("0012345678", "固定电话区号 0012 不存在"),
    ("020-123456", "固定电话号码（区号 020 之后）应为 7–8 位，实际为 6 位"),
    ("0755-123456789", "固定电话号码（区号 0755 之后）应为 7–8 位，实际为 9 位"),
    ("020-12345678-1234567", "分机号最多 6 位，实际为 7 位"),
    ("020-1234567a", "固定电话只能由区号、号码和“-”、空格、括号组成"),
    ("82345678", "固定电话须带区号（如 020-82345678）"),
    ("23800001111", "联系电话应为手机号（11 位，以 13–19 开头）或带区号的固定电话（如 020-12345678、0755-1234567"),
    ("电话", "联系电话应为手机号"),
    ("1381234567", "手机号应为 11 位，实际为 10 位"),
    ("  ", "联系电话不能为空"),
])
def test_a_bad_phone_says_what_is_wrong_and_what_is_accepted(bad, message):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(bad)
    assert message in exc.value.messages[0]


@given(area=st.sampled_from(["010", "020", "029", "0755", "0571", "0931"]),
       number=st.from_regex(r"[0-9]{7,8}", fullmatch=True),
       extension=st.one_of(st.none(), st.from_regex(r"[0-9]{1,6}", fullmatch=True)),
       style=st.sampled_from(["{a}-{n}", "{a}{n}", "({a}){n}", "{a} {n}", "（{a}）{n}"]))
def test_any_landline_round_trips_in_any_spelling(area, number, extension, style):
    stored = f"{area}-{number}" + (f"-{extension}" if extension else "")
    typed = style.format(a=area, n=number) + (f" 转 {extension}" if extension else "")
    assert normalize_phone(typed) == stored == normalize_phone(stored)
    assert LANDLINE.fullmatch(stored)


@given(st.text(max_size=30))
def test_any_text_is_a_stored_phone_or_a_chinese_refusal(text):
    try:
        stored = normalize_phone(text)
    except ValidationError as exc:
        assert re.search(r"[\u4e00-\u9fff]", exc.messages[0])
    else:
        assert LANDLINE.fullmatch(stored) or re.fullmatch(r"1[3-9]\d{9}", stored)
        assert normalize_phone(stored) == stored


@given(st.from_regex(r"0[0-9]{2,3}[- ()]{0,2}[0-9]{5,10}(?:[- ][0-9]{1,7})?", fullmatch=True))
def test_what_looks_like_a_landline_is_stored_once_or_refused_in_chinese(text):
    try:
        stored = normalize_phone(text)
    except ValidationError as exc:
        assert "固定电话" in exc.messages[0] or "分机" in exc.messages[0]
    else:
        assert LANDLINE.fullmatch(stored) and normalize_phone(stored) == stored


@pytest.mark.parametrize("stored, masked", [
    ("020-12345678", "020-****5678"),
    ("0755-1234567", "0755-***4567"),
    ("0755-12345678", "0755-****5678"),
    ("010-12345678-801", "010-****5678-***"),
    ("13812345678", "138****5678"),
])
def test_a_landline_keeps_its_area_code_and_last_four(stored, masked):
    assert mask_phone(stored) == masked


@given(area=st.sampled_from(["010", "020", "0755"]), number=st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True))
def test_a_masked_landline_never_shows_the_middle_digits(area, number):
    masked = mask_phone(f"{area}-{number}")
    assert masked.startswith(f"{area}-") and masked.endswith(number[-4:])
    assert masked.count("*") == len(number) - 4


# --- the import's cell rule ------------------------------------------------------------------------

def test_the_import_takes_a_landline_as_typed():
    assert t.to_phone("(0755) 1234 5678") == "0755-12345678"
    assert t.to_phone("020-12345678") == "020-12345678"


def test_a_landline_typed_as_a_number_lost_its_zero():
    with pytest.raises(t.CellError, match="开头的 0 已经丢失"):
        t.to_phone(2012345678.0)
    assert t.to_phone(13812345678.0) == "13812345678"


def test_a_masked_landline_keeps_its_dash_and_a_masked_mobile_loses_them():
    assert t.to_phone("020-****5678") == "020-****5678" and isinstance(t.to_phone("020-****5678"), t.Masked)
    assert t.to_phone("138-****-5678") == "138****5678"


def test_a_bad_landline_in_a_cell_says_why():
    with pytest.raises(t.CellError, match="区号 0201 不存在"):
        t.to_phone("0201-2345678")


def test_the_audit_masks_a_long_landline_as_a_phone():
    from gaizao.core.audit import mask_sensitive

    assert mask_sensitive("0755-12345678-1234") == "0755-****5678-****"
    assert mask_sensitive(permit("830000")) == mask_citizen_id(permit("830000"))
