from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """公文与表格: DOCX in the official layout from replaceable templates, and the XLSX writers."""

    name = "gaizao.documents"
    label = "documents"
    verbose_name = _("公文与表格")
    # Where the app's urls.py is mounted (gaizao/urls.py reads it from every installed app).
    url_prefix = "documents/"

    def ready(self) -> None:
        from gaizao.documents import registrations

        registrations.register()
