from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor (门户): home page, menu, audit pages, notifications and error pages.

    It shows what the apps below registered (core.registry) and is imported by none of them.
    """

    name = "gaizao.portal"
    label = "portal"
    verbose_name = _("门户")
    # Where the app's urls.py (and api.py's router) are mounted: gaizao/urls.py and the API read these.
    url_prefix = ""

    def ready(self) -> None:
        from gaizao.core import access
        from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu
        from gaizao.org.choices import Role
        from gaizao.portal import home_cards as cards
        from gaizao.portal import policies  # noqa: F401  (its rows, whatever order the apps are ready in)

        menu.register(MenuItem(name="portal.home", label=_("首页"), url_name="portal:home",
                               roles=tuple(Role.values), order=0))
        # The menu shows the page to the roles the access table gives it to (written once, there).
        menu.register(MenuItem(name="portal.audit", label=_("审计日志"), url_name="portal:audit_list",
                               roles=tuple(sorted(access.roles_with("portal.audit"))), order=200,
                               group="system"))
        menu.register(MenuItem(name="portal.calendar", label=_("工作日历"), url_name="portal:calendar",
                               roles=tuple(sorted(access.roles_with("core.calendar", write=True))), order=190,
                               group="campaign"))
        home_cards.register(HomeCard(name="portal.department_tasks", template="portal/_department_tasks.html",
                                     context=cards.department_tasks, order=6, section=TODO))
        home_cards.register(HomeCard(name="portal.audit_review", template="portal/_audit_review.html",
                                     context=cards.audit_review, order=7, section=TODO))
