"""`gaizao rollups verify|rebuild`: prove the rollups match the events, and repair them when not."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from gaizao.core.models import AuditEntry
from gaizao.ledger.models import Household
from gaizao.progress.choices import Level
from gaizao.progress.models import Rollup
from gaizao.progress.services import event_correct, household_record_event
from tests.progress.helpers import decidable

pytestmark = pytest.mark.django_db
WALK = ["surveyed", "decided", "valued", "signed", "vacated"]


@pytest.fixture
def progress(cast):
    """A few events through the services, a correction among them."""
    today = timezone.localdate()
    for kind in WALK:
        household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind=kind,
                               on_date=today - dt.timedelta(days=5))
    decidable(cast.admin, [cast.household_a2])
    for kind in WALK[:3]:
        household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind=kind,
                               on_date=today - dt.timedelta(days=8))
    first = household_record_event(actor=cast.street_user_b, household=cast.household_b1, kind="surveyed",
                                   on_date=today - dt.timedelta(days=3))
    event_correct(actor=cast.street_user_b, event=first, note="日期记错", on_date=today - dt.timedelta(days=2))
    return cast


def verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rollups", "verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_passes_on_data_written_through_the_services(progress):
    out, err = verify()
    rollups = Rollup.objects.exclude(households=0, area_centi=0).count()
    assert out.strip() == f"进度汇总与事件一致：3 户，{rollups} 条汇总"
    assert "正在重算……" in err


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_fails_naming_a_tampered_rollup(progress):
    table = Rollup._meta.db_table
    _tamper(f"UPDATE {table} SET households = households + 1 WHERE level = %s AND unit = %s AND key = %s",
            [Level.STREET, progress.street_a.pk, "signed"])
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode == 1
    message = str(exc.value)
    assert message.startswith("进度汇总与事件不一致：")
    assert f"合计汇总 街道 #{progress.street_a.pk} 的「签约」：重算为 1 户 150.50 ㎡，已存为 2 户 150.50 ㎡。" in message
    assert "gaizao rollups rebuild" in message


def test_verify_fails_naming_a_tampered_household(progress):
    table = Household._meta.db_table
    _tamper(f"UPDATE {table} SET signed_on = %s WHERE id = %s", [dt.date(2020, 1, 1), progress.household_a1.pk])
    with pytest.raises(CommandError) as exc:
        verify()
    assert exc.value.returncode == 1
    message = str(exc.value)
    assert "住户 DH-001" in message and "签约日期" in message and "2020-01-01" in message


def test_rebuild_repairs_both_and_is_audited(progress):
    _tamper(f"UPDATE {Rollup._meta.db_table} SET area_centi = 7 WHERE level = %s AND key = %s",
            [Level.DISTRICT, "scope"])
    _tamper(f"UPDATE {Household._meta.db_table} SET signed_on = NULL, stage = %s WHERE id = %s",
            ["valued", progress.household_a1.pk])
    out, err = io.StringIO(), io.StringIO()
    call_command("rollups", "rebuild", stdout=out, stderr=err)
    assert "正在重算……" in err.getvalue()
    rollups = Rollup.objects.count()
    assert out.getvalue().strip() == f"已重建进度汇总：{rollups} 条汇总，修正 1 户。"
    household = Household.objects.get(pk=progress.household_a1.pk)
    assert household.signed_on == timezone.localdate() - dt.timedelta(days=5) and household.stage == "vacated"
    entry = AuditEntry.objects.filter(action="progress.rollups_rebuild").get()
    assert entry.actor is None and entry.actor_name == "system"
    assert entry.changes == {"rollups": rollups, "households_fixed": 1}
    out, _err = verify()
    assert out.startswith("进度汇总与事件一致：3 户")
    call_command("audit", "verify", stdout=io.StringIO())  # the chain still holds


def test_an_unknown_action_is_refused(progress):
    with pytest.raises(CommandError):
        call_command("rollups", "recount")
