"""Consultations of the owners' wishes (意愿征询): recording, consent rate against the threshold,
who may record, the page and the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.core.errors import AppError, NotFound
from gaizao.core.models import AuditEntry
from gaizao.progress import selectors
from gaizao.progress.models import Consultation
from gaizao.progress.services import consultation_record

TODAY = timezone.localdate()


def record(cast, *, actor=None, project=None, **values):
    values = {"held_on": TODAY - dt.timedelta(days=3), "eligible": 130, "agreed": 120, **values}
    return consultation_record(actor=actor or cast.street_user_a, project=project or cast.project_a, **values)


def test_it_records_a_consultation_audited(cast):
    consultation = record(cast, note="第一轮")
    assert (consultation.eligible, consultation.agreed, consultation.threshold) == (130, 120, Decimal("90.00"))
    entry = AuditEntry.objects.get(action="consultation.record")
    assert entry.object_id == str(consultation.pk) and entry.actor_id == cast.street_user_a.pk


def test_consent_rate_to_one_decimal_against_the_threshold(cast):
    record(cast, eligible=130, agreed=120)  # 92.3% ≥ 90
    record(cast, eligible=10, agreed=9, threshold="95", held_on=TODAY)  # 90.0% < 95
    latest, first = selectors.consultation_list(cast.project_a)
    assert (first.rate, first.passed) == (Decimal("92.3"), True)
    assert (latest.rate, latest.passed, latest.threshold) == (Decimal("90.0"), False, Decimal("95.00"))
    assert selectors.consultation_latest([cast.project_a.pk, cast.project_b.pk]) == {cast.project_a.pk: latest}


def test_the_threshold_is_compared_exactly_not_on_the_rounded_rate():
    # 8999/10000 = 89.99% rounds to 90.0 but does not reach 90
    assert selectors.consent_passed(8999, 10000, Decimal("90")) is False
    assert selectors.consent_rate(8999, 10000) == Decimal("90.0")
    assert selectors.consent_passed(9, 10, Decimal("90")) is True


@pytest.mark.parametrize("values,field,words", [
    ({"agreed": 131}, "agreed", "不能多于应征询户数"),
    ({"eligible": 0, "agreed": 0}, "eligible", "须大于 0"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on", "晚于今天"),
    ({"held_on": None}, "held_on", "请填写"),
    ({"eligible": "许多"}, "eligible", "须为整数"),
    ({"agreed": -1}, "agreed", "不能为负数"),
    ({"threshold": "101"}, "threshold", "不超过 100"),
    ({"threshold": "90.123"}, "threshold", "两位小数"),
])
def test_it_refuses_bad_input_naming_the_field(cast, values, field, words):
    with pytest.raises(AppError) as err:
        record(cast, **values)
    assert field in err.value.fields and words in err.value.message
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "leader", "resident", "outsider", "department_user"])
def test_only_the_project_write_scope_may_record(cast, role):
    with pytest.raises(NotFound):
        record(cast, actor=getattr(cast, role))
    assert not Consultation.objects.exists()


def test_commander_may_record_anywhere(cast):
    assert record(cast, actor=cast.commander, project=cast.project_b).pk


# --- the page --------------------------------------------------------------------------------------

def test_page_lists_consultations_with_rate_and_result(cast, login_as):
    record(cast, eligible=130, agreed=120)
    record(cast, eligible=10, agreed=8, held_on=TODAY)
    response = login_as(cast.street_user_a).get(f"/progress/projects/{cast.project_a.pk}/consultations/")
    html = response.content.decode()
    assert response.status_code == 200 and "92.3%" in html and "80.0%" in html
    assert 'data-testid="passed"' in html and 'data-testid="not-passed"' in html
    assert response.context["form"] is not None


def test_page_records_a_consultation_and_shows_errors(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/progress/projects/{cast.project_a.pk}/consultations/"
    bad = client.post(url, {"held_on": TODAY.isoformat(), "eligible": "10", "agreed": "11", "threshold": "90"})
    assert bad.status_code == 400 and 'data-testid="error-agreed"' in bad.content.decode()
    assert not Consultation.objects.exists()
    good = client.post(url, {"held_on": TODAY.isoformat(), "eligible": "10", "agreed": "10", "threshold": ""})
    assert good.status_code == 302 and Consultation.objects.get().threshold == Decimal("90.00")


def test_leader_reads_but_may_not_record(cast, login_as):
    client = login_as(cast.leader)
    url = f"/progress/projects/{cast.project_a.pk}/consultations/"
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url, {"held_on": TODAY.isoformat(), "eligible": "10", "agreed": "10"}).status_code == 404


@pytest.mark.parametrize("role", ["street_user_b", "cadre", "outsider"])
def test_page_is_404_out_of_scope(cast, login_as, role):
    assert login_as(getattr(cast, role)).get(f"/progress/projects/{cast.project_a.pk}/consultations/").status_code == 404


# --- the API ---------------------------------------------------------------------------------------

def test_api_lists_and_records(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/progress/projects/{cast.project_a.pk}/consultations"
    created = client.post(url, data=json.dumps({"held_on": TODAY.isoformat(), "eligible": 13, "agreed": 12}),
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["rate"] == "92.3" and body["passed"] is True and body["threshold"] == "90.00"
    assert [c["id"] for c in client.get(url).json()] == [body["id"]]


def test_api_refuses_in_the_one_error_shape(cast, login_as):
    client = login_as(cast.street_user_a)
    url = f"/api/progress/projects/{cast.project_a.pk}/consultations"
    response = client.post(url, data=json.dumps({"held_on": TODAY.isoformat(), "eligible": 5, "agreed": 6}),
                           content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"message", "fields"}
    assert "agreed" in response.json()["fields"]
    other = login_as(cast.street_user_b)
    assert other.get(url).status_code == 404
    assert other.post(url, data=json.dumps({"held_on": TODAY.isoformat(), "eligible": 5, "agreed": 5}),
                      content_type="application/json").status_code == 404
