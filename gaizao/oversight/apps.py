from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "gaizao.oversight"
    label = "oversight"
    verbose_name = _("督查考核")
    url_prefix = "oversight/"
    api_prefix = "/oversight"

    def ready(self) -> None:
        from gaizao.oversight import registrations

        registrations.register()
