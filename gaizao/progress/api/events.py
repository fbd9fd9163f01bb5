"""API: stage events (进度事件) — a household's events, recording one, correcting one, in bulk.

Reads start from ``household_scope`` (404 out of scope); writes go through the same services as
the pages, which decide who may write (404 for a household the user reads but may not change),
check the order of stages (400, the field named) and the version (409, nothing written).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Status

from gaizao.core.errors import AppError
from gaizao.core.scoping import get_in_scope
from gaizao.core.schemas import Id
from gaizao.ledger.models import Household
from gaizao.ledger.selectors import household_scope, household_write_scope
from gaizao.progress.policies import event_write_household_scope
from gaizao.progress import importing
from gaizao.progress.api.event_schemas import (
    BulkIn, BulkOut, CorrectionIn, EventIn, EventsOut, EventWriteOut,
)
from gaizao.progress.models import StageEvent
from gaizao.progress.selectors.events import household_events
from gaizao.progress.services.events import event_correct, household_record_event, households_record_stage
from gaizao.core.requests import client_ip as _ip

router = Router(tags=["进度"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _written(event: StageEvent) -> dict:
    household = Household.objects.get(pk=event.household_id)
    return {"event": household_events(event.household_id, pk=event.pk)[0], "household": household}


@router.get("/households/{household_id}/events", response=EventsOut, summary="住户的进度事件（含更正与附件）")
def event_list(request, household_id: Id):
    household = get_in_scope(household_scope(request.auth), pk=household_id)
    return {"household": household, "events": household_events(household.pk)}


@router.post("/households/{household_id}/events", response={201: EventWriteOut, **ERRORS},
             summary="记录进度事件（入户调查、认定、评估、签约、腾空交房 …）")
def event_create(request, household_id: Id, payload: EventIn):
    household = get_in_scope(household_scope(request.auth), pk=household_id)
    event = household_record_event(actor=request.auth, household=household.pk, kind=payload.kind,
                                   on_date=payload.on_date, note=payload.note,
                                   resettlement_mode=payload.resettlement_mode, version=payload.version,
                                   heritage_override_reason=payload.heritage_override_reason, ip=_ip(request))
    return Status(201, _written(event))


@router.post("/events/{event_id}/correct", response={201: EventWriteOut, **ERRORS},
             summary="更正进度事件（改日期或撤销；原记录保留）")
def event_correct_endpoint(request, event_id: Id, payload: CorrectionIn):
    # The write scope: a reader who may not change the household gets 404, as the page does.
    event = get_in_scope(StageEvent.objects.filter(household__in=event_write_household_scope(request.auth)),
                         pk=event_id)
    if not payload.void and not payload.on_date:
        raise AppError(_("请给出新日期 on_date，或 void=true 撤销这条记录。"), fields={"on_date": _("必填")})
    correction = event_correct(actor=request.auth, event=event.pk, note=payload.note, on_date=payload.on_date,
                               void=payload.void, version=payload.version, ip=_ip(request))
    return Status(201, _written(correction))


@router.post("/bulk", response={201: BulkOut, **ERRORS}, summary="批量记录同一进度（全部成功才写入）")
def event_bulk(request, payload: BulkIn):
    if payload.household_ids:
        ids = list(payload.household_ids)
    elif payload.project and payload.numbers:
        project = importing.project_for_progress(actor=request.auth, code=payload.project)
        numbers = [n for value in payload.numbers for n in importing.split_numbers(value)]
        ids = importing.households_by_number(household_write_scope(request.auth), project=project, numbers=numbers)
    else:
        raise AppError(_("请给出 household_ids，或 project 与 numbers（户号）。"), fields={"household_ids": _("必填")})
    count = households_record_stage(actor=request.auth, household_ids=ids, kind=payload.kind,
                                    on_date=payload.on_date, note=payload.note,
                                    resettlement_mode=payload.resettlement_mode,
                                    heritage_override_reason=payload.heritage_override_reason, ip=_ip(request))
    return Status(201, {"recorded": count})
