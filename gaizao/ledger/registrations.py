"""What the ledger adds to the menu and the home page (registered in LedgerConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu
from gaizao.org.choices import Role


def _home_figures(user):
    from gaizao.ledger.selectors.home import home_summary

    summary = home_summary(user)
    return {"summary": summary} if summary["has_ledger"] else None


def _household_of_new_account(ref: str):
    from gaizao.ledger.services.assignments import household_for_new_account

    return household_for_new_account(ref)


def _link_new_account(*, actor, user, target) -> str:
    from gaizao.ledger.services.assignments import household_link_new_account

    return household_link_new_account(actor=actor, user=user, household=target)


def _resident_home(user):
    from gaizao.ledger.selectors.home import resident_home

    return resident_home(user)


def _imports_waiting(user):
    from gaizao.ledger.selectors.home import imports_waiting

    return imports_waiting(user)


def register() -> None:
    from gaizao.org.links import AccountLink, account_links

    # `gaizao user create --household 项目编码/户号`: the new resident account linked to its household.
    account_links.register(AccountLink(
        name="ledger.household", option="--household", metavar="项目编码/户号", find=_household_of_new_account,
        link=_link_new_account, help=_("将新建的居民账号关联到该住户（写作“项目编码/户号”，如 P001/DH-002）")))
    for item in (
        MenuItem(name="ledger.villages", label=_("城中村"), url_name="ledger:village_list",
                 roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=40, group="ledger"),
        MenuItem(name="ledger.households", label=_("住户台账"), url_name="ledger:household_list",
                 roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE), order=50, group="ledger"),
        MenuItem(name="ledger.my_household", label=_("我的住户"), url_name="ledger:my_household",
                 roles=(Role.RESIDENT,), order=80),
        MenuItem(name="ledger.known_values", label=_("可选值"), url_name="ledger:known_values",
                 roles=(Role.ADMIN, Role.COMMANDER), order=95, group="ledger"),
    ):
        menu.register(item)
    # The ledger's counts for those without the dashboard (cadre, resident …); progress's rollup
    # figures take this slot first for the others.
    home_cards.register(HomeCard(name="ledger.imports_waiting", template="ledger/_imports_waiting.html",
                                 context=_imports_waiting, order=4, section=TODO))
    # A resident's own household stands in for the counts (the same slot, asked first).
    home_cards.register(HomeCard(name="ledger.resident", template="ledger/_resident_home.html",
                                 context=_resident_home, order=5, slot="figures"))
    home_cards.register(HomeCard(name="ledger.figures", template="ledger/_home_card.html",
                                 context=_home_figures, order=20, slot="figures"))
