import pytest

from gaizao.core.masking import mask_citizen_id, mask_name, mask_phone


def test_citizen_id_keeps_region_and_last_four():
    assert mask_citizen_id("11010519491231002X") == "110105********002X"


def test_phone_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("name, masked", [("张三丰", "张*丰"), ("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("张", "张"), ("", "")])
def test_names_on_public_pages_keep_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_empty_values_stay_empty():
    assert mask_citizen_id(None) == "" and mask_phone("") == ""
