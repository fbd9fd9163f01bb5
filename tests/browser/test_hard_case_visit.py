"""A cadre (包户干部) signs in, opens their hard case, records a visit with the next visit date,
sees it in the log, and the list's 「距上次走访」 starts again from today. On a phone (390 × 844) the
cadre takes a photo with the camera input and sees its thumbnail; nothing is wider than the screen."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.utils import timezone
from PIL import Image

from gaizao.progress.models import HardCase, VisitPhoto
from gaizao.progress.services import hardcase_open, visit_record
from tests.browser.conftest import nav, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_cadre_records_a_visit_on_their_hard_case(cast, live_server, page):
    today = timezone.localdate()
    case = hardcase_open(actor=cast.street_user_a, household=cast.household_a1, reason="price",
                         strategy="请评估公司上门解释评估方法", opened_on=today - dt.timedelta(days=20))
    visit_record(actor=cast.cadre, hard_case=case, visited_on=today - dt.timedelta(days=10), talk="户主嫌价格低")
    # another household's case, not the cadre's: must not show
    hardcase_open(actor=cast.street_user_a, household=cast.household_a2, reason="family",
                  opened_on=today - dt.timedelta(days=3))

    page.goto(live_server.url + "/account/login/")
    page.get_by_label("用户名").fill("cadre")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")

    nav(page, "攻坚户").click()
    page.wait_for_load_state()
    table = page.get_by_test_id("hardcase-table")
    assert "DH-001" in table.inner_text() and "DH-002" not in table.inner_text()
    row = page.get_by_test_id("hardcase-row-DH-001")
    assert row.get_by_test_id("days-since-visit").inner_text() == "距上次走访 10 天"

    row.get_by_role("link", name="DH-001").click()
    page.wait_for_load_state()
    assert "请评估公司上门解释评估方法" in page.get_by_test_id("strategy").inner_text()
    next_visit = today + dt.timedelta(days=7)
    form = page.get_by_test_id("visit-form")
    form.get_by_label("走访日期").fill(today.isoformat())
    form.get_by_label("参加人员").fill("陈包户、村委王主任")
    form.get_by_label("沟通情况").fill("户主同意再看一次评估报告")
    form.get_by_label("下一步措施").fill("约评估公司周五上门")
    form.get_by_label("计划下次走访").fill(next_visit.isoformat())
    form.get_by_test_id("save-visit").click()
    page.wait_for_load_state()

    log = page.get_by_test_id("visit-log").inner_text()
    assert log.index("户主同意再看一次评估报告") < log.index("户主嫌价格低")  # newest first
    assert page.get_by_test_id("next-visit").inner_text() == next_visit.isoformat()
    assert "已记录走访" in page.content()
    screenshot(page, "hard-case-visit-recorded")
    case.refresh_from_db()
    assert (case.last_visit_on, case.next_visit_on) == (today, next_visit)
    assert HardCase.objects.get(pk=case.pk).visits.count() == 2

    nav(page, "攻坚户").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("hardcase-row-DH-001")
    assert row.get_by_test_id("days-since-visit").inner_text() == "距上次走访 0 天"
    assert next_visit.isoformat() in row.inner_text()
    screenshot(page, "hard-case-list-after-visit")


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _camera_photo() -> bytes:
    """A phone's photo: 3000 × 2000, sideways in EXIF (orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (90, 140, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_cadre_on_a_phone_takes_a_photo_during_a_visit_and_sees_its_thumbnail(cast, live_server, phone, media):
    today = timezone.localdate()
    case = hardcase_open(actor=cast.street_user_a, household=cast.household_a1, reason="price",
                         strategy="请评估公司上门解释评估方法；" + "长说明" * 60, opened_on=today - dt.timedelta(days=20))
    visit_record(actor=cast.cadre, hard_case=case, visited_on=today - dt.timedelta(days=10),
                 talk="户主嫌价格低" + "，" * 5 + "A" * 120, visitors="陈包户、村委王主任、评估公司李工、街道张科长")

    phone.goto(live_server.url + f"/account/login/?next=/progress/hardcases/{case.pk}/")
    phone.get_by_label("用户名").fill("cadre")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(live_server.url + f"/progress/hardcases/{case.pk}/")
    assert _no_sideways_scroll(phone)

    form = phone.get_by_test_id("visit-form")
    camera = form.get_by_label("现场照片")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("multiple") is not None
    form.get_by_label("沟通情况").fill("户主带我们看了漏水的屋顶")
    camera.set_input_files([{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": _camera_photo()}])
    form.get_by_test_id("save-visit").click()
    phone.wait_for_load_state()

    assert "已记录走访" in phone.content()
    photo = VisitPhoto.objects.get()
    assert (photo.name, photo.width, photo.height) == ("IMG_2041.jpg", 1067, 1600)  # upright, resized
    thumbnail = phone.get_by_test_id("visit-photo")
    assert thumbnail.count() == 1
    thumbnail.scroll_into_view_if_needed()
    # the image loaded (polled from here: the page's CSP refuses wait_for_function's evaluated string,
    # which Playwright falls back to when the first check is not yet true)
    deadline = time.monotonic() + 15
    while thumbnail.evaluate("img => img.naturalWidth") == 0:
        assert time.monotonic() < deadline, "the thumbnail never loaded"
        phone.wait_for_timeout(100)
    box = thumbnail.bounding_box()
    assert box["width"] <= 100 and box["x"] + box["width"] <= 390
    assert _no_sideways_scroll(phone)
    screenshot(phone, "hard-case-visit-photo-phone")

    opened = phone.request.get(live_server.url + f"/progress/hardcases/photos/{photo.pk}/")
    assert opened.status == 200 and opened.headers["content-type"] == "image/jpeg"

    # The list beside it: its wide table scrolls inside its card, never the page.
    nav(phone, "攻坚户").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("hardcase-row-DH-001").count() == 1
    assert _no_sideways_scroll(phone)


def test_the_street_sees_the_whole_case_page_on_a_phone_without_sideways_scrolling(cast, live_server, phone):
    case = hardcase_open(actor=cast.street_user_a, household=cast.household_a2, reason="family",
                         reason_detail="兄弟三人对分户面积有争议" * 10, strategy="请村委出面调解" * 20,
                         opened_on=timezone.localdate() - dt.timedelta(days=5))
    phone.goto(live_server.url + f"/account/login/?next=/progress/hardcases/{case.pk}/")
    phone.get_by_label("用户名").fill("street_a")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(live_server.url + f"/progress/hardcases/{case.pk}/")
    for form in ("visit-form", "edit-form", "close-form"):  # the street edits and closes here too
        assert phone.get_by_test_id(form).is_visible()
    assert _no_sideways_scroll(phone)
    screenshot(phone, "hard-case-street-phone")

    # Listing another household (列为攻坚户) on a phone.
    phone.goto(live_server.url + f"/progress/households/{cast.household_a1.pk}/hardcase/")
    assert phone.get_by_label("一户一策").is_visible()
    assert _no_sideways_scroll(phone)
