"""API of the assessment area."""

from ninja import Router

router = Router()
