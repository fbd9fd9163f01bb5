"""Build the shipped 公文 templates (default_templates/<kind>.docx) with python-docx.

    .venv/bin/python -m gaizao.documents.build_templates     # rewrites gaizao/documents/default_templates/
    DJANGO_SETTINGS_MODULE=gaizao.settings .venv/bin/python -m gaizao.documents.build_templates \
        --screenshots docs/images

The .docx files are committed beside this script; they are what a district downloads, edits in Word or
WPS (its own 红头, its own wording) and uploads again. The script is how they are made, so a change of
layout is a reviewed change of code, and the output is byte for byte the same on every run (fixed zip
dates and document properties).

The layout is GB/T 9704-2012 (党政机关公文格式):

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 版心 of 156 × 225 mm;
- body 3号仿宋 (16 pt, 仿宋_GB2312, falling back to 仿宋), 22 lines of 28 characters: the section's
  document grid (``linesAndChars``, line pitch 28.95 pt = 579 twips, character pitch 156 mm / 28) and a
  fixed line spacing of 28.95 pt;
- title 2号小标宋 (22 pt, 方正小标宋简体) centred; level-1 headings 黑体, level-2 楷体;
- 发文机关标志 in red 小标宋, 发文字号 centred under it, the red separator line under the 发文字号;
- 成文日期 with the 发文机关署名 towards the right; 版记 (抄送, 印发机关 and 印发日期) between lines;
- page numbers "— 1 —" in 4号半角宋体 in the footer, odd pages right and even pages left (空一字).

Jinja (docxtpl) sits in the text: ``{{ title }}``, a paragraph ``{%p for p in paragraphs %}`` repeats
what stands between it and ``{%p endfor %}``, a table row ``{%tr for row in t.rows %}`` repeats a row,
cells ``{%tc for h in t.header %}`` repeat a column. The keys each kind uses are in docx.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent / "default_templates"

FANGSONG = "仿宋_GB2312"
FANGSONG_FALLBACK = "仿宋"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
# what Word/WPS take when the first name is not installed (w:altName in the font table)
FALLBACKS = {FANGSONG: FANGSONG_FALLBACK, XIAOBIAOSONG: SONGTI, KAITI: "楷体", HEITI: "SimHei", SONGTI: "SimSun"}

BODY = Pt(16)  # 3号
TITLE = Pt(22)  # 2号
TABLE = Pt(12)  # 小四
RECORD = Pt(14)  # 4号 (版记, page numbers)
LINE = Pt(28.95)  # 22 lines in 225 mm
LINE_TWIPS = 579
CHAR_SPACE = -849  # (156 mm / 28 − 16 pt) × 4096: 28 characters of 16 pt per line
TEXT_WIDTH = Mm(156)
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"


# ----------------------------------------------------------------------------------------- helpers

def _fonts(rpr_owner, name: str) -> None:
    """Set every script's font (eastAsia above all) on a style's or a run's rPr."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _set(parent, tag: str, **attrs):
    """Replace (or add) child ``tag`` of ``parent`` with the given w: attributes."""
    found = parent.find(qn(tag))
    if found is not None:
        parent.remove(found)
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    parent.append(element)
    return element


# Where each child goes in its parent (ECMA-376): Word refuses a file whose children are out of order.
TBL_PR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _set_ordered(parent, tag: str, order: tuple[str, ...], **attrs):
    """``_set``, but the new child goes where ``order`` puts it among the children already there."""
    element = _set(parent, tag, **attrs)
    parent.remove(element)
    later = {qn(t) for t in order[order.index(tag) + 1:]}
    successor = next((child for child in parent if child.tag in later), None)
    if successor is not None:
        successor.addprevious(element)
    else:
        parent.append(element)
    return element


def _border(paragraph, *, top=None, bottom=None) -> None:
    """Paragraph borders: each side (size in eighths of a point, colour, space above/below in points)."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        # pBdr comes early in pPr (after keepNext…pageBreakBefore, framePr, widowControl, numPr, suppressLineNumbers)
        later = ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
        anchor = next((ppr.find(qn(t)) for t in later if ppr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(bdr)
        else:
            ppr.append(bdr)
    for side, spec in (("top", top), ("bottom", bottom)):
        if spec:
            size, color, space = spec
            _set(bdr, f"w:{side}", val="single", sz=size, space=space, color=color)


def _paragraph_style(doc, name: str, *, font: str, size, base: str = "Normal", align=None, indent_chars: float = 0,
                     bold: bool = False, color: RGBColor | None = None, space_before=None, space_after=None,
                     exact_line: bool = True, scale: int | None = None, spacing: float | None = None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    _fonts(style.element, font)
    style.font.size = size
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = Pt(16 * indent_chars) if indent_chars else Pt(0)
    if exact_line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = space_before if space_before is not None else Pt(0)
    fmt.space_after = space_after if space_after is not None else Pt(0)
    rpr = style.element.get_or_add_rPr()
    size_element = rpr.find(qn("w:sz"))
    for tag_name, value in (("w:spacing", None if spacing is None else int(spacing * 20)), ("w:w", scale)):
        if value is not None:  # the schema's order: w:spacing, w:w, then w:sz
            element = OxmlElement(tag_name)
            element.set(qn("w:val"), str(value))
            size_element.addprevious(element)
    return style


def _font_table(doc) -> None:
    """Declare the Chinese fonts with their fallbacks (w:altName), so Word/WPS without 仿宋_GB2312 use 仿宋."""
    from lxml import etree

    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if name != HEITI else "swiss")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph) -> None:
    """"— PAGE —": the page number as a field, between two em dashes."""
    def run(text=None):
        r = paragraph.add_run(text)
        _fonts(r._r, SONGTI)
        r.font.size = RECORD
        return r

    run("— ")
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif instr.strip() == "PAGE":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instr
            r._r.append(text)
        else:
            r.text = instr
    run(" —")


def new_document():
    """An empty document in the GB/T 9704 layout, with the styles every kind uses."""
    doc = Document()
    props = doc.core_properties
    props.author = props.last_modified_by = "gaizao"
    props.title = "公文模板"
    props.revision = 1
    import datetime as dt

    props.created = props.modified = dt.datetime(2026, 1, 1)

    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28) - Mm(7)  # 页码 7 mm below the 版心
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    normal = doc.styles["Normal"]
    _fonts(normal.element, FANGSONG)
    normal.font.size = BODY
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False
    # Paragraphs lay out by their own metrics, not by snapping to the grid's cells: LibreOffice gives a
    # 16 pt glyph two cells of 15.79 pt (14 characters a line) where Word squeezes it. With every
    # character condensed by a quarter point (docDefaults below) 28 still fit a line in both.
    normal_ppr = normal.element.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    normal_ppr.find(qn("w:spacing")).addprevious(snap)  # the schema's order: before w:spacing
    # the document's defaults too (tables, footers and anything a district adds start from them)
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts_defaults = defaults.find(qn("w:rFonts"))
    for attr in list(_fonts_defaults.attrib):
        del _fonts_defaults.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        _fonts_defaults.set(qn(attr), FANGSONG)
    # 28 characters of 16 pt do not fit in 156 mm (448 pt > 442 pt): condensed by a quarter point they do.
    _set(defaults, "w:spacing", val=-5)
    _set(defaults, "w:sz", val=32)  # the grid's character pitch is counted from this size (Word and LibreOffice)
    _set(defaults, "w:szCs", val=32)
    _set(defaults, "w:lang", val="en-US", eastAsia="zh-CN")

    S = WD_ALIGN_PARAGRAPH
    _paragraph_style(doc, "公文正文", font=FANGSONG, size=BODY, align=S.JUSTIFY, indent_chars=2)
    _paragraph_style(doc, "公文顶格", font=FANGSONG, size=BODY, align=S.JUSTIFY)
    _paragraph_style(doc, "公文标题", font=XIAOBIAOSONG, size=TITLE, align=S.CENTER, exact_line=False,
                     space_before=Pt(0), space_after=Pt(0))
    _paragraph_style(doc, "公文副标题", font=KAITI, size=BODY, align=S.CENTER)
    _paragraph_style(doc, "一级标题", font=HEITI, size=BODY, align=S.JUSTIFY, indent_chars=2)
    _paragraph_style(doc, "二级标题", font=KAITI, size=BODY, align=S.JUSTIFY, indent_chars=2)
    _paragraph_style(doc, "发文机关标志", font=XIAOBIAOSONG, size=Pt(28), align=S.CENTER, color=RED, exact_line=False,
                     scale=80, space_before=Mm(35) - LINE)
    _paragraph_style(doc, "纪要标志", font=XIAOBIAOSONG, size=Pt(42), align=S.CENTER, color=RED, exact_line=False,
                     space_before=Mm(20), spacing=8)
    _paragraph_style(doc, "发文字号", font=FANGSONG, size=BODY, align=S.CENTER, space_before=LINE * 2)
    _paragraph_style(doc, "份号密级", font=HEITI, size=BODY, align=S.LEFT)
    _paragraph_style(doc, "署名", font=FANGSONG, size=BODY, align=S.CENTER)
    _paragraph_style(doc, "附件说明", font=FANGSONG, size=BODY, align=S.LEFT, indent_chars=2)
    _paragraph_style(doc, "表题", font=HEITI, size=BODY, align=S.CENTER)
    _paragraph_style(doc, "表格文字", font=FANGSONG, size=TABLE, align=S.CENTER, exact_line=False,
                     space_before=Pt(3), space_after=Pt(3))
    _paragraph_style(doc, "版记", font=FANGSONG, size=RECORD, align=S.LEFT, exact_line=True)
    doc.styles["署名"].paragraph_format.left_indent = Pt(16 * 8)  # centred together, towards the right
    for name in ("附件说明",):
        style = doc.styles[name]
        style.paragraph_format.left_indent = Pt(16 * 5)  # 回行与附件名首字对齐
        style.paragraph_format.first_line_indent = Pt(-16 * 3)
    record = doc.styles["版记"].paragraph_format
    record.left_indent = record.right_indent = Pt(14)  # 左右各空一字
    record.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(28), WD_TAB_ALIGNMENT.RIGHT)

    # page numbers: odd pages right, even pages left, one character in from the edge
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = S.RIGHT
    odd.paragraph_format.right_indent = Pt(14)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = S.LEFT
    even.paragraph_format.left_indent = Pt(14)
    _page_number(even)
    _font_table(doc)
    # the empty first paragraph python-docx's blank document starts with
    body = doc.element.body
    first = body.find(qn("w:p"))
    if first is not None:
        body.remove(first)
    return doc


def p(doc, text: str = "", style: str = "公文正文", *, runs=None):
    """A paragraph; ``runs`` is a list of (text, font or None) for mixed fonts in one line."""
    paragraph = doc.add_paragraph(style=style)
    if runs:
        for part, font in runs:
            run = paragraph.add_run(part)
            if font:
                _fonts(run._r, font)
    elif text:
        paragraph.add_run(text)
    return paragraph


def tag(doc, text: str):
    """A paragraph that holds only a {%p %} tag (docxtpl removes it when rendering)."""
    return doc.add_paragraph(text, style="公文顶格")


def _cell_text(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = "表格文字"
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(text)
        if bold:
            _fonts(run._r, HEITI)


def _table_look(table, widths) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    _set_ordered(tbl_pr, "w:tblW", TBL_PR_ORDER, w=WIDTH_TWIPS, type="dxa")
    _set_ordered(tbl_pr, "w:tblLayout", TBL_PR_ORDER, type="fixed")
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            tc_pr = cell._tc.get_or_add_tcPr()
            _set(tc_pr, "w:tcW", w=width, type="dxa")
            _set(tc_pr, "w:vAlign", val="center")


WIDTH_TWIPS = 8844  # 156 mm


def loop_table(doc, *, header: str = "t.header", rows: str = "t.rows") -> None:
    """A table of any number of columns and rows: a header row and body rows, each column a {%tc %} loop."""
    table = doc.add_table(rows=4, cols=3)
    third = WIDTH_TWIPS // 3
    texts = [
        ["{%tc for h in " + header + " %}", "{{ h }}", "{%tc endfor %}"],
        ["{%tr for row in " + rows + " %}", "", ""],
        ["{%tc for c in row %}", "{{ c }}", "{%tc endfor %}"],
        ["{%tr endfor %}", "", ""],
    ]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            _cell_text(table.rows[r].cells[c], text, bold=(r == 0 and c == 1))
    _table_look(table, [third, WIDTH_TWIPS - 2 * third, third])
    _repeat_header(table.rows[0])


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    _set(tr_pr, "w:tblHeader", val="true")


def fixed_table(doc, headers: list[str], cells: list[str], loop: str, widths: list[int]) -> None:
    """A table with fixed columns: ``headers``, then one row repeated over ``loop`` (a {%tr for %})."""
    table = doc.add_table(rows=4, cols=len(headers))
    for c, text in enumerate(headers):
        _cell_text(table.rows[0].cells[c], text, bold=True)
    _cell_text(table.rows[1].cells[0], "{%tr for " + loop + " %}")
    for c, text in enumerate(cells):
        _cell_text(table.rows[2].cells[c], text, align=WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    _table_look(table, widths)
    _repeat_header(table.rows[0])


# ------------------------------------------------------------------------------------ shared blocks

def red_head(doc, mark: str, *, number: str = "{{ number }}") -> None:
    """发文机关标志 in red, the 发文字号 centred under it, and the red separator line under that."""
    p(doc, mark, "发文机关标志")
    numbering = p(doc, number, "发文字号")
    _border(numbering, bottom=(24, RED_HEX, 11))  # 3 pt red, 4 mm below the 发文字号


def title_block(doc) -> None:
    p(doc, "", "公文顶格")
    tag(doc, "{%p if title %}")
    p(doc, "{{ title }}", "公文标题")
    p(doc, "", "公文顶格")
    tag(doc, "{%p endif %}")


def recipients_line(doc) -> None:
    tag(doc, "{%p if recipients %}")
    p(doc, "{{ recipients }}：", "公文顶格")
    tag(doc, "{%p endif %}")


def paragraphs_block(doc, key: str = "paragraphs") -> None:
    tag(doc, "{%p for para in " + key + " %}")
    p(doc, "{{ para }}")
    tag(doc, "{%p endfor %}")


def sections_block(doc) -> None:
    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    p(doc, "{{ s.heading }}", "一级标题")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for para in s.paragraphs %}")
    p(doc, "{{ para }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def tables_block(doc, key: str = "tables") -> None:
    tag(doc, "{%p for t in " + key + " %}")
    tag(doc, "{%p if t.caption %}")
    p(doc, "{{ t.caption }}", "表题")
    tag(doc, "{%p endif %}")
    loop_table(doc)
    p(doc, "", "公文顶格")
    tag(doc, "{%p endfor %}")


def attachments_block(doc) -> None:
    tag(doc, "{%p if attachments %}")
    p(doc, "", "公文顶格")
    tag(doc, "{%p for a in attachments %}")
    p(doc, "{% if loop.first %}附件：{% else %}　　　{% endif %}{% if attachments|length > 1 %}{{ loop.index }}. {% endif %}"
           "{{ a }}", "附件说明")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def signature_block(doc, *, who: str = "{{ issuer }}") -> None:
    p(doc, "", "公文顶格")
    p(doc, "", "公文顶格")
    p(doc, who, "署名")
    p(doc, "{{ date }}", "署名")


def record_block(doc, *, cc_label: str = "抄送") -> None:
    """版记: 抄送 and 印发机关/印发日期 between a thick first line, a thin line and a thick last line."""
    tag(doc, "{%p if cc or printer %}")
    p(doc, "", "公文顶格")
    p(doc, "", "公文顶格")
    tag(doc, "{%p if cc %}")
    cc = p(doc, cc_label + "：{{ cc }}。", "版记")
    cc.paragraph_format.left_indent = Pt(14 * 4)  # 回行时与冒号后的首字对齐
    cc.paragraph_format.first_line_indent = Pt(-14 * 3)
    _border(cc, top=(8, "000000", 1))
    tag(doc, "{%p endif %}")
    printed = p(doc, "{{ printer }}\t{{ printed_on }}{% if printed_on %}印发{% endif %}", "版记")
    _border(printed, top=(4, "000000", 1), bottom=(8, "000000", 1))
    tag(doc, "{%p endif %}")


# ------------------------------------------------------------------------------------------ the kinds

def notice():
    """通知: 红头 (发文机关标志 + 文件), 发文字号, red line, title, 主送, body, tables, 附件说明, 署名, 日期, 版记."""
    doc = new_document()
    red_head(doc, "{{ issuer }}文件")
    title_block(doc)
    recipients_line(doc)
    paragraphs_block(doc)
    sections_block(doc)
    tables_block(doc)
    attachments_block(doc)
    signature_block(doc)
    record_block(doc)
    return doc


def supervision():
    """督办通知: 督办级别 top left (like 紧急程度), red 督办通知 mark, 督办编号, red line, the matter and its deadline."""
    doc = new_document()
    level = p(doc, "{{ level }}", "份号密级")
    level.paragraph_format.space_before = Pt(0)
    p(doc, "{{ issuer }}", "发文机关标志").paragraph_format.space_before = Pt(12)
    mark = p(doc, "督办通知", "纪要标志")
    mark.paragraph_format.space_before = Pt(0)
    numbering = p(doc, "{{ number }}", "发文字号")
    numbering.paragraph_format.space_before = LINE
    _border(numbering, bottom=(24, RED_HEX, 11))
    title_block(doc)
    recipients_line(doc)
    paragraphs_block(doc)
    tag(doc, "{%p if subject %}")
    p(doc, runs=[("督办事项：", HEITI), ("{{ subject }}", None)])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if requirement %}")
    p(doc, runs=[("办理要求：", HEITI), ("{{ requirement }}", None)])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if deadline %}")
    p(doc, runs=[("办结时限：", HEITI), ("请于{{ deadline }}前办结，并将办理情况书面报送。", None)])
    tag(doc, "{%p endif %}")
    sections_block(doc)
    tables_block(doc)
    attachments_block(doc)
    signature_block(doc)
    record_block(doc)
    return doc


def minutes():
    """会议纪要: red 会议纪要 mark, 期号, the issuer left and the date right over the red line, the meeting,
    the decisions (一、二、…), 出席/列席 lines, 分送."""
    doc = new_document()
    p(doc, "会议纪要", "纪要标志")
    p(doc, "{{ number }}", "发文字号").paragraph_format.space_before = LINE
    line = p(doc, "{{ issuer }}\t{{ date }}", "公文顶格")
    line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _border(line, bottom=(24, RED_HEX, 11))
    title_block(doc)
    tag(doc, "{%p if meeting.held_on or meeting.place %}")
    p(doc, "{{ meeting.held_on }}{% if meeting.chair %}，{{ meeting.chair }}{% if meeting.place %}在{{ meeting.place }}"
           "{% endif %}主持召开{% else %}{% if meeting.place %}在{{ meeting.place }}召开{% endif %}{% endif %}"
           "{{ meeting.title }}{% if meeting.agenda %}，{{ meeting.agenda }}{% endif %}。")
    tag(doc, "{%p endif %}")
    paragraphs_block(doc)
    tag(doc, "{%p if decisions %}")
    p(doc, "会议议定以下事项：")
    tag(doc, "{%p for d in decisions %}")
    p(doc, "{{ loop.index|cn_number }}、{{ d }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    sections_block(doc)
    tables_block(doc)
    attachments_block(doc)
    for key, label in (("attendees", "出席"), ("observers", "列席")):
        tag(doc, "{%p if meeting." + key + " %}")
        p(doc, "", "公文顶格")
        p(doc, runs=[(label + "：", HEITI), ("{{ meeting." + key + "|names }}", None)], style="附件说明")
        tag(doc, "{%p endif %}")
    record_block(doc, cc_label="分送")
    return doc


def agreement():
    """目标责任书: title, 甲方/乙方, the targets table (指标, 目标值, 节点要求), duties, assessment, signatures."""
    doc = new_document()
    p(doc, "", "公文顶格")
    p(doc, "{{ title }}", "公文标题")
    tag(doc, "{%p if campaign or version %}")
    p(doc, "（{{ campaign }}{% if version %}　第{{ version }}版{% endif %}）", "公文副标题")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if number %}")
    p(doc, "编号：{{ number }}", "公文顶格").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tag(doc, "{%p endif %}")
    p(doc, "", "公文顶格")
    p(doc, runs=[("甲方：", HEITI), ("{{ issuer }}", None)], style="公文顶格")
    p(doc, runs=[("乙方：", HEITI), ("{{ street }}", None)], style="公文顶格")
    p(doc, "", "公文顶格")
    paragraphs_block(doc)
    tag(doc, "{%p set targets = tables[0] if tables else None %}")
    tag(doc, "{%p if targets %}")
    p(doc, "一、目标任务", "一级标题")
    tag(doc, "{%p if targets.caption %}")
    p(doc, "{{ targets.caption }}", "表题")
    tag(doc, "{%p endif %}")
    fixed_table(doc, ["指标", "目标值", "节点要求"], ["{{ row[0] }}", "{{ row[1] }}", "{{ row[2] }}"],
                "row in targets.rows", [2600, 2000, WIDTH_TWIPS - 4600])
    p(doc, "", "公文顶格")
    tag(doc, "{%p endif %}")
    for number, key, heading in (("二", "duties", "工作职责"), ("三", "assessment", "考核奖惩")):
        tag(doc, "{%p if " + key + " %}")
        p(doc, f"{number}、{heading}", "一级标题")
        tag(doc, "{%p for item in " + key + " %}")
        p(doc, "（{{ loop.index|cn_number }}）{{ item }}")
        tag(doc, "{%p endfor %}")
        tag(doc, "{%p endif %}")
    sections_block(doc)
    tag(doc, "{%p for t in tables[1:] %}")
    tag(doc, "{%p if t.caption %}")
    p(doc, "{{ t.caption }}", "表题")
    tag(doc, "{%p endif %}")
    loop_table(doc)
    tag(doc, "{%p endfor %}")
    attachments_block(doc)
    p(doc, "", "公文顶格")
    p(doc, "", "公文顶格")
    # the parties side by side: one column each
    table = doc.add_table(rows=1, cols=3)
    _cell_text(table.rows[0].cells[0], "{%tc for s in signatures %}")
    cell = table.rows[0].cells[1]
    _cell_text(cell, "{{ s.party }}（盖章）", align=WD_ALIGN_PARAGRAPH.LEFT)
    for text in ("", "负责人（签字）：{{ s.signer }}", "", "{{ s.date }}"):
        extra = cell.add_paragraph(text, style="公文顶格")
        extra.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cell.paragraphs[0].style = "公文顶格"
    _cell_text(table.rows[0].cells[2], "{%tc endfor %}")
    _table_look(table, [WIDTH_TWIPS // 3] * 3)
    table.style = None
    _no_borders(table)
    return doc


def _no_borders(table) -> None:
    borders = _set_ordered(table._tbl.tblPr, "w:tblBorders", TBL_PR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)


def report_digest():
    """汇报汇总: title, 期间, summary, then each street (its status, figures table, 已完成工作, 存在问题, 下步计划,
    需协调事项), 署名, 日期, 版记."""
    doc = new_document()
    tag(doc, "{%p if number %}")
    p(doc, "{{ number }}", "发文字号").paragraph_format.space_before = Pt(0)
    tag(doc, "{%p endif %}")
    title_block(doc)
    tag(doc, "{%p if period %}")
    p(doc, "（{{ period }}）", "公文副标题")
    p(doc, "", "公文顶格")
    tag(doc, "{%p endif %}")
    recipients_line(doc)
    paragraphs_block(doc)
    tables_block(doc)
    tag(doc, "{%p for st in streets %}")
    p(doc, "{{ loop.index|cn_number }}、{{ st.name }}{% if st.status %}（{{ st.status }}）{% endif %}", "一级标题")
    tag(doc, "{%p if st.figures %}")
    third = WIDTH_TWIPS // 2
    fixed_table(doc, ["指标", "数值"], ["{{ f[0] }}", "{{ f[1] }}"], "f in st.figures", [third, WIDTH_TWIPS - third])
    tag(doc, "{%p endif %}")
    tag(doc, "{%p set n = namespace(i=0) %}")
    for key, label in (("work_done", "已完成工作"), ("problems", "存在问题"), ("next_plan", "下步计划"),
                       ("help_needed", "需协调解决事项")):
        tag(doc, "{%p if st." + key + " %}")
        tag(doc, "{%p set n.i = n.i + 1 %}")
        p(doc, "（{{ n.i|cn_number }}）" + label, "二级标题")
        p(doc, "{{ st." + key + " }}")
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    sections_block(doc)
    attachments_block(doc)
    signature_block(doc)
    record_block(doc)
    return doc


def bulletin():
    """工作通报: 红头 (发文机关标志 + 文件), 发文字号, red line, title with the period under it, 主送, the opening,
    then each section (一、总体进展 … 六、下步工作) with its paragraphs and its tables (rankings, overdue
    items), 署名, 日期, 版记."""
    doc = new_document()
    red_head(doc, "{{ issuer }}文件")
    title_block(doc)
    tag(doc, "{%p if period %}")
    p(doc, "（{{ period }}）", "公文副标题")
    p(doc, "", "公文顶格")
    tag(doc, "{%p endif %}")
    recipients_line(doc)
    paragraphs_block(doc)
    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    p(doc, "{{ s.heading }}", "一级标题")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for para in s.paragraphs %}")
    p(doc, "{{ para }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for t in s.tables %}")
    tag(doc, "{%p if t.caption %}")
    p(doc, "{{ t.caption }}", "表题").paragraph_format.keep_with_next = True  # never alone at a page's foot
    tag(doc, "{%p endif %}")
    loop_table(doc)
    p(doc, "", "公文顶格")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tables_block(doc)
    attachments_block(doc)
    signature_block(doc)
    record_block(doc)
    return doc


def _small_table(doc, style: str) -> None:
    """The table just added takes ``style`` in every cell (a list of many columns prints in 五号)."""
    for row in doc.tables[-1].rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = style


def publicity():
    """公示: 公示编号 over the title, the period (公示期) under it, the opening, the list as tables of any number of
    columns in 五号 (repeated header row), then the sections (how to object, the answers), 署名 and 日期, 版记."""
    doc = new_document()
    _paragraph_style(doc, "公示表格文字", font=FANGSONG, size=Pt(10.5), align=WD_ALIGN_PARAGRAPH.CENTER,
                     exact_line=False, space_before=Pt(2), space_after=Pt(2))
    tag(doc, "{%p if number %}")
    numbering = p(doc, "{{ number }}", "发文字号")
    numbering.paragraph_format.space_before = Pt(0)
    numbering.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tag(doc, "{%p endif %}")
    title_block(doc)
    tag(doc, "{%p if period %}")
    p(doc, "（公示期：{{ period }}）", "公文副标题")
    p(doc, "", "公文顶格")
    tag(doc, "{%p endif %}")
    recipients_line(doc)
    paragraphs_block(doc)
    tag(doc, "{%p for t in tables %}")
    tag(doc, "{%p if t.caption %}")
    p(doc, "{{ t.caption }}", "表题").paragraph_format.keep_with_next = True
    tag(doc, "{%p endif %}")
    loop_table(doc)
    _small_table(doc, "公示表格文字")
    p(doc, "", "公文顶格")
    tag(doc, "{%p endfor %}")
    sections_block(doc)
    attachments_block(doc)
    signature_block(doc)
    record_block(doc)
    return doc


def compensation_agreement():
    """补偿协议 (房屋征收补偿协议, 条例 §25): title, 协议编号 and 签约顺序号, the parties, the preamble, the terms
    (sections numbered by the caller), the amounts (tables), the effectiveness condition, the parties'
    signatures side by side and the signing date."""
    doc = new_document()
    p(doc, "", "公文顶格")
    p(doc, "{{ title }}", "公文标题")
    p(doc, "", "公文顶格")
    tag(doc, "{%p if number or order_no %}")
    numbers = p(doc, "{% if number %}协议编号：{{ number }}{% endif %}{% if number and order_no %}　　{% endif %}"
                     "{% if order_no %}签约顺序号：{{ order_no }}{% endif %}", "公文顶格")
    numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for party in parties %}")
    p(doc, runs=[("{{ party.role }}：", HEITI), ("{{ party.name }}", None)], style="公文顶格")
    tag(doc, "{%p endfor %}")
    p(doc, "", "公文顶格")
    paragraphs_block(doc)
    sections_block(doc)
    tag(doc, "{%p for t in tables %}")
    tag(doc, "{%p if t.title or t.caption %}")
    p(doc, "{{ t.title or t.caption }}", "表题").paragraph_format.keep_with_next = True
    tag(doc, "{%p endif %}")
    loop_table(doc)
    p(doc, "", "公文顶格")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for para in conditions %}")
    p(doc, "{{ para }}")
    tag(doc, "{%p endfor %}")
    attachments_block(doc)
    p(doc, "", "公文顶格")
    p(doc, "", "公文顶格")
    # the parties side by side: one column each
    table = doc.add_table(rows=1, cols=3)
    _cell_text(table.rows[0].cells[0], "{%tc for s in signatures %}")
    cell = table.rows[0].cells[1]
    _cell_text(cell, "{{ s.role }}：", align=WD_ALIGN_PARAGRAPH.LEFT)
    for text in ("", "{{ s.name }}", ""):
        extra = cell.add_paragraph(text, style="公文顶格")
        extra.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cell.paragraphs[0].style = "公文顶格"
    _cell_text(table.rows[0].cells[2], "{%tc endfor %}")
    _table_look(table, [WIDTH_TWIPS // 3] * 3)
    table.style = None
    _no_borders(table)
    tag(doc, "{%p if signed_on %}")
    p(doc, "", "公文顶格")
    p(doc, "签约日期：{{ signed_on }}", "署名")
    tag(doc, "{%p endif %}")
    return doc


BUILDERS = {"notice": notice, "agreement": agreement, "minutes": minutes, "report_digest": report_digest,
            "supervision": supervision, "bulletin": bulletin, "publicity": publicity,
            "compensation_agreement": compensation_agreement}


def _reproducible(data: bytes) -> bytes:
    """The same bytes on every run: members in a fixed order with a fixed date."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: (i.filename != "[Content_Types].xml", i.filename)):
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            member = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            blob = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                blob = blob.replace(b'<Default Extension="jpeg" ContentType="image/jpeg"/>', b"")
            if info.filename == "_rels/.rels":
                import re

                blob = re.sub(rb'<Relationship [^>]*thumbnail[^>]*/>', b"", blob)
            target.writestr(member, blob)
    return out.getvalue()


def build(kind: str) -> bytes:
    buffer = io.BytesIO()
    BUILDERS[kind]().save(buffer)
    return _reproducible(buffer.getvalue())


# For pictures made here (LibreOffice on a machine without the official fonts): the official names stand
# for the Noto CJK fonts Debian ships, serif for 仿宋/宋/小标宋/楷, sans for 黑体.
FONTCONFIG = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include>
%s
</fontconfig>"""
ALIAS = "<alias binding='same'><family>%s</family><prefer><family>%s</family></prefer></alias>"


def screenshots(folder: Path) -> None:
    """Each kind with its sample data → PDF (LibreOffice) → PNG of the first page (pdftoppm -r 60)."""
    import os
    import subprocess
    import tempfile

    from gaizao.documents import docx

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        serif, sans = "Noto Serif CJK SC", "Noto Sans CJK SC"
        aliases = [ALIAS % (name, serif) for name in (FANGSONG, FANGSONG_FALLBACK, XIAOBIAOSONG, KAITI, "楷体", SONGTI)]
        aliases.append(ALIAS % (HEITI, sans))
        (work / "fonts.conf").write_text(FONTCONFIG % "\n".join(aliases), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work)}
        for kind in BUILDERS:
            (work / f"docx-{kind}.docx").write_bytes(docx.render_default(kind, docx.sample_context(kind)))
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        *sorted(str(p) for p in work.glob("*.docx"))], env=env, check=True, capture_output=True)
        for kind in BUILDERS:
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                            str(work / f"docx-{kind}.pdf"), str(folder / f"docx-{kind}")], check=True)
            print(folder / f"docx-{kind}.png")


def main() -> None:
    import sys

    if sys.argv[1:2] == ["--screenshots"]:
        screenshots(Path(sys.argv[2]) if len(sys.argv) > 2 else Path("docs/images"))
        return
    OUT.mkdir(exist_ok=True)
    for kind in BUILDERS:
        path = OUT / f"{kind}.docx"
        path.write_bytes(build(kind))
        print(path)


if __name__ == "__main__":
    main()
