"""The compensation app's API: one router per area, mounted under /api/compensation."""

from ninja import Router

from gaizao.compensation.api.agreements import router as agreements_router
from gaizao.compensation.api.calculations import router as calculations_router
from gaizao.compensation.api.changes import router as changes_router
from gaizao.compensation.api.publicity import router as publicity_router
from gaizao.compensation.api.schemes import router as schemes_router
from gaizao.compensation.api.valuations import router as valuations_router

router = Router()
router.add_router("", schemes_router)
router.add_router("", calculations_router)
router.add_router("", valuations_router)
router.add_router("", publicity_router)
router.add_router("", changes_router)
router.add_router("", agreements_router)
