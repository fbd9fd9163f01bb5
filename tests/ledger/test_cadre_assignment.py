"""Assigning cadres (包户干部) to many households at once: the service, the list's selection, the import's column."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.core.errors import AppError, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services
from gaizao.ledger.importing.engine import ledger_import_preview
from gaizao.ledger.models import Household
from gaizao.org.choices import Role
from tests.conftest import _user
from tests.ledger.importing.conftest import (  # noqa: F401 — ledger_file is a fixture
    HOUSEHOLD_HEADER, Ledger, household_row, ledger_file, run_ledger,
)


@pytest.fixture
def second_cadre(cast):
    return _user("cadre2", "吴包户", (Role.CADRE, cast.street_a))


def _cadre_of(household) -> int | None:
    return Household.objects.get(pk=household.pk).cadre_id


def test_one_cadre_for_many_households_audited_each_and_once_for_the_batch(cast, second_cadre):
    before = {h: Household.objects.get(pk=h.pk).version for h in (cast.household_a1, cast.household_a2)}
    count = services.households_assign_cadre(actor=cast.street_user_a, cadre="吴包户",
                                             household_ids=[cast.household_a1.pk, cast.household_a2.pk])
    assert count == 2
    for household, version in before.items():
        stored = Household.objects.get(pk=household.pk)
        assert stored.cadre_id == second_cadre.pk and stored.version == version + 1  # an open form goes stale
    entries = AuditEntry.objects.filter(action="household.update", changes__bulk=True)
    assert {e.object_id for e in entries} == {str(cast.household_a1.pk), str(cast.household_a2.pk)}
    assert entries.get(object_id=str(cast.household_a1.pk)).changes["cadre"] == [cast.cadre.pk, second_cadre.pk]
    batch = AuditEntry.objects.get(action="household.assign_cadre_bulk")
    assert batch.changes["households"] == [cast.household_a1.pk, cast.household_a2.pk]


def test_unassigning_and_a_household_already_so_is_left_alone(cast):
    assert services.households_assign_cadre(actor=cast.street_user_a, cadre=None,
                                            household_ids=[cast.household_a1.pk, cast.household_a2.pk]) == 1
    assert _cadre_of(cast.household_a1) is None
    assert services.households_assign_cadre(actor=cast.street_user_a, cadre="cadre",
                                            household_ids=[cast.household_a1.pk]) == 1
    assert services.households_assign_cadre(actor=cast.street_user_a, cadre="cadre",
                                            household_ids=[cast.household_a1.pk]) == 0


def test_a_cadre_of_another_street_is_refused_in_chinese(cast):
    _user("cadre_b", "西岭干部", (Role.CADRE, cast.street_b))
    with pytest.raises(AppError, match="东湖街道没有名为「西岭干部」的包户干部"):
        services.households_assign_cadre(actor=cast.commander, cadre="西岭干部", household_ids=[cast.household_a1.pk])
    assert _cadre_of(cast.household_a1) == cast.cadre.pk


def test_a_name_two_cadres_share_asks_for_the_username(cast):
    _user("chen2", "陈包户", (Role.CADRE, cast.street_a))
    with pytest.raises(AppError, match="不止一位名为「陈包户」.*cadre、chen2|不止一位名为「陈包户」.*chen2、cadre"):
        services.households_assign_cadre(actor=cast.street_user_a, cadre="陈包户", household_ids=[cast.household_a2.pk])
    services.households_assign_cadre(actor=cast.street_user_a, cadre="chen2", household_ids=[cast.household_a2.pk])
    assert Household.objects.get(pk=cast.household_a2.pk).cadre.username == "chen2"


def test_households_of_two_streets_are_refused_together(cast):
    with pytest.raises(AppError, match="分属 2 个街道"):
        services.households_assign_cadre(actor=cast.commander, cadre="cadre",
                                         household_ids=[cast.household_a1.pk, cast.household_b1.pk])


def test_a_household_out_of_scope_refuses_the_whole_batch(cast):
    with pytest.raises(NotFound, match="有 1 户不存在或无权操作"):
        services.households_assign_cadre(actor=cast.street_user_a, cadre=None,
                                         household_ids=[cast.household_a1.pk, cast.household_b1.pk])
    assert _cadre_of(cast.household_a1) == cast.cadre.pk


def test_nothing_chosen_is_said(cast):
    with pytest.raises(AppError, match="请至少选择一户"):
        services.households_assign_cadre(actor=cast.street_user_a, cadre="cadre", household_ids=[])


# --- the list's selection ------------------------------------------------------------------------

def test_the_list_offers_ticks_to_writers_only(cast, login_as):
    page = login_as(cast.street_user_a).get(reverse("ledger:household_list")).content.decode()
    assert 'data-testid="assign-form"' in page and 'name="households"' in page and 'id="tick-all"' in page
    for reader in (cast.cadre, cast.leader):
        page = login_as(reader).get(reverse("ledger:household_list")).content.decode()
        assert 'data-testid="assign-form"' not in page and 'name="households"' not in page


def test_assigning_from_the_list_goes_back_to_the_same_list(cast, second_cadre, login_as):
    client = login_as(cast.street_user_a)
    back = reverse("ledger:household_list") + "?stage=registered"
    response = client.post(reverse("ledger:household_assign_cadre"), {
        "households": [cast.household_a1.pk, cast.household_a2.pk], "cadre": "cadre2", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    assert _cadre_of(cast.household_a2) == second_cadre.pk
    page = client.get(back).content.decode()
    assert "已为 2 户分配包户干部「cadre2」" in page


@pytest.mark.parametrize("data, says", [
    ({"cadre": "cadre"}, "请至少选择一户"),
    ({"cadre": "", "households": "A2"}, "请填写包户干部的姓名或用户名"),
    ({"cadre": "nobody", "households": "A2"}, "没有名为「nobody」的包户干部"),
    ({"cadre": "cadre", "households": ["x"]}, "所选住户有误"),
])
def test_bad_input_on_the_list_is_said_and_nothing_written(cast, login_as, data, says):
    client = login_as(cast.street_user_a)
    if data.get("households") == "A2":  # household a2 (no cadre yet), which the parameters cannot name
        data = {**data, "households": [cast.household_a2.pk]}
    response = client.post(reverse("ledger:household_assign_cadre"), data, follow=True)
    assert says in response.content.decode()
    assert _cadre_of(cast.household_a2) is None


def test_readers_and_other_streets_get_404(cast, login_as):
    for user in (cast.cadre, cast.leader, cast.resident):
        response = login_as(user).post(reverse("ledger:household_assign_cadre"),
                                       {"households": [cast.household_a1.pk], "cadre": "cadre"})
        assert response.status_code == 404
    response = login_as(cast.street_user_b).post(reverse("ledger:household_assign_cadre"),
                                                 {"households": [cast.household_a1.pk], "unassign": "1"})
    assert response.status_code == 404 and _cadre_of(cast.household_a1) == cast.cadre.pk


# --- the import's 包户干部 column -----------------------------------------------------------------

def _sheet(*rows) -> Ledger:
    return Ledger(households=[household_row(number, name, seq) + [cadre] for number, name, seq, cadre in rows],
                  household_header=[*HOUSEHOLD_HEADER, "包户干部"])


def test_the_import_assigns_by_name_or_username_and_again_changes_nothing(cast, second_cadre, ledger_file):
    path = ledger_file(_sheet(("DH-301", "甲一", 301, "吴包户"), ("DH-302", "乙二", 302, "cadre"),
                              ("DH-303", "丙三", 303, None)))
    first = run_ledger("import", path, "--project", "P001", "--json")
    assert first.code == 0 and first.json["new"] == 3, first.stderr
    cadres = dict(Household.objects.filter(number__startswith="DH-30").values_list("number", "cadre__username"))
    assert cadres == {"DH-301": "cadre2", "DH-302": "cadre", "DH-303": None}
    again = run_ledger("import", path, "--project", "P001", "--json")
    assert again.json["new"] == 0 and again.json["changed"] == 0 and again.json["unchanged"] == 3


def test_the_import_changes_a_stored_households_cadre_and_shows_it(cast, second_cadre, ledger_file):
    path = ledger_file(_sheet(("DH-001", "李四", 1, "吴包户")))
    plan = ledger_import_preview(actor=cast.street_user_a, project_code="P001", path=path)
    assert plan.counts()["changed"] == 1
    assert {"column": "包户干部", "before": "陈包户", "after": "吴包户"} in plan.summary()["changes"][0]["fields"]
    assert run_ledger("import", path, "--project", "P001", "--json").code == 0
    assert _cadre_of(cast.household_a1) == second_cadre.pk


@pytest.mark.parametrize("cell, says", [
    ("无名氏", "「无名氏」不是东湖街道的包户干部"),
    ("resident", "「resident」不是东湖街道的包户干部"),
])
def test_an_unknown_cadre_is_a_row_error_naming_row_and_column(cast, ledger_file, cell, says):
    path = ledger_file(_sheet(("DH-301", "甲一", 301, cell)))
    result = run_ledger("import", path, "--project", "P001", "--json")
    rejected = result.json["rejected"]
    assert rejected and rejected[0]["row"] == 2 and rejected[0]["column"] == "包户干部"
    assert says in rejected[0]["reason"]
    assert not Household.objects.filter(number="DH-301").exists()


def test_an_ambiguous_cadre_is_a_row_error(cast, ledger_file):
    _user("chen2", "陈包户", (Role.CADRE, cast.street_a))
    path = ledger_file(_sheet(("DH-301", "甲一", 301, "陈包户")))
    rejected = run_ledger("import", path, "--project", "P001", "--json").json["rejected"]
    assert rejected[0]["column"] == "包户干部" and "请改写用户名" in rejected[0]["reason"]


def test_a_synonym_header_is_read(cast, second_cadre, ledger_file):
    sheet = _sheet(("DH-301", "甲一", 301, "吴包户"))
    sheet.household_header[-1] = "包户人"
    assert run_ledger("import", ledger_file(sheet), "--project", "P001", "--json").json["new"] == 1
    assert Household.objects.get(number="DH-301").cadre_id == second_cadre.pk


def test_the_api_assigns_in_bulk_and_refuses_in_chinese(cast, second_cadre, login_as):
    client = login_as(cast.street_user_a)
    url = "/api/ledger/households/assign-cadre"
    ids = [cast.household_a1.pk, cast.household_a2.pk]
    bad = client.post(url, {"household_ids": ids, "cadre": "无名氏"}, content_type="application/json")
    assert bad.status_code == 400 and "东湖街道没有名为「无名氏」的包户干部" in bad.json()["message"]
    assert "cadre" in bad.json()["fields"]
    good = client.post(url, {"household_ids": ids, "cadre": "cadre2"}, content_type="application/json")
    assert good.status_code == 200 and good.json() == {"changed": 2}
    other = client.post(url, {"household_ids": [cast.household_b1.pk], "cadre": None},
                        content_type="application/json")
    assert other.status_code == 404


def test_the_assign_box_suggests_the_streets_cadres_on_first_focus(cast, second_cadre, login_as):
    from gaizao.org.choices import Role as R

    _user("cadre_b", "西岭干部", (R.CADRE, cast.street_b))
    page = login_as(cast.street_user_a).get(reverse("ledger:household_list")).content.decode()
    assert 'hx-get="%s"' % reverse("ledger:cadre_options") in page
    options = login_as(cast.street_user_a).get(reverse("ledger:cadre_options")).content.decode()
    assert '<option value="cadre2">吴包户（东湖街道）</option>' in options and 'value="cadre"' in options
    assert "cadre_b" not in options  # another street's cadre is not theirs to assign
    office = login_as(cast.commander).get(reverse("ledger:cadre_options")).content.decode()
    assert "cadre_b" in office and "cadre2" in office
    assert login_as(cast.cadre).get(reverse("ledger:cadre_options")).status_code == 404
