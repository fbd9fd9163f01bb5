"""Writes on the district's 公文 templates (公文模板): upload a replacement for a kind, go back to the shipped one.

Every write goes through ``@writes`` (one transaction, a named actor, the administrator only) and leaves an
audit entry. An upload is refused before anything is stored when it is not a Word document (the content is
sniffed: a zip holding word/document.xml), is over 5 MB, or does not render the kind's sample data; the
refusal quotes the template's own error, so the office can find the broken tag in Word.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2 import TemplateError, TemplateSyntaxError

from gaizao.core.actors import as_user
from gaizao.core.errors import AppError
from gaizao.core.text import strip_refused
from gaizao.core.writes import writes
from gaizao.documents import docx
from gaizao.documents.models import DocumentTemplate
from gaizao.documents.policies import template_writer

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _kind(kind: str) -> str:
    if kind not in docx.KINDS:
        raise AppError(_("没有这种公文：%(k)s。") % {"k": kind}, fields={"kind": _("公文种类不存在")}, status=404)
    return kind


def _read(file) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(_("文件超过 5 MB（现为 %(s).1f MB）；模板只需文字和版式，请删去其中的大图片后再上传。")
                      % {"s": size / 1048576})
    file.seek(0)
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("文件超过 5 MB；模板只需文字和版式，请删去其中的大图片后再上传。"))
    if not data:
        raise _refuse(_("文件是空的。"))
    return data


def _refuse(message: str) -> AppError:
    return AppError(message, fields={"file": message})


def _sniff_docx(data: bytes) -> None:
    """A Word document (.docx) by its content, not its name: a zip holding word/document.xml."""
    if not data.startswith(b"PK"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise _refuse(_("这是旧版 Word 文档（.doc）：请在 Word 或 WPS 中“另存为”.docx 格式后再上传。"))
        raise _refuse(_("不是 Word 文档（.docx）：请上传用 Word 或 WPS 编辑并保存为 .docx 的模板。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(_("文件已损坏，无法打开：请在 Word 或 WPS 中重新保存为 .docx 后再上传。")) from None
    if unpacked > MAX_UNPACKED_BYTES:  # a few MB that unpack to gigabytes would stall the renderer
        raise _refuse(_("文件解压后超过 50 MB，不像是公文模板：请删去其中的大图片或嵌入的文件后再上传。"))
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise _refuse(_("这是 Excel 表格，不是 Word 文档（.docx）。"))
        raise _refuse(_("不是 Word 文档（.docx）：压缩包里没有 word/document.xml。"))


def _nearby(exc: Exception) -> str:
    """The text around the error, as docxtpl saw it (the paragraphs near the line Jinja names)."""
    lines = [line.strip() for line in getattr(exc, "docx_context", None) or () if line.strip()]
    text = " ".join(lines)
    text = re.sub(r"\s+", " ", text)
    return text[:120]


_OPEN_CLOSE = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))


def _unclosed_tag(data: bytes) -> str | None:
    """Where a tag is opened and not closed in the same paragraph (Jinja itself only says "end of template"):
    「第 N 段“…”：缺少结束的 }}」, or None."""
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001  (docxtpl's own error is reported instead)
        return None
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for number, paragraph in enumerate(paragraphs, start=1):
        text = paragraph.text
        for opening, closing in _OPEN_CLOSE:
            start = text.find(opening)
            while start != -1:
                end = text.find(closing, start + 2)
                following = [text.find(o, start + 2) for o, _c in _OPEN_CLOSE]
                following = [i for i in following if i != -1]
                if end == -1 or (following and min(following) < end):
                    shown = text[max(0, start - 10):start + 30]
                    return _("第 %(n)d 段“%(text)s”：“%(open)s”缺少结束的“%(close)s”") % {
                        "n": number, "text": shown, "open": opening, "close": closing}
                start = text.find(opening, end + 2)
    return None


def check_renders(kind: str, data: bytes) -> None:
    """Render ``data`` with the kind's sample data, or refuse with the template's error in the message."""
    try:
        out = docx.render_bytes(data, docx.sample_context(kind))
        from docx import Document

        Document(io.BytesIO(out))  # what it wrote opens as a Word document again
    except TemplateSyntaxError as exc:
        jinja = _("Jinja 语法错误，模板第 %(line)s 行附近：%(error)s") % {"line": exc.lineno,
                                                                       "error": exc.message or str(exc)}
        unclosed = _unclosed_tag(data)
        near = _nearby(exc)
        if unclosed:
            message = _("模板有误，无法使用：%(where)s。（%(jinja)s）") % {"where": unclosed, "jinja": jinja}
        elif near:
            message = _("模板有误，无法使用（%(jinja)s）。附近的文字：“%(near)s”。") % {"jinja": jinja, "near": near}
        else:
            message = _("模板有误，无法使用（%(jinja)s）。") % {"jinja": jinja}
        raise _refuse(message) from None
    except TemplateError as exc:
        unknown = re.match(r"No (filter|test) named '([^']+)'", str(exc))
        if unknown:
            raise _refuse(_("模板有误，无法使用（用示例数据试填时出错：%(error)s）：模板用了不存在的%(what)s“%(name)s”；"
                            "可用 Jinja 自带的，以及 cn_number（数字写成一、二、三）和 names（名单用顿号连接）。") % {
                "error": str(exc), "what": _("过滤器") if unknown.group(1) == "filter" else _("检验"),
                "name": unknown.group(2)}) from None
        raise _refuse(_("模板有误，无法使用（用示例数据试填时出错：%(error)s）。") % {"error": str(exc)}) from None
    except Exception as exc:  # noqa: BLE001  (a broken file: lxml, zip, docx errors alike)
        raise _refuse(_("模板无法用示例数据生成公文（%(error)s）：请检查模板中的 {{ }} 和 {%% %%} 标记是否成对、"
                        "是否被拆开。") % {"error": f"{type(exc).__name__}: {exc}"[:300]}) from None


@writes(policy=template_writer)
def template_upload(*, actor, kind: str, file, ip: str | None = None) -> DocumentTemplate:
    """Put a district's own template (its 红头, its wording) in use for ``kind``; the one before becomes history."""
    _kind(kind)
    data = _read(file)
    _sniff_docx(data)
    check_renders(kind, data)
    name = strip_refused(PurePath(getattr(file, "name", "") or "").name, multiline=False)[:200] or f"{kind}.docx"
    digest = hashlib.sha256(data).hexdigest()
    before = DocumentTemplate.objects.select_for_update().filter(kind=kind, active=True).first()
    if before is not None:
        DocumentTemplate.objects.filter(pk=before.pk).update(active=False, retired_at=timezone.now())
    template = DocumentTemplate(kind=kind, original_name=name, size=len(data), sha256=digest,
                                uploaded_by=as_user(actor), active=True)
    template.file.save(f"{kind}.docx", ContentFile(data), save=False)
    template.save()
    writes.audit(action="document_template.upload", obj=template, object_repr=f"{docx.KINDS[kind]}：{name}",
                 changes={"kind": kind, "file": [before.original_name if before else None, name], "sha256": digest,
                          "size": len(data)})
    return template


@writes(policy=template_writer)
def template_revert(*, actor, kind: str, ip: str | None = None) -> bool:
    """Go back to the shipped template for ``kind``; False when it was in use already."""
    _kind(kind)
    before = DocumentTemplate.objects.select_for_update().filter(kind=kind, active=True).first()
    if before is None:
        return False
    DocumentTemplate.objects.filter(pk=before.pk).update(active=False, retired_at=timezone.now())
    writes.audit(action="document_template.revert", obj=before,
                 object_repr=f"{docx.KINDS[kind]}：{before.original_name}",
                 changes={"kind": kind, "file": [before.original_name, None]})
    return True
