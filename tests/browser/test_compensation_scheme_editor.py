"""The office writes a project's compensation scheme in the browser: the editor highlights the TOML with line
numbers; a scheme with a mistake is checked (检查) and the problem's line is named and marked; the mistake is
fixed, the check calculates the project's households, the draft is saved and published (then read only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Scheme, Valuation
from gaizao.compensation.samples import scheme_text
from gaizao.ledger.models import Project
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_office_writes_checks_fixes_saves_and_publishes_a_scheme(cast, live_server, page):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=dt.date(2026, 3, 1))
    Valuation.objects.create(household=cast.household_a1, building=cast.household_a1.buildings.get(),
                             unit_price=Decimal("5200"), decoration=Decimal("30000"), valued_on=dt.date(2026, 2, 1),
                             valuer="某评估公司")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    base = live_server.url
    start = f"/compensation/projects/{cast.project_a.pk}/schemes/new/"
    sign_in_commander(page, base, cast, start)

    good = scheme_text("money", project=cast.project_a.name)
    broken = good.replace('formula = "house_value"', 'formula = "house_valu"')  # line 40
    text = page.locator("textarea[data-scheme-editor]")
    text.fill(broken)
    # highlighted (Prism's TOML tokens) with a line number for each line
    expect(page.locator(".scheme-highlight .token.table").first).to_be_visible()
    assert page.locator(".scheme-gutter").inner_text().split()[-1] == str(broken.count("\n") + 1)  # the last, empty one

    page.get_by_test_id("check").click()
    problem = page.get_by_test_id("problem").first
    expect(problem).to_contain_text("第 40 行")
    expect(problem).to_contain_text("house_valu")
    expect(page.locator('.scheme-mark[data-line="40"]')).to_have_count(1)
    assert page.url == base + start  # answered in place (htmx), not by the page a browser without script gets
    assert "\u25B640" in page.locator(".scheme-gutter").inner_text()
    screenshot(page, "compensation-scheme-check-problem")

    text.fill(good)
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    expect(page.get_by_test_id("sample").first).to_contain_text(cast.household_a1.number)
    expect(page.get_by_test_id("sample-total").first).to_be_visible()
    expect(page.locator(".scheme-mark")).to_have_count(0)

    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "已保存第 1 版草稿" in page.content()
    scheme = Scheme.objects.get()
    assert scheme.text == good and scheme.status == SchemeStatus.DRAFT

    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("scheme-status")).to_have_text("已发布")
    assert "readonly" in (page.locator("textarea[data-scheme-editor]").get_attribute("readonly") or "readonly")
    expect(page.get_by_test_id("save")).to_have_count(0)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED and page.get_by_test_id("digest").inner_text() == scheme.digest
    screenshot(page, "compensation-scheme-published")
    assert not errors, errors


def test_a_street_calculates_a_household_and_each_amount_opens_to_its_formula(cast, live_server, page):
    from gaizao.compensation.models import Calculation
    from tests.compensation.samples_schemes import published

    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=dt.date(2026, 3, 1))
    published(Project.objects.get(pk=cast.project_a.pk))
    Valuation.objects.create(household=cast.household_a1, building=cast.household_a1.buildings.get(),
                             unit_price=Decimal("5200"), decoration=Decimal("30000"), valued_on=dt.date(2026, 2, 1),
                             valuer="某评估公司")
    base = live_server.url
    page.goto(f"{base}/account/login/?next=/ledger/households/{cast.household_a1.pk}/")
    page.get_by_label("用户名").fill("street_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/ledger/households/{cast.household_a1.pk}/")

    panel = page.get_by_test_id("calculation-panel")
    panel.get_by_test_id("calculate").click()
    page.wait_for_load_state()
    assert Calculation.objects.filter(household=cast.household_a1, current=True).count() == 1
    item = page.get_by_test_id("calculation-panel").get_by_test_id("item-building_value")
    expect(item.get_by_test_id("formula")).not_to_be_visible()
    item.locator("summary").click()
    expect(item.get_by_test_id("formula")).to_be_visible()
    expect(item.get_by_test_id("input").first).to_be_visible()
    expect(item).to_contain_text("house_value = 656600")
    expect(item).to_contain_text("legal_area * unit_price + decoration")  # the value's own formula
    screenshot(page, "compensation-household-panel")


def test_without_javascript_the_editor_is_a_plain_textarea_and_check_answers_with_the_page(cast, live_server,
                                                                                            browser):
    from tests.compensation.samples_schemes import draft

    scheme = draft(cast.project_a)
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        base = live_server.url
        page.goto(f"{base}/account/login/?next=/compensation/schemes/{scheme.pk}/")
        page.get_by_label("用户名").fill("street_a")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/compensation/schemes/{scheme.pk}/")
        assert page.locator(".scheme-gutter").count() == 0  # no script: no overlay
        expect(page.locator("textarea[data-scheme-editor]")).to_be_visible()
        page.get_by_test_id("check").click()
        page.wait_for_url(f"{base}/compensation/projects/{cast.project_a.pk}/schemes/check/")
        expect(page.get_by_test_id("check-ok")).to_be_visible()
        assert page.locator("textarea[data-scheme-editor]").input_value() == scheme.text
    finally:
        context.close()
