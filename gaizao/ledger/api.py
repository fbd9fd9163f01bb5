"""Ledger API: villages and households, scoped like the pages, numbers always masked."""

from __future__ import annotations

from ninja import Query, Router

from gaizao.ledger import selectors
from gaizao.ledger.schemas import (
    HouseholdDetailOut, HouseholdFilters, HouseholdPageOut, VillageDetailOut, VillageFilters, VillageOut,
)

router = Router(tags=["台账"])


@router.get("/villages", response=list[VillageOut], summary="城中村列表")
def village_list(request, filters: Query[VillageFilters]):
    return list(selectors.village_list(request.auth, **filters.selector_kwargs()))


@router.get("/villages/{village_id}", response=VillageDetailOut, summary="城中村详情")
def village_detail(request, village_id: int):
    user = request.auth
    village = selectors.village_get(user, pk=village_id)
    # household_count for the village itself: the stage summary already counts them.
    village.households_by_stage = selectors.household_stage_summary(user, village=village)
    village.household_count = sum(row["count"] for row in village.households_by_stage)
    village.project_rows = list(selectors.project_list(user, village=village))
    return village


@router.get("/households", response=HouseholdPageOut, summary="住户列表（按 id 翻页）")
def household_list(request, filters: Query[HouseholdFilters]):
    page = selectors.household_list(request.auth, **filters.selector_kwargs())
    return {"items": page.items, "next_after": page.next_after}


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="住户详情（含家庭成员和房屋）")
def household_detail(request, household_id: int):
    return selectors.household_get(request.auth, pk=household_id)
