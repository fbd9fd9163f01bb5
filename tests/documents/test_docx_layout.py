"""Each kind of 公文, rendered with its sample data, read back with python-docx: the GB/T 9704-2012 layout.

A4, the four margins, a 22 × 28 grid with a fixed line spacing, 小标宋 二号 title, 仿宋 三号 body, the
red 发文机关标志 and separator line, the PAGE field in both footers; lists of any length; Chinese and
markup characters as they were given.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from statistics import median

import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from gaizao.documents import build_templates, docx
from tests.documents.helpers import (
    a4_pages, alignment, bottom_border, color, east_asia_font, font_size_pt, line_spacing, open_docx, paragraph_with,
)

KINDS = list(docx.KINDS)


def _render(kind, **changes):
    context = docx.sample_context(kind)
    context.update(changes)
    return open_docx(docx.render_default(kind, context))


def _near(length, mm: float) -> bool:
    return abs(length - Mm(mm)) <= Mm(0.1)


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_is_a4_with_the_official_margins_and_a_22_by_28_grid(kind):
    document = _render(kind)
    section = document.sections[0]
    assert _near(section.page_width, 210) and _near(section.page_height, 297)
    assert _near(section.top_margin, 37) and _near(section.bottom_margin, 35)
    assert _near(section.left_margin, 28) and _near(section.right_margin, 26)
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert _near(text_width, 156) and _near(text_height, 225)  # 版心
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch"))) / 20  # points
    assert pitch == pytest.approx(28.95, abs=0.05) and int(225 / 25.4 * 72 / pitch) == 22
    # characters: 16 pt plus charSpace/4096 pt each; 28 of them fill the 156 mm line
    char_pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert round(156 / 25.4 * 72 / char_pitch) == 28


@pytest.mark.parametrize("kind", KINDS)
def test_the_title_is_xiaobiaosong_22pt_centred_and_the_body_fangsong_16pt_fixed_lines(kind):
    context = docx.sample_context(kind)
    document = open_docx(docx.render_default(kind, context))
    title = paragraph_with(document, context["title"])
    assert east_asia_font(document, title) == "方正小标宋简体"
    assert font_size_pt(document, title) == 22
    assert alignment(document, title) == "center"
    body_text = context["paragraphs"][0][:20]
    body = paragraph_with(document, body_text)
    assert east_asia_font(document, body) == "仿宋_GB2312"
    assert font_size_pt(document, body) == 16
    assert alignment(document, body) == "both"  # justified
    assert line_spacing(document, body) == ("exact", 579)  # 28.95 pt


def test_the_fangsong_font_falls_back_to_fangsong_where_gb2312_is_missing():
    with zipfile.ZipFile(docx.DEFAULTS / "notice.docx") as archive:
        fonts = archive.read("word/fontTable.xml").decode()
    assert re.search(r'<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)


def test_headings_are_heiti_then_kaiti():
    document = _render("report_digest")
    level_1 = paragraph_with(document, "一、东湖街道")
    assert east_asia_font(document, level_1) == "黑体" and font_size_pt(document, level_1) == 16
    level_2 = paragraph_with(document, "（一）已完成工作")
    assert east_asia_font(document, level_2) == "楷体_GB2312"
    notice = _render("notice")
    assert east_asia_font(notice, paragraph_with(notice, "一、压实工作责任")) == "黑体"


@pytest.mark.parametrize("kind", ["notice", "supervision"])
def test_the_issuer_mark_is_red_xiaobiaosong_with_the_number_centred_over_a_red_line(kind):
    context = docx.sample_context(kind)
    document = open_docx(docx.render_default(kind, context))
    mark = paragraph_with(document, context["issuer"])
    assert color(document, mark) == "FF0000" and east_asia_font(document, mark) == "方正小标宋简体"
    assert alignment(document, mark) == "center"
    number = paragraph_with(document, context["number"])
    assert alignment(document, number) == "center"
    line = bottom_border(document, number)
    assert line["color"] == "FF0000" and line["val"] == "single"


def test_minutes_carry_the_red_minutes_mark_an_issue_number_and_the_attendance_lines():
    context = docx.sample_context("minutes")
    document = open_docx(docx.render_default("minutes", context))
    mark = paragraph_with(document, "会议纪要")
    assert color(document, mark) == "FF0000"
    assert paragraph_with(document, "第5期")
    assert bottom_border(document, paragraph_with(document, context["issuer"]))["color"] == "FF0000"
    attending = paragraph_with(document, "出席：")
    assert context["meeting"]["attendees"] in attending.text
    assert paragraph_with(document, "列席：")
    assert paragraph_with(document, "三、安置房二期工程")  # decisions numbered 一、二、三、


def test_the_record_block_names_cc_printer_and_date_between_lines():
    document = _render("notice")
    cc = paragraph_with(document, "抄送：区委办公室")
    printed = paragraph_with(document, "2026年12月6日印发")
    assert "云溪区城中村改造工作领导小组办公室" in printed.text
    assert font_size_pt(document, cc) == 14
    assert bottom_border(document, printed)["val"] == "single"


def test_the_date_stands_with_the_issuer_towards_the_right():
    document = _render("notice")
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    date = next(i for i, p in enumerate(paragraphs) if p.text == "2026年12月6日")
    assert paragraphs[date - 1].text == docx.sample_context("notice")["issuer"]
    assert alignment(document, paragraphs[date]) == "center"
    assert paragraphs[date].paragraph_format.left_indent or document.styles["署名"].paragraph_format.left_indent > 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_footer_numbers_pages_odd_right_even_left_with_a_page_field(kind):
    document = _render(kind)
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment is not None and paragraph.alignment.name.lower() == side
        sizes = {r.font.size.pt for r in paragraph.runs if r.font.size}
        assert sizes == {14.0}  # 4号
        assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs} == {"宋体"}


@pytest.mark.parametrize("kind", KINDS)
def test_empty_lists_and_missing_keys_render(kind):
    document = open_docx(docx.render_default(kind, {"title": "空白测试"}))
    assert paragraph_with(document, "空白测试")
    assert "{{" not in "".join(p.text for p in document.paragraphs)
    document = open_docx(docx.render_default(kind, {}))
    assert document.sections[0]._sectPr is not None


def _thirty(kind) -> dict:
    context = docx.sample_context(kind)
    rows = [[f"指标{i}", f"{i}户", f"第{i}周"] for i in range(30)]
    context.update(
        paragraphs=[f"第{i}段正文。" for i in range(30)],
        sections=[{"heading": f"{docx.cn_number(i + 1)}、标题{i}", "paragraphs": [f"节{i}段{j}" for j in range(2)]}
                  for i in range(30)],
        tables=[{"caption": "三十行", "header": ["指标", "目标值", "节点要求"], "rows": rows}],
        attachments=[f"附件名{i}" for i in range(30)],
        signatures=[{"party": f"单位{i}", "signer": f"签字人{i}", "date": "2026年1月1日"} for i in range(3)],
        duties=[f"职责{i}" for i in range(30)], assessment=[f"考核{i}" for i in range(30)],
        decisions=[f"议定{i}" for i in range(30)],
        streets=[{"name": f"街道{i}", "status": "按期推进", "figures": [["签约", str(i)]] * 3, "work_done": "做了",
                  "problems": "", "next_plan": "下步", "help_needed": ""} for i in range(30)],
    )
    return context


@pytest.mark.parametrize("kind", KINDS)
def test_thirty_of_everything_render_in_order(kind):
    document = open_docx(docx.render_default(kind, _thirty(kind)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.index("第0段正文。") < text.index("第29段正文。")
    assert "三十、标题29" in text and "节29段1" in text
    assert "30. 附件名29" in text and text.count("附件名") == 30
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    assert len(table.rows) == 31 and table.rows[30].cells[2].text == "第29周"
    if kind == "agreement":
        assert "（三十）职责29" in text and "（三十）考核29" in text
        signing = document.tables[-1]
        assert [c.text.split("（")[0] for c in signing.rows[0].cells] == ["单位0", "单位1", "单位2"]
    if kind == "minutes":
        assert "三十、议定29" in text
    if kind == "report_digest":
        assert "三十、街道29（按期推进）" in text and text.count("（二）下步计划") == 30


def test_a_table_takes_as_many_columns_as_its_header():
    for columns in (1, 2, 5):
        header = [f"列{i}" for i in range(columns)]
        document = _render("notice", tables=[{"caption": "表", "header": header,
                                              "rows": [[f"值{r}{c}" for c in range(columns)] for r in range(3)]}])
        table = document.tables[0]
        assert [c.text for c in table.rows[0].cells] == header
        assert len(table._tbl.tblGrid.findall(qn("w:gridCol"))) == columns


def test_chinese_and_markup_characters_come_out_as_given():
    title = "关于<加快>推进&“签约”的通知 {{ 不是标记 }}"
    document = _render("notice", title=title, paragraphs=["A&B <b>不加粗</b> ① ㎡ 〔2026〕"])
    assert paragraph_with(document, title)
    assert paragraph_with(document, "A&B <b>不加粗</b> ① ㎡ 〔2026〕")


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        docx.render_default("memo", {})
    with pytest.raises(ValueError):
        docx.sample_context("memo")


def test_sample_context_is_a_fresh_copy_each_time():
    first = docx.sample_context("notice")
    first["sections"].clear()
    assert docx.sample_context("notice")["sections"]


def test_cn_number_counts_like_a_document():
    assert [docx.cn_number(n) for n in (1, 9, 10, 11, 20, 25, 99, 100, 105, 110)] == [
        "一", "九", "十", "十一", "二十", "二十五", "九十九", "一百", "一百零五", "一百一十"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_files_are_what_the_script_builds(kind):
    """The committed .docx and build_templates.py agree: a change of layout is made in the script."""
    assert build_templates.build(kind) == (docx.DEFAULTS / f"{kind}.docx").read_bytes()


def test_rendering_an_agreement_of_eight_targets_takes_little_time():
    context = docx.sample_context("agreement")
    context["tables"][0]["rows"] = [[f"指标{i}", f"{i}户", "2026年12月31日前"] for i in range(8)]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        docx.render_default("agreement", context)
        times.append(time.perf_counter() - start)
    assert median(times) < 0.5  # about 0.04 s here


def test_libreoffice_prints_the_notice_on_a4(tmp_path):
    pages = a4_pages(docx.render_default("notice", docx.sample_context("notice")), tmp_path, "notice")
    assert 2 <= pages <= 4


# Word refuses ("unreadable content") a file whose property elements are out of the schema's order
# (ECMA-376 part 1); LibreOffice and python-docx do not mind, so the order is checked here.
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
           "em lang eastAsianLayout specVanish oMath",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
              "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings",
}


def _out_of_order(data: bytes) -> list[str]:
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            root = etree.fromstring(archive.read(name))
            for tag, order in SCHEMA_ORDER.items():
                order = order.split()
                for element in root.iter(w + tag):
                    children = [c.tag.replace(w, "") for c in element if c.tag.startswith(w)]
                    places = [order.index(c) if c in order else -1 for c in children]
                    if -1 in places or places != sorted(places):
                        found.append(f"{name} {tag}: {children}")
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_word_finds_every_property_in_the_schema_s_order(kind):
    assert _out_of_order(docx.default_template(kind)) == []
    assert _out_of_order(docx.render_default(kind, _thirty(kind))) == []


def test_a_missing_libreoffice_fails_the_printing_tests_by_name(monkeypatch, tmp_path):
    """Without LibreOffice the A4 checks fail saying what to install; they never skip."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y libreoffice-writer-nogui poppler-utils"):
        a4_pages(b"", tmp_path, "none")
