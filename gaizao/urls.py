from django.urls import include, path

from gaizao.api.api import api_urls

# Each answers JSON in the one error shape under /api/, the HTML page elsewhere.
handler400 = "gaizao.portal.views.error_400"
handler403 = "gaizao.portal.views.error_403"
handler404 = "gaizao.portal.views.error_404"
handler500 = "gaizao.portal.views.error_500"

urlpatterns = [
    path("", include("gaizao.core.urls")),
    path("", include("gaizao.portal.urls")),
    path("account/", include("gaizao.org.urls")),
    path("ledger/", include("gaizao.ledger.urls")),
    path("progress/", include("gaizao.progress.urls")),
    path("api/", api_urls()),
]
