"""The legal path's pages and API (补偿决定的法定程序): the household panel with its windows and form,
recording a step (page and API, each refusal by name), the list per step, scope, query counts."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.core.actors import SYSTEM
from gaizao.progress.models import LegalCase, LegalStep
from gaizao.progress.services.legal import legal_follow_events, legal_step_record
from tests.progress.test_legal_path import TODAY, days_ago, under_decision

pytestmark = pytest.mark.usefixtures("media")

LIST = "/progress/legal/"
NOT_FOUND = {"message": "不存在或无权查看。", "fields": {}}


def household_url(case) -> str:
    return f"/ledger/households/{case.household_id}/"


def post_step(client, case, **data):
    body = {"version": case.version, "on_date": TODAY.isoformat(), **data}
    return client.post(f"/progress/legal/{case.pk}/steps/", body)


def api_step(client, case, **data):
    return client.post(f"/api/progress/legalcases/{case.pk}/steps", data=json.dumps(data),
                       content_type="application/json")


def served(cast, case, n=298):
    legal_step_record(actor=SYSTEM, case=case, kind="served", on_date=days_ago(n), way="direct")
    legal_step_record(actor=SYSTEM, case=case, kind="announced", on_date=days_ago(n - 1))
    case.refresh_from_db()
    return case


# --- the household panel -------------------------------------------------------------------------

def test_the_panel_shows_the_path_windows_and_what_comes_next(cast, login_as):
    case = under_decision(cast, decided=40)
    legal_step_record(actor=SYSTEM, case=case, kind="served", on_date=days_ago(30), way="left")
    response = login_as(cast.street_user_a).get(household_url(case))
    html = response.content.decode()
    assert 'data-testid="legal-card"' in html and "补偿决定的法定程序" in html
    assert 'data-testid="legal-step-served"' in html and "留置送达" in html
    until = days_ago(30) + (days_ago(0) - days_ago(60))
    assert f"{until:%Y-%m-%d}（还剩 30 天）" in html
    assert "现在可以登记：公告、申请行政复议、提起行政诉讼" in html
    assert 'data-testid="legal-form"' in html and "行政复议期限" in html


def test_readers_see_the_panel_without_the_form(cast, login_as):
    case = under_decision(cast)
    for user in (cast.leader, cast.cadre):
        html = login_as(user).get(household_url(case)).content.decode()
        assert 'data-testid="legal-card"' in html and 'data-testid="legal-form"' not in html


def test_no_panel_without_a_case(cast, login_as):
    html = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/").content.decode()
    assert 'data-testid="legal-card"' not in html


def test_collective_land_names_its_decision_on_the_panel(cast, login_as):
    case = under_decision(cast, land="collective")
    html = login_as(cast.street_user_a).get(household_url(case)).content.decode()
    assert "责令交出土地决定的法定程序" in html and "作出责令交出土地决定" in html


# --- recording a step on the page ----------------------------------------------------------------

def test_the_page_records_a_step_with_its_document(cast, login_as):
    case = under_decision(cast)
    scan = SimpleUploadedFile("送达回证.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = post_step(login_as(cast.street_user_a), case, kind="served", on_date=days_ago(298).isoformat(),
                         way="post", document_number="云征决〔2026〕3号", document=scan)
    assert response.status_code == 302 and response.url.endswith("#legal")
    step = LegalStep.objects.get(case=case, kind="served")
    assert (step.way, step.document_number, step.file_name) == ("post", "云征决〔2026〕3号", "送达回证.pdf")
    download = login_as(cast.cadre).get(f"/progress/legal/documents/{step.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert login_as(cast.street_user_b).get(f"/progress/legal/documents/{step.pk}/").status_code == 404


@pytest.mark.parametrize("data,words", [
    ({"kind": "applied"}, "尚未催告"),
    ({"kind": "urged"}, "尚未公告"),
    ({"kind": "served"}, "送达方式"),
    ({"kind": "recon_decided", "result": "upheld"}, "未申请行政复议"),
    ({"kind": "ruling", "result": "granted"}, "尚未申请人民法院强制执行"),
    ({"kind": "enforced"}, "准予执行的裁定"),
])
def test_the_page_shows_each_refusal_on_the_household_page(cast, login_as, data, words):
    case = under_decision(cast)
    legal_step_record(actor=SYSTEM, case=case, kind="served", on_date=days_ago(298), way="direct")
    if data["kind"] == "served":
        case = under_decision(cast, cast.household_a2)
    case.refresh_from_db()
    response = post_step(login_as(cast.street_user_a), case, on_date=days_ago(100).isoformat(), **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="legal-error"' in html and words in html and case.household.number in html
    assert 'data-testid="legal-card"' in html  # the household page again, the form in its panel


def test_the_page_refuses_a_date_before_the_last_step_and_after_today(cast, login_as):
    case = served(cast, under_decision(cast))
    client = login_as(cast.street_user_a)
    early = post_step(client, case, kind="lit_filed", on_date=days_ago(299).isoformat())
    assert early.status_code == 400 and "早于上一步" in early.content.decode()
    late = post_step(client, case, kind="urged", on_date=days_ago(-1).isoformat())
    assert late.status_code == 400 and "晚于今天" in late.content.decode()
    assert case.steps.count() == 3


def test_the_page_refuses_after_the_case_ended(cast, login_as):
    case = under_decision(cast)
    legal_follow_events(actor=SYSTEM, households=[case.household], kind="signed", on=days_ago(5), ip=None)
    case.refresh_from_db()
    response = post_step(login_as(cast.street_user_a), case, kind="served", way="direct")
    assert response.status_code == 400 and "已于" in response.content.decode() and "和解签约" in response.content.decode()


def test_a_stale_page_is_409(cast, login_as):
    case = under_decision(cast)
    stale_version = case.version
    legal_step_record(actor=SYSTEM, case=case, kind="served", on_date=days_ago(298), way="direct")
    case.version = stale_version
    assert post_step(login_as(cast.street_user_a), case, kind="announced").status_code == 409


@pytest.mark.parametrize("who", ["street_user_b", "leader", "cadre", "outsider", "resident"])
def test_the_page_is_404_to_those_who_may_not_record(cast, login_as, who):
    case = under_decision(cast)
    assert post_step(login_as(getattr(cast, who)), case, kind="served", way="direct").status_code == 404
    assert case.steps.count() == 1


# --- the API -------------------------------------------------------------------------------------

def test_the_api_shows_the_case_and_records_a_step(cast, login_as):
    case = served(cast, under_decision(cast))
    client = login_as(cast.street_user_a)
    body = client.get(f"/api/progress/households/{case.household_id}/legal").json()
    assert body["step"] == "announced" and body["served_on"] == days_ago(298).isoformat()
    assert body["reconsideration_until"] == days_ago(238).isoformat()
    assert body["reconsideration_days_left"] < 0 and body["litigation_days_left"] < 0
    assert [n["kind"] for n in body["allowed_next"]] == ["urged"]
    assert [s["kind"] for s in body["steps"]] == ["decided", "served", "announced"]
    response = api_step(client, case, kind="urged", on_date=days_ago(50).isoformat(), version=body["version"])
    assert response.status_code == 201 and response.json()["step"] == "urged"
    refused = api_step(client, case, kind="applied", on_date=days_ago(45).isoformat())
    assert refused.status_code == 400
    assert "DH-001" in refused.json()["message"] and "最早" in refused.json()["message"]
    assert refused.json()["fields"] == {"on_date": refused.json()["message"]}
    stale = api_step(client, case, kind="applied", on_date=days_ago(30).isoformat(), version=body["version"])
    assert stale.status_code == 409


@pytest.mark.parametrize("data,field,words", [
    ({"kind": "served", "on_date": None}, None, None),
    ({"kind": "lit_judged", "result": "upheld"}, "kind", "未提起行政诉讼"),
    ({"kind": "recon_decided", "result": "maybe"}, "result", "须选择结果"),
    ({"kind": "decided"}, "kind", "进度卡片记录「补偿决定」"),
    ({"kind": "lit_filed", "way": "post"}, "way", "只有「送达」"),
])
def test_the_api_refuses_by_name(cast, login_as, data, field, words):
    case = served(cast, under_decision(cast))
    legal_step_record(actor=SYSTEM, case=case, kind="recon_filed", on_date=days_ago(290))
    body = {"on_date": days_ago(200).isoformat(), **data}
    if body["on_date"] is None:
        body.pop("on_date")
    response = api_step(login_as(cast.street_user_a), case, **body)
    if words is None:
        assert response.status_code in (400, 422)
        return
    assert response.status_code == 400, response.content
    assert words in response.json()["message"] and "DH-001" in response.json()["message"]
    assert field in response.json()["fields"]


@pytest.mark.parametrize("who", ["street_user_b", "outsider", "resident"])
def test_the_api_is_404_out_of_scope(cast, login_as, who):
    case = under_decision(cast)
    client = login_as(getattr(cast, who))
    read = client.get(f"/api/progress/households/{case.household_id}/legal")
    assert read.status_code == 404 and read.json() == NOT_FOUND
    write = api_step(client, case, kind="served", on_date=days_ago(298).isoformat(), way="direct")
    assert write.status_code == 404


def test_the_api_is_404_for_a_household_without_a_case(cast, login_as):
    response = login_as(cast.street_user_a).get(f"/api/progress/households/{cast.household_a1.pk}/legal")
    assert response.status_code == 404


# --- the list ------------------------------------------------------------------------------------

def make_cases(cast, count: int) -> None:
    from gaizao.ledger import services as ledger_services

    households = [ledger_services.household_create(actor=cast.admin, project=cast.project_a, number=f"LG-{i:03d}",
                                                    head_name="某某") for i in range(count)]
    legal_follow_events(actor=SYSTEM, households=households, kind="decision", on=days_ago(10), ip=None)


def test_the_list_filters_by_step_and_is_scoped(cast, login_as):
    case = served(cast, under_decision(cast))
    make_cases(cast, 2)
    client = login_as(cast.street_user_a)
    rows = client.get(LIST).context["rows"]
    assert [r.household_number for r in rows] == ["DH-001", "LG-000", "LG-001"]
    assert rows[0].step_label == "公告"
    only = client.get(LIST, {"step": "decided"}).context["rows"]
    assert [r.household_number for r in only] == ["LG-000", "LG-001"]
    assert login_as(cast.street_user_b).get(LIST).context["rows"] == []
    assert [r.household_number for r in login_as(cast.cadre).get(LIST).context["rows"]] == ["DH-001"]
    legal_follow_events(actor=SYSTEM, households=[case.household], kind="signed", on=TODAY, ip=None)
    assert "DH-001" not in [r.household_number for r in client.get(LIST).context["rows"]]
    ended = client.get(LIST, {"ended": "on"}).context["rows"]
    assert ended[0].household_number == "DH-001" and ended[0].outcome_label == "和解签约"


@pytest.mark.parametrize("count", [1, 30])
def test_list_page_query_count_is_the_same_for_1_and_30_cases(cast, login_as, django_assert_num_queries, count):
    from tests.progress.test_hardcase_pages import BASE

    make_cases(cast, count)
    client = login_as(cast.street_user_a)
    with django_assert_num_queries(BASE + 3):  # the page of cases, the street and village options
        response = client.get(LIST)
    assert len(response.context["rows"]) == count


def test_the_list_pages_by_id(cast, login_as):
    make_cases(cast, 55)
    response = login_as(cast.admin).get(LIST)
    assert len(response.context["rows"]) == 50 and response.context["next_url"]
    assert len(login_as(cast.admin).get(LIST + response.context["next_url"]).context["rows"]) == 5


# --- the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_counts_households_per_step(cast, login_as, django_assert_num_queries):
    from gaizao.progress.selectors.legal import legal_counts

    served(cast, under_decision(cast))
    make_cases(cast, 2)
    legal_follow_events(actor=SYSTEM, households=[LegalCase.objects.get(household__number="LG-000").household],
                        kind="decision", voided=True, on=TODAY, ip=None)
    with django_assert_num_queries(1):
        counts = legal_counts(cast.admin)
    assert counts.open == 2
    assert [(s.step, s.households) for s in counts.steps] == [("decided", 1), ("announced", 1)]
    assert [(s.step, s.households) for s in counts.ended] == [("voided", 1)]
    assert legal_counts(cast.street_user_b).open == 0
    html = login_as(cast.commander).get("/progress/").content.decode()
    assert 'data-testid="legal-counts"' in html and "在办 2 户" in html
    assert 'data-testid="legal-step-announced"' in html
