"""One ID, one person (一人一证, ``ledger.identity``): the same bad cases through every write path.

Stored before each case: 李小明 (M) is a member of DH-001 (street A, P001, headed by 李四); in
street B, XL-001 is headed by HEAD_B and lists 王小五 (M_B). Street A's staff then try to write
each bad claim on DH-002 (or DH-001) through the services, the edit pages, the API, the import
preview and ``gaizao ledger import``; each is refused with the rule, naming DH-001 (which street A
may read) and never street B's household.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger import identity
from gaizao.ledger import services as ledger_services
from gaizao.ledger.identity import HEAD, MEMBER, RULES
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from gaizao.ledger.models import Household, Person
from tests.ledger.conftest import form_data
from tests.ledger.importing.conftest import Ledger, cid, household_row, run_ledger

HEAD_A1, HEAD_A2 = "11010519491231002X", "440106199001011235"  # DH-001 李四, DH-002 张三 (tests/conftest.py)
M, M_B, HEAD_B = cid(501, birth="20050505"), cid(502, birth="20060606"), cid(503, birth="19600606")
HIDDEN = "本区另一户（不在你的管辖范围内）"
B_SECRETS = ("XL-001", "P002", "王五", "王小五", "西岭")
DH_001 = "项目 P001 户号 DH-001（户主 李四）"

# (case, role claimed, ID, household written, rule, what the message names: services/pages/API, file)
CASES = [
    ("member_twice_in_one_household", MEMBER, M, "DH-001", identity.TWICE,
     ("「李小明」", "「家庭成员」表第 3 行（户号 DH-001）")),
    ("member_of_two_households_in_one_project", MEMBER, M, "DH-002", identity.TWO_HOUSEHOLDS, (DH_001, DH_001)),
    ("member_of_two_households_across_streets", MEMBER, M_B, "DH-002", identity.TWO_HOUSEHOLDS, (HIDDEN, HIDDEN)),
    ("head_here_member_there", HEAD, M, "DH-002", identity.HEAD_AND_MEMBER, (DH_001, DH_001)),
    ("head_here_member_there_across_streets", HEAD, M_B, "DH-002", identity.HEAD_AND_MEMBER, (HIDDEN, HIDDEN)),
    ("member_here_head_there", MEMBER, HEAD_A1, "DH-002", identity.HEAD_AND_MEMBER, (DH_001, DH_001)),
    ("member_here_head_there_across_streets", MEMBER, HEAD_B, "DH-002", identity.HEAD_AND_MEMBER, (HIDDEN, HIDDEN)),
    ("head_of_two_households", HEAD, HEAD_A1, "DH-002", identity.TWO_HEADS, (DH_001, DH_001)),
]
IDS = [case[0] for case in CASES]
FIELD = {HEAD: "head_id_number", MEMBER: "id_number"}


@pytest.fixture
def stored(cast):
    ledger_services.person_add(actor=SYSTEM, household=cast.household_a1, name="李小明", relation="child",
                               id_number=M)
    ledger_services.household_update(actor=SYSTEM, household=cast.household_b1, version=1, head_id_number=HEAD_B)
    ledger_services.person_add(actor=SYSTEM, household=cast.household_b1, name="王小五", relation="child",
                               id_number=M_B)
    return cast


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _household(number: str) -> Household:
    return Household.objects.get(project__code="P001", number=number)


def _assert_refused(message: str, rule: str, names: str) -> None:
    assert str(RULES[rule]) in message, message
    assert names in message, message
    if names == HIDDEN:
        for secret in B_SECRETS:
            assert secret not in message, (secret, message)


# --- services (what pages and the API call) --------------------------------------------------

@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_the_service_refuses(stored, case, role, number, target, rule, names):
    household = _household(target)
    with pytest.raises(AppError) as refused:
        if role == HEAD:
            ledger_services.household_update(actor=stored.street_user_a, household=household,
                                             version=household.version, head_id_number=number)
        else:
            ledger_services.person_add(actor=stored.street_user_a, household=household, name="某人",
                                       relation="child", id_number=number)
    _assert_refused(refused.value.fields[FIELD[role]], rule, names[0])


@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_the_edit_page_refuses_beside_the_field(stored, login_as, case, role, number, target, rule, names):
    client = login_as(stored.street_user_a)
    household = _household(target)
    persons = Person.objects.count()
    if role == HEAD:
        url = reverse("ledger:household_edit", args=[household.pk])
        data = {**form_data(client.get(url)), "head_id_number": number}
    else:
        url = reverse("ledger:person_create", args=[household.pk])
        data = {"name": "某人", "relation": "child", "id_number": number, "hukou": "local_rural"}
    response = client.post(url, data)
    assert response.status_code == 400
    _assert_refused(response.context["form"].errors[FIELD[role]][0], rule, names[0])
    assert Person.objects.count() == persons and _household(target).version == household.version


@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_the_api_refuses_a_post_and_a_patch(stored, login_as, case, role, number, target, rule, names):
    client = login_as(stored.street_user_a)
    household = _household(target)
    if role == HEAD:
        requests = [("patch", f"/api/ledger/households/{household.pk}",
                     {"version": household.version, "head_id_number": number})]
    else:
        other = ledger_services.person_add(actor=SYSTEM, household=household, name="另一人", relation="other",
                                           id_number=cid(599, birth="19990909"))
        requests = [("post", f"/api/ledger/households/{household.pk}/persons",
                     {"name": "某人", "relation": "child", "id_number": number}),
                    ("patch", f"/api/ledger/persons/{other.pk}", {"version": other.version, "id_number": number})]
    for method, url, body in requests:
        response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (method, response.json())
        _assert_refused(response.json()["fields"][FIELD[role]], rule, names[0])


def _file(tmp_path, role: str, number: str, target: str, rule: str):
    """The household written, with the claimed ID as its head or in its members sheet."""
    head = {"DH-001": HEAD_A1, "DH-002": HEAD_A2}[target]
    persons = []
    if role == HEAD:
        head = number
    else:
        persons = [[target, "某人", number, "子女", "本村农业户口"]] * (2 if rule == identity.TWICE else 1)
    ledger = Ledger(households=[household_row(target, "户主", 900, 户主身份证号=head)], persons=persons)
    return ledger.write(tmp_path / f"{target}.xlsx")


def _where(role: str) -> tuple[str, int, str]:
    return ("住户房屋", 2, "户主身份证号") if role == HEAD else ("家庭成员", 2, "身份证号")


@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_the_import_refuses_naming_sheet_row_and_column(stored, tmp_path, case, role, number, target, rule, names):
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=_file(tmp_path, role, number, target, rule))
    first = plan.errors[0]
    assert (first.sheet, first.row, first.column) == _where(role) and first.household == target
    _assert_refused(first.reason, rule, names[1])
    assert plan.new == [] and plan.changed == [] and plan.rejected_households == 1
    assert all(str(RULES[rule]) in error.reason for error in plan.errors)


@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_the_import_command_refuses(stored, tmp_path, case, role, number, target, rule, names):
    persons = Person.objects.count()
    result = run_ledger("import", _file(tmp_path, role, number, target, rule), "--project", "P001",
                        "--user", "street_a", "--json")
    assert result.code == 2
    first = result.json["rejected"][0]
    _sheet, row, column = _where(role)
    assert (first["row"], first["household"], first["column"]) == (row, target, column)
    _assert_refused(first["reason"], rule, names[1])
    if names[1] == HIDDEN:
        for secret in B_SECRETS:
            assert secret not in result.stdout + result.stderr
    assert Person.objects.count() == persons


def test_registering_a_household_headed_by_a_member_of_another_is_refused(stored, login_as):
    client = login_as(stored.street_user_a)
    response = client.post("/api/ledger/households", content_type="application/json", data=json.dumps({
        "project_id": stored.project_a.pk, "number": "DH-011", "head_name": "王小五", "head_id_number": M_B}))
    assert response.status_code == 400
    _assert_refused(response.json()["fields"]["head_id_number"], identity.HEAD_AND_MEMBER, HIDDEN)
    assert not Household.objects.filter(number="DH-011").exists()


def test_the_district_office_and_the_system_are_told_where(stored, tmp_path):
    household = _household("DH-002")
    with pytest.raises(AppError) as refused:
        ledger_services.person_add(actor=stored.commander, household=household, name="某人", relation="child",
                                   id_number=M_B)
    assert "项目 P002 户号 XL-001（户主 王五）" in refused.value.fields["id_number"]
    result = run_ledger("import", _file(tmp_path, MEMBER, M_B, "DH-002", identity.TWO_HOUSEHOLDS),
                        "--project", "P001", "--json", "--dry-run")
    assert "项目 P002 户号 XL-001（户主 王五）" in result.json["rejected"][0]["reason"]


# --- what is allowed ----------------------------------------------------------------------------

def test_the_head_listed_among_their_own_members_is_allowed_on_every_path(stored, login_as, tmp_path):
    ledger_services.person_add(actor=stored.street_user_a, household=_household("DH-001"), name="李四",
                               relation="head", id_number=HEAD_A1)
    client = login_as(stored.street_user_a)
    response = client.post(f"/api/ledger/households/{_household('DH-002').pk}/persons",
                           data=json.dumps({"name": "张三", "relation": "head", "id_number": HEAD_A2}),
                           content_type="application/json")
    assert response.status_code == 201
    # A member made head of their own household (DH-001's 李小明).
    household = _household("DH-001")
    ledger_services.household_update(actor=stored.street_user_a, household=household, version=household.version,
                                     head_id_number=M)
    ledger = Ledger(households=[household_row("DH-009", "孙九", 909)],
                    persons=[["DH-009", "孙九", cid(909), "户主", "本村农业户口"]])
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=ledger.write(tmp_path / "a.xlsx"))
    assert plan.errors == [] and [h.number for h in plan.new] == ["DH-009"]
    assert identity.violations() == []


def test_an_edit_leaving_the_id_as_it_was_is_not_checked_again(stored):
    # Stored data breaking the rule (written around the services) does not block an unrelated edit.
    Person.objects.create(household=_household("DH-002"), name="李小明", relation="child", id_number=M)
    person = Person.objects.get(household=_household("DH-002"), name="李小明")
    ledger_services.person_update(actor=stored.street_user_a, person=person, version=person.version,
                                  id_number=person.id_number[:6] + "********" + person.id_number[-4:],
                                  hukou="converted")
    assert [v.rule for v in identity.violations()] == [identity.TWO_HOUSEHOLDS]


# --- a file that moves people: the file is the new truth for the households it lists -------------

def _members(number: str) -> dict[str, int]:
    return dict(Person.objects.filter(household=_household(number)).values_list("name", "id"))


def test_a_member_moved_between_households_of_the_file_moves_with_their_record(stored, tmp_path):
    moved = _members("DH-001")["李小明"]
    ledger = Ledger(
        households=[household_row("DH-001", "李四", 1, 户主身份证号=HEAD_A1, 联系电话="13812345678"),
                    household_row("DH-002", "张三", 2, 户主身份证号=HEAD_A2, 联系电话="13900001111")],
        persons=[["DH-001", "李四", HEAD_A1, "户主", "本村农业户口"],
                 ["DH-002", "张三", HEAD_A2, "户主", "本村农业户口"],
                 ["DH-002", "李小明", M, "其他", "农转居"]])
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=ledger.write(tmp_path / "move.xlsx"))
    assert plan.errors == []
    shown = {c["household"]: c for c in plan.summary()["changes"]}
    assert {"column": "家庭成员 李小明·所在户", "before": "户号 DH-001", "after": "户号 DH-002"} \
        in shown["DH-001"]["fields"]
    assert {"column": "家庭成员 李小明·所在户", "before": "户号 DH-001", "after": "户号 DH-002"} \
        in shown["DH-002"]["fields"]
    ledger_import_apply(actor=stored.street_user_a, plan=plan)
    person = Person.objects.get(pk=moved)
    assert person.household.number == "DH-002" and person.relation == "other" and person.hukou == "converted"
    assert "李小明" not in _members("DH-001") and identity.violations() == []
    again = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                  path=ledger.write(tmp_path / "again.xlsx"))
    assert again.errors == [] and again.changed == [] and again.new == []


def test_a_member_becoming_the_head_of_a_new_household_of_the_file_moves_there(stored, tmp_path):
    moved = _members("DH-001")["李小明"]
    ledger = Ledger(
        households=[household_row("DH-001", "李四", 1, 户主身份证号=HEAD_A1, 联系电话="13812345678"),
                    household_row("DH-010", "李小明", 10, 户主身份证号=M)],
        persons=[["DH-001", "李四", HEAD_A1, "户主", "本村农业户口"],
                 ["DH-010", "李小明", M, "户主", "本村农业户口"]])
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=ledger.write(tmp_path / "split.xlsx"))
    assert plan.errors == [] and [h.number for h in plan.new] == ["DH-010"]
    result = ledger_import_apply(actor=stored.street_user_a, plan=plan)
    assert result.persons_updated == 1 and result.persons_created == 1  # 李四 listed in DH-001, 李小明 moved
    person = Person.objects.get(pk=moved)
    assert person.household.number == "DH-010" and person.relation == "head" and person.version == 2
    assert _household("DH-010").head_id_number == M and identity.violations() == []


def test_a_member_is_not_moved_out_of_a_household_the_file_does_not_list_in_full(stored, tmp_path):
    # DH-001 is not in the file, or in it without member rows: 李小明 stays its member, so refused.
    for households, persons in (
        ([household_row("DH-002", "张三", 2, 户主身份证号=HEAD_A2)], []),
        ([household_row("DH-001", "李四", 1, 户主身份证号=HEAD_A1), household_row("DH-002", "张三", 2,
                                                                           户主身份证号=HEAD_A2)], []),
    ):
        ledger = Ledger(households=households, persons=[*persons, ["DH-002", "李小明", M, "其他", "农转居"]])
        plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                     path=ledger.write(tmp_path / "partial.xlsx"))
        [error] = plan.errors
        assert (error.sheet, error.row, error.household) == ("家庭成员", 2, "DH-002")
        _assert_refused(error.reason, identity.TWO_HOUSEHOLDS, DH_001)


def test_a_head_of_a_new_household_not_listed_among_its_members_stays_a_member_where_they_were(stored, tmp_path):
    ledger = Ledger(
        households=[household_row("DH-001", "李四", 1, 户主身份证号=HEAD_A1), household_row("DH-010", "李小明", 10,
                                                                                     户主身份证号=M)],
        persons=[["DH-001", "李四", HEAD_A1, "户主", "本村农业户口"]])
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=ledger.write(tmp_path / "head.xlsx"))
    [error] = plan.errors
    assert (error.sheet, error.row, error.household, error.column) == ("住户房屋", 3, "DH-010", "户主身份证号")
    _assert_refused(error.reason, identity.HEAD_AND_MEMBER, DH_001)


def test_a_row_needing_a_rejected_household_is_rejected_with_it(stored, tmp_path):
    """With 只导入无误的住户 the rejected household is left out, so what needed its change must be too."""
    # Heads swapped (DH-001 and DH-002), and 李小明 moved from DH-001 to DH-002; DH-001's phone is bad.
    ledger = Ledger(
        households=[household_row("DH-001", "李四", 1, 户主身份证号=HEAD_A2, 联系电话="123"),
                    household_row("DH-002", "张三", 2, 户主身份证号=HEAD_A1),
                    household_row("DH-003", "赵三", 3)],
        persons=[["DH-001", "张三", HEAD_A2, "户主", "本村农业户口"],
                 ["DH-002", "李四", HEAD_A1, "户主", "本村农业户口"],
                 ["DH-002", "李小明", M, "其他", "农转居"]])
    plan = ledger_import_preview(actor=stored.street_user_a, project_code="P001",
                                 path=ledger.write(tmp_path / "swap.xlsx"))
    reasons = {(e.sheet, e.row, e.household): e.reason for e in plan.errors}
    assert set(reasons) == {("住户房屋", 2, "DH-001"), ("住户房屋", 3, "DH-002"), ("家庭成员", 3, "DH-002"),
                            ("家庭成员", 4, "DH-002")}
    assert "户号 DH-001 有错误不能导入，本行也不能导入" in reasons[("住户房屋", 3, "DH-002")]
    assert "户号 DH-001 有错误不能导入" in reasons[("家庭成员", 4, "DH-002")]
    assert [h.number for h in plan.new] == ["DH-003"] and plan.changed == []
    ledger_import_apply(actor=stored.street_user_a, plan=plan, skip_invalid=True)
    assert _household("DH-001").head_id_number == HEAD_A1 and _household("DH-002").head_id_number == HEAD_A2
    assert "李小明" in _members("DH-001") and identity.violations() == []


# --- the rule module itself -----------------------------------------------------------------------

def test_the_check_is_set_based(stored, monkeypatch, django_assert_num_queries):
    """Two queries per chunk of distinct IDs, whatever the number of claims; none per claim."""
    from gaizao.core.crypto import lookup_hash

    monkeypatch.setattr(identity, "CHUNK", 10)
    claims = [identity.Claim(lookup_hash(cid(i, birth="19700101")), f"N-{i}", HEAD) for i in range(25)]
    claims += [identity.Claim(c.digest, c.household, MEMBER) for c in claims]  # heads among their members
    with django_assert_num_queries(6):
        verdict = identity.check(claims, actor=SYSTEM, project=stored.project_a)
    assert verdict.ok


@pytest.mark.parametrize("case, role, number, target, rule, names", CASES, ids=IDS)
def test_a_large_batch_reads_a_small_ledgers_ids_whole_with_the_same_verdict(
        stored, monkeypatch, case, role, number, target, rule, names):
    """A batch asking for more IDs than READ_WHOLE times the district's reads them in one pass (a
    count, then heads and members) and refuses exactly what the IN (…) lookups refuse."""
    from gaizao.core.crypto import lookup_hash

    others = [identity.Claim(lookup_hash(cid(i, birth="19700101")), f"N-{i}", HEAD) for i in range(40)]
    household = _household(target)
    claims = [identity.Claim(lookup_hash(number), target, role, ref="bad"), *others]
    if rule == identity.TWICE:  # in a file: the member's row twice
        claims.append(identity.Claim(lookup_hash(number), target, role, ref="again"))
    monkeypatch.setattr(identity, "READ_WHOLE_MIN", 10**9)
    looked_up = identity.check(claims, actor=SYSTEM, project=stored.project_a, listed=[household.number])
    monkeypatch.setattr(identity, "READ_WHOLE_MIN", 1)
    with CaptureQueriesContext(connection) as queries:
        whole = identity.check(claims, actor=SYSTEM, project=stored.project_a, listed=[household.number])
    count, heads, members = (q["sql"] for q in queries.captured_queries[:3])
    assert "LIMIT" in count and heads.endswith("IS NOT NULL") and members.endswith("IS NOT NULL")
    assert looked_up.refusals  # each case is refused, on both paths alike
    assert [(r.claim.ref, r.rule, r.message) for r in whole.refusals] == \
        [(r.claim.ref, r.rule, r.message) for r in looked_up.refusals]
    assert (whole.moves, whole.depends) == (looked_up.moves, looked_up.depends)


def test_violations_finds_each_rule_in_stored_data(stored):
    assert identity.violations() == []
    dh1, dh2 = _household("DH-001"), _household("DH-002")
    Person.objects.create(household=dh1, name="李小明", relation="child", id_number=M)  # twice in DH-001
    Person.objects.create(household=dh2, name="李四", relation="other", id_number=HEAD_A1)  # head of DH-001
    Household.objects.filter(pk=stored.household_b1.pk).update(head_id_hash=dh2.head_id_hash)  # two heads
    found = {(v.rule, v.households) for v in identity.violations()}
    assert found == {
        (identity.TWICE, (dh1.pk,)),
        (identity.HEAD_AND_MEMBER, (dh1.pk, dh2.pk)),
        (identity.TWO_HEADS, (dh2.pk, stored.household_b1.pk)),
    }


def test_the_demo_district_obeys_the_rule(db):
    from gaizao.demo.generator import load_demo

    load_demo(households=300, seed=7)
    assert Person.objects.count() > 300
    assert identity.violations() == []
