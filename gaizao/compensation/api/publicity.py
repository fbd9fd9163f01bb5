"""The publicity API (公示): a project's rounds, publish a round, one round with its rows and objections,
record an objection, answer it, publish the answer. Same services as the pages."""

from __future__ import annotations

from ninja import Router, Status

from gaizao.compensation.api.publicity_schemas import (AnswerIn, ObjectionIn, ObjectionOut, PublicityIn,
                                                       PublicityOut, PublicityRowOut, PublishAnswerIn)
from gaizao.compensation.choices import PublicityKind
from gaizao.compensation.selectors import publicity as selectors
from gaizao.compensation.services import publicity as services
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id

router = Router(tags=["公示"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _objection(o) -> dict:
    return {"id": o.pk, "version": o.version, "publicity_id": o.publicity_id, "household_id": o.household_id,
            "household_number": o.household.number if o.household_id else "", "submitter": o.submitter,
            "content": o.content, "received_on": o.received_on, "status": o.status, "answer": o.answer,
            "answered_on": o.answered_on, "answer_published_at": o.answer_published_at}


def _detail(user, pk: int) -> dict:
    p = selectors.publicity_get(user, pk=pk)
    columns = selectors.money_columns(p.rows) if p.kind == PublicityKind.COMPENSATION else []
    return {"id": p.pk, "project_id": p.project_id, "kind": p.kind, "round": p.round, "title": p.title,
            "starts_on": p.starts_on, "ends_on": p.ends_on, "scheme_id": p.scheme_id, "note": p.note,
            "state": selectors.in_period(p), "columns": [{"key": c.key, "label": c.label} for c in columns],
            "rows": p.rows, "objections": [_objection(o) for o in selectors.objection_list(p)]}


@router.get("/projects/{project_id}/publicity", response=list[PublicityRowOut], summary="项目的公示（各轮）")
def publicity_list(request, project_id: Id):
    project = selectors.publicity_project_get(request.auth, pk=project_id)
    return [{"id": p.pk, "project_id": p.project_id, "kind": p.kind, "round": p.round, "title": p.title,
             "starts_on": p.starts_on, "ends_on": p.ends_on, "households": len(p.rows),
             "objections": p.objection_count, "open_objections": p.open_count}
            for p in selectors.publicity_list(request.auth, project=project)]


@router.post("/projects/{project_id}/publicity", response={201: PublicityOut, **ERRORS},
             summary="发布公示（调查认定结果或分户补偿情况；再次发布为下一轮）")
def publicity_publish(request, project_id: Id, payload: PublicityIn):
    project = selectors.publicity_project_get(request.auth, pk=project_id)
    publicity = services.publicity_publish(actor=request.auth, project=project, ip=_ip(request), **payload.dict())
    return Status(201, _detail(request.auth, publicity.pk))


@router.get("/publicity/{publicity_id}", response=PublicityOut, summary="一轮公示（名单及异议）")
def publicity_get(request, publicity_id: Id):
    return _detail(request.auth, publicity_id)


@router.get("/publicity/{publicity_id}/objections", response=list[ObjectionOut], summary="一轮公示的异议")
def objection_list(request, publicity_id: Id):
    publicity = selectors.publicity_get(request.auth, pk=publicity_id)
    return [_objection(o) for o in selectors.objection_list(publicity)]


@router.post("/publicity/{publicity_id}/objections", response={201: ObjectionOut, **ERRORS},
             summary="登记异议（收到日期须在公示期内）")
def objection_record(request, publicity_id: Id, payload: ObjectionIn):
    publicity = selectors.publicity_get(request.auth, pk=publicity_id)
    objection = services.objection_record(actor=request.auth, publicity=publicity, ip=_ip(request), **payload.dict())
    return Status(201, _objection(objection))


@router.post("/objections/{objection_id}/answer", response={200: ObjectionOut, **ERRORS}, summary="答复异议")
def objection_answer(request, objection_id: Id, payload: AnswerIn):
    objection = selectors.objection_get(request.auth, pk=objection_id)
    done = services.objection_answer(actor=request.auth, objection=objection, version=payload.version,
                                     answer=payload.answer, answered_on=payload.answered_on, ip=_ip(request))
    return _objection(done)


@router.post("/objections/{objection_id}/publish", response={200: ObjectionOut, **ERRORS},
             summary="公布异议答复（公示栏显示，提出人姓名隐去部分）")
def objection_publish(request, objection_id: Id, payload: PublishAnswerIn):
    objection = selectors.objection_get(request.auth, pk=objection_id)
    done = services.objection_publish(actor=request.auth, objection=objection, version=payload.version,
                                      ip=_ip(request))
    return _objection(done)
