"""The meetings API (例会): list, get (with decisions and the follow-up of earlier decisions), create,
update, add a decision, make a decision a task. Same services as the pages."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Status

from gaizao.campaign.api.meeting_schemas import (DecisionIn, DecisionOut, DecisionTaskIn, MeetingIn, MeetingOut,
                                                 MeetingPatch, MeetingRowOut)
from gaizao.campaign.models import Decision
from gaizao.campaign.policies.meetings import meeting_scope
from gaizao.campaign.selectors import meetings as selectors
from gaizao.campaign.selectors.reports import current_campaign
from gaizao.campaign.services import meetings as services
from gaizao.core.requests import client_ip as _ip
from gaizao.core.schemas import Id
from gaizao.core.scoping import get_in_scope

router = Router(tags=["会议"])
ERRORS = {400: dict, 404: dict, 409: dict}


def _task(task) -> dict | None:
    if task is None:
        return None
    return {"id": task.pk, "title": task.title, "unit_id": task.unit_id, "deadline": task.deadline,
            "status": task.status}


def _detail(user, pk: int) -> dict:
    meeting = selectors.meeting_get(user, pk=pk)
    return {
        **{f: getattr(meeting, f) for f in ("id", "version", "campaign_id", "kind", "unit_id", "title", "number",
                                            "held_on", "place", "chair", "attendees", "agenda", "minutes")},
        "decisions": [{"id": d.pk, "order": d.order, "text": d.text, "task": _task(d.task)}
                      for d in selectors.meeting_decisions(meeting)],
        "earlier": [{"decision_id": f.decision.pk, "meeting_id": f.decision.meeting_id,
                     "meeting_title": f.decision.meeting.title, "order": f.decision.order,
                     "task": _task(f.decision.task), "state": f.state}
                    for f in selectors.earlier_decisions(meeting)],
    }


@router.get("/meetings", response=list[MeetingRowOut], summary="会议列表")
def meeting_list(request, campaign_id: Id | None = None, kind: str | None = None):
    campaign = current_campaign(campaign_id)
    if campaign is None:
        raise Http404("没有进行中的攻坚行动。")
    return list(selectors.meeting_list(request.auth, campaign=campaign, kind=kind)[:500])


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="登记会议")
def meeting_create(request, payload: MeetingIn):
    campaign = current_campaign(payload.campaign_id)
    if campaign is None:
        raise Http404("没有进行中的攻坚行动。")
    data = payload.dict(exclude={"campaign_id", "unit_id"})
    meeting = services.meeting_create(actor=request.auth, campaign=campaign, unit=payload.unit_id, ip=_ip(request),
                                      **data)
    return Status(201, _detail(request.auth, meeting.pk))


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="一次会议（议定事项及此前议定事项的落实情况）")
def meeting_get(request, meeting_id: Id):
    return _detail(request.auth, meeting_id)


@router.patch("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="修改会议记录")
def meeting_update(request, meeting_id: Id, payload: MeetingPatch):
    meeting = selectors.meeting_get(request.auth, pk=meeting_id)
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    services.meeting_update(actor=request.auth, meeting=meeting, version=payload.version, ip=_ip(request), **changes)
    return _detail(request.auth, meeting_id)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut, **ERRORS}, summary="添加议定事项")
def decision_add(request, meeting_id: Id, payload: DecisionIn):
    meeting = selectors.meeting_get(request.auth, pk=meeting_id)
    decision = services.decision_add(actor=request.auth, meeting=meeting, text=payload.text, ip=_ip(request))
    return Status(201, {"id": decision.pk, "order": decision.order, "text": decision.text, "task": None})


@router.post("/decisions/{decision_id}/task", response={200: DecisionOut, **ERRORS},
             summary="议定事项转为任务（一步完成，不能重复）")
def decision_to_task(request, decision_id: Id, payload: DecisionTaskIn):
    decision = get_in_scope(Decision.objects.filter(meeting__in=meeting_scope(request.auth)), pk=decision_id)
    done = services.decision_to_task(actor=request.auth, decision=decision, unit=payload.unit_id,
                                     person=payload.person_id, deadline=payload.deadline, workdays=payload.workdays,
                                     title=payload.title, parent=payload.parent_id, ip=_ip(request))
    return {"id": done.pk, "order": done.order, "text": done.text, "task": _task(done.task)}
