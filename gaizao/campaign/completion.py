"""Village completion as a rule (村改造完成标准), configurable per campaign and mode, evaluated from data.

A rule is a list of conditions per mode (``Campaign.completion_rules``: {"demolish_rebuild": ["signed",
"demolished", "site_tasks"], …}); a mode without a rule uses the default, which is progress's own
(``progress.completion``): 拆除新建 signed (or under a 补偿决定) and demolished, 整治提升 works accepted,
拆整结合 both. Each condition reads the village's rollups or its campaign tasks and says what is
missing ("3 户未签约"), so "villages completed" is counted, never typed, and carries its reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.campaign.choices import TaskCategory, TaskStatus
from gaizao.ledger.choices import RenovationMode
from gaizao.ledger.models import Village
from gaizao.progress.choices import SCOPE, SCOPE_UPGRADE, EventKind, Level
from gaizao.progress.models import Rollup


@dataclass(frozen=True)
class Facts:
    """What the conditions read about one village: its rollup counts and its open campaign tasks by category."""

    counts: dict
    open_tasks: dict  # category → open tasks (not done, not cancelled)


@dataclass(frozen=True)
class Condition:
    key: str
    label: object
    missing: Callable[[Facts], str | None]  # None when met, else what is missing


def _left(facts: Facts, scope: str, *kinds: str) -> int:
    return max(facts.counts.get(scope, 0) - sum(facts.counts.get(str(k), 0) for k in kinds), 0)


def _households(scope: str, words: str, *kinds: str) -> Callable[[Facts], str | None]:
    def missing(facts: Facts) -> str | None:
        n = _left(facts, scope, *kinds)
        return _(words) % {"n": n} if n else None
    return missing


def _tasks(category: str, words: str) -> Callable[[Facts], str | None]:
    def missing(facts: Facts) -> str | None:
        n = facts.open_tasks.get(category, 0)
        return _(words) % {"n": n} if n else None
    return missing


def _unsurveyed(facts: Facts) -> str | None:
    counts = facts.counts
    n = max(counts.get(SCOPE, 0) + counts.get(SCOPE_UPGRADE, 0) - counts.get(EventKind.SURVEYED, 0), 0)
    return _("%(n)d 户未调查") % {"n": n} if n else None


CONDITIONS: dict[str, Condition] = {c.key: c for c in (
    Condition("surveyed", gettext_lazy("全部入户调查"), lambda f: _unsurveyed(f)),
    Condition("signed", gettext_lazy("全部签约或作出补偿决定"),
              _households(SCOPE, "%(n)d 户未签约", EventKind.SIGNED, EventKind.DECISION)),
    Condition("vacated", gettext_lazy("全部腾空交房"), _households(SCOPE, "%(n)d 户未腾空", EventKind.VACATED)),
    Condition("demolished", gettext_lazy("全部拆除"), _households(SCOPE, "%(n)d 户未拆除", EventKind.DEMOLISHED)),
    Condition("works_accepted", gettext_lazy("整治工程全部竣工验收"),
              _households(SCOPE_UPGRADE, "%(n)d 户未验收", EventKind.WORKS_ACCEPTED)),
    Condition("site_tasks", gettext_lazy("四通一平任务全部完成"), _tasks(TaskCategory.SITE, "%(n)d 项四通一平任务未完成")),
    Condition("public_tasks", gettext_lazy("公共服务配套任务全部完成"),
              _tasks(TaskCategory.PUBLIC_SERVICE, "%(n)d 项公共服务配套任务未完成")),
)}

DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    RenovationMode.DEMOLISH_REBUILD: ("signed", "demolished"),
    RenovationMode.UPGRADE: ("works_accepted",),
    RenovationMode.MIXED: ("signed", "demolished", "works_accepted"),
}


def rule_for(campaign, mode: str) -> tuple[str, ...]:
    """The conditions a village of ``mode`` must meet in ``campaign`` (its own rule, else the default)."""
    found = (campaign.completion_rules or {}).get(mode) if campaign is not None else None
    return tuple(found) if found else DEFAULT_RULES.get(mode, DEFAULT_RULES[RenovationMode.DEMOLISH_REBUILD])


def check_rules(rules) -> dict[str, list[str]]:
    """A rules mapping checked: known modes and conditions, at least one condition each (Chinese messages)."""
    from gaizao.core.errors import AppError

    if not isinstance(rules, dict):
        raise AppError(_("村完成标准格式不正确。"), fields={"completion_rules": _("请检查完成条件。")})
    out = {}
    for mode, keys in rules.items():
        if mode not in RenovationMode.values:
            raise AppError(_("未知的改造方式「%(m)s」。") % {"m": mode}, fields={"completion_rules": _("请检查完成条件。")})
        keys = list(dict.fromkeys(keys or ()))
        unknown = [k for k in keys if k not in CONDITIONS]
        if unknown:
            raise AppError(_("未知的完成条件「%(k)s」。") % {"k": "、".join(unknown)}, fields={"completion_rules": _("请检查完成条件。")})
        if keys:
            out[mode] = keys
    return out


@dataclass(frozen=True)
class VillageCompletion:
    village_id: int
    done: bool
    reason: str  # 已完成 / 未完成：3 户未签约，2 项四通一平任务未完成


def judge(mode: str, rule: tuple[str, ...], facts: Facts) -> tuple[bool, str]:
    if not facts.counts.get(SCOPE, 0) + facts.counts.get(SCOPE_UPGRADE, 0):
        return False, _("未完成：改造范围内没有住户")
    missing = [m for key in rule if (m := CONDITIONS[key].missing(facts))]
    if missing:
        return False, _("未完成：") + "，".join(missing)
    return True, _("已完成")


def villages_completion(campaign, villages: list[Village] | None = None, *,
                        street_ids=None) -> dict[int, VillageCompletion]:
    """Each village's completion under ``campaign``'s rule: three queries whatever the number of villages
    (the villages unless given, their rollups, their open tasks by category)."""
    from gaizao.campaign.models import Task

    if villages is None:
        qs = Village.objects.order_by("code").only("id", "mode", "street_id")
        if street_ids is not None:
            qs = qs.filter(street_id__in=list(street_ids))
        villages = list(qs)
    ids = [v.pk for v in villages]
    counts: dict[int, dict] = defaultdict(dict)
    open_tasks: dict[int, dict] = defaultdict(dict)
    if ids:
        for unit, key, households in Rollup.objects.filter(level=Level.VILLAGE, unit__in=ids).values_list(
                "unit", "key", "households"):
            counts[unit][key] = households
        if campaign is not None:
            rows = (Task.objects.filter(campaign=campaign, village_id__in=ids,
                                        category__in=[TaskCategory.SITE, TaskCategory.PUBLIC_SERVICE])
                    .exclude(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])
                    .values("village_id", "category").annotate(n=Count("id")).order_by())
            for row in rows:
                open_tasks[row["village_id"]][row["category"]] = row["n"]
    out = {}
    for v in villages:
        done, reason = judge(v.mode, rule_for(campaign, v.mode), Facts(counts[v.pk], open_tasks[v.pk]))
        out[v.pk] = VillageCompletion(v.pk, done, reason)
    return out
