"""The demo district's content, read from one load shared by the module's tests (the load takes seconds;
each test still runs in a savepoint of its own, so nothing one writes reaches the next): valid people and
houses, encrypted at rest, a user for every role, the load audited once. The loads that write — the command,
the determinism of a seed — are in test_demo_load.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core import audit, crypto
from gaizao.core.models import AuditEntry
from gaizao.core.validators import citizen_id_birth_date, citizen_id_is_male, normalize_citizen_id, normalize_mobile
from gaizao.demo import geo
from gaizao.demo.generator import load_demo
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.org.choices import Role
from gaizao.org.models import Membership, OrgUnit, User
from gaizao.progress.models import HardCase, StageEvent, Visit

N = 300
SEED = 7
TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """One load for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(households=N, seed=SEED, today=TODAY)
        transaction.set_rollback(True)


@pytest.fixture
def demo(district, db):
    return district


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


def test_logins_lists_the_demo_accounts_without_loading(demo):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    text = out.getvalue()
    assert "street08" in text and "Yunxi#Jiedao2026" in text and "resident" in text
    secret = next(f.secret for f in demo.second_factors if f.username == "admin")
    assert f"admin：密钥 {secret}" in text
    assert AuditEntry.objects.filter(action="demo.load").count() == 1


def test_demo_has_heritage_some_of_it_on_buildings(demo):
    assert HeritageElement.objects.count() >= 5
    on_buildings = HeritageElement.objects.filter(building__isnull=False)
    assert on_buildings.exists()
    assert all(e.building.household.village_id == e.village_id for e in on_buildings)
    assert not on_buildings.filter(building__demolished_on__isnull=False).exists()  # what is kept still stands
