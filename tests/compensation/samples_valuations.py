"""Valuations for the scope matrix and the valuations' tests: households of both streets surveyed and decided
(认定), each building valued, so each household stands at 评估."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gaizao.compensation.services import valuations as services
from gaizao.ledger import services as ledger_services
from gaizao.progress.choices import EventKind
from gaizao.progress.services.events import household_record_event


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def decide(cast, household, *, surveyed: int = 20, decided: int = 10) -> None:
    """Survey and decide a household (入户调查, 认定), as the office does."""
    household_record_event(actor=cast.admin, household=household, kind=EventKind.SURVEYED, on_date=days_ago(surveyed))
    household_record_event(actor=cast.admin, household=household, kind=EventKind.DECIDED, on_date=days_ago(decided))
    household.refresh_from_db()


def building_of(cast, household, number: str = "1", **values):
    existing = household.buildings.filter(number=number).first()
    if existing is not None:
        return existing
    return ledger_services.building_add(actor=cast.admin, household=household, number=number,
                                       legal_area=values.pop("legal_area", Decimal("100.00")),
                                       legality=values.pop("legality", "legal"), **values)


def value(cast, household, building, *, price: str = "5200", on: int = 5, **more):
    return services.valuation_record(actor=cast.admin, household=household, building=building,
                                     unit_price=Decimal(price), decoration=Decimal(more.pop("decoration", "30000")),
                                     valued_on=days_ago(on), valuer=more.pop("valuer", "云溪房地产估价有限公司"),
                                     appraiser=more.pop("appraiser", "刘估价"), report_no=more.pop("report_no", "YX-2026-001"),
                                     **more)


def valued_households(cast):
    """household_a1 (street A, the cadre's) and household_b1 (street B), decided and valued."""
    out = []
    for household in (cast.household_a1, cast.household_b1):
        building = building_of(cast, household)
        decide(cast, household)
        value(cast, household, building)
        household.refresh_from_db()
        out.append(household)
    return out


def _review(household) -> dict:
    return {"building_id": household.buildings.get(number="1").pk, "kind": "review", "unit_price": "5300",
            "decoration": "31000", "valued_on": timezone.localdate().isoformat(), "valuer": "矩阵复核估价所",
            "reason": "矩阵复核：单价调整"}


def _review_form(household) -> dict:
    body = _review(household)
    return {**{k: v for k, v in body.items() if k != "building_id"}, "building": body["building_id"]}


SAMPLES = {
    "compensation.valuation": valued_households,
}

BODIES = {
    "valuation_record_api": _review,
    "valuation_record_page": _review_form,
}
