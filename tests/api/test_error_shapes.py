"""Every API failure answers the one error shape (``{"message": <Chinese>, "fields": {...}}``)
with its status, never an HTML page or django-ninja's ``{"detail": ...}``; integers no database
column can hold are refused by name (422 in the API, a form error on the pages), never a 500.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client, RequestFactory

from gaizao.portal import views as core_views
from gaizao.core.errors import API_MESSAGES, BAD_JSON_MESSAGE, CSRF_MESSAGE
from gaizao.ledger import selectors as ledger_selectors
from gaizao.ledger.models import Village
from gaizao.progress.services.consultations import consultation_open
from tests.conftest import login

OVERFLOW = "-935439044975556820992"  # the probe's value: beyond 64 bits
BIG = 2**64
INT32_MAX = 2**31 - 1


def _client(user=None, **kwargs) -> Client:
    # raise_request_exception=False: see the response a caller gets, 500s included.
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        login(client, user)
    return client


def _json(client, method: str, url: str, body) -> object:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client, method)(url, data=data, content_type="application/json")


def _shape(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"message", "fields"}, body
    assert body["message"] and isinstance(body["fields"], dict)
    return body


# --- integers beyond what the database holds ------------------------------------------------------

@pytest.mark.parametrize(("url", "field"), [
    (f"/api/ledger/households?village={OVERFLOW}", "village"),
    (f"/api/ledger/households?street={BIG}", "street"),
    (f"/api/ledger/households?project={BIG}", "project"),
    (f"/api/ledger/villages?street={OVERFLOW}", "street"),
    (f"/api/progress/hardcases?street={BIG}&village=1", "street"),
    (f"/api/progress/hardcases?village={BIG}", "village"),
    (f"/api/ledger/heritage?village={BIG}", "village"),
    (f"/api/ledger/households/{OVERFLOW}", "household_id"),
])
def test_it_refuses_a_filter_id_beyond_64_bits_by_name(cast, url, field):
    body = _shape(_client(cast.admin).get(url), 422)
    assert field in body["fields"], body


def test_it_refuses_a_population_no_integer_column_holds(cast):
    url = f"/api/ledger/villages/{cast.village_a.pk}"
    body = _shape(_json(_client(cast.admin), "patch", url, {"version": 1, "population": 2**62}), 422)
    assert body["fields"] == {"population": f"不能大于 {INT32_MAX}"}
    assert Village.objects.get(pk=cast.village_a.pk).population == 0


@pytest.mark.parametrize(("url", "payload", "field"), [
    ("/api/progress/bulk", {"kind": "surveyed", "on_date": "2026-01-05", "household_ids": [BIG]}, "household_ids.0"),
    ("/api/ledger/households/{a1}", {"version": BIG, "address": "东湖路"}, "version"),
    ("/api/ledger/households/{a1}", {"version": 1, "cadre_id": BIG}, "cadre_id"),
    ("/api/progress/consultations/{c}/answers", {"household_id": BIG, "answer": "agree", "answered_on": "2026-01-05"},
     "household_id"),
])
def test_it_refuses_an_overflowing_integer_in_a_write_by_name(cast, url, payload, field):
    consultation = consultation_open(actor=cast.admin, project=cast.project_a, held_on="2026-01-01",
                                     ends_on="2026-01-10")
    url = url.format(a1=cast.household_a1.pk, p=cast.project_a.pk, c=consultation.pk)
    method = "patch" if "version" in payload else "post"
    body = _shape(_json(_client(cast.admin), method, url, payload), 422)
    assert field in body["fields"], body


def test_validation_messages_are_chinese_and_name_the_field(cast):
    body = _shape(_client(cast.admin).get("/api/ledger/households?village=abc"), 422)
    assert body == {"message": "请求参数有误。", "fields": {"village": "须为整数"}}


def test_the_village_page_refuses_a_population_postgresql_cannot_hold(cast):
    # SQLite would store any 64-bit number; production's PostgreSQL refuses it: one rule for both.
    client = _client(cast.admin)
    url = f"/ledger/villages/{cast.village_a.pk}/edit/"
    form = {"version": 1, "street": cast.street_a.pk, "code": "V001", "name": "东湖村",
            "mode": "demolish_rebuild", "batch": 1, "year": 2026, "land_area": "0", "population": 2**40}
    response = client.post(url, form)
    assert response.status_code == 400
    assert response.context["form"].errors["population"] == [f"人口不能大于 {INT32_MAX}。"]
    assert Village.objects.get(pk=cast.village_a.pk).population == 0


@pytest.mark.parametrize("url", [
    f"/ledger/households/?village={OVERFLOW}",
    f"/ledger/households/?street={BIG}&project={BIG}",
    f"/ledger/villages/?street={OVERFLOW}",
    f"/progress/hardcases/?street={BIG}&village={OVERFLOW}",
])
def test_filter_pages_show_an_overflowing_id_as_a_form_error(cast, url):
    response = _client(cast.admin).get(url)
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(("url", "form"), [
    (f"/ledger/households/?after={BIG}", "form"),
    (f"/progress/record/?project=P001&after={BIG}", "filters"),
    (f"/progress/hardcases/?after={BIG}", "form"),
])
def test_a_form_integer_beyond_64_bits_is_a_form_error(cast, url, form):
    response = _client(cast.admin).get(url)
    assert response.status_code == 200
    assert response.context[form].errors["after"] == ["不能大于 9223372036854775807。"]


# --- every failure in the one shape ---------------------------------------------------------------

def test_a_session_post_without_the_csrf_token_answers_the_shape(cast):
    client = _client(cast.admin, enforce_csrf_checks=True)
    body = _shape(_json(client, "patch", f"/api/ledger/villages/{cast.village_a.pk}", {"version": 1}), 403)
    assert body == {"message": CSRF_MESSAGE, "fields": {}}


def test_a_page_without_the_csrf_token_answers_the_chinese_403_page(cast):
    client = _client(cast.admin, enforce_csrf_checks=True)
    response = client.post("/ledger/villages/new/", {"code": "V009"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "页面已过期" in response.content.decode()


def test_a_body_that_is_not_json_answers_the_shape(cast):
    response = _json(_client(cast.admin), "patch", f"/api/ledger/villages/{cast.village_a.pk}", "{not json")
    assert _shape(response, 400) == {"message": BAD_JSON_MESSAGE, "fields": {}}


def test_a_body_over_the_upload_limit_answers_413_in_the_shape(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = {"version": 1, "notes": "说明" * 1000}
    response = _json(_client(cast.admin), "patch", f"/api/ledger/villages/{cast.village_a.pk}", payload)
    assert _shape(response, 413) == {"message": API_MESSAGES[413], "fields": {}}


@pytest.mark.parametrize("url", ["/api/nothing-here", "/api/ledger/nothing/", "/api/ledger/villages/1/x"])
def test_an_unknown_api_url_answers_404_in_the_shape(cast, url):
    assert _shape(_client(cast.admin).get(url), 404) == {"message": API_MESSAGES[404], "fields": {}}


def test_an_unknown_page_keeps_the_html_404_page(cast):
    response = _client(cast.admin).get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_an_operation_does_not_take_answers_405_in_the_shape(cast):
    response = _json(_client(cast.admin), "put", f"/api/ledger/villages/{cast.village_a.pk}", {})
    assert _shape(response, 405) == {"message": API_MESSAGES[405], "fields": {}}
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_an_unforeseen_error_answers_500_without_details_and_is_logged(cast, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    # Nothing real fails on purpose any more; a selector that breaks stands for the unforeseen.
    monkeypatch.setattr(ledger_selectors, "village_list", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = _client(cast.admin).get("/api/ledger/villages")
    assert _shape(response, 500) == {"message": API_MESSAGES[500], "fields": {}}
    assert b"secret" not in response.content
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize(("view", "status"), [
    (core_views.error_500, 500), (core_views.error_404, 404), (core_views.error_403, 403),
    (core_views.error_400, 400),
])
def test_django_error_views_answer_the_shape_under_api(view, status):
    request = RequestFactory().get("/api/ledger/villages")
    response = view(request) if status == 500 else view(request, Exception())
    assert response.status_code == status
    assert json.loads(response.content) == {"message": API_MESSAGES[status], "fields": {}}
