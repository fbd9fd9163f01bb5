"""Reads of the publicity (公示): the projects with their rounds, one project's rounds, one round with its
objections, the public board (公示栏) of a project, and the rows a new round is made of.

A published round's ``rows`` are frozen JSON: every page, document and table reads them as they were
published, never the ledger or the calculations again. Each list reads a fixed number of queries,
whatever the number of rounds, rows or objections (tests/compensation/test_publicity_pages.py pins them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.compensation.choices import ObjectionStatus, PublicityKind
from gaizao.compensation.models import Calculation, Objection, Publicity
from gaizao.compensation.selectors.calculations import calculations_for_project
from gaizao.compensation.policies.publicity import (objection_scope, publicity_project_scope, publicity_scope)
from gaizao.ledger.models import Project

OPEN_STATUSES = (ObjectionStatus.OPEN, ObjectionStatus.ANSWERED)


# ------------------------------------------------------------------------------------------ staff

def publicity_projects(user) -> QuerySet[Project]:
    """The projects whose publicity the user reads, each with its number of rounds, the last start and the
    objections not yet answered (待答复). One query."""
    return (publicity_project_scope(user).select_related("village", "village__street")
            .annotate(rounds=Count("publicities", distinct=True), last_start=Max("publicities__starts_on"),
                      open_objections=Count("publicities__objections", distinct=True,
                                            filter=Q(publicities__objections__status=ObjectionStatus.OPEN)))
            .order_by("village__street__path", "village__code", "code"))


def publicity_project_get(user, *, pk: int) -> Project:
    found = publicity_project_scope(user).select_related("village", "village__street").filter(pk=pk).first()
    if found is None:
        raise Http404(_("项目不存在或无权查看。"))
    return found


def publicity_list(user, *, project: Project) -> QuerySet[Publicity]:
    """The project's rounds, newest first in each kind, with their objections counted. One query."""
    return (publicity_scope(user).filter(project=project).select_related("published_by")
            .annotate(objection_count=Count("objections"),
                      open_count=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)))
            .order_by("kind", "-round"))


def publicity_get(user, *, pk: int) -> Publicity:
    found = (publicity_scope(user).select_related("project", "project__village", "project__village__street",
                                                  "published_by", "scheme").filter(pk=pk).first())
    if found is None:
        raise Http404(_("公示不存在或无权查看。"))
    return found


def objection_list(publicity: Publicity) -> list[Objection]:
    """The objections to one round, in the order they were received (the caller has read the round in scope)."""
    return list(publicity.objections.select_related("household", "answered_by", "created_by")
                .order_by("received_on", "pk"))


def objection_get(user, *, pk: int) -> Objection:
    found = (objection_scope(user).select_related("publicity", "publicity__project", "publicity__project__village")
             .filter(pk=pk).first())
    if found is None:
        raise Http404(_("异议不存在或无权查看。"))
    return found


def project_rounds(project: Project, *, limit: int = 20) -> list[Publicity]:
    """The project's latest rounds (the project and village panels; the caller decided the user reads them)."""
    return list(Publicity.objects.filter(project=project).order_by("-starts_on", "-pk")[:limit])


def village_rounds(user, village, *, limit: int = 20) -> list[Publicity]:
    return list(publicity_scope(user).filter(project__village=village).select_related("project")
                .order_by("-starts_on", "-pk")[:limit])


# ------------------------------------------------------------------------------------------ public

def public_project(code: str) -> Project:
    """A project by its code, for the public board (公示栏): a project without any round started is a 404."""
    found = Project.objects.select_related("village").filter(code=code).first()
    if found is None:
        raise Http404(_("没有该项目的公示。"))
    return found


def public_rounds(project: Project, *, today: dt.date | None = None) -> list[Publicity]:
    """The rounds the public sees: those whose period has begun (during it and after), newest first, each with
    its answered-and-published objections counted. One query."""
    today = today or timezone.localdate()
    return list(Publicity.objects.filter(project=project, starts_on__lte=today)
                .annotate(published_answers=Count("objections",
                                                  filter=Q(objections__status=ObjectionStatus.PUBLISHED)))
                .order_by("-starts_on", "kind", "-round"))


def public_round(project: Project, pk: int, *, today: dt.date | None = None) -> Publicity:
    today = today or timezone.localdate()
    found = Publicity.objects.filter(project=project, pk=pk, starts_on__lte=today).first()
    if found is None:
        raise Http404(_("没有该公示。"))
    return found


def public_objections(publicity: Publicity) -> list[Objection]:
    """The objections whose answer was published (答复已公布), in the order they were received."""
    return list(publicity.objections.filter(status=ObjectionStatus.PUBLISHED).order_by("received_on", "pk"))


# ------------------------------------------------------------------------------------------ state

def in_period(publicity: Publicity, today: dt.date | None = None) -> str:
    """``upcoming`` (未开始), ``running`` (公示中) or ``ended`` (已结束)."""
    today = today or timezone.localdate()
    if today < publicity.starts_on:
        return "upcoming"
    return "running" if today <= publicity.ends_on else "ended"


PERIOD_LABELS = {"upcoming": gettext_lazy("未开始"), "running": gettext_lazy("公示中"), "ended": gettext_lazy("已结束")}


# ------------------------------------------------------------------------------------------ columns

@dataclass(frozen=True)
class Column:
    key: str
    label: str


def money_columns(rows: list[dict]) -> list[Column]:
    """The money line items of a compensation list as columns: the union of the rows' items, in the scheme's
    order. Every row lists its items in that order (a household's option may leave some out), so each key
    goes in after the key that comes before it in the first row that has it."""
    order: list[str] = []
    labels: dict[str, str] = {}
    for row in rows:
        previous = None
        for item in row.get("items") or ():
            key = item["key"]
            if key not in labels:
                labels[key] = item.get("label") or key
                order.insert(order.index(previous) + 1 if previous is not None else _first_after(order, row), key)
            previous = key
    return [Column(key, labels[key]) for key in order]


def _first_after(order: list[str], row: dict) -> int:
    """Where a row's first item goes when it is new: before the first known key the row holds later."""
    keys = [item["key"] for item in row.get("items") or ()]
    for key in keys:
        if key in order:
            return order.index(key)
    return len(order)


def compensation_table(rows: list[dict]) -> tuple[list[Column], list[dict]]:
    """The columns and, per row, its amounts by column (blank where the household has no such item)."""
    columns = money_columns(rows)
    out = []
    for row in rows:
        amounts = {item["key"]: item["amount"] for item in row.get("items") or ()}
        out.append({**row, "amounts": [amounts.get(c.key, "") for c in columns]})
    return columns, out


def sum_text(values) -> str:
    """The sum of amounts written as text (two places); blanks count nothing."""
    total = Decimal("0")
    for value in values:
        if value not in (None, ""):
            total += Decimal(str(value))
    return f"{total.quantize(Decimal('0.01'))}"


# ------------------------------------------------------------------------------------------ calculations

def current_calculations(project: Project, household_ids=None) -> dict[int, Calculation]:
    """Each household's current calculation (补偿测算, the latest ``current`` one of any option), by household id,
    narrowed to ``household_ids`` when given (``selectors.calculations.calculations_for_project``: one query)."""
    found = calculations_for_project(project)
    if household_ids is None:
        return found
    return {pk: found[pk] for pk in household_ids if pk in found}


KIND_LABELS = dict(PublicityKind.choices)
