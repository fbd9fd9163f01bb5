"""API schemas of the ledgers. Citizen IDs and phone numbers leave the API masked, always.

Inputs keep choices as plain strings and numbers loose, so that the services check them and answer
400 with the field named; a value of the wrong type (text for a date), or a number its column cannot
hold (``core.schemas``), is refused earlier with 422.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.schemas import Cursor, Id, PositiveInt32, PositiveSmallInt, Version
from gaizao.ledger.choices import LandType, Legality, RenovationMode, Stage


class VillageFilters(Schema):
    street: Id | None = Field(None, description="街道（组织机构 id）")
    mode: RenovationMode | None = Field(None, description="改造方式")
    batch: PositiveSmallInt | None = Field(None, ge=1, description="批次")
    year: int | None = Field(None, ge=2000, le=2100, description="计划年度")

    def selector_kwargs(self) -> dict:
        return {"street_id": self.street, "mode": self.mode or "", "batch": self.batch, "year": self.year}


class HouseholdFilters(Schema):
    q: str = Field("", max_length=50, description="户主姓名前缀、拼音首字母、户号前缀或 18 位身份证号")
    street: Id | None = Field(None, description="街道 id")
    village: Id | None = Field(None, description="城中村 id")
    project: Id | None = Field(None, description="项目 id")
    stage: Stage | None = Field(None, description="阶段")
    land_type: LandType | None = Field(None, description="土地性质")
    legality: Legality | None = Field(None, description="有该认定结果房屋的住户")
    after: Cursor | None = Field(None, description="上一页返回的 next_after")

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
    version: int
    code: str
    name: str
    phase: int
    decision_date: dt.date | None
    signing_start: dt.date | None
    signing_end: dt.date | None
    signing_threshold: Decimal
    consultation_threshold: Decimal
    land_type: str = Field(..., description="征收土地性质：state / collective")
    household_count: int


class StageCountOut(Schema):
    stage: str
    label: str
    count: int

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj["label"])


class HeritageOut(Schema):
    id: int
    version: int
    village_id: int
    building_id: int | None
    kind: str
    kind_label: str
    name: str
    protection_level: str
    protection_level_label: str
    location: str
    notes: str
    photo_url: str | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_protection_level_label(obj) -> str:
        return str(obj.get_protection_level_display())

    @staticmethod
    def resolve_photo_url(obj) -> str | None:
        return reverse("api:heritage_photo", args=[obj.pk]) if obj.photo else None


class VillageDetailOut(VillageOut):
    version: int
    community_id: int | None
    community_name: str | None
    population: int
    notes: str
    boundary: dict[str, Any] | None
    projects: list[ProjectOut] = Field(..., alias="project_rows")
    households_by_stage: list[StageCountOut]
    heritage: list[HeritageOut] = Field(..., alias="heritage_rows")

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
    version: int
    household_id: int
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
    version: int
    household_id: int
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
    demolished_on: dt.date | None
    has_heritage: bool = Field(False, description="房屋登记有历史文化要素（拆除须特批）")

    @staticmethod
    def resolve_has_heritage(obj) -> bool:
        return bool(getattr(obj, "has_heritage", False))

    @staticmethod
    def resolve_structure_label(obj) -> str:
        return str(obj.get_structure_display())

    @staticmethod
    def resolve_legality_label(obj) -> str:
        return str(obj.get_legality_display())


class HouseholdDetailOut(HouseholdOut):
    version: int
    cadre_id: int | None
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



class ProjectDetailOut(ProjectOut):
    village_id: int
    village_name: str = Field(..., alias="village.name")
    scope: str


# --- inputs ---------------------------------------------------------------------------------------
# A PATCH names only what changes, with the ``version`` it read (a stale one answers 409).

class VillagePatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    code: str | None = None
    name: str | None = None
    community_id: Id | None = Field(None, description="社区（组织机构 id），须在该村所在街道下")
    mode: str | None = Field(None, description="改造方式：demolish_rebuild / upgrade / mixed")
    batch: PositiveSmallInt | None = None
    year: PositiveSmallInt | None = None
    land_area: Decimal | None = Field(None, description="用地面积（㎡），≥ 0，两位小数")
    population: PositiveInt32 | None = None
    notes: str | None = None
    boundary: dict[str, Any] | str | None = Field(None, description="GeoJSON Polygon 或 MultiPolygon（[经度, 纬度]）")


class VillageIn(VillagePatch):
    street_id: Id = Field(..., description="街道（组织机构 id）")
    code: str
    name: str
    mode: str
    year: PositiveSmallInt


class ProjectPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    code: str | None = None
    name: str | None = None
    phase: PositiveSmallInt | None = None
    scope: str | None = None
    decision_date: dt.date | None = None
    signing_start: dt.date | None = None
    signing_end: dt.date | None = None
    signing_threshold: Decimal | None = Field(None, description="协议生效签约比例（%），0–100")
    consultation_threshold: Decimal | None = Field(
        None, description="意愿征询通过比例（%），0–100；最近一轮征询未通过的项目不能开始签约期")
    land_type: str | None = Field(None, description="征收土地性质：state（国有土地，补偿决定）/ collective（集体土地，责令交出土地）")
    signing_reason: str | None = Field(
        None, description="签约开始后修改签约期或协议生效比例的理由（10–500 字，仅领导小组办公室）；签约期届满后不能修改")


class ProjectIn(ProjectPatch):
    village_id: Id
    code: str
    name: str


class HouseholdPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    number: str | None = None
    head_name: str | None = None
    head_id_number: str | None = Field(
        None, description="户主身份证号（或港澳台居民居住证号码：810000、820000、830000 开头）；"
                          "原样回传脱敏值表示不改，空串表示删除")
    phone: str | None = Field(
        None, description="联系电话：手机号（13812345678），或带区号的固定电话（020-12345678，可带分机 020-12345678-801），"
                          "保存为这两种写法；原样回传脱敏值表示不改")
    address: str | None = None
    land_type: str | None = None
    use: str | None = None
    member_count: PositiveSmallInt | None = None
    cadre_id: Id | None = Field(None, description="包户干部（用户 id），null 表示不指派")


class HouseholdIn(HouseholdPatch):
    project_id: Id
    number: str
    head_name: str


class PersonPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    name: str | None = None
    id_number: str | None = Field(None, description="身份证号（或港澳台居民居住证号码）；原样回传脱敏值表示不改")
    relation: str | None = None
    hukou: str | None = None


class PersonIn(PersonPatch):
    name: str
    relation: str


class BuildingPatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    number: str | None = None
    structure: str | None = None
    floors: PositiveSmallInt | None = None
    build_year: PositiveSmallInt | None = None
    certificate_no: str | None = None
    legal_area: Decimal | None = Field(None, description="合法面积（㎡），≥ 0，两位小数")
    unlicensed_area: Decimal | None = Field(None, description="无证面积（㎡），≥ 0，两位小数")
    legality: str | None = None
    use: str | None = None


class BuildingIn(BuildingPatch):
    number: str


class DemolishIn(Schema):
    on_date: dt.date = Field(..., description="拆除日期（不晚于今天，北京时间）")
    heritage_override_reason: str = Field("", max_length=500, description=(
        "房屋登记有历史文化要素时必填：10–500 字，只有区指挥部（领导小组办公室）或系统管理员可以填写，记入审计日志"))
    version: Version | None = Field(None, description="读取时返回的版本号（可选；给出时检查是否已被他人修改）")


class HeritagePatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    building_id: Id | None = Field(None, description="所在房屋 id（须在本村），null 表示不在房屋上")
    kind: str | None = None
    name: str | None = None
    protection_level: str | None = None
    location: str | None = None
    notes: str | None = None
    remove_photo: bool = Field(False, description="删除现有照片（上传照片用 POST …/photo）")


class HeritageIn(HeritagePatch):
    village_id: Id
    kind: str
    name: str


class ResidentLinkIn(Schema):
    resident: str = Field("", max_length=150, description="居民账号的用户名；解除关联时留空并给 unlink=true")
    unlink: bool = Field(False, description="解除本户与居民账号的关联")
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")


class CadreAssignIn(Schema):
    household_ids: list[Id] = Field(..., max_length=5000, description="住户 id（一次最多 5000 户，须同属一个街道）")
    cadre: str | None = Field(None, max_length=150, description="包户干部的姓名或用户名；null 表示取消分配")


class CadreAssignOut(Schema):
    changed: int = Field(..., description="改变了包户干部的户数（原已如此的不计）")
