"""The progress app's API: one router per area, mounted under /api/progress."""

from ninja import Router

from gaizao.progress.api.events import router as events_router
from gaizao.progress.api.hardcases import router as hardcases_router
from gaizao.progress.api.legal import router as legal_router
from gaizao.progress.api.signing import router as signing_router
from gaizao.progress.api.summary import router as summary_router

router = Router()
router.add_router("", events_router)
router.add_router("", hardcases_router)
router.add_router("", legal_router)
router.add_router("", signing_router)
router.add_router("", summary_router)
