"""The demo district generator: deterministic for a seed, safe to call on every start (the command and its
refusals). What one load contains — valid data, encrypted at rest — is read in test_demo_content.py."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.errors import AppError
from gaizao.demo.generator import load_demo
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.org.models import Membership, OrgUnit, User
from gaizao.progress import rollups
from gaizao.progress.stages import DATE_FIELDS
from gaizao.progress.models import DailyRollup, HardCase, Rollup, StageEvent, Visit

N = 300
SEED = 7
TODAY = dt.date(2026, 11, 2)  # the demo's "today" is fixed here, so the content is the same on any day


def content_digest() -> str:
    """SHA-256 over every value the demo writes, decrypted, in a fixed order and by natural keys
    (not primary keys or timestamps, which a sequence or the clock decides)."""
    digest = hashlib.sha256()

    def feed(queryset, *fields):
        for row in queryset.values_list(*fields):
            digest.update(repr(row).encode())

    feed(OrgUnit.objects.order_by("code"), "code", "name", "kind", "path", "parent__code", "sort_order")
    feed(Village.objects.order_by("code"), "code", "name", "street__code", "community__code", "mode", "batch",
         "year", "land_area", "population", "notes", "boundary")
    feed(Project.objects.order_by("code"), "code", "name", "village__code", "phase", "scope", "decision_date",
         "signing_start", "signing_end", "signing_threshold")
    feed(Household.objects.order_by("project__code", "number"), "project__code", "number", "street__code",
         "village__code", "head_name", "head_initials", "head_id_number", "head_id_hash", "phone", "phone_hash",
         "address", "land_type", "use", "member_count", "stage", "cadre__username", "resident__username",
         "area", *DATE_FIELDS.values(), "resettlement_mode")
    feed(Person.objects.order_by("household__project__code", "household__number", "id"), "household__number",
         "name", "id_number", "id_hash", "relation", "hukou")
    feed(Building.objects.order_by("household__project__code", "household__number", "number"),
         "household__number", "number", "structure", "floors", "build_year", "certificate_no", "legal_area",
         "unlicensed_area", "legality", "use", "demolished_on")
    feed(StageEvent.objects.order_by("household__project__code", "household__number", "id"), "household__number",
         "project__code", "kind", "on_date", "resettlement_mode", "note", "corrects__kind", "corrects__on_date",
         "actor__username")
    feed(HardCase.objects.order_by("household__project__code", "household__number"), "household__number",
         "street__code", "village__code", "reason", "reason_detail", "strategy", "opened_on", "closed_on",
         "close_note", "last_visit_on", "next_visit_on")
    feed(Visit.objects.order_by("hard_case__household__project__code", "hard_case__household__number", "visited_on",
                                "id"),
         "hard_case__household__number", "visited_on", "visitor__username", "visitors", "talk", "next_step",
         "next_visit_on")
    feed(Rollup.objects.order_by("level", "unit", "key"), "level", "key", "households", "area_centi")
    feed(DailyRollup.objects.order_by("level", "unit", "key", "day"), "level", "key", "day", "households",
         "area_centi")
    feed(HeritageElement.objects.order_by("village__code", "name"), "village__code", "name", "kind",
         "protection_level", "location", "building__household__number", "building__number")
    feed(User.objects.order_by("username"), "username", "full_name", "is_active")
    feed(Membership.objects.order_by("user__username", "role"), "user__username", "role", "org_unit__code")
    feed(TOTPDevice.objects.order_by("user__username"), "user__username", "key", "confirmed")
    return digest.hexdigest()


def load_and_digest(seed: int) -> str:
    """Load into the (empty) test database, take the digest, and roll the load back."""
    with transaction.atomic():
        load_demo(households=N, seed=seed, today=TODAY)
        value = content_digest()
        transaction.set_rollback(True)
    return value


def test_same_seed_gives_identical_content_and_another_seed_does_not(db):
    first = load_and_digest(SEED)
    assert OrgUnit.objects.count() == 0  # rolled back: the second load starts from an empty database
    assert load_and_digest(SEED) == first
    assert load_and_digest(SEED + 1) != first


def test_the_campaign_follows_today_while_the_ledger_does_not(db):
    """Another "today" moves the signing periods and events, not the people and their houses."""
    with transaction.atomic():
        load_demo(households=N, seed=SEED, today=TODAY)
        people = list(Person.objects.order_by("id").values_list("name", "id_number"))
        periods = list(Project.objects.order_by("code").values_list("signing_start", "signing_end"))
        transaction.set_rollback(True)
    earlier, month = TODAY - dt.timedelta(days=30), dt.timedelta(days=30)
    with transaction.atomic():
        load_demo(households=N, seed=SEED, today=earlier)
        assert list(Person.objects.order_by("id").values_list("name", "id_number")) == people
        moved = list(Project.objects.order_by("code").values_list("signing_start", "signing_end"))
        assert [(s and s - month, e and e - month) for s, e in periods] == moved
        assert max(StageEvent.objects.values_list("on_date", flat=True)) <= earlier
        transaction.set_rollback(True)


def test_it_refuses_a_today_after_the_real_one(db):
    with pytest.raises(AppError, match="晚于今天"):
        load_demo(households=N, seed=SEED, today=timezone.localdate() + dt.timedelta(days=1))
    assert not OrgUnit.objects.exists()


def test_command_loads_an_empty_database_and_prints_logins(db):
    out = StringIO()
    call_command("demo", households=50, seed=SEED, today="2026-11-02", stdout=out)
    text = out.getvalue()
    assert "住户 50 户" in text
    signed = Household.objects.filter(signed_on__isnull=False).exclude(stage="withdrawn").count()
    vacated = Household.objects.filter(vacated_on__isnull=False).exclude(stage="withdrawn").count()
    cases = HardCase.objects.filter(closed_on=None).count()
    assert f"进度（截至 2026-11-02）：签约 {signed:,} 户" in text
    assert f"腾空 {vacated:,} 户 / 攻坚户 {cases:,} 户" in text
    assert "Yunxi#Admin2026" in text and "otpauth://totp/" in text
    assert Household.objects.count() == 50


def test_if_empty_does_nothing_when_data_exists(cast):
    units = OrgUnit.objects.count()
    out = StringIO()
    call_command("demo", "--if-empty", households=50, stdout=out)
    assert "未重新载入演示数据" in out.getvalue()
    assert OrgUnit.objects.count() == units
    assert not Village.objects.filter(code="V01").exists()


def test_command_refuses_a_today_that_is_not_a_date(db):
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("demo", households=50, today="2026-02-30", stdout=StringIO())
    assert not OrgUnit.objects.exists()


def test_without_flags_it_refuses_a_database_with_data(cast):
    with pytest.raises(CommandError, match="已有组织机构数据"):
        call_command("demo", households=50, stdout=StringIO())
    assert not Village.objects.filter(code="V01").exists()


def test_force_loads_beside_existing_data_but_not_twice(cast):
    out = StringIO()
    call_command("demo", "--force", households=50, seed=SEED, stdout=out)
    assert Household.objects.filter(village__code="V01").exists()
    assert "已存在，未改动" in out.getvalue()  # the cast's admin is left as it is
    assert rollups.verify().ok  # the demo's rollups were added to the cast's, not written over them
    with pytest.raises(CommandError, match="已经载入过"):
        call_command("demo", "--force", households=50, stdout=StringIO())


def test_fast_insert_refuses_a_model_column_it_cannot_fill():
    from gaizao.core.bulk import RowWriter

    with pytest.raises(ValueError, match="Household.project_id"):
        RowWriter(Household, ("id", "number", "head_name"))


def test_logins_on_a_database_without_the_demo_says_so(db):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    assert "没有演示账号" in out.getvalue()
