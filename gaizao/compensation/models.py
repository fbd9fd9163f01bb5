"""Compensation's records: a project's compensation scheme (征收补偿方案) as versioned text, the valuer's
results per building (评估), each household's calculation (补偿测算) with its line items, the publicity
rounds (公示) with the residents' objections (异议), change requests after publication (变更申请, four
eyes) and the agreements (补偿协议), frozen at signing.

Nothing here is a workflow: writes go through ``compensation.services``, reads through
``compensation.selectors``, scoped by ``compensation.policies``. Money in yuan and areas in ㎡ are
Decimal with two places; what was published or signed is kept as JSON exactly as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import (AgreementStatus, ChangeKind, ChangeStatus, ObjectionStatus, Option,
                                         PublicityKind, SchemeStatus, ValuationKind)
from gaizao.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}
AREA = {"max_digits": 12, "decimal_places": 2}


def _user(label: str) -> models.ForeignKey:
    return models.ForeignKey(USER, verbose_name=label, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")


class Scheme(VersionedModel):
    """One version of a project's compensation scheme (征收补偿方案), written in the scheme language
    (TOML, ``compensation.language``). A draft is edited; a published version is never changed again;
    publishing the next one supersedes it. The version in force is the project's published one."""

    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="compensation_schemes")
    number = models.PositiveSmallIntegerField(_("版本号"))
    name = models.CharField(_("方案名称"), max_length=200)
    text = models.TextField(_("方案文本（TOML）"))
    status = models.CharField(_("状态"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    note = models.TextField(_("版本说明"), blank=True)
    digest = models.CharField(_("文本摘要（SM3）"), max_length=64, blank=True)
    created_by = _user(_("起草人"))
    published_by = _user(_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补偿方案")
        verbose_name_plural = _("补偿方案")
        ordering = ("project", "-number")
        constraints = [
            models.UniqueConstraint(fields=("project", "number"), name="compensation_scheme_number_unique"),
            models.UniqueConstraint(fields=("project",), condition=Q(status=SchemeStatus.PUBLISHED),
                                    name="compensation_scheme_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.number} 版）"


class Valuation(TimeStampedModel):
    """A valuer's result for one building (评估): unit price, decoration, date and valuer. A review (复核)
    or an appraisal (鉴定) adds a row and puts the old one out of force; nothing is overwritten."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.CASCADE,
                                  related_name="valuations")
    building = models.ForeignKey("ledger.Building", verbose_name=_("房屋"), on_delete=models.CASCADE,
                                 related_name="valuations")
    kind = models.CharField(_("类别"), max_length=16, choices=ValuationKind.choices, default=ValuationKind.INITIAL)
    unit_price = models.DecimalField(_("评估单价（元/㎡）"), **MONEY)
    decoration = models.DecimalField(_("装修评估（元）"), default=0, **MONEY)
    valued_on = models.DateField(_("评估日期"))
    valuer = models.CharField(_("评估机构"), max_length=100)
    appraiser = models.CharField(_("估价师"), max_length=50, blank=True)
    report_no = models.CharField(_("评估报告编号"), max_length=64, blank=True)
    in_force = models.BooleanField(_("现行有效"), default=True)
    replaces = models.ForeignKey("self", verbose_name=_("取代的评估"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("复核或鉴定理由"), blank=True)
    created_by = _user(_("录入人"))

    class Meta:
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")
        ordering = ("household", "building", "-created_at")
        constraints = [
            models.UniqueConstraint(fields=("building",), condition=Q(in_force=True),
                                    name="compensation_valuation_one_in_force"),
        ]


class Calculation(TimeStampedModel):
    """A household's compensation calculated under one scheme version and one option (补偿测算): every
    line item with its formula, the inputs it used and the amount, and the total. ``current`` marks the
    latest for the household and option; older ones stay for the record."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.CASCADE,
                                  related_name="compensation_calculations")
    scheme = models.ForeignKey(Scheme, verbose_name=_("补偿方案"), on_delete=models.PROTECT, related_name="+")
    option = models.CharField(_("补偿方式"), max_length=16, choices=Option.choices)
    facts = models.JSONField(_("计算依据"))
    items = models.JSONField(_("补偿明细"))
    total = models.DecimalField(_("补偿合计（元）"), **MONEY)
    swap_area = models.DecimalField(_("产权调换面积（㎡）"), null=True, blank=True, **AREA)
    digest = models.CharField(_("计算摘要（SM3）"), max_length=64)
    current = models.BooleanField(_("最新测算"), default=True)
    created_by = _user(_("测算人"))

    class Meta:
        verbose_name = _("补偿测算")
        verbose_name_plural = _("补偿测算")
        ordering = ("household", "-created_at")
        constraints = [
            models.UniqueConstraint(fields=("household", "option"), condition=Q(current=True),
                                    name="compensation_calculation_one_current"),
        ]


class Publicity(TimeStampedModel):
    """One round of a project's publicity (公示): the survey and legality results, or the per-household
    compensation list. ``rows`` is the list as published (names and numbers masked), frozen; a change
    approved after publication re-publishes as the next round."""

    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="publicities")
    kind = models.CharField(_("类别"), max_length=16, choices=PublicityKind.choices)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    scheme = models.ForeignKey(Scheme, verbose_name=_("补偿方案"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    rows = models.JSONField(_("公示内容"))
    note = models.TextField(_("说明"), blank=True)
    published_by = _user(_("发布人"))

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ("project", "kind", "-round")
        constraints = [
            models.UniqueConstraint(fields=("project", "kind", "round"), name="compensation_publicity_round_unique"),
        ]


class Objection(VersionedModel):
    """A resident's objection (异议) to a publicity, received during its period, answered by the office;
    the answer is then published beside the list."""

    publicity = models.ForeignKey(Publicity, verbose_name=_("公示"), on_delete=models.PROTECT,
                                  related_name="objections")
    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="objections")
    submitter = models.CharField(_("提出人"), max_length=50)
    content = models.TextField(_("异议内容"))
    received_on = models.DateField(_("收到日期"))
    status = models.CharField(_("状态"), max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = _user(_("答复人"))
    answer_published_at = models.DateTimeField(_("答复公布时间"), null=True, blank=True)
    created_by = _user(_("登记人"))

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ("publicity", "received_on", "pk")


def evidence_path(instance, filename: str) -> str:
    return f"compensation/evidence/{instance.household_id}/{filename}"


class ChangeRequest(VersionedModel):
    """A change to an input of a household's compensation after 公示 (变更申请): the inputs and line items
    before and after side by side, evidence, and the approval of a second person of the office; applied
    and re-published only when approved."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.CASCADE,
                                  related_name="compensation_changes")
    kind = models.CharField(_("变更内容"), max_length=16, choices=ChangeKind.choices)
    payload = models.JSONField(_("变更事项"))
    reason = models.TextField(_("变更理由"))
    evidence = models.FileField(_("证明材料"), upload_to=evidence_path, max_length=255)
    before = models.JSONField(_("变更前"))
    after = models.JSONField(_("变更后"))
    status = models.CharField(_("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = _user(_("申请人"))
    decided_by = _user(_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    publicity = models.ForeignKey(Publicity, verbose_name=_("重新公示"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="changes")

    class Meta:
        verbose_name = _("补偿变更申请")
        verbose_name_plural = _("补偿变更申请")
        ordering = ("-created_at",)


class Agreement(VersionedModel):
    """A household's compensation agreement (补偿协议, 条例 §25), generated from its calculation. Its
    amounts (``items``, ``total``) are frozen when it is made and signed; a later scheme or input change
    never alters it. Recording the signature is the household's 签约 stage event."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.PROTECT,
                                  related_name="compensation_agreements")
    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="compensation_agreements")
    calculation = models.ForeignKey(Calculation, verbose_name=_("补偿测算"), on_delete=models.PROTECT,
                                    related_name="+")
    number = models.CharField(_("协议编号"), max_length=64, unique=True)
    option = models.CharField(_("补偿方式"), max_length=16, choices=Option.choices)
    items = models.JSONField(_("补偿明细"))
    total = models.DecimalField(_("补偿合计（元）"), **MONEY)
    swap_area = models.DecimalField(_("产权调换面积（㎡）"), null=True, blank=True, **AREA)
    swap_flat = models.CharField(_("调换房屋位置"), max_length=200, blank=True)
    payment_terms = models.TextField(_("支付方式和期限"))
    move_deadline = models.DateField(_("搬迁期限"))
    transition_months = models.PositiveSmallIntegerField(_("过渡期限（月）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    # What the document says of the parties and the project as it stood when the agreement was made: the
    # project's name, the household's head, number and address, the effectiveness condition (the signing
    # period and threshold). A later edit of the project or the household never rewrites a signed agreement.
    parties = models.JSONField(_("协议当事人与生效条件（生成时）"), default=dict, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    order_no = models.PositiveIntegerField(_("签约顺序号"), null=True, blank=True)
    digest = models.CharField(_("协议摘要（SM3）"), max_length=64)
    created_by = _user(_("生成人"))
    signed_recorded_by = _user(_("签约登记人"))

    class Meta:
        verbose_name = _("补偿协议")
        verbose_name_plural = _("补偿协议")
        ordering = ("project", "order_no", "pk")
        constraints = [
            models.UniqueConstraint(fields=("household",), condition=~Q(status=AgreementStatus.VOID),
                                    name="compensation_agreement_one_live"),
            models.UniqueConstraint(fields=("project", "order_no"), name="compensation_agreement_order_unique"),
        ]

    def __str__(self) -> str:
        return self.number
