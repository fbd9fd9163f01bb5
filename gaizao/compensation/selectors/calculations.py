"""Reading schemes in force and households' calculations (补偿测算), a fixed number of queries each."""

from __future__ import annotations

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Calculation, Scheme


def scheme_in_force(project) -> Scheme | None:
    """The project's published scheme version (one query), or None before the first publication."""
    return Scheme.objects.filter(project=project, status=SchemeStatus.PUBLISHED).first()


def calculation_current(household, option: str | None = None) -> Calculation | None:
    """The household's latest current calculation (of ``option``, or of any option)."""
    rows = Calculation.objects.filter(household=household, current=True)
    if option:
        rows = rows.filter(option=option)
    return rows.select_related("scheme").order_by("-created_at", "-pk").first()


def calculations_for_project(project) -> dict[int, Calculation]:
    """Each household's latest current calculation in a project (one query)."""
    out: dict[int, Calculation] = {}
    rows = (Calculation.objects.filter(household__project=project, current=True)
            .select_related("scheme").order_by("household_id", "created_at", "pk"))
    for row in rows:
        out[row.household_id] = row  # the latest wins
    return out
