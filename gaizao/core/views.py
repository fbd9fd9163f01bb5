"""Home, health check and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import bad_request

from gaizao.core.errors import api_error_body
from gaizao.core.selectors import home_summary
from gaizao.progress.selectors.dashboard import home_progress


@login_required
def home(request):
    # Those who see the dashboard get its rollup figures (no count over households, persons or
    # buildings); the others (cadre, resident …) their own few households from the ledger.
    progress = home_progress(request.user)
    summary = home_summary(request.user) if progress is None else None
    return render(request, "core/home.html", {"summary": summary, "progress": progress})


def healthz(request):
    """200 with database and migration state; 503 when the database cannot be reached."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": "unreachable", "detail": str(exc)[:200]}, status=503)
    body = {
        "status": "ok" if not pending else "degraded",
        "database": connection.vendor,
        "migrations": "current" if not pending else f"{len(pending)} pending",
    }
    return JsonResponse(body, status=200 if not pending else 503)


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
