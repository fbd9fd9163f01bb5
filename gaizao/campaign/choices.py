"""The words of the campaign: target metrics, lights, task states, report and agreement states, meeting kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Metric(models.TextChoices):
    """What a target counts (目标指标). Each is computed from the data (``campaign.metrics``), never typed."""

    VILLAGES_COMPLETED = "villages_completed", _("完成改造村数")
    SIGNED = "signed", _("签约户数")
    VACATED = "vacated", _("腾空交房户数")
    DEMOLISHED_AREA = "demolished_area", _("拆除建筑面积（万㎡）")
    WORKS_ACCEPTED = "works_accepted", _("整治验收户数")
    SITE_READY = "site_ready", _("场地平整（四通一平）任务完成数")
    PUBLIC_SERVICE = "public_service", _("公共服务配套任务完成数")


class Light(models.TextChoices):
    """The light against the time elapsed (序时进度)."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    NONE = "none", _("未开始")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")
    SIGNED = "signed", _("已签订")
    IN_FORCE = "in_force", _("生效")
    SUPERSEDED = "superseded", _("已被新版本取代")


class TaskCategory(models.TextChoices):
    """What a task is about; the policy-support items (政策支持事项) are owned by departments."""

    GENERAL = "general", _("一般任务")
    LAND = "land", _("土地供应")
    PLANNING = "planning", _("规划审批")
    TAX = "tax", _("税费减免")
    FINANCING = "financing", _("融资")
    SITE = "site", _("四通一平")
    PUBLIC_SERVICE = "public_service", _("公共服务配套")
    DECISION = "decision", _("会议议定事项")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.DOING)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待街道领导审核")
    APPROVED = "approved", _("街道已审核，待指挥部接收")
    ACCEPTED = "accepted", _("指挥部已接收")
    RETURNED = "returned", _("已退回")


class MeetingKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("领导小组会议")
    DISPATCH = "dispatch", _("调度会")
    STREET = "street", _("街道例会")


ACTION_LABELS = {
    "campaign.create": _("创建攻坚行动"),
    "campaign.update": _("修改攻坚行动"),
    "campaign.goal_set": _("设定区级目标"),
    "campaign.target_set": _("设定街道目标"),
    "campaign.target_remove": _("删除街道目标"),
    "campaign.milestone_set": _("设定节点目标"),
    "campaign.milestone_remove": _("删除节点目标"),
    "campaign.completion_rule_set": _("设定村完成标准"),
    "campaign.agreement_draft": _("生成责任书"),
    "campaign.agreement_issue": _("印发责任书"),
    "campaign.agreement_sign": _("上传已签责任书"),
    "campaign.agreement_in_force": _("责任书生效"),
}
