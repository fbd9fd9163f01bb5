"""The demo campaign's task list (演示任务清单): about 300 tasks across the streets and departments.

Streets get the household work of their villages (入户摸底, 签约动员, 腾空交房 …), some broken down
into sub-tasks; departments the policy-support items (政策支持事项: 土地供应, 规划审批, 税费减免, 融资,
四通一平) and public services per village. Deadlines are spread over the campaign until now and a
little after, so that some tasks are done (most on time), some in progress with notes, some
overdue. Everything goes through the task services as the system; the history is backdated (the
day a task was assigned) so that tasks done in the past can be closed on their day.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gaizao.campaign.choices import TaskCategory
from gaizao.campaign.models import Task, TaskNote
from gaizao.campaign.services.tasks import (campaign_units, task_cancel, task_complete, task_create,
                                            task_note_add)
from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger.models import Village
from gaizao.org.choices import OrgKind

STREET_WORK = (
    ("{v}入户调查摸底", "逐户核实房屋、人口和权属情况，建立一户一档。", 15),
    ("{v}签约动员大会", "召开村民大会，宣讲补偿安置方案，公布签约奖励期。", 10),
    ("{v}补偿方案公示", "补偿方案在村务公开栏和平台公示不少于10个工作日。", 12),
    ("{v}集中签约攻坚", "签约率达到项目生效比例，逐户落实包户干部。", 30),
    ("{v}腾空交房", "已签约户按期腾空交房，逐户验收并拍照存档。", 25),
    ("{v}房屋拆除及余物清运", "拆除施工安全文明，余物清运完毕。", 20),
    ("{v}历史建筑保护方案", "对宗祠、古树等历史要素制定保留或迁建方案，报区文物主管部门。", 15),
)
SUB_WORK = ("第一片区入户核查", "第二片区入户核查", "难点户专班攻坚", "签约资料归档", "交房钥匙移交")
# Department suffix (demo.district.DEPARTMENTS) → its policy-support items (category, title, requirement).
DEPARTMENT_WORK = {
    "ZRZY": ((TaskCategory.LAND, "{v}改造地块土地收储", "完成地块收储并纳入年度供地计划。"),
             (TaskCategory.PLANNING, "{v}规划条件出具", "出具规划设计条件，明确容积率、配套指标。"),
             (TaskCategory.PLANNING, "{v}控规调整审批", "完成控制性详细规划调整的审批程序。")),
    "ZJJ": ((TaskCategory.SITE, "{v}场地四通一平", "通水、通电、通路、通讯及场地平整，具备开工条件。"),
            (TaskCategory.GENERAL, "{v}安置房施工许可", "办理安置房项目施工许可。")),
    "CZJ": ((TaskCategory.TAX, "{v}改造项目税费减免", "落实城中村改造相关税费减免政策，出具认定意见。"),
            (TaskCategory.FINANCING, "{v}专项债券及融资对接", "对接专项借款和银行融资，落实资金计划。")),
    "JYJ": ((TaskCategory.PUBLIC_SERVICE, "{v}配套学校建设", "同步规划建设配套学校，明确建设时序。"),),
    "WJJ": ((TaskCategory.PUBLIC_SERVICE, "{v}社区卫生服务站", "落实社区卫生服务站用房和设备。"),),
    "WGLTJ": ((TaskCategory.PUBLIC_SERVICE, "{v}文体活动中心", "配建文体活动中心，保留村史展示空间。"),),
    "CGJ": ((TaskCategory.SITE, "{v}违建查处及拆违", "依法查处改造范围内新增违法建设。"),),
    "XFJ": ((TaskCategory.GENERAL, "{v}信访矛盾化解", "对涉及改造的信访件逐件化解，按期办结。"),),
}
NOTES = ("已召开专题会研究，明确责任分工。", "已完成前期资料收集，正在组织实施。", "已与相关单位对接，待对方反馈。",
         "完成约一半工作量，个别难点正在协调。", "已形成初步方案，报分管领导审定。", "现场已开工，按计划推进。")


def _start(rng: random.Random, campaign, today: dt.date) -> dt.date:
    span = max((today - campaign.starts_on).days, 1)
    return campaign.starts_on + dt.timedelta(days=rng.randrange(span))


def _backdate(task: Task, start: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(start, dt.time(9, 0)))
    Task.objects.filter(pk=task.pk).update(created_at=moment)


def _play(task: Task, *, rng: random.Random, today: dt.date, start: dt.date, actor=SYSTEM) -> None:
    """Give a task its life so far: notes, done (most on time), left open and overdue, or cancelled.
    ``actor`` is the unit's staff member who reports (the system when the unit has none)."""
    ended = today
    if task.deadline < today:
        roll = rng.random()
        if roll < 0.72:
            late = rng.random() < 0.2
            limit = (today - task.deadline).days if late else (task.deadline - start).days
            shift = rng.randrange(1, max(limit, 2))
            done_on = min(task.deadline + dt.timedelta(days=shift) if late else start + dt.timedelta(days=shift), today)
            task_note_add(actor=actor, task=task, text=rng.choice(NOTES), progress=rng.choice((50, 60, 80)))
            try:
                task_complete(actor=actor, task=task, done_on=done_on, note="已按要求完成。")
                ended = done_on
            except AppError:  # a sub-task still open: the task stays open, as in life
                pass
        elif roll < 0.95:
            task_note_add(actor=actor, task=task, text=rng.choice(NOTES), progress=rng.choice((20, 40, 60, 80)))
        else:
            task_cancel(actor=SYSTEM, task=task, reason="方案调整，并入其他任务。")  # the office's decision
    elif rng.random() < 0.45:
        task_note_add(actor=actor, task=task, text=rng.choice(NOTES), progress=rng.choice((10, 30, 50, 70)))
    # the notes were written between the assignment and the end (done, or today), in their order
    notes = list(TaskNote.objects.filter(task=task).order_by("id").values_list("pk", flat=True))
    span = max((ended - start).days, 0)
    days = sorted(rng.randint(0, span) for _ in notes)
    if notes and ended == task.done_on:
        days[-1] = span  # the closing note on the day it was done
    for pk, offset in zip(notes, days):
        when = dt.time(rng.randint(8, 17), rng.randint(0, 59))
        moment = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=offset), when))
        TaskNote.objects.filter(pk=pk).update(created_at=moment)


def _make(*, campaign, rng, today, unit, title, description, category, village=None, parent=None,
          start=None, person=None, actor=SYSTEM) -> Task:
    start = start or _start(rng, campaign, today)
    limit = parent.deadline if parent else None
    if rng.random() < 0.5:
        workdays = rng.choice((10, 15, 20, 30, 45, 60))
        deadline = None
        if limit is not None and calendar.add_workdays(start, workdays) > limit:
            workdays, deadline = None, limit
    else:
        workdays, deadline = None, start + dt.timedelta(days=rng.choice((14, 21, 30, 45, 60, 90)))
        if limit is not None and deadline > limit:
            deadline = limit
    task = task_create(actor=actor, campaign=campaign, title=title[:200], unit=unit, deadline=deadline,
                       workdays=workdays, start=start, person=person, category=category, parent=parent,
                       description=description, village=village)
    _backdate(task, start)
    return task


def demo_tasks(*, campaign, today: dt.date, rng: random.Random) -> int:
    """Create the demo task list of ``campaign`` (about 300 tasks); returns how many were made."""
    from gaizao.org.choices import Role
    from gaizao.org.models import Membership, User

    units = list(campaign_units())
    streets = [u for u in units if u.kind == OrgKind.STREET]
    departments = {u.code.rsplit("-", 1)[-1]: u for u in units if u.kind == OrgKind.DEPARTMENT}
    villages: dict[int, list[Village]] = {}
    for village in Village.objects.filter(street__in=streets).order_by("code"):
        villages.setdefault(village.street_id, []).append(village)
    staff = {}
    for membership in Membership.objects.filter(org_unit__in=units, role__in=(Role.STREET, Role.DEPARTMENT),
                                                user__is_active=True).select_related("user").order_by("id"):
        staff.setdefault(membership.org_unit_id, membership.user)
    office = User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).order_by("id").first() or SYSTEM
    made = 0
    for street in streets:
        for village in villages.get(street.pk, [])[:4]:
            for title, description, _days in rng.sample(STREET_WORK, k=min(4, len(STREET_WORK))):
                start = _start(rng, campaign, today)
                reporter = staff.get(street.pk, SYSTEM)
                task = _make(campaign=campaign, rng=rng, today=today, unit=street, village=village,
                             title=title.format(v=village.name), description=description,
                             category=TaskCategory.GENERAL, start=start, actor=office,
                             person=staff.get(street.pk) if rng.random() < 0.4 else None)
                made += 1
                if rng.random() < 0.2 and task.deadline > start + dt.timedelta(days=10):
                    for sub in rng.sample(SUB_WORK, k=2):
                        child = _make(campaign=campaign, rng=rng, today=today, unit=street, village=village,
                                      title=f"{task.title}：{sub}", description="", category=TaskCategory.GENERAL,
                                      parent=task, start=start, actor=reporter)
                        _play(child, rng=rng, today=today, start=start, actor=reporter)
                        made += 1
                task.refresh_from_db()
                _play(task, rng=rng, today=today, start=start, actor=reporter)
    all_villages = [v for street in streets for v in villages.get(street.pk, [])]
    for suffix, work in DEPARTMENT_WORK.items():
        unit = departments.get(suffix)
        if unit is None:
            continue
        for village in all_villages[: max(3, 30 // len(work))]:
            for category, title, description in work:
                if rng.random() < 0.35:
                    continue
                start = _start(rng, campaign, today)
                task = _make(campaign=campaign, rng=rng, today=today, unit=unit, village=None, start=start,
                             title=title.format(v=village.name), description=description, category=category,
                             person=staff.get(unit.pk) if rng.random() < 0.5 else None, actor=office)
                _play(task, rng=rng, today=today, start=start, actor=staff.get(unit.pk, SYSTEM))
                made += 1
    return made
