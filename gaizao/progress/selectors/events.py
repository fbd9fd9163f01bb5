"""A household's stage events as pages and the API show them: two queries, whatever the number."""

from __future__ import annotations

from gaizao.progress.models import EventAttachment, StageEvent


def household_events(household_id: int, **lookup) -> list[StageEvent]:
    """The household's events in the order they were recorded, with their actor, and their
    attachments as ``event.files`` (always two queries, also when there are no events)."""
    events = list(StageEvent.objects.filter(household_id=household_id, **lookup).select_related("actor")
                  .order_by("id"))
    files: dict[int, list[EventAttachment]] = {}
    for attachment in EventAttachment.objects.filter(event__household_id=household_id).order_by("id"):
        files.setdefault(attachment.event_id, []).append(attachment)
    for event in events:
        event.files = files.get(event.pk, [])
    return events
