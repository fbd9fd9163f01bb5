"""Consultations of the owners' wishes (意愿征询), recorded per household: the period, each household's
answer, the rate against the households in scope and the project's threshold, passed / failed /
open, the signing-period gate, and every refusal on the service, the page and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.core.errors import AppError, NotFound
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress import consent, selectors
from gaizao.progress.models import Consultation, ConsultationAnswer
from gaizao.progress.services import consultation_answer, consultation_open, household_record_event

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def open_round(cast, *, actor=None, project=None, **values):
    values = {"held_on": days_ago(10), "ends_on": TODAY + dt.timedelta(days=10), **values}
    return consultation_open(actor=actor or cast.street_user_a, project=project or cast.project_a, **values)


def answer(cast, consultation, household, value="agree", *, on=None, actor=None):
    return consultation_answer(actor=actor or cast.street_user_a, consultation=consultation, household=household,
                               answer=value, answered_on=on or days_ago(5))


def more_households(cast, count: int, *, project=None, prefix="YX"):
    return [ledger_services.household_create(actor=cast.admin, project=project or cast.project_a,
                                             number=f"{prefix}-{i:03d}", head_name=f"住户{i}") for i in range(count)]


def row_of(consultation):
    return next(r for r in selectors.consultation_list(consultation.project) if r.id == consultation.pk)


# --- opening a round -------------------------------------------------------------------------------

def test_it_opens_a_round_audited(cast):
    consultation = open_round(cast, note="第一轮")
    assert (consultation.held_on, consultation.ends_on) == (days_ago(10), TODAY + dt.timedelta(days=10))
    entry = AuditEntry.objects.get(action="consultation.open")
    assert entry.object_id == str(consultation.pk) and entry.actor_id == cast.street_user_a.pk


@pytest.mark.parametrize("values,field,words", [
    ({"held_on": None}, "held_on", "请填写征询开始日期"),
    ({"ends_on": ""}, "ends_on", "请填写征询截止日期"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on", "晚于今天"),
    ({"ends_on": days_ago(11)}, "ends_on", "早于开始日期"),
    ({"held_on": "上周"}, "held_on", "无法识别"),
])
def test_opening_refuses_bad_input_naming_the_field(cast, values, field, words):
    with pytest.raises(AppError) as err:
        open_round(cast, **values)
    assert field in err.value.fields and words in err.value.message
    assert not Consultation.objects.exists()


def test_rounds_of_a_project_do_not_overlap(cast):
    open_round(cast, held_on=days_ago(30), ends_on=days_ago(20))
    with pytest.raises(AppError) as err:
        open_round(cast, held_on=days_ago(25))
    assert "东湖村一期" in err.value.message and "held_on" in err.value.fields
    assert open_round(cast, held_on=days_ago(19)).pk


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "leader", "resident", "outsider", "department_user"])
def test_only_the_project_write_scope_may_open_or_answer(cast, role):
    with pytest.raises(NotFound):
        open_round(cast, actor=getattr(cast, role))
    consultation = open_round(cast)
    with pytest.raises(NotFound):
        answer(cast, consultation, cast.household_a1, actor=getattr(cast, role))
    assert not ConsultationAnswer.objects.exists()


# --- answers and the tally ------------------------------------------------------------------------

def test_answers_are_per_household_and_a_second_one_replaces_the_first(cast):
    consultation = open_round(cast)
    answer(cast, consultation, cast.household_a1, "disagree", on=days_ago(6))
    answer(cast, consultation, cast.household_a1, "agree", on=days_ago(2))
    stored = ConsultationAnswer.objects.get()
    assert (stored.answer, stored.answered_on) == ("agree", days_ago(2))
    changes = AuditEntry.objects.filter(action="consultation.answer").order_by("id").last().changes
    assert changes["answer"] == ["disagree", "agree"]


def test_the_rate_counts_answers_against_the_households_in_scope(cast):
    extra = more_households(cast, 8)  # 10 households in scope
    consultation = open_round(cast)
    for household in [cast.household_a1, cast.household_a2, *extra[:6]]:
        answer(cast, consultation, household)
    answer(cast, consultation, extra[6], "none")  # 未表态; extra[7] has not answered at all
    row = row_of(consultation)
    assert (row.eligible, row.agreed, row.disagreed, row.unanswered) == (10, 8, 0, 2)
    assert (row.rate, row.threshold, row.status) == (Decimal("80.0"), Decimal("90.00"), consent.OPEN)
    # a withdrawn household leaves the scope: 8 of 9 is still below 90 %
    household_record_event(actor=cast.admin, household=extra[7], kind="withdrawn", on_date=days_ago(1))
    assert (row_of(consultation).eligible, row_of(consultation).rate) == (9, Decimal("88.9"))


def test_the_threshold_is_the_projects_parameter(cast):
    more_households(cast, 3)  # 5 in scope
    consultation = open_round(cast)
    for household in [cast.household_a1, cast.household_a2]:
        answer(cast, consultation, household)
    assert row_of(consultation).status == consent.OPEN  # 2 of 5 = 40 % < 90 %
    ledger_services.project_update(actor=cast.admin, project=cast.project_a, version=cast.project_a.version,
                                   consultation_threshold=Decimal("40"))
    row = row_of(consultation)
    assert (row.threshold, row.status, row.passed) == (Decimal("40.00"), consent.PASSED, True)


def test_the_threshold_is_compared_exactly_not_on_the_rounded_rate():
    tally = consent.Tally(in_scope=10000, agreed=8999, disagreed=0, threshold=Decimal("90"), ends_on=TODAY)
    assert tally.rate == Decimal("90.0") and tally.status(TODAY) == consent.OPEN
    assert consent.Tally(in_scope=10, agreed=9, disagreed=1, threshold=Decimal("90"), ends_on=TODAY).reached


def test_it_fails_when_the_period_closes_below_the_threshold_or_when_too_many_disagree():
    short = consent.Tally(in_scope=10, agreed=8, disagreed=0, threshold=Decimal("90"), ends_on=days_ago(1))
    assert short.status(days_ago(1)) == consent.OPEN and short.status(TODAY) == consent.FAILED
    # 2 of 10 disagree: at most 8 can agree, below 90 % — failed before the period ends
    blocked = consent.Tally(in_scope=10, agreed=0, disagreed=2, threshold=Decimal("90"), ends_on=TODAY)
    assert blocked.cannot_pass and blocked.status(days_ago(5)) == consent.FAILED
    one_no = consent.Tally(in_scope=10, agreed=0, disagreed=1, threshold=Decimal("90"), ends_on=TODAY)
    assert one_no.status(days_ago(5)) == consent.OPEN


def test_an_answer_refuses_a_household_of_another_project_naming_it(cast):
    consultation = open_round(cast)
    with pytest.raises(AppError) as err:
        answer(cast, consultation, cast.household_b1.pk, actor=cast.admin)
    assert "东湖村一期" in err.value.message and "household" in err.value.fields
    with pytest.raises(AppError) as err:
        answer(cast, consultation, "XL-001")
    assert "XL-001" in err.value.message and "东湖村一期" in err.value.message
    assert not ConsultationAnswer.objects.exists()


def test_an_answer_refuses_a_withdrawn_household(cast):
    consultation = open_round(cast)
    household_record_event(actor=cast.admin, household=cast.household_a2, kind="withdrawn", on_date=days_ago(1))
    with pytest.raises(AppError) as err:
        answer(cast, consultation, cast.household_a2)
    assert "DH-002" in err.value.message and "撤出" in err.value.message


@pytest.mark.parametrize("value,on,field,words", [
    ("maybe", None, "answer", "不是可选的值"),
    ("agree", days_ago(11), "answered_on", "不在征询期"),
    ("agree", TODAY + dt.timedelta(days=1), "answered_on", "晚于今天"),
    ("agree", "", "answered_on", "请填写表态日期"),
])
def test_an_answer_refuses_bad_input_naming_the_household_and_field(cast, value, on, field, words):
    consultation = open_round(cast)
    with pytest.raises(AppError) as err:
        consultation_answer(actor=cast.street_user_a, consultation=consultation, household=cast.household_a1,
                            answer=value, answered_on=days_ago(5) if on is None else on)
    assert field in err.value.fields and words in err.value.message
    if field != "answered_on" or on != "":
        assert "DH-001" in err.value.message
    assert not ConsultationAnswer.objects.exists()


# --- the signing-period gate ----------------------------------------------------------------------

def failed_round(cast):
    """Both households of project A say 不同意: 0 of 2 cannot reach 90 %."""
    consultation = open_round(cast)
    answer(cast, consultation, cast.household_a1, "disagree")
    answer(cast, consultation, cast.household_a2, "disagree")
    return consultation


def open_signing(cast, **values):
    project = Project.objects.get(pk=cast.project_a.pk)
    return ledger_services.project_update(actor=cast.street_user_a, project=project, version=project.version,
                                          **{"signing_start": TODAY, "signing_end": TODAY + dt.timedelta(days=60),
                                             **values})


def test_a_project_whose_consultation_failed_cannot_open_its_signing_period(cast):
    failed_round(cast)
    with pytest.raises(AppError) as err:
        open_signing(cast)
    assert "东湖村一期" in err.value.message and "意愿征询未通过" in err.value.message
    assert "不能开启签约期" in err.value.message and "signing_start" in err.value.fields
    assert Project.objects.get(pk=cast.project_a.pk).signing_start is None


def test_a_consultation_whose_period_closed_below_the_threshold_also_blocks(cast):
    consultation = open_round(cast, held_on=days_ago(20), ends_on=days_ago(2))
    answer(cast, consultation, cast.household_a1, on=days_ago(10))  # 1 of 2 agreed, the period is over
    with pytest.raises(AppError) as err:
        open_signing(cast)
    assert "征询期已于" in err.value.message


def test_a_passed_consultation_or_none_lets_the_signing_period_open(cast):
    assert open_signing(cast).signing_start == TODAY  # no consultation: no gate
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=None, signing_end=None)
    consultation = open_round(cast)
    for household in (cast.household_a1, cast.household_a2):
        answer(cast, consultation, household)
    assert open_signing(cast).signing_start == TODAY


def test_the_gate_asks_only_when_the_signing_period_opens_or_moves(cast):
    failed_round(cast)
    project = Project.objects.get(pk=cast.project_a.pk)
    updated = ledger_services.project_update(actor=cast.street_user_a, project=project, version=project.version,
                                             name="东湖村一期（调整）")
    assert updated.name == "东湖村一期（调整）"


def test_the_project_edit_page_refuses_opening_after_a_failed_consultation(cast, login_as):
    failed_round(cast)
    project = Project.objects.get(pk=cast.project_a.pk)
    response = login_as(cast.street_user_a).post(f"/ledger/projects/{project.pk}/edit/", {
        "version": project.version, "name": project.name, "code": project.code, "phase": "1",
        "signing_start": TODAY.isoformat(), "signing_end": (TODAY + dt.timedelta(days=60)).isoformat(),
        "signing_threshold": "90", "consultation_threshold": "90", "land_type": "state", "scope": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "意愿征询未通过" in html and "不能开启签约期" in html
    assert Project.objects.get(pk=project.pk).signing_start is None


def test_the_project_api_refuses_opening_after_a_failed_consultation(cast, login_as):
    failed_round(cast)
    project = Project.objects.get(pk=cast.project_a.pk)
    response = login_as(cast.street_user_a).patch(
        f"/api/ledger/projects/{project.pk}", {"version": project.version, "signing_start": TODAY.isoformat()},
        content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and "signing_start" in body["fields"]
    assert "东湖村一期" in body["message"] and "意愿征询未通过" in body["message"]
    assert Project.objects.get(pk=project.pk).signing_start is None


# --- the pages -----------------------------------------------------------------------------------

def test_page_lists_rounds_with_their_tally_and_result(cast, login_as):
    failed_round(cast)
    response = login_as(cast.street_user_a).get(f"/progress/projects/{cast.project_a.pk}/consultations/")
    html = response.content.decode()
    assert response.status_code == 200 and "0.0%" in html and 'data-testid="not-passed"' in html
    assert response.context["form"] is not None


def test_page_opens_a_round_and_shows_errors(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/progress/projects/{cast.project_a.pk}/consultations/"
    bad = client.post(url, {"held_on": TODAY.isoformat(), "ends_on": days_ago(1).isoformat()})
    assert bad.status_code == 400 and 'data-testid="error-ends_on"' in bad.content.decode()
    assert not Consultation.objects.exists()
    good = client.post(url, {"held_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=14)).isoformat()})
    consultation = Consultation.objects.get()
    assert good.status_code == 302 and good.url.endswith(f"/consultations/{consultation.pk}/")


def test_detail_page_records_an_answer_by_household_number_and_refuses_another_projects(cast, login_as):
    consultation = open_round(cast)
    client = login_as(cast.street_user_a)
    url = f"/progress/projects/{cast.project_a.pk}/consultations/{consultation.pk}/"
    refused = client.post(url, {"household": "XL-001", "answer": "agree", "answered_on": days_ago(3).isoformat()})
    html = refused.content.decode()
    assert refused.status_code == 400 and "XL-001" in html and 'data-testid="error-household"' in html
    done = client.post(url, {"household": "DH-001", "answer": "disagree", "answered_on": days_ago(3).isoformat()})
    assert done.status_code == 302
    page = client.get(url)
    assert page.status_code == 200 and "不同意" in page.content.decode()
    assert ConsultationAnswer.objects.get().household_id == cast.household_a1.pk


def test_leader_reads_but_may_not_record(cast, login_as):
    consultation = open_round(cast)
    client = login_as(cast.leader)
    url = f"/progress/projects/{cast.project_a.pk}/consultations/"
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url, {"held_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()}).status_code == 404
    detail = f"{url}{consultation.pk}/"
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"household": "DH-001", "answer": "agree",
                                "answered_on": TODAY.isoformat()}).status_code == 404


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "outsider"])
def test_pages_are_404_out_of_scope(cast, login_as, role):
    consultation = open_round(cast)
    client = login_as(getattr(cast, role))
    assert client.get(f"/progress/projects/{cast.project_a.pk}/consultations/").status_code == 404
    assert client.get(f"/progress/projects/{cast.project_a.pk}/consultations/{consultation.pk}/").status_code == 404


# --- the API -------------------------------------------------------------------------------------

def test_api_opens_a_round_and_records_answers(cast, login_as):
    client = login_as(cast.street_user_a)
    created = client.post(f"/api/progress/projects/{cast.project_a.pk}/consultations",
                          {"held_on": days_ago(5).isoformat(), "ends_on": TODAY.isoformat()},
                          content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["eligible"] == 2 and created.json()["status"] == "open"
    url = f"/api/progress/consultations/{pk}/answers"
    for household in (cast.household_a1, cast.household_a2):
        done = client.post(url, {"household_id": household.pk, "answer": "agree",
                                 "answered_on": days_ago(1).isoformat()}, content_type="application/json")
        assert done.status_code == 200, done.json()
    body = client.get(f"/api/progress/consultations/{pk}").json()
    assert (body["agreed"], body["rate"], body["status"]) == (2, "100.0", "passed")
    assert [a["answer"] for a in body["answers"]] == ["agree", "agree"]


def test_api_refusals_name_the_household_and_the_field(cast, login_as):
    consultation = open_round(cast)
    client = login_as(cast.street_user_a)
    url = f"/api/progress/consultations/{consultation.pk}/answers"
    other = client.post(url, {"household_id": cast.household_b1.pk, "answer": "agree",
                              "answered_on": days_ago(1).isoformat()}, content_type="application/json")
    assert other.status_code == 400 and "household_id" in other.json()["fields"]
    assert "东湖村一期" in other.json()["message"]
    late = client.post(url, {"household_id": cast.household_a1.pk, "answer": "agree",
                             "answered_on": days_ago(30).isoformat()}, content_type="application/json")
    assert late.status_code == 400 and "answered_on" in late.json()["fields"] and "DH-001" in late.json()["message"]
    overlap = client.post(f"/api/progress/projects/{cast.project_a.pk}/consultations",
                          {"held_on": days_ago(1).isoformat(), "ends_on": TODAY.isoformat()},
                          content_type="application/json")
    assert overlap.status_code == 400 and "held_on" in overlap.json()["fields"]
    assert not ConsultationAnswer.objects.exists()
    assert login_as(cast.street_user_b).get(f"/api/progress/consultations/{consultation.pk}").status_code == 404
