"""The valuations' pages and API (评估结果): the list in reach with a pinned query count, a household's page
that says which valuation is in force, the form and the API that record one, the import in two stages on
the page and the API, the template, the household page's panel and the menu."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gaizao.compensation.models import Valuation
from gaizao.ledger import services as ledger_services
from gaizao.ledger.choices import Stage
from tests.compensation.samples_valuations import building_of, days_ago, decide, valued_households, value
from tests.compensation.test_valuations_import import row, xlsx

LIST = "/compensation/valuations/"


def _many(cast, count: int) -> None:
    """``count`` more households of project P001, decided and valued."""
    for i in range(count):
        household = ledger_services.household_create(actor=cast.admin, project=cast.project_a, number=f"DH-1{i:02d}",
                                                     head_name=f"住户{i}")
        building_of(cast, household)
        decide(cast, household)
        value(cast, household, household.buildings.get())


@pytest.mark.parametrize("extra", [0, 12])
def test_the_list_costs_the_same_queries_whatever_its_size(cast, login_as, django_assert_num_queries, extra):
    valued_households(cast)
    _many(cast, extra)
    client = login_as(cast.street_user_a)
    # the session, its user and the user's roles and units (the page's base, with the session's save:
    # savepoint, update, release), the projects in reach (the filter), and the valuations with their
    # households, projects, buildings and what they replaced: one query
    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["valuations"]) == 1 + extra


@pytest.mark.parametrize("buildings", [1, 6])
def test_the_household_page_costs_the_same_queries_whatever_its_buildings(cast, login_as, django_assert_num_queries,
                                                                          buildings):
    household = cast.household_a1
    for i in range(2, buildings + 1):
        building_of(cast, household, str(i))
    decide(cast, household)
    for building in household.buildings.all():
        value(cast, household, building)
        value(cast, household, building, on=1, kind="review", reason="复核调整单价")
    client = login_as(cast.street_user_a)
    # the page's base (session, user, roles, units, the session's save), the household with its project,
    # its buildings, its valuations
    with django_assert_num_queries(10):
        response = client.get(reverse("compensation:valuation_household", args=[household.pk]))
    assert len(response.context["rows"]) == buildings


@pytest.mark.parametrize("role, shown, hidden", [
    ("admin", {"DH-001", "XL-001"}, set()),
    ("leader", {"DH-001", "XL-001"}, set()),
    ("street_user_a", {"DH-001"}, {"XL-001"}),
    ("street_user_b", {"XL-001"}, {"DH-001"}),
    ("cadre", {"DH-001"}, {"XL-001"}),
])
def test_the_list_holds_what_the_role_reads(cast, login_as, role, shown, hidden):
    valued_households(cast)
    body = login_as(getattr(cast, role)).get(LIST).content.decode()
    assert all(n in body for n in shown) and not any(n in body for n in hidden)


@pytest.mark.parametrize("role", ["department_user", "resident", "outsider", "auditor"])
def test_the_list_is_not_found_for_roles_without_valuations(cast, login_as, role):
    assert login_as(getattr(cast, role)).get(LIST).status_code == 404


def test_the_household_page_says_which_valuation_is_in_force(cast, login_as):
    a1, _b1 = valued_households(cast)
    value(cast, a1, a1.buildings.get(), price="5500", on=1, kind="review", reason="业主申请复核，单价调整")
    response = login_as(cast.cadre).get(reverse("compensation:valuation_household", args=[a1.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "现行有效" in body and "已被取代" in body and "5500.00" in body
    assert "业主申请复核" in body
    assert response.context["form"] is None  # the cadre reads, does not record


def test_the_form_records_a_valuation_and_the_stage(cast, login_as):
    household = cast.household_a1
    decide(cast, household)
    client = login_as(cast.street_user_a)
    url = reverse("compensation:valuation_household", args=[household.pk])
    response = client.post(url, {"building": household.buildings.get().pk, "kind": "initial", "unit_price": "5200",
                                 "decoration": "1000", "valued_on": days_ago(1).isoformat(), "valuer": "云溪估价"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.stage == Stage.VALUED and Valuation.objects.get().unit_price == Decimal("5200.00")


@pytest.mark.parametrize("values, words", [
    ({"unit_price": "0"}, "须大于 0"),
    ({"unit_price": "-5"}, "须大于 0"),
    ({"kind": "review"}, "尚无评估结果"),
])
def test_the_form_shows_a_refusal_beside_the_field(cast, login_as, values, words):
    household = cast.household_a1
    decide(cast, household)
    url = reverse("compensation:valuation_household", args=[household.pk])
    response = login_as(cast.street_user_a).post(url, {
        "building": household.buildings.get().pk, "kind": "initial", "unit_price": "5200",
        "valued_on": days_ago(1).isoformat(), "valuer": "云溪估价", **values})
    assert response.status_code == 400 and words in response.content.decode()
    assert not Valuation.objects.exists()


def test_the_form_names_a_household_not_yet_decided(cast, login_as):
    household = cast.household_a1
    url = reverse("compensation:valuation_household", args=[household.pk])
    response = login_as(cast.street_user_a).post(url, {
        "building": household.buildings.get().pk, "kind": "initial", "unit_price": "5200",
        "valued_on": days_ago(1).isoformat(), "valuer": "云溪估价"})
    assert response.status_code == 400 and "住户 DH-001 李四尚未完成认定" in response.content.decode()


def test_the_household_page_of_the_ledger_has_the_valuations_panel(cast, login_as):
    a1, _b1 = valued_households(cast)
    body = login_as(cast.street_user_a).get(reverse("ledger:household_detail", args=[a1.pk])).content.decode()
    assert 'data-testid="valuation-panel"' in body and "现行有效" in body and "5200.00" in body


def test_the_import_page_previews_then_confirms(cast, login_as, media, tmp_path):
    household = cast.household_a1
    decide(cast, household)
    client = login_as(cast.street_user_a)
    path = xlsx(tmp_path / "评估.xlsx", [row()])
    upload = SimpleUploadedFile("评估.xlsx", path.read_bytes())
    response = client.post(reverse("compensation:valuation_import"), {"project": cast.project_a.pk, "file": upload})
    assert response.status_code == 200 and "新增 1 条" in response.content.decode()
    assert not Valuation.objects.exists()
    confirm = response.context["confirm"]
    response = client.post(reverse("compensation:valuation_import_confirm"), {
        "token": confirm.initial["token"], "fingerprint": confirm.initial["fingerprint"]})
    assert response.status_code == 302
    assert Valuation.objects.count() == 1
    household.refresh_from_db()
    assert household.stage == Stage.VALUED
    # the stored upload is gone: confirming again is a 404
    response = client.post(reverse("compensation:valuation_import_confirm"), {
        "token": confirm.initial["token"], "fingerprint": confirm.initial["fingerprint"]})
    assert response.status_code == 404


def test_the_import_page_shows_rejected_rows_and_offers_no_confirm(cast, login_as, media, tmp_path):
    decide(cast, cast.household_a1)
    path = xlsx(tmp_path / "bad.xlsx", [row(price="五千")])
    response = login_as(cast.street_user_a).post(reverse("compensation:valuation_import"), {
        "project": cast.project_a.pk, "file": SimpleUploadedFile("bad.xlsx", path.read_bytes())})
    body = response.content.decode()
    assert response.status_code == 400 and "五千" in body and "评估单价（元/㎡）" in body
    assert response.context["confirm"] is None


def test_the_import_page_is_not_for_readers(cast, login_as):
    for user in (cast.cadre, cast.leader, cast.resident):
        assert login_as(user).get(reverse("compensation:valuation_import")).status_code == 404


def test_the_template_downloads_with_the_projects_buildings(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("compensation:valuation_template"),
                                                {"project": cast.project_a.pk})
    sheet = load_workbook(BytesIO(response.content))["评估结果"]
    assert [c.value for c in sheet[2]][:3] == ["DH-001", "李四", "1"]
    assert login_as(cast.street_user_b).get(reverse("compensation:valuation_template"),
                                            {"project": cast.project_a.pk}).status_code == 404


def test_the_api_reads_and_records(cast, login_as):
    a1, _b1 = valued_households(cast)
    client = login_as(cast.street_user_a)
    data = client.get(f"/api/compensation/households/{a1.pk}/valuations").json()
    assert data["complete"] and data["buildings"][0]["in_force"]["unit_price"] == "5200.00"
    response = client.post(f"/api/compensation/households/{a1.pk}/valuations", {
        "building_id": a1.buildings.get().pk, "kind": "appraisal", "unit_price": 5600, "valued_on": str(days_ago(0)),
        "valuer": "鉴定委员会", "reason": "对复核结果有异议"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["replaces_id"]
    items = client.get("/api/compensation/valuations", {"household_id": a1.pk, "current_only": False}).json()
    assert [(i["kind"], i["in_force"]) for i in items] == [("appraisal", True), ("initial", False)]


@pytest.mark.parametrize("body, field", [
    ({"unit_price": "abc"}, "unit_price"),
    ({"unit_price": -1}, "unit_price"),
    ({"valued_on": "2999-01-01"}, "valued_on"),
    ({"valuer": ""}, "valuer"),
])
def test_the_api_refuses_bad_input_in_the_error_shape(cast, login_as, body, field):
    household = cast.household_a1
    decide(cast, household)
    response = login_as(cast.street_user_a).post(f"/api/compensation/households/{household.pk}/valuations", {
        "building_id": household.buildings.get().pk, "unit_price": 5200, "valued_on": str(days_ago(1)),
        "valuer": "云溪估价", **body}, content_type="application/json")
    assert response.status_code == 400 and field in response.json()["fields"]


def test_the_api_refuses_a_building_of_another_project(cast, login_as):
    household = cast.household_a1
    decide(cast, household)
    other = building_of(cast, cast.household_b1)
    response = login_as(cast.admin).post(f"/api/compensation/households/{household.pk}/valuations", {
        "building_id": other.pk, "unit_price": 5200, "valued_on": str(days_ago(1)), "valuer": "云溪估价"},
        content_type="application/json")
    assert response.status_code == 400 and "不是住户 DH-001" in response.json()["fields"]["building"]


def test_the_api_imports_in_two_stages(cast, login_as, tmp_path):
    decide(cast, cast.household_a1)
    client = login_as(cast.street_user_a)
    content = xlsx(tmp_path / "a.xlsx", [row()]).read_bytes()
    preview = client.post("/api/compensation/valuations/import/preview", {
        "project": "P001", "file": SimpleUploadedFile("a.xlsx", content)}).json()
    assert preview["new"] == 1 and preview["written"] == 0 and not Valuation.objects.exists()
    applied = client.post("/api/compensation/valuations/import/confirm", {
        "project": "P001", "file": SimpleUploadedFile("a.xlsx", content), "fingerprint": preview["fingerprint"]})
    assert applied.status_code == 200 and applied.json()["written"] == 1 and applied.json()["stages_recorded"] == 1
    again = client.post("/api/compensation/valuations/import/confirm", {
        "project": "P001", "file": SimpleUploadedFile("a.xlsx", content), "fingerprint": preview["fingerprint"]})
    assert again.status_code == 409  # the data changed since that preview


def test_the_menu_offers_valuations_under_compensation(cast, login_as):
    body = login_as(cast.street_user_a).get("/").content.decode()
    assert reverse("compensation:valuation_list") in body and "征收补偿" in body
    assert reverse("compensation:valuation_list") not in login_as(cast.department_user).get("/").content.decode()
