"""In-platform notifications (站内通知): one call for every app that needs to tell someone."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from gaizao.core.models import Notification
from gaizao.core.pages import keyset_page


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


def notification_page(user, *, before: int | None = None, limit: int = 50) -> tuple[list[Notification], int | None]:
    """The user's own notifications, newest first, ``limit`` at a time from ``before`` (an id).

    Returns the page and the id to continue from, or None. Only ever the user's own: the
    recipient is the whole scope of a notification.
    """
    qs = Notification.objects.filter(recipient=user)
    if before:
        qs = qs.filter(id__lt=before)
    page = keyset_page(qs.order_by("-id")[: limit + 1], limit=limit)  # newest first: the keyset runs down
    return page.items, page.next_after


def notification_get(user, *, pk: int) -> Notification | None:
    """One of the user's own notifications, or None (someone else's is as if it did not exist)."""
    return Notification.objects.filter(recipient=user, pk=pk).first()


def mark_read(user, notifications: Iterable[Notification]) -> int:
    """Mark these of the user's notifications read now (those shown to them); returns how many.

    Not audited: reading one's own notice changes nothing anyone else sees, and an entry per
    page view would bury the trail. A conditional update, so two tabs never mark one twice.
    """
    ids = [n.pk for n in notifications if n.read_at is None]
    if not ids:
        return 0
    return Notification.objects.filter(recipient=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now())
