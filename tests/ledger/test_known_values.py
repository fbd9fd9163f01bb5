"""Known values (可选值): the new built-in structures, and the lists the office extends (structures, uses),
read by the model, the edit forms, the import and the template; audited; refused to a street."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.ledger import known, services
from gaizao.ledger.importing.template import template_bytes
from gaizao.ledger.models import Building, KnownValue
from gaizao.ledger.services.known import known_value_add, known_value_set_active
from tests.ledger.importing.conftest import (  # noqa: F401 — ledger_file is a fixture
    Ledger, household_row, ledger_file, run_ledger,
)


@pytest.fixture(autouse=True)
def _fresh_lists():
    known.forget()
    yield
    known.forget()


@pytest.mark.parametrize("cell, stored", [
    ("钢混", "steel_concrete"), ("钢筋混凝土结构", "steel_concrete"), ("钢结构", "steel"), ("木结构", "wood"),
    ("土木", "earth_wood"), ("石木结构", "stone_wood"), ("其他", "other"),
])
def test_the_new_built_in_structures_are_read_by_the_import(cast, ledger_file, cell, stored):
    path = ledger_file(Ledger(households=[household_row("DH-401", "甲", 401, 结构=cell)]))
    assert run_ledger("import", path, "--project", "P001", "--json").json["new"] == 1
    assert Building.objects.get(household__number="DH-401").structure == stored


def test_the_office_adds_a_structure_that_every_reader_then_knows(cast, ledger_file, login_as):
    value = known_value_add(actor=cast.commander, kind="structure", label="钢木", aliases="钢木结构、钢木房")
    assert AuditEntry.objects.get(action="known_value.create").changes["after"]["label"] == "钢木"
    # the service and the model
    building = services.building_add(actor=cast.street_user_a, household=cast.household_a2, number="9",
                                     structure="钢木", legal_area=Decimal("10"))
    assert building.get_structure_display() == "钢木"
    # the edit form's drop-down
    page = login_as(cast.street_user_a).get(reverse("ledger:building_create", args=[cast.household_a2.pk]))
    assert '<option value="钢木">钢木</option>' in page.content.decode()
    # the import, by its name and an alias
    path = ledger_file(Ledger(households=[household_row("DH-402", "乙", 402, 结构="钢木结构")]))
    assert run_ledger("import", path, "--project", "P001", "--json").json["new"] == 1
    assert Building.objects.get(household__number="DH-402").structure == "钢木"
    # the template's drop-down list
    sheet = openpyxl.load_workbook(io.BytesIO(template_bytes()))["住户房屋"]
    assert any("钢木" in (dv.formula1 or "") for dv in sheet.data_validations.dataValidation)
    # retired: no longer offered nor imported, still valid where it is held
    known_value_set_active(actor=cast.commander, value=value, version=value.version, active=False)
    page = login_as(cast.street_user_a).get(reverse("ledger:building_create", args=[cast.household_a2.pk]))
    assert '<option value="钢木">' not in page.content.decode()
    path = ledger_file(Ledger(households=[household_row("DH-403", "丙", 403, 结构="钢木")]))
    rejected = run_ledger("import", path, "--project", "P001", "--json").json["rejected"]
    assert rejected[0]["column"] == "结构" and "不是可选值" in rejected[0]["reason"]
    assert Building.objects.get(pk=building.pk).get_structure_display() == "钢木"
    # … and its own edit page still offers it, so an unrelated edit is not refused
    page = login_as(cast.street_user_a).get(reverse("ledger:building_edit", args=[building.pk]))
    assert '<option value="钢木" selected>钢木</option>' in page.content.decode()


def test_an_added_use_is_read_too(cast, ledger_file):
    known_value_add(actor=cast.admin, kind="use", label="商铺", aliases="门面")
    path = ledger_file(Ledger(households=[household_row("DH-404", "丁", 404, 用途="门面")]))
    assert run_ledger("import", path, "--project", "P001", "--json").json["new"] == 1


@pytest.mark.parametrize("label, aliases, field, says", [
    ("", "", "label", "请填写名称"),
    ("砖混", "", "label", "已是房屋结构的可选值"),
    ("钢筋混凝土", "", "label", "已是房屋结构的可选值"),
    ("一二三四五六七八九十一二三四五六七", "", "label", "不能超过 16 个字"),
    ("钢木", "框架结构", "aliases", "已表示其他值：“框架结构”（框架）"),
])
def test_bad_values_are_refused_naming_the_field(cast, label, aliases, field, says):
    with pytest.raises(AppError) as caught:
        known_value_add(actor=cast.commander, kind="structure", label=label, aliases=aliases)
    assert says in caught.value.fields[field]
    assert not KnownValue.objects.exists()


def test_a_street_may_not_extend_the_lists(cast, login_as):
    with pytest.raises(PermissionDenied):
        known_value_add(actor=cast.street_user_a, kind="structure", label="钢木")
    for user in (cast.street_user_a, cast.leader, cast.cadre):
        assert login_as(user).get(reverse("ledger:known_values")).status_code == 404


def test_the_page_adds_retires_and_says_what_is_wrong(cast, login_as):
    client = login_as(cast.commander)
    assert "钢混" in client.get(reverse("ledger:known_values")).content.decode()
    response = client.post(reverse("ledger:known_values"), {"action": "add", "kind": "structure", "label": "框架"})
    assert response.status_code == 400 and "已是房屋结构的可选值" in response.content.decode()
    response = client.post(reverse("ledger:known_values"),
                           {"action": "add", "kind": "structure", "label": "砖石", "aliases": "砖石结构"}, follow=True)
    assert "已增加可选值“砖石”" in response.content.decode()
    value = KnownValue.objects.get(label="砖石")
    client.post(reverse("ledger:known_values"),
                {"action": "toggle", "pk": value.pk, "version": value.version, "active": "0"})
    assert KnownValue.objects.get(pk=value.pk).active is False
    assert AuditEntry.objects.filter(action="known_value.update").exists()
