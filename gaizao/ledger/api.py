"""Ledger API: villages, projects, households, persons, buildings, heritage elements.

Reads are scoped like the pages and numbers leave masked. Writes find their object through the
``*_write_scope`` selectors (404 when the user may not change it, even if they may read it), go
through the same services as the pages (400 with the field named when input is wrong), and a
PATCH carries the ``version`` it read: a stale one answers 409 and changes nothing.
"""

from __future__ import annotations

from functools import wraps

from django.http import FileResponse, Http404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from gaizao.core.errors import AppError
from gaizao.core.scoping import get_in_scope
from gaizao.core.schemas import Id, Version
from gaizao.ledger import selectors, services
from gaizao.ledger.services.id_search import household_search
from gaizao.ledger.schemas import (
    BuildingIn, BuildingOut, BuildingPatch, CadreAssignIn, CadreAssignOut, DemolishIn, HeritageIn, HeritageOut,
    HeritagePatch, HouseholdDetailOut, HouseholdFilters, HouseholdIn, HouseholdPageOut, HouseholdPatch, PersonIn,
    PersonOut, PersonPatch, ProjectDetailOut, ProjectIn, ProjectPatch, ResidentLinkIn, VillageDetailOut,
    VillageFilters, VillageIn, VillageOut, VillagePatch,
)
from gaizao.core.requests import client_ip as _ip

router = Router(tags=["台账"])
ERRORS = {400: dict, 404: dict, 409: dict}
# Services name relations as model fields; the API names them as its inputs do.
_INPUT_NAMES = {"street": "street_id", "community": "community_id", "cadre": "cadre_id", "building": "building_id"}


def _input_names(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AppError as exc:
            if not set(exc.fields) & set(_INPUT_NAMES):
                raise
            fields = {_INPUT_NAMES.get(name, name): message for name, message in exc.fields.items()}
            raise type(exc)(exc.message, fields=fields, status=exc.status) from None
    return wrapper


def _patch(payload) -> tuple[int | None, dict]:
    values = payload.model_dump(exclude_unset=True)
    return values.pop("version", None), values


def _create(payload, *drop: str) -> dict:
    values = payload.model_dump(exclude_unset=True)
    for name in ("version", *drop):
        values.pop(name, None)
    return values


# --- villages --------------------------------------------------------------------------------------

def _village_detail(user, pk: int):
    village = selectors.village_get(user, pk=pk)
    # household_count for the village itself: the stage summary already counts them.
    village.households_by_stage = selectors.household_stage_summary(user, village=village)
    village.household_count = sum(row["count"] for row in village.households_by_stage)
    village.project_rows = list(selectors.project_list(user, village=village))
    village.heritage_rows = list(selectors.heritage_list(user, village=village))
    return village


def _community(values: dict) -> None:
    if "community_id" in values:
        pk = values.pop("community_id")
        community = selectors.community_get(pk) if pk is not None else None
        if pk is not None and community is None:
            raise AppError("所选社区不存在。", fields={"community_id": "社区不存在"})
        values["community"] = community


@router.get("/villages", response=list[VillageOut], summary="城中村列表")
def village_list(request, filters: Query[VillageFilters]):
    return list(selectors.village_list(request.auth, **filters.selector_kwargs()))


@router.get("/villages/{village_id}", response=VillageDetailOut, summary="城中村详情（含项目、各阶段户数、历史文化要素）")
def village_detail(request, village_id: Id):
    return _village_detail(request.auth, village_id)


@router.post("/villages", response={201: VillageDetailOut, **ERRORS}, summary="新建城中村")
@_input_names
def village_create(request, payload: VillageIn):
    values = _create(payload, "street_id")
    street = get_in_scope(selectors.street_write_list(request.auth), pk=payload.street_id)
    _community(values)
    village = services.village_create(actor=request.auth, street=street, ip=_ip(request), **values)
    return Status(201, _village_detail(request.auth, village.pk))


@router.patch("/villages/{village_id}", response={200: VillageDetailOut, **ERRORS}, summary="修改城中村")
@_input_names
def village_update(request, village_id: Id, payload: VillagePatch):
    village = get_in_scope(selectors.village_write_scope(request.auth), pk=village_id)
    version, values = _patch(payload)
    _community(values)
    services.village_update(actor=request.auth, village=village, version=version, ip=_ip(request), **values)
    return _village_detail(request.auth, village.pk)


# --- projects --------------------------------------------------------------------------------------

@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="项目详情")
def project_detail(request, project_id: Id):
    return selectors.project_get(request.auth, pk=project_id)


@router.post("/projects", response={201: ProjectDetailOut, **ERRORS}, summary="新建改造项目")
def project_create(request, payload: ProjectIn):
    village = get_in_scope(selectors.village_write_scope(request.auth), pk=payload.village_id)
    project = services.project_create(actor=request.auth, village=village, ip=_ip(request),
                                      **_create(payload, "village_id", "signing_reason"))
    return Status(201, selectors.project_get(request.auth, pk=project.pk))


@router.patch("/projects/{project_id}", response={200: ProjectDetailOut, **ERRORS}, summary="修改改造项目")
def project_update(request, project_id: Id, payload: ProjectPatch):
    project = get_in_scope(selectors.project_write_scope(request.auth), pk=project_id)
    version, values = _patch(payload)
    services.project_update(actor=request.auth, project=project, version=version, ip=_ip(request), **values)
    return selectors.project_get(request.auth, pk=project.pk)


# --- households and persons ------------------------------------------------------------------------

def _cadre(values: dict, street) -> None:
    if "cadre_id" in values:
        pk = values.pop("cadre_id")
        cadre = selectors.cadre_options(street).filter(pk=pk).first() if pk is not None else None
        if pk is not None and cadre is None:
            raise AppError("所选包户干部不是本街道的包户干部。", fields={"cadre_id": "不是本街道的包户干部"})
        values["cadre"] = cadre


@router.get("/households", response={200: HouseholdPageOut, 429: dict}, summary="住户列表（按 id 翻页）",
            description="按身份证号查询有次数限制（默认每 10 分钟 20 次），超出后 429，暂停按身份证号查询。")
def household_list(request, filters: Query[HouseholdFilters]):
    page = household_search(actor=request.auth, ip=_ip(request), **filters.selector_kwargs())
    return {"items": page.items, "next_after": page.next_after}


# Before "/households/{household_id}": the first path that matches answers (405 for another method).
@router.post("/households/assign-cadre", response={200: CadreAssignOut, **ERRORS}, summary="批量分配包户干部",
             description="全部成功或全部不改；有一户不存在或无权修改时 404。")
def households_assign_cadre(request, payload: CadreAssignIn):
    changed = services.households_assign_cadre(actor=request.auth, household_ids=payload.household_ids,
                                               cadre=payload.cadre, ip=_ip(request))
    return {"changed": changed}


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="住户详情（含家庭成员和房屋）")
def household_detail(request, household_id: Id):
    return selectors.household_get(request.auth, pk=household_id)


@router.post("/households", response={201: HouseholdDetailOut, **ERRORS}, summary="登记住户")
@_input_names
def household_create(request, payload: HouseholdIn):
    project = get_in_scope(selectors.project_write_scope(request.auth), pk=payload.project_id)
    values = _create(payload, "project_id")
    _cadre(values, project.village.street)
    household = services.household_create(actor=request.auth, project=project, ip=_ip(request), **values)
    return Status(201, selectors.household_get(request.auth, pk=household.pk))


@router.patch("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS}, summary="修改住户")
@_input_names
def household_update(request, household_id: Id, payload: HouseholdPatch):
    household = get_in_scope(selectors.household_write_scope(request.auth).select_related("street"),
                             pk=household_id)
    version, values = _patch(payload)
    _cadre(values, household.street)
    services.household_update(actor=request.auth, household=household, version=version, ip=_ip(request),
                              **values)
    return selectors.household_get(request.auth, pk=household.pk)


@router.post("/households/{household_id}/resident", response={200: HouseholdDetailOut, **ERRORS},
             summary="关联或解除居民账号", description="一个居民账号只能关联一户；账号须有本户所在街道（或其社区）的居民岗位。")
def household_resident(request, household_id: Id, payload: ResidentLinkIn):
    household = get_in_scope(selectors.household_write_scope(request.auth), pk=household_id)
    services.household_link_resident(actor=request.auth, household=household, version=payload.version,
                                     resident=payload.resident, unlink=payload.unlink, ip=_ip(request))
    return selectors.household_get(request.auth, pk=household.pk)


@router.post("/households/{household_id}/persons", response={201: PersonOut, **ERRORS}, summary="添加家庭成员")
def person_create(request, household_id: Id, payload: PersonIn):
    household = get_in_scope(selectors.household_write_scope(request.auth), pk=household_id)
    person = services.person_add(actor=request.auth, household=household, ip=_ip(request), **_create(payload))
    return Status(201, selectors.person_get(request.auth, pk=person.pk))


@router.get("/persons/{person_id}", response=PersonOut, summary="家庭成员")
def person_detail(request, person_id: Id):
    return selectors.person_get(request.auth, pk=person_id)


@router.patch("/persons/{person_id}", response={200: PersonOut, **ERRORS}, summary="修改家庭成员")
def person_update(request, person_id: Id, payload: PersonPatch):
    person = get_in_scope(selectors.person_write_scope(request.auth), pk=person_id)
    version, values = _patch(payload)
    services.person_update(actor=request.auth, person=person, version=version, ip=_ip(request), **values)
    return selectors.person_get(request.auth, pk=person.pk)


# --- buildings -------------------------------------------------------------------------------------

@router.post("/households/{household_id}/buildings", response={201: BuildingOut, **ERRORS}, summary="登记房屋")
def building_create(request, household_id: Id, payload: BuildingIn):
    household = get_in_scope(selectors.household_write_scope(request.auth), pk=household_id)
    building = services.building_add(actor=request.auth, household=household, ip=_ip(request), **_create(payload))
    return Status(201, selectors.building_get(request.auth, pk=building.pk))


@router.get("/buildings/{building_id}", response=BuildingOut, summary="房屋")
def building_detail(request, building_id: Id):
    return selectors.building_get(request.auth, pk=building_id)


@router.patch("/buildings/{building_id}", response={200: BuildingOut, **ERRORS}, summary="修改房屋")
def building_update(request, building_id: Id, payload: BuildingPatch):
    building = get_in_scope(selectors.building_write_scope(request.auth), pk=building_id)
    version, values = _patch(payload)
    services.building_update(actor=request.auth, building=building, version=version, ip=_ip(request), **values)
    return selectors.building_get(request.auth, pk=building.pk)


@router.post("/buildings/{building_id}/demolish", response={200: BuildingOut, **ERRORS},
             summary="标记房屋拆除（涉及历史文化要素须领导小组办公室特批，理由不少于 10 个字；"
                     "一户最后一栋未拆的房屋请记录住户的“拆除”）")
def building_demolish(request, building_id: Id, payload: DemolishIn):
    building = get_in_scope(selectors.building_write_scope(request.auth), pk=building_id)
    services.building_mark_demolished(
        actor=request.auth, building=building, on_date=payload.on_date, version=payload.version,
        heritage_override_reason=payload.heritage_override_reason, ip=_ip(request),
    )
    return selectors.building_get(request.auth, pk=building.pk)


# --- heritage elements -----------------------------------------------------------------------------

def _building(values: dict, village) -> None:
    if "building_id" in values:
        pk = values.pop("building_id")
        building = selectors.building_in_village(village, pk=pk) if pk is not None else None
        if pk is not None and building is None:
            raise AppError(f"本村没有 id 为 {pk} 的房屋。", fields={"building_id": "房屋不在本村"})
        values["building"] = building


@router.get("/heritage", response=list[HeritageOut], summary="历史文化要素列表")
def heritage_list(request, village: Id | None = None):
    village_obj = selectors.village_get(request.auth, pk=village) if village else None
    return list(selectors.heritage_list(request.auth, village=village_obj))


@router.get("/heritage/{heritage_id}", response=HeritageOut, summary="历史文化要素")
def heritage_detail(request, heritage_id: Id):
    return selectors.heritage_get(request.auth, pk=heritage_id)


@router.post("/heritage", response={201: HeritageOut, **ERRORS}, summary="登记历史文化要素")
def heritage_create(request, payload: HeritageIn):
    village = get_in_scope(selectors.village_write_scope(request.auth), pk=payload.village_id)
    values = _create(payload, "village_id", "remove_photo")
    _building(values, village)
    heritage = services.heritage_create(actor=request.auth, village=village, ip=_ip(request), **values)
    return Status(201, selectors.heritage_get(request.auth, pk=heritage.pk))


@router.patch("/heritage/{heritage_id}", response={200: HeritageOut, **ERRORS}, summary="修改历史文化要素")
def heritage_update(request, heritage_id: Id, payload: HeritagePatch):
    heritage = get_in_scope(selectors.heritage_write_scope(request.auth), pk=heritage_id)
    version, values = _patch(payload)
    if values.pop("remove_photo", False):
        values["photo"] = None
    _building(values, heritage.village)
    services.heritage_update(actor=request.auth, heritage=heritage, version=version, ip=_ip(request), **values)
    return selectors.heritage_get(request.auth, pk=heritage.pk)


@router.post("/heritage/{heritage_id}/photo", response={200: HeritageOut, **ERRORS},
             summary="上传历史文化要素照片（multipart：photo 文件 + version）")
def heritage_photo_upload(request, heritage_id: Id, photo: File[UploadedFile], version: Form[Version]):
    heritage = get_in_scope(selectors.heritage_write_scope(request.auth), pk=heritage_id)
    services.heritage_update(actor=request.auth, heritage=heritage, version=version, photo=photo, ip=_ip(request))
    return selectors.heritage_get(request.auth, pk=heritage.pk)


@router.get("/heritage/{heritage_id}/photo", url_name="heritage_photo", summary="历史文化要素照片（JPG/PNG）")
def heritage_photo(request, heritage_id: Id):
    heritage = selectors.heritage_get(request.auth, pk=heritage_id)
    if not heritage.photo:
        raise Http404("没有照片。")
    try:
        return FileResponse(heritage.photo.open("rb"), content_type=heritage.photo_content_type)
    except FileNotFoundError:
        raise Http404("照片文件不存在。") from None
