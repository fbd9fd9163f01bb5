"""The oversight app's API: one router per area, mounted under /api/oversight."""

from ninja import Router

from gaizao.oversight.api.assessment import router as assessment_router
from gaizao.oversight.api.bulletins import router as bulletins_router
from gaizao.oversight.api.inspections import router as inspections_router
from gaizao.oversight.api.orders import router as orders_router
from gaizao.oversight.api.records import router as records_router

router = Router()
router.add_router("", orders_router)
router.add_router("", inspections_router)
router.add_router("", assessment_router)
router.add_router("", records_router)
router.add_router("", bulletins_router)
