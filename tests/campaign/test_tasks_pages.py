"""The task list's pages, API, command, XLSX bulk creation, reminders and home cards."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gaizao.campaign import periodic
from gaizao.campaign.choices import TaskStatus
from gaizao.campaign.importing import template_workbook
from gaizao.campaign.models import Task
from gaizao.campaign.services import campaign as campaign_services
from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.models import Notification
from tests.campaign.helpers import later, make_task

TODAY = timezone.localdate


@pytest.fixture
def campaign(cast):
    return campaign_services.campaign_create(actor=cast.commander, name="2026年攻坚专项行动", year=2026,
                                             starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))


make = make_task


def rest_day() -> dt.date:
    """The first rest day (a weekend or a holiday) a fortnight or more from today."""
    day = TODAY() + dt.timedelta(days=14)
    while calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def overdue(cast, campaign, *, days=3, **kwargs):
    task = make(cast, campaign, **kwargs)
    Task.objects.filter(pk=task.pk).update(deadline=TODAY() - dt.timedelta(days=days))
    task.refresh_from_db()
    return task


# --- pages ----------------------------------------------------------------------------------------

def test_the_list_shows_the_tree_with_overdue_in_red_and_the_deadline_note(cast, campaign, login_as):
    parent = make(cast, campaign, deadline=dt.date(2026, 10, 1), start=dt.date(2026, 9, 1), title="规划条件出具")
    Task.objects.filter(pk=parent.pk).update(deadline=TODAY() - dt.timedelta(days=2))
    make(cast, campaign, actor=SYSTEM, parent=parent, title="子任务甲", start=dt.date(2026, 9, 1),
         deadline=dt.date(2026, 9, 30))
    html = login_as(cast.department_user).get(reverse("campaign:task_list")).content.decode()
    assert "规划条件出具" in html and "子任务甲" in html and "逾期 2 天" in html and "table-danger" in html
    assert "原定 10月1日 为休息日" in html


def test_the_filtered_list_pins_its_query_count(cast, campaign, login_as, django_assert_max_num_queries):
    for i in range(15):
        make(cast, campaign, title=f"任务{i}")
    client = login_as(cast.commander)
    client.get(reverse("campaign:task_list") + "?status=open")  # warm the session
    with django_assert_max_num_queries(14) as first:
        client.get(reverse("campaign:task_list") + "?status=open&overdue=on")
    for i in range(15, 40):
        make(cast, campaign, title=f"任务{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("campaign:task_list") + "?status=open")
    assert response.status_code == 200 and response.context["narrowed"]


@pytest.mark.parametrize("role, status", [("commander", 200), ("leader", 200), ("street_user_a", 200),
                                          ("department_user", 200), ("cadre", 404), ("outsider", 404)])
def test_the_list_is_for_those_who_read_tasks(cast, campaign, login_as, role, status):
    assert login_as(getattr(cast, role)).get(reverse("campaign:task_list")).status_code == status


def test_the_office_creates_a_task_by_working_days_on_the_page(cast, campaign, login_as):
    client = login_as(cast.commander)
    response = client.post(reverse("campaign:task_create"), {
        "title": "融资方案报批", "unit": cast.department.pk, "person": cast.department_user.pk, "workdays": 10,
        "category": "financing", "description": "报区政府常务会审议"})
    task = Task.objects.get(title="融资方案报批")
    assert response.status_code == 302 and response["Location"] == reverse("campaign:task_detail", args=[task.pk])
    assert task.deadline == calendar.add_workdays(TODAY(), 10) and task.person == cast.department_user


def test_a_refused_page_shows_the_reason_beside_the_field(cast, campaign, login_as):
    response = login_as(cast.commander).post(reverse("campaign:task_create"), {
        "title": "x", "unit": cast.department.pk, "person": cast.street_user_a.pk, "deadline": later(5)})
    assert response.status_code == 400 and "责任人" in response.content.decode()
    assert not Task.objects.exists()


def test_a_street_may_not_open_the_new_task_page(cast, campaign, login_as):
    assert login_as(cast.street_user_a).get(reverse("campaign:task_create")).status_code == 404


def test_the_department_notes_and_closes_its_task_on_the_page(cast, campaign, login_as, media):
    task = make(cast, campaign)
    client = login_as(cast.department_user)
    detail = client.get(reverse("campaign:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="note-form"' in detail and 'data-testid="cancel-form"' not in detail
    client.post(reverse("campaign:task_note", args=[task.pk]), {"text": "地块已测绘", "progress": 60})
    response = client.post(reverse("campaign:task_complete", args=[task.pk]), {"done_on": TODAY().isoformat()})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.notes.get().text == "地块已测绘"


def test_a_stale_edit_answers_409(cast, campaign, login_as):
    task = make(cast, campaign)
    client = login_as(cast.commander)
    data = {"version": task.version, "title": "新名称", "unit": cast.department.pk, "category": "general"}
    assert client.post(reverse("campaign:task_edit", args=[task.pk]), data).status_code == 302
    assert client.post(reverse("campaign:task_edit", args=[task.pk]), {**data, "title": "再改"}).status_code == 409


def test_a_street_breaks_its_task_down_on_the_page(cast, campaign, login_as):
    task = make(cast, campaign, unit=cast.street_a, deadline=later(30))
    client = login_as(cast.street_user_a)
    assert client.get(reverse("campaign:task_subtask", args=[task.pk])).status_code == 200
    response = client.post(reverse("campaign:task_subtask", args=[task.pk]), {
        "title": "东湖村入户摸底", "unit": cast.street_a.pk, "deadline": later(10), "category": "general"})
    assert response.status_code == 302
    assert Task.objects.get(title="东湖村入户摸底").parent == task


# --- API ------------------------------------------------------------------------------------------

def test_the_api_creates_lists_patches_notes_and_completes(cast, campaign, login_as):
    client = login_as(cast.commander)
    created = client.post("/api/campaign/tasks", json.dumps({
        "campaign_id": campaign.pk, "title": "四通一平", "unit_id": cast.department.pk, "workdays": 5,
        "category": "site"}), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["deadline"] == calendar.add_workdays(TODAY(), 5).isoformat()
    refused = client.post("/api/campaign/tasks", json.dumps({
        "campaign_id": campaign.pk, "title": "x", "unit_id": cast.community_a.pk, "deadline": later(3).isoformat()}),
        content_type="application/json")
    assert refused.status_code == 400 and "unit_id" in refused.json()["fields"] and "责任单位" in refused.json()["message"]
    listed = client.get(f"/api/campaign/tasks?campaign={campaign.pk}&status=open").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    patched = client.patch(f"/api/campaign/tasks/{body['id']}",
                           json.dumps({"version": body["version"], "title": "四通一平（一期）"}), content_type="application/json")
    assert patched.status_code == 200 and patched.json()["title"] == "四通一平（一期）"
    stale = client.patch(f"/api/campaign/tasks/{body['id']}", json.dumps({"version": body["version"], "title": "x"}),
                         content_type="application/json")
    assert stale.status_code == 409
    dept = login_as(cast.department_user)
    note = dept.post(f"/api/campaign/tasks/{body['id']}/notes", json.dumps({"text": "已开工", "progress": 50}),
                     content_type="application/json")
    assert note.status_code == 201 and note.json()["progress"] == 50
    done = dept.post(f"/api/campaign/tasks/{body['id']}/complete", "{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done" and len(done.json()["notes"]) == 1


def test_the_api_hides_tasks_out_of_scope(cast, campaign, login_as):
    task = make(cast, campaign, unit=cast.street_b)
    client = login_as(cast.street_user_a)
    assert client.get(f"/api/campaign/tasks/{task.pk}").status_code == 404
    assert client.get("/api/campaign/tasks").json()["items"] == []


# --- the command ----------------------------------------------------------------------------------

def test_the_overdue_command_lists_unit_title_deadline_days_and_person(cast, campaign, capsys):
    late = overdue(cast, campaign, days=6, person=cast.department_user, title="税费减免落实")
    make(cast, campaign, title="未到期")
    call_command("tasks", "overdue")
    out = capsys.readouterr().out
    assert "住房和城乡建设局" in out and "税费减免落实" in out and "逾期 6 天" in out and "赵住建" in out
    assert "未到期" not in out
    call_command("tasks", "overdue", "--campaign", str(campaign.pk), "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["days_overdue"], r["person"]) for r in rows] == [(late.pk, 6, "赵住建")]


def test_the_overdue_command_refuses_an_unknown_campaign(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("tasks", "overdue", "--campaign", "999")


# --- reminders ------------------------------------------------------------------------------------

def test_reminders_three_working_days_before_and_the_day_after_never_twice(cast, campaign):
    soon = make(cast, campaign, deadline=calendar.add_workdays(TODAY(), 2), person=cast.department_user, title="临期任务")
    late = overdue(cast, campaign, days=1, unit=cast.street_a, title="逾期任务")
    make(cast, campaign, deadline=later(40), title="远期任务")
    Notification.objects.all().delete()  # the assignment notices
    assert periodic.task_reminders() == 2
    assert Notification.objects.get(recipient=cast.department_user).key == \
        f"task:{soon.pk}:due3:{soon.deadline:%Y%m%d}@{cast.department_user.pk}"
    assert "逾期任务" in Notification.objects.get(recipient=cast.street_user_a).title
    assert periodic.task_reminders() == 0  # the next hour: nothing new
    Task.objects.filter(pk=late.pk).update(status=TaskStatus.DONE)
    assert periodic.task_reminders() == 0


def test_a_moved_deadline_gets_its_own_reminder(cast, campaign):
    task = make(cast, campaign, deadline=calendar.add_workdays(TODAY(), 1), person=cast.department_user)
    periodic.task_reminders()
    Task.objects.filter(pk=task.pk).update(deadline=calendar.add_workdays(TODAY(), 2))
    assert periodic.task_reminders() == 1


def test_the_reminders_are_on_the_schedule():
    from gaizao.core import schedule

    entry = schedule.get("campaign.task_reminders")
    assert entry.every == dt.timedelta(hours=1) and entry.function() is periodic.task_reminders
    assert entry.run == "gaizao.campaign.periodic.task_reminders"


# --- home cards -----------------------------------------------------------------------------------

def test_the_department_home_lists_its_open_tasks_overdue_first(cast, campaign, login_as):
    make(cast, campaign, title="临期的规划审批", deadline=later(3))
    overdue(cast, campaign, title="逾期的土地供应")
    make(cast, campaign, unit=cast.street_a, title="街道的任务")
    html = login_as(cast.department_user).get("/").content.decode()
    assert html.index("逾期的土地供应") < html.index("临期的规划审批") and "街道的任务" not in html
    assert "目前没有分派给本部门的任务" not in html


def test_the_street_home_lists_its_tasks_due(cast, campaign, login_as):
    make(cast, campaign, unit=cast.street_a, title="东湖的任务", deadline=later(2))
    html = login_as(cast.street_user_a).get("/").content.decode()
    assert 'data-testid="todo-tasks"' in html and "东湖的任务" in html
    assert 'data-testid="todo-tasks"' not in login_as(cast.department_user).get("/").content.decode()


@pytest.mark.parametrize("who", ["department_user", "street_user_a"])
def test_the_home_cards_cost_the_same_whatever_the_tasks(cast, campaign, login_as, django_assert_max_num_queries, who):
    user = getattr(cast, who)
    unit = cast.department if who == "department_user" else cast.street_a
    client = login_as(user)
    make(cast, campaign, unit=unit, title="一")
    client.get("/")
    with django_assert_max_num_queries(60) as few:
        client.get("/")
    for i in range(20):
        make(cast, campaign, unit=unit, title=f"任务{i}")
        overdue(cast, campaign, unit=unit, title=f"逾期{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


# --- XLSX bulk creation ---------------------------------------------------------------------------

def _xlsx(rows, header=("序号", "任务名称", "责任单位", "责任人", "完成时限", "时限（工作日）", "类别", "上级任务", "城中村",
                        "任务要求")):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "任务清单.xlsx"
    return out


def test_the_template_downloads_with_the_columns(cast, login_as):
    response = login_as(cast.commander).get(reverse("campaign:task_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["序号", "任务名称*", "责任单位*"]
    assert login_as(cast.street_user_a).get(reverse("campaign:task_import_template")).status_code == 404


def test_the_template_itself_imports(cast, campaign, login_as, media):
    # its example units are the demo's: the cast's department stands in for 自然资源局
    cast.department.name = "自然资源局"
    cast.department.save(update_fields=["name"])
    upload = io.BytesIO(template_workbook())
    upload.name = "模板.xlsx"
    response = login_as(cast.commander).post(reverse("campaign:task_import"), {"campaign": campaign.pk, "file": upload})
    assert response.status_code == 200 and not response.context["result"].refused


def test_a_file_is_previewed_then_confirmed_all_at_once(cast, campaign, login_as, media):
    client = login_as(cast.commander)
    file = _xlsx([
        (1, "土地收储", "住房和城乡建设局", "赵住建", rest_day(), None, "土地供应", None, None, "纳入供地计划"),
        (2, "收储测绘", "住房和城乡建设局", None, None, 5, None, 1, None, None),
        (3, "东湖村入户", "东湖街道", None, later(10), None, "一般任务", None, "东湖村", None),
    ])
    preview = client.post(reverse("campaign:task_import"), {"campaign": campaign.pk, "file": file})
    result = preview.context["result"]
    assert [r.reason for r in result.rows] == ["", "", ""]
    assert preview.status_code == 200 and len(result.accepted) == 3 and not Task.objects.exists()
    assert "顺延" in result.rows[0].deadline_note
    confirmed = client.post(reverse("campaign:task_import_confirm"), {
        "token": preview.context["token"], "campaign": campaign.pk, "filename": "任务清单.xlsx"})
    assert confirmed.status_code == 302
    child = Task.objects.get(title="收储测绘")
    assert child.parent.title == "土地收储" and child.depth == 1 and Task.objects.count() == 3


def test_a_file_with_a_refused_row_names_rows_and_reasons_and_writes_nothing(cast, campaign, login_as, media):
    client = login_as(cast.commander)
    file = _xlsx([
        (1, "土地收储", "住房和城乡建设局", None, later(20), None, None, None, None, None),
        (2, "没有单位", "火星街道", None, later(20), None, None, None, None, None),
        (3, "责任人不对", "住房和城乡建设局", "王东湖", later(20), None, None, None, None, None),
        (4, "两种时限", "东湖街道", None, later(20), 5, None, None, None, None),
        (5, "上级不通过", "住房和城乡建设局", None, later(5), None, None, 2, None, None),
        (6, "类别不对", "住房和城乡建设局", None, later(5), None, "吃饭", None, None, None),
    ])
    response = client.post(reverse("campaign:task_import"), {"campaign": campaign.pk, "file": file})
    result = response.context["result"]
    assert response.status_code == 400 and not response.context["token"]
    reasons = {row.row: row.reason for row in result.refused}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "责任单位" in reasons[3] and "责任人" in reasons[4] and "只能填一项" in reasons[5]
    assert "第 3 行" in reasons[6] and "类别" in reasons[7]
    assert not Task.objects.exists() and not Notification.objects.exists()


def test_an_upload_that_is_not_a_spreadsheet_is_refused(cast, campaign, login_as, media):
    bad = io.BytesIO(b"%PDF-1.4 not a sheet")
    bad.name = "任务.xlsx"
    response = login_as(cast.commander).post(reverse("campaign:task_import"), {"campaign": campaign.pk, "file": bad})
    assert response.status_code == 400 and not Task.objects.exists()


def test_a_confirmation_needs_the_users_own_preview(cast, campaign, login_as, media):
    response = login_as(cast.commander).post(reverse("campaign:task_import_confirm"), {
        "token": f"{cast.admin.pk}-abc", "campaign": campaign.pk})
    assert response.status_code == 404


def test_the_tree_page_costs_the_same_whatever_the_tasks(cast, campaign, login_as, django_assert_max_num_queries):
    client = login_as(cast.department_user)
    make(cast, campaign, title="一")
    client.get(reverse("campaign:task_list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("campaign:task_list"))
    for i in range(25):
        parent = make(cast, campaign, title=f"上级{i}", deadline=later(30))
        make(cast, campaign, parent=parent, title=f"下级{i}", deadline=later(10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("campaign:task_list"))
    assert len(response.context["tree"]) == 51


def test_the_api_refuses_an_unknown_status(cast, campaign, login_as):
    response = login_as(cast.commander).get("/api/campaign/tasks?status=nonsense")
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_the_edit_page_keeps_the_deadline_of_an_overdue_task(cast, campaign, login_as):
    task = overdue(cast, campaign, days=3)
    client = login_as(cast.commander)
    form = client.get(reverse("campaign:task_edit", args=[task.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["title"] = "改名后的任务"
    assert client.post(reverse("campaign:task_edit", args=[task.pk]), data).status_code == 302
    task.refresh_from_db()
    assert task.title == "改名后的任务" and task.deadline == TODAY() - dt.timedelta(days=3)


def test_a_task_is_assigned_in_the_campaign_the_list_shows(cast, campaign, login_as):
    older = campaign_services.campaign_create(actor=cast.commander, name="2025年攻坚专项行动", year=2025,
                                              starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))
    client = login_as(cast.commander)
    listed = client.get(reverse("campaign:task_list") + f"?campaign={older.pk}").content.decode()
    assert f"/campaign/tasks/new/?campaign={older.pk}" in listed
    client.post(reverse("campaign:task_create") + f"?campaign={older.pk}", {
        "title": "上年遗留任务", "unit": cast.street_a.pk, "deadline": later(5)})
    assert Task.objects.get(title="上年遗留任务").campaign == older
    assert client.get(reverse("campaign:task_create") + "?campaign=9999").status_code == 404
