"""Progress (进度): stage events, hard cases and their visits, consultations, rollups.

Events are append-only: a wrong event is corrected by a new event that references it. The
household's ``stage`` and stage dates (ledger.Household) are what the effective events say;
``household_record_event`` keeps them and the rollups in step in the same transaction.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.models import TimeStampedModel, VersionedModel
from gaizao.progress.choices import ConsultationAnswerChoice, DifficultyReason, EventKind, Level, ResettlementMode


class StageEvent(models.Model):
    """One step of a household's way, on a date (进度事件). Never updated or deleted."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.PROTECT,
                                  related_name="events", db_index=False)
    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    on_date = models.DateField(_("日期"))
    resettlement_mode = models.CharField(_("安置方式"), max_length=16, choices=ResettlementMode.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进度事件")
        verbose_name_plural = _("进度事件")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["household", "id"], name="event_household_idx"),
            # the signing board: a project's signing order
            models.Index(fields=["project", "kind", "on_date"], name="event_project_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date:%Y-%m-%d}"


def attachment_path(instance: "EventAttachment", filename: str) -> str:
    ext = PurePath(filename).suffix.lower()[:10]
    return f"progress/{uuid.uuid4().hex}{ext}"


class EventAttachment(models.Model):
    """A file kept with an event (签约协议扫描件, 交房确认书, 照片 …); served only through scoped views."""

    event = models.ForeignKey(StageEvent, verbose_name=_("进度事件"), on_delete=models.PROTECT,
                              related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HardCase(VersionedModel):
    """An unsigned household worked one by one (攻坚户: 包户, 一户一策).

    The cadre is the household's (ledger.Household.cadre). ``last_visit_on`` and
    ``next_visit_on`` are kept by the visit service so that lists need not read the visits.
    """

    household = models.OneToOneField("ledger.Household", verbose_name=_("住户"), on_delete=models.PROTECT,
                                     related_name="hard_case")
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    village = models.ForeignKey("ledger.Village", verbose_name=_("城中村"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    reason = models.CharField(_("难点"), max_length=16, choices=DifficultyReason.choices)
    reason_detail = models.TextField(_("难点说明"), blank=True)
    strategy = models.TextField(_("一户一策"), blank=True)
    opened_on = models.DateField(_("列入日期"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    close_note = models.CharField(_("销号说明"), max_length=200, blank=True)
    last_visit_on = models.DateField(_("最近走访"), null=True, blank=True)
    next_visit_on = models.DateField(_("下次走访"), null=True, blank=True)

    class Meta:
        verbose_name = _("攻坚户")
        verbose_name_plural = _("攻坚户")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["street", "closed_on", "next_visit_on"], name="hardcase_street_idx"),
            models.Index(fields=["village", "closed_on"], name="hardcase_village_idx"),
            models.Index(fields=["closed_on", "next_visit_on"], name="hardcase_open_idx"),
        ]

    def __str__(self) -> str:
        return str(self.household)


class Visit(models.Model):
    """One visit to a hard-case household (走访记录). Never edited: a mistake is a new visit."""

    hard_case = models.ForeignKey(HardCase, verbose_name=_("攻坚户"), on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    visitors = models.CharField(_("参加人员"), max_length=200, blank=True)
    talk = models.TextField(_("沟通情况"))
    next_step = models.TextField(_("下一步措施"), blank=True)
    next_visit_on = models.DateField(_("计划下次走访"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d}"


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    # Always a random name: the phone's file name (IMG_2041.jpg, a resident's name …) is kept in ``name``.
    return f"progress/visits/{uuid.uuid4().hex}.jpg"


class VisitPhoto(models.Model):
    """A photo taken during a visit (走访照片), usually with the cadre's phone camera.

    Stored as the server made it: turned upright, without EXIF (no GPS position), at most
    ``services.photos.MAX_SIDE`` pixels on its longer side, JPEG. Served only through a scoped view.
    """

    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("照片"), upload_to=visit_photo_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=100, default="image/jpeg")
    width = models.PositiveIntegerField(_("宽（像素）"))
    height = models.PositiveIntegerField(_("高（像素）"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Consultation(TimeStampedModel):
    """A consultation of the owners' wishes (意愿征询) before a project starts: a period in which
    each household in the project's scope answers (``ConsultationAnswer``). Its rate is read from
    those answers against the households in scope; the pass threshold is the project's
    ``consultation_threshold`` (``progress.consent``)."""

    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="consultations")
    held_on = models.DateField(_("征询开始日期"))
    ends_on = models.DateField(_("征询截止日期"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("意愿征询")
        verbose_name_plural = _("意愿征询")
        ordering = ["-held_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("held_on")),
                                              name="consultation_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.project} {self.held_on:%Y-%m-%d}"


class ConsultationAnswer(TimeStampedModel):
    """One household's answer in a consultation (住户意见: 同意 / 不同意 / 未表态), with its date.

    One row per household and consultation: a household that changes its mind within the period
    changes its row (audited). A household in scope without a row has not answered."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("意愿征询"), on_delete=models.CASCADE,
                                     related_name="answers")
    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.PROTECT,
                                  related_name="consultation_answers")
    answer = models.CharField(_("意见"), max_length=16, choices=ConsultationAnswerChoice.choices)
    answered_on = models.DateField(_("表态日期"))

    class Meta:
        verbose_name = _("住户意见")
        verbose_name_plural = _("住户意见")
        constraints = [models.UniqueConstraint(fields=["consultation", "household"],
                                               name="one_answer_per_household")]

    def __str__(self) -> str:
        return f"{self.consultation} {self.household_id} {self.answer}"


class DailyRollup(models.Model):
    """How many households (and how much area) reached ``key`` on ``day`` in one unit.

    Rows are deltas: a correction moving a signing from one day to another writes −1 on the old
    day and +1 on the new. Summing a unit's rows over days gives its current figure
    (``Rollup`` keeps that sum so dashboards read one row per key).
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    unit = models.PositiveIntegerField()
    key = models.CharField(max_length=16)
    day = models.DateField()
    households = models.IntegerField(default=0)
    area_centi = models.BigIntegerField(default=0)  # hundredths of ㎡: exact sums on every database

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "unit", "key", "day"], name="daily_rollup_unique")]

    def __str__(self) -> str:
        return f"{self.level}/{self.unit} {self.key} {self.day}: {self.households}"


class Rollup(models.Model):
    """The current figure of one unit for one key: households in scope, households that reached it."""

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    unit = models.PositiveIntegerField()
    key = models.CharField(max_length=16)
    households = models.IntegerField(default=0)
    area_centi = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "unit", "key"], name="rollup_unique")]

    def __str__(self) -> str:
        return f"{self.level}/{self.unit} {self.key}: {self.households}"


class SigningResult(models.Model):
    """The judgement of a project's signing period at its deadline (签约期满判定): how many households
    in scope signed within the period, against the threshold. Frozen: later withdrawals, corrections
    and edits do not change a row. A correction of a signing made within the period, or a signing
    entered late with a date in it, records a new judgement (复核判定) that supersedes the last, with
    who and why; the effective result is the latest for the period (``progress.signing``)."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("期满判定")
        REJUDGED = "rejudged", _("复核判定")

    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="signing_results")
    kind = models.CharField(_("判定类型"), max_length=16, choices=Kind.choices)
    period_start = models.DateField(_("签约期开始"), null=True, blank=True)
    period_end = models.DateField(_("签约期结束"))
    threshold = models.DecimalField(_("协议生效签约比例（%）"), max_digits=5, decimal_places=2)
    in_scope = models.PositiveIntegerField(_("改造范围内户数"))
    signed = models.PositiveIntegerField(_("期内签约户数"))
    reached = models.BooleanField(_("达到生效比例"))
    supersedes = models.OneToOneField("self", verbose_name=_("取代的判定"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    reason = models.TextField(_("复核理由"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("判定人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    judged_at = models.DateTimeField(_("判定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("签约期满判定")
        verbose_name_plural = _("签约期满判定")
        ordering = ["id"]
        constraints = [
            # one judgement at the deadline per period; re-judgements chain from it
            models.UniqueConstraint(fields=["project", "period_end"], condition=models.Q(kind="deadline"),
                                    name="one_deadline_judgement_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_end:%Y-%m-%d} {self.signed}/{self.in_scope}"


class SigningOutcome(models.Model):
    """What the office decided after a period that lapsed (期满未达标的处置): a new signing period
    (重新设定签约期) or the project's end (项目终止). Until one is recorded, the project's
    households may not vacate, be demolished or be paid (协议未生效)."""

    class Decision(models.TextChoices):
        NEW_PERIOD = "new_period", _("重新设定签约期")
        ENDED = "ended", _("项目终止")

    result = models.OneToOneField(SigningResult, verbose_name=_("期满判定"), on_delete=models.PROTECT,
                                  related_name="outcome")
    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    decision = models.CharField(_("处置"), max_length=16, choices=Decision.choices)
    decided_on = models.DateField(_("决定日期"))
    new_start = models.DateField(_("新签约期开始"), null=True, blank=True)
    new_end = models.DateField(_("新签约期结束"), null=True, blank=True)
    reason = models.TextField(_("理由及依据"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期满未达标处置")
        verbose_name_plural = _("期满未达标处置")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_decision_display()}"


def legal_document_path(instance: "LegalStep", filename: str) -> str:
    ext = PurePath(filename).suffix.lower()[:10]
    return f"progress/legal/{uuid.uuid4().hex}{ext}"


class LegalCase(VersionedModel):
    """A holdout's legal path (补偿决定的法定程序): opened when a 补偿决定 (on collective land a
    责令交出土地决定) is recorded, ended by enforcement, a signature, moving out, a revocation, the
    court's refusal or a voided decision record (``progress.legal``). One open case per household.

    ``step`` and ``step_on`` repeat the latest step so that lists and the dashboard count cases per
    step without reading the steps; the steps themselves are ``LegalStep`` rows, never edited."""

    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), on_delete=models.PROTECT,
                                  related_name="legal_cases")
    project = models.ForeignKey("ledger.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    village = models.ForeignKey("ledger.Village", verbose_name=_("城中村"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    land_type = models.CharField(_("土地性质"), max_length=16)
    step = models.CharField(_("当前步骤"), max_length=16)
    step_on = models.DateField(_("当前步骤日期"))
    opened_on = models.DateField(_("决定日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.CharField(_("结案方式"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("补偿决定程序")
        verbose_name_plural = _("补偿决定程序")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=models.Q(ended_on__isnull=True),
                                               name="one_open_legal_case_per_household")]
        indexes = [
            models.Index(fields=["street", "step"], name="legalcase_street_step_idx"),
            models.Index(fields=["village", "step"], name="legalcase_village_step_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.step}"


class LegalStep(models.Model):
    """One step of a legal path (法定程序的一步: 送达、公告、复议、诉讼、催告、申请执行、裁定 …), with its
    date, way, result, document number (文号) and scanned document. Append-only."""

    case = models.ForeignKey(LegalCase, verbose_name=_("补偿决定程序"), on_delete=models.PROTECT,
                             related_name="steps")
    kind = models.CharField(_("步骤"), max_length=16)
    on_date = models.DateField(_("日期"))
    way = models.CharField(_("送达方式"), max_length=16, blank=True)
    result = models.CharField(_("结果"), max_length=16, blank=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    file = models.FileField(_("文书"), upload_to=legal_document_path, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("法定程序步骤")
        verbose_name_plural = _("法定程序步骤")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_date:%Y-%m-%d}"
