"""What org adds to the menu (registered in OrgConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu
from gaizao.org.choices import Role


def register() -> None:
    menu.register(MenuItem(name="org.units", label=_("组织机构"), url_name="org:unit_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER), order=90, group="system"))
    menu.register(MenuItem(name="org.users", label=_("账号管理"), url_name="org:user_list",
                           roles=(Role.ADMIN, Role.SECURITY), order=100, group="system"))
    from gaizao.org.home_cards import security_todo

    home_cards.register(HomeCard(name="org.security_todo", template="org/_security_todo.html",
                                 context=security_todo, order=8, section=TODO))
