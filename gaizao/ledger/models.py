"""The ledgers (台账): villages, projects, households, persons and buildings."""

from __future__ import annotations

from decimal import Decimal

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaizao.core.fields import EncryptedTextField, LookupHashField
from gaizao.core.models import VersionedModel
from gaizao.ledger import known
from gaizao.ledger.choices import (
    Disposition, HeritageKind, Hukou, HouseholdUse, KnownList, LandType, Legality, ProtectionLevel, Relation,
    RenovationMode, Stage, Structure, Way,
)

AREA = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Village(VersionedModel):
    """An urban village (城中村) in a street, handled in a renovation mode and batch."""

    code = models.CharField(_("村编码"), max_length=32, unique=True)
    name = models.CharField(_("村名"), max_length=100)
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="villages")
    community = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("社区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("改造方式"), max_length=20, choices=RenovationMode.choices)
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    land_area = models.DecimalField(_("用地面积（㎡）"), default=Decimal("0"), **AREA)
    population = models.PositiveIntegerField(_("人口"), default=0)
    notes = models.TextField(_("现状说明"), blank=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)

    class Meta:
        verbose_name = _("城中村")
        verbose_name_plural = _("城中村")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Project(VersionedModel):
    """A renovation project (改造项目) in a village; a village can have several phases."""

    code = models.CharField(_("项目编码"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    village = models.ForeignKey(Village, verbose_name=_("城中村"), on_delete=models.PROTECT, related_name="projects")
    phase = models.PositiveSmallIntegerField(_("期次"), default=1)
    scope = models.TextField(_("征收范围"), blank=True)
    decision_date = models.DateField(_("征收决定日期"), null=True, blank=True)
    signing_start = models.DateField(_("签约期开始"), null=True, blank=True)
    signing_end = models.DateField(_("签约期结束"), null=True, blank=True)
    signing_threshold = models.DecimalField(
        _("协议生效签约比例（%）"), max_digits=5, decimal_places=2, default=Decimal("90.00")
    )
    # 意愿征询通过比例: the share of the households in scope that must agree before the project may
    # open its signing period (浙江条例 §8, 上海 ≥90%); a district sets it per project.
    consultation_threshold = models.DecimalField(
        _("意愿征询通过比例（%）"), max_digits=5, decimal_places=2, default=Decimal("90.00")
    )
    # Which law the project's holdouts follow (the legal path, progress.legal): state land
    # (国有土地上房屋征收与补偿条例: 补偿决定) or collective land (土地管理法 §47: 责令交出土地决定).
    land_type = models.CharField(_("征收土地性质"), max_length=16, choices=LandType.choices, default=LandType.STATE)

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Household(VersionedModel):
    """A household (户) in a project: the unit that is surveyed, valued, signed and resettled."""

    # No single-column indexes on project/street/village: the unique (project, number) and the
    # (street, id), (village, id) indexes lead with them, and every index slows the bulk import.
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="households",
                                db_index=False)
    # Denormalised from the project so that scoped lists filter one indexed column.
    street = models.ForeignKey("org.OrgUnit", verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    village = models.ForeignKey(Village, verbose_name=_("城中村"), on_delete=models.PROTECT, related_name="households",
                                db_index=False)
    number = models.CharField(_("户号"), max_length=32)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    head_initials = models.CharField(_("姓名拼音首字母"), max_length=50, blank=True, db_index=True)
    head_id_number = EncryptedTextField(_("户主身份证号"))
    head_id_hash = LookupHashField(source="head_id_number")
    phone = EncryptedTextField(_("联系电话"))
    # No index: nothing looks households up by phone; the import compares the stored hash it reads.
    phone_hash = LookupHashField(source="phone", db_index=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    land_type = models.CharField(_("土地性质"), max_length=16, choices=LandType.choices, default=LandType.COLLECTIVE)
    # Choices from a callable: the built-in values and those the office added (ledger.known, cached).
    use = models.CharField(_("用途"), max_length=16, choices=known.use_choices, default=HouseholdUse.RESIDENTIAL)
    member_count = models.PositiveSmallIntegerField(_("家庭人数"), default=1)
    stage = models.CharField(_("当前阶段"), max_length=16, choices=Stage.choices, default=Stage.REGISTERED)
    # 进度路径: from the village's mode and the buildings' dispositions (gaizao.ledger.ways), kept by
    # the ledger's services; the stage rules read it here so that recording costs no query more.
    way = models.CharField(_("进度路径"), max_length=16, choices=Way.choices, default=Way.DEMOLISH)
    # The stage dates and the area below are kept by gaizao.progress (household_record_event) from
    # the household's stage events; nothing else writes them. ``area`` is the sum of the
    # buildings' legal and unlicensed areas, the figure the rollups count.
    area = models.DecimalField(_("房屋面积合计（㎡）"), default=Decimal("0"), **AREA)
    surveyed_on = models.DateField(_("入户调查日期"), null=True, blank=True)
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)
    valued_on = models.DateField(_("评估日期"), null=True, blank=True)
    decision_on = models.DateField(_("补偿决定日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    vacated_on = models.DateField(_("腾空交房日期"), null=True, blank=True)
    demolished_on = models.DateField(_("拆除日期"), null=True, blank=True)
    resettled_on = models.DateField(_("安置日期"), null=True, blank=True)
    agreed_on = models.DateField(_("同意整治日期"), null=True, blank=True)
    works_started_on = models.DateField(_("开工日期"), null=True, blank=True)
    works_accepted_on = models.DateField(_("竣工验收日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤出日期"), null=True, blank=True)
    resettlement_mode = models.CharField(_("安置方式"), max_length=16, blank=True, default="")
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("包户干部"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="cadre_households",
    )
    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("居民账号"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="household",
    )

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="household_number_unique_in_project"),
        ]
        indexes = [
            models.Index(fields=["street", "id"], name="household_street_idx"),
            models.Index(fields=["village", "id"], name="household_village_idx"),
            models.Index(fields=["head_name"], name="household_head_name_idx"),
            models.Index(fields=["number"], name="household_number_idx"),
            models.Index(fields=["street", "stage", "id"], name="household_street_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"


class Person(VersionedModel):
    """A member of a household (家庭成员)."""

    household = models.ForeignKey(Household, verbose_name=_("住户"), on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"))
    id_hash = LookupHashField(source="id_number")
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    hukou = models.CharField(_("户籍状况"), max_length=16, choices=Hukou.choices, default=Hukou.LOCAL_RURAL)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name


class Building(VersionedModel):
    """A building (房屋) of a household, with its legality decision (认定, 条例 §24)."""

    # No index of its own: the unique (household, number) index below starts with it and serves every
    # lookup by household (one index less to keep on each of an import's 100,000 inserts).
    household = models.ForeignKey(Household, verbose_name=_("住户"), on_delete=models.CASCADE, related_name="buildings",
                                  db_index=False)
    number = models.CharField(_("房屋编号"), max_length=32)
    structure = models.CharField(_("结构"), max_length=16, choices=known.structure_choices,
                                 default=Structure.BRICK_CONCRETE)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1)
    build_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    certificate_no = models.CharField(_("权证号"), max_length=64, blank=True)
    legal_area = models.DecimalField(_("合法面积（㎡）"), default=Decimal("0"), **AREA)
    unlicensed_area = models.DecimalField(_("无证面积（㎡）"), default=Decimal("0"), **AREA)
    legality = models.CharField(_("认定结果"), max_length=16, choices=Legality.choices, default=Legality.PENDING)
    use = models.CharField(_("用途"), max_length=16, choices=known.use_choices, default=HouseholdUse.RESIDENTIAL)
    # 处置方式: demolished or kept, as the village's mode allows (gaizao.ledger.ways); a kept building
    # is never marked demolished, and a household's 拆除 brings down only its buildings to demolish.
    disposition = models.CharField(_("处置方式"), max_length=16, choices=Disposition.choices,
                                   default=Disposition.DEMOLISH)
    # Set only through services.building_mark_demolished (heritage guard, audited).
    demolished_on = models.DateField(_("拆除日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["household_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "number"], name="building_number_unique_in_household"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def kept(self) -> bool:
        """Kept (保留): upgraded in place, never demolished."""
        return self.disposition == Disposition.KEEP


class KnownValue(VersionedModel):
    """A value the office adds to one of the ledger's lists (可选值): a building structure or a use beyond the
    built-in ones (``choices.Structure``, ``choices.HouseholdUse``). Its name is what a building or household
    stores; retired (not ``active``), it is no longer offered but stays valid for what already holds it."""

    kind = models.CharField(_("列表"), max_length=16, choices=KnownList.choices)
    label = models.CharField(_("名称"), max_length=16)
    aliases = models.CharField(_("其他写法"), max_length=200, blank=True)
    active = models.BooleanField(_("可选用"), default=True)

    class Meta:
        verbose_name = _("可选值")
        verbose_name_plural = _("可选值")
        ordering = ["kind", "label"]
        constraints = [models.UniqueConstraint(fields=["kind", "label"], name="known_value_unique_in_list")]

    def __str__(self) -> str:
        return self.label

    def alias_list(self) -> list[str]:
        return known.split_aliases(self.aliases)


PHOTO_EXTENSIONS = ("jpg", "jpeg", "png")
PHOTO_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def heritage_photo_path(instance: "HeritageElement", filename: str) -> str:
    """MEDIA_ROOT/heritage/<random>.<ext>: the uploader's file name never reaches the disk."""
    ext = PurePath(filename).suffix.lower().lstrip(".")
    ext = "jpg" if ext == "jpeg" else ext
    return f"heritage/{uuid.uuid4().hex}.{ext}"


def validate_photo(file) -> None:
    """A JPEG or PNG photo of at most 5 MB, checked by its content as well as its name.

    A photo already stored was checked when it was uploaded; only new uploads are read here.
    """
    if getattr(file, "_committed", False):
        return
    if file.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片不能超过 %(mb)d MB（现为 %(size).1f MB）。")
            % {"mb": PHOTO_MAX_BYTES // (1024 * 1024), "size": file.size / (1024 * 1024)},
            code="photo_size",
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")):
        raise ValidationError(_("照片须为 JPG 或 PNG 图片，该文件的内容不是。"), code="photo_content")


class HeritageElement(VersionedModel):
    """A historic or cultural feature of a village (历史文化要素: 祠堂, 古树, 历史建筑 …) to preserve.

    Linked to a village and, when it stands on or is one, to a building: such a building is not
    marked demolished without an explicit, audited override (services.building_mark_demolished).
    """

    village = models.ForeignKey(Village, verbose_name=_("城中村"), on_delete=models.PROTECT,
                                related_name="heritage_elements")
    building = models.ForeignKey(Building, verbose_name=_("房屋"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="heritage_elements")
    kind = models.CharField(_("类别"), max_length=20, choices=HeritageKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    protection_level = models.CharField(_("保护级别"), max_length=16, choices=ProtectionLevel.choices,
                                        default=ProtectionLevel.UNRATED)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    photo = models.FileField(
        _("照片"), upload_to=heritage_photo_path, blank=True, max_length=200,
        validators=[
            FileExtensionValidator(list(PHOTO_EXTENSIONS), message=_("照片须为 JPG 或 PNG 文件（扩展名 .jpg、.jpeg、.png）。")),
            validate_photo,
        ],
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("历史文化要素")
        verbose_name_plural = _("历史文化要素")
        ordering = ["village_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def photo_content_type(self) -> str:
        ext = self.photo.name.rsplit(".", 1)[-1].lower() if self.photo else ""
        return PHOTO_CONTENT_TYPES.get(ext, "application/octet-stream")


class ImportJob(models.Model):
    """One upload of a household ledger file (台账导入任务): previewed, then confirmed, in the background.

    The page stores the upload under ``MEDIA_ROOT/imports/``, a thread reads and checks it
    (``importing.jobs``) and the summary waits here for the uploader to confirm. Only the uploader
    (and the system administrator) sees a job. Writes to the ledger go through the import services;
    this row only follows their progress and keeps what the page shows.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        PREVIEWING = "previewing", _("正在预览")
        PREVIEWED = "previewed", _("待确认")
        APPLYING = "applying", _("正在导入")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE,
                              related_name="+")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="import_jobs")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_path = models.CharField(_("存储路径"), max_length=255, blank=True)  # relative to MEDIA_ROOT
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("步骤"), max_length=16, blank=True)  # engine.READ / engine.WRITE
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    skip_invalid = models.BooleanField(_("只导入无误的住户"), default=False)
    summary = models.JSONField(_("预览摘要"), null=True, blank=True)
    fingerprint = models.CharField(_("预览指纹"), max_length=64, blank=True)
    error_message = models.TextField(_("错误信息"), blank=True)
    error_report_path = models.CharField(_("错误清单路径"), max_length=255, blank=True)  # relative to MEDIA_ROOT
    result = models.JSONField(_("导入结果"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # The process whose thread runs the job (host, pid, and a token of that process's start, so a
    # reused pid is not taken for it): a process starting on the same host fails the running jobs
    # of a process that is gone (importing.jobs.import_jobs_recover).
    worker_host = models.CharField(_("处理主机"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("处理进程号"), null=True, blank=True)
    worker_token = models.CharField(_("处理进程标识"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    previewed_at = models.DateTimeField(_("预览完成时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入任务")
        verbose_name_plural = _("台账导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="importjob_actor_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.PREVIEWING, self.Status.APPLYING}
