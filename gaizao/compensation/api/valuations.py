"""API of the valuations area (评估结果): the list in reach, one valuation, a household's buildings with the
valuation in force and the history, recording one (评估 / 复核 / 鉴定), and the import in two stages
(multipart: preview, then the same file with the preview's fingerprint). Out of reach: 404."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from gaizao.compensation import importing
from gaizao.compensation.api.valuation_schemas import HouseholdValuationsOut, ImportOut, ValuationIn, ValuationOut
from gaizao.compensation.policies.valuations import valuation_reader, valuation_writer
from gaizao.compensation.selectors import valuations as selectors
from gaizao.compensation.services.valuations import valuations_record
from gaizao.core.errors import AppError, NotFound
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id

router = Router(tags=["评估结果"])
ERRORS = {400: dict, 404: dict, 409: dict}


def valuation_out(v) -> dict:
    return {"id": v.pk, "household_id": v.household_id, "household": v.household.number,
            "building_id": v.building_id, "building": v.building.number, "kind": v.kind,
            "kind_label": str(v.get_kind_display()), "unit_price": v.unit_price, "decoration": v.decoration,
            "valued_on": v.valued_on, "valuer": v.valuer, "appraiser": v.appraiser, "report_no": v.report_no,
            "in_force": v.in_force, "replaces_id": v.replaces_id, "reason": v.reason, "created_at": v.created_at}


@router.get("/valuations", response=list[ValuationOut], summary="评估结果列表（默认只列现行有效的）")
def valuation_list(request, project_id: Id | None = None, household_id: Id | None = None, current_only: bool = True):
    if not valuation_reader(request.auth):
        raise NotFound("不存在或无权查看。")
    return [valuation_out(v) for v in selectors.valuation_list(request.auth, project_id=project_id,
                                                               household_id=household_id, current_only=current_only)]


@router.get("/valuations/{valuation_id}", response={200: ValuationOut, 404: dict}, summary="一条评估结果")
def valuation_detail(request, valuation_id: Id):
    return valuation_out(selectors.valuation_get(request.auth, valuation_id))


def _household_out(household) -> dict:
    rows = selectors.household_valuations(household)
    for row in rows:  # the household is the same object: no query for v.household
        for v in [row.in_force, *row.history]:
            if v is not None:
                v.household = household
                v.building = row.building
    return {"household_id": household.pk, "number": household.number, "head_name": household.head_name,
            "stage": household.stage, "complete": selectors.valuations_complete(rows),
            "buildings": [{"building_id": row.building.pk, "number": row.building.number,
                           "legality": row.building.legality, "disposition": row.building.disposition,
                           "in_force": valuation_out(row.in_force) if row.in_force else None,
                           "history": [valuation_out(v) for v in row.history]} for row in rows]}


@router.get("/households/{household_id}/valuations", response={200: HouseholdValuationsOut, 404: dict},
            summary="住户各房屋的评估结果：现行有效的与被取代的")
def household_valuations(request, household_id: Id):
    return _household_out(selectors.valuation_household_get(request.auth, household_id))


@router.post("/households/{household_id}/valuations", response={201: ValuationOut, **ERRORS},
             summary="录入一栋房屋的评估结果（kind：initial 评估，review 复核，appraisal 鉴定；复核、鉴定须写理由）")
def valuation_add(request, household_id: Id, payload: ValuationIn):
    household = selectors.valuation_household_get(request.auth, household_id, write=True)
    data = payload.dict()
    building = data.pop("building_id")
    valuation = valuations_record(actor=request.auth, household=household, ip=_ip(request),
                                  entries=[{"building": building, **data}])[0]
    return Status(201, valuation_out(valuation))


def _with_file(upload: UploadedFile, run):
    suffix = Path(upload.name or "").suffix.lower()[:8]
    with tempfile.TemporaryDirectory(prefix="gaizao-valuations-") as folder:
        target = Path(folder) / f"upload{suffix}"
        with open(target, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return run(target, Path(upload.name or target.name).name)


def _import_out(plan, *, written: int = 0, stages: int = 0) -> dict:
    return {**plan.summary(), "fingerprint": plan.fingerprint, "written": written, "stages_recorded": stages}


@router.post("/valuations/import/preview", response={200: ImportOut, **ERRORS},
             summary="导入评估结果·预览（multipart：project 项目 id 或编码、file）：不写入")
def import_preview(request, project: Form[str], file: File[UploadedFile]):
    if not valuation_writer(request.auth):
        raise NotFound("不存在或无权操作。")
    plan = _with_file(file, lambda path, name: importing.valuations_preview(
        actor=request.auth, project=project, path=path, filename=name))
    return _import_out(plan)


@router.post("/valuations/import/confirm", response={200: ImportOut, **ERRORS},
             summary="导入评估结果·确认（multipart：project、file、fingerprint 预览返回的指纹）：全部写入或不写入")
def import_apply(request, project: Form[str], file: File[UploadedFile], fingerprint: Form[str] = ""):
    if not valuation_writer(request.auth):
        raise NotFound("不存在或无权操作。")
    if not fingerprint:
        raise AppError("请先预览，并带上预览返回的 fingerprint。", fields={"fingerprint": "必填"})
    outcome = _with_file(file, lambda path, name: importing.valuations_import(
        actor=request.auth, project=project, path=path, filename=name, fingerprint=fingerprint, ip=_ip(request)))
    return _import_out(outcome.plan, written=outcome.written, stages=outcome.stages)
