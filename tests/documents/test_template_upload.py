"""A district's own 公文 template (公文模板): refused unless it is a .docx that renders the sample data; once
accepted, render() uses it; revert goes back to the shipped one; every write audited, the administrator only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.documents import docx, services
from gaizao.documents.models import DocumentTemplate
from tests.documents.helpers import open_docx, paragraph_with


def edited(kind: str, old: str, new: str) -> bytes:
    """The shipped template of ``kind`` with ``old`` replaced by ``new`` in its text (as Word would save it)."""
    source = zipfile.ZipFile(io.BytesIO(docx.default_template(kind)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode()
                assert old in text, old
                data = text.replace(old, new, 1).encode()
            target.writestr(info, data)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _media(media):
    return media


def refused(cast, data: bytes, name: str = "模板.docx", kind: str = "notice") -> str:
    with pytest.raises(AppError) as caught:
        services.template_upload(actor=cast.admin, kind=kind, file=upload(name, data))
    assert set(caught.value.fields) == {"file"}
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="document_template.upload").exists()
    return caught.value.message


def test_a_file_that_is_not_a_word_document_is_refused_by_its_content(cast):
    assert "不是 Word 文档" in refused(cast, b"%PDF-1.7 not a template", name="红头.docx")
    assert "旧版 Word 文档" in refused(cast, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="红头.docx")
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel" in refused(cast, workbook.getvalue())
    assert "损坏" in refused(cast, b"PK\x03\x04 broken zip")
    assert "空" in refused(cast, b"")


def test_a_file_over_five_megabytes_is_refused(cast):
    big = edited("notice", "{{ title }}", "{{ title }}" + "填" * 10) + b"\0" * (5 * 1024 * 1024)
    assert "超过 5 MB" in refused(cast, big)


def test_a_small_file_that_unpacks_to_a_huge_one_is_refused(cast):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (60 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    assert "解压后超过 50 MB" in refused(cast, bomb.getvalue())


def test_a_broken_tag_is_refused_quoting_jinja_s_error_and_where(cast):
    message = refused(cast, edited("notice", "{{ title }}", "{{ title "))
    assert "Jinja 语法错误" in message and "第" in message and "行附近" in message
    assert "段“{{ title ”：“{{”缺少结束的“}}”" in message  # the paragraph to look for in Word


def test_an_unknown_filter_is_refused_by_name(cast):
    message = refused(cast, edited("notice", "{{ title }}", "{{ title|shout }}"))
    assert "shout" in message and "模板有误" in message


def test_a_template_cannot_reach_beyond_its_data(cast):
    """Templates run in Jinja's sandbox: Python's internals render as nothing."""
    data = edited("notice", "{{ title }}", "{{ title.__class__.__mro__ }}{{ cycler.__init__.__globals__ }}")
    services.template_upload(actor=cast.admin, kind="notice", file=upload("a.docx", data))
    text = "".join(p.text for p in open_docx(docx.render("notice", docx.sample_context("notice"))).paragraphs)
    assert "class" not in text and "os" not in text and "<" not in text


def test_an_accepted_template_is_used_by_render_and_revert_goes_back(cast):
    data = edited("notice", "{{ issuer }}文件", "{{ issuer }}（云溪样式）文件")
    template = services.template_upload(actor=cast.admin, kind="notice", file=upload("云溪红头.docx", data), ip="10.0.0.9")
    assert template.active and template.original_name == "云溪红头.docx" and template.size == len(data)
    assert template.uploaded_by == cast.admin and len(template.sha256) == 64
    context = docx.sample_context("notice")
    assert paragraph_with(open_docx(docx.render("notice", context)), "（云溪样式）文件")
    assert "（云溪样式）" not in "".join(p.text for p in open_docx(docx.render_default("notice", context)).paragraphs)
    assert docx.current_template("notice") == data
    # other kinds keep the shipped template
    assert docx.current_template("minutes") == docx.default_template("minutes")
    entry = AuditEntry.objects.get(action="document_template.upload")
    assert entry.actor_id == cast.admin.pk and entry.ip == "10.0.0.9"
    assert entry.changes["file"] == [None, "云溪红头.docx"] and entry.changes["kind"] == "notice"

    assert services.template_revert(actor=cast.admin, kind="notice") is True
    assert docx.current_template("notice") == docx.default_template("notice")
    assert "（云溪样式）" not in "".join(p.text for p in open_docx(docx.render("notice", context)).paragraphs)
    assert AuditEntry.objects.filter(action="document_template.revert").count() == 1
    assert services.template_revert(actor=cast.admin, kind="notice") is False  # nothing to take back
    assert DocumentTemplate.objects.filter(kind="notice").count() == 1  # kept as history


def test_a_second_upload_replaces_the_first_which_stays_as_history(cast):
    first = services.template_upload(actor=cast.admin, kind="minutes",
                                     file=upload("一.docx", edited("minutes", "会议纪要", "纪要一")))
    second = services.template_upload(actor=cast.admin, kind="minutes",
                                      file=upload("二.docx", edited("minutes", "会议纪要", "纪要二")))
    first.refresh_from_db()
    assert not first.active and first.retired_at is not None and second.active
    assert paragraph_with(open_docx(docx.render("minutes", docx.sample_context("minutes"))), "纪要二")
    assert AuditEntry.objects.filter(action="document_template.upload").order_by("-id").first().changes["file"] == \
        ["一.docx", "二.docx"]


def test_only_the_administrator_replaces_templates(cast):
    data = docx.default_template("notice")
    for user in (cast.commander, cast.leader, cast.street_user_a, cast.department_user, cast.cadre, cast.resident,
                 cast.outsider, cast.auditor, cast.security):
        with pytest.raises(PermissionDenied):
            services.template_upload(actor=user, kind="notice", file=upload("a.docx", data))
        with pytest.raises(PermissionDenied):
            services.template_revert(actor=user, kind="notice")
    assert not DocumentTemplate.objects.exists()


def test_an_unknown_kind_is_refused(cast):
    with pytest.raises(AppError) as caught:
        services.template_upload(actor=cast.admin, kind="memo", file=upload("a.docx", docx.default_template("notice")))
    assert caught.value.status == 404


@pytest.mark.parametrize("kind", list(docx.KINDS))
def test_every_shipped_template_passes_the_upload_check(cast, kind):
    """Downloading a template and uploading it unchanged is accepted: the check holds the shipped ones too."""
    services.template_upload(actor=cast.admin, kind=kind, file=upload(f"{kind}.docx", docx.default_template(kind)))
    assert DocumentTemplate.objects.get(kind=kind, active=True)


def test_the_system_actor_may_install_a_template_from_a_command(db, media):
    from gaizao.core.actors import SYSTEM

    template = services.template_upload(actor=SYSTEM, kind="supervision",
                                        file=upload("督办.docx", docx.default_template("supervision")))
    assert template.uploaded_by is None and template.active
    assert AuditEntry.objects.get(action="document_template.upload").actor_name == "system"


def test_render_asks_the_database_one_question(cast, django_assert_num_queries):
    context = docx.sample_context("notice")
    with django_assert_num_queries(1):
        docx.render("notice", context)
    services.template_upload(actor=cast.admin, kind="notice", file=upload("a.docx", docx.default_template("notice")))
    docx.render("notice", context)  # the file is read once, then kept by its checksum
    with django_assert_num_queries(1):
        docx.render("notice", context)
