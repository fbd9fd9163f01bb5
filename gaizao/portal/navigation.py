"""The navigation menu (导航菜单) per role, from the items each app registered (core.registry.menu).

Items of one group fold into a drop-down where the group's first item stands (``MENU_GROUPS``); a
group with one item for this user is shown as that item, so a resident's bar stays plain.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from gaizao.core.registry import MENU_GROUPS, menu


def items_for(user) -> list[dict]:
    """The user's menu: entries ``{"label", "url", "url_name"}`` and, for a group of several,
    ``{"label", "children": [entries], "url_names": [...]}``, in the registry's order."""
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[dict] = []
    groups: dict[str, dict] = {}
    for item in menu:
        if not user.has_role(*item.roles):
            continue
        try:
            entry = {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
        except NoReverseMatch:
            continue
        if item.group and item.group in MENU_GROUPS:
            group = groups.get(item.group)
            if group is None:
                group = groups[item.group] = {"label": MENU_GROUPS[item.group], "children": [], "url_names": []}
                out.append(group)
            group["children"].append(entry)
            group["url_names"].append(item.url_name)
        else:
            out.append(entry)
    return [entry["children"][0] if len(entry.get("children", ())) == 1 else entry for entry in out]


def flat(items: list[dict]) -> list[dict]:
    """Every entry of a menu, groups opened (tests and the phone's list)."""
    return [child for item in items for child in item.get("children", [item])]
