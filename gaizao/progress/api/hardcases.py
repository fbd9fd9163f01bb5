"""API: hard cases (攻坚户), their visits (走访), and consultations (意愿征询).

Reads start from ``hardcase_scope`` / ``project_scope``; out of scope answers 404. Writes go
through the same services as the pages: 400 with the field named when input is wrong, 404 when
the user may not make the write, 409 when a PATCH or close carries a stale ``version``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import wraps

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gaizao.core.errors import AppError
from gaizao.core.scoping import get_in_scope
from gaizao.core.schemas import Cursor, Id, Version
from gaizao.ledger.selectors import household_write_scope
from gaizao.progress import selectors, services
from gaizao.progress.choices import DifficultyReason
from gaizao.core.requests import client_ip as _ip

router = Router(tags=["进度"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _cadre_id_errors(fn):
    """Services name the cadre ``cadre``; the API's input is ``cadre_id``."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AppError as exc:
            if "cadre" not in exc.fields:
                raise
            fields = {("cadre_id" if k == "cadre" else k): v for k, v in exc.fields.items()}
            raise type(exc)(exc.message, fields=fields, status=exc.status) from None
    return wrapper


# --- schemas ----------------------------------------------------------------------------------------

class HardCaseFilters(Schema):
    street: Id | None = Field(None, description="街道 id")
    village: Id | None = Field(None, description="城中村 id")
    reason: DifficultyReason | None = Field(None, description="难点类型")
    overdue: bool | None = Field(None, description="true 只列走访逾期的，false 只列未逾期的")
    open_only: bool = Field(True, description="只列未销号的（默认）")
    after: Cursor | None = Field(None, description="上一页返回的 next_after")


class HardCaseRowOut(Schema):
    id: int
    version: int
    household_id: int
    household_number: str
    head_name: str
    street_id: int
    street_name: str
    village_id: int
    village_name: str
    cadre_id: int | None
    cadre_name: str
    reason: str
    reason_label: str
    strategy_excerpt: str
    opened_on: dt.date
    closed_on: dt.date | None
    last_visit_on: dt.date | None
    next_visit_on: dt.date | None
    days_since_visit: int | None = Field(..., description="距上次走访天数；未走访为 null")
    overdue: bool = Field(..., description="走访逾期")


class HardCasePageOut(Schema):
    items: list[HardCaseRowOut]
    next_after: int | None


class VisitPhotoOut(Schema):
    """A visit's photo as stored (upright, resized, without EXIF); ``url`` serves it to readers of the case."""

    id: int
    name: str
    size: int
    content_type: str
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("progress:visit_photo", args=[obj.pk])


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    visitor_id: int | None
    visitor_name: str
    visitors: str
    talk: str
    next_step: str
    next_visit_on: dt.date | None
    photos: list[VisitPhotoOut] = Field([], description="走访照片（照片由页面上传，接口只读）")

    @staticmethod
    def resolve_visitor_name(obj) -> str:
        return str(obj.visitor) if obj.visitor_id else ""

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class HardCaseDetailOut(Schema):
    id: int
    version: int
    household_id: int
    household_number: str = Field(..., alias="household.number")
    head_name: str = Field(..., alias="household.head_name")
    household_stage: str = Field(..., alias="household.stage")
    street_id: int
    street_name: str = Field(..., alias="street.name")
    village_id: int
    village_name: str = Field(..., alias="village.name")
    cadre_id: int | None = Field(None, alias="household.cadre_id")
    cadre_name: str
    reason: str
    reason_label: str
    reason_detail: str
    strategy: str
    opened_on: dt.date
    closed_on: dt.date | None
    close_note: str
    last_visit_on: dt.date | None
    next_visit_on: dt.date | None
    days_since_visit: int | None
    overdue: bool
    visits: list[VisitOut] = Field(..., alias="visits_list")

    @staticmethod
    def resolve_cadre_name(obj) -> str:
        cadre = obj.household.cadre
        return str(cadre) if cadre else ""

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())


class HardCaseOpenIn(Schema):
    reason: str = Field(..., description="难点类型：" + "、".join(f"{v} {l}" for v, l in DifficultyReason.choices))
    reason_detail: str = Field("", description="难点说明")
    strategy: str = Field("", description="一户一策")
    cadre_id: Id | None = Field(None, description="包户干部（用户 id，须为本街道的包户干部）；不填则不变")
    opened_on: dt.date | None = Field(None, description="列入日期，默认今天")
    next_visit_on: dt.date | None = Field(None, description="计划走访日期")


class HardCasePatch(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    reason: str | None = Field(None, description="难点类型")
    reason_detail: str | None = Field(None, description="难点说明")
    strategy: str | None = Field(None, description="一户一策")
    cadre_id: Id | None = Field(None, description="包户干部（用户 id）；null 表示取消指派")


class VisitIn(Schema):
    visited_on: dt.date = Field(..., description="走访日期（不晚于今天，不早于列入日期）")
    talk: str = Field(..., description="沟通情况")
    next_step: str = Field("", description="下一步措施")
    next_visit_on: dt.date | None = Field(None, description="计划下次走访日期（须晚于走访日期）")
    visitors: str = Field("", description="参加人员")


class CloseIn(Schema):
    version: Version | None = Field(None, description="读取时返回的版本号（必填）")
    closed_on: dt.date | None = Field(None, description="销号日期，默认今天")
    note: str = Field("", description="销号说明（必填）")


class ConsultationOut(Schema):
    id: int
    project_id: int
    held_on: dt.date = Field(..., description="征询开始日期")
    ends_on: dt.date = Field(..., description="征询截止日期")
    eligible: int = Field(..., description="应征询户数：项目中未撤出的住户")
    agreed: int = Field(..., description="同意户数")
    disagreed: int = Field(..., description="不同意户数")
    unanswered: int = Field(..., description="未表态或未登记意见的户数")
    threshold: Decimal = Field(..., description="通过比例（%），项目的 consultation_threshold")
    rate: Decimal | None = Field(..., description="同意比例（%），一位小数")
    passed: bool = Field(..., description="同意户数达到通过比例")
    status: str = Field(..., description="passed 通过 / failed 未通过 / open 征询中")
    status_label: str
    note: str


class ConsultationIn(Schema):
    held_on: dt.date = Field(..., description="征询开始日期（不晚于今天）")
    ends_on: dt.date = Field(..., description="征询截止日期（不早于开始日期）")
    note: str = Field("", description="说明")


class ConsultationAnswerIn(Schema):
    household_id: Id = Field(..., description="住户 id（须属于该项目且未撤出）")
    answer: str = Field(..., description="agree 同意 / disagree 不同意 / none 未表态")
    answered_on: dt.date = Field(..., description="表态日期（在征询期内，不晚于今天）")


class ConsultationAnswerOut(Schema):
    household_id: int
    number: str
    head_name: str
    answer: str | None
    answer_label: str
    answered_on: dt.date | None


class ConsultationDetailOut(ConsultationOut):
    answers: list[ConsultationAnswerOut]


# --- helpers ---------------------------------------------------------------------------------------

def _detail(user, pk: int):
    case = selectors.hardcase_get(user, pk=pk)
    status = selectors.case_status(case)
    case.days_since_visit = status["days_since_visit"]
    case.overdue = status["overdue"]
    case.visits_list = selectors.hardcase_visits(case)
    return case


# --- hard cases ------------------------------------------------------------------------------------

@router.get("/hardcases", response=HardCasePageOut, summary="攻坚户列表（按 id 翻页）")
def hardcase_list(request, filters: Query[HardCaseFilters]):
    page = selectors.hardcase_list(request.auth, street=filters.street, village=filters.village,
                                   reason=filters.reason or None, overdue=filters.overdue,
                                   open_only=filters.open_only, after=filters.after)
    return {"items": page.items, "next_after": page.next_after}


@router.get("/hardcases/{case_id}", response=HardCaseDetailOut, summary="攻坚户详情（含走访记录）")
def hardcase_detail(request, case_id: Id):
    return _detail(request.auth, case_id)


@router.post("/households/{household_id}/hardcase", response={201: HardCaseDetailOut, **ERRORS},
             summary="列为攻坚户")
@_cadre_id_errors
def hardcase_open(request, household_id: Id, payload: HardCaseOpenIn):
    household = get_in_scope(household_write_scope(request.auth), pk=household_id)
    values = payload.model_dump()
    cadre = values.pop("cadre_id")
    case = services.hardcase_open(actor=request.auth, household=household, cadre=cadre, ip=_ip(request), **values)
    return Status(201, _detail(request.auth, case.pk))


@router.patch("/hardcases/{case_id}", response={200: HardCaseDetailOut, **ERRORS},
              summary="修改难点、一户一策或包户干部")
@_cadre_id_errors
def hardcase_update(request, case_id: Id, payload: HardCasePatch):
    case = selectors.hardcase_get(request.auth, pk=case_id)
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    if "cadre_id" in values:
        values["cadre"] = values.pop("cadre_id")
    services.hardcase_update(actor=request.auth, hard_case=case, version=version, ip=_ip(request), **values)
    return _detail(request.auth, case.pk)


@router.post("/hardcases/{case_id}/visits", response={201: HardCaseDetailOut, **ERRORS}, summary="记录走访")
def visit_create(request, case_id: Id, payload: VisitIn):
    case = selectors.hardcase_get(request.auth, pk=case_id)
    services.visit_record(actor=request.auth, hard_case=case, ip=_ip(request), **payload.model_dump())
    return Status(201, _detail(request.auth, case.pk))


@router.post("/hardcases/{case_id}/close", response={200: HardCaseDetailOut, **ERRORS}, summary="攻坚户销号")
def hardcase_close(request, case_id: Id, payload: CloseIn):
    case = selectors.hardcase_get(request.auth, pk=case_id)
    services.hardcase_close(actor=request.auth, hard_case=case, version=payload.version,
                            closed_on=payload.closed_on or timezone.localdate(), note=payload.note,
                            ip=_ip(request))
    return _detail(request.auth, case.pk)


# --- consultations ---------------------------------------------------------------------------------

@router.get("/projects/{project_id}/consultations", response=list[ConsultationOut], summary="项目的意愿征询")
def consultation_list(request, project_id: Id):
    project = selectors.consultation_project(request.auth, pk=project_id)
    return selectors.consultation_list(project)


@router.post("/projects/{project_id}/consultations", response={201: ConsultationOut, **ERRORS},
             summary="开展意愿征询（征询期）")
def consultation_create(request, project_id: Id, payload: ConsultationIn):
    project = selectors.consultation_project(request.auth, pk=project_id)
    consultation = services.consultation_open(actor=request.auth, project=project, ip=_ip(request),
                                              **payload.model_dump())
    rows = {row.id: row for row in selectors.consultation_list(project)}
    return Status(201, rows[consultation.pk])


def _consultation_detail(user, pk: int) -> dict:
    consultation = selectors.consultation_get(user, pk=pk)
    row = next(r for r in selectors.consultation_list(consultation.project) if r.id == consultation.pk)
    return {**row.__dict__, "answers": selectors.consultation_answers(consultation)}


@router.get("/consultations/{consultation_id}", response=ConsultationDetailOut, summary="意愿征询详情（逐户意见）")
def consultation_detail(request, consultation_id: Id):
    return _consultation_detail(request.auth, consultation_id)


@router.post("/consultations/{consultation_id}/answers", response={200: ConsultationDetailOut, **ERRORS},
             summary="登记住户意见（同意 / 不同意 / 未表态）")
def consultation_answer(request, consultation_id: Id, payload: ConsultationAnswerIn):
    consultation = selectors.consultation_get(request.auth, pk=consultation_id)
    values = payload.model_dump()
    try:
        services.consultation_answer(actor=request.auth, consultation=consultation, household=values["household_id"],
                                     answer=values["answer"], answered_on=values["answered_on"], ip=_ip(request))
    except AppError as exc:  # the service names the household ``household``; the API's input is household_id
        if "household" not in exc.fields:
            raise
        fields = {("household_id" if k == "household" else k): v for k, v in exc.fields.items()}
        raise type(exc)(exc.message, fields=fields, status=exc.status) from None
    return _consultation_detail(request.auth, consultation_id)
