from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gaizao.org"
    label = "org"
    verbose_name = _("组织与账号")

    def ready(self) -> None:
        from gaizao.org import signals

        signals.connect()
