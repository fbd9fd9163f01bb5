"""The words of oversight: order levels, states and colours, what an order is about, inspection findings,
assessment periods and rules, proposals and records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderLevel(models.TextChoices):
    GENERAL = "general", _("一般督办")
    KEY = "key", _("重点督办")
    LISTED = "listed", _("挂牌督办")


class OrderStatus(models.TextChoices):
    """督办单: draft → leader review → issued → received (签收) → handling → feedback → verified (closed, 销号)
    or returned (back to handling)."""

    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待领导审核")
    ISSUED = "issued", _("已下发，待签收")
    RECEIVED = "received", _("已签收")
    HANDLING = "handling", _("办理中")
    FEEDBACK = "feedback", _("已反馈，待核验")
    RETURNED = "returned", _("已退回，重新办理")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


OPEN_ORDER_STATUSES = (OrderStatus.ISSUED, OrderStatus.RECEIVED, OrderStatus.HANDLING, OrderStatus.FEEDBACK,
                       OrderStatus.RETURNED)


class OrderColour(models.TextChoices):
    """Blue within 3 working days of the deadline, yellow when behind or returned, red when overdue."""

    NONE = "none", _("正常")
    BLUE = "blue", _("蓝色（临近期限）")
    YELLOW = "yellow", _("黄色（滞后或退回）")
    RED = "red", _("红色（已超期）")
    DONE = "done", _("已销号")


class SubjectKind(models.TextChoices):
    """What an order is about."""

    TASK = "task", _("任务")
    TARGET = "target", _("目标")
    VILLAGE = "village", _("城中村")
    HOUSEHOLD = "household", _("户")
    FINDING = "finding", _("督查问题")
    APPEAL = "appeal", _("诉求")
    OTHER = "other", _("其他事项")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    FIXED = "fixed", _("已整改，待核验")
    RETURNED = "returned", _("核验未通过，重新整改")
    VERIFIED = "verified", _("已核验销号")


OPEN_FINDING_STATUSES = (FindingStatus.OPEN, FindingStatus.FIXED, FindingStatus.RETURNED)


class PhotoKind(models.TextChoices):
    FINDING = "finding", _("问题照片")
    FIX = "fix", _("整改照片")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Assessed(models.TextChoices):
    """Who a scheme assesses."""

    STREET = "street", _("街道")
    DEPARTMENT = "department", _("部门")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("施行")
    RETIRED = "retired", _("停用")


class ScoringRule(models.TextChoices):
    """How an indicator's value becomes points (``oversight.scoring``)."""

    LINEAR = "linear", _("按完成比例折算（线性至目标）")
    POINTS = "points", _("基础分 ± 每百分点加减分（封顶保底）")
    THRESHOLDS = "thresholds", _("分档计分")
    EXPRESSION = "expression", _("公式")


class MissingRule(models.TextChoices):
    """What an indicator whose data is missing for a unit (数据缺失: no task due for it this month, say) does to
    its total. The line is always shown as missing, never as a value of 0."""

    RESCALE = "rescale", _("按其他指标得分率折算")
    ZERO = "zero", _("计 0 分")
    FULL = "full", _("按满分计")


class SheetStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本取代")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class ProposalKind(models.TextChoices):
    COMMENDATION = "commendation", _("表彰建议")
    ACCOUNTABILITY = "accountability", _("问责建议")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已否决")


class RecordKind(models.TextChoices):
    COMMENDATION = "commendation", _("表彰")
    ACCOUNTABILITY = "accountability", _("问责")


class Measure(models.TextChoices):
    """What a commendation or an accountability record does."""

    PRAISE = "praise", _("通报表扬")
    AWARD = "award", _("表彰奖励")
    MERIT = "merit", _("记功")
    TALK = "talk", _("约谈")
    CRITICISM = "criticism", _("通报批评")
    SELF_EXAMINATION = "self_examination", _("责令检查")
    ADMONITION = "admonition", _("诫勉")
    OTHER = "other", _("其他")


COMMENDATION_MEASURES = (Measure.PRAISE, Measure.AWARD, Measure.MERIT, Measure.OTHER)
ACCOUNTABILITY_MEASURES = (Measure.TALK, Measure.CRITICISM, Measure.SELF_EXAMINATION, Measure.ADMONITION,
                           Measure.OTHER)
