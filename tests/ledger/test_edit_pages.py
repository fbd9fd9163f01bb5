"""Create and edit forms on the pages: who may, what is checked, and stale edits.

Rule: edit pages find their object through the write scope, so anyone who may not change it gets
404 — whether the object is out of their scope or only readable to them (leader, cadre, resident).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Building, Household, Person, Project, Village
from tests.ledger.conftest import ROLES, WRITERS, citizen_id, form_data

STALE = "已被他人修改"


@pytest.fixture
def person(cast):
    return ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name="李小四",
                                      relation="child", id_number=citizen_id(7))


def _edit_urls(cast, person) -> dict[str, str]:
    building = cast.household_a1.buildings.get()
    return {
        "village": reverse("ledger:village_edit", args=[cast.village_a.pk]),
        "project": reverse("ledger:project_edit", args=[cast.project_a.pk]),
        "household": reverse("ledger:household_edit", args=[cast.household_a1.pk]),
        "person": reverse("ledger:person_edit", args=[person.pk]),
        "building": reverse("ledger:building_edit", args=[building.pk]),
        "demolish": reverse("ledger:building_demolish", args=[building.pk]),
        "new_project": reverse("ledger:project_create", args=[cast.village_a.pk]),
        "new_household": reverse("ledger:household_create", args=[cast.project_a.pk]),
        "new_person": reverse("ledger:person_create", args=[cast.household_a1.pk]),
        "new_building": reverse("ledger:building_create", args=[cast.household_a1.pk]),
        "new_heritage": reverse("ledger:heritage_create", args=[cast.village_a.pk]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_of_street_a_are_404_to_all_but_its_writers(cast, login_as, person, role):
    client = login_as(getattr(cast, role))
    for name, url in _edit_urls(cast, person).items():
        expected = 200 if role in WRITERS["street_a"] else 404
        assert client.get(url).status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_posting_without_write_scope_is_404_and_writes_nothing(cast, login_as, person, role):
    if role in WRITERS["street_a"]:
        return
    client = login_as(getattr(cast, role))
    before = AuditEntry.objects.count()
    for name, url in _edit_urls(cast, person).items():
        response = client.post(url, {"name": "改名", "head_name": "改名", "version": 1, "number": "X"})
        assert response.status_code == 404, (role, name)
    assert AuditEntry.objects.count() == before
    assert Household.objects.get(pk=cast.household_a1.pk).head_name == "李四"


def test_street_a_edits_dh_001_and_gets_404_on_xl_001(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data.update(head_name="李四新", address="东湖路 1 号")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:household_detail", args=[cast.household_a1.pk])
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert (household.head_name, household.head_initials, household.address) == ("李四新", "lsx", "东湖路 1 号")
    assert household.version == 2
    other = reverse("ledger:household_edit", args=[cast.household_b1.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {**data, "version": 1}).status_code == 404


def test_masked_numbers_in_the_form_keep_the_stored_ones(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "110105********002X" in html and "138****5678" in html
    assert "11010519491231002X" not in html and "13812345678" not in html
    data = form_data(page)
    data["address"] = "新地址"
    assert client.post(url, data).status_code == 302
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert household.head_id_number == "11010519491231002X"
    assert household.phone == "13812345678"
    entry = AuditEntry.objects.filter(action="household.update").get()
    assert set(entry.changes) == {"address"}


def test_new_numbers_are_normalised(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data.update(head_id_number="１１０１０５１９４９１２３１００２x", phone="+86 139 0000 9999")
    assert client.post(url, data).status_code == 302
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert household.phone == "13900009999"
    assert household.head_id_number == "11010519491231002X"


def test_two_forms_loaded_both_submitted_exactly_one_wins(cast, login_as, client_factory):
    first = login_as(cast.street_user_a)
    second = client_factory(cast.commander)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data_first, data_second = form_data(first.get(url)), form_data(second.get(url))
    data_first["address"] = "甲的地址"
    data_second["address"] = "乙的地址"
    assert first.post(url, data_first).status_code == 302
    response = second.post(url, data_second)
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html and "请刷新" in html
    assert 'data-testid="form-error"' in html
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert household.address == "甲的地址" and household.version == 2
    assert AuditEntry.objects.filter(action="household.update").count() == 1


@pytest.mark.parametrize("field, value, message", [
    ("head_id_number", "110105194912310021", "校验位"),
    ("phone", "1381234567", "手机号"),
    ("number", "DH-002", "户号"),
    ("member_count", "-1", "家庭人数"),
])
def test_household_errors_stand_beside_their_field(cast, login_as, field, value, message):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in errors[field][0], errors
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Household.objects.get(pk=cast.household_a1.pk).version == 1


def test_a_head_id_already_heading_another_household_is_refused(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_edit", args=[cast.household_a1.pk])
    data = form_data(client.get(url))
    data["head_id_number"] = "440106199001011235"  # DH-002's head
    errors = client.post(url, data).context["form"].errors
    assert "DH-002" in errors["head_id_number"][0]
    # A head in another street is not named to street A.
    ledger_services.household_update(actor=cast.admin, household=cast.household_b1, version=1,
                                     head_id_number=citizen_id(42))
    data["head_id_number"] = citizen_id(42)
    message = client.post(url, data).context["form"].errors["head_id_number"][0]
    assert "本区另一户（不在你的管辖范围内）" in message and "XL-001" not in message


def test_household_create_from_the_project(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:household_create", args=[cast.project_a.pk])
    data = form_data(client.get(url))
    data.update(number="DH-003", head_name="赵六", head_id_number=citizen_id(11), phone="13700001234",
                cadre=cast.cadre.pk)
    response = client.post(url, data)
    household = Household.objects.get(number="DH-003")
    assert response["Location"] == reverse("ledger:household_detail", args=[household.pk])
    assert (household.street_id, household.village_id, household.cadre_id) == (
        cast.street_a.pk, cast.village_a.pk, cast.cadre.pk)
    assert household.head_initials == "zl"
    data["number"] = "DH-001"
    errors = client.post(url, data).context["form"].errors
    assert "户号" in errors["number"][0]


def test_village_create_and_edit_with_boundary(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:village_create")
    page = client.get(url)
    assert list(page.context["form"].fields["street"].queryset) == [cast.street_a]
    square = '{"type": "Polygon", "coordinates": [[[113.1, 23.1], [113.2, 23.1], [113.2, 23.2], [113.1, 23.1]]]}'
    response = client.post(url, {"street": cast.street_a.pk, "name": "南湾村", "code": "V003", "mode": "mixed",
                                 "batch": 2, "year": 2027, "land_area": "1234.5", "population": 800,
                                 "boundary": square, "community": cast.community_a.pk})
    village = Village.objects.get(code="V003")
    assert response["Location"] == reverse("ledger:village_detail", args=[village.pk])
    assert village.boundary["type"] == "Polygon" and village.land_area == Decimal("1234.50")
    edit = reverse("ledger:village_edit", args=[village.pk])
    data = form_data(client.get(edit))
    data["boundary"] = '{"type": "Point", "coordinates": [113.1, 23.1]}'
    response = client.post(edit, data)
    assert response.status_code == 400
    assert "Polygon" in response.context["form"].errors["boundary"][0]
    data["boundary"] = '{"type": "Polygon", "coordinates": [[[113.1, 23.1], [113.2, 23.1], [113.2, 23.2], [113.15, 23.3]]]}'
    assert "未闭合" in client.post(edit, data).context["form"].errors["boundary"][0]
    data["boundary"] = ""
    assert client.post(edit, data).status_code == 302
    assert Village.objects.get(pk=village.pk).boundary is None


def test_street_b_cannot_create_a_village_in_street_a(cast, login_as):
    client = login_as(cast.street_user_b)
    response = client.post(reverse("ledger:village_create"), {
        "street": cast.street_a.pk, "name": "越界村", "code": "V009", "mode": "mixed", "batch": 1, "year": 2027,
        "land_area": "0", "population": 0})
    assert response.status_code == 400
    assert "street" in response.context["form"].errors
    assert not Village.objects.filter(code="V009").exists()
    assert login_as(cast.leader).get(reverse("ledger:village_create")).status_code == 404


def test_project_edit_checks_the_signing_period_and_threshold(cast, login_as):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:project_edit", args=[cast.project_a.pk])
    data = form_data(client.get(url))
    data.update(signing_start="2026-06-01", signing_end="2026-05-01", signing_threshold="120")
    response = client.post(url, data)
    errors = response.context["form"].errors
    assert "不能早于开始日期" in errors["signing_end"][0]
    assert "0 到 100" in errors["signing_threshold"][0]
    data.update(signing_end="2026-08-31", signing_threshold="80", consultation_threshold="101")
    response = client.post(url, data)
    assert "意愿征询通过比例须为 0 到 100" in response.context["form"].errors["consultation_threshold"][0]
    data.update(consultation_threshold="85")
    assert client.post(url, data).status_code == 302
    project = Project.objects.get(pk=cast.project_a.pk)
    assert str(project.signing_end) == "2026-08-31" and project.signing_threshold == Decimal("80.00")
    assert project.consultation_threshold == Decimal("85.00")


def test_person_add_and_edit_keep_masked_id(cast, login_as, person):
    client = login_as(cast.street_user_a)
    url = reverse("ledger:person_edit", args=[person.pk])
    page = client.get(url)
    assert citizen_id(7) not in page.content.decode()
    data = form_data(page)
    data["relation"] = "spouse"
    assert client.post(url, data).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert person.relation == "spouse" and person.id_number == citizen_id(7) and person.version == 2
    create = reverse("ledger:person_create", args=[cast.household_a1.pk])
    response = client.post(create, {"name": "李小五", "relation": "child", "id_number": "12345", "hukou": "converted"})
    assert "18 位" in response.context["form"].errors["id_number"][0]


def test_building_add_and_edit_check_areas(cast, login_as):
    client = login_as(cast.street_user_a)
    create = reverse("ledger:building_create", args=[cast.household_a1.pk])
    data = form_data(client.get(create))
    data.update(number="2", legal_area="-5", unlicensed_area="1.234")
    response = client.post(create, data)
    errors = response.context["form"].errors
    assert errors["legal_area"] == ["合法面积（㎡）不能为负数。"]
    assert errors["unlicensed_area"] == ["无证面积（㎡）最多保留两位小数。"]
    data.update(legal_area="88.5", unlicensed_area="0")
    response = client.post(create, data)
    building = Building.objects.get(household=cast.household_a1, number="2")
    assert response["Location"] == reverse("ledger:building_detail", args=[building.pk])
    assert building.legal_area == Decimal("88.50")
    edit = reverse("ledger:building_edit", args=[building.pk])
    data = form_data(client.get(edit))
    data["number"] = "1"
    assert "已有编号" in client.post(edit, data).context["form"].errors["number"][0]


def test_detail_pages_show_edit_links_only_to_writers(cast, login_as):
    url = reverse("ledger:household_detail", args=[cast.household_a1.pk])
    assert 'data-testid="edit-household"' in login_as(cast.street_user_a).get(url).content.decode()
    for role in ("leader", "cadre"):
        assert 'data-testid="edit-household"' not in login_as(getattr(cast, role)).get(url).content.decode()
    village = reverse("ledger:village_detail", args=[cast.village_a.pk])
    assert 'data-testid="edit-village"' in login_as(cast.commander).get(village).content.decode()
    assert 'data-testid="edit-village"' not in login_as(cast.leader).get(village).content.decode()
