"""What every app's pages share: the edit page (编辑页) written once, and a page of another app shown
again after a refused POST.

Not a ``views`` module: no app imports another app's views (the import-linter contract in
pyproject.toml); these are the pieces every app's views are made of.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.utils.translation import gettext as _

from gaizao.core.errors import AppError, NotFound
from gaizao.core.forms import StyledForm
from gaizao.core.registry import panel_send_back

F = TypeVar("F", bound=StyledForm)
T = TypeVar("T")


def edit_page(request: HttpRequest, form: F | None, *, save: Callable[[F], T], done: Callable[[T], str],
              page: Callable[[int], HttpResponse], message: str | Callable[[T], str] | None = None,
              show: Callable[[AppError], None] | None = None, formsets: Iterable[Any] = ()) -> HttpResponse:
    """A page with a form that writes through a service, written once.

    GET: ``page(200)``, the page with the form. POST: the form (and ``formsets``) is checked, then
    ``save(form)`` runs the service through ``form.submit``; when it succeeds, ``message`` (text, or
    made from the service's result; "已保存。" if None, nothing if "") is flashed and the browser
    goes to ``done(result)``. Otherwise ``page(status)`` shows the form again with its errors: 400 for
    input the form refuses, the refusal's own status for one the service refuses (409 for a stale
    edit), shown beside the field it names or by ``show``. Out of scope is a 404 (``submit``), and
    so is a POST to a page that offers this user no form (``form`` None).
    """
    if request.method != "POST":
        return page(200)
    if form is None:
        raise Http404(_("不存在或无权操作。"))
    valid = form.is_valid() and all(formset.is_valid() for formset in formsets)
    if valid and form.submit(lambda: save(form), show=show):
        result = form.result
        text = message(result) if callable(message) else message
        if text != "":
            messages.success(request, text if text is not None else _("已保存。"))
        return redirect(done(result))
    return page(getattr(form, "error_status", 400))


def page_again(request: HttpRequest, url: str, *, status: int,
               panels: Mapping[str, dict] | None = None) -> HttpResponse:
    """The page at ``url`` (another app's) shown again in answer to this POST, with ``status``.

    An app never imports another app's views: it reaches the page by its address, as the browser
    would, and the view the URL resolver finds renders it as for a GET. ``panels`` hands each
    named panel of that page (``core.registry.panels``) the form its app sent back with its error.
    """
    match = resolve(url)
    again = copy.copy(request)  # the same user, session, messages and CSRF state; only the method differs
    again.method = "GET"
    for name, data in (panels or {}).items():
        panel_send_back(again, name, data)
    response = match.func(again, *match.args, **match.kwargs)
    response.status_code = status
    return response


def found(read: Callable[..., T], *args, **kwargs) -> T:
    """``read(*args, **kwargs)`` (a selector), its ``NotFound`` as the page's 404 with the same message."""
    try:
        return read(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


def street_param(request: HttpRequest) -> str | None:
    """The street a district page is narrowed to (``?street=CODE``), None when not given."""
    return (request.GET.get("street") or "").strip() or None
