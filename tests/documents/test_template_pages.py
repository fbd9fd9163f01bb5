"""The 公文模板 page: the administrator uploads and reverts, the office reads and downloads, nobody else
sees it (404, as the access table says: documents.template)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaizao.core import access
from gaizao.core.models import AuditEntry
from gaizao.core.registry import menu
from gaizao.documents import docx, services
from gaizao.documents.models import DocumentTemplate
from tests.documents.helpers import open_docx, paragraph_with
from tests.documents.test_template_upload import edited

DOCX = docx.CONTENT_TYPE


@pytest.fixture(autouse=True)
def _media(media):
    return media


def test_the_access_rows_give_the_page_to_the_administrator_and_the_office_only():
    assert access.roles_with("documents.template") == {"admin", "commander"}
    assert access.roles_with("documents.template", write=True) == {"admin"}
    item = next(i for i in menu if i.name == "documents.templates")
    assert set(item.roles) == {"admin", "commander"} and item.url_name == "documents:template_list"


def _urls(kind="notice"):
    return [reverse("documents:template_list")] + [
        reverse(f"documents:template_{what}", args=[kind]) for what in ("current", "default", "preview")]


def test_the_administrator_sees_every_kind_and_downloads_each_file(cast, login_as):
    client = login_as(cast.admin)
    page = client.get(reverse("documents:template_list"))
    assert page.status_code == 200
    text = page.content.decode()
    for label in docx.KINDS.values():
        assert str(label) in text
    assert "上传并启用" in text and "系统默认" in text
    for kind in docx.KINDS:
        for what in ("current", "default", "preview"):
            response = client.get(reverse(f"documents:template_{what}", args=[kind]))
            assert response.status_code == 200 and response["Content-Type"] == DOCX
            assert "attachment" in response["Content-Disposition"]
            open_docx(response.content)
    preview = client.get(reverse("documents:template_preview", args=["notice"])).content
    assert paragraph_with(open_docx(preview), "关于加快推进城中村改造签约腾空工作的通知")


def test_the_office_reads_and_downloads_but_cannot_replace(cast, login_as):
    client = login_as(cast.commander)
    for url in _urls():
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("documents:template_list")).content.decode()
    assert "上传并启用" not in page
    data = docx.default_template("notice")
    response = client.post(reverse("documents:template_upload", args=["notice"]),
                           {"file": SimpleUploadedFile("a.docx", data)})
    assert response.status_code == 404
    assert client.post(reverse("documents:template_revert", args=["notice"])).status_code == 404
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("who", ["leader", "street_user_a", "department_user", "cadre", "resident", "outsider",
                                 "auditor", "security"])
def test_every_other_role_is_told_the_page_does_not_exist(cast, login_as, who):
    client = login_as(getattr(cast, who))
    for url in _urls():
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("documents:template_upload", args=["notice"]),
                           {"file": SimpleUploadedFile("a.docx", docx.default_template("notice"))})
    assert response.status_code == 404
    assert client.post(reverse("documents:template_revert", args=["notice"])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_kind_is_not_found(cast, login_as):
    client = login_as(cast.admin)
    for what in ("current", "default", "preview"):
        assert client.get(reverse(f"documents:template_{what}", args=["memo"])).status_code == 404


def test_uploading_on_the_page_puts_the_template_in_use_and_reverting_takes_it_back(cast, login_as):
    client = login_as(cast.admin)
    data = edited("notice", "{{ issuer }}文件", "{{ issuer }}（区样式）文件")
    response = client.post(reverse("documents:template_upload", args=["notice"]),
                           {"file": SimpleUploadedFile("区红头.docx", data)})
    assert response.status_code == 302
    page = client.get(reverse("documents:template_list")).content.decode()
    assert "区红头.docx" in page and "本区模板" in page and "系统管理员" in page
    assert client.get(reverse("documents:template_current", args=["notice"])).content == data
    preview = open_docx(client.get(reverse("documents:template_preview", args=["notice"])).content)
    assert paragraph_with(preview, "（区样式）文件")
    default = client.get(reverse("documents:template_default", args=["notice"])).content
    assert default == docx.default_template("notice")
    entry = AuditEntry.objects.get(action="document_template.upload")
    assert entry.actor_id == cast.admin.pk and entry.ip

    assert client.post(reverse("documents:template_revert", args=["notice"])).status_code == 302
    assert client.get(reverse("documents:template_current", args=["notice"])).content == docx.default_template("notice")
    assert AuditEntry.objects.filter(action="document_template.revert").count() == 1


def test_a_refused_upload_shows_the_reason_beside_the_file_and_keeps_the_default(cast, login_as):
    client = login_as(cast.admin)
    broken = edited("minutes", "{{ title }}", "{{ title|shout }}")
    response = client.post(reverse("documents:template_upload", args=["minutes"]),
                           {"file": SimpleUploadedFile("坏.docx", broken)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "shout" in text and "不存在的过滤器" in text and 'data-testid="upload-minutes"' in text
    assert client.post(reverse("documents:template_upload", args=["minutes"]), {}).status_code == 400
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("uploads", [0, 6])
def test_the_list_costs_a_fixed_number_of_queries(cast, login_as, django_assert_num_queries, uploads):
    for i in range(uploads):
        kind = list(docx.KINDS)[i % len(docx.KINDS)]
        services.template_upload(actor=cast.admin, kind=kind,
                                 file=SimpleUploadedFile(f"{i}.docx", docx.default_template(kind)))
    client = login_as(cast.admin)
    client.get(reverse("documents:template_list"))  # warm the session and the user's roles
    # session, user, roles and memberships, the second factor, the menu's and page's own reads: the
    # templates themselves are one query whatever their number
    with django_assert_num_queries(8):
        assert client.get(reverse("documents:template_list")).status_code == 200
