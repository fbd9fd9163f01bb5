"""The one place scope is enforced: helpers the per-resource scope functions share.

Each app's ``selectors.py`` has one ``<noun>_scope(user)`` per resource; views, the API, exports
and documents start from it. An object outside the user's scope answers 404, never its data.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def get_in_scope(queryset: QuerySet, **lookup) -> Model:
    """The object if the scoped queryset holds it, else 404 (out of scope looks like absent)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("不存在或无权查看。") from None
