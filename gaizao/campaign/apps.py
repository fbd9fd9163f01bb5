from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "gaizao.campaign"
    label = "campaign"
    verbose_name = _("攻坚行动")
    url_prefix = "campaign/"
    api_prefix = "/campaign"

    def ready(self) -> None:
        from gaizao.campaign import registrations
        from gaizao.campaign.choices import ACTION_LABELS
        from gaizao.core.audit import register_action_labels

        register_action_labels(ACTION_LABELS)
        registrations.register()
