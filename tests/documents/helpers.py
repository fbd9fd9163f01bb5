"""Reading a rendered 公文 back with python-docx: the effective font and size of a paragraph's text."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def all_paragraphs(document):
    """Body paragraphs, then those in table cells."""
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def paragraph_with(document, text: str):
    found = [p for p in all_paragraphs(document) if text in p.text]
    assert found, f"no paragraph holds {text!r}"
    return found[0]


def _style_chain(document, style_id):
    styles = document.styles.element
    while style_id:
        style = styles.find(f"{W}style[@{W}styleId='{style_id}']")
        if style is None:
            return
        yield style
        based = style.find(f"{W}basedOn")
        style_id = based.get(qn("w:val")) if based is not None else None


def _rpr_chain(document, paragraph):
    """The rPr elements that decide a run's look, nearest first: the run's, the paragraph style's chain,
    the document's defaults."""
    run = next((r for r in paragraph.runs if r.text.strip()), None)
    if run is not None and run._r.rPr is not None:
        yield run._r.rPr
    ppr = paragraph._p.pPr
    style_id = ppr.find(qn("w:pStyle")).get(qn("w:val")) if ppr is not None and ppr.find(qn("w:pStyle")) is not None \
        else "Normal"
    for style in _style_chain(document, style_id):
        rpr = style.find(qn("w:rPr"))
        if rpr is not None:
            yield rpr
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    yield defaults


def _ppr_chain(document, paragraph):
    ppr = paragraph._p.pPr
    if ppr is not None:
        yield ppr
    style_id = ppr.find(qn("w:pStyle")).get(qn("w:val")) if ppr is not None and ppr.find(qn("w:pStyle")) is not None \
        else "Normal"
    for style in _style_chain(document, style_id):
        found = style.find(qn("w:pPr"))
        if found is not None:
            yield found


def east_asia_font(document, paragraph) -> str | None:
    for rpr in _rpr_chain(document, paragraph):
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    return None


def font_size_pt(document, paragraph) -> float | None:
    for rpr in _rpr_chain(document, paragraph):
        size = rpr.find(qn("w:sz"))
        if size is not None:
            return int(size.get(qn("w:val"))) / 2
    return None


def color(document, paragraph) -> str | None:
    for rpr in _rpr_chain(document, paragraph):
        found = rpr.find(qn("w:color"))
        if found is not None:
            return found.get(qn("w:val"))
    return None


def alignment(document, paragraph) -> str | None:
    for ppr in _ppr_chain(document, paragraph):
        jc = ppr.find(qn("w:jc"))
        if jc is not None:
            return jc.get(qn("w:val"))
    return None


def line_spacing(document, paragraph) -> tuple[str, int] | None:
    for ppr in _ppr_chain(document, paragraph):
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None and spacing.get(qn("w:line")):
            return spacing.get(qn("w:lineRule")), int(spacing.get(qn("w:line")))
    return None


def bottom_border(document, paragraph) -> dict | None:
    for ppr in _ppr_chain(document, paragraph):
        border = ppr.find(qn("w:pBdr"))
        if border is not None and border.find(qn("w:bottom")) is not None:
            bottom = border.find(qn("w:bottom"))
            return {k.split("}")[1]: v for k, v in bottom.attrib.items()}
    return None


def a4_pages(data: bytes, tmp_path: Path, name: str) -> int:
    """Print a DOCX to PDF with LibreOffice, check that its pages are A4 (pdfinfo) and return how many.

    Without LibreOffice or poppler-utils the test fails with what to install (make test installs
    them as root; CI does): a document's layout is never left unchecked by a skip.
    """
    missing = [tool for tool in ("soffice", "pdfinfo") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"文档打印测试需要 {'、'.join(missing)}，本机没有：请 apt-get install -y "
                    "libreoffice-writer-nogui poppler-utils（make test 以 root 运行时会自动安装）。", pytrace=False)
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    info = subprocess.run(["pdfinfo", str(tmp_path / f"{name}.pdf")], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))
