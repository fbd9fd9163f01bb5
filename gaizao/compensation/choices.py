"""The words of compensation: scheme versions, the household's option, valuations, publicity (公示),
objections, change requests after publication and agreements (补偿协议)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemeStatus(models.TextChoices):
    """A scheme version is written as a draft, published (then immutable), and superseded by the next one."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本取代")


class Option(models.TextChoices):
    """The household's choice of compensation (补偿方式)."""

    MONEY = "money", _("货币补偿")
    SWAP = "swap", _("产权调换")
    MIXED = "mixed", _("货币补偿与产权调换结合")


class ValuationKind(models.TextChoices):
    INITIAL = "initial", _("评估")
    REVIEW = "review", _("复核")
    APPRAISAL = "appraisal", _("鉴定")


class PublicityKind(models.TextChoices):
    SURVEY = "survey", _("调查认定结果公示")
    COMPENSATION = "compensation", _("分户补偿情况公示")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    PUBLISHED = "published", _("答复已公布")


class ChangeKind(models.TextChoices):
    """What a change request after 公示 changes: any input of a household's compensation."""

    BUILDING = "building", _("房屋面积、用途、结构")
    LEGALITY = "legality", _("认定结果")
    VALUATION = "valuation", _("评估结果")
    MEMBERS = "members", _("家庭成员")
    SCHEME = "scheme", _("方案参数")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("待签约")
    SIGNED = "signed", _("已签约")
    VOID = "void", _("已作废")
