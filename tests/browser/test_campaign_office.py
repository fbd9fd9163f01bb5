"""The office launches a campaign in the browser: creates it, splits the targets across the streets (the
goal they do not add up to shows its difference), sets a milestone, drafts the 责任书, issues one and
uploads the signed scan (in force), then raises that street's target: a second version waits as a draft
while the signed one stays in force. The street then sees its own targets with a light."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.campaign.models import Agreement, Campaign, Target
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_office_creates_campaign_splits_targets_and_signs_an_agreement(cast, live_server, page, browser, media,
                                                                        tmp_path):
    base = live_server.url
    today = timezone.localdate()
    sign_in_commander(page, base, cast, "/campaign/")
    page.get_by_test_id("campaign-new").click()
    form = page.get_by_test_id("campaign-form")
    form.get_by_label("名称").fill(f"{today.year}年城中村改造攻坚专项行动")
    form.get_by_label("年度").fill(str(today.year))
    form.get_by_label("开始日期").fill(dt.date(today.year, 1, 1).isoformat())
    form.get_by_label("结束日期").fill(dt.date(today.year, 12, 31).isoformat())
    form.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "已创建攻坚行动" in page.content()
    campaign = Campaign.objects.get()

    # the targets grid: a district goal of 10 signings, 4 + 5 for the streets: the difference shows
    grid = page.get_by_test_id("targets-form")
    grid.locator('input[name="goal_signed"]').fill("10")
    grid.locator(f'input[name="t_{cast.street_a.pk}_signed"]').fill("4")
    grid.locator(f'input[name="t_{cast.street_b.pk}_signed"]').fill("5")
    grid.locator(f'input[name="t_{cast.street_a.pk}_vacated"]').fill("-3")  # refused: nothing is written
    grid.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "大于或等于0" in page.get_by_test_id(f"error-t_{cast.street_a.pk}_vacated").inner_text()
    assert not Target.objects.exists()
    page.get_by_test_id("targets-form").locator(f'input[name="t_{cast.street_a.pk}_vacated"]').fill("")
    page.get_by_test_id("targets-form").get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "已保存 3 项目标" in page.content()
    assert page.get_by_test_id("difference-signed").inner_text() == "（-1）"

    # a milestone, then the overview with the lights
    page.goto(f"{base}/campaign/{campaign.pk}/milestones/")
    milestone = page.get_by_test_id("milestone-form")
    milestone.get_by_label("指标").select_option(label="签约户数")
    milestone.get_by_label("节点日期").fill(dt.date(today.year, 6, 30).isoformat())
    milestone.get_by_label("应完成比例（%）").fill("60")
    milestone.get_by_test_id("save").click()
    page.wait_for_load_state()
    page.goto(f"{base}/campaign/{campaign.pk}/")
    row = page.locator(f'[data-testid=street-targets] tr[data-street="{cast.street_a.code}"]')
    assert row.locator("[data-light]").get_attribute("data-light") in {"green", "yellow", "red"}
    assert page.get_by_test_id("goal-difference").inner_text() == "-1"
    screenshot(page, "campaign-overview-office")

    # 责任书: draft all, issue 东湖街道's, upload the signed scan: in force
    page.get_by_test_id("nav-agreements").click()
    page.get_by_test_id("draft-all").click()
    page.wait_for_load_state()
    assert "2 份" in page.content()
    page.locator(f'[data-testid=agreements] tr[data-street="{cast.street_a.code}"] a').first.click()
    page.get_by_test_id("issue-form").get_by_test_id("issue").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("agreement-status").inner_text() == "已印发"
    scan = tmp_path / "东湖街道责任书.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed and sealed\n")
    sign = page.get_by_test_id("sign-form")
    sign.get_by_label("签字盖章扫描件（PDF、JPG、PNG）").set_input_files(str(scan))
    sign.get_by_test_id("sign").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("agreement-status").inner_text() == "生效"
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    assert download.value.suggested_filename.endswith(".docx")
    screenshot(page, "campaign-agreement-in-force")

    # a target raised after signing: version 2 waits as a draft, version 1 stays in force
    page.goto(f"{base}/campaign/{campaign.pk}/targets/")
    page.get_by_test_id("targets-form").locator(f'input[name="t_{cast.street_a.pk}_signed"]').fill("5")
    page.get_by_test_id("targets-form").get_by_label("调整原因").fill("调度会议定增加 1 户")
    page.get_by_test_id("targets-form").get_by_test_id("save").click()
    page.wait_for_load_state()
    v1, v2 = Agreement.objects.filter(street=cast.street_a).order_by("version")
    assert (v1.status, v2.status, v2.change_reason) == ("in_force", "draft", "调度会议定增加 1 户")
    page.goto(f"{base}/campaign/agreements/{v2.pk}/")
    assert "调度会议定增加 1 户" in page.content()
    assert page.get_by_test_id("versions").locator("a").count() == 2

    # the street: its own targets only, with a light
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    street = context.new_page()
    street.goto(f"{base}/account/login/?next=/campaign/")
    street.get_by_label("用户名").fill("street_a")
    street.get_by_label("密码").fill(PASSWORD)
    street.get_by_role("button", name="登录").click()
    street.wait_for_url(f"{base}/campaign/{campaign.pk}/")
    rows = street.locator("[data-testid=street-targets] tr[data-street]")
    assert {rows.nth(i).get_attribute("data-street") for i in range(rows.count())} == {cast.street_a.code}
    context.close()
