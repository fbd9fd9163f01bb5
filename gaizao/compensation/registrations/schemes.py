"""What the schemes and calculations areas register: the menu group 征收补偿 with 补偿方案 (the other areas add their
items to the same group), the 补偿测算 panel on the household page, the scheme in force on the village and project
pages, and the audit labels of their writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import MENU_GROUPS, MenuItem, Panel, menu, panels
from gaizao.org.choices import Role

GROUP = "compensation"
ACTION_LABELS = {
    "compensation.scheme_create": _("起草补偿方案"),
    "compensation.scheme_update": _("修改补偿方案草稿"),
    "compensation.scheme_copy": _("复制补偿方案为新草稿"),
    "compensation.scheme_publish": _("发布补偿方案"),
}


def household_panel(context, household) -> dict | None:
    """The household's current calculation, every amount opening to its formula and inputs: for whoever reads the
    household's calculation (the resident their own). Two queries."""
    from gaizao.compensation.choices import Option
    from gaizao.compensation.forms.schemes import OptionForm
    from gaizao.compensation.policies.schemes import calculation_can_read, calculation_can_write
    from gaizao.compensation.selectors.calculation_pages import household_panel as panel_data

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not calculation_can_read(user, household):
        return None
    data = panel_data(household)
    current = data["current"]
    return {"household": household, "current": current, "scheme": data["scheme"],
            "writer": calculation_can_write(user, household), "next": request.get_full_path(),
            "option_form": OptionForm(initial={"option": current.option if current else Option.MONEY})}


def _projects_panel(user, projects) -> dict | None:
    from gaizao.compensation.policies.schemes import project_calculation_can_read, scheme_can_read
    from gaizao.compensation.selectors.schemes import in_force_by_project

    if user is None or not user.is_authenticated:
        return None
    shown = [p for p in projects if scheme_can_read(user, p)]
    if not shown:
        return None
    in_force = in_force_by_project(p.pk for p in shown)
    rows = [{"project": p, "scheme": in_force.get(p.pk), "calculations": project_calculation_can_read(user, p)}
            for p in shown]
    return {"rows": rows}


def village_panel(context, village) -> dict | None:
    """Each project of the village with its scheme in force and the links to its versions and calculations."""
    request = context.get("request")
    projects = context.get("projects")
    if projects is None:
        projects = list(village.projects.all())
    for p in projects:
        p.village = village  # placed by its village without a query
    return _projects_panel(getattr(request, "user", None), projects)


def project_panel(context, project) -> dict | None:
    request = context.get("request")
    return _projects_panel(getattr(request, "user", None), [project])


def register() -> None:
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)
    MENU_GROUPS.setdefault(GROUP, _("征收补偿"))
    menu.register(MenuItem(name="compensation.schemes", label=_("补偿方案"), url_name="compensation:projects",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=40, group=GROUP))
    panels.register(Panel(name="compensation.calculation", page="household", order=40,
                          template="compensation/calculations/_panel.html", context=household_panel))
    panels.register(Panel(name="compensation.schemes", page="village", order=40,
                          template="compensation/schemes/_projects_panel.html", context=village_panel))
    panels.register(Panel(name="compensation.scheme", page="project", order=10,
                          template="compensation/schemes/_projects_panel.html", context=project_panel))
