"""What the agreements area registers: its audit labels, the 补偿协议 panel on the household page, and the
links to each project's register of agreements on the village page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PANEL = "compensation.agreements"


def household_panel(context, household) -> dict | None:
    """The household's agreement: the live one with its DOCX, the signature form and the generate form for
    those who write; the resident reads their own. Two queries for a writer (the agreements, the current
    calculation), one once the agreement is signed and for a reader, none for those who do not read agreements."""
    from gaizao.compensation.agreement_doc import money
    from gaizao.compensation.choices import AgreementStatus
    from gaizao.compensation.forms.agreements import AgreementGenerateForm, AgreementSignForm
    from gaizao.compensation.policies.agreements import agreement_can_read, agreement_can_write
    from gaizao.compensation.selectors.agreements import calculation_for, household_agreements
    from gaizao.core.registry import panel_sent_back

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not agreement_can_read(user, household):
        return None
    agreements = household_agreements(household)
    live = next((a for a in agreements if a.status != AgreementStatus.VOID), None)
    may_write = agreement_can_write(user, household)
    signed = live is not None and live.status == AgreementStatus.SIGNED
    draft = live is not None and live.status == AgreementStatus.DRAFT
    # The current calculation: what a writer generates from (and a draft is checked against); not asked once the
    # agreement is signed, nor for a reader (the calculation has a panel of its own).
    calculation = calculation_for(household) if may_write and not signed else None
    sent = panel_sent_back(context, PANEL)
    return {
        "show": True,
        "household": household,
        "live": live,
        "voided": sum(1 for a in agreements if a.status == AgreementStatus.VOID),
        "calculation": calculation,
        "stale": draft and calculation is not None and calculation.pk != live.calculation_id
        and calculation.option == live.option,
        "generate_form": (sent.get("generate_form") or AgreementGenerateForm()) if may_write and not signed
        and calculation is not None else None,
        "sign_form": AgreementSignForm(prefix="sign", initial={"version": live.version}) if may_write and draft
        else None,
        "signed_note": signed,
        "total": money(live.total) if live is not None else "",
        "calculation_total": money(calculation.total) if calculation is not None else "",
        "may_write": may_write,
    }


def village_panel(context, village) -> dict | None:
    """Each project's register of agreements (签约顺序), for those who read it; no query (the page's projects)."""
    from gaizao.compensation.policies.agreements import register_can_read

    request = context.get("request")
    user = getattr(request, "user", None)
    projects = context.get("projects") or []
    if user is None or not user.is_authenticated or not projects:
        return None
    projects = [p for p in projects if p.village_id == village.pk]
    for p in projects:
        p.village = village  # the page's village: the place is read without a query
    readable = [p for p in projects if register_can_read(user, p)]
    return {"projects": readable} if readable else None


def register() -> None:
    from gaizao.compensation.services.agreements import ACTION_LABELS
    from gaizao.core.audit import register_action_labels
    from gaizao.compensation.policies.agreements import REGISTER_ROWS
    from gaizao.core.registry import MENU_GROUPS, MenuItem, Panel, menu, panels

    register_action_labels(ACTION_LABELS)
    MENU_GROUPS.setdefault("compensation", _("征收补偿"))
    menu.register(MenuItem(name="compensation.agreements", label=_("补偿协议"), url_name="compensation:agreement_index",
                           roles=tuple(REGISTER_ROWS), order=140, group="compensation"))
    panels.register(Panel(name=PANEL, page="household", order=40,
                          template="compensation/agreements/_household_panel.html", context=household_panel))
    panels.register(Panel(name="compensation.agreement_register", page="village", order=40,
                          template="compensation/agreements/_village_panel.html", context=village_panel))
