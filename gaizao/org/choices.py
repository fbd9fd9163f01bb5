from django.db import models
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
