"""Pages: meetings (例会) and their decisions (议定事项).

The list (the office's leading-group and dispatch meetings, a street's own street meetings), one
meeting with its decisions — each made a task in one step — and the follow-up of earlier meetings'
decisions (open, overdue, done), and the minutes as a 公文 (DOCX). Thin: parse, call, render.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign import documents
from gaizao.campaign.choices import OPEN_TASK_STATUSES, MeetingKind
from gaizao.campaign.forms.meetings import DecisionForm, DecisionTaskForm, MeetingForm
from gaizao.campaign.policies.meetings import meeting_can_hold_district, meeting_can_write, meeting_street_ids
from gaizao.campaign.policies.tasks import task_write_scope
from gaizao.campaign.selectors import meetings as selectors
from gaizao.campaign.selectors.reports import current_campaign
from gaizao.campaign.services import meetings as services
from gaizao.core.editing import edit_page
from gaizao.core.requests import client_ip as _ip
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit, User

GET_POST = require_http_methods(["GET", "POST"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign(request):
    raw = request.GET.get("campaign") or request.POST.get("campaign")
    campaign = current_campaign(int(raw) if raw and raw.isdigit() else None)
    if campaign is None:
        raise Http404(_("没有进行中的攻坚行动。"))
    return campaign


def _crumbs(*last) -> list:
    return [(_("会议"), reverse("campaign:meetings") if last else None), *last]


def _detail_url(meeting) -> str:
    return reverse("campaign:meeting_detail", args=[meeting.pk])


def _kinds(user) -> list[str]:
    kinds = list(services.DISTRICT_KINDS) if meeting_can_hold_district(user) else []
    if meeting_can_hold_district(user) or meeting_street_ids(user):
        kinds.append(MeetingKind.STREET)
    return kinds


def _streets(user):
    if meeting_can_hold_district(user):
        return OrgUnit.objects.filter(kind=OrgKind.STREET).values_list("pk", flat=True)
    return list(meeting_street_ids(user))


@login_required
@require_GET
def meeting_list(request):
    if not request.GET.get("campaign") and current_campaign() is None:
        return render(request, "campaign/reports/no_campaign.html", {"heading": _("会议"), "breadcrumbs": _crumbs()})
    campaign = _campaign(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in MeetingKind.values else None
    return render(request, "campaign/meetings/list.html", {
        "campaign": campaign, "meetings": selectors.meeting_list(request.user, campaign=campaign, kind=kind)[:200],
        "kind": kind, "kinds": MeetingKind.choices, "can_create": bool(_kinds(request.user)),
        "breadcrumbs": _crumbs(),
    })


@login_required
@GET_POST
def meeting_create(request):
    campaign = _campaign(request)
    kinds = _kinds(request.user)
    if not kinds:
        raise Http404(_("不存在或无权操作。"))
    form = MeetingForm(request.POST or None, kinds=kinds, streets=_streets(request.user),
                       initial={"kind": kinds[0]})
    return edit_page(request, form, save=lambda form: services.meeting_create(
        actor=request.user, campaign=campaign, ip=_ip(request), **form.values()),
        message=_("已登记会议，请添加议定事项。"), done=_detail_url,
        page=lambda status: render(request, "campaign/meetings/form.html", {
            "form": form, "campaign": campaign, "breadcrumbs": _crumbs((_("登记会议"), None)),
        }, status=status))


def _task_form(request, meeting, data=None, decisions=None):
    """Who a decision may be given to: the office — any street or department; a street — itself,
    under one of its own open tasks."""
    if meeting_can_hold_district(request.user):
        units = OrgUnit.objects.filter(kind__in=(OrgKind.STREET, OrgKind.DEPARTMENT)).order_by("kind", "path")
    else:
        units = OrgUnit.objects.filter(pk=meeting.unit_id)
    people = User.objects.filter(is_active=True, memberships__org_unit__in=units).distinct().order_by("username")
    parents = task_write_scope(request.user).filter(campaign_id=meeting.campaign_id, status__in=OPEN_TASK_STATUSES)
    open_decisions = meeting.decisions.filter(task__isnull=True).order_by("order", "id")
    return DecisionTaskForm(data, decisions=open_decisions, units=units, people=people,
                            parents=parents.order_by("deadline", "id"))


def _render_detail(request, meeting, *, status=200, edit_form=None, decision_form=None, task_form=None):
    writer = meeting_can_write(request.user, meeting)
    decisions = selectors.meeting_decisions(meeting)
    return render(request, "campaign/meetings/detail.html", {
        "meeting": meeting, "decisions": decisions,
        "earlier": selectors.earlier_decisions(meeting),
        "writer": writer,
        "edit_form": edit_form or (MeetingForm(meeting=meeting, kinds=[], streets=[]) if writer else None),
        "decision_form": decision_form or (DecisionForm() if writer else None),
        "task_form": task_form or (_task_form(request, meeting) if writer and any(not d.task_id for d in decisions)
                                   else None),
        "breadcrumbs": _crumbs((meeting.title, None)),
    }, status=status)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    return _render_detail(request, selectors.meeting_get(request.user, pk=pk))


@login_required
@require_POST
def meeting_edit(request, pk: int):
    meeting = selectors.meeting_get(request.user, pk=pk)
    form = (MeetingForm(request.POST, meeting=meeting, kinds=[], streets=[])
            if meeting_can_write(request.user, meeting) else None)
    return edit_page(request, form, save=lambda form: services.meeting_update(
        actor=request.user, meeting=meeting, version=form.cleaned_data.get("version"), ip=_ip(request),
        **form.values()), message=_("已保存会议记录。"), done=_detail_url,
        page=lambda status: _render_detail(request, meeting, status=status, edit_form=form))


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = selectors.meeting_get(request.user, pk=pk)
    form = DecisionForm(request.POST) if meeting_can_write(request.user, meeting) else None
    return edit_page(request, form, save=lambda form: services.decision_add(
        actor=request.user, meeting=meeting, text=form.cleaned_data.get("text"), ip=_ip(request)),
        message=lambda d: _("已添加第 %(n)d 项议定事项。") % {"n": d.order}, done=lambda d: _detail_url(meeting),
        page=lambda status: _render_detail(request, meeting, status=status, decision_form=form))


@login_required
@require_POST
def decision_task(request, pk: int):
    """One of the meeting's decisions made a task (转为任务), from the meeting page."""
    meeting = selectors.meeting_get(request.user, pk=pk)
    form = _task_form(request, meeting, request.POST) if meeting_can_write(request.user, meeting) else None

    def save(form):
        data = form.cleaned_data
        return services.decision_to_task(actor=request.user, decision=data["decision"], unit=data.get("unit"),
                                         person=data.get("person"), deadline=data.get("deadline"),
                                         workdays=data.get("workdays"), title=data.get("title") or "",
                                         parent=data.get("parent"), ip=_ip(request))

    return edit_page(request, form, save=save,
                     message=lambda d: _("第 %(n)d 项已转为任务：%(t)s") % {"n": d.order, "t": d.task.title},
                     done=lambda d: _detail_url(meeting),
                     page=lambda status: _render_detail(request, meeting, status=status, task_form=form))


@login_required
@require_GET
def meeting_minutes(request, pk: int):
    """The minutes (会议纪要) as a 公文."""
    from gaizao.documents import docx

    meeting = selectors.meeting_get(request.user, pk=pk)
    data = docx.render("minutes", documents.minutes_context(meeting))
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"{meeting.title}纪要.docx")
    return response


urlpatterns = [
    path("meetings/", meeting_list, name="meetings"),
    path("meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/decisions/", decision_add, name="decision_add"),
    path("meetings/<int:pk>/minutes.docx", meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/task/", decision_task, name="decision_task"),
]
