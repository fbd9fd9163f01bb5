import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gaizao.core.validators import (
    PasswordClassesValidator, id_check_char, normalize_citizen_id, normalize_mobile,
)


def test_standard_example_id_is_valid():
    assert normalize_citizen_id("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize("typed", [
    "11010519491231002x",
    "１１０１０５１９４９１２３１００２Ｘ",
    " 110105 19491231 002X ",
    "110105-19491231-002X",
    "110105\u300019491231002X",
])
def test_id_accepts_full_width_spaces_and_lowercase_x(typed):
    assert normalize_citizen_id(typed) == "11010519491231002X"


@pytest.mark.parametrize("bad, message", [
    ("530102192005080119", "校验位错误：最后一位应为 X，实际为 9"),
    ("11010519491331002X", "出生日期 19491331 不是有效日期"),
    ("11010519490229002X"[:17] + id_check_char("11010519490229002"), "出生日期 19490229 不是有效日期"),
    ("1101051949123100", "应为 18 位，实际为 16 位"),
    ("11010519491231002Y", "只能由数字组成"),
    ("99010519491231002X", "行政区划代码无效"),
    ("", "不能为空"),
    ("11010529991231" + "0021", "不合理"),
])
def test_id_rejects_with_a_message_saying_what_is_wrong(bad, message):
    with pytest.raises(ValidationError) as exc:
        normalize_citizen_id(bad)
    assert message in exc.value.messages[0]


@given(
    region=st.sampled_from(["110105", "440106", "440199", "330106", "530102"]),
    birth=st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_well_formed_id_round_trips_and_any_wrong_check_digit_fails(region, birth, seq):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    good = first17 + id_check_char(first17)
    assert normalize_citizen_id(good.lower()) == good
    for wrong in "0123456789X":
        if wrong != good[-1]:
            with pytest.raises(ValidationError):
                normalize_citizen_id(first17 + wrong)


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "１３８１２３４５６７８", "+86 138-1234-5678", "8613812345678"])
def test_mobile_accepts_what_people_type(typed):
    assert normalize_mobile(typed) == "13812345678"


@pytest.mark.parametrize("bad, message", [
    ("1381234567", "应为 11 位，实际为 10 位"),
    ("12812345678", "应以 13–19 开头"),
    ("1381234567a", "只能由数字组成"),
    ("", "不能为空"),
])
def test_mobile_rejects_with_a_clear_message(bad, message):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(bad)
    assert message in exc.value.messages[0]


@pytest.mark.parametrize("password, ok", [
    ("abcdefghijk", False), ("abcdefghij1", False), ("abcdefgh1A", True), ("abcdefgh1!", True),
])
def test_password_needs_three_character_classes(password, ok):
    validator = PasswordClassesValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError, match="3 类"):
            validator.validate(password)


# Digits of other scripts (Arabic-Indic ٠–٩, Devanagari ०–९) pass str.isdigit() and \d and int() reads them,
# but NFKC leaves them as they are: taken as typed, the same number would be stored under another keyed hash.
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


@pytest.mark.parametrize("script", [_ARABIC, _DEVANAGARI])
def test_digits_of_other_scripts_are_refused_in_ids_and_phones(script):
    from gaizao.core.tabular import normalise as t
    from gaizao.core.validators import normalize_phone

    number = "110105" + "19491231002".translate(script) + "X"  # the region stays ASCII, as a forger would keep it
    with pytest.raises(ValidationError, match="只能由数字组成"):
        normalize_citizen_id(number)
    assert not t._fast_citizen_id(number) and t.citizen_id_column([number]) is None
    with pytest.raises(t.CellError, match="只能由数字组成"):
        t.to_citizen_id(number)
    mobile = "138" + "12345678".translate(script)
    for phone in (mobile, "020-" + "12345678".translate(script)):
        with pytest.raises(ValidationError):
            normalize_phone(phone)
        with pytest.raises(t.CellError):
            t.to_phone(phone)
    assert t.mobile_column([mobile]) is None
