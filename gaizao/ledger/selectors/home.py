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


def resident_home(user) -> dict | None:
    """The resident's own household on their home page (我家): where it stands and what comes next
    in words (``ledger.nextstep``), its areas in ㎡ (one household: never 万㎡). Two queries; None
    for everyone who reaches households otherwise than as their resident."""
    from gaizao.ledger.nextstep import resident_words

    households = household_grant(user)
    if not households.own or households.everywhere or households.unit_ids or households.assigned:
        return None
    household = (household_scope(user).select_related("village", "project", "cadre")
                 .annotate(legal=Sum("buildings__legal_area"), unlicensed=Sum("buildings__unlicensed_area"),
                           building_count=Count("buildings"))
                 .order_by("id").first())
    if household is None:
        return {"household": None}
    zero = Decimal("0.00")
    return {
        "household": household, "words": resident_words(household.stage, household.way),
        "legal_area": Decimal(household.legal or zero).quantize(Decimal("0.01")),
        "unlicensed_area": Decimal(household.unlicensed or zero).quantize(Decimal("0.01")),
        "cadre": household.cadre,
    }


def imports_waiting(user, *, limit: int = 5) -> dict | None:
    """The user's own ledger imports previewed but not yet confirmed (待确认的导入): one query; None
    when there are none (the card then does not show)."""
    from gaizao.ledger.importing.jobs import import_job_write_scope
    from gaizao.ledger.models import ImportJob

    if not household_grant(user, write=True):
        return None
    jobs = list(import_job_write_scope(user).filter(actor=user, status=ImportJob.Status.PREVIEWED)
                .select_related("project").order_by("-created_at")[:limit])
    return {"jobs": jobs} if jobs else None
