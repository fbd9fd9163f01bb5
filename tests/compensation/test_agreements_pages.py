"""The agreements' pages and API (补偿协议): the household panel generates and signs, the agreement page shows the
frozen amounts and refuses edits once signed, the project's register lists signing order, the API does the same."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.compensation.choices import AgreementStatus
from gaizao.compensation.models import Agreement
from gaizao.compensation.services.agreements import agreement_generate, agreement_sign
from gaizao.ledger.models import Household
from tests.compensation.samples_agreements import TOTAL, calculation
from tests.compensation.test_agreements import days, period, valued


def _post_json(client, url, body, method="POST"):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


# ------------------------------------------------------------------------------------------ household panel

def test_the_household_panel_generates_an_agreement_for_the_street(cast, login_as):
    calculation(cast.household_a1)
    client = login_as(cast.street_user_a)
    page = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="agreement-panel"' in html and 'data-testid="agreement-panel-generate"' in html
    response = client.post(reverse("compensation:agreement_generate", args=[cast.household_a1.pk]),
                           {"transition_months": "12"})
    agreement = Agreement.objects.get(household=cast.household_a1)
    assert response.status_code == 302 and response["Location"] == reverse("compensation:agreement",
                                                                           args=[agreement.pk])
    assert agreement.transition_months == 12 and agreement.total == TOTAL
    html = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk])).content.decode()
    assert agreement.number in html and 'data-testid="agreement-panel-sign"' in html


def test_generating_without_a_calculation_shows_the_household_page_again_with_the_reason(cast, login_as):
    client = login_as(cast.street_user_a)
    response = client.post(reverse("compensation:agreement_generate", args=[cast.household_a1.pk]), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="agreement-panel"' in html and "尚无" in html and "DH-001" in html
    assert not Agreement.objects.exists()


def test_a_cadre_reads_the_panel_without_forms_and_cannot_generate(cast, login_as):
    calculation(cast.household_a1)
    agreement_generate(actor=cast.admin, household=cast.household_a1)
    client = login_as(cast.cadre)
    html = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk])).content.decode()
    assert 'data-testid="agreement-panel"' in html and "P001-XY-0001" in html
    assert 'data-testid="agreement-panel-generate"' not in html and 'data-testid="agreement-panel-sign"' not in html
    response = client.post(reverse("compensation:agreement_generate", args=[cast.household_a1.pk]), {})
    assert response.status_code == 404


def test_the_resident_reads_their_own_agreement_and_downloads_its_docx(cast, login_as):
    calculation(cast.household_a2)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a2)
    client = login_as(cast.resident)
    page = client.get(reverse("compensation:agreement", args=[agreement.pk]))
    assert page.status_code == 200 and agreement.number in page.content.decode()
    assert 'data-testid="sign-form"' not in page.content.decode()
    docx = client.get(reverse("compensation:agreement_docx", args=[agreement.pk]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.post(reverse("compensation:agreement", args=[agreement.pk]),
                       {"step": "sign", "sign-version": agreement.version,
                        "sign-signed_on": days(-1).isoformat()}).status_code == 404


# ------------------------------------------------------------------------------------------ agreement page

def test_the_agreement_page_records_the_signature(cast, login_as):
    period(cast.project_a, days(-10), days(10))
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    client = login_as(cast.street_user_a)
    page = client.get(reverse("compensation:agreement", args=[agreement.pk]))
    assert 'data-testid="sign-form"' in page.content.decode()
    assert "本协议自本项目签约期" in page.content.decode()
    response = client.post(reverse("compensation:agreement", args=[agreement.pk]),
                           {"step": "sign", "sign-version": agreement.version, "sign-signed_on": days(-1).isoformat()})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and agreement.order_no == 1
    assert Household.objects.get(pk=cast.household_a1.pk).stage == "signed"
    html = client.get(reverse("compensation:agreement", args=[agreement.pk])).content.decode()
    assert 'data-testid="agreement-frozen"' in html and 'data-testid="sign-form"' not in html


def test_a_signing_date_in_the_future_is_shown_beside_the_field(cast, login_as):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    client = login_as(cast.street_user_a)
    response = client.post(reverse("compensation:agreement", args=[agreement.pk]),
                           {"step": "sign", "sign-version": agreement.version, "sign-signed_on": days(2).isoformat()})
    assert response.status_code == 400
    assert 'data-testid="error-signed_on"' in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_editing_a_signed_agreement_on_the_page_is_refused_with_the_date(cast, login_as):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_sign(actor=cast.admin, signed_on=days(-1),
                               agreement=agreement_generate(actor=cast.admin, household=cast.household_a1))
    client = login_as(cast.street_user_a)
    response = client.post(reverse("compensation:agreement", args=[agreement.pk]), {
        "step": "edit", "edit-version": agreement.version, "edit-payment_terms": "改为立即支付",
        "edit-move_deadline": days(40).isoformat(), "edit-transition_months": "1"}, follow=True)
    html = response.content.decode()
    assert f"协议已于 {days(-1)} 签订" in html
    assert Agreement.objects.get(pk=agreement.pk).payment_terms == agreement.payment_terms


# ------------------------------------------------------------------------------------------ register

# Every signed-in request's 7 (tests/ledger/test_query_counts.py), then the project (with its village), the
# agreements (with their households) and the count of the project's households.
REGISTER_QUERIES = 7 + 3


@pytest.mark.parametrize("households", [0, 2])
def test_the_projects_register_lists_signing_order_at_a_fixed_query_count(cast, login_as, django_assert_num_queries,
                                                                         households):
    period(cast.project_a, days(-10), days(10))
    for household in (cast.household_a2, cast.household_a1)[:households]:
        valued(cast, household)
        calculation(household)
        agreement_sign(actor=cast.admin, signed_on=days(-1),
                       agreement=agreement_generate(actor=cast.admin, household=household))
    client = login_as(cast.street_user_a)
    url = reverse("compensation:project_agreements", args=[cast.project_a.pk])
    with django_assert_num_queries(REGISTER_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert "签约期" in html and "90%" in html
    if households:
        assert html.index("DH-002") < html.index("DH-001")  # signed first: order 1


@pytest.mark.parametrize("role", ["cadre", "resident", "street_user_b", "department_user"])
def test_the_register_is_not_for_those_who_reach_only_some_households(cast, login_as, role):
    client = login_as(getattr(cast, role))
    assert client.get(reverse("compensation:project_agreements", args=[cast.project_a.pk])).status_code == 404


# ------------------------------------------------------------------------------------------ API

def test_the_api_generates_signs_and_refuses_signed_amounts(cast, login_as):
    period(cast.project_a, days(-10), days(10))
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    client = login_as(cast.street_user_a)
    created = _post_json(client, f"/api/compensation/households/{cast.household_a1.pk}/agreements",
                         {"transition_months": 6})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] in ("694509.00", 694509.0) and body["status"] == "draft" and body["transition_months"] == 6
    assert "签约期" in body["condition"]
    pk = body["id"]
    future = _post_json(client, f"/api/compensation/agreements/{pk}/sign", {"signed_on": days(1).isoformat()})
    assert future.status_code == 400 and "signed_on" in future.json()["fields"]
    signed = _post_json(client, f"/api/compensation/agreements/{pk}/sign", {"signed_on": days(-1).isoformat()})
    assert signed.status_code == 200 and signed.json()["order_no"] == 1
    again = _post_json(client, f"/api/compensation/agreements/{pk}/sign", {"signed_on": days(-1).isoformat()})
    assert again.status_code == 409 and "不能重复签约" in again.json()["message"]
    edit = _post_json(client, f"/api/compensation/agreements/{pk}", {"version": signed.json()["version"],
                                                                    "total": "1.00"}, method="PATCH")
    assert edit.status_code == 409 and edit.json()["message"].startswith(f"协议已于 {days(-1)} 签订")
    assert "金额不可修改" in edit.json()["message"]
    regenerate = _post_json(client, f"/api/compensation/households/{cast.household_a1.pk}/agreements", {})
    assert regenerate.status_code == 409
    assert Agreement.objects.get(pk=pk).total == Decimal("694509.00")
    listed = client.get(f"/api/compensation/households/{cast.household_a1.pk}/agreements").json()
    assert [a["number"] for a in listed] == ["P001-XY-0001"]
    register = client.get(f"/api/compensation/projects/{cast.project_a.pk}/agreements").json()
    assert register["signed"] == 1 and register["agreements"][0]["order_no"] == 1
    docx = client.get(f"/api/compensation/agreements/{pk}/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_the_api_refuses_generating_without_a_calculation(cast, login_as):
    client = login_as(cast.admin)
    response = _post_json(client, f"/api/compensation/households/{cast.household_b1.pk}/agreements", {})
    assert response.status_code == 400 and "XL-001" in response.json()["message"]


# ------------------------------------------------------------------------------------------ village page

def test_the_village_page_links_each_projects_register_for_those_who_read_it(cast, login_as):
    url = reverse("ledger:village_detail", args=[cast.village_a.pk])
    register = reverse("compensation:project_agreements", args=[cast.project_a.pk])
    assert register in login_as(cast.street_user_a).get(url).content.decode()
    assert register in login_as(cast.leader).get(url).content.decode()


def test_the_household_panel_costs_two_queries_and_one_once_signed(cast, login_as):
    from django.db import connection
    from django.template import RequestContext
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from gaizao.compensation.registrations.agreements import household_panel

    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    request = RequestFactory().get("/")
    request.user = cast.street_user_a
    household = Household.objects.get(pk=cast.household_a1.pk)
    household_panel(RequestContext(request, {"request": request}), household)  # the user's units, read once
    with CaptureQueriesContext(connection) as draft:
        data = household_panel(RequestContext(request, {"request": request}), household)
    assert data["generate_form"] is not None and data["live"] is None
    agreement_sign(actor=cast.admin, signed_on=days(-1),
                   agreement=agreement_generate(actor=cast.admin, household=household))
    with CaptureQueriesContext(connection) as signed:
        data = household_panel(RequestContext(request, {"request": request}), household)
    assert data["live"].status == "signed" and data["generate_form"] is None and data["sign_form"] is None
    assert (len(draft), len(signed)) == (2, 1)


def test_a_reader_is_told_there_is_no_agreement_yet_at_one_query(cast, login_as):
    from django.db import connection
    from django.template import RequestContext
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from gaizao.compensation.registrations.agreements import household_panel

    calculation(cast.household_a2)
    request = RequestFactory().get("/")
    request.user = cast.resident
    household_panel(RequestContext(request, {"request": request}), cast.household_a2)  # the user's roles, read once
    with CaptureQueriesContext(connection) as read:
        data = household_panel(RequestContext(request, {"request": request}), cast.household_a2)
    assert len(read) == 1 and data["calculation"] is None and data["generate_form"] is None
    html = login_as(cast.resident).get(reverse("ledger:household_detail", args=[cast.household_a2.pk])).content.decode()
    assert "尚未生成补偿协议" in html


@pytest.mark.parametrize("households", [0, 2])
def test_the_index_counts_each_projects_agreements_at_a_fixed_query_count(cast, login_as, django_assert_num_queries,
                                                                          households):
    period(cast.project_a, days(-10), days(10))
    for household in (cast.household_a1, cast.household_a2)[:households]:
        valued(cast, household)
        calculation(household)
        agreement_generate(actor=cast.admin, household=household)
    if households:
        agreement_sign(actor=cast.admin, signed_on=days(-1),
                       agreement=agreement_generate(actor=cast.admin, household=cast.household_a1))
    client = login_as(cast.street_user_a)
    with django_assert_num_queries(7 + 1):  # every signed-in request's 7, then the projects with their counts
        response = client.get(reverse("compensation:agreement_index"))
    rows = response.context["projects"]
    assert [(p.code, p.signed, p.drafts, p.household_count) for p in rows] == [
        ("P001", 1 if households else 0, 1 if households else 0, 2)]


@pytest.mark.parametrize("role", ["cadre", "resident", "outsider"])
def test_the_index_is_not_for_those_who_read_no_register(cast, login_as, role):
    assert login_as(getattr(cast, role)).get(reverse("compensation:agreement_index")).status_code == 404
