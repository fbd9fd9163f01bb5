"""Applying a plan: one transaction, all or nothing, audited, idempotent, stale plans refused."""

from __future__ import annotations

import contextlib

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaizao.core.actors import SYSTEM
from gaizao.core import audit, crypto
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services
from gaizao.ledger.importing.apply import initials
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from gaizao.ledger.models import Building, Household, Person
from tests.ledger.importing.conftest import Ledger, cid, household_row, three_households


def _import(path, *, actor=SYSTEM, project="P001", skip_invalid=False):
    plan = ledger_import_preview(actor=actor, project_code=project, path=path, to_apply=TO_APPLY)
    if plan.new or plan.changed:
        ledger_import_apply(actor=actor, plan=plan, skip_invalid=skip_invalid)
    return plan


@pytest.fixture(params=["here", "worker", "here-early", "worker-early"])
def encryption(request, monkeypatch):
    """Every way new households' numbers are encrypted: in this process, and (for large imports) in a
    worker process, which the small test files reach with the threshold lowered; when the apply
    comes (late), or while the file is read because it is going to be written (early: the
    command and the confirmed web import, ``to_apply``; importing/sealed.py)."""
    from gaizao.core import sealing

    started = []
    real = crypto.background

    def background(**kwargs):
        started.append(real(**kwargs))
        return started[-1]

    monkeypatch.setattr(crypto, "background", background)
    worker = request.param.startswith("worker")
    if worker:
        monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", 1)
    early = request.param.endswith("early")
    monkeypatch.setattr("tests.ledger.importing.test_apply.TO_APPLY", early)
    yield started
    assert started and all(b.in_background == worker for b in started)
    assert not any(b.running for b in started)  # no worker outlives the import
    # early: the heads' numbers were sealed by one job of two parts while the file was read
    assert any(len(b._parts) == 2 for b in started) == early


TO_APPLY = False  # the import's numbers sealed while its file is read (the encryption fixture sets it)


def test_new_households_are_written_with_everything_they_need(cast, ledger_file, encryption):
    plan = _import(ledger_file(three_households()))
    assert plan.counts() | {"households": 3} == {"new": 3, "changed": 0, "unchanged": 0, "rejected_households": 0,
                                                 "households": 3, "buildings": 4, "persons": 3}
    household = Household.objects.get(project=cast.project_a, number="DH-101")
    assert household.street_id == cast.street_a.id and household.village_id == cast.village_a.id
    assert household.head_initials == "zy" and household.version == 1
    assert household.head_id_number == cid(101)
    assert household.head_id_hash == crypto.lookup_hash(cid(101))
    assert household.phone_hash == crypto.lookup_hash("13900000101")
    assert (household.land_type, household.use, household.member_count) == ("collective", "residential", 3)
    buildings = list(household.buildings.order_by("number"))
    assert [(b.number, b.legal_area, b.unlicensed_area, b.legality, b.structure) for b in buildings] == [
        ("1", Decimal("120.50"), Decimal("0.00"), "legal", "brick_concrete"),
        ("2", Decimal("45.00"), Decimal("12.25"), "illegal", "simple"),
    ]
    members = {p.name: p for p in household.persons.all()}
    assert members["周芳"].relation == "spouse" and members["周芳"].hukou == "converted"
    assert members["周芳"].id_hash == crypto.lookup_hash(cid(201, birth="19820202"))
    assert members["周芳"].id_number == cid(201, birth="19820202")
    # Search by keyed hash finds the imported head, as the ledger pages do.
    assert Household.objects.filter(head_id_hash=crypto.lookup_hash(cid(103))).get().number == "DH-103"
    # Each entry names the household it created (keys are reserved before the rows are written).
    entries = AuditEntry.objects.filter(action="household.import_create")
    assert {e.object_id: e.object_repr.split()[0] for e in entries} == {
        str(h.pk): h.number for h in Household.objects.filter(project=cast.project_a, number__startswith="DH-1")}
    assert audit.verify().ok


def test_one_audit_entry_per_household_with_masked_numbers_and_the_chain_holds(cast, ledger_file):
    before = AuditEntry.objects.count()
    _import(ledger_file(three_households()))
    entries = list(AuditEntry.objects.filter(action="household.import_create").order_by("id"))
    assert len(entries) == 3 and AuditEntry.objects.count() == before + 4  # and one for the import
    after = entries[0].changes["after"]
    assert after["head_id_number"] == cid(101)[:6] + "********" + cid(101)[-4:]
    assert after["phone"] == "139****0101"
    assert cid(101) not in str([e.changes for e in entries])
    assert entries[0].actor_name == "system"
    summary = AuditEntry.objects.get(action="ledger.import")
    assert summary.object_id == str(cast.project_a.pk)
    assert summary.changes == {"file": "ledger0.xlsx", "new": 3, "changed": 0, "unchanged": 0, "rejected": 0}
    assert audit.verify().ok


def test_import_entries_read_well_in_the_household_history(cast, ledger_file):
    from django.urls import get_resolver

    from gaizao.ledger.selectors import household_history

    get_resolver().url_patterns  # pages load the URLconf, which registers the import's audit labels

    path = ledger_file(three_households())
    _import(path)
    ledger = three_households()
    ledger.households[2] = household_row("DH-102", "钱二", 102, 地址="西岭路 1 号")
    _import(ledger_file(ledger))
    household = Household.objects.get(project=cast.project_a, number="DH-102")
    updated, created = household_history(household)
    assert str(created.action_label) == "导入新增住户" and str(updated.action_label) == "导入修改住户"
    assert ("户主姓名", "", "钱二") in [(c.label, c.before, c.after) for c in created.changes]
    assert ("地址", "东湖路102号", "西岭路 1 号") in [(c.label, c.before, c.after) for c in updated.changes]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast, ledger_file):
    path = ledger_file(three_households())
    _import(path)
    audited = AuditEntry.objects.count()
    versions = list(Household.objects.order_by("id").values_list("version", flat=True))
    second = _import(path)
    assert (len(second.new), len(second.changed), second.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.count() == audited
    assert list(Household.objects.order_by("id").values_list("version", flat=True)) == versions


def test_changes_are_shown_field_by_field_masked_and_applied_with_version_and_audit(cast, ledger_file):
    path = ledger_file(three_households())
    _import(path)
    ledger = three_households()
    ledger.households[2] = household_row("DH-102", "钱二", 102, 户主身份证号=cid(777), 地址="西岭路 1 号",
                                         **{"合法面积（㎡）": 130})
    ledger.persons[1][4] = "本地城镇户口"
    ledger.persons.append(["DH-102", "钱小二", "", "子女", "本村农业户口"])
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger))
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 2, 1)
    changes = {item.number: [(c.column, c.before, c.after) for c in item.changes] for item in plan.changed}
    assert changes["DH-102"] == [
        ("户主身份证号", cid(102)[:6] + "********" + cid(102)[-4:], cid(777)[:6] + "********" + cid(777)[-4:]),
        ("地址", "东湖路102号", "西岭路 1 号"),
        ("房屋 1·合法面积（㎡）", "120.50", "130.00"),
        ("家庭成员 钱小二", "", "新增"),
    ]
    assert changes["DH-101"] == [("家庭成员 周芳·户籍状况", "农转居", "本地城镇户口")]
    summary = plan.summary()
    assert cid(777) not in str(summary) and cid(102) not in str(summary)
    ledger_import_apply(actor=cast.street_user_a, plan=plan)
    household = Household.objects.get(project=cast.project_a, number="DH-102")
    assert household.version == 2 and household.head_id_number == cid(777)
    assert household.head_id_hash == crypto.lookup_hash(cid(777)) and household.address == "西岭路 1 号"
    assert household.buildings.get().legal_area == Decimal("130.00")
    assert household.buildings.get().version == 2
    assert Person.objects.get(name="周芳").hukou == "local_urban"
    entry = AuditEntry.objects.filter(action="household.import_update", object_id=str(household.pk)).get()
    assert entry.actor_name == "street_a" and cid(777) not in str(entry.changes)
    assert audit.verify().ok


def test_nothing_is_written_when_any_row_is_rejected(cast, ledger_file):
    ledger = three_households()
    ledger.households[3][2] = "440106198001011010"  # a wrong check digit on DH-103
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger))
    before = (Household.objects.count(), AuditEntry.objects.count())
    with pytest.raises(AppError, match="没有写入任何数据"):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert (Household.objects.count(), AuditEntry.objects.count()) == before


def test_skip_invalid_writes_the_valid_households_only(cast, ledger_file):
    ledger = three_households()
    ledger.households[3][2] = "440106198001011010"
    _import(ledger_file(ledger), skip_invalid=True)
    numbers = set(Household.objects.filter(project=cast.project_a).values_list("number", flat=True))
    assert numbers == {"DH-001", "DH-002", "DH-101", "DH-102"}


def test_a_failure_half_way_rolls_everything_back(cast, ledger_file, monkeypatch, encryption):
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(three_households()),
                                 to_apply=TO_APPLY)
    before = (Household.objects.count(), Building.objects.count(), Person.objects.count(), AuditEntry.objects.count())

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "entries_to_write", broken)  # record_many too
    with pytest.raises(RuntimeError):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    after = (Household.objects.count(), Building.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_a_household_changed_after_the_preview_stops_the_import(cast, ledger_file):
    ledger = Ledger(households=[household_row("DH-001", "李四", 1, 户主身份证号="11010519491231002X"),
                                household_row("DH-900", "新户", 900)])
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger))
    assert len(plan.changed) == 1
    Household.objects.filter(pk=cast.household_a1.pk).update(version=5)
    with pytest.raises(Conflict, match="重新预览"):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert not Household.objects.filter(number="DH-900").exists()


def test_a_household_number_taken_after_the_preview_stops_the_import(cast, ledger_file):
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(three_households()))
    services.household_create(actor=SYSTEM, project=cast.project_a, number="DH-102", head_name="抢先")
    with pytest.raises(Conflict):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert Household.objects.filter(project=cast.project_a).count() == 3


def test_a_street_user_imports_into_their_own_street_only(cast, ledger_file):
    path = ledger_file(three_households())
    with pytest.raises(NotFound, match="P001"):
        ledger_import_preview(actor=cast.street_user_b, project_code="P001", path=path)
    for user in (cast.cadre, cast.resident, cast.leader, cast.department_user):
        with pytest.raises(NotFound):
            ledger_import_preview(actor=user, project_code="P001", path=path)
    plan = ledger_import_preview(actor=cast.street_user_a, project_code="P001", path=path)
    with pytest.raises(NotFound):  # a plan made by someone else is checked again on apply
        ledger_import_apply(actor=cast.street_user_b, plan=plan)
    ledger_import_apply(actor=cast.street_user_a, plan=plan)
    assert Household.objects.filter(project=cast.project_a).count() == 5


def test_fingerprint_is_stable_for_the_same_file_and_data(cast, ledger_file):
    path = ledger_file(three_households())
    first = ledger_import_preview(actor=SYSTEM, project_code="P001", path=path)
    second = ledger_import_preview(actor=SYSTEM, project_code="P001", path=path)
    assert first.fingerprint == second.fingerprint
    ledger_import_apply(actor=SYSTEM, plan=first)
    assert ledger_import_preview(actor=SYSTEM, project_code="P001", path=path).fingerprint != first.fingerprint


@pytest.mark.parametrize("name", ["张三", "尉迟恭", "单于", "欧阳娜娜", "曾国藩", "长孙无忌", "解放", "区长", "A张三",
                                  "乐乐", "朴正熙", "查理", "覃柒", "仇九", "单雄信", "万俟卨", "令狐冲",
                                  # surnames read as surnames (ledger.surnames), and the same characters after them
                                  "曾经", "曾曾", "区区", "单单", "解解放", "仇恨", "查查", "盖盖", "乐正华", "单于丹",
                                  "翟翟", "覃覃", "张曾", "李单", "银行", "曾银行", "重重", "种种", "曾", "乐", "曾A",
                                  "曾" * 60])
def test_initials_match_the_service(name):
    assert initials(name) == services.name_initials(name)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="张王李曾单区解乐银行长孙无忌欧阳尉迟恭正华国藩放重种翟覃查理朴仇九于丹令狐冲万俟卨A·", min_size=0, max_size=6))
def test_initials_match_the_service_for_any_name(name):
    """The fast path (names of one to three characters without a loop or a cache) reads every name as
    the service does, phrases and surnames included."""
    assert initials(name) == services.name_initials(name)


def test_a_building_changed_after_the_preview_stops_the_import(cast, ledger_file):
    ledger = Ledger(households=[household_row("DH-001", "李四", 1, 户主身份证号="11010519491231002X",
                                              **{"合法面积（㎡）": 99})])
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(ledger))
    Building.objects.filter(household=cast.household_a1).update(version=9)
    with pytest.raises(Conflict):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert Building.objects.get(household=cast.household_a1).legal_area == Decimal("120.50")


@pytest.mark.parametrize("worker", [False, True])
def test_a_large_import_is_written_by_the_inserting_thread_a_batch_of_each_in_turn(cast, ledger_file, monkeypatch,
                                                                                    worker):
    """Batches of two rows make three households "large": the audit entries and the households go to
    core.bulk's inserting thread in turn (SQLite), the entries alone while the worker encrypts."""
    from django.db import connection

    from gaizao.core import bulk, sealing
    from gaizao.ledger.importing import apply

    monkeypatch.setattr(apply, "WRITE_BATCH", 2)
    monkeypatch.setattr(apply, "AUDIT_BATCH", 2)
    if worker:
        monkeypatch.setattr(sealing, "MIN_BACKGROUND_VALUES", 1)
    threads = []
    real = bulk._Inserter

    class Counted(real):
        def __init__(self, *args, **kwargs):
            threads.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(bulk, "_Inserter", Counted)
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(three_households()),
                                 to_apply=True)
    result = ledger_import_apply(actor=SYSTEM, plan=plan)
    assert (result.created, result.buildings_created, result.persons_created) == (3, 4, 3)
    assert bool(threads) == (connection.vendor == "sqlite")
    household = Household.objects.get(project=cast.project_a, number="DH-101")
    assert household.head_id_number == cid(101) and household.head_id_hash == crypto.lookup_hash(cid(101))
    assert household.phone == "13900000101" and household.phone_hash == crypto.lookup_hash("13900000101")
    created = AuditEntry.objects.filter(action="household.import_create")
    assert {e.object_id for e in created} == {
        str(pk) for pk in Household.objects.filter(number__startswith="DH-1").values_list("pk", flat=True)}
    assert audit.verify().ok


def _household_indexes() -> dict[str, str]:
    from django.db import connection

    if connection.vendor != "sqlite":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_household'")
        return dict(cursor.fetchall())


@pytest.fixture
def rebuilt(monkeypatch):
    """Three households count as a large import into a small ledger (core.bulk.indexes_rebuilt): what the
    import's rebuild yielded, each time."""
    from gaizao.core import bulk
    from gaizao.ledger.importing import apply

    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(apply, "WRITE_BATCH", 2)
    monkeypatch.setattr(apply, "AUDIT_BATCH", 2)
    yielded = []
    real = bulk.indexes_rebuilt

    @contextlib.contextmanager
    def spied(model, **kwargs):
        with real(model, **kwargs) as dropped:
            yielded.append((model, kwargs["columns"], dropped))
            yield dropped

    monkeypatch.setattr(apply, "indexes_rebuilt", spied)
    return yielded


def test_a_large_import_into_a_small_ledger_builds_the_id_and_name_indexes_after_the_rows(cast, ledger_file, rebuilt):
    from django.db import connection

    before = _household_indexes()
    _import(ledger_file(three_households()))
    assert rebuilt == [(Household, ("head_id_hash", "head_name", "head_initials"), connection.vendor == "sqlite")]
    assert _household_indexes() == before
    # what the indexes serve finds the new households: the lookup by ID, by name, by initials
    household = Household.objects.get(project=cast.project_a, number="DH-101")
    assert Household.objects.filter(head_id_hash=crypto.lookup_hash(cid(101))).get() == household
    assert Household.objects.filter(head_name=household.head_name, head_initials=household.head_initials).exists()


def test_a_failure_inside_the_rebuild_leaves_the_indexes_and_the_ledger_as_they_were(cast, ledger_file, rebuilt,
                                                                                     monkeypatch):
    from gaizao.ledger.importing import apply

    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=ledger_file(three_households()),
                                 to_apply=True)
    before = (Household.objects.count(), Building.objects.count(), AuditEntry.objects.count(), _household_indexes())

    def broken(name):
        raise RuntimeError("the row maker failed")

    monkeypatch.setattr(apply, "initials", broken)  # called for each household row, inside the rebuild
    with pytest.raises(RuntimeError, match="row maker"):
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert rebuilt  # the failure came inside the block
    assert (Household.objects.count(), Building.objects.count(), AuditEntry.objects.count(),
            _household_indexes()) == before
    assert audit.verify().ok


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(number=_TEXT, name=_TEXT, address=st.one_of(st.none(), _TEXT), head_id=st.one_of(st.none(), _TEXT),
       phone=st.one_of(st.none(), _TEXT), land_type=st.one_of(st.none(), _TEXT), use=st.one_of(st.none(), _TEXT),
       members=st.one_of(st.none(), st.integers(0, 300)), cadre=st.one_of(st.just("absent"), st.none(),
                                                                             st.integers(1, 10**9)),
       persons=st.integers(0, 3))
def test_a_new_households_audit_text_is_what_the_chains_encoder_writes(number, name, address, head_id, phone,
                                                                       land_type, use, members, cadre, persons):
    """The import writes its entries' JSON without the encoder (apply._created_text): it must be the
    same text, byte for byte, or the chain's verification would fail on every imported household."""
    from gaizao.ledger.importing.apply import _created, _created_text
    from gaizao.ledger.importing.validate import HouseholdIn, PersonIn

    values = {key: value for key, value in (("head_name", name), ("address", address), ("head_id_number", head_id),
                                            ("phone", phone), ("land_type", land_type), ("use", use),
                                            ("member_count", members)) if value is not None or key == "head_name"}
    if cadre != "absent":
        values["cadre"] = cadre
    household = HouseholdIn(number=number, row=2, values=values,
                            persons=[PersonIn(row=3 + i, name="甲", values={}) for i in range(persons)])
    assert _created_text(household) == audit.canonical_json(_created(household))


def test_the_workers_numbers_go_to_each_household_in_order_or_by_number():
    """The worker answers for the file's distinct numbers in order: households asking for exactly
    those take the answer as it came; any other list (a number twice, a blank, one the worker was not
    given) is matched by number."""
    from gaizao.ledger.importing.sealed import answers_for as _aligned

    sealed, found = ["110", "120", "130"], ["x110", "x120", "x130"]
    assert _aligned(found, sealed, ["110", "120", "130"], lambda n: "made" + n) is found
    assert _aligned(found, sealed, ["130", None, "110", "140", "130", ""], lambda n: "made" + n) == [
        "x130", None, "x110", "made140", "x130", None]


def test_the_sealed_heads_hashes_go_to_each_number_asked_in_order_or_by_number():
    """The plan asks for the heads' hashes (in file order) and then the members': the heads as sealed
    take the worker's list as it came; a member's number, or any other order, is looked up by number,
    and a number the worker was not given gets None (the plan hashes it itself)."""
    from gaizao.ledger.importing.sealed import Sealed

    heads = [cid(101), cid(102), cid(103)]
    sealed = Sealed(heads, ["13900000101", "", "13900000103"])
    hashed = {number: crypto.lookup_hash(number) for number in heads}
    assert sealed.hashes(heads) == [hashed[n] for n in heads]
    assert sealed.hashes([*heads, cid(102), cid(201)]) == [*(hashed[n] for n in heads), hashed[cid(102)], None]
    assert sealed.hashes([cid(103), cid(201), cid(101)]) == [hashed[cid(103)], None, hashed[cid(101)]]
    sealed.close()


def test_the_worker_is_given_each_typed_number_once_in_order_without_blanks_or_masked_ones():
    from gaizao.core.tabular import Masked
    from gaizao.ledger.importing.sealed import Sealed

    sealed = Sealed([cid(101), None, "", Masked("110105********002X"), cid(102), cid(101)],
                    ["13900000101", "", Masked("139****0101"), "13900000101"])
    assert (sealed.ids, sealed.phones) == ([cid(101), cid(102)], ["13900000101"])
    sealed.close()
    sealed = Sealed([cid(103), cid(101)], ["13900000103"])
    assert (sealed.ids, sealed.phones) == ([cid(103), cid(101)], ["13900000103"])
    sealed.close()
