"""What waits for each person on the home page (工作台待办), from progress's data.

Three cards, each answering only for those it concerns (decided from the access table's grants,
never from role names):

- the cadre's (包户干部): visits overdue and due within a week on its hard cases, and its
  households by the next step they need (``ledger.nextstep``);
- the street's (街道): hard cases overdue for a visit, projects whose signing lapsed and wait for
  the office, holdouts on the legal path whose windows have passed, and each project's progress;
- the office's (指挥部, and the leader's as 需关注): the district's red items — lapsed projects
  awaiting a decision, streets with overdue hard cases, holdouts the court may now be asked about.

Each card is a fixed number of queries whatever the data (pinned by tests/progress/test_home_todo.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.errors import NotFound
from gaizao.ledger.nextstep import FINAL, next_step
from gaizao.ledger.policies import household_grant, household_scope
from gaizao.progress.legal import LITIGATION_MONTHS, RECONSIDERATION_DAYS, StepKind, add_months
from gaizao.progress.policies import (
    dashboard_grant, hardcase_scope, hardcase_unit_writer, legalcase_scope, signing_can_decide,
)
from gaizao.progress.selectors.summary import Area, dashboard_area, project_summaries
from gaizao.progress.services.hardcases import is_overdue, overdue_condition

UPCOMING_DAYS = 7
LIST_LIMIT = 8


@dataclass
class DueVisit:
    hard_case_id: int
    household_id: int
    number: str
    head_name: str
    village: str
    due: dt.date | None
    days: int  # days overdue (> 0) or days until due (>= 0)


@dataclass
class Item:
    """One line of a to-do list: what, how many, where to act, how urgent (red / yellow / blue)."""

    label: str
    count: int
    url: str
    tone: str = "red"
    detail: str = ""


@dataclass
class Todo:
    title: str
    items: list[Item] = field(default_factory=list)
    overdue: list[DueVisit] = field(default_factory=list)
    upcoming: list[DueVisit] = field(default_factory=list)
    steps: list[Item] = field(default_factory=list)
    projects: list = field(default_factory=list)
    empty_note: str = ""


def _visits(qs, *, on: dt.date) -> tuple[list[DueVisit], list[DueVisit]]:
    """Open cases overdue for a visit, and those due within ``UPCOMING_DAYS``: one query."""
    soon = on + dt.timedelta(days=UPCOMING_DAYS)
    rows = (qs.filter(closed_on__isnull=True).filter(overdue_condition(on) | Q(next_visit_on__lte=soon))
            .order_by(F("next_visit_on").asc(nulls_first=True), "id")
            .values("id", "household_id", "next_visit_on", "opened_on", "last_visit_on",
                    number=F("household__number"), head_name=F("household__head_name"),
                    village_name=F("village__name"))[: 4 * LIST_LIMIT])
    overdue, upcoming = [], []
    for row in rows:
        due = row["next_visit_on"]
        visit = DueVisit(hard_case_id=row["id"], household_id=row["household_id"], number=row["number"],
                      head_name=row["head_name"], village=row["village_name"], due=due,
                      days=abs((on - due).days) if due else (on - (row["last_visit_on"] or row["opened_on"])).days)
        late = is_overdue(opened_on=row["opened_on"], last_visit_on=row["last_visit_on"], next_visit_on=due, on=on)
        (overdue if late else upcoming).append(visit)
    return overdue[:LIST_LIMIT], upcoming[:LIST_LIMIT]


def _household_list(**params) -> str:
    return f"{reverse('ledger:household_list')}?{urlencode(params)}"


def cadre_todo(user, *, today: dt.date | None = None) -> Todo | None:
    """The cadre's day: visits overdue and due soon, its households by the next step they need. 2 queries."""
    households = household_grant(user)
    if not households.assigned or households.everywhere or households.unit_ids:
        return None  # only a cadre reaches households by assignment alone
    on = today or timezone.localdate()
    cases = hardcase_scope(user).filter(household__cadre=user)
    overdue, upcoming = _visits(cases, on=on)
    grouped = (household_scope(user).filter(cadre=user).exclude(stage__in=FINAL).order_by()
               .values("stage", "way").annotate(n=Count("id")))
    by_next: dict[str, Item] = {}
    for row in grouped:
        label = next_step(row["stage"], row["way"])
        item = by_next.setdefault(label, Item(label=_("待%(step)s") % {"step": label}, count=0, tone="blue",
                                              url=_household_list(stage=row["stage"])))
        item.count += row["n"]
    return Todo(title=_("我的待办"), overdue=overdue, upcoming=upcoming,
                steps=sorted(by_next.values(), key=lambda i: -i.count),
                empty_note=_("没有逾期或近期要走访的攻坚户。"))


def _legal_due(qs, *, on: dt.date) -> int:
    """Holdouts whose current step is service, announcement or 催告, dated before both windows
    counted from today back (60 days, 6 months): they were served at least that long ago and filed
    nothing (a filing would be their current step), so the court may be asked (one count; a case
    announced long after service shows once its announcement is that old: never too early)."""
    cutoff = min(on - dt.timedelta(days=RECONSIDERATION_DAYS), add_months(on, -LITIGATION_MONTHS))
    return qs.filter(ended_on__isnull=True, step__in=(StepKind.SERVED, StepKind.ANNOUNCED, StepKind.URGED),
                     step_on__lt=cutoff).count()


def street_todo(user, *, today: dt.date | None = None) -> Todo | None:
    """A street's day: overdue hard cases, lapsed projects, holdouts due at court, each project's progress."""
    if not hardcase_unit_writer(user):
        return None
    on = today or timezone.localdate()
    try:
        area = dashboard_area(user)
    except NotFound:  # a street account without a street: nothing of its own to show
        return None
    todo = Todo(title=_("待办事项"), empty_note=_("目前没有逾期的攻坚户或待处理的项目。"))
    overdue = hardcase_scope(user).filter(overdue_condition(on)).count()
    if overdue:
        todo.items.append(Item(label=_("攻坚户走访逾期"), count=overdue,
                               url=f"{reverse('progress:hardcase_list')}?overdue=1"))
    _common_items(todo, user, area, on=on)
    return todo


def _common_items(todo: Todo, user, area: Area, *, on: dt.date) -> None:
    projects = project_summaries(area, today=on)
    todo.projects = projects
    lapsed = [p for p in projects if p.extra["signing"].code == "lapsed" and p.extra["signing"].outcome is None]
    if lapsed:
        todo.items.append(Item(label=_("签约期满未达生效比例，待领导小组办公室登记下一步"), count=len(lapsed),
                               url=reverse("progress:project_signing", args=[lapsed[0].extra["project"].pk]),
                               detail="、".join(p.name for p in lapsed[:3])))
    due = _legal_due(legalcase_scope(user), on=on)
    if due:
        todo.items.append(Item(label=_("送达已满六个月、未申请复议或提起诉讼，可申请人民法院强制执行"), count=due, tone="yellow",
                               url=reverse("progress:legal_list")))


def office_todo(user, *, today: dt.date | None = None) -> Todo | None:
    """The district's red items for the office (待处理) and the leader (需关注)."""
    if not dashboard_grant(user).everywhere:
        return None
    on = today or timezone.localdate()
    area = dashboard_area(user)
    deciding = signing_can_decide(user)
    todo = Todo(title=_("待处理的红色事项") if deciding else _("需关注的事项"),
                empty_note=_("目前没有红色事项。"))
    by_street = (hardcase_scope(user).filter(overdue_condition(on)).order_by()
                 .values("street_id", name=F("street__name")).annotate(n=Count("id")).order_by("-n"))
    for row in by_street[:LIST_LIMIT]:
        todo.items.append(Item(label=_("%(street)s：攻坚户走访逾期") % {"street": row["name"]}, count=row["n"],
                               url=f"{reverse('progress:hardcase_list')}?overdue=1&street={row['street_id']}"))
    _common_items(todo, user, area, on=on)
    todo.projects = []  # the office reads projects on the dashboard; its home lists only what is red
    return todo
