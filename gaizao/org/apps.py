from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gaizao.org"
    label = "org"
    verbose_name = _("组织与账号")
    # Where the app's urls.py (and api.py's router) are mounted: gaizao/urls.py and the API read these.
    url_prefix = "account/"
    api_prefix = "/org"

    def ready(self) -> None:
        from gaizao.core.audit import register_action_labels
        from gaizao.org import registrations, signals
        from gaizao.org.choices import AUDIT_ACTION_LABELS

        signals.connect()
        register_action_labels(AUDIT_ACTION_LABELS)
        registrations.register()
