"""The bulletin's DOCX read back from the file: GB/T 9704 — A4, the official margins, the red 发文机关标志 and
line over the 发文字号, 小标宋 二号 title, 仿宋 三号 body on fixed lines, 黑体 headings, the ranking as a table
in 小四, page numbers in both footers; and LibreOffice prints it on A4 pages."""

from __future__ import annotations

import datetime as dt

import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from gaizao.core.actors import SYSTEM
from gaizao.oversight.bulletin_doc import bulletin_docx
from gaizao.oversight.services.bulletins import bulletin_generate
from tests.documents.helpers import (a4_pages, alignment, bottom_border, color, east_asia_font, font_size_pt,
                                     line_spacing, open_docx, paragraph_with)
from tests.oversight.samples_bulletins import WEEK, bulletin_world


@pytest.fixture
def data(cast):
    bulletin_world(cast)
    bulletin, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=dt.date(2026, 11, 27))
    return bulletin_docx(bulletin.data)


def _near(length, mm: float) -> bool:
    return abs(length - Mm(mm)) <= Mm(0.1)


def test_the_bulletin_is_a4_with_the_official_margins(data):
    section = open_docx(data).sections[0]
    assert _near(section.page_width, 210) and _near(section.page_height, 297)
    assert _near(section.top_margin, 37) and _near(section.bottom_margin, 35)
    assert _near(section.left_margin, 28) and _near(section.right_margin, 26)
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "linesAndChars"


def test_the_red_head_the_number_and_the_red_line(data):
    document = open_docx(data)
    mark = paragraph_with(document, "城中村改造工作领导小组办公室文件")
    assert color(document, mark) == "FF0000" and east_asia_font(document, mark) == "方正小标宋简体"
    assert alignment(document, mark) == "center"
    number = paragraph_with(document, "改造办通〔2026〕47号")
    assert alignment(document, number) == "center"
    line = bottom_border(document, number)
    assert line["color"] == "FF0000" and line["val"] == "single"


def test_title_xiaobiaosong_22pt_body_fangsong_16pt_headings_heiti(data):
    document = open_docx(data)
    title = paragraph_with(document, "城中村改造攻坚专项行动工作通报（2026年第47期）")
    assert east_asia_font(document, title) == "方正小标宋简体" and font_size_pt(document, title) == 22
    assert alignment(document, title) == "center"
    body = paragraph_with(document, "亮红灯的街道：西岭街道")
    assert east_asia_font(document, body) == "仿宋_GB2312" and font_size_pt(document, body) == 16
    assert line_spacing(document, body) == ("exact", 579)
    heading = paragraph_with(document, "二、考核排名及红黑榜")
    assert east_asia_font(document, heading) == "黑体" and font_size_pt(document, heading) == 16


def test_the_ranking_is_a_table_in_xiaosi_under_its_caption(data):
    document = open_docx(data)
    ranking = next(t for t in document.tables if t.rows[0].cells[0].text == "名次")
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "单位", "总分", "等次", "榜单"]
    assert [c.text for c in ranking.rows[2].cells] == ["2", "西岭街道", "55.00", "不合格", "黑榜"]
    cell = ranking.rows[1].cells[1].paragraphs[0]
    assert font_size_pt(document, cell) == 12
    caption = paragraph_with(document, "街道考核排名（2026-10）")
    assert east_asia_font(document, caption) == "黑体" and caption.paragraph_format.keep_with_next


def test_pages_are_numbered_in_both_footers(data):
    section = open_docx(data).sections[0]
    for footer in (section.footer, section.even_page_footer):
        paragraph = footer.paragraphs[0]
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")


def test_libreoffice_prints_the_bulletin_on_a4_pages(data, tmp_path):
    assert 2 <= a4_pages(data, tmp_path, "bulletin") <= 6
