"""The demo campaign's periodic reports and meetings (演示定期汇报、会议).

Reports: the last six closed periods of every street, written, submitted, approved and accepted
through the services (as the street's own accounts and the office), most of them on time (the
periods before them accepted on time, in one insert); the
last street in the list reports late once and misses two periods; one report of the latest closed
period is returned with a reason. In the period just ended (not yet locked) half the streets have
reported and wait for the office; the current period is left for the demo users to fill.

Meetings: a leading-group meeting (领导小组会议) four weeks ago, a dispatch meeting (调度会) last week
and a street meeting (街道例会) of the first street three days ago, with decisions; some made tasks.

Times of submission, approval and acceptance are backdated to the day they stand for (the services
stamp the time of the call), the way the task demo backdates its history.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gaizao.campaign.choices import MeetingKind, ReportStatus, TaskStatus
from gaizao.campaign.models import Report, Task
from gaizao.campaign.services import meetings as meeting_services
from gaizao.campaign.services import reports as report_services
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import OrgUnit, User

WORK = ("组织包户干部入户走访 {n} 户，逐户讲解补偿安置政策。", "完成 {n} 户房屋评估结果送达，召开签约动员会 2 场。",
        "新增签约 {n} 户，腾空交房 {m} 户，拆除房屋 {m} 栋。", "对 {n} 户难点户开展一户一策研判，落实专人包干。",
        "完成 {n} 户安置意向登记，配合做好安置房选房准备。")
PROBLEMS = ("部分户对评估结果有异议，已申请复核。", "个别户因继承纠纷暂未签约。", "少数租户搬迁意愿不强，腾空进度偏慢。",
            "拆除施工受雨天影响，进度略有滞后。", "")
PLANS = ("继续攻坚未签约户，力争签约率提高 5 个百分点。", "联合司法所集中办理继承公证。", "完成已签约户腾空交房验收。",
         "推进拆除及余物清运，做好安全文明施工。")
HELP = ("请区司法局协调公证处派员驻点办理。", "请区住建局加快安置房二期施工进度。", "", "", "")
RETURN_REASONS = ("签约户数与平台台账不一致，请核实后重新报送。", "存在问题部分过于笼统，请逐项说明并提出措施。")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def _accounts(street: OrgUnit) -> list[User]:
    return list(User.objects.filter(is_active=True, memberships__role=Role.STREET, memberships__org_unit=street)
                .distinct().order_by("id"))


def _texts(rng: random.Random) -> dict:
    n, m = rng.randint(8, 40), rng.randint(3, 20)
    return {"work_done": rng.choice(WORK).format(n=n, m=m), "problems": rng.choice(PROBLEMS),
            "next_plan": rng.choice(PLANS), "help_needed": rng.choice(HELP)}


def _report(*, campaign, street, period, submit_on: dt.date | None, office, approve=True, accept=True,
            rng: random.Random) -> Report | None:
    """One street's report of one period, carried as far as asked, each step on its day."""
    accounts = _accounts(street)
    writer = accounts[0] if accounts else SYSTEM
    approver = accounts[1] if len(accounts) > 1 else SYSTEM  # 四眼原则: a second account, else the system
    day = submit_on or period.end
    opened = Report.objects.filter(campaign=campaign, street=street, period_start=period.start).first()  # reopened
    report = report_services.report_save(actor=writer, campaign=campaign, street=street, period_start=period.start,
                                         version=opened.version if opened else None, today=day, **_texts(rng))
    if submit_on is None:
        return report
    report = report_services.report_submit(actor=writer, report=report, version=report.version, today=day)
    stamps = {"submitted_at": _at(day, 16)}
    if approve:
        report = report_services.report_approve(actor=approver, report=report, version=report.version)
        stamps["approved_at"] = _at(day, 18)
        if accept:
            report = report_services.report_accept(actor=office, report=report, version=report.version)
            stamps["accepted_at"] = _at(day + dt.timedelta(days=1), 10)
    Report.objects.filter(pk=report.pk).update(**stamps)
    report.refresh_from_db()
    return report


def _reports(*, campaign, today: dt.date, rng: random.Random, office) -> None:
    streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))
    if not streets:
        return
    periods = report_services.periods_until(campaign, today)
    all_closed = [p for p in periods if p.locks_after < today]
    closed = all_closed[-6:]
    _history(campaign=campaign, periods=all_closed[:-6], streets=streets, office=office, rng=rng)
    just_ended = [p for p in periods if p.end < today <= p.locks_after]
    laggard = streets[-1] if len(streets) > 1 else None
    corrected = streets[1] if len(streets) > 2 else streets[0]  # its latest closed report is returned
    for p_index, period in enumerate(closed):
        for street in streets:
            if street == laggard and p_index in (1, 3):
                continue  # missed: 未报
            late = street == laggard and p_index == 4
            submit_on = period.locks_after if late else period.end + dt.timedelta(days=rng.randint(0, 2))
            if late:  # reported after the lock: the office had reopened the period for it
                report_services.report_reopen(actor=office, campaign=campaign, street=street,
                                              period_start=period.start, until=period.locks_after +
                                              dt.timedelta(days=2), today=period.locks_after + dt.timedelta(days=1))
                submit_on = period.locks_after + dt.timedelta(days=2)
            returned = street == corrected and period == closed[-1]
            report = _report(campaign=campaign, street=street, period=period, submit_on=submit_on, office=office,
                             accept=not returned, rng=rng)
            if returned:
                report_services.report_return(actor=office, report=report, version=report.version,
                                              reason=rng.choice(RETURN_REASONS), today=submit_on)
    for period in just_ended:
        for s_index, street in enumerate(streets):
            if s_index % 2 == 0:
                _report(campaign=campaign, street=street, period=period, submit_on=min(period.end, today),
                        office=office, accept=False, rng=rng)


def _history(*, campaign, periods, streets, office, rng: random.Random) -> None:
    """The older periods, accepted on time, written in one insert (the way the progress demo writes its
    history): months of weekly reports through the services would cost the load several seconds
    for nothing the pages show differently. Their figures were not kept (no snapshot of that week)."""
    rows = []
    staff = {street.pk: _accounts(street) for street in streets}
    for period in periods:
        for street in streets:
            accounts = staff[street.pk]
            submitted = _at(period.end + dt.timedelta(days=rng.randint(0, 2)), 16)
            rows.append(Report(
                campaign=campaign, street=street, period_start=period.start, period_end=period.end,
                status=ReportStatus.ACCEPTED, figures={}, **_texts(rng), submitted_at=submitted,
                submitted_by=accounts[0] if accounts else None, approved_at=submitted + dt.timedelta(hours=2),
                approved_by=accounts[1] if len(accounts) > 1 else None,
                accepted_at=submitted + dt.timedelta(days=1),
                accepted_by=office if getattr(office, "pk", None) else None))
    Report.objects.bulk_create(rows, batch_size=500)


# (text, who carries it out: "first" / "last" street, or a department's code suffix); the first two
# of each meeting are made tasks.
LEADING_GROUP_DECISIONS = (
    ("{first}于本月底前完成未签约户的逐户走访，形成一户一策台账，报区指挥部备案。", "first"),
    ("区财政局按季度足额拨付征收补偿资金，区住建局同步做好资金使用监管。", "CZJ"),
    ("安置房二期工程由区住建局督促施工单位倒排工期，确保按期主体封顶。", "ZJJ"),
)
DISPATCH_DECISIONS = (
    ("{last}进度排名靠后，于下周调度会作专题汇报，说明滞后原因和赶超措施。", "last"),
    ("区信访局会同各街道做好涉改造信访件的化解，按期办结。", "XFJ"),
)
STREET_DECISIONS = (
    "社区书记包片负责，本周完成片区内剩余户的入户核查。",
    "对存在继承纠纷的住户，联系司法所集中办理继承公证。",
)


def _meetings(*, campaign, today: dt.date, rng: random.Random, office) -> None:
    streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"))
    departments = list(OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT).order_by("path"))
    leading = meeting_services.meeting_create(
        actor=office, campaign=campaign, kind=MeetingKind.LEADING_GROUP, title="区城中村改造工作领导小组第三次会议",
        number="第3期", held_on=today - dt.timedelta(days=28), place="区政府三楼第一会议室", chair="区长",
        attendees="领导小组成员，各街道、区有关部门主要负责同志", agenda="听取各街道签约腾空进展汇报，研究安置房建设和资金拨付问题",
        minutes="会议认为，专项行动开展以来，各街道、各部门攻坚克难，签约率稳步提升，但部分村的腾空进度仍然滞后。\n"
                "现将会议议定事项纪要如下。")
    dispatch = meeting_services.meeting_create(
        actor=office, campaign=campaign, kind=MeetingKind.DISPATCH, title="城中村改造攻坚第十二次调度会",
        number="第12期", held_on=today - dt.timedelta(days=7), place="区指挥部会议室", chair="区指挥部常务副指挥长",
        attendees="各街道分管领导，区有关部门分管负责同志", agenda="通报上周进度，调度难点问题")
    by_key = {d.code.rsplit("-", 1)[-1]: d for d in departments}
    if streets:
        by_key.update(first=streets[0], last=streets[-1])
    names = {"first": streets[0].name if streets else "各街道", "last": streets[-1].name if streets else "各街道"}
    for meeting, items in ((leading, LEADING_GROUP_DECISIONS), (dispatch, DISPATCH_DECISIONS)):
        for d_index, (text, key) in enumerate(items):
            decision = meeting_services.decision_add(actor=office, meeting=meeting, text=text.format(**names))
            unit = by_key.get(key)
            if d_index >= 2 or unit is None:
                continue  # the rest stay decisions, not yet tasks
            try:
                meeting_services.decision_to_task(actor=office, decision=decision, unit=unit,
                                                  workdays=rng.randint(5, 15), start=meeting.held_on)
            except AppError:
                continue
    # one of the leading group's tasks already done
    done = Task.objects.filter(decision__meeting=leading).order_by("id").first()
    if done is not None:
        Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE, progress=100,
                                               done_on=leading.held_on + dt.timedelta(days=6))
    if not streets:
        return
    street = streets[0]
    accounts = _accounts(street)
    holder = accounts[0] if accounts else SYSTEM
    own = meeting_services.meeting_create(
        actor=holder, campaign=campaign, kind=MeetingKind.STREET, unit=street, title=f"{street.name}改造工作例会",
        held_on=today - dt.timedelta(days=3), place=f"{street.name}办事处二楼会议室", chair="街道办事处主任",
        attendees="街道班子成员，各社区书记，包户干部代表", agenda="落实区调度会部署，研究本街道难点户攻坚")
    for text in STREET_DECISIONS:
        meeting_services.decision_add(actor=holder, meeting=own, text=text)
    parent = Task.objects.filter(campaign=campaign, unit=street, status__in=(TaskStatus.TODO, TaskStatus.DOING),
                                 parent__isnull=True).order_by("-deadline").first()
    first = own.decisions.order_by("order").first()
    if parent is not None and first is not None and parent.deadline >= today:
        try:  # a street hangs its decision under one of its own tasks
            meeting_services.decision_to_task(actor=holder, decision=first, unit=street, parent=parent,
                                              deadline=min(parent.deadline, today + dt.timedelta(days=7)))
        except AppError:
            pass


def demo_reports(*, campaign, today: dt.date, rng: random.Random) -> None:
    """Several weeks of every street's reports and three meetings with decisions, for ``campaign``."""
    office = (User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).order_by("id").first()
              or SYSTEM)
    _reports(campaign=campaign, today=today, rng=rng, office=office)
    _meetings(campaign=campaign, today=today, rng=rng, office=office)


__all__ = ["demo_reports"]
