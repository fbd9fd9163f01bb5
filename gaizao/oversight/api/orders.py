"""API of the orders area."""

from ninja import Router

router = Router()
