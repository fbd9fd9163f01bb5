"""The contents of the campaign's documents, as plain data for ``gaizao.documents``: the digest of
all streets' reports of one period (定期汇报汇总, DOCX and XLSX) and a meeting's minutes (会议纪要, DOCX).

``report_digest_context`` and ``minutes_context`` return the context ``documents.docx.render`` takes
for the kinds ``"report_digest"`` and ``"minutes"``; ``report_digest_xlsx`` writes the same digest as a
workbook. Only reads here (selectors' querysets); the renderers know nothing of the models.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.campaign.choices import MeetingKind
from gaizao.campaign.models import Campaign, Meeting
from gaizao.campaign.selectors.meetings import FOLLOW_UP, follow_up, meeting_decisions
from gaizao.campaign.selectors.reports import streets
from gaizao.campaign.services.reports import SUBMITTED_STATES, on_time, period_at
from gaizao.documents import xlsx

LIGHTS = {"green": gettext_lazy("绿灯"), "yellow": gettext_lazy("黄灯"), "red": gettext_lazy("红灯"),
          "none": gettext_lazy("未开始")}


def _cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _targets(figures: dict) -> list[dict]:
    rows = []
    for t in (figures.get("status") or {}).get("targets", []):
        rows.append({"label": t.get("label", ""), "scope": t.get("scope", "") or "", "unit": t.get("unit", ""),
                     "target": t.get("target", ""), "done": t.get("done", ""), "rate": t.get("rate") or "",
                     "expected_rate": t.get("expected_rate", ""), "light": str(LIGHTS.get(t.get("light"), ""))})
    return rows


def _figure_rows(targets: list[dict], tasks: dict) -> list[list[str]]:
    rows = []
    for t in targets:
        label = t["label"] + (f"（{t['scope']}）" if t["scope"] else "")
        rate = f"，完成率 {t['rate']}%" if t["rate"] else ""
        rows.append([label, f"{t['done']}/{t['target']}{t['unit']}{rate}（序时 {t['expected_rate']}%，{t['light']}）"])
    if tasks:
        rows.append([_("任务"), _("共 %(t)s 项，未完成 %(o)s 项，其中逾期 %(d)s 项") % {
            "t": tasks.get("total", 0), "o": tasks.get("open", 0), "d": tasks.get("overdue", 0)}])
    return rows


def report_digest_context(campaign: Campaign, period_start: dt.date, reports) -> dict:
    """Every street's report of one period, in the streets' order; those not submitted listed as 未报.

    ``reports``: the period's reports the reader may see (``report_scope``), any order. The keys are
    those of ``documents.docx`` for ``report_digest`` (issuer, title, period, recipients, paragraphs,
    streets [{name, status, figures [[label, value]], work_done, problems, next_plan, help_needed}],
    date), and for the XLSX: each street's ``submitted``, ``on_time``, ``submitted_at``,
    ``submitted_by``, ``approved_by``, ``targets``, ``tasks``; ``missing`` [names]; ``counts``.
    """
    period = period_at(campaign, period_start)
    by_street = {r.street_id: r for r in reports}
    rows, missing = [], []
    for street in streets():
        r = by_street.get(street.pk)
        if r is None or r.status not in SUBMITTED_STATES:
            missing.append(street.name)
            continue
        figures = r.figures or {}
        targets, tasks = _targets(figures), figures.get("tasks") or {}
        timely = on_time(campaign, period_end=period.end, submitted_at=r.submitted_at)
        rows.append({
            "name": street.name, "status": r.get_status_display() + ("" if timely else _("（迟报）")),
            "submitted": True, "on_time": timely,
            "submitted_at": _when(r.submitted_at), "submitted_by": str(r.submitted_by or ""),
            "approved_by": str(r.approved_by or ""), "work_done": r.work_done, "problems": r.problems,
            "next_plan": r.next_plan, "help_needed": r.help_needed, "targets": targets, "tasks": tasks,
            "figures": _figure_rows(targets, tasks),
        })
    label = f"{_cn_date(period.start)}至{_cn_date(period.end)}"
    counts = {"streets": len(rows) + len(missing), "submitted": len(rows),
              "on_time": sum(1 for r in rows if r["on_time"])}
    summary = _("本期（%(p)s）应报 %(n)d 个街道，已报 %(s)d 个，其中按时 %(o)d 个。") % {
        "p": label, "n": counts["streets"], "s": counts["submitted"], "o": counts["on_time"]}
    if missing:
        summary += _("未报：%(m)s。") % {"m": "、".join(missing)}
    return {
        "issuer": campaign.number_prefix or campaign.name, "number": "",
        "title": _("%(c)s工作进展汇总") % {"c": campaign.name},
        "period": label, "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
        "recipients": _("区城中村改造工作领导小组各成员"),
        "paragraphs": [summary + _("现将各街道汇报情况汇总如下。")],
        "date": _cn_date(timezone.localdate()),
        "streets": rows, "missing": missing, "counts": counts,
    }


HEADERS = ["街道", "状态", "提交时间", "是否按时", "提交人", "审核人", "本期工作", "存在问题", "下期计划", "需区级协调事项",
           "任务总数", "未完成任务", "逾期任务"]
TARGET_HEADERS = ["街道", "指标", "范围", "单位", "目标值", "完成值", "完成率（%）", "序时进度（%）", "亮灯"]


def report_digest_xlsx(context: dict) -> bytes:
    """The digest as a workbook: one row per street (未报 rows too), then one row per street and target."""
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet(_("汇报汇总"))
    # freeze by name: write_header's freeze makes the cell below, and append would then start a row lower
    xlsx.write_header(sheet, HEADERS, widths=[14, 16, 18, 10, 10, 10, 40, 30, 30, 30, 10, 10, 10], freeze=False)
    sheet.freeze_panes = "A2"
    for s in context["streets"]:
        tasks = s.get("tasks") or {}
        sheet.append([s["name"], s["status"], s["submitted_at"], "是" if s["on_time"] else "否（迟报）",
                      s["submitted_by"], s["approved_by"], s["work_done"], s["problems"], s["next_plan"],
                      s["help_needed"], tasks.get("total"), tasks.get("open"), tasks.get("overdue")])
    for name in context["missing"]:
        sheet.append([name, "未报"])
    targets = workbook.create_sheet(_("指标完成情况"))
    xlsx.write_header(targets, TARGET_HEADERS, widths=[14, 24, 16, 8, 12, 12, 12, 12, 8], freeze=False)
    targets.freeze_panes = "A2"
    for s in context["streets"]:
        for t in s["targets"]:
            targets.append([s["name"], t["label"], t["scope"], t["unit"], t["target"], t["done"], t["rate"],
                            t["expected_rate"], t["light"]])
    return xlsx.to_bytes(workbook)


def minutes_context(meeting: Meeting, *, today: dt.date | None = None) -> dict:
    """A meeting's minutes (会议纪要) with the keys of ``documents.docx`` for ``minutes``: issuer,
    number (期号), title, meeting {title, held_on, place, chair, attendees, agenda}, paragraphs (the
    minutes' text, by paragraph), decisions [str] (each with its task's unit and deadline when made a
    task), date; and ``decision_rows`` [{order, text, task, unit, person, deadline, status}]."""
    today = today or timezone.localdate()
    rows = []
    for d in meeting_decisions(meeting):
        task = d.task
        rows.append({
            "order": d.order, "text": d.text, "task": task.title if task else "",
            "unit": str(task.unit) if task else "", "person": str(task.person or "") if task else "",
            "deadline": _cn_date(task.deadline) if task else "",
            "status": str(FOLLOW_UP[follow_up(task, today=today)]),
        })
    decisions = [r["text"] + (_("（责任单位：%(u)s；完成时限：%(d)s）") % {"u": r["unit"], "d": r["deadline"]}
                              if r["unit"] else "") for r in rows]
    paragraphs = [line.strip() for line in meeting.minutes.splitlines() if line.strip()]
    return {
        "issuer": (meeting.unit.name if meeting.kind == MeetingKind.STREET
                   else meeting.campaign.number_prefix or meeting.unit.name),
        "number": meeting.number, "title": _("%(t)s纪要") % {"t": meeting.title},
        "recipients": "",
        "meeting": {"title": meeting.title, "held_on": _cn_date(meeting.held_on), "place": meeting.place,
                    "chair": meeting.chair, "attendees": meeting.attendees, "agenda": meeting.agenda},
        "paragraphs": paragraphs, "decisions": decisions, "decision_rows": rows,
        "date": _cn_date(meeting.held_on),
    }
