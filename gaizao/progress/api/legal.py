"""API: a holdout's legal path (补偿决定的法定程序).

GET the household's case (open, else its latest ended one) with its steps, windows and the steps
that may be recorded today; POST a step. Reads start from ``legalcase_scope``; out of scope (or no
case) is 404. A refusal is 400 with the field named, a stale ``version`` 409: the one error shape.
Documents (文书扫描件) are uploaded on the household page.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from gaizao.core.errors import NotFound
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id, Version
from gaizao.ledger.selectors import household_scope
from gaizao.core.scoping import get_in_scope
from gaizao.progress import legal
from gaizao.progress.selectors.legal import case_view, legalcase_get, legalcase_of_household
from gaizao.progress.services.legal import legal_step_record

router = Router(tags=["进度"])
ERRORS = {400: dict, 404: dict, 409: dict}


class StepOut(Schema):
    kind: str
    label: str
    on_date: dt.date
    way: str = Field(..., description="送达方式（中文）")
    result: str = Field(..., description="结果（中文）")
    document_number: str
    note: str
    has_document: bool
    recorded_by: str


class NextOut(Schema):
    kind: str
    label: str


class LegalCaseOut(Schema):
    id: int
    version: int
    household_id: int
    household_number: str
    land_type: str = Field(..., description="state 国有土地（补偿决定）/ collective 集体土地（责令交出土地决定）")
    decision_name: str
    step: str = Field(..., description="当前步骤")
    step_on: dt.date
    opened_on: dt.date
    ended_on: dt.date | None
    outcome: str
    outcome_label: str
    served_on: dt.date | None = Field(..., description="送达日期；复议、诉讼期限自此起算")
    reconsideration_until: dt.date | None = Field(..., description="申请行政复议的最后一日（送达之日起 60 日）")
    litigation_until: dt.date | None = Field(..., description="提起行政诉讼的最后一日（送达起 6 个月；复议决定后 15 日）")
    reconsideration_days_left: int | None
    litigation_days_left: int | None
    reconsideration_pending: bool
    litigation_pending: bool
    apply_until: dt.date | None = Field(..., description="申请强制执行的最后一日（期限届满后 3 个月，参考）")
    allowed_next: list[NextOut] = Field(..., description="今天可以登记的步骤")
    enforcement_bar: str | None = Field(..., description="尚不能催告或申请强制执行的原因")
    steps: list[StepOut]


class StepIn(Schema):
    kind: str = Field(..., description="步骤：" + "、".join(f"{k.value} {k.label}" for k in legal.RECORDABLE))
    on_date: dt.date = Field(..., description="日期（不早于上一步，不晚于今天）")
    way: str = Field("", description="送达方式（登记 served 时必填）：" + "、".join(
        f"{v} {l}" for v, l in legal.ServiceWay.choices))
    result: str = Field("", description="结果（复议决定、判决裁定、法院裁定时必填）：" + "、".join(
        f"{v} {l}" for v, l in [*legal.ReviewResult.choices, *legal.RulingResult.choices]))
    document_number: str = Field("", description="文号")
    note: str = Field("", description="说明")
    version: Version | None = Field(None, description="读取时返回的版本号（可选；过期则 409）")


def _out(user, case) -> dict:
    view = case_view(user, case)
    w = view.windows
    return {
        "id": case.pk, "version": case.version, "household_id": case.household_id,
        "household_number": case.household.number, "land_type": case.land_type,
        "decision_name": view.decision_name, "step": case.step, "step_on": case.step_on,
        "opened_on": case.opened_on, "ended_on": case.ended_on, "outcome": case.outcome,
        "outcome_label": view.outcome_label, "served_on": w.served_on,
        "reconsideration_until": w.reconsideration_until, "litigation_until": w.litigation_until,
        "reconsideration_days_left": view.reconsideration_days_left,
        "litigation_days_left": view.litigation_days_left,
        "reconsideration_pending": w.reconsideration_pending, "litigation_pending": w.litigation_pending,
        "apply_until": w.apply_until,
        "allowed_next": [{"kind": k, "label": label} for k, label in view.allowed],
        "enforcement_bar": view.bar,
        "steps": [{"kind": s.kind, "label": s.label, "on_date": s.on_date, "way": s.way, "result": s.result,
                   "document_number": s.document_number, "note": s.note, "has_document": s.document_id is not None,
                   "recorded_by": s.who} for s in view.steps],
    }


@router.get("/households/{household_id}/legal", response={200: LegalCaseOut, 404: dict},
            summary="住户的补偿决定法定程序（步骤、期限、可登记的下一步）")
def legal_case(request, household_id: Id):
    household = get_in_scope(household_scope(request.auth), pk=household_id)
    case = legalcase_of_household(request.auth, household)
    if case is None:
        raise NotFound("不存在或无权查看。")
    return _out(request.auth, case)


@router.post("/legalcases/{case_id}/steps", response={201: LegalCaseOut, **ERRORS}, summary="登记法定程序的一步")
def legal_step(request, case_id: Id, payload: StepIn):
    case = legalcase_get(request.auth, pk=case_id)
    legal_step_record(actor=request.auth, case=case.pk, ip=_ip(request), **payload.model_dump())
    return Status(201, _out(request.auth, legalcase_get(request.auth, pk=case_id)))
