"""Pages of change requests after 公示 (变更申请): ask for one (the values, the reason, the evidence), see one with its
side-by-side diff and approve or reject it (a second person of the office), a household's requests, and the list
waiting for approval. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.compensation.choices import ChangeKind, ChangeStatus, SchemeStatus, ValuationKind
from gaizao.compensation.forms.changes import TARGETS, ChangeRequestForm, DecisionForm
from gaizao.compensation.models import Scheme, Valuation
from gaizao.compensation.policies.changes import change_can_decide, change_reader
from gaizao.compensation.selectors import changes as selectors
from gaizao.compensation.services import changes as services
from gaizao.core.editing import edit_page, found
from gaizao.core.errors import AppError, NotFound
from gaizao.core.requests import client_ip
from gaizao.ledger.models import Building, Person

GET_POST = require_http_methods(["GET", "POST"])


def _detail_url(change) -> str:
    return reverse("compensation:change_detail", args=[change.pk])


def _household_url(household_id: int) -> str:
    return reverse("ledger:household_detail", args=[household_id])


def _crumbs(household, *last) -> list:
    return [(_("住户"), reverse("ledger:household_list")),
            (f"{household.number} {household.head_name}", _household_url(household.pk)), *last]


def _target(request, household, kind: str):
    """(target, the row it changes) from the query string: ?building=, ?person=, ?target=new|household."""
    building, person, target = request.GET.get("building"), request.GET.get("person"), request.GET.get("target")
    if kind == ChangeKind.SCHEME:
        return "project", None
    if building:
        row = Building.objects.filter(pk=building if building.isdigit() else 0, household=household).first()
        if row is None:
            raise Http404(_("本户没有这栋房屋。"))
        return "building", row
    if person:
        row = Person.objects.filter(pk=person if person.isdigit() else 0, household=household).first()
        if row is None:
            raise Http404(_("本户没有这位家庭成员。"))
        return "person", row
    if target == "household":
        return "household", household
    if target == "new":
        return "new", None
    return None, None


@login_required
@GET_POST
def change_new(request, pk: int, kind: str):
    """Ask for a change of one household's compensation inputs (提交变更申请)."""
    if kind not in ChangeKind.values:
        raise Http404(_("没有这类变更。"))
    household = found(selectors.household_for_request, request.user, pk)
    target, current = _target(request, household, kind)
    form = None
    initial = {}
    if target is not None and (kind, target) in TARGETS:
        schemes = []
        if kind == ChangeKind.SCHEME:
            schemes = list(Scheme.objects.filter(project_id=household.project_id, status=SchemeStatus.DRAFT)
                           .order_by("-number"))
        if kind == ChangeKind.VALUATION and current is not None:
            valuation = Valuation.objects.filter(building=current, in_force=True).first()
            if valuation is not None:
                initial = {name: getattr(valuation, name) for name in ("unit_price", "decoration", "valued_on",
                                                                        "valuer", "appraiser", "report_no")}
                initial["kind"] = ValuationKind.REVIEW
        form = ChangeRequestForm(request.POST or None, request.FILES or None, kind=kind, target=target,
                                 current=current, schemes=schemes, initial=initial)

    def save(form):
        return services.change_request(actor=request.user, household=household, kind=kind, payload=form.payload(),
                                       reason=form.cleaned_data.get("reason") or "",
                                       evidence=form.cleaned_data.get("evidence"), ip=client_ip(request))

    def page(status):
        choices = {
            "buildings": list(Building.objects.filter(household=household).order_by("number", "pk")),
            "persons": list(Person.objects.filter(household=household).order_by("pk")),
        } if target is None else {}
        return render(request, "compensation/changes/new.html", {
            "household": household, "kind": kind, "kind_label": ChangeKind(kind).label, "target": target,
            "current": current, "form": form, "published_on": services.published_on(household.project_id),
            "kinds": ChangeKind.choices, **choices,
            "breadcrumbs": _crumbs(household, (_("提交变更申请"), None)),
        }, status=status)

    if form is None and request.method == "POST":  # nothing chosen to change: the page again, saying so
        messages.error(request, _("请先选择要变更的房屋、成员或本户信息。"))
        return page(400)
    return edit_page(request, form, save=save, done=_detail_url, page=page,
                     message=_("变更申请已提交，待领导小组办公室的第二人审核。"))


@login_required
@require_GET
def change_detail(request, pk: int):
    change = found(selectors.change_get, request.user, pk)
    return _detail(request, change, status=200)


def _detail(request, change, *, status: int, approve_form=None, reject_form=None):
    decide = selectors.may_decide(request.user, change)
    if decide:
        approve_form = approve_form or DecisionForm(initial={"version": change.version}, prefix="approve")
        reject_form = reject_form or DecisionForm(initial={"version": change.version}, prefix="reject")
    household = change.household
    return render(request, "compensation/changes/detail.html", {
        "change": change, "household": household, "summary": selectors.change_summary(change),
        "inputs": selectors.input_rows(change), "items": selectors.item_rows(change),
        "decide": decide, "approve_form": approve_form, "reject_form": reject_form,
        "own_request": change.requested_by_id == request.user.pk,
        "office": change_can_decide(request.user),
        "breadcrumbs": _crumbs(household, (_("变更申请 #%(n)d") % {"n": change.pk}, None)),
    }, status=status)


def _decision(request, pk: int, *, approve: bool):
    change = found(selectors.change_get, request.user, pk)
    prefix = "approve" if approve else "reject"
    form = DecisionForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _detail(request, change, status=400, **{f"{prefix}_form": form})
    service = services.change_approve if approve else services.change_reject
    try:
        service(actor=request.user, change=change, version=form.cleaned_data["version"],
                note=form.cleaned_data.get("note") or "", ip=client_ip(request))
    except NotFound:
        raise Http404(_("变更申请不存在或无权查看。")) from None
    except AppError as exc:
        form.apply_error(exc)
        change = found(selectors.change_get, request.user, pk)
        return _detail(request, change, status=exc.status, **{f"{prefix}_form": form})
    messages.success(request, _("已批准，变更已生效并重新测算、重新公示。") if approve else _("已驳回。"))
    return redirect(_detail_url(change))


@login_required
@require_POST
def change_approve(request, pk: int):
    return _decision(request, pk, approve=True)


@login_required
@require_POST
def change_reject(request, pk: int):
    return _decision(request, pk, approve=False)


@login_required
@require_GET
def change_evidence(request, pk: int):
    """The evidence of a request, to whoever reads the request."""
    change = found(selectors.change_get, request.user, pk)
    try:
        handle = change.evidence.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("证明材料文件不存在。")) from None
    return FileResponse(handle, as_attachment=True, filename=change.evidence.name.rsplit("/", 1)[-1])


@login_required
@require_GET
def change_list_household(request, pk: int):
    household = found(selectors.household_in_reach, request.user, pk)
    return render(request, "compensation/changes/household.html", {
        "household": household, "changes": selectors.household_changes(request.user, household),
        "breadcrumbs": _crumbs(household, (_("变更申请"), None)),
    })


@login_required
@require_GET
def change_list(request):
    """The requests in reach: waiting for approval by default (?status=approved|rejected|all)."""
    if not change_reader(request.user):
        raise Http404(_("无权查看。"))
    status = request.GET.get("status") or ChangeStatus.PENDING
    if status not in ChangeStatus.values and status != "all":
        status = ChangeStatus.PENDING
    return render(request, "compensation/changes/list.html", {
        "changes": selectors.change_list(request.user, status=None if status == "all" else status),
        "status": status, "statuses": ChangeStatus.choices, "office": change_can_decide(request.user),
        "breadcrumbs": [(_("补偿变更审核"), None)],
    })


urlpatterns = [
    path("changes/", change_list, name="change_list"),
    path("changes/<int:pk>/", change_detail, name="change_detail"),
    path("changes/<int:pk>/approve/", change_approve, name="change_approve"),
    path("changes/<int:pk>/reject/", change_reject, name="change_reject"),
    path("changes/<int:pk>/evidence/", change_evidence, name="change_evidence"),
    path("households/<int:pk>/changes/", change_list_household, name="change_list_household"),
    path("households/<int:pk>/changes/new/<str:kind>/", change_new, name="change_new"),
]
