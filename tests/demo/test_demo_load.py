"""The demo district generator: deterministic for a seed, valid data, encrypted at rest, safe to
call on every start."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core import audit, crypto
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.core.validators import citizen_id_birth_date, citizen_id_is_male, normalize_citizen_id, normalize_mobile
from gaizao.demo import geo
from gaizao.demo.generator import load_demo
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.org.choices import Role
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


@pytest.fixture
def demo(db):
    return load_demo(households=N, seed=SEED, today=TODAY)


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


def test_it_builds_the_district_with_the_numbers_asked_for(demo):
    counts = demo.counts
    assert counts["households"] == Household.objects.count() == N
    assert counts["persons"] == Person.objects.count()
    assert counts["buildings"] == Building.objects.count()
    assert OrgUnit.objects.get(code="440199").name == "云溪区"
    assert OrgUnit.objects.filter(kind="street", code__startswith="440199").count() == 8
    assert OrgUnit.objects.filter(kind="department").count() == 8
    assert OrgUnit.objects.filter(kind="office").count() == 1
    per_street = Counter(OrgUnit.objects.filter(kind="community").values_list("parent__code", flat=True))
    assert len(per_street) == 8 and all(2 <= n <= 4 for n in per_street.values())
    assert 25 <= Village.objects.count() <= 35
    assert Project.objects.count() >= Village.objects.count()
    assert all(name.endswith("村") for name in Village.objects.values_list("name", flat=True))
    assert set(Village.objects.values_list("mode", flat=True)) == {"demolish_rebuild", "upgrade", "mixed"}
    assert set(Project.objects.values_list("signing_threshold", flat=True)) <= {80, 90}


def test_every_citizen_id_is_valid_and_fits_the_person(demo):
    anchor = dt.date(2026, 1, 1)
    heads = {}
    for household_id, relation, id_number in Person.objects.values_list("household_id", "relation", "id_number"):
        assert normalize_citizen_id(id_number) == id_number
        assert id_number[:2] == "44"
        if relation == "head":
            heads[household_id] = id_number
    for household_id, relation, id_number in Person.objects.values_list("household_id", "relation", "id_number"):
        head = heads[household_id]
        if relation in ("child", "grandchild"):
            assert citizen_id_birth_date(id_number) > citizen_id_birth_date(head)
        if relation == "parent":
            assert citizen_id_birth_date(id_number) < citizen_id_birth_date(head)
        if relation == "spouse":
            assert citizen_id_is_male(id_number) != citizen_id_is_male(head)
    for household_id, head_id, phone in Household.objects.values_list("id", "head_id_number", "phone"):
        assert heads[household_id] == head_id
        assert (anchor - citizen_id_birth_date(head_id)).days >= 18 * 365
        assert phone is None or normalize_mobile(phone) == phone
    numbers = list(Person.objects.values_list("id_hash", flat=True))
    assert len(numbers) == len(set(numbers))  # no two people share an ID


def test_member_counts_match_and_relations_and_hukou_are_mixed(demo):
    with_counts = Household.objects.annotate(n=Count("persons"))
    assert not with_counts.exclude(member_count=F("n")).exists()
    sizes = set(with_counts.values_list("member_count", flat=True))
    assert min(sizes) == 1 and max(sizes) == 6
    relations = set(Person.objects.values_list("relation", flat=True))
    assert {"head", "spouse", "child"} <= relations
    assert "converted" in set(Person.objects.values_list("hukou", flat=True))
    legality = Counter(Building.objects.values_list("legality", flat=True))
    assert set(legality) == {"legal", "temporary", "illegal", "pending"}
    assert legality["legal"] == max(legality.values())
    assert Building.objects.filter(legality="illegal", unlicensed_area__gt=0).exists()


def test_generated_rows_pass_model_validation(demo):
    for model in (Village, Project, Household, Person, Building, StageEvent, HardCase, Visit):
        for instance in model.objects.order_by("pk")[:40]:
            instance.full_clean()


def test_village_boundaries_are_polygons_in_the_district_and_apart(demo):
    boxes = []
    for boundary in Village.objects.values_list("boundary", flat=True):
        assert boundary["type"] == "Polygon"
        ring = boundary["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 8
        assert all(geo.WEST <= x <= geo.EAST and geo.SOUTH <= y <= geo.NORTH for x, y in ring)
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def test_personal_numbers_are_encrypted_in_the_raw_column(demo):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, head_id_number, head_id_hash FROM ledger_household")
        raw = {pk: (bytes(blob), digest) for pk, blob, digest in cursor.fetchall()}
    plain = dict(Household.objects.values_list("id", "head_id_number"))
    assert len(raw) == N
    for pk, (blob, digest) in raw.items():
        assert plain[pk].encode() not in blob
        assert plain[pk][:14].encode() not in blob
        assert crypto.decrypt(blob) == plain[pk]
        assert digest == crypto.lookup_hash(plain[pk])


def test_every_role_has_a_demo_user_and_privileged_ones_a_second_factor(demo):
    for role in Role.values:
        assert Membership.objects.filter(role=role).exists(), role
    for username in ("admin", "commander"):
        assert TOTPDevice.objects.get(user__username=username).confirmed
    assert User.objects.get(username="admin").check_password("Yunxi#Admin2026")
    resident = User.objects.get(username="resident")
    assert resident.household.head_name == resident.full_name
    cadre_counts = Household.objects.filter(cadre__isnull=False).values("cadre").annotate(n=Count("*"))
    assert cadre_counts and all(row["n"] <= 200 for row in cadre_counts)
    assert {login.username for login in demo.logins} >= {"admin", "street01", "cadre0101", "resident"}


def test_the_load_is_audited_once_and_the_chain_holds(demo):
    entry = AuditEntry.objects.get(action="demo.load")
    assert entry.actor_name == "demo"
    assert entry.changes["counts"]["households"] == N
    assert not AuditEntry.objects.filter(action="household.create").exists()
    assert audit.verify().ok


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


def test_logins_lists_the_demo_accounts_without_loading(demo):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    text = out.getvalue()
    assert "street08" in text and "Yunxi#Jiedao2026" in text and "resident" in text
    secret = next(f.secret for f in demo.second_factors if f.username == "admin")
    assert f"admin：密钥 {secret}" in text
    assert AuditEntry.objects.filter(action="demo.load").count() == 1


def test_logins_on_a_database_without_the_demo_says_so(db):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    assert "没有演示账号" in out.getvalue()


def test_demo_has_heritage_some_of_it_on_buildings(db):
    call_command("demo", households=N, seed=SEED, today="2026-11-02", stdout=StringIO())
    assert HeritageElement.objects.count() >= 5
    on_buildings = HeritageElement.objects.filter(building__isnull=False)
    assert on_buildings.exists()
    assert all(e.building.household.village_id == e.village_id for e in on_buildings)
    assert not on_buildings.filter(building__demolished_on__isnull=False).exists()  # what is kept still stands
