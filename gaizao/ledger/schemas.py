"""API schemas of the ledgers. Citizen IDs and phone numbers leave the API masked, always."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger.choices import LandType, Legality, RenovationMode, Stage


class VillageFilters(Schema):
    street: int | None = Field(None, description="街道（组织机构 id）")
    mode: RenovationMode | None = Field(None, description="改造方式")
    batch: int | None = Field(None, ge=1, description="批次")
    year: int | None = Field(None, ge=2000, le=2100, description="计划年度")

    def selector_kwargs(self) -> dict:
        return {"street_id": self.street, "mode": self.mode or "", "batch": self.batch, "year": self.year}


class HouseholdFilters(Schema):
    q: str = Field("", max_length=50, description="户主姓名前缀、拼音首字母、户号前缀或 18 位身份证号")
    street: int | None = Field(None, description="街道 id")
    village: int | None = Field(None, description="城中村 id")
    project: int | None = Field(None, description="项目 id")
    stage: Stage | None = Field(None, description="阶段")
    land_type: LandType | None = Field(None, description="土地性质")
    legality: Legality | None = Field(None, description="有该认定结果房屋的住户")
    after: int | None = Field(None, ge=0, description="上一页返回的 next_after")

    def selector_kwargs(self) -> dict:
        return {
            "q": self.q, "street_id": self.street, "village_id": self.village, "project_id": self.project,
            "stage": self.stage or "", "land_type": self.land_type or "", "legality": self.legality or "",
            "after": self.after,
        }


class VillageOut(Schema):
    id: int
    code: str
    name: str
    street_id: int
    street_name: str = Field(..., alias="street.name")
    mode: str
    mode_label: str
    batch: int
    year: int
    land_area: Decimal
    household_count: int

    @staticmethod
    def resolve_mode_label(obj) -> str:
        return str(obj.get_mode_display())


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    phase: int
    decision_date: dt.date | None
    signing_start: dt.date | None
    signing_end: dt.date | None
    signing_threshold: Decimal
    household_count: int


class StageCountOut(Schema):
    stage: str
    label: str
    count: int

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj["label"])


class VillageDetailOut(VillageOut):
    community_name: str | None
    population: int
    notes: str
    projects: list[ProjectOut] = Field(..., alias="project_rows")
    households_by_stage: list[StageCountOut]

    @staticmethod
    def resolve_community_name(obj) -> str | None:
        return obj.community.name if obj.community_id else None


class HouseholdOut(Schema):
    id: int
    number: str
    head_name: str
    head_id_masked: str
    phone_masked: str
    street_id: int
    village_id: int
    village_name: str
    project_id: int
    stage: str
    stage_label: str
    land_type: str
    member_count: int
    legal_area_total: Decimal

    @staticmethod
    def resolve_head_id_masked(obj) -> str:
        return mask_citizen_id(obj.head_id_number)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return str(obj.get_stage_display())


class HouseholdPageOut(Schema):
    items: list[HouseholdOut]
    next_after: int | None


class PersonOut(Schema):
    id: int
    name: str
    id_masked: str
    relation: str
    relation_label: str
    hukou: str
    hukou_label: str

    @staticmethod
    def resolve_id_masked(obj) -> str:
        return mask_citizen_id(obj.id_number)

    @staticmethod
    def resolve_relation_label(obj) -> str:
        return str(obj.get_relation_display())

    @staticmethod
    def resolve_hukou_label(obj) -> str:
        return str(obj.get_hukou_display())


class BuildingOut(Schema):
    id: int
    number: str
    structure: str
    structure_label: str
    floors: int
    build_year: int | None
    certificate_no: str
    legal_area: Decimal
    unlicensed_area: Decimal
    legality: str
    legality_label: str
    use: str

    @staticmethod
    def resolve_structure_label(obj) -> str:
        return str(obj.get_structure_display())

    @staticmethod
    def resolve_legality_label(obj) -> str:
        return str(obj.get_legality_display())


class HouseholdDetailOut(HouseholdOut):
    address: str
    use: str
    project_name: str = Field(..., alias="project.name")
    cadre_name: str | None
    persons: list[PersonOut]
    buildings: list[BuildingOut]

    @staticmethod
    def resolve_cadre_name(obj) -> str | None:
        return str(obj.cadre) if obj.cadre_id else None

    @staticmethod
    def resolve_persons(obj) -> list:
        return list(obj.persons.all())

    @staticmethod
    def resolve_buildings(obj) -> list:
        return list(obj.buildings.all())
