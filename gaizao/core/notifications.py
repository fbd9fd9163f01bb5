"""In-platform notifications (站内通知): one call for every app that needs to tell someone."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from gaizao.core.models import Notification
from gaizao.core.pages import keyset_page

KEY_MAX = 200


def recipient_key(key: str, user) -> str:
    """The stored key of one recipient's copy of a keyed notice (``task:12:due3@7``)."""
    return f"{key}@{user.pk}"[:KEY_MAX]


def notify(*, recipients: Iterable, title: str, body: str = "", link: str = "", kind: str = "",
           key: str | None = None) -> int:
    """Write one notification per recipient (users; duplicates and None dropped); returns how many.

    Runs inside the caller's transaction, so a write that fails leaves no notice behind; a refusal
    that must be told even though the request fails calls it outside the failing transaction.

    ``key`` names a reminder (``f"task:{pk}:due3"``): each recipient gets it once, ever. A copy
    already written is skipped, and so is one a concurrent run wrote first (the key is unique:
    the insert that loses the race is rolled back to its savepoint, the rest stands). Without a
    key every call writes.

    Once the caller's transaction commits, the written notices are handed to the configured
    sender (``core.messaging``: e-mail when SMTP is set); a failure there is logged, not raised.
    """
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        users.append(user)
    rows = [Notification(recipient_id=user.pk, title=str(title)[:200], body=str(body), link=link[:300],
                         kind=kind[:64], key=recipient_key(key, user) if key else None) for user in users]
    written: list = []
    with transaction.atomic(savepoint=False):
        if key is None:
            Notification.objects.bulk_create(rows)
            written = users
        else:
            taken = set(Notification.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True))
            for user, row in zip(users, rows):
                if row.key in taken:
                    continue
                try:
                    with transaction.atomic():  # a savepoint: a lost race undoes this row only
                        row.save(force_insert=True)
                except IntegrityError:
                    continue
                written.append(user)
        if written:
            _deliver_on_commit(written, title=str(title), body=_message_body(str(body), link))
    return len(written)


def _message_body(body: str, link: str) -> str:
    return f"{body}\n\n{link}".strip() if link else body


def _deliver_on_commit(users: list, *, title: str, body: str) -> None:
    from gaizao.core import messaging

    messages = [(user, title, body) for user in users]
    transaction.on_commit(lambda: messaging.deliver(messages))


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
