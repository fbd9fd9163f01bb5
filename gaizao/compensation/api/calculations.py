"""The calculations API (补偿测算): a household's current calculations with every line item (formula, inputs,
amount, rows per building), calculating a household or a whole project, and a project's list a page at a time.
Same services as the pages; the resident reads only their own household's."""

from __future__ import annotations

from ninja import Query, Router

from gaizao.compensation.api.scheme_schemas import (CalculateIn, CalculationOut, HouseholdCalculationOut,
                                                    ProjectCalculateIn, ProjectCalculateOut, ProjectCalculationsOut)
from gaizao.compensation.models import Calculation
from gaizao.compensation.policies.schemes import calculation_household_scope, calculation_project_scope
from gaizao.compensation.selectors import calculation_pages as selectors
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Cursor, Id
from gaizao.core.scoping import get_in_scope

router = Router(tags=["补偿测算"])
ERRORS = {400: dict, 404: dict, 409: dict}
PAGE_MAX = 500


def _calc(calc: Calculation) -> dict:
    return {"id": calc.pk, "household_id": calc.household_id, "scheme_id": calc.scheme_id,
            "scheme_number": calc.scheme.number, "option": calc.option, "items": calc.items,
            "total": format(calc.total, "f"),
            "swap_area": None if calc.swap_area is None else format(calc.swap_area, "f"),
            "digest": calc.digest, "created_at": calc.created_at}


def _household_out(household) -> dict:
    calcs = list(Calculation.objects.filter(household=household, current=True).select_related("scheme")
                 .order_by("-created_at", "-pk"))
    return {"household_id": household.pk, "number": household.number,
            "current": _calc(calcs[0]) if calcs else None, "options": [_calc(c) for c in calcs]}


@router.get("/households/{household_id}/calculation", response=HouseholdCalculationOut,
            summary="住户的补偿测算（每项的公式、取值和金额）")
def household_calculation(request, household_id: Id):
    return _household_out(get_in_scope(calculation_household_scope(request.auth), pk=household_id))


@router.post("/households/{household_id}/calculate", response={200: CalculationOut, **ERRORS},
             summary="按现行方案测算一户")
def household_calculate(request, household_id: Id, payload: CalculateIn):
    from gaizao.compensation.services.calculations import household_calculate as calculate

    household = get_in_scope(calculation_household_scope(request.auth, write=True).select_related("project"),
                             pk=household_id)
    option = payload.option.value if payload.option else selectors.last_option(household)
    calc = calculate(actor=request.auth, household=household, option=option, ip=_ip(request))
    return _calc(Calculation.objects.select_related("scheme").get(pk=calc.pk))


@router.post("/projects/{project_id}/calculate", response={200: ProjectCalculateOut, **ERRORS},
             summary="按现行方案测算项目的全部住户")
def project_calculate(request, project_id: Id, payload: ProjectCalculateIn):
    from gaizao.compensation.services.calculations import project_calculate as calculate

    project = get_in_scope(calculation_project_scope(request.auth, write=True), pk=project_id)
    option = payload.option.value if payload.option else None
    return calculate(actor=request.auth, project=project, option=option, ip=_ip(request))


@router.get("/projects/{project_id}/calculations", response=ProjectCalculationsOut,
            summary="项目各户的最新测算（按住户 id 翻页：after=上一页的 next_after）")
def project_calculations(request, project_id: Id, after: Cursor | None = None,
                         limit: int = Query(100, ge=1, le=PAGE_MAX)):
    project = get_in_scope(calculation_project_scope(request.auth), pk=project_id)
    page = selectors.project_calculation_page(request.auth, project, after=after or None,
                                              limit=limit)
    scheme = selectors.scheme_in_force(project)
    items = [{"household_id": row["pk"], "number": row["number"], "head_name": row["head_name"],
              "calculations": [{"option": c["option"], "total": format(c["total"], "f"),
                                "swap_area": None if c["swap_area"] is None else format(c["swap_area"], "f"),
                                "scheme_number": c["scheme__number"], "created_at": c["created_at"].isoformat()}
                               for c in row["calculations"]]} for row in page.items]
    return {"project_id": project.pk, "code": project.code, "scheme_id": scheme.pk if scheme else None,
            "items": items, "next_after": page.next_after}
