"""Objects of the campaign's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

``SAMPLES``: resource name → a function of the cast returning the objects its endpoints are tried on
(one in each scope). ``BODIES``: the request body of a write endpoint (by its name) that needs one
to reach its scope check. Each area of the campaign adds its own entries below.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile


def _tasks(cast):
    # A task for each of the two streets and for the department, each with a file: the attachment
    # route is checked on it. Deadlines a month ahead, on a working day.
    from gaizao.campaign.services.campaign import campaign_create
    from gaizao.campaign.services.tasks import task_attach, task_create
    from gaizao.core import calendar

    today = dt.date.today()
    campaign = campaign_create(actor=cast.commander, name="任务抽样行动", year=today.year,
                               starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31))
    deadline = calendar.next_workday(today + dt.timedelta(days=30))
    tasks = []
    for unit, title in ((cast.street_a, "东湖街道抽样任务"), (cast.street_b, "西岭街道抽样任务"),
                        (cast.department, "住建局抽样任务")):
        task = task_create(actor=cast.commander, campaign=campaign, title=title, unit=unit, deadline=deadline)
        task_attach(actor=cast.commander, task=task,
                    files=[SimpleUploadedFile("批复.pdf", b"%PDF-1.4 sample", content_type="application/pdf")])
        tasks.append(task)
    return tasks


SAMPLES = {
    "campaign.task": _tasks,
    "campaign.task_assign": _tasks,
}

BODIES = {
    # the schema asks for the text: without it ninja answers 422 before the scope check
    "task_note_api": lambda task: {"text": "已完成入户摸底"},
}


# --- the campaign, its targets and agreements ------------------------------------------------------

def _campaign(cast):
    from gaizao.campaign.services import campaign as services
    from gaizao.core.actors import SYSTEM

    found = services.campaign_create(actor=SYSTEM, name="矩阵攻坚行动", year=2026, starts_on=dt.date(2026, 1, 1),
                                     ends_on=dt.date(2026, 12, 31))
    # two milestones: the remove endpoint is called once per role and its address read again after
    for day, rate in ((dt.date(2026, 6, 30), "60"), (dt.date(2026, 9, 30), "100")):
        services.milestone_set(actor=SYSTEM, campaign=found, metric="signed", due_on=day, rate=rate)
    for street in (cast.street_a, cast.street_b):
        services.target_set(actor=SYSTEM, campaign=found, metric="signed", street=street, target="10")
    return found


def _targets(cast):
    from gaizao.campaign.models import Target

    found = _campaign(cast)
    return list(Target.objects.filter(campaign=found).order_by("street__path"))


def _agreements(cast):
    from gaizao.campaign.services import agreements
    from gaizao.core.actors import SYSTEM

    found = _campaign(cast)
    out = []
    for street in (cast.street_a, cast.street_b):
        a = agreements.agreement_draft(actor=SYSTEM, campaign=found, street=street)
        agreements.agreement_issue(actor=SYSTEM, agreement=a)
        agreements.agreement_sign(actor=SYSTEM, agreement=a, scan=SimpleUploadedFile("签订.pdf", b"%PDF-1.4 x"))
        a.refresh_from_db()
        out.append(a)
    return out


SAMPLES.update({
    "campaign.campaign": lambda cast: [_campaign(cast)],
    "campaign.target": _targets,
    "campaign.agreement": _agreements,
})
BODIES.update({
    "agreement_step": lambda a: {"step": "edit", "duties": "职责", "assessment": "考核"},
})


# --- periodic reports and meetings ------------------------------------------------------------------

def _report_campaign(cast):
    from gaizao.campaign.services.campaign import campaign_create
    from gaizao.core.actors import SYSTEM

    today = dt.date.today()
    return campaign_create(actor=SYSTEM, name="汇报抽样行动", year=today.year, starts_on=today - dt.timedelta(days=2),
                           ends_on=today + dt.timedelta(days=200))


def _reports(cast):
    # One draft per street, in the current period (open): the street's writes are refused for their
    # input or written, the office's accept and return refused for the state.
    from gaizao.campaign.services.reports import report_save
    from gaizao.core.actors import SYSTEM

    campaign = _report_campaign(cast)
    return [report_save(actor=SYSTEM, campaign=campaign, street=street, period_start=campaign.starts_on,
                        work_done=f"{street.name}本期工作抽样")
            for street in (cast.street_a, cast.street_b)]


def _meetings(cast):
    # The office's dispatch meeting (on the office) and each street's own street meeting, each with a
    # decision: the decision's routes are checked on it.
    from gaizao.campaign.services.meetings import decision_add, meeting_create
    from gaizao.core.actors import SYSTEM

    campaign = _report_campaign(cast)
    today = dt.date.today()
    meetings = [meeting_create(actor=SYSTEM, campaign=campaign, kind="dispatch", title="抽样调度会", held_on=today)]
    for street in (cast.street_a, cast.street_b):
        meetings.append(meeting_create(actor=SYSTEM, campaign=campaign, kind="street", unit=street,
                                       title=f"{street.name}抽样例会", held_on=today))
    for meeting in meetings:
        decision_add(actor=SYSTEM, meeting=meeting, text="抽样议定事项")
    return meetings


SAMPLES.update({
    "campaign.report": _reports,
    "campaign.report_review": _reports,
    "campaign.meeting": _meetings,
})
