"""Home, health check and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render

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


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
