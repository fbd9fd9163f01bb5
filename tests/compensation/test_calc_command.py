"""`gaizao compensation check / calc`: a scheme tested before publication, from files, printing JSON."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.compensation.samples import scheme_text

CASES = [
    {"name": "张家", "option": "money", "persons": 4, "signed_on": "2026-03-10", "signing_rate": 93.5,
     "buildings": [{"number": "1", "legal_area": 120.5, "legality": "合法", "structure": "砖混", "certificate_no": "X1",
                    "unit_price": 5200, "decoration": 30000}],
     "expect": {"total": "756903.00", "items": {"relocation": "1205.00", "early_signing": "24100.00"}}},
    {"name": "李家", "option": "swap", "persons": 3, "signed_on": "2026-04-20", "signing_rate": 96, "late_months": 14,
     "buildings": [{"legal_area": 90, "legality": "legal", "unit_price": 5600, "decoration": 10000}]},
]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("compensation", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    scheme = tmp_path / "方案.toml"
    scheme.write_text(scheme_text("money"), encoding="utf-8")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(CASES, ensure_ascii=False), encoding="utf-8")
    return scheme, cases


def test_calc_prints_every_case_with_formula_inputs_and_amounts_as_json(files):
    scheme, cases = files
    data = json.loads(run("calc", "--scheme", str(scheme), "--input", str(cases), "--json"))
    first, second = data["cases"]
    assert first["total"] == "756903.00" and first["expected"] is True
    relocation = next(item for item in first["items"] if item["key"] == "relocation")
    assert relocation["formula"].startswith("legal_total * relocation_rate；产权调换 × 2")
    assert relocation["inputs"]["legal_total"] == "120.5"
    assert second["option"] == "swap" and second["swap_area"] == "90.00"
    transition = next(item for item in second["items"] if item["key"] == "transition_swap")
    assert transition["amount"] == "49140.00"  # 90 × 12 × (24 + 1.5 × 12 + 1.75 × 2)


def test_calc_as_text_says_whether_each_case_matches_what_it_expects(files):
    scheme, cases = files
    text = run("calc", "--scheme", str(scheme), "--input", str(cases))
    assert "案例 1：张家" in text and "与预期相符" in text and "合计：756903.00 元" in text


def test_a_case_that_differs_from_its_expectation_exits_2_and_says_how(files, tmp_path):
    scheme, _ = files
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([{**CASES[0], "expect": {"total": "1.00"}}], ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("compensation", "calc", "--scheme", str(scheme), "--input", str(wrong), stdout=out)
    assert caught.value.returncode == 2
    assert "合计应为 1.00，算得 756903.00" in out.getvalue()


def test_a_case_missing_a_fact_is_named_and_exits_2(files, tmp_path):
    scheme, _ = files
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps([{"name": "王家", "signed_on": "2026-03-05", "signing_rate": 90,
                                    "buildings": [{"legal_area": 80}]}], ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("compensation", "calc", "--scheme", str(scheme), "--input", str(missing), stdout=out)
    assert caught.value.returncode == 2
    assert "王家 的房屋 1 缺少" in out.getvalue() and "评估单价" in out.getvalue()


def test_a_wrong_scheme_exits_1_with_its_lines(tmp_path, files):
    _, cases = files
    scheme = tmp_path / "bad.toml"
    scheme.write_text('[scheme]\nname = "x"\n[items.a]\nlabel = "甲"\nformula = "persons * rat"\n', encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("compensation", "calc", "--scheme", str(scheme), "--input", str(cases))
    assert caught.value.returncode == 1
    assert "第 5 行［items.a.formula］" in str(caught.value)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("compensation", "check", str(scheme), "--json", stdout=out)
    assert json.loads(out.getvalue())["problems"][0]["line"] == 5


@pytest.mark.parametrize("content, message", [
    ("not json", "不是有效的 JSON"),
    ("[]", "非空的列表"),
    ('[{"persons": "四"}]', "家庭人数须为数字"),
    ('[{"colour": 1}]', "未知的字段 colour"),
])
def test_a_wrong_cases_file_is_refused_with_a_chinese_reason(files, tmp_path, content, message):
    scheme, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    out = StringIO()
    try:
        call_command("compensation", "calc", "--scheme", str(scheme), "--input", str(bad), "--json", stdout=out)
    except CommandError as exc:
        text = str(exc) + out.getvalue()
    else:
        pytest.fail("a wrong file was accepted")
    assert message in text
