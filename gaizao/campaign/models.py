"""The campaign (攻坚专项行动) and what hangs on it: goals and targets with milestones, responsibility
agreements (责任书), the task tree (任务清单), periodic reports (定期汇报) and meetings (例会).

Progress is never typed here: a target holds the number to reach, the figures come from the rollups
and the tasks (``campaign.metrics``). Writes go through ``campaign.services``; reads through
``campaign.selectors``, scoped by ``campaign.policies``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.choices import (AgreementStatus, CampaignStatus, MeetingKind, Metric, ReportStatus,
                                     TaskCategory, TaskStatus)
from gaizao.core.models import TimeStampedModel, VersionedModel

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Campaign(VersionedModel):
    """An urban-village renovation campaign (城中村改造攻坚专项行动): its year, its dates, how its lights
    are judged, how often streets report, and what "village completed" means per mode."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    # 序时进度: green on or ahead, yellow when behind by at least ``yellow_behind`` points, red beyond ``red_behind``.
    yellow_behind = models.DecimalField(_("黄灯落后（百分点）"), max_digits=5, decimal_places=2, default=Decimal("10"),
                                        validators=PERCENT)
    red_behind = models.DecimalField(_("红灯落后超过（百分点）"), max_digits=5, decimal_places=2, default=Decimal("30"),
                                     validators=PERCENT)
    report_days = models.PositiveSmallIntegerField(_("汇报周期（天）"), default=7,
                                                   validators=[MinValueValidator(1), MaxValueValidator(92)])
    report_lock_days = models.PositiveSmallIntegerField(_("汇报锁定（周期结束后天数）"), default=3,
                                                        validators=[MaxValueValidator(60)])
    # mode → list of condition keys (``campaign.completion``); a mode absent uses the default rule.
    completion_rules = models.JSONField(_("村完成标准"), default=dict, blank=True)
    number_prefix = models.CharField(_("发文机关代字"), max_length=30, default="改造办", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("攻坚行动")
        verbose_name_plural = _("攻坚行动")
        ordering = ["-year", "-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="campaign_dates_ordered")]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """The district's goal for one metric (区级目标): what the street targets should add up to."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("指标"), max_length=32, choices=Metric.choices)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("区级目标")
        verbose_name_plural = _("区级目标")
        ordering = ["campaign", "metric"]
        constraints = [models.UniqueConstraint(fields=["campaign", "metric"], name="goal_one_per_metric")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.target}"


class Target(VersionedModel):
    """One street's target for one metric (街道目标), optionally narrowed to one village or project."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("指标"), max_length=32, choices=Metric.choices)
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("ledger.Village", verbose_name=_("城中村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("街道目标")
        verbose_name_plural = _("街道目标")
        ordering = ["campaign", "street__path", "metric", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric", "street"], name="target_one_per_street",
                                    condition=Q(village__isnull=True, project__isnull=True)),
            models.UniqueConstraint(fields=["campaign", "metric", "village"], name="target_one_per_village",
                                    condition=Q(village__isnull=False, project__isnull=True)),
            models.UniqueConstraint(fields=["campaign", "metric", "project"], name="target_one_per_project",
                                    condition=Q(project__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.get_metric_display()} {self.target}"


class Milestone(models.Model):
    """A dated step of a metric (节点目标: 签约 60% by 30 June): the share of each target due by then.

    Without ``target`` it holds for every target of the metric; with one, it replaces those for it.
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE,
                                 related_name="milestones")
    metric = models.CharField(_("指标"), max_length=32, choices=Metric.choices)
    target = models.ForeignKey(Target, verbose_name=_("街道目标"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="milestones")
    due_on = models.DateField(_("节点日期"))
    rate = models.DecimalField(_("应完成比例（%）"), max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        verbose_name = _("节点目标")
        verbose_name_plural = _("节点目标")
        ordering = ["campaign", "metric", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric", "due_on"], condition=Q(target__isnull=True),
                                    name="milestone_one_per_day"),
            models.UniqueConstraint(fields=["target", "due_on"], condition=Q(target__isnull=False),
                                    name="milestone_one_per_target_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.rate}% @ {self.due_on}"


def agreement_scan_path(instance: "Agreement", filename: str) -> str:
    return f"campaign/agreements/{instance.campaign_id}/{instance.street_id}/v{instance.version}/{filename}"


class Agreement(TimeStampedModel):
    """A responsibility agreement (目标责任书) between the district and one street, one version.

    Its targets are frozen at drafting (``targets``: the rows the document prints); a change of
    targets after signing drafts a new version, and the old one stays, superseded.
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.PROTECT,
                                 related_name="agreements")
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=16, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    duties = models.TextField(_("工作职责"), blank=True)
    assessment = models.TextField(_("考核条款"), blank=True)
    targets = models.JSONField(_("目标（签订时）"), default=list)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    in_force_on = models.DateField(_("生效日期"), null=True, blank=True)
    scan = models.FileField(_("签字盖章扫描件"), upload_to=agreement_scan_path, blank=True)
    scan_name = models.CharField(_("扫描件文件名"), max_length=200, blank=True)
    supersedes = models.OneToOneField("self", verbose_name=_("取代的版本"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    change_reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["campaign", "street__path", "-version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "street", "version"],
                                               name="agreement_one_per_version")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class Task(VersionedModel):
    """A task of the campaign's list (任务清单): a node of the tree campaign → street or department →
    sub-tasks, with its responsible unit and person and its deadline on the working-day calendar."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey("self", verbose_name=_("上级任务"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    depth = models.PositiveSmallIntegerField(_("层级"), default=0)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=TaskCategory.choices, default=TaskCategory.GENERAL)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("ledger.Village", verbose_name=_("城中村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("完成时限"))
    deadline_workdays = models.PositiveSmallIntegerField(_("时限（工作日）"), null=True, blank=True)
    deadline_note = models.CharField(_("时限说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0, validators=[MaxValueValidator(100)])
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["campaign", "status", "deadline"], name="task_open_deadline_idx"),
                   models.Index(fields=["unit", "status"], name="task_unit_status_idx")]

    def __str__(self) -> str:
        return self.title


class TaskNote(models.Model):
    """A progress note on a task (进展情况), with the progress it reports."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("进展情况"))
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True,
                                                validators=[MaxValueValidator(100)])
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["-id"]


def task_attachment_path(instance: "TaskAttachment", filename: str) -> str:
    return f"campaign/tasks/{instance.task_id}/{filename}"


class TaskAttachment(models.Model):
    """A file on a task (附件): a document, a photo, a scan."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=task_attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务附件")
        verbose_name_plural = _("任务附件")
        ordering = ["id"]


class Report(VersionedModel):
    """One street's periodic report (定期汇报) for one period: the figures frozen at submission from the
    rollups and targets, and what the street writes. Draft → submitted → approved by the street's
    leader → accepted by the office, or returned with a reason; locked ``report_lock_days`` after
    the period unless the office reopened it."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.PROTECT, related_name="reports")
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    status = models.CharField(_("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField(_("数据（提交时）"), default=dict, blank=True)
    work_done = models.TextField(_("本期工作"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_plan = models.TextField(_("下期计划"), blank=True)
    help_needed = models.TextField(_("需区级协调事项"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    reopened_until = models.DateField(_("重新开放至"), null=True, blank=True)

    class Meta:
        verbose_name = _("定期汇报")
        verbose_name_plural = _("定期汇报")
        ordering = ["-period_start", "street__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "street", "period_start"],
                                               name="report_one_per_period")]

    def __str__(self) -> str:
        return f"{self.street} {self.period_start}–{self.period_end}"


class Meeting(VersionedModel):
    """A meeting (例会): leading group, dispatch or street; its agenda, attendees and minutes (纪要)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("攻坚行动"), on_delete=models.PROTECT,
                                 related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("召集单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议名称"), max_length=200)
    number = models.CharField(_("纪要编号"), max_length=60, blank=True)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chair = models.CharField(_("主持人"), max_length=50, blank=True)
    attendees = models.TextField(_("参会人员"), blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Decision(TimeStampedModel):
    """A decision of a meeting (议定事项); made a task in one step, whose status later meetings list."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.TextField(_("议定事项"))
    task = models.OneToOneField(Task, verbose_name=_("转办任务"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="decision")

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]
