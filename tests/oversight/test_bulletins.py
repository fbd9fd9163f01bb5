"""The weekly bulletin (工作通报): one ISO week, its figures frozen at the first generation; the period's
bad inputs, a week in the future or without data refused in Chinese; the ranking as published by the
week's end; only the office generates; the command, the pages and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, NotFound
from gaizao.oversight.bulletin_doc import bulletin_docx, bulletin_xlsx
from gaizao.oversight.models import Bulletin, ScoreSheet, SupervisionOrder
from gaizao.oversight.selectors.bulletins import parse_period
from gaizao.oversight.services.bulletins import bulletin_generate
from tests.conftest import login
from tests.oversight.samples_bulletins import WEEK, bulletin_world

LATER = dt.date(2026, 11, 27)  # the Friday after the week: when the office generates it


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def world(cast):
    bulletin_world(cast)
    return cast


# --- the period ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "2026-47", "W47", "2026-11-16", "第47期", "2026-W", None])
def test_a_period_not_written_like_2026_w47_is_refused_in_chinese(text):
    with pytest.raises(AppError) as caught:
        parse_period(text)
    assert "期别应为 2026-W47 的形式" in caught.value.message
    assert caught.value.fields["period"]


def test_a_week_the_year_does_not_have_is_refused():
    with pytest.raises(AppError) as caught:
        parse_period("2026-W54")
    assert "2026 年没有第 54 周" in caught.value.message


def test_a_period_is_an_iso_week_from_monday_to_sunday():
    week = parse_period("2026w47")
    assert (week.period, week.starts_on, week.ends_on) == ("2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert parse_period("2027-W1").period == "2027-W01"


def test_a_week_in_the_future_is_refused(world):
    with pytest.raises(AppError) as caught:
        bulletin_generate(actor=SYSTEM, period="2026-W50", today=LATER)
    assert "尚未开始，不能生成未来的通报" in caught.value.message
    assert not Bulletin.objects.exists()


def test_a_week_before_the_campaign_started_has_no_data(world):
    with pytest.raises(AppError) as caught:
        bulletin_generate(actor=SYSTEM, period="2025-W47", today=LATER)
    assert "没有数据" in caught.value.message and "攻坚行动尚未开始" in caught.value.message
    assert not Bulletin.objects.exists()


def test_a_week_with_no_progress_recorded_has_no_data(cast):
    from gaizao.campaign.services.campaign import campaign_create
    from gaizao.progress.models import Rollup

    campaign_create(actor=SYSTEM, name="空行动", year=2026, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    Rollup.objects.all().delete()
    with pytest.raises(AppError) as caught:
        bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    assert "尚未录入任何进度" in caught.value.message
    assert not Bulletin.objects.exists()


# --- what it says, frozen ------------------------------------------------------------------------------------

def test_the_bulletin_carries_progress_ranking_lists_overdue_tasks_orders_findings_and_next_steps(world):
    bulletin, created = bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    assert created and bulletin.number == "改造办通〔2026〕47号"
    assert bulletin.title == "城中村改造攻坚专项行动工作通报（2026年第47期）"
    assert (bulletin.starts_on, bulletin.ends_on) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    text = _text(bulletin_docx(bulletin.data))
    for expected in ("改造办通〔2026〕47号", "一、总体进展", "全区签约户数1户（目标3户），完成率33.33%",
                     "亮红灯的街道：西岭街道", "二、考核排名及红黑榜", "列入红榜的：东湖街道", "列入黑榜的：西岭街道",
                     "92.50", "三、逾期任务", "西岭村征收补偿方案报批", "四、督办事项", "红色（超期）1件",
                     "西岭村签约滞后督办", "五、督查问题整改", "西岭村拆除现场围挡不全", "六、下步工作",
                     "（一）对西岭街道进度滞后的街道", "2026年11月27日"):
        assert expected in text, expected


def test_generating_again_gives_the_same_document_whatever_changed_since(world):
    first, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    before = _text(bulletin_docx(Bulletin.objects.get(pk=first.pk).data))
    # the world moves on: a new red order, the score sheet gone, a later day
    SupervisionOrder.objects.create(title="新的督办", unit=world.street_a, requirement="立即整改", deadline_workdays=1,
                                    deadline=dt.date(2026, 11, 18), status="issued", issued_on=dt.date(2026, 11, 17))
    ScoreSheet.objects.all().delete()
    again, created = bulletin_generate(actor=SYSTEM, period=WEEK, today=dt.date(2026, 12, 5))
    assert not created and again.pk == first.pk
    assert _text(bulletin_docx(again.data)) == before
    assert Bulletin.objects.count() == 1


def test_the_ranking_is_the_sheet_published_by_the_weeks_end_in_the_version_in_force_then(world):
    from django.utils import timezone

    sheet = ScoreSheet.objects.get()
    rows = [dict(r) for r in sheet.rows]
    rows[0]["total"] = "99.00"
    later = ScoreSheet.objects.create(scheme=sheet.scheme, period=sheet.period, starts_on=sheet.starts_on,
                                      ends_on=sheet.ends_on, version=2, status="superseded", rows=rows,
                                      reason="复核更正")
    ScoreSheet.objects.filter(pk=later.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 11, 25, 9)))
    bulletin, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    assert bulletin.data["rankings"][0]["version"] == 1
    assert bulletin.data["rankings"][0]["rows"][0]["total"] == "92.50"


def test_without_a_published_sheet_the_bulletin_says_there_is_no_ranking(cast):
    bulletin_world(cast, sheet=False)
    bulletin, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    assert bulletin.data["rankings"] == []
    assert "尚无已发布的考核结果，本期不作排名" in _text(bulletin_docx(bulletin.data))


def test_the_office_writes_its_own_next_steps_at_the_first_generation_only(world):
    bulletin, _created = bulletin_generate(actor=world.commander, period=WEEK, today=LATER,
                                           next_steps="西岭街道12月10日前完成签约\n\n各街道周五报送进度")
    assert bulletin.data["next_steps"] == ["西岭街道12月10日前完成签约", "各街道周五报送进度"]
    assert "（二）各街道周五报送进度" in _text(bulletin_docx(bulletin.data))
    with pytest.raises(AppError) as caught:
        bulletin_generate(actor=world.commander, period=WEEK, next_steps="改一改")
    assert "数据已固定" in caught.value.message and "next_steps" in caught.value.fields


def test_next_steps_with_a_control_character_are_refused(world):
    with pytest.raises(AppError) as caught:
        bulletin_generate(actor=world.commander, period=WEEK, today=LATER, next_steps="下步\x07工作")
    assert caught.value.fields.get("next_steps")
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("role", ["leader", "street_user_a", "department_user", "cadre", "auditor"])
def test_only_the_office_and_the_admin_generate(world, role):
    with pytest.raises(NotFound):
        bulletin_generate(actor=getattr(world, role), period=WEEK, today=LATER)
    assert not Bulletin.objects.exists()


def test_the_generation_is_audited(world):
    from gaizao.core.audit import AuditEntry, action_label

    bulletin, _created = bulletin_generate(actor=world.commander, period=WEEK, today=LATER)
    entry = AuditEntry.objects.filter(action="oversight.bulletin_generate").get()
    assert entry.object_id == str(bulletin.pk) and entry.actor == world.commander
    assert str(action_label("oversight.bulletin_generate")) == "生成工作通报"
    bulletin_generate(actor=world.commander, period=WEEK)  # reading the frozen one writes nothing
    assert AuditEntry.objects.filter(action="oversight.bulletin_generate").count() == 1


def test_the_ranking_table_fits_one_printed_page(world):
    bulletin, _created = bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    sheet = load_workbook(io.BytesIO(bulletin_xlsx(bulletin.data))).active
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    ranked = [row for row in values if row and row[1] in ("东湖街道", "西岭街道")]
    assert ranked[0][:5] == (1, "东湖街道", 92.5, "优秀", "红榜")
    assert ranked[1][4] == "黑榜" and ranked[1][5] == "红灯"


# --- the command ------------------------------------------------------------------------------------------------

def test_the_command_writes_the_docx_and_the_xlsx(world, tmp_path):
    out, table = tmp_path / "通报.docx", tmp_path / "排名.xlsx"
    stdout = io.StringIO()
    call_command("bulletin", "--period", "2026-W47", "--out", str(out), "--xlsx", str(table), stdout=stdout)
    assert "已生成并固定数据" in stdout.getvalue()
    assert "改造办通〔2026〕47号" in _text(out.read_bytes())
    assert load_workbook(table).active["A1"].value == "城中村改造攻坚专项行动工作通报（2026年第47期）"
    call_command("bulletin", "--period", "2026-W47", "--out", str(tmp_path / "again.docx"), stdout=stdout)
    assert _text((tmp_path / "again.docx").read_bytes()) == _text(out.read_bytes())


@pytest.mark.parametrize("period, message", [("2026/47", "期别应为 2026-W47 的形式"), ("2025-W10", "没有数据")])
def test_the_command_exits_1_with_the_chinese_message(world, tmp_path, period, message):
    with pytest.raises(CommandError) as caught:
        call_command("bulletin", "--period", period, "--out", str(tmp_path / "x.docx"))
    assert caught.value.returncode == 1 and message in str(caught.value)
    assert not (tmp_path / "x.docx").exists()


# --- pages and API -------------------------------------------------------------------------------------------------

def test_the_office_generates_from_the_page_and_downloads_both_files(world, client):
    login(client, world.commander)
    page = client.get(reverse("oversight:bulletins"))
    assert page.status_code == 200 and "生成本周通报" in page.content.decode()
    response = client.post(reverse("oversight:bulletin_generate"), {"period": WEEK})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    docx_response = client.get(reverse("oversight:bulletin_docx", args=[bulletin.pk]))
    assert docx_response.status_code == 200 and "改造办通〔2026〕47号" in _text(docx_response.content)
    assert "attachment" in docx_response["Content-Disposition"]
    xlsx_response = client.get(reverse("oversight:bulletin_xlsx", args=[bulletin.pk]))
    assert xlsx_response.status_code == 200 and xlsx_response.content[:2] == b"PK"


def test_a_bad_period_on_the_page_is_shown_beside_the_field(world, client):
    login(client, world.commander)
    response = client.post(reverse("oversight:bulletin_generate"), {"period": "47周"})
    assert response.status_code == 400
    assert "期别应为 2026-W47 的形式" in response.content.decode()
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("role, status", [("leader", 200), ("street_user_a", 200), ("department_user", 200),
                                          ("cadre", 404), ("resident", 404), ("auditor", 404)])
def test_bulletins_are_circulated_to_streets_and_departments_but_only_the_office_generates(world, client, role,
                                                                                          status):
    bulletin_generate(actor=SYSTEM, period=WEEK, today=LATER)
    login(client, getattr(world, role))
    page = client.get(reverse("oversight:bulletins"))
    assert page.status_code == status
    if status == 200:
        assert "生成本周通报" not in page.content.decode()
    assert client.post(reverse("oversight:bulletin_generate"), {"period": "2026-W46"}).status_code == 404
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize("weeks", [1, 3])
def test_the_list_page_costs_the_same_queries_whatever_the_number_of_bulletins(world, client, weeks,
                                                                               django_assert_num_queries):
    for week in range(47 - weeks + 1, 48):
        bulletin_generate(actor=SYSTEM, period=f"2026-W{week}", today=LATER)
    login(client, world.commander)
    # session, user, second factor, roles (4); the bulletins (1); the session saved (3, in a savepoint)
    with django_assert_num_queries(8):
        assert client.get(reverse("oversight:bulletins")).status_code == 200


def test_the_api_lists_generates_and_downloads(world, client):
    login(client, world.commander)
    created = client.post("/api/oversight/bulletins", {"period": WEEK}, content_type="application/json")
    assert created.status_code == 200 and created.json()["created"] is True
    pk = created.json()["bulletin"]["id"]
    assert created.json()["bulletin"]["data"]["number"] == "改造办通〔2026〕47号"
    again = client.post("/api/oversight/bulletins", {"period": WEEK}, content_type="application/json")
    assert again.json()["created"] is False and again.json()["bulletin"]["id"] == pk
    assert [b["period"] for b in client.get("/api/oversight/bulletins").json()] == [WEEK]
    assert client.get(f"/api/oversight/bulletins/{pk}").json()["title"].endswith("（2026年第47期）")
    assert client.get(f"/api/oversight/bulletins/{pk}/docx").content[:2] == b"PK"
    assert client.get(f"/api/oversight/bulletins/{pk}/xlsx").content[:2] == b"PK"
    bad = client.post("/api/oversight/bulletins", {"period": "2026 第47周"}, content_type="application/json")
    assert bad.status_code == 400 and "期别应为 2026-W47 的形式" in bad.json()["message"]
    assert bad.json()["fields"]["period"]


def test_the_api_refuses_generation_to_a_leader_with_404(world, client):
    login(client, world.leader)
    response = client.post("/api/oversight/bulletins", {"period": WEEK}, content_type="application/json")
    assert response.status_code == 404 and not Bulletin.objects.exists()


def test_the_demo_makes_the_bulletins_of_the_last_three_weeks_once(world):
    import random

    from gaizao.campaign.models import Campaign
    from gaizao.demo.oversight_bulletins import demo_bulletins

    campaign = Campaign.objects.get()
    assert demo_bulletins(campaign=campaign, today=dt.date(2026, 12, 6), rng=random.Random(1)) == 3
    assert list(Bulletin.objects.values_list("period", flat=True)) == ["2026-W48", "2026-W47", "2026-W46"]
    assert Bulletin.objects.get(period="2026-W48").data["as_of"] == "2026-11-27"  # generated on its Friday
    assert demo_bulletins(campaign=campaign, today=dt.date(2026, 12, 6), rng=random.Random(1)) == 0


def test_orders_counted_by_group_match_the_colour_rule_order_by_order(world):
    """The counts and the red list read groups of alike orders: they must be what ``order_colour`` says of
    each order, whatever the mix of states, deadlines, returns and feedback days."""
    from django.utils import timezone

    from gaizao.campaign.models import Campaign
    from gaizao.oversight.colours import Clock, order_colour
    from gaizao.oversight.selectors.bulletins import orders_by_colour

    campaign = Campaign.objects.get()
    on = dt.date(2026, 11, 20)
    statuses = ("issued", "received", "handling", "feedback", "returned")
    for i in range(60):
        status = statuses[i % 5]
        deadline = on + dt.timedelta(days=(i % 13) - 6)
        fed = (timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=(i % 3) - 1), dt.time(23, 30)))
               if status == "feedback" else None)
        SupervisionOrder.objects.create(campaign=campaign, title=f"督办{i}", unit=world.street_a, requirement="办",
                                        deadline_workdays=5, deadline=deadline, status=status,
                                        issued_on=on - dt.timedelta(days=i % 9), returned_count=i % 4 == 0,
                                        feedback_at=fed)
    found = orders_by_colour(campaign, on, listed=100)
    clock = Clock.at(on)
    expected = {"red": 0, "yellow": 0, "blue": 0, "none": 0}
    red_ids = []
    for order in SupervisionOrder.objects.filter(status__in=statuses).order_by("deadline", "id"):
        colour = order_colour(order, clock)
        expected[colour] += 1
        if colour == "red":
            red_ids.append(order.pk)
    assert found["by_colour"] == expected and expected["red"] and expected["yellow"] and expected["blue"]
    assert found["overdue_count"] == len(red_ids)
    assert sorted(o["id"] for o in found["overdue"]) == sorted(red_ids)
    few = orders_by_colour(campaign, on, listed=3)["overdue"]
    assert len(few) == 3 and [o["deadline"] for o in few] == sorted(o["deadline"] for o in few)


@pytest.mark.parametrize("weeks", [1, 3])
def test_the_api_list_costs_the_same_queries_whatever_the_number_of_bulletins(world, client, weeks,
                                                                              django_assert_num_queries):
    for week in range(47 - weeks + 1, 48):
        bulletin_generate(actor=SYSTEM, period=f"2026-W{week}", today=LATER)
    login(client, world.street_user_a)
    # session, user, roles (3); the bulletins (1); the session saved (3, in a savepoint)
    with django_assert_num_queries(7):
        response = client.get("/api/oversight/bulletins")
    assert len(response.json()) == weeks


def test_feedback_after_midnight_beijing_time_counts_on_its_local_day(world):
    """Feedback at 01:30 in Beijing on the day after the deadline is 17:30 UTC on the deadline itself: the
    bulletin groups orders by the feedback's local day, as the colour rule reads it, so the order is red."""
    from django.utils import timezone

    from gaizao.campaign.models import Campaign
    from gaizao.oversight.colours import Clock, order_colour
    from gaizao.oversight.selectors.bulletins import orders_by_colour

    campaign = Campaign.objects.get()
    on, deadline = dt.date(2026, 11, 20), dt.date(2026, 11, 17)
    late = timezone.make_aware(dt.datetime(2026, 11, 18, 1, 30))
    before = orders_by_colour(campaign, on, listed=100)["by_colour"]["red"]
    order = SupervisionOrder.objects.create(campaign=campaign, title="午夜后的反馈", unit=world.street_a,
                                            requirement="办", deadline_workdays=5, deadline=deadline,
                                            status="feedback", issued_on=dt.date(2026, 11, 10), feedback_at=late)
    assert order_colour(order, Clock.at(on)) == "red"
    found = orders_by_colour(campaign, on, listed=100)
    assert found["by_colour"]["red"] == before + 1 and order.pk in [o["id"] for o in found["overdue"]]
