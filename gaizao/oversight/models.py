"""Oversight's records: supervision orders (督办单) and their evidence; inspections (督查), their findings
and rectification (整改); assessment schemes (考核办法) with indicators and bonus/penalty items, the
published score sheets (frozen snapshots); commendation and accountability proposals and records; the
weekly bulletins (工作通报), frozen at their first generation.

Nothing here is a workflow: writes go through ``oversight.services``, reads through
``oversight.selectors``, scoped by ``oversight.policies``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStampedModel, VersionedModel
from gaizao.oversight.choices import (Assessed, FindingStatus, Measure, MissingRule, OrderLevel, OrderStatus,
                                      PeriodKind, PhotoKind, ProposalKind, ProposalStatus, RecordKind, SchemeStatus,
                                      ScoringRule, SheetStatus, SubjectKind)

USER = settings.AUTH_USER_MODEL


def _user(label: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(USER, verbose_name=label, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", **kwargs)


# --- supervision orders (督办) ---------------------------------------------------------------------------

class SupervisionOrder(VersionedModel):
    """A supervision order (督办单) from the office to a street or a department about one thing: a task, a
    target, a village, a household, an inspection finding (or, later, an appeal). Its deadline is counted
    in working days from the day it is issued (``core.calendar``); its colour is computed, never stored."""

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("攻坚行动"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("督办编号"), max_length=60, blank=True)
    title = models.CharField(_("督办事项"), max_length=200)
    subject_kind = models.CharField(_("督办对象类型"), max_length=16, choices=SubjectKind.choices,
                                    default=SubjectKind.OTHER)
    subject_id = models.PositiveBigIntegerField(_("督办对象编号"), null=True, blank=True)
    subject_label = models.CharField(_("督办对象"), max_length=200, blank=True)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField(_("督办要求"))
    level = models.CharField(_("督办等级"), max_length=16, choices=OrderLevel.choices, default=OrderLevel.GENERAL)
    deadline_workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"),
                                                         validators=[MinValueValidator(1), MaxValueValidator(250)])
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    reviewed_by = _user(_("审核领导"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    issued_on = models.DateField(_("下发日期"), null=True, blank=True)
    issued_by = _user(_("下发人"))
    received_on = models.DateField(_("签收日期"), null=True, blank=True)
    received_by = _user(_("签收人"))
    feedback = models.TextField(_("办理情况"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_by = _user(_("反馈人"))
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = _user(_("核验人"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = _user(_("拟稿人"))

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "deadline"], name="order_status_deadline_idx"),
                   models.Index(fields=["unit", "status"], name="order_unit_status_idx"),
                   models.Index(fields=["subject_kind", "subject_id"], name="order_subject_idx")]

    def __str__(self) -> str:
        return self.number or self.title


def order_evidence_path(instance: "OrderEvidence", filename: str) -> str:
    return f"oversight/orders/{instance.order_id}/{filename}"


class OrderEvidence(models.Model):
    """A file the unit submits with its feedback (佐证材料): a document, a photo, a scan."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"), on_delete=models.CASCADE,
                              related_name="evidence")
    file = models.FileField(_("佐证材料"), upload_to=order_evidence_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = _user(_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办佐证材料")
        verbose_name_plural = _("督办佐证材料")
        ordering = ["id"]


# --- inspections and rectification (督查 / 整改) ------------------------------------------------------------

class Inspection(VersionedModel):
    """An inspection (督查): when, by whom, which units and places, and what was found."""

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("攻坚行动"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("督查名称"), max_length=200)
    held_on = models.DateField(_("督查日期"))
    inspectors = models.CharField(_("督查人员"), max_length=300)
    units = models.ManyToManyField("org.OrgUnit", verbose_name=_("被督查单位"), related_name="+")
    places = models.CharField(_("督查地点"), max_length=300, blank=True)
    summary = models.TextField(_("总体情况"), blank=True)
    created_by = _user(_("记录人"))

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Finding(VersionedModel):
    """A finding of an inspection (督查问题), which is also its rectification item (整改事项): the unit that
    must fix it, by when, the evidence of the fix, and the office's verification."""

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.PROTECT,
                                   related_name="findings")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("整改责任单位"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("地点"), max_length=200, blank=True)
    text = models.TextField(_("发现问题"))
    requirement = models.TextField(_("整改要求"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("整改责任人"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("整改状态"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    fix_note = models.TextField(_("整改情况"), blank=True)
    fixed_at = models.DateTimeField(_("整改提交时间"), null=True, blank=True)
    fixed_by = _user(_("整改提交人"))
    return_reason = models.CharField(_("核验不通过原因"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = _user(_("核验人"))
    order = models.OneToOneField(SupervisionOrder, verbose_name=_("督办单"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="finding")

    class Meta:
        verbose_name = _("督查问题")
        verbose_name_plural = _("督查问题")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="finding_unit_status_idx")]

    def __str__(self) -> str:
        return self.text[:40]


def finding_photo_path(instance: "FindingPhoto", filename: str) -> str:
    return f"oversight/findings/{instance.finding_id}/{filename}"


class FindingPhoto(models.Model):
    """A photo of a finding (问题照片) or of its fix (整改照片), stored as progress stores visit photos."""

    finding = models.ForeignKey(Finding, verbose_name=_("督查问题"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类别"), max_length=16, choices=PhotoKind.choices, default=PhotoKind.FINDING)
    file = models.FileField(_("照片"), upload_to=finding_photo_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = _user(_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        ordering = ["id"]


# --- assessment (考核) ---------------------------------------------------------------------------------------

class Scheme(VersionedModel):
    """An assessment scheme (考核办法) of a campaign: who it assesses, per which period, the total the
    weights must sum to, the grade thresholds, and the rules that propose commendation or accountability."""

    campaign = models.ForeignKey("campaign.Campaign", verbose_name=_("攻坚行动"), on_delete=models.PROTECT,
                                 related_name="+")
    name = models.CharField(_("名称"), max_length=200)
    assessed = models.CharField(_("考核对象"), max_length=16, choices=Assessed.choices, default=Assessed.STREET)
    period_kind = models.CharField(_("考核周期"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=Decimal("100"),
                                validators=[MinValueValidator(Decimal("1"))])
    status = models.CharField(_("状态"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    excellent_min = models.DecimalField(_("优秀（不低于）"), max_digits=6, decimal_places=2, default=Decimal("90"))
    good_min = models.DecimalField(_("良好（不低于）"), max_digits=6, decimal_places=2, default=Decimal("80"))
    pass_min = models.DecimalField(_("合格（不低于）"), max_digits=6, decimal_places=2, default=Decimal("60"))
    missing_rule = models.CharField(_("数据缺失的指标"), max_length=16, choices=MissingRule.choices,
                                    default=MissingRule.RESCALE)
    # "first two periods running → commendation proposed"; "last two periods running → accountability".
    commend_runs = models.PositiveSmallIntegerField(_("连续第一名几期建议表彰"), default=2,
                                                    validators=[MaxValueValidator(12)])
    account_runs = models.PositiveSmallIntegerField(_("连续末名几期建议问责"), default=2,
                                                    validators=[MaxValueValidator(12)])
    created_by = _user(_("创建人"))

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator of a scheme (考核指标): its weight, the source in the catalogue that computes its
    value from the data (``oversight.sources``), and the rule that turns the value into points."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核办法"), on_delete=models.CASCADE,
                               related_name="indicators")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    name = models.CharField(_("指标名称"), max_length=100)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    source = models.CharField(_("数据来源"), max_length=64)
    params = models.JSONField(_("来源参数"), default=dict, blank=True)
    rule = models.CharField(_("计分规则"), max_length=16, choices=ScoringRule.choices, default=ScoringRule.LINEAR)
    rule_params = models.JSONField(_("计分参数"), default=dict, blank=True)
    expression = models.TextField(_("公式"), blank=True)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}分）"


def adjustment_document_path(instance: "Adjustment", filename: str) -> str:
    return f"oversight/adjustments/{instance.scheme_id}/{instance.period}/{filename}"


class Adjustment(TimeStampedModel):
    """A bonus or penalty item (加分 / 扣分) the office enters for one unit and period, with its reason and
    the document behind it."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核办法"), on_delete=models.PROTECT,
                               related_name="adjustments")
    period = models.CharField(_("考核期"), max_length=16)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("加减分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=300)
    document_number = models.CharField(_("依据文号"), max_length=60, blank=True)
    document = models.FileField(_("依据文件"), upload_to=adjustment_document_path, blank=True)
    created_by = _user(_("录入人"))

    class Meta:
        verbose_name = _("加减分事项")
        verbose_name_plural = _("加减分事项")
        ordering = ["scheme", "period", "unit", "id"]


class ScoreSheet(TimeStampedModel):
    """A published assessment of one period (考核结果): every unit's scores with the inputs behind each,
    totals, ranks and grades, frozen as published. A recomputation after publication is a new version with
    its reason and the difference; later pages and documents read the version in force."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核办法"), on_delete=models.PROTECT,
                               related_name="sheets")
    period = models.CharField(_("考核期"), max_length=16)
    starts_on = models.DateField(_("考核期开始"))
    ends_on = models.DateField(_("考核期结束"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=16, choices=SheetStatus.choices, default=SheetStatus.PUBLISHED)
    rows = models.JSONField(_("考核结果"), default=list)
    reason = models.CharField(_("重新计算原因"), max_length=300, blank=True)
    diff = models.JSONField(_("与上一版的差异"), default=list, blank=True)
    published_by = _user(_("发布人"))

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["scheme", "-ends_on", "-version"]
        constraints = [models.UniqueConstraint(fields=["scheme", "period", "version"], name="sheet_one_per_version"),
                       models.UniqueConstraint(fields=["scheme", "period"], condition=Q(status="published"),
                                               name="sheet_one_published_per_period")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period}（第{self.version}版）"


# --- commendation and accountability (表彰 / 问责) ------------------------------------------------------------

class Proposal(VersionedModel):
    """A proposal the rules make from the rankings (first N periods running → commendation, last N →
    accountability), which the office confirms (making a record) or rejects, with a reason either way."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核办法"), on_delete=models.PROTECT,
                               related_name="proposals")
    kind = models.CharField(_("类别"), max_length=16, choices=ProposalKind.choices)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    periods = models.JSONField(_("依据考核期"), default=list)
    reason = models.CharField(_("依据"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    decided_by = _user(_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.CharField(_("决定理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("表彰问责建议")
        verbose_name_plural = _("表彰问责建议")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind", "unit", "periods"],
                                               name="proposal_once_per_run")]


def record_document_path(instance: "Record", filename: str) -> str:
    return f"oversight/records/{instance.unit_id}/{filename}"


class Record(TimeStampedModel):
    """A commendation (表彰) or accountability (问责: 约谈, 通报批评, 责令检查 …) record on a unit, and on a
    person of it when named, with its reason and document."""

    kind = models.CharField(_("类别"), max_length=16, choices=RecordKind.choices)
    measure = models.CharField(_("方式"), max_length=20, choices=Measure.choices)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(USER, verbose_name=_("人员"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    reason = models.TextField(_("事由"))
    decided_on = models.DateField(_("决定日期"))
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    document = models.FileField(_("文件"), upload_to=record_document_path, blank=True)
    proposal = models.OneToOneField(Proposal, verbose_name=_("依据建议"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="record")
    created_by = _user(_("录入人"))

    class Meta:
        verbose_name = _("表彰问责记录")
        verbose_name_plural = _("表彰问责记录")
        ordering = ["-decided_on", "-id"]


# --- the weekly bulletin (工作通报) ----------------------------------------------------------------------------

class Bulletin(TimeStampedModel):
    """A weekly bulletin (工作通报) of one ISO week: its figures frozen at the first generation (``data``), so
    that generating it again gives the same document."""

    period = models.CharField(_("期别"), max_length=10, unique=True)  # 2026-W47
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    data = models.JSONField(_("通报数据"), default=dict)
    created_by = _user(_("生成人"))

    class Meta:
        verbose_name = _("工作通报")
        verbose_name_plural = _("工作通报")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title
