"""The words of progress: event kinds, resettlement modes, hard-case reasons, rollup levels and keys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What a stage event (进度事件) records. ``VOID`` only appears on corrections."""

    SURVEYED = "surveyed", _("入户调查")
    DECIDED = "decided", _("认定")
    VALUED = "valued", _("评估")
    DECISION = "decision", _("补偿决定")
    SIGNED = "signed", _("签约")
    VACATED = "vacated", _("腾空交房")
    DEMOLISHED = "demolished", _("拆除")
    RESETTLED = "resettled", _("安置")
    # The upgrade way (整治提升, and the kept households of 拆整结合): the household keeps its buildings.
    AGREED = "agreed", _("同意整治")
    WORKS_STARTED = "works_started", _("开工")
    WORKS_ACCEPTED = "works_accepted", _("竣工验收")
    WITHDRAWN = "withdrawn", _("撤出改造范围")
    VOID = "void", _("撤销记录")


class ResettlementMode(models.TextChoices):
    MONEY = "money", _("货币补偿（已付款）")
    SWAP = "swap", _("产权调换（已交房）")
    RETURN = "return", _("回迁")


class DifficultyReason(models.TextChoices):
    """Why an unsigned household is a hard case (硬骨头)."""

    PRICE = "price", _("补偿价格")
    AREA = "area", _("面积认定")
    FAMILY = "family", _("家庭矛盾")
    HISTORY = "history", _("历史遗留问题")
    ABSENT = "absent", _("产权人外出或失联")
    RESETTLEMENT = "resettlement", _("安置诉求")
    OTHER = "other", _("其他")


class Level(models.IntegerChoices):
    """The levels rollups are kept at."""

    DISTRICT = 0, _("区")
    STREET = 1, _("街道")
    VILLAGE = 2, _("城中村")
    PROJECT = 3, _("项目")


# Rollup keys: ``scope`` (households in the project's scope on the demolition way: those that sign or
# get a 补偿决定 and are demolished, the denominator of the signing and demolition rates),
# ``scope_upgrade`` (households on the upgrade way: 整治提升, and 拆整结合 households whose buildings
# are all kept; the denominator of the upgrade steps), and each kind a household reaches (withdrawn
# households leave the scope, so WITHDRAWN counts nowhere). The order of stages and what each kind
# sets on the household are in ``gaizao.progress.stages``; the ways in ``gaizao.ledger.ways``.
SCOPE = "scope"
SCOPE_UPGRADE = "scope_upgrade"
ROLLUP_KEYS = [SCOPE, SCOPE_UPGRADE] + [k.value for k in EventKind if k not in (EventKind.WITHDRAWN, EventKind.VOID)]
# How a rollup key reads (dashboards, the progress table, verify's messages).
KEY_LABELS = {SCOPE: _("拆除范围内"), SCOPE_UPGRADE: _("整治范围内"),
              **{k.value: k.label for k in EventKind if k != EventKind.VOID}}

ACTION_LABELS = {
    "consultation.open": _("发起意愿征询"),
    "consultation.answer": _("登记征询意见"),
    "progress.event": _("记录进度"),
    "progress.event_bulk": _("批量记录进度"),
    "progress.correction": _("更正进度记录"),
    "progress.rollups_rebuild": _("重建进度汇总"),
    "hardcase.open": _("列为攻坚户"),
    "hardcase.update": _("修改一户一策"),
    "hardcase.close": _("攻坚户销号"),
    "hardcase.visit": _("记录走访"),
    "consultation.record": _("记录意愿征询"),
}


class ConsultationAnswerChoice(models.TextChoices):
    """A household's answer in a consultation (意愿征询)."""

    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    NONE = "none", _("未表态")
