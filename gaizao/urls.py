from django.apps import apps
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from gaizao.api.api import api_urls

# Each answers JSON in the one error shape under /api/, the HTML page elsewhere.
handler400 = "gaizao.portal.views.error_400"
handler403 = "gaizao.portal.views.error_403"
handler404 = "gaizao.portal.views.error_404"
handler500 = "gaizao.portal.views.error_500"

# Each installed app that declares ``url_prefix`` on its AppConfig has its urls.py mounted there, in
# INSTALLED_APPS order: a new app needs no line here (docs/architecture.md, "Adding an app").
urlpatterns = [
    *(path(config.url_prefix, include(f"{config.name}.urls")) for config in apps.get_app_configs()
      if getattr(config, "url_prefix", None) is not None),
    path("api/", api_urls()),
    # Browsers ask for /favicon.ico on their own (a JSON answer, a download): the site's mark, not a 404.
    path("favicon.ico", RedirectView.as_view(url=static("gaizao/favicon.svg"), permanent=False)),
]
