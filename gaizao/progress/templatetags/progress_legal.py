"""The legal-path panel on the household page (补偿决定的法定程序): ``{% household_legal household %}``.

Shown when the household has a case the user reads: its steps, the windows counted from service
with their last days and days left, what may be recorded today, and to those who may write, the
form to record the next step. Two queries (the case, its steps), only for a household under a
补偿决定 (``decision_on``); none for the others.
"""

from __future__ import annotations

from django import template

from gaizao.core.registry import panel_sent_back
from gaizao.progress.forms.legal import LegalStepForm
from gaizao.progress.selectors.legal import case_view, legalcase_of_household

register = template.Library()

PANEL = "progress.legal"


@register.inclusion_tag("progress/legal/_household_card.html", takes_context=True)
def household_legal(context, household):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or context.get("own"):
        return {"show": False}
    if not household.decision_on:  # a case opens with a 补偿决定: most households cost no query
        return {"show": False}
    case = legalcase_of_household(user, household)
    if case is None:
        return {"show": False}
    view = case_view(user, case)
    form = None
    if view.can_write:
        form = panel_sent_back(context, PANEL).get("form") or LegalStepForm(
            allowed=[k for k, _l in view.allowed], initial={"version": case.version})
        if form.is_bound:  # sent back with its error: the offered steps are today's
            form.fields["kind"].widget.choices = [
                c for c in form.fields["kind"].choices if c[0] in {k for k, _l in view.allowed} | {form.data.get("kind")}]
    return {"show": True, "view": view, "case": case, "form": form, "household": household}
