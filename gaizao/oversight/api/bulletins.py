"""API of the bulletins area."""

from ninja import Router

router = Router()
