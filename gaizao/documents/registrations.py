"""What documents adds to the menu and the audit labels (registered in DocumentsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "document_template.upload": _("上传公文模板"),
    "document_template.revert": _("恢复默认公文模板"),
}


def register() -> None:
    from gaizao.core import access
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, menu
    from gaizao.documents import policies  # noqa: F401  (its rows, whatever order the apps are ready in)

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="documents.templates", label=_("公文模板"), url_name="documents:template_list",
                           roles=tuple(sorted(access.roles_with("documents.template"))), order=185,
                           group="system"))
