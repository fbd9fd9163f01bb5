"""What the bulletins area registers: the menu items 工作通报 and 督查考核总览 (the leader's page), and the
audit label of the bulletin's generation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from gaizao.core import access
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, menu
    from gaizao.oversight.services.bulletins import ACTION_LABELS

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="oversight.leader", label=_("督查考核总览"), url_name="oversight:leader",
                           roles=tuple(sorted(access.roles_with("oversight.leader"))), order=1, group="oversight"))
    menu.register(MenuItem(name="oversight.bulletins", label=_("工作通报"), url_name="oversight:bulletins",
                           roles=tuple(sorted(access.roles_with("oversight.bulletin"))), order=90, group="oversight"))
