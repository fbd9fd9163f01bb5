"""API: a project's signing judgements (签约期满判定) and the office's record of what follows a lapse."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from gaizao.core.requests import client_ip
from gaizao.core.schemas import Id
from gaizao.progress.api.summary import JudgementOut
from gaizao.progress.selectors.signing import signing_project, signing_record, signing_write_project
from gaizao.progress.selectors.summary import judgement_dict
from gaizao.progress.services.signing import signing_judge_now, signing_outcome_record

router = Router(tags=["进度"])
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}


class ResultOut(JudgementOut):
    id: int
    actor: str | None = Field(..., description="判定人（空：系统定时判定）")


class OutcomeRowOut(Schema):
    decision: str = Field(..., description="new_period（重新设定签约期）/ ended（项目终止）")
    decided_on: dt.date
    new_start: dt.date | None
    new_end: dt.date | None
    reason: str
    actor: str | None


class SigningOut(Schema):
    project_id: int
    signing_start: dt.date | None
    signing_end: dt.date | None
    status: str = Field(..., description="none / not_started / open / reached / due / effective / lapsed / ended")
    status_label: str
    rate: str | None = Field(..., description="签约率（%）：期满后为判定时的期内签约率")
    threshold: str
    reached: bool
    blocks_execution: bool = Field(..., description="协议未生效：腾空交房、拆除、安置、补偿决定被拒绝")
    results: list[ResultOut] = Field(..., description="判定记录，最新在前")
    outcomes: list[OutcomeRowOut]


class OutcomeIn(Schema):
    decision: str = Field(..., description="new_period / ended")
    decided_on: dt.date
    reason: str = Field(..., description="理由及依据，10–500 字")
    new_start: dt.date | None = None
    new_end: dt.date | None = None


def _out(record) -> dict:
    st, project = record.status, record.project
    return {
        "project_id": project.pk, "signing_start": project.signing_start, "signing_end": project.signing_end,
        "status": st.code, "status_label": st.label, "rate": None if st.rate is None else str(st.rate),
        "threshold": str(st.threshold), "reached": st.reached, "blocks_execution": st.lapsed and (
            st.code == "ended" or st.outcome is None),
        "results": [{"id": r.pk, **judgement_dict(r), "actor": str(r.actor) if r.actor else None}
                    for r in record.results],
        "outcomes": [{"decision": o.decision, "decided_on": o.decided_on, "new_start": o.new_start,
                      "new_end": o.new_end, "reason": o.reason, "actor": str(o.actor) if o.actor else None}
                     for o in record.outcomes],
    }


@router.get("/projects/{project_id}/signing", response={200: SigningOut, 404: dict}, summary="签约期满判定")
def project_signing(request, project_id: Id):
    """项目的签约期、协议生效比例、期满判定（冻结）及复核判定、期满未达标后的处置。"""
    return _out(signing_record(signing_project(request.auth, pk=project_id)))


@router.post("/projects/{project_id}/signing/judge", response={200: SigningOut, **ERRORS},
             summary="立即作签约期满判定（领导小组办公室）")
def project_signing_judge(request, project_id: Id):
    """签约期已届满、尚未判定的项目立即判定（否则由每小时的定时任务判定）；已判定的返回现有结果。"""
    project = signing_write_project(request.auth, pk=project_id)
    signing_judge_now(actor=request.auth, project=project, ip=client_ip(request))
    return _out(signing_record(project))


@router.post("/projects/{project_id}/signing/outcome", response={201: SigningOut, **ERRORS},
             summary="登记期满未达标项目的处置（领导小组办公室）")
def project_signing_outcome(request, project_id: Id, payload: OutcomeIn):
    """重新设定签约期（new_period，须填新签约期）或终止项目（ended）；须写明理由及依据。"""
    project = signing_write_project(request.auth, pk=project_id)
    signing_outcome_record(actor=request.auth, project=project, ip=client_ip(request), **payload.model_dump())
    project.refresh_from_db()
    return Status(201, _out(signing_record(project)))
