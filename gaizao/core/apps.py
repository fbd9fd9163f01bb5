from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gaizao.core"
    label = "core"
    verbose_name = _("基础")
    # Where the app's urls.py (and api.py's router) are mounted: gaizao/urls.py and the API read these.
    url_prefix = ""

    def ready(self) -> None:
        from gaizao.core import access, calendar
        from gaizao.core.audit import register_action_labels

        access.autodiscover()  # every app's policies.py registers its rows of the access table
        calendar.register_access()  # core's own: the working-day calendar
        register_action_labels(calendar.ACTION_LABELS)
