"""What the records area (表彰问责) registers: the audit label of its write and its menu item."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "oversight.record_create": _("记录表彰问责"),
}


def register() -> None:
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, menu
    from gaizao.org.choices import Role

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="oversight.records", label=_("表彰问责"), url_name="oversight:record_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT), order=96,
                           group="oversight"))
