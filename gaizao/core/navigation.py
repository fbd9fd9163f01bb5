"""The navigation menu per role. Each app adds its entries here; the layout shows what fits."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gaizao.org.choices import Role

ALL_BUSINESS = (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT, Role.CADRE)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


NAV: list[NavItem] = [
    NavItem(_("首页"), "core:home", tuple(Role.values)),
    NavItem(_("作战图"), "progress:dashboard", (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET)),
    NavItem(_("进度表"), "progress:table", (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET)),
    NavItem(_("城中村"), "ledger:village_list", (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET)),
    NavItem(_("住户台账"), "ledger:household_list", (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE)),
    NavItem(_("批量记录进度"), "progress:bulk_record", (Role.ADMIN, Role.COMMANDER, Role.STREET)),
    NavItem(_("攻坚户"), "progress:hardcase_list", (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.CADRE)),
    NavItem(_("我的住户"), "ledger:my_household", (Role.RESIDENT,)),
    NavItem(_("组织机构"), "org:unit_list", (Role.ADMIN, Role.COMMANDER, Role.LEADER)),
    NavItem(_("账号管理"), "org:user_list", (Role.ADMIN, Role.SECURITY)),
    NavItem(_("审计日志"), "core:audit_list", (Role.AUDITOR,)),
]


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in NAV:
        if not user.has_role(*item.roles):
            continue
        try:
            out.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
        except NoReverseMatch:
            continue
    return out
