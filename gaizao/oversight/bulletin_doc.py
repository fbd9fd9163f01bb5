"""The weekly bulletin (工作通报) as 公文 and as a one-page ranking table, from its frozen data only.

``bulletin_context(data)`` is the context ``documents.docx.render("bulletin", ...)`` takes; ``bulletin_docx``
and ``bulletin_xlsx`` give the files. Nothing here reads the database: a bulletin generated again prints
the figures frozen at its first generation, so the same period always gives the same document.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gaizao.documents import docx, xlsx

LIGHTS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "未开始"}
COLOUR_WORDS = {"red": "红色（超期）", "yellow": "黄色（滞后或退回）", "blue": "蓝色（临近期限）", "none": "正常"}
LIST_WORDS = {"red": "红榜", "yellow": "黄榜", "black": "黑榜"}


def _date(text: str) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


def _md(text: str) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.month}月{day.day}日"


def _pct(rate) -> str:
    return "—" if rate in (None, "") else f"{rate}%"


def _progress(data: dict) -> list[str]:
    out = []
    goals = data.get("goals") or []
    if goals:
        parts = []
        for g in goals:
            parts.append(_("%(l)s%(d)s%(u)s（目标%(t)s%(u)s），完成率%(r)s，序时进度%(e)s%%，%(light)s") % {
                "l": g["label"].split("（")[0], "d": g["done"], "u": g.get("unit", ""), "t": g["goal"],
                "r": _pct(g["rate"]),
                "e": g["expected_rate"], "light": LIGHTS.get(g["light"], "")})
        out.append(_("截至%(d)s，全区") % {"d": _date(data["as_of"])} + "；".join(parts) + "。")
    else:
        out.append(_("截至%(d)s，区级目标尚未分解下达。") % {"d": _date(data["as_of"])})
    lights = data.get("lights") or {}
    out.append(_("按序时进度评价，%(n)d个街道中绿灯%(g)d个、黄灯%(y)d个、红灯%(r)d个%(none)s。") % {
        "n": len(data.get("streets") or []), "g": lights.get("green", 0), "y": lights.get("yellow", 0),
        "r": lights.get("red", 0),
        "none": _("、未开始%(x)d个") % {"x": lights["none"]} if lights.get("none") else ""})
    red = [s["name"] for s in data.get("streets") or [] if s["light"] == "red"]
    if red:
        out.append(_("亮红灯的街道：%(s)s，进度明显滞后于序时进度，予以通报。") % {"s": "、".join(red)})
    return out


def _street_table(data: dict) -> dict:
    """One row per street: each metric's completion rate, then the street's light (the
    targets narrowed to a village or project are left to the campaign's own pages)."""
    metrics: list[str] = []
    for s in data.get("streets") or []:
        for t in s["targets"]:
            if not t.get("scope") and t["label"] not in metrics:
                metrics.append(t["label"])
    rows = []
    for s in data.get("streets") or []:
        cells = dict.fromkeys(metrics, "—")
        for t in s["targets"]:
            if not t.get("scope"):
                cells[t["label"]] = _pct(t["rate"])
        rows.append([s["name"], *cells.values(), LIGHTS.get(s["light"], "")])
    header = ["街道", *[f"{m.split('（')[0]}{_('完成率')}" for m in metrics], "亮灯"]
    return {"caption": _("各街道目标完成情况"), "header": header, "rows": rows}


def _ranking_tables(data: dict) -> tuple[list[str], list[dict]]:
    rankings = data.get("rankings") or []
    if not rankings:
        return [_("截至本期末，尚无已发布的考核结果，本期不作排名。")], []
    paragraphs, tables = [], []
    for r in rankings:
        version = _("（第%(v)d版）") % {"v": r["version"]} if r["version"] > 1 else ""
        paragraphs.append(_("根据%(s)s%(p)s考核结果%(v)s（%(d)s发布），%(a)s排名如下。") % {
            "s": r["scheme"], "p": r["period"], "v": version, "d": _date(r["published_on"]),
            "a": r["assessed_label"]})
        tables.append({"caption": _("%(a)s考核排名（%(p)s）") % {"a": r["assessed_label"], "p": r["period"]},
                       "header": ["名次", "单位", "总分", "等次", "榜单"],
                       "rows": [[str(row["rank"] or ""), row["unit"], row["total"], row["grade_label"],
                                 LIST_WORDS.get(row["list"], "")] for row in r["rows"]]})
    lists = data.get("lists") or {}
    for key in ("red", "yellow", "black"):
        if lists.get(key):
            paragraphs.append(_("列入%(l)s的：%(u)s。") % {"l": LIST_WORDS[key], "u": "、".join(lists[key])})
    if rankings and not any(lists.get(k) for k in ("red", "yellow", "black")):
        paragraphs.append(_("本期无单位列入红榜、黑榜。"))
    return paragraphs, tables


def _tasks(data: dict) -> tuple[list[str], list[dict]]:
    tasks = data.get("tasks") or {}
    if not tasks.get("count"):
        return [_("截至本期末，无逾期未完成的任务。")], []
    units = "、".join(f"{u['unit']}{u['count']}项" for u in tasks["by_unit"])
    paragraphs = [_("截至本期末，逾期未完成的任务共%(n)d项，其中%(u)s。") % {"n": tasks["count"], "u": units}]
    table = {"caption": _("逾期任务清单") + (_("（前%(n)d项）") % {"n": len(tasks["rows"])}
                                          if tasks["count"] > len(tasks["rows"]) else ""),
             "header": ["任务", "责任单位", "完成时限", "逾期天数"],
             "rows": [[t["title"], t["unit"], _md(t["deadline"]), str(t["days_overdue"])] for t in tasks["rows"]]}
    return paragraphs, [table]


def _orders(data: dict) -> tuple[list[str], list[dict]]:
    orders = data.get("orders") or {}
    if not orders.get("open"):
        return [_("本期无在办督办事项。")], []
    by = orders["by_colour"]
    paragraphs = [_("在办督办事项%(n)d件，其中红色（超期）%(r)d件、黄色（滞后或退回）%(y)d件、蓝色（临近期限）%(b)d件、"
                    "正常%(g)d件。") % {"n": orders["open"], "r": by.get("red", 0), "y": by.get("yellow", 0),
                                     "b": by.get("blue", 0), "g": by.get("none", 0)}]
    tables = []
    if orders.get("overdue"):
        tables.append({"caption": _("超期督办事项"), "header": ["编号", "督办事项", "承办单位", "办理期限", "超期天数"],
                       "rows": [[o["number"], o["title"], o["unit"], _md(o["deadline"]) if o["deadline"] else "",
                                 str(o["days_overdue"])] for o in orders["overdue"]]})
    return paragraphs, tables


def _findings(data: dict) -> tuple[list[str], list[dict]]:
    findings = data.get("findings") or {}
    if not findings.get("open"):
        return [_("督查发现的问题均已整改销号。")], []
    paragraphs = [_("督查发现的问题尚有%(n)d个未整改销号，其中超过整改期限的%(o)d个。") % {
        "n": findings["open"], "o": findings["overdue"]}]
    table = {"caption": _("未销号的督查问题"), "header": ["责任单位", "问题", "整改期限", "状态"],
             "rows": [[f["unit"], f["text"], _md(f["deadline"]), f["status"] + ("（超期）" if f["overdue"] else "")]
                      for f in findings["rows"]]}
    return paragraphs, [table]


def bulletin_context(data: dict) -> dict:
    """The keys of ``documents.docx`` for ``bulletin``: issuer, number, title, recipients, paragraphs, and
    ``sections`` [{"heading", "paragraphs", "tables"}] (一、总体进展 … 六、下步工作), signatures' date, 版记."""
    sections = [{"heading": _("一、总体进展"), "paragraphs": _progress(data), "tables": [_street_table(data)]}]
    for number, heading, part in ((_("二"), _("考核排名及红黑榜"), _ranking_tables),
                                  (_("三"), _("逾期任务"), _tasks), (_("四"), _("督办事项"), _orders),
                                  (_("五"), _("督查问题整改"), _findings)):
        paragraphs, tables = part(data)
        sections.append({"heading": f"{number}、{heading}", "paragraphs": paragraphs, "tables": tables})
    steps = data.get("next_steps") or []
    sections.append({"heading": _("六、下步工作"),
                     "paragraphs": [f"（{docx.cn_number(i)}）{s}" for i, s in enumerate(steps, start=1)],
                     "tables": []})
    campaign = (data.get("campaign") or {}).get("name", "")
    return {
        "issuer": data.get("issuer", ""), "number": data.get("number", ""), "title": data.get("title", ""),
        "period": _("%(a)s至%(b)s") % {"a": _date(data["starts_on"]), "b": _date(data["ends_on"])},
        "recipients": _("各街道办事处，区有关部门"),
        "paragraphs": [_("现将%(c)s本期（%(a)s至%(b)s）工作情况通报如下。") % {
            "c": campaign, "a": _date(data["starts_on"]), "b": _date(data["ends_on"])}],
        "sections": sections, "tables": [], "attachments": [],
        "date": data.get("date", ""),
        "cc": _("区委办公室，区政府办公室，区城中村改造工作领导小组各成员"),
        "printer": data.get("issuer", ""), "printed_on": data.get("date", ""),
    }


def bulletin_docx(data: dict) -> bytes:
    return docx.render("bulletin", bulletin_context(data))


def bulletin_filename(bulletin, ext: str) -> str:
    return f"工作通报_{bulletin.period}.{ext}"


def _number(text: str):
    """A score as a number in the sheet (sorts and sums), as it was frozen when it is not one."""
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return text


def bulletin_xlsx(data: dict) -> bytes:
    """The ranking as a one-page table (printed on one A4 page: fit to one page wide and tall)."""
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet(_("考核排名"))
    title = data.get("title", "")
    sheet.append([xlsx.cell(sheet, title, font=xlsx.TITLE_FONT)])
    sheet.append([_("%(a)s至%(b)s，截至%(c)s") % {"a": _date(data["starts_on"]), "b": _date(data["ends_on"]),
                                                 "c": _date(data["as_of"])}])
    widths = [8, 22, 10, 10, 8, 10, 10]
    xlsx.set_widths(sheet, widths)
    rankings = data.get("rankings") or []
    lights = {s["name"]: LIGHTS.get(s["light"], "") for s in data.get("streets") or []}
    if not rankings:
        sheet.append([])
        sheet.append([_("截至本期末，尚无已发布的考核结果，本期不作排名。")])
    for r in rankings:
        sheet.append([])
        sheet.append([xlsx.cell(sheet, _("%(a)s考核排名（%(s)s %(p)s，第%(v)d版）") % {
            "a": r["assessed_label"], "s": r["scheme"], "p": r["period"], "v": r["version"]}, font=xlsx.HEADER_FONT)])
        sheet.append(xlsx.header_cells(sheet, ["名次", "单位", "总分", "等次", "榜单", "亮灯"]))
        for row in r["rows"]:
            sheet.append([xlsx.cell(sheet, value, border=xlsx.HEADER_BORDER) for value in (
                row["rank"], row["unit"], _number(row["total"]), row["grade_label"], LIST_WORDS.get(row["list"], ""),
                lights.get(row["unit"], ""))])
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    return xlsx.to_bytes(workbook)
