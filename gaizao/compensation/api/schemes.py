"""The schemes API (征收补偿方案): a project's versions, one version, create, update a draft, check a text (every
problem with its line and name, and a sample calculation), copy, publish. Same services as the pages."""

from __future__ import annotations

import json

from django.http import Http404
from ninja import Router, Status

from gaizao.compensation.api.scheme_schemas import (CheckIn, CheckOut, CompensationSchemeIn, CompensationSchemeOut,
                                                    SchemePatch, SchemeRowOut)
from gaizao.compensation.policies.schemes import scheme_can_write
from gaizao.compensation.selectors import schemes as selectors
from gaizao.compensation.services import schemes as services
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id

router = Router(tags=["补偿方案"])
ERRORS = {400: dict, 404: dict, 409: dict}
FIELDS = ("id", "version", "project_id", "number", "name", "status", "note", "digest", "created_at", "published_at")


def _out(scheme, *, text: bool = True) -> dict:
    data = {f: getattr(scheme, f) for f in FIELDS}
    if text:
        data["text"] = scheme.text
    return data


def _project(user, project_id: int, *, write: bool = False):
    project = selectors.project_get(user, project_id)
    if write and not scheme_can_write(user):
        raise Http404("不存在或无权操作。")
    return project


def _scheme(user, scheme_id: int, *, write: bool = False):
    scheme = selectors.scheme_get(user, scheme_id)
    if write and not scheme_can_write(user):
        raise Http404("不存在或无权操作。")
    return scheme


@router.get("/projects/{project_id}/schemes", response=list[SchemeRowOut], summary="项目的补偿方案各版本")
def scheme_list(request, project_id: Id):
    return [_out(s, text=False) for s in selectors.scheme_list(_project(request.auth, project_id))]


@router.post("/projects/{project_id}/schemes", response={201: CompensationSchemeOut, **ERRORS},
             summary="起草补偿方案（新版本草稿；方案有误则拒绝，列出每处问题的行号和名称）")
def scheme_create(request, project_id: Id, payload: CompensationSchemeIn):
    project = _project(request.auth, project_id, write=True)
    scheme = services.scheme_create(actor=request.auth, project=project, name=payload.name, text=payload.text,
                                    note=payload.note, ip=_ip(request))
    return Status(201, _out(scheme))


@router.post("/projects/{project_id}/schemes/check", response={200: CheckOut, **ERRORS},
             summary="检查方案文本（每处问题的行号和名称；无问题时试算本项目前几户或所给测试用例）")
def scheme_check(request, project_id: Id, payload: CheckIn):
    project = _project(request.auth, project_id)
    cases = json.dumps(payload.cases, ensure_ascii=False) if payload.cases else ""
    return selectors.scheme_check(request.auth, project=project, text=payload.text, cases_text=cases).as_json()


@router.get("/schemes/{scheme_id}", response=CompensationSchemeOut, summary="补偿方案的一个版本（含文本）")
def scheme_get(request, scheme_id: Id):
    return _out(_scheme(request.auth, scheme_id))


@router.patch("/schemes/{scheme_id}", response={200: CompensationSchemeOut, **ERRORS},
              summary="修改草稿（已发布的版本不能修改）")
def scheme_update(request, scheme_id: Id, payload: SchemePatch):
    scheme = _scheme(request.auth, scheme_id, write=True)
    done = services.scheme_update(actor=request.auth, scheme=scheme, version=payload.version, text=payload.text,
                                  name=payload.name, note=payload.note, ip=_ip(request))
    return _out(done)


@router.post("/schemes/{scheme_id}/copy", response={201: CompensationSchemeOut, **ERRORS}, summary="复制为新草稿")
def scheme_copy(request, scheme_id: Id):
    scheme = _scheme(request.auth, scheme_id, write=True)
    return Status(201, _out(services.scheme_copy(actor=request.auth, scheme=scheme, ip=_ip(request))))


@router.post("/schemes/{scheme_id}/publish", response={200: CompensationSchemeOut, **ERRORS},
             summary="发布（现行有效，此后不能修改；原现行版本被取代）")
def scheme_publish(request, scheme_id: Id):
    scheme = _scheme(request.auth, scheme_id, write=True)
    return _out(services.scheme_publish(actor=request.auth, scheme=scheme, ip=_ip(request)))
