"""What progress adds to the pages and writes below it (registered in ProgressConfig.ready()).

Progress sits above the ledger: it never asks the ledger to call it by name. It connects to the
ledger's one write hook to keep its rollups, and registers its menu items, its home card and its
panels on the household and village pages (docs/architecture.md, "Registries").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.core.registry import TODO, HomeCard, MenuItem, Panel, home_cards, menu, panels
from gaizao.org.choices import Role

DASHBOARD_ROLES = (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET)


def on_households_changed(*, change) -> None:
    """Rollups follow the ledger: new households enter their scope, changed ones are recounted."""
    from gaizao.progress import rollups

    if change.created:
        if change.created_in is not None and change.created_area is not None:
            # The import's fast path: new households without events in one project, total known.
            rollups.scope_added_or_read(project=change.created_in, household_ids=change.created,
                                        area_centi=rollups.centi(change.created_area))
        else:
            rollups.households_added(change.created)
    if change.changed:
        rollups.household_areas_changed(change.changed, flipped=change.flipped)


def _home_progress(user):
    from gaizao.progress.selectors.dashboard import home_progress

    progress = home_progress(user)
    return None if progress is None else {"progress": progress}


def _todo(kind):
    def context(user):
        from gaizao.progress.selectors import home

        todo = getattr(home, f"{kind}_todo")(user)
        return None if todo is None else {"todo": todo, "kind": kind}

    return context


def _household_progress(context, household):
    from gaizao.progress.templatetags.progress_events import household_progress

    return household_progress(context, household)


def _household_hard_case(context, household):
    from gaizao.progress.templatetags.progress_hardcases import household_hard_case

    return household_hard_case(context, household)


def _household_legal(context, household):
    from gaizao.progress.templatetags.progress_legal import household_legal

    return household_legal(context, household)


LEGAL_ACTION_LABELS = {
    "legal.open": _("补偿决定程序：作出决定"),
    "legal.step": _("补偿决定程序：登记步骤"),
    "legal.end": _("补偿决定程序：结束"),
}


def _village_progress(context, village):
    from gaizao.progress.templatetags.progress_dashboard import village_progress

    return village_progress(context, village)


def _village_completion(context, village):
    from gaizao.progress.completion import village_completion

    return {"completion": village_completion(village), "mode": village.get_mode_display()}


def refuse_signing_after_failed_consultation(*, project, signing_start) -> None:
    """The ledger's signing-period gate: a project whose latest 意愿征询 failed cannot open it."""
    from gaizao.core.errors import AppError
    from gaizao.progress.consent import signing_gate

    refusal = signing_gate(project=project)
    if refusal:
        raise AppError(refusal, fields={"signing_start": refusal})  # the page shows it beside the field


def _last_visit() -> dict:
    """最近走访 on the household list's phone cards: the hard case's last visit, in the list's own query."""
    from django.db.models import OuterRef, Subquery

    from gaizao.progress.models import HardCase

    return {"last_visit_on": Subquery(HardCase.objects.filter(household=OuterRef("pk")).values("last_visit_on")[:1])}


def register() -> None:
    from gaizao.ledger.hooks import households_changed, project_signing_opens
    from gaizao.ledger.listing import ListFact, household_list_facts

    household_list_facts.register(ListFact(name="progress.last_visit", label=_("最近走访"), annotate=_last_visit))

    from gaizao.core.audit import register_action_labels
    from gaizao.progress.signing import ACTION_LABELS as SIGNING_ACTION_LABELS

    register_action_labels(SIGNING_ACTION_LABELS)
    households_changed.connect(on_households_changed, name="progress.rollups", order=10)
    project_signing_opens.connect(refuse_signing_after_failed_consultation, name="progress.consent_gate")
    for item in (
        MenuItem(name="progress.dashboard", label=_("作战图"), url_name="progress:dashboard",
                 roles=DASHBOARD_ROLES, order=20),
        MenuItem(name="progress.table", label=_("进度表"), url_name="progress:table",
                 roles=DASHBOARD_ROLES, order=30, group="progress"),
        MenuItem(name="progress.bulk_record", label=_("批量记录进度"), url_name="progress:bulk_record",
                 roles=(Role.ADMIN, Role.COMMANDER, Role.STREET), order=60, group="progress"),
        MenuItem(name="progress.hardcases", label=_("攻坚户"), url_name="progress:hardcase_list",
                 roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE), order=70, group="progress"),
        MenuItem(name="progress.legal", label=_("补偿决定程序"), url_name="progress:legal_list",
                 roles=(Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE), order=75, group="progress"),
    ):
        menu.register(item)
    # Those who see the dashboard get its rollup figures on the home page instead of the ledger's
    # counts (no count over households, persons or buildings): the same slot, asked first.
    home_cards.register(HomeCard(name="progress.figures", template="progress/dashboard/_home_card.html",
                                 context=_home_progress, order=10, slot="figures"))
    # What waits for the cadre, the street and the office (待办), before every figure.
    for order, kind in enumerate(("cadre", "street", "office"), start=1):
        home_cards.register(HomeCard(name=f"progress.todo_{kind}", template="progress/home/_todo.html",
                                     context=_todo(kind), order=order, section=TODO))
    panels.register(Panel(name="progress.events", page="household", order=10,
                          template="progress/events/household_progress.html", context=_household_progress))
    panels.register(Panel(name="progress.hardcase", page="household", order=20,
                          template="progress/hardcases/_household_card.html", context=_household_hard_case))
    panels.register(Panel(name="progress.legal", page="household", order=25,
                          template="progress/legal/_household_card.html", context=_household_legal))
    from gaizao.core.audit import register_action_labels

    register_action_labels(LEGAL_ACTION_LABELS)
    panels.register(Panel(name="progress.village", page="village", order=10,
                          template="progress/dashboard/_village_progress.html", context=_village_progress))
    panels.register(Panel(name="progress.completion", page="village", order=15,
                          template="progress/modes/_village_completion.html", context=_village_completion))
