"""core.editing.edit_page: the one edit-page flow (GET form, POST through the service, redirect or the form again)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.forms import StyledForm


class NameForm(StyledForm):
    name = forms.CharField(max_length=10)


def _request(method: str = "GET", data: dict | None = None):
    factory = RequestFactory()
    request = factory.post("/x/", data or {}) if method == "POST" else factory.get("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _page(form):
    return lambda status: HttpResponse(str(form.errors if form is not None and form.is_bound else ""), status=status)


def _edit(request, form, save, **kwargs):
    return edit_page(request, form, save=save, done=lambda result: f"/done/{result}/", page=_page(form), **kwargs)


def test_a_get_shows_the_page_and_runs_nothing():
    calls = []
    response = _edit(_request(), NameForm(), lambda form: calls.append(form))
    assert response.status_code == 200 and calls == []


def test_a_post_saves_flashes_and_redirects_to_the_result():
    request = _request("POST", {"name": "东湖"})
    form = NameForm(request.POST)
    response = _edit(request, form, lambda form: len(form.cleaned_data["name"]))
    assert response.status_code == 302 and response["Location"] == "/done/2/"
    assert [str(m) for m in get_messages(request)] == ["已保存。"]


def test_a_message_from_the_result_or_none_at_all():
    request = _request("POST", {"name": "东湖"})
    _edit(request, NameForm(request.POST), lambda form: 7, message=lambda n: f"第 {n} 号")
    assert [str(m) for m in get_messages(request)] == ["第 7 号"]
    request = _request("POST", {"name": "东湖"})
    _edit(request, NameForm(request.POST), lambda form: 7, message="")
    assert list(get_messages(request)) == []


def test_input_the_form_refuses_is_400_and_nothing_runs():
    calls = []
    request = _request("POST", {"name": "x" * 11})
    response = _edit(request, NameForm(request.POST), lambda form: calls.append(form))
    assert response.status_code == 400 and calls == [] and "最多 10 个字符" in response.content.decode()


@pytest.mark.parametrize("error, status", [(AppError("不行", fields={"name": "重名"}), 400),
                                           (Conflict("别人已经改过"), 409)])
def test_a_refusal_of_the_service_is_shown_with_its_status(error, status):
    def save(form):
        raise error

    request = _request("POST", {"name": "东湖"})
    form = NameForm(request.POST)
    response = _edit(request, form, save)
    assert response.status_code == status
    assert form.errors == ({"name": ["重名"]} if status == 400 else {"__all__": ["别人已经改过"]})
    assert list(get_messages(request)) == []


def test_out_of_scope_and_a_form_not_offered_are_404():
    def save(form):
        raise NotFound("没有")

    request = _request("POST", {"name": "东湖"})
    with pytest.raises(Http404):
        _edit(request, NameForm(request.POST), save)
    with pytest.raises(Http404):
        _edit(_request("POST", {"name": "东湖"}), None, save)
    assert _edit(_request(), None, save).status_code == 200


def test_formsets_are_checked_with_the_form():
    class Always(forms.BaseForm):
        base_fields: dict = {}

        def is_valid(self):
            return False

    calls = []
    request = _request("POST", {"name": "东湖"})
    response = _edit(request, NameForm(request.POST), lambda form: calls.append(form), formsets=[Always()])
    assert response.status_code == 400 and calls == []
