"""API: summary (filled by its owner)."""

from ninja import Router

router = Router(tags=["进度"])
