"""What the campaign's own area registers: the menu entry and the targets card on the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import FIGURES, HomeCard, MenuItem, home_cards, menu


def _targets_card(user):
    """The street's targets with their lights; for the district roles, how many streets are red / yellow.
    None for those who read no targets, or without a running campaign."""
    from gaizao.campaign.selectors.campaign import visible_streets
    from gaizao.campaign.selectors.status import campaign_overview_status, current_campaign
    from gaizao.core import access

    grant = access.grant(user, "campaign.target")
    if not grant:
        return None
    campaign = current_campaign()
    if campaign is None:
        return None
    streets = visible_streets(user)
    if not streets:
        return None
    status = campaign_overview_status(campaign, streets=streets)
    lights: dict[str, int] = {}
    for s in status.streets:
        lights[s.light] = lights.get(s.light, 0) + 1
    behind = sorted((t for s in status.streets for t in s.targets if t.light in ("red", "yellow")),
                    key=lambda t: -(t.behind or 0))
    return {"campaign": campaign, "status": status, "district": grant.everywhere, "lights": lights,
            "behind": behind[:5]}


def register() -> None:
    from gaizao.campaign.progress_targets import provide
    from gaizao.core import access
    from gaizao.progress.extensions import register_targets

    register_targets(provide)

    menu.register(MenuItem(name="campaign.campaign", label=_("目标与总览"), url_name="campaign:index",
                           roles=tuple(access.roles_with("campaign.campaign")), order=15, group="campaign"))
    home_cards.register(HomeCard(name="campaign.targets", template="campaign/campaign/_home_card.html",
                                 context=_targets_card, order=5, section=FIGURES))
