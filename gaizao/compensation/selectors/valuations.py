"""Reading valuations (评估结果): the list in reach, one household's buildings with the valuation in force
and the history, one valuation, and the valuations in force for many households at once (the
calculator's facts). Each a fixed number of queries, whatever the data size; out of reach is 404."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gaizao.compensation.models import Valuation
from gaizao.compensation.policies.valuations import valuation_household_scope, valuation_scope
from gaizao.core.errors import NotFound
from gaizao.ledger.choices import Disposition
from gaizao.ledger.models import Building, Household

LIST_LIMIT = 500


def valuation_list(user, *, project_id: int | None = None, household_id: int | None = None,
                   current_only: bool = True, limit: int = LIST_LIMIT) -> list[Valuation]:
    """The valuations the user reads (in force only, unless ``current_only=False``), newest first, with
    their household, project and building (one query, plus the user's units)."""
    qs = valuation_scope(user).select_related("household", "household__project", "building", "replaces")
    if current_only:
        qs = qs.filter(in_force=True)
    if project_id:
        qs = qs.filter(household__project_id=project_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return list(qs.order_by("household__project__code", "household__number", "building__number", "-id")[:limit])


def valuation_get(user, pk) -> Valuation:
    found = valuation_scope(user).select_related("household", "household__project", "building", "replaces").filter(
        pk=pk).first()
    if found is None:
        raise NotFound(_("评估结果不存在或无权查看。"))
    return found


def valuation_household_get(user, pk, *, write: bool = False) -> Household:
    """A household whose valuations the user reads (or records), with its project; else the one 404."""
    found = valuation_household_scope(user, write=write).select_related("project").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("住户不存在或无权查看。"))
    return found


@dataclass
class BuildingValuations:
    """One building of a household with its valuation in force (None: not valued yet) and its history
    (the valuations out of force, newest first)."""

    building: Building
    in_force: Valuation | None = None
    history: list[Valuation] = field(default_factory=list)

    @property
    def taken(self) -> bool:
        """To be demolished (拆除): valued; a kept building (保留) is not."""
        return self.building.disposition == Disposition.DEMOLISH


def household_valuations(household: Household) -> list[BuildingValuations]:
    """The household's buildings, each with its valuation in force and its history (two queries)."""
    rows = {b.pk: BuildingValuations(building=b) for b in Building.objects.filter(household=household)
            .order_by("number")}
    for valuation in Valuation.objects.filter(household=household).select_related("created_by").order_by("-id"):
        row = rows.get(valuation.building_id)
        if row is None:
            continue
        if valuation.in_force:
            row.in_force = valuation
        else:
            row.history.append(valuation)
    return list(rows.values())


def valuations_complete(rows: list[BuildingValuations]) -> bool:
    """Every building to be demolished has a valuation in force (what the 评估 stage waits for)."""
    taken = [row for row in rows if row.taken]
    return bool(taken) and all(row.in_force is not None for row in taken)


def valuations_in_force(household_ids) -> dict[int, Valuation]:
    """The valuation in force of every building of these households, by building id (one query per 900
    households): what the calculator's facts read as ``unit_price`` and ``decoration``."""
    ids = list(household_ids)
    out: dict[int, Valuation] = {}
    for start in range(0, len(ids), 900):
        for valuation in Valuation.objects.filter(household_id__in=ids[start:start + 900], in_force=True):
            out[valuation.building_id] = valuation
    return out


def valuation_projects(user) -> QuerySet:
    """The projects whose valuations the user records (the import's choice), by code."""
    from gaizao.ledger.models import Project

    ids = valuation_household_scope(user, write=True).values("project_id")
    return Project.objects.filter(pk__in=ids).order_by("code")


def valuation_read_projects(user) -> QuerySet:
    """The projects the user reads valuations of (the list's filter, the template's rows)."""
    from gaizao.ledger.models import Project

    return Project.objects.filter(pk__in=valuation_household_scope(user).values("project_id")).order_by("code")


__all__ = [
    "BuildingValuations", "household_valuations", "valuation_get", "valuation_household_get", "valuation_list",
    "valuation_projects", "valuation_read_projects", "valuations_complete", "valuations_in_force",
]
