"""Writes of the campaign (攻坚专项行动): the campaign, its district goals, the street targets and their
milestones (节点目标), and the village completion rule. The office (领导小组办公室) and the admin only.

A target changed after its street's responsibility agreement was signed drafts the agreement's next
version (``agreements.targets_changed``): the signed one stays in force, and shown, until the new one is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.campaign.choices import CampaignStatus, Metric
from gaizao.campaign.completion import check_rules
from gaizao.campaign.models import Campaign, Goal, Milestone, Target
from gaizao.campaign.policies import campaign_can_write
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import create, full_clean, save_changes
from gaizao.core.writes import writes
from gaizao.ledger.models import Project, Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

CAMPAIGN_FIELDS = {"name", "year", "starts_on", "ends_on", "status", "yellow_behind", "red_behind", "report_days",
                   "report_lock_days", "number_prefix"}


def _check_dates(starts_on: dt.date, ends_on: dt.date, year: int) -> None:
    if ends_on < starts_on:
        raise AppError(_("结束日期不能早于开始日期。"), fields={"ends_on": _("结束日期不能早于开始日期。")})
    if starts_on.year > year or ends_on.year < year:
        raise AppError(_("年度 %(y)d 不在行动起止日期之内。") % {"y": year}, fields={"year": _("年度不在起止日期之内。")})


def _check_lights(yellow: Decimal, red: Decimal) -> None:
    if yellow > red:
        raise AppError(_("黄灯落后百分点不能大于红灯落后百分点。"),
                       fields={"yellow_behind": _("黄灯落后百分点不能大于红灯落后百分点。")})


@writes(policy=campaign_can_write)
def campaign_create(*, actor, name: str, year: int, starts_on: dt.date, ends_on: dt.date,
                    yellow_behind: Decimal = Decimal("10"), red_behind: Decimal = Decimal("30"), report_days: int = 7,
                    report_lock_days: int = 3, number_prefix: str = "改造办", ip: str | None = None) -> Campaign:
    """Start a campaign (攻坚专项行动) with its dates and how its lights are judged."""
    _check_dates(starts_on, ends_on, year)
    _check_lights(yellow_behind, red_behind)
    campaign = Campaign(name=name, year=year, starts_on=starts_on, ends_on=ends_on, yellow_behind=yellow_behind,
                        red_behind=red_behind, report_days=report_days, report_lock_days=report_lock_days,
                        number_prefix=number_prefix, created_by=actor if getattr(actor, "pk", None) else None,
                        status=CampaignStatus.ACTIVE)
    return create(actor=actor, instance=campaign, action="campaign.create", ip=ip)


@writes(policy=campaign_can_write)
def campaign_update(*, actor, campaign: Campaign, version: int, ip: str | None = None, **values) -> Campaign:
    """Change a campaign's name, dates, status, light thresholds or reporting rhythm (versioned)."""
    unknown = set(values) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"campaign_update cannot change {sorted(unknown)}")
    merged = {f: values.get(f, getattr(campaign, f)) for f in CAMPAIGN_FIELDS}
    _check_dates(merged["starts_on"], merged["ends_on"], merged["year"])
    _check_lights(merged["yellow_behind"], merged["red_behind"])
    return save_changes(actor=actor, current=campaign, version=version, values=values, action="campaign.update",
                        ip=ip)


def _metric(metric: str) -> str:
    if metric not in Metric.values:
        raise AppError(_("未知的指标「%(m)s」。") % {"m": metric}, fields={"metric": _("未知的指标。")})
    return metric


def _amount(value, *, field: str = "target") -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:
        raise AppError(_("目标值「%(v)s」不是数字。") % {"v": value}, fields={field: _("请填写数字。")}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise AppError(_("目标值必须是不小于 0 的数字。"), fields={field: _("必须是不小于 0 的数字。")})
    if amount != amount.quantize(Decimal("0.01")):
        raise AppError(_("目标值最多两位小数。"), fields={field: _("最多两位小数。")})
    return amount


@writes(policy=campaign_can_write)
def goal_set(*, actor, campaign: Campaign, metric: str, target, ip: str | None = None) -> Goal | None:
    """Set (or, with ``target`` None, remove) the district's goal for a metric (区级目标)."""
    _metric(metric)
    current = Goal.objects.filter(campaign=campaign, metric=metric).first()
    before = None if current is None else str(current.target)
    if target is None or target == "":
        if current is not None:
            current.delete()
            writes.audit(action="campaign.goal_set", obj=campaign, changes={metric: [before, None]})
        return None
    amount = _amount(target)
    if current is None:
        current = Goal.objects.create(campaign=campaign, metric=metric, target=amount)
    elif current.target != amount:
        Goal.objects.filter(pk=current.pk).update(target=amount)
        current.target = amount
    else:
        return current
    writes.audit(action="campaign.goal_set", obj=campaign, changes={metric: [before, str(amount)]})
    return current


def _street_of(campaign: Campaign, street) -> OrgUnit:
    if not isinstance(street, OrgUnit):
        street = OrgUnit.objects.filter(code=str(street)).first()
    if street is None or street.kind != OrgKind.STREET:
        raise AppError(_("目标只能分解到街道：找不到该街道。"), fields={"street": _("找不到该街道。")})
    return street


@writes(policy=campaign_can_write)
def target_set(*, actor, campaign: Campaign, metric: str, street, target, village: Village | None = None,
               project: Project | None = None, reason: str = "", ip: str | None = None) -> Target | None:
    """Set one street's target for a metric (街道目标), optionally for one of its villages or projects;
    ``target`` None removes it. A change after the street's agreement was signed drafts its next version."""
    from gaizao.campaign.services.agreements import targets_changed

    _metric(metric)
    street = _street_of(campaign, street)
    if project is not None:
        village = project.village
    if village is not None and village.street_id != street.pk:
        raise AppError(_("城中村「%(v)s」不属于%(s)s。") % {"v": village.name, "s": street.name},
                       fields={"village": _("不属于该街道。")})
    lookup = {"campaign": campaign, "metric": metric, "street": street, "village": village if not project else None,
              "project": project}
    if project is not None:
        lookup = {"campaign": campaign, "metric": metric, "project": project}
    current = Target.objects.filter(**lookup).first()
    before = None if current is None else str(current.target)
    if target is None or target == "":
        if current is None:
            return None
        current.milestones.all().delete()
        current.delete()
        writes.audit(action="campaign.target_remove", obj=campaign,
                     changes={"street": street.name, "metric": metric, "target": [before, None]})
        targets_changed(actor=actor, campaign=campaign, street=street, reason=reason)
        return None
    amount = _amount(target)
    if current is None:
        current = Target(campaign=campaign, metric=metric, street=street, village=village, project=project,
                         target=amount)
        full_clean(current)
        current.save(force_insert=True)
    elif current.target == amount:
        return current
    else:
        Target.objects.filter(pk=current.pk).update(target=amount, version=current.version + 1)
        current.target, current.version = amount, current.version + 1
    writes.audit(action="campaign.target_set", obj=current,
                 changes={"street": street.name, "metric": metric, "target": [before, str(amount)]})
    targets_changed(actor=actor, campaign=campaign, street=street, reason=reason)
    return current


@writes(policy=campaign_can_write)
def milestone_set(*, actor, campaign: Campaign, metric: str, due_on: dt.date, rate, target: Target | None = None,
                  ip: str | None = None) -> Milestone | None:
    """Set the share of a metric due by a date (节点目标; ``rate`` None removes it), for every street's
    target of the metric, or for one target."""
    _metric(metric)
    if target is not None and target.campaign_id != campaign.pk:
        raise NotFound(_("目标不存在。"))
    if due_on < campaign.starts_on or due_on > campaign.ends_on:
        raise AppError(_("节点日期 %(d)s 不在行动起止日期（%(s)s 至 %(e)s）之内。")
                       % {"d": due_on, "s": campaign.starts_on, "e": campaign.ends_on},
                       fields={"due_on": _("不在行动起止日期之内。")})
    current = Milestone.objects.filter(campaign=campaign, metric=metric, target=target, due_on=due_on).first()
    if rate is None or rate == "":
        if current is not None:
            current.delete()
            writes.audit(action="campaign.milestone_remove", obj=campaign,
                         changes={"metric": metric, "due_on": due_on.isoformat(), "rate": [str(current.rate), None]})
        return None
    rate = _amount(rate, field="rate")
    if rate > 100:
        raise AppError(_("应完成比例不能超过 100%。"), fields={"rate": _("不能超过 100。")})
    before = None if current is None else str(current.rate)
    if current is None:
        current = Milestone.objects.create(campaign=campaign, metric=metric, target=target, due_on=due_on, rate=rate)
    else:
        Milestone.objects.filter(pk=current.pk).update(rate=rate)
        current.rate = rate
    writes.audit(action="campaign.milestone_set", obj=campaign,
                 changes={"metric": metric, "due_on": due_on.isoformat(), "rate": [before, str(rate)]})
    return current


@writes(policy=campaign_can_write)
def completion_rule_set(*, actor, campaign: Campaign, rules: dict, ip: str | None = None) -> Campaign:
    """Set what "village completed" means per mode in this campaign (村完成标准); an empty list: the default."""
    rules = check_rules(rules)
    before = campaign.completion_rules
    if before == rules:
        return campaign
    Campaign.objects.filter(pk=campaign.pk).update(completion_rules=rules, version=campaign.version + 1)
    campaign.completion_rules, campaign.version = rules, campaign.version + 1
    writes.audit(action="campaign.completion_rule_set", obj=campaign, changes={"completion_rules": [before, rules]})
    return campaign


@writes(policy=campaign_can_write)
def targets_set(*, actor, campaign: Campaign, goals: dict, targets: dict, reason: str = "",
                ip: str | None = None) -> int:
    """The targets editor in one write: district goals (metric → value or None) and street targets
    ((street, metric) → value or None); all or nothing. Returns how many changed."""
    changed = 0
    for metric, value in goals.items():
        before = Goal.objects.filter(campaign=campaign, metric=metric).values_list("target", flat=True).first()
        after = goal_set(actor=actor, campaign=campaign, metric=metric, target=value, ip=ip)
        changed += (None if after is None else after.target) != before
    for (street, metric), value in targets.items():
        street_id = street.pk if isinstance(street, OrgUnit) else street
        before = Target.objects.filter(campaign=campaign, metric=metric, street_id=street_id, village__isnull=True,
                                       project__isnull=True).values_list("target", flat=True).first()
        try:
            after = target_set(actor=actor, campaign=campaign, metric=metric, street=street, target=value,
                               reason=reason, ip=ip)
        except AppError as exc:
            name = street.name if isinstance(street, OrgUnit) else street
            raise AppError(f"{name}·{Metric(metric).label}：{exc.message}",
                           fields={f"t_{street_id}_{metric}": exc.message}) from None
        changed += (None if after is None else after.target) != before
    return changed
