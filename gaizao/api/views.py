"""The API docs page (接口说明, /api/docs): Swagger UI from our own static files, for signed-in users."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gaizao.api.api import json_not_allowed


@json_not_allowed  # under /api/: a POST answers 405 in the API's one shape, as the API's own paths do
@require_safe
@login_required
def docs(request):
    """Any role may read the docs; what each call returns is still that account's scope.

    The page works on an intranet with no internet: Swagger UI comes from npm (swagger-ui-dist)
    into the static files, and the page's script is a static file too, so the one
    Content-Security-Policy (no inline script) holds here as on every page.
    """
    return render(request, "api/docs.html", {
        "breadcrumbs": [(_("接口说明"), None)],
        "schema_url": reverse("api:openapi-json"),
        "example_url": request.build_absolute_uri("/api/progress/summary"),
        "token_days": settings.GAIZAO_API_TOKEN_DAYS,
    })
