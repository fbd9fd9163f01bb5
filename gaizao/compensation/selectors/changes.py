"""Reads of change requests after 公示 (变更申请): a household's requests (its page's panel), the list waiting for a
second person, one request with its side-by-side diff of the inputs and the line items."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gaizao.compensation.choices import ChangeKind, ChangeStatus
from gaizao.compensation.models import ChangeRequest
from gaizao.compensation.policies.changes import (change_can_decide, change_can_request, change_household_scope,
                                                  change_reader, change_scope)
from gaizao.core.errors import NotFound

FACT_LABELS = {
    "persons": "家庭人数", "land_type": "土地性质", "use": "用途", "signed_on": "签约日期", "vacated_on": "腾空交房日期",
    "signing_rate": "项目签约率（%）", "late_months": "逾期交付月数", "legal_area": "合法面积（㎡）",
    "unlicensed_area": "无证面积（㎡）", "floors": "层数", "build_year": "建成年份", "unit_price": "评估单价（元/㎡）",
    "decoration": "装修评估（元）", "legality": "认定结果", "structure": "结构", "certificate_no": "权证号",
    "disposition": "处置方式",
}
LIST_LIMIT = 200


def _related(rows: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
    return rows.select_related("household", "requested_by", "decided_by").defer(
        "household__head_id_number", "household__phone")


def household_changes(user, household) -> list[ChangeRequest]:
    """A household's change requests, newest first (one query)."""
    return list(_related(change_scope(user).filter(household_id=household.pk)).order_by("-created_at", "-pk"))


def household_changes_panel(request, household) -> dict | None:
    """The household page's panel (变更申请): every request, and whether this user may ask for one. None for a user
    who reads no change requests (no query then)."""
    user = getattr(request, "user", None)
    if user is None or not change_reader(user):
        return None
    return {"household": household, "changes": household_changes(user, household),
            "can_request": change_can_request(user, household), "kinds": ChangeKind.choices}


def change_list(user, *, status: str | None = ChangeStatus.PENDING) -> list[ChangeRequest]:
    """The change requests in reach, the pending ones by default, oldest first (one query, at most 200)."""
    rows = _related(change_scope(user)).select_related("household__project")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("created_at", "pk")[:LIST_LIMIT])


def change_get(user, pk) -> ChangeRequest:
    """One change request in reach, with its household, project and people; else NotFound."""
    found = (change_scope(user).select_related("household__project", "requested_by", "decided_by", "publicity")
             .filter(pk=pk).first())
    if found is None:
        raise NotFound(_("变更申请不存在或无权查看。"))
    return found


def household_for_request(user, pk):
    """A household the user may ask a change for (write reach), else NotFound."""
    found = change_household_scope(user, write=True).select_related("project").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("住户不存在或无权操作。"))
    return found


def household_in_reach(user, pk):
    found = change_household_scope(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("住户不存在或无权查看。"))
    return found


def may_decide(user, change: ChangeRequest) -> bool:
    """Whether this user may approve or reject this request now: pending, the office, not the requester."""
    return (change.status == ChangeStatus.PENDING and change_can_decide(user)
            and change.requested_by_id != getattr(user, "pk", None))


# ---------------------------------------------------------------- the side-by-side diff

@dataclass(frozen=True)
class Row:
    section: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ItemRow:
    key: str
    label: str
    unit: str
    before: str
    after: str
    formula_before: str
    formula_after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def delta(self) -> str:
        try:
            value = Decimal(self.after or "0") - Decimal(self.before or "0")
        except InvalidOperation:
            return ""
        return "" if not value else (f"+{value}" if value > 0 else f"{value}")


def _fact_rows(section: str, before: dict, after: dict) -> list[Row]:
    keys = list(dict.fromkeys([*before, *after]))
    return [Row(section, FACT_LABELS.get(k, k), str(before.get(k, "")), str(after.get(k, ""))) for k in keys]


def input_rows(change: ChangeRequest) -> list[Row]:
    """The inputs before and after, household facts then each building's (a building only on one side: added)."""
    before, after = change.before.get("inputs", {}), change.after.get("inputs", {})
    rows = _fact_rows(_("本户"), before.get("household", {}), after.get("household", {}))
    b_before, b_after = before.get("buildings", {}), after.get("buildings", {})
    for number in dict.fromkeys([*b_before, *b_after]):
        rows.extend(_fact_rows(_("房屋 %(n)s") % {"n": number}, b_before.get(number, {}), b_after.get(number, {})))
    return rows


def item_rows(change: ChangeRequest) -> list[ItemRow]:
    """The line items before and after, in the scheme's order (an item on one side only shows empty on the other)."""
    before = {i["key"]: i for i in change.before.get("items", [])}
    after = {i["key"]: i for i in change.after.get("items", [])}
    out = []
    for key in dict.fromkeys([*before, *after]):
        b, a = before.get(key, {}), after.get(key, {})
        amount = (lambda item: item.get("amount", "") if item.get("applies", True) else "")
        out.append(ItemRow(key=key, label=a.get("label") or b.get("label") or key,
                           unit=a.get("unit") or b.get("unit", ""),
                           before=amount(b), after=amount(a), formula_before=b.get("formula", ""),
                           formula_after=a.get("formula", "")))
    return out


def change_summary(change: ChangeRequest) -> str:
    """What the request changes, in one line (房屋 1：合法面积 120.50 → 100.00)."""
    payload = change.payload or {}
    op = payload.get("op")
    before = payload.get("before", {})
    parts = [f"{FACT_LABELS.get(k, k).split('（')[0]} {before.get(k, '')} → {v}".replace("  ", " ")
             for k, v in (payload.get("changes") or {}).items()]
    if op in ("building_update",):
        return _("房屋 %(n)s：%(c)s") % {"n": payload.get("number"), "c": "；".join(parts)}
    if op == "building_add":
        return _("新增房屋 %(n)s") % {"n": (payload.get("changes") or {}).get("number", "")}
    if op == "person_add":
        return _("新增家庭成员 %(n)s") % {"n": (payload.get("changes") or {}).get("name", "")}
    if op == "person_update":
        return _("家庭成员 %(n)s：%(c)s") % {"n": payload.get("name"), "c": "；".join(parts)}
    if op == "household_update":
        return "；".join(parts)
    if op == "valuation":
        entry = payload.get("entry") or {}
        return _("房屋 %(n)s 的评估：单价 %(p)s 元/㎡，装修 %(d)s 元") % {
            "n": payload.get("number"), "p": entry.get("unit_price", ""), "d": entry.get("decoration", "") or "0"}
    if op == "scheme":
        return _("发布补偿方案第 %(n)s 版（%(s)s）") % {"n": payload.get("number"), "s": payload.get("name", "")}
    return ""
