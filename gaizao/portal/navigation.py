"""The navigation menu (导航菜单) per role, from the items each app registered (core.registry.menu)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from gaizao.core.registry import menu


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in menu:
        if not user.has_role(*item.roles):
            continue
        try:
            out.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
        except NoReverseMatch:
            continue
    return out
