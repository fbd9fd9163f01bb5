"""The ledger's figures on the home page (工作台). Every figure goes through the ledger's scope functions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gaizao.ledger.selectors import (
    building_scope, household_scope, person_scope, project_scope, street_list, village_scope,
)
from gaizao.ledger.policies import household_grant, village_grant
TEN_THOUSAND = Decimal("10000")


def to_wan(square_metres: Decimal | None) -> Decimal:
    """Square metres as 万平方米, two places (summaries show areas in 万)."""
    value = Decimal(square_metres or 0) / TEN_THOUSAND
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def home_summary(user) -> dict:
    """The figures on a user's home page, from scoped querysets (a fixed number of queries)."""
    summary = {
        "has_ledger": False, "shows_villages": False,
        "villages": 0, "projects": 0, "households": 0, "persons": 0, "buildings": 0,
        "legal_area": Decimal("0.00"), "unlicensed_area": Decimal("0.00"),
        "legal_area_m2": Decimal("0"), "unlicensed_area_m2": Decimal("0"),
        "households_by_street": [],
    }
    # Those who read households have ledger figures; the others (department, auditor, security)
    # get their own figures from their own apps.
    households = household_grant(user)
    if not households:
        return summary
    shows_villages = bool(village_grant(user))
    areas = building_scope(user).aggregate(
        count=Count("id"), legal=Sum("legal_area"), unlicensed=Sum("unlicensed_area"),
    )
    summary.update({
        "has_ledger": True,
        "shows_villages": shows_villages,
        "villages": village_scope(user).count() if shows_villages else 0,
        "projects": project_scope(user).count() if shows_villages else 0,
        "households": household_scope(user).count(),
        "persons": person_scope(user).count(),
        "buildings": areas["count"] or 0,
        "legal_area": to_wan(areas["legal"]),
        "unlicensed_area": to_wan(areas["unlicensed"]),
        "legal_area_m2": Decimal(areas["legal"] or 0).quantize(Decimal("0.01")),
        "unlicensed_area_m2": Decimal(areas["unlicensed"] or 0).quantize(Decimal("0.01")),
    })
    if households.everywhere:
        summary["households_by_street"] = households_by_street_summary(user)
    return summary


def households_by_street_summary(user) -> list[dict]:
    """Households per street (every street, in the order of the org tree), with its share.

    One row per street with a scoped count subquery: each count reads the (street, id) index
    instead of grouping the whole household table.
    """
    per_street = (
        household_scope(user).filter(street_id=OuterRef("pk")).order_by().values("street_id")
        .annotate(n=Count("id")).values("n")
    )
    rows = list(
        street_list(user).annotate(count=Coalesce(Subquery(per_street, output_field=IntegerField()), Value(0)))
        .values("id", "name", "count")
    )
    total = sum(row["count"] for row in rows)
    return [
        {
            "street_id": row["id"], "name": row["name"], "count": row["count"],
            "percent": round(row["count"] * 100 / total) if total else 0,
        }
        for row in rows
    ]
