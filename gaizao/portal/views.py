"""The home page (工作台) and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import bad_request

from gaizao.core.errors import api_error_body
from gaizao.core.registry import TODO, home_cards


def home_card_list(user) -> list[dict]:
    """The registered home cards that answer for ``user``: in one slot, only the first that answers."""
    cards, filled = [], set()
    for card in home_cards:
        if card.slot and card.slot in filled:
            continue
        context = card.context(user)
        if context is None:
            continue
        if card.slot:
            filled.add(card.slot)
        cards.append({"name": card.name, "template": card.template, "context": context, "section": card.section})
    return cards


@login_required
def home(request):
    # Those who see the dashboard get its rollup figures (no count over households, persons or
    # buildings); the others (cadre, resident …) their own few households from the ledger: both
    # register a card in the slot "figures", progress first.
    cards = home_card_list(request.user)
    return render(request, "portal/home.html", {
        "cards": cards, "todo": [c for c in cards if c["section"] == TODO], "figures": [c for c in cards if c["section"] != TODO]})


# The error pages answer the API's one JSON shape under /api/ (gaizao/urls.py mounts it there)
# and the HTML pages elsewhere: a client of the API never has to parse an HTML error page.
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(status: int, *, detail: str = "") -> JsonResponse:
    return JsonResponse(api_error_body(status, detail=detail), status=status,
                        json_dumps_params={"ensure_ascii": False})


def error_400(request, exception=None):
    # RequestDataTooBig is a SuspiciousOperation: Django sends it here as a 400; it is a 413.
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if _is_api(request):
        return _api_error(status)
    response = bad_request(request, exception)
    response.status_code = status
    return response


def error_403(request, exception=None):
    if _is_api(request):
        return _api_error(403)
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the 403 page (Chinese, not Django's English one), JSON under /api/."""
    if _is_api(request):
        return _api_error(403, detail="CSRF")
    return render(request, "errors/403.html", {"csrf_failed": True}, status=403)


def error_404(request, exception=None):
    if _is_api(request):
        return _api_error(404)
    return render(request, "errors/404.html", status=404)


def error_500(request):
    if _is_api(request):
        return _api_error(500)
    return render(request, "errors/500.html", status=500)
