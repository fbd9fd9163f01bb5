from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gaizao.api"
    label = "api"
    verbose_name = _("接口")
    # Its urls.py holds the docs page (/api/docs); the API itself is mounted by gaizao/urls.py (api_urls).
    url_prefix = "api/"
