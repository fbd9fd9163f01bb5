"""What the publicity area (公示) registers: the 公示 menu item in the 征收补偿 group, a panel listing the rounds on
the project page, and the audit labels of its writes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import Role

GROUP = "compensation"


def _project_panel(context, project) -> dict | None:
    from django.urls import reverse

    from gaizao.compensation.policies.publicity import publicity_project_scope
    from gaizao.compensation.selectors.publicity import project_rounds

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not publicity_project_scope(user).filter(pk=project.pk).exists():
        return None
    return {"rounds": project_rounds(project),
            "project_url": reverse("compensation:publicity_project", args=[project.pk])}


def register() -> None:
    from gaizao.compensation.services.publicity import ACTION_LABELS
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MENU_GROUPS, MenuItem, Panel, menu, panels

    register_action_labels(ACTION_LABELS)
    # the 征收补偿 drop-down: every area of compensation puts its items in it
    MENU_GROUPS.setdefault(GROUP, _("征收补偿"))
    menu.register(MenuItem(name="compensation.publicity", label=_("公示"), url_name="compensation:publicity_index",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=120, group=GROUP))
    panels.register(Panel(name="compensation.publicity", page="project", order=40,
                          template="compensation/publicity/_panel.html", context=_project_panel))
