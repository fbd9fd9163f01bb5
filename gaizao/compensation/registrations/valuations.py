"""What the valuations area (评估结果) registers: its menu item (in the 征收补偿 drop-down), the 评估结果
panel on the household page, and the audit labels of its writes."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "compensation.valuation_record": _("录入评估结果"),
    "compensation.valuation_review": _("评估复核或鉴定（取代原评估）"),
    "compensation.valuation_import": _("导入评估结果"),
}


def _household_panel(context, household):
    """Each building with its valuation in force and the history; from the household's 认定 on (before it
    there is nothing to value, and the panel costs no query). One query: the page has the buildings."""
    from gaizao.compensation.models import Valuation
    from gaizao.compensation.policies.valuations import valuation_can_read, valuation_can_write
    from gaizao.compensation.selectors.valuations import BuildingValuations

    request = context.get("request")
    user = getattr(request, "user", None)
    if household.decided_on is None or user is None or not valuation_can_read(user, household):
        return None
    buildings = context.get("buildings")
    if buildings is None:
        buildings = list(household.buildings.all())
    rows = {b.pk: BuildingValuations(building=b) for b in buildings}
    for valuation in Valuation.objects.filter(household=household).order_by("-id"):
        row = rows.get(valuation.building_id)
        if row is None:
            continue
        if valuation.in_force:
            row.in_force = valuation
        else:
            row.history.append(valuation)
    return {"household": household, "rows": list(rows.values()),
            "can_write": valuation_can_write(user, household)}


def register() -> None:
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MENU_GROUPS, MenuItem, Panel, menu, panels
    from gaizao.org.choices import Role

    register_action_labels(ACTION_LABELS)
    MENU_GROUPS.setdefault("compensation", _("征收补偿"))
    menu.register(MenuItem(name="compensation.valuations", label=_("评估结果"), url_name="compensation:valuation_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE), order=62,
                           group="compensation"))
    panels.register(Panel(name="compensation.valuations", page="household", order=40,
                          template="compensation/valuations/_household_panel.html", context=_household_panel))
