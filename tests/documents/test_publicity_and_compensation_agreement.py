"""The two kinds compensation brings: the publicity (公示) and the compensation agreement (补偿协议). Their context
keys come out where they belong; the agreement takes exactly the keys the agreements area renders it with. (The
layout every kind shares — A4, margins, grid, fonts, page numbers — is tests/documents/test_docx_layout.py's.)"""

from __future__ import annotations


import pytest

from gaizao.documents import docx
from tests.documents.helpers import a4_pages, alignment, east_asia_font, font_size_pt, open_docx, paragraph_with


def _render(kind, **changes):
    context = docx.sample_context(kind)
    context.update(changes)
    return open_docx(docx.render_default(kind, context))


def test_both_kinds_are_offered_with_their_labels():
    assert str(docx.KINDS["publicity"]) == "公示"
    assert str(docx.KINDS["compensation_agreement"]) == "补偿协议"


def test_the_publicity_prints_its_number_period_tables_in_wuhao_and_the_answers():
    context = docx.sample_context("publicity")
    document = open_docx(docx.render_default("publicity", context))
    assert alignment(document, paragraph_with(document, context["number"])) == "right"
    period = paragraph_with(document, "（公示期：2026年12月7日至2026年12月13日）")
    assert alignment(document, period) == "center"
    main, details = document.tables
    assert [c.text for c in main.rows[0].cells] == context["tables"][0]["header"]
    assert [c.text for c in details.rows[-1].cells] == context["tables"][1]["rows"][-1]
    assert font_size_pt(document, main.rows[1].cells[1].paragraphs[0]) == 10.5
    assert main.rows[0]._tr.trPr is not None  # the header row repeats on every page
    heading = paragraph_with(document, "二、异议的答复")
    assert east_asia_font(document, heading) == "黑体"
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.index("东湖村一期分户补偿情况表") < text.index("一、异议的提出") < text.index("东湖街道办事处")


def test_the_publicity_takes_tables_of_any_width():
    header = [f"项目{i}" for i in range(9)]
    document = _render("publicity", tables=[{"caption": "宽表", "header": header, "rows": [[str(i) for i in range(9)]]}])
    assert [c.text for c in document.tables[0].rows[0].cells] == header


AGREEMENT_KEYS = {"issuer", "number", "title", "parties", "sections", "tables", "conditions", "signatures",
                  "signed_on", "order_no"}


def test_the_agreement_sample_uses_the_agreed_keys_and_only_the_two_common_extras():
    assert set(docx.sample_context("compensation_agreement")) - AGREEMENT_KEYS == {"paragraphs", "attachments"}


def test_the_agreement_prints_every_key_where_it_belongs():
    context = docx.sample_context("compensation_agreement")
    document = open_docx(docx.render_default("compensation_agreement", context))
    numbers = paragraph_with(document, "协议编号：DH一期-补-0001")
    assert "签约顺序号：1" in numbers.text and alignment(document, numbers) == "right"
    for party in context["parties"]:
        line = paragraph_with(document, party["role"] + "：")
        assert line.text == party["role"] + "：" + party["name"]
        assert east_asia_font(document, line) == "黑体" and line.runs[0].text == party["role"] + "："  # the role in 黑体
    for section in context["sections"]:
        assert east_asia_font(document, paragraph_with(document, section["heading"])) == "黑体"
        assert paragraph_with(document, section["paragraphs"][0][:15])
    assert paragraph_with(document, "补偿明细")
    amounts = next(t for t in document.tables if t.rows[0].cells[0].text == "项目")
    assert [c.text for c in amounts.rows[-1].cells] == ["合计", "", "656,725.00"]
    assert paragraph_with(document, "东湖村一期签约率达到93%时生效")
    signing = document.tables[-1]
    assert [c.text.split("：")[0] for c in signing.rows[0].cells] == ["甲方（盖章）", "乙方（签字）"]
    assert "李四" in signing.rows[0].cells[1].text
    assert paragraph_with(document, "签约日期：2026年12月20日")


def test_the_agreement_without_numbers_or_date_leaves_their_lines_out():
    document = _render("compensation_agreement", number="", order_no="", signed_on="")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "协议编号" not in text and "签约顺序号" not in text and "签约日期" not in text
    document = _render("compensation_agreement", number="", order_no="12")
    assert paragraph_with(document, "签约顺序号：12").text == "签约顺序号：12"


@pytest.mark.parametrize("kind", ["publicity", "compensation_agreement"])
def test_libreoffice_prints_them_on_a4(tmp_path, kind):
    assert 1 <= a4_pages(docx.render_default(kind, docx.sample_context(kind)), tmp_path, kind) <= 3
