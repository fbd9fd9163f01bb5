"""The health check (健康检查) for the load balancer and the operators' probes."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse


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
