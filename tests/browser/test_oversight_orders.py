"""督办 in the browser: the office raises an order from a red light on the 待督办 page and submits it,
the leader approves it (issued with its number and deadline), the street signs for it and answers with
an evidence file, the office verifies and closes it (销号). Status and colour are checked at each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.campaign.services import campaign as campaign_services
from gaizao.core import calendar
from gaizao.oversight.models import SupervisionOrder
from tests.browser.conftest import nav, screenshot
from tests.browser.test_every_role_walk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media")]


def _state(page) -> tuple[str, str]:
    return (page.get_by_test_id("order-status").first.get_attribute("data-status"),
            page.locator("h2 [data-testid=order-colour], .page-title [data-testid=order-colour]").first
            .get_attribute("data-colour"))


def _user_page(browser, base, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, base, user)
    return context, page


def test_office_raises_from_a_red_light_leader_approves_street_answers_office_closes(cast, live_server, page,
                                                                                    browser):
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(actor=cast.commander, name="2026年城中村改造攻坚专项行动",
                                                 year=today.year, starts_on=today - dt.timedelta(days=100),
                                                 ends_on=today + dt.timedelta(days=100))
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="10")
    campaign_services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today,
                                    rate="35")
    base = live_server.url

    # the office: 待督办 lists the red light; one click makes the draft and opens it
    sign_in(page, base, cast.commander)
    nav(page, "待督办").click()
    page.wait_for_load_state()
    candidate = page.get_by_test_id("candidate").filter(has_text="东湖街道签约户数红灯")
    assert "落后 35 个百分点" in candidate.inner_text()
    screenshot(page, "oversight-order-candidates")
    candidate.get_by_test_id("raise-order").click()
    page.wait_for_load_state()
    assert "东湖街道签约户数落后序时进度 35 个百分点" in page.locator(".page-title").inner_text()
    assert _state(page) == ("draft", "none")
    order = SupervisionOrder.objects.get()
    page.get_by_test_id("submit-form-button").click()
    page.wait_for_load_state()
    assert _state(page) == ("review", "none")

    # the leader approves: issued, numbered, the deadline counted in working days
    context, leader = _user_page(browser, base, cast.leader)
    leader.goto(f"{base}/oversight/orders/{order.pk}/")
    leader.get_by_test_id("review-form").get_by_label("同意下发").check()
    leader.get_by_test_id("review-form-button").click()
    leader.wait_for_load_state()
    assert _state(leader) == ("issued", "none")
    order.refresh_from_db()
    assert leader.get_by_test_id("order-number").inner_text() == f"督办〔{today.year}〕1号"
    assert leader.get_by_test_id("order-deadline").inner_text() == calendar.add_workdays(today, 5).isoformat()
    context.close()

    # the street: finds it in 督办单, signs for it, answers with an evidence file
    context, street = _user_page(browser, base, cast.street_user_a)
    nav(street, "督办单").click()
    street.wait_for_load_state()
    street.get_by_test_id("order-row").get_by_role("link", name="东湖街道签约户数落后序时进度 35 个百分点").click()
    street.wait_for_load_state()
    street.get_by_test_id("receive-form-button").click()
    street.wait_for_load_state()
    assert _state(street) == ("received", "none")
    form = street.get_by_test_id("feedback-form")
    form.get_by_label("办理情况").fill("已召开专题会，逐户落实包户干部，本周新签约 4 户。")
    form.get_by_label("佐证材料").set_input_files(
        [{"name": "签约台账.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ledger"}])
    street.get_by_test_id("feedback-form-button").click()
    street.wait_for_load_state()
    assert _state(street) == ("feedback", "none")
    assert "签约台账.pdf" in street.get_by_test_id("evidence").inner_text()
    assert street.get_by_test_id("verify-form").count() == 0
    screenshot(street, "oversight-order-fed-back")
    context.close()

    # the office verifies and closes it
    page.goto(f"{base}/oversight/orders/{order.pk}/")
    assert "本周新签约 4 户" in page.get_by_test_id("order-feedback").inner_text()
    page.get_by_test_id("verify-form").get_by_label("通过，销号").check()
    page.get_by_test_id("verify-form-button").click()
    page.wait_for_load_state()
    assert _state(page) == ("closed", "done")
    assert "核验通过，督办单销号" in page.get_by_test_id("history").inner_text()
    screenshot(page, "oversight-order-closed")
    nav(page, "督办单").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("count-done").inner_text() == "1"
    screenshot(page, "oversight-order-list")

    # the street reads it on a phone: nothing scrolls sideways
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in(phone, base, cast.street_user_a)
    for url in (f"/oversight/orders/{order.pk}/", "/oversight/orders/"):
        phone.goto(base + url)
        wide = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1], (url, wide)
    screenshot(phone, "oversight-order-list-phone")
    context.close()
