"""What the change requests after 公示 add to the registries: the ledger's gate on compensation inputs, the audit
labels, the household page's panel of change requests and the office's list of requests waiting for approval."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import Role


def refuse_inputs_change_after_publicity(*, change) -> None:
    """The ledger's gate (``ledger.hooks.household_inputs_change``): after a project's compensation 公示, an input of a
    household's compensation changes only through an approved change request (one query on Publicity by project)."""
    from gaizao.compensation.services.changes import guard_inputs

    guard_inputs(change.household_ids, what=change.what, project_ids=change.project_ids)


def _household_changes(context, household):
    from gaizao.compensation.selectors.changes import household_changes_panel

    return household_changes_panel(context.get("request"), household)


def register() -> None:
    from gaizao.compensation.services.changes import ACTION_LABELS
    from gaizao.core.audit import register_action_labels
    from gaizao.core.registry import MenuItem, Panel, menu, panels
    from gaizao.ledger.hooks import household_inputs_change

    register_action_labels(ACTION_LABELS)
    household_inputs_change.connect(refuse_inputs_change_after_publicity, name="compensation.changes_gate")
    panels.register(Panel(name="compensation.changes", page="household", order=60,
                          template="compensation/changes/_household_panel.html", context=_household_changes))
    menu.register(MenuItem(name="compensation.changes", label=_("补偿变更审核"), url_name="compensation:change_list",
                           roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET), order=86,
                           group="compensation"))
