from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "gaizao.progress"
    label = "progress"
    verbose_name = _("进度")
    # Where the app's urls.py (and api.py's router) are mounted: gaizao/urls.py and the API read these.
    url_prefix = "progress/"
    api_prefix = "/progress"

    def ready(self) -> None:
        from gaizao.core.audit import register_action_labels
        from gaizao.progress import periodic
        from gaizao.progress import registrations
        from gaizao.progress.choices import ACTION_LABELS

        register_action_labels(ACTION_LABELS)
        periodic.register()  # the overdue hard cases sweep on the core schedule
        registrations.register()
