"""Agreements (补偿协议) for the scope matrix, and the calculations the agreements' tests start from.

A calculation is written here as the calculator stores it (``Calculation.items``: the line items with their
formulas, inputs and amounts), under a published scheme row: the agreements read calculations, they do not
compute them.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from gaizao.compensation.choices import Option, SchemeStatus
from gaizao.compensation.models import Calculation, Scheme
from gaizao.core.actors import SYSTEM

ITEMS = [
    {"key": "building_value", "label": "房屋价值补偿", "kind": "money", "unit": "元",
     "formula": "legal_area * unit_price + decoration",
     "inputs": {"legal_area": "120.50", "unit_price": "5200", "decoration": "30000"}, "amount": "656600.00",
     "buildings": [{"number": "1", "amount": "656600.00"}]},
    {"key": "relocation", "label": "搬迁费", "kind": "money", "unit": "元", "formula": "legal_total * relocation_rate",
     "inputs": {"legal_total": "120.50", "relocation_rate": "10"}, "amount": "1205.00", "buildings": None},
    {"key": "transition", "label": "临时安置费", "kind": "money", "unit": "元",
     "formula": "legal_total * transition_rate * transition_months",
     "inputs": {"legal_total": "120.50", "transition_rate": "12", "transition_months": "24"}, "amount": "34704.00",
     "buildings": None},
    {"key": "registration_reward", "label": "按期登记奖励", "kind": "money", "unit": "元",
     "formula": "registration_reward", "inputs": {"registration_reward": "2000"}, "amount": "2000.00",
     "buildings": None},
    {"key": "swap_area", "label": "产权调换面积", "kind": "area", "unit": "㎡", "formula": "max(persons * 30, legal_total)",
     "inputs": {"persons": "3", "legal_total": "120.50"}, "amount": "120.50", "buildings": None},
]
TOTAL = Decimal("694509.00")
SCHEME_TEXT = '[scheme]\nname = "东湖村城中村改造项目征收补偿方案"\n'


def scheme_for(project) -> Scheme:
    """The project's published scheme (a row as the schemes area stores it)."""
    found = Scheme.objects.filter(project=project, status=SchemeStatus.PUBLISHED).first()
    if found is not None:
        return found
    number = Scheme.objects.filter(project=project).count() + 1
    return Scheme.objects.create(project=project, number=number, name="东湖村城中村改造项目征收补偿方案",
                                 text=SCHEME_TEXT, status=SchemeStatus.PUBLISHED, digest="0" * 64)


def calculation(household, *, option: str = Option.MONEY, total: Decimal = TOTAL, items=None,
                swap_area: Decimal | None = Decimal("120.50")) -> Calculation:
    """A current calculation of the household for ``option`` (the one before it of that option goes out of date)."""
    Calculation.objects.filter(household=household, option=option, current=True).update(current=False)
    lines = copy.deepcopy(ITEMS if items is None else items)
    return Calculation.objects.create(
        household=household, scheme=scheme_for(household.project), option=option,
        facts={"persons": "3", "buildings": "1"}, items=lines, total=total,
        swap_area=swap_area if option != Option.MONEY else None, digest="1" * 64, current=True)


def _agreements(cast):
    from gaizao.compensation.services.agreements import agreement_generate

    out = []
    for household in (cast.household_a1, cast.household_a2, cast.household_b1):
        calculation(household)
        out.append(agreement_generate(actor=SYSTEM, household=household))
    return out


def _tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=3)).isoformat()


SAMPLES = {
    "compensation.agreement": _agreements,
    "compensation.agreement_register": lambda cast: [cast.project_a, cast.project_b],
}
# In scope, each write is refused for its input (a signing date in the future, a stale version) or written.
BODIES = {
    "compensation_agreement_edit_page": lambda a: {"step": "edit", "edit-version": a.version + 5,
                                                   "edit-payment_terms": "协议生效之日起10日内支付。",
                                                   "edit-move_deadline": _tomorrow(),
                                                   "edit-transition_months": 0},
    "compensation_agreement_update_api": lambda a: {"version": a.version + 5, "payment_terms": "10日内支付。"},
    "compensation_agreement_sign_api": lambda a: {"signed_on": _tomorrow()},
    "compensation_agreement_generate_page": lambda a: {"transition_months": 0},
    "compensation_agreement_generate_api": lambda a: {"transition_months": 0},
}
