"""Invisible control characters in text input (不可见字符, issue 15 item 3).

A certificate number with U+0001 or a name with a NUL was accepted and then made every export of
the project answer 500. Now every door refuses them with a message naming the field — the API,
the forms, the import, the services that write without full_clean — while line breaks stay
allowed in multi-line notes; rows stored before are cleaned by a migration, and an export never
crashes on stored text.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.core.text import check_text, clean_models
from gaizao.ledger.models import Building, Household, Village
from gaizao.org.models import OrgUnit, User
from gaizao.progress.models import StageEvent, Visit
from gaizao.progress.services import hardcase_open, household_record_event, visit_record
from tests.ledger.conftest import form_data
from tests.ledger.importing.conftest import HOUSEHOLD_HEADER, household_row, run_ledger

pytestmark = pytest.mark.django_db


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


# --- the rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\u202e", "\u2066", "\ufffe", "\ud800"])
def test_it_refuses_invisible_characters_in_any_field(char):
    for multiline in (False, True):
        message = check_text(f"张{char}三", multiline=multiline, field_label="姓名")
        assert message == f"「姓名」含有不可见的控制字符（U+{ord(char):04X}），请删除后重新输入。"


def test_line_breaks_are_refused_in_one_line_and_kept_in_notes():
    assert "只能填一行" in check_text("东湖路\n8号", multiline=False, field_label="地址")
    assert "只能填一行" in check_text("A\tB", multiline=False, field_label="权证号")
    assert check_text("  东湖路8号\n", multiline=False, field_label="地址") is None  # the ends are stripped
    assert check_text("第一行\r\n第二行\n\t缩进", multiline=True, field_label="说明") is None
    assert check_text("换行\r不完整", multiline=True, field_label="说明") is not None


# --- the API, the forms, the import -----------------------------------------------------------

def test_the_api_refuses_a_nul_in_a_name_and_names_the_field(cast, login_as):
    client = login_as(cast.street_user_a)
    response = _patch(client, f"/api/ledger/households/{cast.household_a1.pk}", {"version": 1, "head_name": "李\x00四"})
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["fields"]["head_name"] == "「户主姓名」含有不可见的控制字符（U+0000），请删除后重新输入。"
    assert Household.objects.get(pk=cast.household_a1.pk).head_name == "李四"


def test_the_api_refuses_u0001_in_a_certificate_number(cast, login_as):
    client = login_as(cast.street_user_a)
    building = cast.household_a1.buildings.get()
    response = _patch(client, f"/api/ledger/buildings/{building.pk}", {"version": 1, "certificate_no": "QZ\x01001"})
    assert response.status_code == 400, response.content
    assert "U+0001" in response.json()["fields"]["certificate_no"]
    assert "权证号" in response.json()["fields"]["certificate_no"]
    building.refresh_from_db()
    assert building.certificate_no == "" and building.version == 1


def test_a_form_shows_the_refusal_beside_the_field(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data["address"] = "东湖路\u202e8号"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "U+202E" in response.context["form"].errors["address"][0]
    assert 'data-testid="error-address"' in response.content.decode()
    assert Household.objects.get(pk=cast.household_a1.pk).version == 1


def test_the_import_names_row_and_column_and_writes_nothing(cast, tmp_path):
    rows = [HOUSEHOLD_HEADER, household_row("DH-201", "赵\x01一", 201),
            household_row("DH-202", "钱二", 202, 权证号="QZ\x01202")]
    path = tmp_path / "台账.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    households = Household.objects.count()
    result = run_ledger("import", path, "--project", "P001", "--json")
    rejected: dict[tuple, list[str]] = {}
    for item in result.json["rejected"]:
        rejected.setdefault((item["row"], item["column"]), []).append(item["reason"])
    assert "「户主姓名」含有不可见的控制字符（U+0001），请删除后重新输入。" in rejected[(2, "户主姓名")]
    assert rejected[(3, "权证号")] == ["「权证号」含有不可见的控制字符（U+0001），请删除后重新输入。"]
    assert result.json["new"] == 0
    assert Household.objects.count() == households


# --- services that write without full_clean -----------------------------------------------------

def test_a_stage_event_note_keeps_its_lines_and_refuses_control_characters(cast):
    with pytest.raises(AppError) as refused:
        household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                               on_date="2026-03-01", note="已入户\x1b")
    assert "U+001B" in refused.value.fields["note"]
    assert not StageEvent.objects.exists()
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                                   on_date="2026-03-01", note="已入户调查。\n户主在家，\t态度配合。")
    assert event.note == "已入户调查。\n户主在家，\t态度配合。"


def test_a_visit_refuses_control_characters_in_the_talk(cast):
    household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                           on_date="2026-03-01")
    case = hardcase_open(actor=cast.street_user_a, household=cast.household_a1, reason="price",
                         opened_on="2026-03-02")
    with pytest.raises(AppError) as refused:
        visit_record(actor=cast.street_user_a, hard_case=case, visited_on="2026-03-03", talk="谈了补偿\x07")
    assert "沟通情况" in refused.value.fields["talk"]
    assert not Visit.objects.exists()


# --- rows stored before the rule ----------------------------------------------------------------

def _plant_old_rows(cast):
    """What old data looks like: control characters written past the services (NUL only where the
    database could hold it: PostgreSQL's text never could)."""
    nul = "\x00" if connection.vendor == "sqlite" else "\x1f"
    Household.objects.filter(pk=cast.household_a1.pk).update(head_name=f"李{nul}四", address="东湖路\x018号")
    Building.objects.filter(household=cast.household_a1).update(certificate_no="QZ\x01001\u202e")
    Village.objects.filter(pk=cast.village_a.pk).update(notes="第一行\n第二行\x0b")
    OrgUnit.objects.filter(pk=cast.street_a.pk).update(name="东湖\x02街道")
    User.objects.filter(pk=cast.cadre.pk).update(full_name="陈\x03包户")


def test_an_export_of_old_rows_with_control_characters_answers_200_without_them(cast, login_as):
    _plant_old_rows(cast)
    response = login_as(cast.street_user_a).get("/ledger/import/export/?project=P001")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("住户房屋").to_python()
    row = next(r for r in sheet if r[0] == "DH-001")
    assert (row[1], row[4], row[12]) == ("李四", "东湖路8号", "QZ001")


def test_the_migration_cleans_old_rows_and_audits_each_model(cast):
    _plant_old_rows(cast)
    assert clean_models(apps, "ledger", ["Village", "Project", "Household", "Person", "Building",
                                          "HeritageElement"]) == {"Village": 1, "Household": 1, "Building": 1}
    assert clean_models(apps, "org", {"OrgUnit": ["name"], "User": ["full_name"]}) == {"OrgUnit": 1, "User": 1}
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert (household.head_name, household.address, household.version) == ("李四", "东湖路8号", 1)
    assert Building.objects.get(household=cast.household_a1).certificate_no == "QZ001"
    assert Village.objects.get(pk=cast.village_a.pk).notes == "第一行\n第二行"  # the line break stays
    assert OrgUnit.objects.get(pk=cast.street_a.pk).name == "东湖街道"
    assert User.objects.get(pk=cast.cadre.pk).full_name == "陈包户"
    entries = AuditEntry.objects.filter(action="text.clean_control_characters")
    assert {(e.object_type, e.changes["rows"]) for e in entries} == {
        ("ledger.village", 1), ("ledger.household", 1), ("ledger.building", 1), ("org.orgunit", 1), ("org.user", 1)}
    assert clean_models(apps, "ledger", ["Household", "Building"]) == {}  # nothing left to clean


def test_the_progress_migration_keeps_line_breaks_in_notes(cast):
    event = household_record_event(actor=cast.street_user_a, household=cast.household_a1, kind="surveyed",
                                   on_date="2026-03-01", note="第一行\n第二行")
    StageEvent.objects.filter(pk=event.pk).update(note="第一行\n第二\x08行")
    assert clean_models(apps, "progress", ["StageEvent", "EventAttachment", "HardCase", "Visit",
                                            "Consultation"]) == {"StageEvent": 1}
    assert StageEvent.objects.get(pk=event.pk).note == "第一行\n第二行"
