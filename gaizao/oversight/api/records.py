"""API of the records area (表彰问责): the list, a record entered directly (the office), a unit's record
(scores over periods, proposals, records). Out of reach: 404."""

from __future__ import annotations

from ninja import Router

from gaizao.core.errors import NotFound
from gaizao.core.requests import client_ip as _ip
from gaizao.oversight.api.assessment_schemas import RecordIn, RecordOut, UnitRecordOut
from gaizao.oversight.policies.records import record_can_write, record_reader
from gaizao.oversight.selectors import records as selectors
from gaizao.oversight.services.records import record_create

router = Router(tags=["表彰问责"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _out(record) -> dict:
    return {**{f: getattr(record, f) for f in ("id", "kind", "measure", "unit_id", "person_id", "reason", "decided_on",
                                               "document_number", "proposal_id")}, "unit": record.unit.name}


@router.get("/records", response=list[RecordOut], summary="表彰问责记录")
def record_list(request, kind: str | None = None):
    if not record_reader(request.auth):
        raise NotFound("不存在或无权查看。")
    return [_out(r) for r in selectors.record_list(request.auth, kind=kind)[:500]]


@router.post("/records", response={201: RecordOut, **ERRORS}, summary="记录表彰问责")
def record_add(request, body: RecordIn):
    if not record_can_write(request.auth):
        raise NotFound("不存在或无权操作。")
    data = body.dict()
    record = record_create(actor=request.auth, unit=data.pop("unit_id"), person=data.pop("person_id"),
                           ip=_ip(request), **data)
    return 201, _out(record)


@router.get("/records/units/{unit_id}", response=UnitRecordOut, summary="单位的考核与表彰问责档案")
def unit_record(request, unit_id: int):
    data = selectors.unit_record(request.auth, unit_id)
    return {"unit_id": data["unit"].pk, "unit": data["unit"].name,
            "scores": [{"sheet_id": s["sheet"].pk, "scheme": s["scheme"].name, "period": s["period"],
                        "version": s["sheet"].version, "total": s["row"]["total"], "rank": s["row"]["rank"],
                        "of": s["of"], "grade": s["row"]["grade"], "list": s["row"]["list"]} for s in data["scores"]],
            "proposals": data["proposals"], "records": [_out(r) for r in data["records"]]}
