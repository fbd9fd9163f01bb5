"""What waits for this person in compensation (征收补偿待办), for the home page's to-do card.

- the office (and the admin): change requests after 公示 waiting for a second person's decision;
- whoever answers a project's 公示 (the office, the street): objections not answered yet, and answers not
  published yet;
- whoever records signatures (the office, the street): agreements generated and waiting to be signed.

Oldest first. A fixed number of queries whatever the numbers: one per kind the person is asked about
(plus the user's units, once, when a role reaches by unit); none reads the household table (the dashboard
roles' home page never counts households).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from gaizao.compensation.choices import AgreementStatus, ChangeStatus, ObjectionStatus
from gaizao.compensation.policies.agreements import agreement_to_sign_scope
from gaizao.compensation.policies.changes import change_can_decide, change_scope
from gaizao.compensation.policies.publicity import objection_write_scope
from gaizao.core import access

LIMIT = 8


@dataclass
class TodoItem:
    kind: str  # "change", "objection" or "agreement"
    label: str
    title: str
    where: str
    since: dt.date | None
    url: str


def compensation_todo(user) -> dict | None:
    """The card's context, or None for those compensation asks nothing of."""
    decide = change_can_decide(user)
    answer = bool(access.grant(user, "compensation.objection", write=True))
    sign = bool(access.grant(user, "compensation.agreement", write=True))
    if not (decide or answer or sign):
        return None
    items: list[TodoItem] = []
    counts = {"changes": 0, "objections": 0, "agreements": 0}
    if decide:
        rows = list(change_scope(user).filter(status=ChangeStatus.PENDING).values(
            "pk", "kind", "created_at", number=F("household__number"), project=F("household__project__name"))
            .order_by("created_at", "pk")[:50])
        counts["changes"] = len(rows)
        items += [TodoItem(kind="change", label=_("变更待审核"), title=_("住户 %(n)s 的补偿变更申请") % {"n": r["number"]},
                           where=r["project"], since=r["created_at"].date(),
                           url=reverse("compensation:change_detail", args=[r["pk"]])) for r in rows]
    if answer:
        rows = list(objection_write_scope(user).filter(status__in=(ObjectionStatus.OPEN, ObjectionStatus.ANSWERED))
                    .values("pk", "status", "received_on", "publicity_id", "content",
                            project=F("publicity__project__name")).order_by("received_on", "pk")[:50])
        counts["objections"] = len(rows)
        items += [TodoItem(kind="objection",
                           label=_("异议待答复") if r["status"] == ObjectionStatus.OPEN else _("答复待公布"),
                           title=r["content"][:40], where=r["project"], since=r["received_on"],
                           url=reverse("compensation:publicity_detail", args=[r["publicity_id"]]))
                  for r in rows]
    if sign:
        rows = list(agreement_to_sign_scope(user).filter(status=AgreementStatus.DRAFT).values(
            "pk", "number", "created_at", project_name=F("project__name")).order_by("created_at", "pk")[:50])
        counts["agreements"] = len(rows)
        items += [TodoItem(kind="agreement", label=_("协议待签约"), title=_("补偿协议 %(n)s") % {"n": r["number"]},
                           where=r["project_name"], since=r["created_at"].date(),
                           url=reverse("compensation:agreement", args=[r["pk"]])) for r in rows]
    items.sort(key=lambda i: i.since or dt.date.min)
    return {"title": _("征收补偿待办"), "items": items[:LIMIT], "total": len(items), "counts": counts,
            "decide": decide}
