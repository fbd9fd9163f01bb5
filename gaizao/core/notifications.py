"""In-platform notifications (站内通知): one call for every app that needs to tell someone."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from gaizao.core.models import Notification


def notify(*, recipients: Iterable, title: str, body: str = "", link: str = "", kind: str = "") -> int:
    """Write one notification per recipient (users; duplicates and None dropped); returns how many.

    Runs inside the caller's transaction, so a write that fails leaves no notice behind; a refusal
    that must be told even though the request fails calls it outside the failing transaction.
    """
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient_id=user.pk, title=str(title)[:200], body=str(body), link=link[:300],
                                 kind=kind[:64]))
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
