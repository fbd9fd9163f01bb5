"""The hard-case card on the household page (攻坚户): ``{% household_hard_case household %}``.

An open case shows its difficulty, strategy, cadre, last and next visit and the overdue badge,
with a link to the case. Otherwise, to those who may write, an unsigned household gets the
「列为攻坚户」 button. One query (the case) for those who read hard cases; none for others
(a resident never sees the strategy worked out for their own household).
"""

from __future__ import annotations

from django import template

from gaizao.ledger.selectors import household_can_write
from gaizao.progress.selectors import case_status, hardcase_of_household
from gaizao.progress.services.hardcases import open_refusal

register = template.Library()


@register.inclusion_tag("progress/hardcases/_household_card.html", takes_context=True)
def household_hard_case(context, household):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    case = hardcase_of_household(user, household)
    may_write = household_can_write(user, household)
    open_case = case if case is not None and case.closed_on is None else None
    can_open = open_case is None and may_write and open_refusal(household) is None
    return {
        "show": open_case is not None or can_open or case is not None,
        "household": household,
        "case": open_case,
        "closed_case": case if case is not None and case.closed_on is not None else None,
        "status": case_status(open_case) if open_case is not None else None,
        "can_open": can_open,
    }
