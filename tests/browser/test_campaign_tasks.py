"""The office assigns a task to a department on the page; the department's user finds it on the home
page and behind the bell (站内通知), reports progress and closes it; the office sees it done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gaizao.campaign.models import Task
from gaizao.campaign.services.campaign import campaign_create
from gaizao.core import calendar
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard import sign_in_commander
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_office_assigns_department_notes_and_closes(cast, live_server, page, browser):
    today = timezone.localdate()
    campaign_create(actor=cast.commander, name="2026年城中村改造攻坚专项行动", year=today.year,
                    starts_on=today - dt.timedelta(days=100), ends_on=today + dt.timedelta(days=200))
    base = live_server.url

    # the office: a new task for the department, due in 5 working days
    sign_in_commander(page, base, cast, "/campaign/tasks/")
    page.get_by_test_id("task-new").click()
    form = page.get_by_test_id("task-form")
    form.get_by_label("任务名称").fill("东湖村一期规划条件出具")
    form.get_by_label("责任单位").select_option(label="住房和城乡建设局（部门）")
    form.get_by_label("责任人").select_option(label="赵住建（住房和城乡建设局）")
    form.get_by_label("或：时限（工作日）").fill("5")
    form.get_by_label("类别").select_option(label="规划审批")
    form.get_by_test_id("save-task").click()
    page.wait_for_load_state()
    assert "已交办任务" in page.content()
    due = calendar.add_workdays(today, 5)
    assert page.get_by_test_id("task-deadline").inner_text().startswith(due.isoformat())
    task = Task.objects.get(title="东湖村一期规划条件出具")

    # the department: its home lists the task; the bell has the notice
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    dept = context.new_page()
    dept.set_default_timeout(15000)
    dept.goto(f"{base}/account/login/")
    dept.get_by_label("用户名").fill("dept")
    dept.get_by_label("密码").fill(PASSWORD)
    dept.get_by_role("button", name="登录").click()
    dept.wait_for_url(base + "/")
    card = dept.get_by_test_id("todo-department")
    assert "东湖村一期规划条件出具" in card.inner_text()
    expect(dept.get_by_test_id("notification-bell")).to_contain_text("1")  # the unread count, read by htmx
    screenshot(dept, "campaign-task-department-home")
    dept.get_by_test_id("notification-bell").click()
    dept.wait_for_load_state()
    assert "新任务：东湖村一期规划条件出具" in dept.content()

    # it opens the task, reports progress and closes it
    dept.goto(f"{base}/")
    dept.get_by_test_id(f"home-task-{task.pk}").click()
    dept.wait_for_load_state()
    note = dept.get_by_test_id("note-form")
    note.get_by_label("进展情况").fill("已完成现场踏勘，规划条件初稿已拟定")
    note.get_by_label("完成进度（%）").fill("80")
    note.get_by_test_id("save-note").click()
    dept.wait_for_load_state()
    assert "已完成现场踏勘" in dept.get_by_test_id("notes").inner_text()
    assert dept.get_by_test_id("task-progress").inner_text() == "80%"
    dept.get_by_test_id("complete-form").get_by_label("办结说明").fill("规划条件已出具")
    dept.get_by_test_id("complete-task").click()
    dept.wait_for_load_state()
    assert "任务已办结" in dept.content() and dept.get_by_test_id("task-status").inner_text() == "已完成"
    screenshot(dept, "campaign-task-done")
    context.close()

    # the office sees it done in the list
    page.goto(f"{base}/campaign/tasks/")
    assert "已完成" in page.get_by_test_id(f"task-row-{task.pk}").inner_text()
    task.refresh_from_db()
    assert task.status == "done" and task.done_on == today and task.progress == 100
