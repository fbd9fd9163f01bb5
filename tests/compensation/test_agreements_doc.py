"""The agreement as 公文 DOCX (补偿协议): the contents 条例 §25 lists, the effectiveness condition, the signing date
and order number, read from the frozen row, so that later changes to the scheme or calculation print nothing new."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

from gaizao.compensation.agreement_doc import agreement_context, agreement_docx, cn_money, effectiveness_condition
from gaizao.compensation.choices import Option
from gaizao.compensation.models import Agreement, Calculation, Scheme
from gaizao.compensation.services.agreements import agreement_generate, agreement_sign
from tests.compensation.samples_agreements import calculation
from tests.compensation.test_agreements import days, period, valued


def text_of(data: bytes) -> str:
    """The words of a DOCX (its body's runs joined), for comparing what it says."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))


def _signed_swap(cast) -> Agreement:
    period(cast.project_a, days(-10), days(10))
    valued(cast, cast.household_a1)
    calculation(cast.household_a1, option=Option.SWAP, swap_area=Decimal("126.00"))
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1, swap_flat="东湖安置区3栋2单元1502室",
                                   move_deadline=days(40))
    agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(-1))
    return Agreement.objects.select_related("household", "project").get(pk=agreement.pk)


def test_amounts_in_capitals():
    assert cn_money("694509.00") == "陆拾玖万肆仟伍佰零玖元整"
    assert cn_money("100005") == "壹拾万零伍元整"
    assert cn_money("1010.10") == "壹仟零壹拾元壹角整"
    assert cn_money("12.05") == "壹拾贰元零伍分"
    assert cn_money("0") == "零元整"


def test_the_condition_prints_the_projects_signing_period_and_threshold(cast):
    project = period(cast.project_a, days(-10), days(10))
    start, end = days(-10), days(10)
    assert effectiveness_condition(project) == (
        f"本协议自本项目签约期（{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日）内"
        "签约户数达到征收范围内总户数的90%时生效；未达到的，本协议不生效。")


def test_the_context_holds_what_section_25_lists(cast):
    agreement = _signed_swap(cast)
    context = agreement_context(agreement)
    assert context["number"] == "P001-XY-0001" and context["order_no"] == "1"
    assert context["signed_on"] == f"{days(-1).year}年{days(-1).month}月{days(-1).day}日"
    assert [p["role"] for p in context["parties"]] == ["甲方（房屋征收部门）", "乙方（被征收人）"]
    words = " ".join(p for s in context["sections"] for p in s["paragraphs"])
    assert "产权调换" in words and "东湖安置区3栋2单元1502室" in words and "126.00平方米" in words
    assert "搬迁费人民币1,205.00元" in words and "临时安置费（过渡费）人民币34,704.00元" in words
    assert "过渡期限为24个月" in words and "陆拾玖万肆仟伍佰零玖元整" in words
    assert "15日内" in words  # the payment terms
    assert [s["heading"][:2] for s in context["sections"]][:3] == ["一、", "二、", "三、"]
    rows = context["tables"][0]["rows"]
    assert rows[0][1] == "房屋价值补偿" and rows[0][3] == "656,600.00" and rows[-1][3] == "694,509.00"
    assert context["conditions"] == [effectiveness_condition(agreement.project)]


def test_the_docx_renders_the_agreement_and_never_changes_after_signing(cast):
    agreement = _signed_swap(cast)
    before = text_of(agreement_docx(agreement))
    for words in ("P001-XY-0001", "东湖村一期房屋征收补偿协议", "李四", "694,509.00", "签约期", "东湖安置区3栋2单元1502室"):
        assert words in before, words
    Scheme.objects.filter(project=cast.project_a).update(name="第二版方案", text="[scheme]\n")
    Calculation.objects.filter(pk=agreement.calculation_id).update(total=Decimal("1.00"), items=[])
    calculation(cast.household_a1, option=Option.SWAP, total=Decimal("999999.00"), items=[])
    again = Agreement.objects.select_related("household", "project").get(pk=agreement.pk)
    assert text_of(agreement_docx(again)) == before


def test_the_parties_and_the_condition_print_as_they_stood_when_the_agreement_was_made(cast):
    agreement = _signed_swap(cast)
    before = text_of(agreement_docx(agreement))
    # the project renamed, its threshold and period changed, the head of household renamed, afterwards
    type(cast.project_a).objects.filter(pk=cast.project_a.pk).update(name="改名后的项目", signing_threshold=Decimal("95"),
                                                                     signing_end=days(30))
    type(cast.household_a1).objects.filter(pk=cast.household_a1.pk).update(head_name="王改名", address="新地址")
    again = Agreement.objects.select_related("household", "project").get(pk=agreement.pk)
    after = text_of(agreement_docx(again))
    assert after == before
    assert "改名后的项目" not in after and "王改名" not in after and "95%" not in after
    assert again.parties["head_name"] == "李四" and "签约期" in again.parties["condition"]



def test_each_line_prints_its_method_in_the_numbers_the_calculation_used():
    from gaizao.compensation.agreement_doc import method

    assert method({"formula": "legal_area * unit_price + decoration",
                   "inputs": {"legal_area": "120.50", "unit_price": "5200", "decoration": "30000"}}) == \
        "120.50 × 5200 + 30000"
    assert method({"formula": "max(persons * 30, legal_total)", "inputs": {"persons": "3", "legal_total": "120.50"}}) \
        == "较大值(3 × 30, 120.50)"
    assert method({"formula": "legal_area * unit_price", "inputs": {}, "buildings": [{}, {}]}) == "逐栋计算，共2栋"
    assert method({"formula": "a * b", "inputs": {"a": "1"}}) == ""
