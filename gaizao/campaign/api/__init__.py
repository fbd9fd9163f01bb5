"""The campaign app's API: one router per area, mounted under /api/campaign."""

from ninja import Router

from gaizao.campaign.api.campaign import router as campaign_router
from gaizao.campaign.api.meetings import router as meetings_router
from gaizao.campaign.api.reports import router as reports_router
from gaizao.campaign.api.tasks import router as tasks_router

router = Router()
router.add_router("", campaign_router)
router.add_router("", tasks_router)
router.add_router("", reports_router)
router.add_router("", meetings_router)
