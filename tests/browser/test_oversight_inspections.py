"""In the browser: the office records an inspection and a finding with a photo; the street finds it on the
rectification list, submits its fix with a photo; the office verifies it and it leaves the open list."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from gaizao.oversight.choices import FindingStatus
from gaizao.oversight.models import Finding
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _picture(tmp_path, name: str, colour: str):
    path = tmp_path / name
    image = Image.new("RGB", (640, 480), colour)
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_office_inspects_street_fixes_office_verifies(cast, live_server, page, browser, media, tmp_path):  # noqa: F811
    base = live_server.url
    today = timezone.localdate()

    sign_in_commander(page, base, cast, "/oversight/inspections/")
    page.get_by_test_id("inspection-new").click()
    form = page.get_by_test_id("inspection-form")
    form.get_by_label("督查名称").fill("拆除现场安全专项督查")
    form.get_by_label("督查日期").fill(today.isoformat())
    form.get_by_label("督查人员").fill("周指挥、吴督查")
    form.get_by_label("被督查单位").select_option(label=["东湖街道（街道）", "西岭街道（街道）"])
    form.get_by_label("督查地点").fill("东湖村拆除现场")
    form.get_by_test_id("save-inspection").click()
    page.wait_for_load_state()
    assert "已记录督查" in page.content()

    finding_form = page.get_by_test_id("finding-form")
    finding_form.get_by_label("整改责任单位").select_option(label="东湖街道（街道）")
    finding_form.get_by_label("发现问题").fill("拆除现场围挡破损，裸土未覆盖")
    finding_form.get_by_label("整改要求").fill("三个工作日内修复围挡并覆盖")
    finding_form.get_by_label("或：整改时限（工作日）").fill("3")
    finding_form.get_by_label("问题照片").set_input_files(_picture(tmp_path, "现场.jpg", "brown"))
    finding_form.get_by_test_id("save-finding").click()
    page.wait_for_load_state()
    assert "已登记督查问题" in page.content()
    finding = Finding.objects.get()
    assert page.locator(f"#finding-{finding.pk} img").count() == 1
    screenshot(page, "oversight-inspection-office")

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    street = context.new_page()
    street.set_default_timeout(15000)
    street.goto(f"{base}/account/login/?next=/oversight/findings/")
    street.get_by_label("用户名").fill("street_a")
    street.get_by_label("密码").fill(PASSWORD)
    street.get_by_role("button", name="登录").click()
    street.wait_for_url(f"{base}/oversight/findings/")
    assert "拆除现场围挡破损" in street.get_by_test_id("finding-table").inner_text()
    screenshot(street, "oversight-findings-street-phone")
    street.get_by_role("link", name="拆除现场围挡破损，裸土未覆盖").click()
    street.wait_for_load_state()
    fix = street.get_by_test_id("fix-form")
    fix.get_by_label("整改情况").fill("围挡已修复，裸土已全部覆盖")
    fix.get_by_label("整改照片").set_input_files(_picture(tmp_path, "整改后.jpg", "green"))
    fix.get_by_test_id("save-fix").click()
    street.wait_for_load_state()
    assert "已提交整改情况" in street.content()
    assert street.get_by_test_id("fix-photos").locator("img").count() == 1
    context.close()

    page.goto(f"{base}/oversight/findings/{finding.pk}/")
    verify = page.get_by_test_id("verify-form")
    verify.get_by_label("核验结论").select_option(label="通过，销号")
    screenshot(page, "oversight-finding-verify")
    verify.get_by_test_id("save-verify").click()
    page.wait_for_load_state()
    assert "已核验销号" in page.content()
    assert Finding.objects.get().status == FindingStatus.VERIFIED
    page.goto(f"{base}/oversight/findings/")
    assert "拆除现场围挡破损" not in page.get_by_test_id("finding-table").inner_text()
