"""Responsibility agreements (目标责任书) between the district and each street.

Drafted from the campaign and the street's targets (frozen into the version: what the document
prints); draft → issued (印发, with its 文号) → signed (the signed and sealed scan uploaded) → in force
(生效; the version it replaces is superseded, kept and shown). Only a draft is edited: an issued or
signed agreement is refused, and a change of targets drafts the next version instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.campaign.choices import AgreementStatus
from gaizao.campaign.models import Agreement, Campaign, Target
from gaizao.campaign.policies import campaign_can_write
from gaizao.core.errors import AppError
from gaizao.core.services import full_clean
from gaizao.core.text import strip_refused
from gaizao.core.writes import writes
from gaizao.org.models import OrgUnit
from gaizao.progress.services.attachments import check_attachment

DEFAULT_DUTIES = (
    "街道党工委、办事处是本辖区城中村改造工作的责任主体，主要负责同志为第一责任人，分管负责同志为直接责任人。",
    "按照“一村一方案、一户一策”要求，组织做好入户调查、认定评估、签约腾空、拆除清表和安置等工作。",
    "依法依规实施征收补偿，落实补偿安置政策公开公示，不得擅自提高或降低补偿安置标准。",
    "建立包户干部责任制，做好群众工作和矛盾化解，确保不发生重大信访和安全事件。",
    "按时报送工作进展，每周向区城中村改造工作领导小组办公室报送定期汇报。",
)
DEFAULT_ASSESSMENT = (
    "本责任书目标完成情况纳入年度综合考核，按照区城中村改造工作考核办法进行考核。",
    "对按期完成或超额完成目标任务的，予以通报表扬；对进度滞后、未完成目标任务的，予以通报批评、约谈，"
    "情节严重的依规依纪追究责任。",
    "本责任书一式两份，区领导小组办公室和街道各执一份，自双方签订之日起生效。",
)
EDITABLE = {AgreementStatus.DRAFT}


def _refuse_edit(agreement: Agreement) -> AppError:
    return AppError(_("「%(t)s」第 %(v)d 版已%(s)s，不能再修改；如需调整，请生成新版本。")
                    % {"t": agreement.title, "v": agreement.version, "s": agreement.get_status_display()},
                    status=409)


def target_rows(campaign: Campaign, street: OrgUnit) -> list[dict]:
    """The street's targets as the agreement prints them (指标, 目标值, 节点要求), frozen into a version."""
    from gaizao.campaign.selectors.status import fmt, unit_of

    rows = []
    targets = (Target.objects.filter(campaign=campaign, street=street).select_related("village", "project")
               .prefetch_related("milestones").order_by("metric", "id"))
    general = {}
    for m in campaign.milestones.filter(target__isnull=True).order_by("due_on"):
        general.setdefault(m.metric, []).append(m)
    for t in targets:
        milestones = list(t.milestones.all()) or general.get(t.metric, [])
        scope = t.project.name if t.project_id else t.village.name if t.village_id else ""
        steps = "；".join(f"{m.due_on.month}月{m.due_on.day}日前完成{m.rate.normalize():f}%" for m in
                         sorted(milestones, key=lambda m: m.due_on))
        rows.append({"metric": t.metric, "label": t.get_metric_display(), "scope": scope, "target": fmt(t.target),
                     "unit": unit_of(t.metric), "milestones": steps})
    return rows


def _title(campaign: Campaign, street: OrgUnit) -> str:
    return _("%(c)s目标责任书（%(s)s）") % {"c": campaign.name, "s": street.name}


def _next_version(campaign: Campaign, street: OrgUnit) -> int:
    return (Agreement.objects.filter(campaign=campaign, street=street).aggregate(v=Max("version"))["v"] or 0) + 1


def latest(campaign: Campaign, street: OrgUnit) -> Agreement | None:
    return Agreement.objects.filter(campaign=campaign, street=street).order_by("-version").first()


@writes(policy=campaign_can_write)
def agreement_draft(*, actor, campaign: Campaign, street: OrgUnit, reason: str = "",
                    ip: str | None = None) -> Agreement:
    """Draft the street's agreement from its targets: refresh the draft there is, else the next version."""
    rows = target_rows(campaign, street)
    if not rows:
        raise AppError(_("%(s)s尚未分解目标，不能生成责任书。") % {"s": street.name}, fields={"street": _("没有目标。")})
    current = latest(campaign, street)
    if current is not None and current.status == AgreementStatus.DRAFT:
        if current.targets != rows:
            before = current.targets
            Agreement.objects.filter(pk=current.pk).update(targets=rows, updated_at=timezone.now())
            current.targets = rows
            writes.audit(action="campaign.agreement_draft", obj=current, changes={"targets": [before, rows]})
        return current
    agreement = Agreement(campaign=campaign, street=street, version=_next_version(campaign, street),
                          title=_title(campaign, street), duties="\n".join(DEFAULT_DUTIES),
                          assessment="\n".join(DEFAULT_ASSESSMENT), targets=rows, supersedes=current,
                          change_reason=(reason or (_("目标调整") if current else ""))[:200],
                          created_by=actor if getattr(actor, "pk", None) else None)
    if current is not None:
        agreement.duties, agreement.assessment = current.duties, current.assessment
    full_clean(agreement)
    agreement.save(force_insert=True)
    writes.audit(action="campaign.agreement_draft", obj=agreement,
                 changes={"version": agreement.version, "targets": rows, "reason": agreement.change_reason})
    return agreement


def targets_changed(*, actor, campaign: Campaign, street: OrgUnit, reason: str = "") -> Agreement | None:
    """After a target of ``street`` changed (inside that write): the draft follows; a version already
    issued or signed stays as it was and the next version is drafted (called by ``target_set``)."""
    current = latest(campaign, street)
    if current is None or not Target.objects.filter(campaign=campaign, street=street).exists():
        return None
    return agreement_draft(actor=actor, campaign=campaign, street=street, reason=reason)


@writes(policy=campaign_can_write)
def agreements_draft_all(*, actor, campaign: Campaign, ip: str | None = None) -> list[Agreement]:
    """Draft (or refresh) the agreement of every street that has targets."""
    streets = OrgUnit.objects.filter(pk__in=Target.objects.filter(campaign=campaign).values("street_id")
                                     ).order_by("path")
    return [agreement_draft(actor=actor, campaign=campaign, street=s) for s in streets]


@writes(policy=campaign_can_write)
def agreement_update(*, actor, agreement: Agreement, duties: str, assessment: str, ip: str | None = None) -> Agreement:
    """Edit a draft's duties and assessment clause; an issued or signed version is refused."""
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if current.status not in EDITABLE:
        raise _refuse_edit(current)
    before = {"duties": current.duties, "assessment": current.assessment}
    current.duties, current.assessment = duties.strip(), assessment.strip()
    full_clean(current)
    Agreement.objects.filter(pk=current.pk, status=AgreementStatus.DRAFT).update(
        duties=current.duties, assessment=current.assessment, updated_at=timezone.now())
    writes.audit(action="campaign.agreement_draft", obj=current,
                 changes={k: [v, getattr(current, k)] for k, v in before.items() if v != getattr(current, k)})
    return current


def _move(agreement: Agreement, old: str, values: dict) -> None:
    if Agreement.objects.filter(pk=agreement.pk, status=old).update(**values, updated_at=timezone.now()) != 1:
        current = Agreement.objects.get(pk=agreement.pk)
        raise AppError(_("「%(t)s」第 %(v)d 版当前为「%(s)s」，不能执行此操作。")
                       % {"t": current.title, "v": current.version, "s": current.get_status_display()}, status=409)
    for k, v in values.items():
        setattr(agreement, k, v)


def next_number(campaign: Campaign, on: dt.date) -> str:
    """The next 文号 of the campaign's agreements: 改造办〔2026〕N号, N counting this year's issued ones."""
    count = Agreement.objects.filter(campaign=campaign, issued_on__year=on.year).exclude(number="").count()
    return f"{campaign.number_prefix}〔{on.year}〕{count + 1}号"


@writes(policy=campaign_can_write)
def agreement_issue(*, actor, agreement: Agreement, issued_on: dt.date | None = None, number: str = "",
                    ip: str | None = None) -> Agreement:
    """Issue a draft (印发) with its 文号 (the next one of the year unless given)."""
    issued_on = issued_on or timezone.localdate()
    number = strip_refused(number or "", multiline=False).strip() or next_number(agreement.campaign, issued_on)
    if len(number) > 60:
        raise AppError(_("文号不能超过 60 个字。"), fields={"number": _("过长。")})
    _move(agreement, AgreementStatus.DRAFT, {"status": AgreementStatus.ISSUED, "issued_on": issued_on,
                                             "number": number})
    writes.audit(action="campaign.agreement_issue", obj=agreement,
                 changes={"status": [AgreementStatus.DRAFT, AgreementStatus.ISSUED], "number": number,
                          "issued_on": issued_on.isoformat()})
    return agreement


@writes(policy=campaign_can_write)
def agreement_sign(*, actor, agreement: Agreement, scan, signed_on: dt.date | None = None,
                   in_force: bool = True, ip: str | None = None) -> Agreement:
    """Record the signed and sealed agreement (签订: its scan, PDF or image) and, unless told not to,
    put it in force (生效), superseding the version in force before it."""
    signed_on = signed_on or timezone.localdate()
    if scan is None:
        raise AppError(_("请上传签字盖章的责任书扫描件。"), fields={"scan": _("必填")})
    check_attachment(scan)
    if PurePath(scan.name or "").suffix.lower() not in {".pdf", ".jpg", ".jpeg", ".png"}:
        raise AppError(_("扫描件请上传 PDF、JPG 或 PNG 文件。"), fields={"scan": _("类型不支持")})
    if agreement.issued_on and signed_on < agreement.issued_on:
        raise AppError(_("签订日期不能早于印发日期（%(d)s）。") % {"d": agreement.issued_on},
                       fields={"signed_on": _("早于印发日期。")})
    name = strip_refused(PurePath(scan.name).name, multiline=False)[:200]
    _move(agreement, AgreementStatus.ISSUED, {"status": AgreementStatus.SIGNED, "signed_on": signed_on,
                                              "scan_name": name})
    agreement.scan.save(name, scan, save=False)
    Agreement.objects.filter(pk=agreement.pk).update(scan=agreement.scan.name)
    writes.audit(action="campaign.agreement_sign", obj=agreement,
                 changes={"status": [AgreementStatus.ISSUED, AgreementStatus.SIGNED], "scan": name,
                          "signed_on": signed_on.isoformat()})
    if in_force:
        agreement_in_force(actor=actor, agreement=agreement, on=signed_on, ip=ip)
    return agreement


@writes(policy=campaign_can_write)
def agreement_in_force(*, actor, agreement: Agreement, on: dt.date | None = None,
                       ip: str | None = None) -> Agreement:
    """A signed version takes effect (生效): the version in force before it is superseded (kept)."""
    on = on or timezone.localdate()
    earlier = list(Agreement.objects.filter(campaign=agreement.campaign_id, street=agreement.street_id,
                                            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SIGNED],
                                            version__lt=agreement.version))
    _move(agreement, AgreementStatus.SIGNED, {"status": AgreementStatus.IN_FORCE, "in_force_on": on})
    for old in earlier:
        Agreement.objects.filter(pk=old.pk).update(status=AgreementStatus.SUPERSEDED, updated_at=timezone.now())
        writes.audit(action="campaign.agreement_in_force", obj=old,
                     changes={"status": [old.status, AgreementStatus.SUPERSEDED],
                              "superseded_by": agreement.version})
    writes.audit(action="campaign.agreement_in_force", obj=agreement,
                 changes={"status": [AgreementStatus.SIGNED, AgreementStatus.IN_FORCE], "in_force_on": on.isoformat()})
    return agreement
