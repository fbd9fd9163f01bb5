"""The command dashboard (作战图): the district's (or one street's) progress from the rollups.

District-wide roles see the district and drill into a street with ``?street=CODE``; street staff
see their own street. Anyone else, and a street out of scope, gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.core.editing import found, street_param
from gaizao.progress.policies import dashboard_grant
from gaizao.progress.selectors import dashboard as selectors
from gaizao.progress.selectors.legal import legal_counts


def _dashboard(request) -> selectors.Dashboard:
    return found(selectors.dashboard, request.user, street_code=street_param(request))


@login_required
@require_GET
def dashboard_page(request):
    board = _dashboard(request)
    drilled = dashboard_grant(request.user).everywhere and not board.area.is_district
    if drilled:
        breadcrumbs = [(_("作战图"), reverse("progress:dashboard")), (board.area.unit.name, None)]
    else:
        breadcrumbs = [(_("作战图"), None)]
    return render(request, "progress/dashboard/dashboard.html", {
        "d": board,
        "data": board.chart_data(),
        "drilled": drilled,
        # the holdouts under a decision per step of the legal path (one grouped query; not in data.json)
        "legal": legal_counts(request.user, street=None if board.area.is_district else board.area.unit),
        "breadcrumbs": breadcrumbs,
    })


@login_required
@require_GET
def dashboard_data(request):
    """The page's chart data as JSON (same scope); ``?geometry=0`` leaves the boundaries out."""
    board = _dashboard(request)
    return JsonResponse(board.chart_data(geometry=request.GET.get("geometry") != "0"),
                        json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("", dashboard_page, name="dashboard"),
    path("data.json", dashboard_data, name="dashboard_data"),
]
