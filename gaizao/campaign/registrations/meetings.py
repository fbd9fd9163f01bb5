"""What the meetings area registers: the 会议 menu item and the audit labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import Role


def register() -> None:
    from gaizao.campaign.services.meetings import ACTION_LABELS
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, menu

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="campaign.meetings", label=_("会议"), url_name="campaign:meetings",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=86,
                           group="campaign"))
