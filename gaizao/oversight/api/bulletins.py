"""API of the weekly bulletin (工作通报): list, generate (the office), one bulletin with its frozen data,
its DOCX and XLSX. Same services as the pages: 400 with the field named for bad input, 404 out of scope."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router, Schema

from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id
from gaizao.core.scoping import get_in_scope
from gaizao.documents.docx import CONTENT_TYPE as DOCX
from gaizao.oversight.bulletin_doc import bulletin_docx, bulletin_filename, bulletin_xlsx
from gaizao.oversight.policies.bulletins import bulletin_reader, bulletin_scope
from gaizao.oversight.selectors.bulletins import bulletin_list as list_bulletins
from gaizao.oversight.services.bulletins import bulletin_generate

router = Router(tags=["工作通报"])
ERRORS = {400: dict, 403: dict, 404: dict, 409: dict}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulletinOut(Schema):
    id: int
    period: str
    starts_on: dt.date
    ends_on: dt.date
    number: str
    title: str
    created_at: dt.datetime


class BulletinDetailOut(BulletinOut):
    data: dict


class GenerateIn(Schema):
    period: str
    next_steps: str | None = None


class GenerateOut(Schema):
    created: bool
    bulletin: BulletinDetailOut


@router.get("/bulletins", response=list[BulletinOut], summary="工作通报列表（新的在前）")
def bulletin_list(request):
    if not bulletin_reader(request.auth):
        raise Http404("不存在或无权查看。")
    return list_bulletins()


@router.post("/bulletins", response={200: GenerateOut, **ERRORS},
             summary="生成某周工作通报（首次生成固定数据；已生成的返回原数据）")
def bulletin_create(request, payload: GenerateIn):
    bulletin, created = bulletin_generate(actor=request.auth, period=payload.period, next_steps=payload.next_steps,
                                          ip=_ip(request))
    return {"created": created, "bulletin": bulletin}


def _get(request, bulletin_id: int):
    return get_in_scope(bulletin_scope(request.auth), pk=bulletin_id)


@router.get("/bulletins/{bulletin_id}", response=BulletinDetailOut, summary="一期通报（含固定的数据）")
def bulletin_get(request, bulletin_id: Id):
    return _get(request, bulletin_id)


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@router.get("/bulletins/{bulletin_id}/docx", summary="通报 DOCX（公文版式）")
def bulletin_get_docx(request, bulletin_id: Id):
    bulletin = _get(request, bulletin_id)
    return _file(bulletin_docx(bulletin.data), DOCX, bulletin_filename(bulletin, "docx"))


@router.get("/bulletins/{bulletin_id}/xlsx", summary="考核排名 XLSX（一页）")
def bulletin_get_xlsx(request, bulletin_id: Id):
    bulletin = _get(request, bulletin_id)
    return _file(bulletin_xlsx(bulletin.data), XLSX, bulletin_filename(bulletin, "xlsx"))
