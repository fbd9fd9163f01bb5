"""The working-day calendar (工作日历): China's official holidays and adjusted workdays, the office's
local adjustments over them, counting working days forwards and backwards, the page and the command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from gaizao.core import calendar
from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry, CalendarAdjustment

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_official_calendar_knows_holidays_and_adjusted_workdays():
    assert not calendar.is_workday(D(2026, 10, 1))  # 国庆节
    assert calendar.is_workday(D(2026, 10, 10))  # a Saturday worked in exchange (调休上班)
    assert calendar.describe(D(2026, 10, 10)) == (True, "调休上班")
    assert calendar.describe(D(2026, 10, 1)) == (False, "国庆节")
    assert calendar.describe(D(2026, 12, 5)) == (False, "周六")
    assert calendar.describe(D(2026, 12, 7)) == (True, "工作日")


def test_counting_working_days_skips_holidays_both_ways(django_assert_num_queries):
    with django_assert_num_queries(1):  # the local adjustments of the window, once
        assert calendar.add_workdays(D(2026, 9, 29), 2) == D(2026, 10, 8)  # 30 Sep, then over the holiday
    assert calendar.add_workdays(D(2026, 10, 9), -3) == D(2026, 9, 29)
    assert calendar.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)  # Friday → the Saturday worked
    assert calendar.add_workdays(D(2026, 12, 4), 1) == D(2026, 12, 7)  # Friday → Monday
    assert calendar.add_workdays(D(2026, 12, 5), 0) == D(2026, 12, 5)
    assert calendar.next_workday(D(2026, 10, 3)) == D(2026, 10, 8)  # a deadline on a holiday moves
    assert calendar.next_workday(D(2026, 10, 9)) == D(2026, 10, 9)
    with pytest.raises(ValueError, match="不能超过 1000"):
        calendar.add_workdays(D(2026, 1, 1), 5000)


def test_a_local_adjustment_wins_is_audited_and_can_be_taken_back(cast):
    calendar.adjustment_set(actor=cast.commander, day=D(2026, 9, 30), kind="day_off",
                            note="区政府通知：台风停工一天", ip="10.0.0.3")
    assert not calendar.is_workday(D(2026, 9, 30))
    assert calendar.add_workdays(D(2026, 9, 29), 1) == D(2026, 10, 8)
    assert calendar.describe(D(2026, 9, 30)) == (False, "本地调整：区政府通知：台风停工一天")
    calendar.adjustment_set(actor=cast.commander, day=D(2026, 10, 5), kind="workday", note="集中签约日加班")
    assert calendar.is_workday(D(2026, 10, 5))
    entry = AuditEntry.objects.filter(action="calendar.set").order_by("id").first()
    assert entry.actor_id == cast.commander.pk and entry.changes["kind"] == [None, "day_off"]
    assert calendar.adjustment_remove(actor=cast.commander, day=D(2026, 9, 30)) is True
    assert calendar.is_workday(D(2026, 9, 30))
    assert AuditEntry.objects.filter(action="calendar.remove").count() == 1
    assert calendar.adjustment_remove(actor=cast.commander, day=D(2026, 9, 30)) is False


def test_only_the_office_and_the_administrator_adjust_and_a_reason_is_required(cast):
    for user in (cast.street_user_a, cast.leader, cast.department_user):
        with pytest.raises(PermissionDenied):
            calendar.adjustment_set(actor=user, day=D(2026, 9, 30), kind="day_off", note="街道自行放假")
    with pytest.raises(AppError) as refused:
        calendar.adjustment_set(actor=cast.admin, day=D(2026, 9, 30), kind="holiday", note="")
    assert set(refused.value.fields) == {"kind", "note"} and "依据" in refused.value.fields["note"]
    assert not CalendarAdjustment.objects.exists()


def test_the_command_counts_and_answers_with_its_exit_code(capsys):
    call_command("calendar", "add", "2026-10-09", "-3")
    assert capsys.readouterr().out.strip() == "2026-09-29"
    call_command("calendar", "workday", "2026-10-10")
    assert "工作日（调休上班）" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        call_command("calendar", "workday", "2026-10-01")
    assert stopped.value.code == 1 and "非工作日（国庆节）" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-13-01"):
        call_command("calendar", "add", "2026-13-01", "2")


def test_the_office_adjusts_on_the_page_others_only_read(cast, login_as):
    client = login_as(cast.commander)
    page = client.get(reverse("portal:calendar") + "?year=2026").content.decode()
    assert "国庆节" in page and "调休上班" in page and 'data-testid="calendar-form"' in page
    assert 'href="/calendar/"' in page  # in the office's menu
    response = client.post(reverse("portal:calendar"), {"day": "2026-09-30", "kind": "day_off", "note": "台风停工"})
    assert response.status_code == 302
    assert CalendarAdjustment.objects.get(day=D(2026, 9, 30)).note == "台风停工"
    bad = client.post(reverse("portal:calendar"), {"day": "2026-09-30", "kind": "day_off", "note": ""})
    assert bad.status_code == 400
    client.post(reverse("portal:calendar_remove"), {"day": "2026-09-30"})
    assert not CalendarAdjustment.objects.exists()
    reader = login_as(cast.street_user_a)
    page = reader.get(reverse("portal:calendar")).content.decode()
    assert 'data-testid="calendar-form"' not in page
    assert reader.post(reverse("portal:calendar_remove"), {"day": "2026-09-30"}).status_code == 404
    assert reader.post(reverse("portal:calendar"), {"day": "2026-09-30", "kind": "day_off",
                                                   "note": "街道放假"}).status_code == 404
