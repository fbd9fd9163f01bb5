"""API of the records area."""

from ninja import Router

router = Router()
