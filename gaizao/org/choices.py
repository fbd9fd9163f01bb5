from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区")
    OFFICE = "office", _("领导小组办公室")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("部门")


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    COMMANDER = "commander", _("指挥部（领导小组办公室）")
    LEADER = "leader", _("区领导")
    STREET = "street", _("街道工作人员")
    DEPARTMENT = "department", _("部门工作人员")
    CADRE = "cadre", _("包户干部")
    RESIDENT = "resident", _("居民")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY = "security", _("安全管理员")


# Roles that must pass a second factor (TOTP) before they reach any page.
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.COMMANDER})
# Roles that read all business data of the district.
DISTRICT_WIDE_ROLES = frozenset({Role.ADMIN, Role.COMMANDER, Role.LEADER})


# Chinese labels of the audit actions this app writes (registered in OrgConfig.ready).
AUDIT_ACTION_LABELS = {
    "auth.login": gettext_lazy("登录"),
    "auth.logout": gettext_lazy("退出登录"),
    "auth.login_failed": gettext_lazy("登录失败"),
    "auth.throttle_start": gettext_lazy("登录过于频繁，开始限制"),
    "auth.throttled": gettext_lazy("登录受限，被拒绝"),
    "auth.locked": gettext_lazy("账号锁定"),
    "auth.otp_enrol_start": gettext_lazy("开始绑定动态口令"),
    "auth.otp_enrol": gettext_lazy("绑定动态口令"),
    "auth.otp_verify": gettext_lazy("动态口令验证"),
    "auth.otp_remove": gettext_lazy("解绑动态口令"),
    "user.create": gettext_lazy("新建账号"),
    "user.set_password": gettext_lazy("重设密码"),
    "user.change_password": gettext_lazy("修改密码"),
    "user.enable": gettext_lazy("启用账号"),
    "user.disable": gettext_lazy("停用账号"),
    "user.unlock": gettext_lazy("解除锁定"),
    "user.reset_otp": gettext_lazy("重置动态口令"),
    "apitoken.create": gettext_lazy("创建接口令牌"),
    "apitoken.revoke": gettext_lazy("吊销接口令牌"),
    "orgunit.create": gettext_lazy("新建组织机构"),
    "orgunit.set_boundary": gettext_lazy("设置组织机构边界"),
}
