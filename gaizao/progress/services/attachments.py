"""Files kept with stage events (附件): checked by content, at most 20 MB each, 10 per event."""

from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.core.text import strip_refused
from gaizao.progress.models import EventAttachment

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10
# extension -> (content type, how the content starts)
KINDS = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def check_attachment(upload) -> str:
    """The content type of an acceptable upload; else a Chinese message naming the file."""
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower()
    if ext not in KINDS:
        raise AppError(_("附件「%(n)s」的类型不支持：请上传 PDF、JPG、PNG、DOCX 或 XLSX 文件。") % {"n": name},
                       fields={"attachments": _("类型不支持")})
    if upload.size > MAX_BYTES:
        raise AppError(_("附件「%(n)s」超过 20 MB（现为 %(s).1f MB）。") % {"n": name, "s": upload.size / 1048576},
                       fields={"attachments": _("文件过大")})
    content_type, heads = KINDS[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(h) for h in heads):
        raise AppError(_("附件「%(n)s」的内容与扩展名不符（不是有效的 %(e)s 文件）。") % {"n": name, "e": ext.lstrip(".").upper()},
                       fields={"attachments": _("内容不符")})
    return content_type


def save_attachments(event, uploads) -> list[str]:
    uploads = list(uploads or ())
    if len(uploads) > MAX_FILES:
        raise AppError(_("每条记录最多 %(n)d 个附件。") % {"n": MAX_FILES}, fields={"attachments": _("附件过多")})
    checked = [(upload, check_attachment(upload)) for upload in uploads]
    names = []
    for upload, content_type in checked:
        # A file name is not typed: invisible characters are dropped rather than refused.
        name = strip_refused(PurePath(upload.name).name, multiline=False)[:200]
        EventAttachment.objects.create(event=event, file=upload, name=name, size=upload.size,
                                       content_type=content_type)
        names.append(name)
    return names
