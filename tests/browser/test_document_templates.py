"""The 公文模板 page in Chromium: the administrator uploads a broken template (told why, in Chinese, beside
the file), then a good one (in use, named with who and when), then goes back to the default."""

from __future__ import annotations

import pytest

from gaizao.documents.models import DocumentTemplate
from tests.browser.conftest import screenshot
from tests.browser.test_csp import watch
from tests.browser.test_every_role_walk import sign_in, technical_words
from tests.documents.test_template_upload import edited

pytestmark = pytest.mark.browser


def test_the_administrator_replaces_and_restores_a_template(cast, live_server, page, media, tmp_path):
    found = watch(page)
    sign_in(page, live_server.url, cast.admin)
    # the menu names the page (it may sit under a "more" drop-down when the bar is full)
    assert page.locator("a[href='/documents/templates/']").count() >= 1
    page.goto(f"{live_server.url}/documents/templates/")
    assert page.get_by_test_id("document-templates").is_visible()
    assert technical_words(page.inner_text("body")) == []

    broken = tmp_path / "坏红头.docx"
    broken.write_bytes(edited("notice", "{{ title }}", "{{ title "))
    form = page.get_by_test_id("upload-notice")
    form.locator("input[type=file]").set_input_files(str(broken))
    form.get_by_role("button", name="上传并启用").click()
    page.wait_for_load_state()
    error = page.get_by_test_id("upload-notice").inner_text()
    assert "缺少结束的" in error and "{{ title" in error
    screenshot(page, "documents-template-refused")
    assert not DocumentTemplate.objects.exists()

    good = tmp_path / "云溪红头.docx"
    good.write_bytes(edited("notice", "{{ issuer }}文件", "{{ issuer }}（云溪）文件"))
    form = page.get_by_test_id("upload-notice")
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_role("button", name="上传并启用").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-kind=notice]").inner_text()
    assert "本区模板" in row and "云溪红头.docx" in row and "系统管理员" in row
    screenshot(page, "documents-template-in-use")

    page.locator("tr[data-kind=notice]").get_by_role("button", name="恢复默认模板").click()
    page.wait_for_load_state()
    assert "系统默认" in page.locator("tr[data-kind=notice]").inner_text()
    assert not DocumentTemplate.objects.filter(active=True).exists()
    # the refused upload answered 400 (the form again with its error), which Chromium logs; nothing else
    assert [f for f in found if "status of 400" not in f or "/upload/" not in f] == []
