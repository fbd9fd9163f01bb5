from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "gaizao.compensation"
    label = "compensation"
    verbose_name = _("征收补偿")
    url_prefix = "compensation/"
    api_prefix = "/compensation"

    def ready(self) -> None:
        from gaizao.compensation import registrations

        registrations.register()
