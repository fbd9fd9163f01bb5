"""What the reports area registers: the 定期汇报 menu item, the home cards (the street's reports due,
the office's reports awaiting acceptance and returned ones), the audit labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import Role


def _street_todo(user):
    from gaizao.campaign.selectors.reports import street_report_todo

    todo = street_report_todo(user)
    return None if todo is None else {"todo": todo, "kind": "street"}


def _office_todo(user):
    from gaizao.campaign.selectors.reports import office_report_todo

    todo = office_report_todo(user)
    return None if todo is None else {"todo": todo, "kind": "office"}


def register() -> None:
    from gaizao.campaign.services.reports import ACTION_LABELS
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import TODO, HomeCard, MenuItem, home_cards, menu

    register_action_labels(ACTION_LABELS)
    menu.register(MenuItem(name="campaign.reports", label=_("定期汇报"), url_name="campaign:reports",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=84,
                           group="campaign"))
    home_cards.register(HomeCard(name="campaign.reports_street", template="campaign/reports/_home_card.html",
                                 context=_street_todo, order=20, section=TODO))
    home_cards.register(HomeCard(name="campaign.reports_office", template="campaign/reports/_home_card.html",
                                 context=_office_todo, order=21, section=TODO))
