"""Pages of the campaign: the list, the overview (targets against progress with lights), the campaign's
settings, the targets grid, milestones, the village completion rule, and the responsibility agreements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.campaign.agreement_doc import agreement_docx, agreement_filename
from gaizao.campaign.choices import AgreementStatus, Metric
from gaizao.campaign.completion import CONDITIONS, rule_for, villages_completion
from gaizao.campaign.forms.campaign import (AgreementEditForm, AgreementIssueForm, AgreementSignForm, CampaignForm,
                                           CompletionRuleForm, MilestoneForm, NarrowTargetForm, TargetsForm)
from gaizao.campaign.policies import campaign_can_write
from gaizao.campaign.selectors import campaign as sel
from gaizao.campaign.selectors.overview import overview
from gaizao.campaign.services import agreements as agreement_services
from gaizao.campaign.services import campaign as services
from gaizao.core.editing import edit_page
from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip
from gaizao.ledger.choices import RenovationMode


def _crumbs(campaign=None, *rest):
    out = [(_("攻坚行动"), reverse("campaign:index"))]
    if campaign is not None:
        out.append((campaign.name, reverse("campaign:overview", args=[campaign.pk])))
    return out + list(rest)


def _writer(request):
    if not campaign_can_write(request.user):
        raise Http404(_("不存在或无权操作。"))


@login_required
@require_GET
def index(request):
    """The current campaign's overview, or the list (with 新建 for the office) when there is none."""
    campaigns = sel.campaign_list(request.user)
    if campaigns and "all" not in request.GET:
        from gaizao.campaign.selectors.status import current_campaign

        current = current_campaign()
        if current is not None and any(c.pk == current.pk for c in campaigns):
            return redirect("campaign:overview", pk=current.pk)
    return render(request, "campaign/campaign/list.html", {
        "campaigns": campaigns, "may_write": campaign_can_write(request.user), "breadcrumbs": _crumbs()})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _writer(request)
    form = CampaignForm(request.POST or None)
    return edit_page(request, form, save=lambda form: services.campaign_create(
        actor=request.user, ip=client_ip(request), **form.cleaned_data),
        message=_("已创建攻坚行动，请分解目标。"), done=lambda c: reverse("campaign:targets", args=[c.pk]),
        page=lambda status: render(request, "campaign/campaign/form.html", {
            "form": form, "breadcrumbs": _crumbs(None, (_("新建"), None))}, status=status))


@login_required
@require_GET
def campaign_overview(request, pk: int):
    campaign = sel.campaign_get(request.user, pk=pk)
    return render(request, "campaign/campaign/overview.html", {
        "campaign": campaign, "view": overview(request.user, campaign), "may_write": campaign_can_write(request.user),
        "breadcrumbs": _crumbs(campaign)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    campaign = sel.campaign_get(request.user, pk=pk)
    _writer(request)
    fields = list(CampaignForm.base_fields)
    form = CampaignForm(request.POST or None, initial={f: getattr(campaign, f) for f in fields})
    return edit_page(request, form, save=lambda form: services.campaign_update(
        actor=request.user, campaign=campaign, version=int(request.POST.get("version", 0) or 0), ip=client_ip(request),
        **{f: form.cleaned_data[f] for f in fields}),
        done=lambda c: reverse("campaign:overview", args=[campaign.pk]),
        page=lambda status: render(request, "campaign/campaign/form.html", {
            "form": form, "campaign": campaign, "version": campaign.version,
            "breadcrumbs": _crumbs(campaign, (_("修改"), None))}, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_targets(request, pk: int):
    """目标分解: the district goals and every street's targets in one grid, saved in one write."""
    campaign = sel.campaign_get(request.user, pk=pk)
    _writer(request)
    streets = sel.streets()
    grid = sel.target_grid(campaign)
    form = TargetsForm(request.POST or None, streets=streets, grid=grid)

    def save(form):
        goals, targets = form.changes()
        return services.targets_set(actor=request.user, campaign=campaign, goals=goals, targets=targets,
                                    reason=form.cleaned_data["reason"], ip=client_ip(request))

    def page(status):
        from gaizao.campaign.selectors.status import campaign_overview_status

        status_now = campaign_overview_status(campaign, streets=streets)
        return render(request, "campaign/campaign/targets.html", {
            "campaign": campaign, "form": form, "metrics": [Metric(m) for m in form.metrics],
            "sums": [(m, {g.key: g for g in status_now.goals}.get(m)) for m in form.metrics],
            "narrowed": sel.narrowed_targets(campaign), "narrow_form": NarrowTargetForm(),
            "breadcrumbs": _crumbs(campaign, (_("目标分解"), None))}, status=status)

    return edit_page(request, form, save=save, page=page, done=lambda n: reverse("campaign:targets", args=[pk]),
                     message=lambda n: _("已保存 %(n)d 项目标。") % {"n": n} if n else _("没有修改。"))


@login_required
@require_POST
def campaign_target_narrow(request, pk: int):
    """到村、到项目的目标: one village's or project's target (set, changed, or removed when empty)."""
    campaign = sel.campaign_get(request.user, pk=pk)
    _writer(request)
    form = NarrowTargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        village = data["village"]
        try:
            services.target_set(actor=request.user, campaign=campaign, metric=data["metric"], street=village.street,
                                village=village, project=data["project"], target=data["target"],
                                ip=client_ip(request))
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存到村（项目）的目标。"))
    else:
        messages.error(request, "；".join(f"{form.fields[k].label}：{'；'.join(v)}" if k in form.fields else "；".join(v)
                                         for k, v in form.errors.items()))
    return redirect("campaign:targets", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_milestones(request, pk: int):
    """节点目标: the share of each metric due by a date, for every street."""
    campaign = sel.campaign_get(request.user, pk=pk)
    _writer(request)
    form = MilestoneForm(request.POST or None)
    return edit_page(request, form, save=lambda form: services.milestone_set(
        actor=request.user, campaign=campaign, ip=client_ip(request), **form.cleaned_data),
        message=_("已保存节点目标。"), done=lambda m: reverse("campaign:milestones", args=[pk]),
        page=lambda status: render(request, "campaign/campaign/milestones.html", {
            "campaign": campaign, "form": form,
            "milestones": sel.milestone_list(campaign),
            "breadcrumbs": _crumbs(campaign, (_("节点目标"), None))}, status=status))


@login_required
@require_POST
def milestone_remove(request, pk: int, mid: int):
    campaign = sel.campaign_get(request.user, pk=pk)
    _writer(request)
    milestone = sel.milestone_of(campaign, pk=mid)
    services.milestone_set(actor=request.user, campaign=campaign, metric=milestone.metric, due_on=milestone.due_on,
                           rate=None, target=milestone.target, ip=client_ip(request))
    messages.success(request, _("已删除节点目标。"))
    return redirect("campaign:milestones", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_completion(request, pk: int):
    """村完成标准: the conditions per mode, and every village judged by them with its reason."""
    campaign = sel.campaign_get(request.user, pk=pk)
    form = CompletionRuleForm(request.POST or None, campaign=campaign) if campaign_can_write(request.user) else None

    def page(status):
        villages = sel.villages_for_completion()
        judged = villages_completion(campaign, villages)
        rows = [(v, judged[v.pk]) for v in villages]
        return render(request, "campaign/campaign/completion.html", {
            "campaign": campaign, "form": form, "rows": rows, "done": sum(1 for _v, j in rows if j.done),
            "rules": [(label, [CONDITIONS[k].label for k in rule_for(campaign, mode)])
                      for mode, label in RenovationMode.choices],
            "breadcrumbs": _crumbs(campaign, (_("村完成标准"), None))}, status=status)

    return edit_page(request, form, save=lambda form: services.completion_rule_set(
        actor=request.user, campaign=campaign, rules={m: form.cleaned_data[m] for m in RenovationMode.values},
        ip=client_ip(request)), message=_("已保存村完成标准。"),
        done=lambda c: reverse("campaign:completion", args=[pk]), page=page)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_list(request, pk: int):
    """目标责任书: each street's versions; the office drafts them all from the targets."""
    campaign = sel.campaign_get(request.user, pk=pk)
    if request.method == "POST":
        _writer(request)
        try:
            drafted = agreement_services.agreements_draft_all(actor=request.user, campaign=campaign,
                                                              ip=client_ip(request))
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已生成（或更新）%(n)d 份责任书草稿。") % {"n": len(drafted)})
        return redirect("campaign:agreements", pk=pk)
    agreements = sel.agreement_list(request.user, campaign)
    by_street: dict = {}
    for a in agreements:
        by_street.setdefault(a.street_id, {"street": a.street, "versions": []})["versions"].append(a)
    return render(request, "campaign/campaign/agreements.html", {
        "campaign": campaign, "streets": list(by_street.values()), "may_write": campaign_can_write(request.user),
        "breadcrumbs": _crumbs(campaign, (_("目标责任书"), None))})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_detail(request, pk: int):
    """One version: its frozen targets, its history, and the office's next step (edit, issue, sign)."""
    agreement = sel.agreement_get(request.user, pk=pk)
    campaign = agreement.campaign
    may_write = campaign_can_write(request.user)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    forms = {}
    if may_write and agreement.status == AgreementStatus.DRAFT:
        forms["edit"] = AgreementEditForm(request.POST if step == "edit" else None,
                                          initial={"duties": agreement.duties, "assessment": agreement.assessment})
        forms["issue"] = AgreementIssueForm(request.POST if step == "issue" else None)
    if may_write and agreement.status == AgreementStatus.ISSUED:
        forms["sign"] = AgreementSignForm(request.POST if step == "sign" else None,
                                          request.FILES if step == "sign" else None)
    if request.method == "POST" and step not in forms:
        if may_write and step in {"edit", "issue", "sign"}:
            messages.error(request, _("第 %(v)d 版当前为「%(s)s」，不能执行此操作；如需调整，请生成新版本。")
                           % {"v": agreement.version, "s": agreement.get_status_display()})
            return redirect("campaign:agreement", pk=pk)
        raise Http404(_("不存在或无权操作。"))
    saves = {
        "edit": lambda f: agreement_services.agreement_update(actor=request.user, agreement=agreement,
                                                               ip=client_ip(request), **f.cleaned_data),
        "issue": lambda f: agreement_services.agreement_issue(actor=request.user, agreement=agreement,
                                                               ip=client_ip(request), **f.cleaned_data),
        "sign": lambda f: agreement_services.agreement_sign(actor=request.user, agreement=agreement,
                                                             ip=client_ip(request), **f.cleaned_data),
    }
    done_words = {"edit": _("已保存草稿。"), "issue": _("已印发。"), "sign": _("已上传签订的责任书，责任书生效。")}
    return edit_page(request, forms.get(step), save=saves.get(step), message=done_words.get(step),
                     done=lambda a: reverse("campaign:agreement", args=[pk]),
                     page=lambda status: render(request, "campaign/campaign/agreement.html", {
                         "agreement": agreement, "campaign": campaign, "forms": forms,
                         "versions": sel.agreement_versions(agreement),
                         "breadcrumbs": _crumbs(campaign, (_("目标责任书"), reverse("campaign:agreements",
                                                                                  args=[campaign.pk])),
                                                (f"{agreement.street.name} 第{agreement.version}版", None))},
                         status=status))


@login_required
@require_GET
def agreement_download(request, pk: int):
    """The version as 公文 DOCX, from its frozen targets."""
    agreement = sel.agreement_get(request.user, pk=pk)
    response = HttpResponse(agreement_docx(agreement), content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(agreement_filename(agreement))}"
    return response


@login_required
@require_GET
def agreement_scan(request, pk: int):
    agreement = sel.agreement_get(request.user, pk=pk)
    if not agreement.scan:
        raise Http404(_("尚未上传扫描件。"))
    return FileResponse(agreement.scan.open("rb"), as_attachment=True, filename=agreement.scan_name or "scan")


urlpatterns = [
    path("", index, name="index"),
    path("new/", campaign_create, name="create"),
    path("<int:pk>/", campaign_overview, name="overview"),
    path("<int:pk>/edit/", campaign_edit, name="edit"),
    path("<int:pk>/targets/", campaign_targets, name="targets"),
    path("<int:pk>/targets/narrow/", campaign_target_narrow, name="target_narrow"),
    path("<int:pk>/milestones/", campaign_milestones, name="milestones"),
    path("<int:pk>/milestones/<int:mid>/remove/", milestone_remove, name="milestone_remove"),
    path("<int:pk>/completion/", campaign_completion, name="completion"),
    path("<int:pk>/agreements/", agreement_list, name="agreements"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement"),
    path("agreements/<int:pk>/docx/", agreement_download, name="agreement_docx"),
    path("agreements/<int:pk>/scan/", agreement_scan, name="agreement_scan"),
]
