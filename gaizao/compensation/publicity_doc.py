"""A publicity round (公示) as 公文 (DOCX, ``documents.docx.render("publicity", …)``) and as a table (XLSX), from
its frozen rows only: a round printed again is the round as it was published.

The compensation list prints in portrait: the main table (户号, 户主, 补偿方式, 合法面积, 补偿合计, 产权调换面积)
and then the money line items in tables of five columns each (分户补偿明细), so that amounts of seven figures
stay on one line; the XLSX has every item as a column of one sheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from gaizao.compensation.choices import PublicityKind
from gaizao.compensation.models import Objection, Publicity
from gaizao.compensation.selectors.publicity import compensation_table, sum_text
from gaizao.core.masking import mask_name
from gaizao.documents import docx, xlsx

ITEMS_PER_TABLE = 5
SURVEY_HEADER = ["户号", "户主", "房屋编号", "结构", "用途", "合法面积（㎡）", "无证面积（㎡）", "认定结果"]
COMPENSATION_HEADER = ["户号", "户主", "补偿方式", "合法面积（㎡）", "补偿合计（元）", "产权调换面积（㎡）"]


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def money(text) -> str:
    """626600.00 → 626,600.00 (blank and None as —)."""
    if text in (None, ""):
        return "—"
    return f"{Decimal(str(text)):,.2f}"


def _area(text) -> str:
    return "—" if text in (None, "") else str(text)


def issuer(publicity: Publicity) -> str:
    """Who publishes (署名): the district's office, as the other 公文 of the platform."""
    return _("%(d)s城中村改造工作领导小组办公室") % {"d": settings.DISTRICT_NAME}


def survey_table_rows(rows: list[dict]) -> list[list[str]]:
    """One line per building (a household without buildings: one line of dashes), then the totals."""
    out = []
    for row in rows:
        buildings = row.get("buildings") or [None]
        for b in buildings:
            out.append([row["number"], row["name"] + ("（变更）" if row.get("changed") else ""), *(
                [b["number"], b["structure"], b["use"], b["legal_area"], b["unlicensed_area"], b["legality"]]
                if b else ["—"] * 6)])
    out.append([_("合计"), _("%(n)d户") % {"n": len(rows)}, "", "", "",
                sum_text(r.get("legal_area") for r in rows), sum_text(r.get("unlicensed_area") for r in rows), ""])
    return out


def compensation_tables(publicity: Publicity) -> list[dict]:
    """The main table, then the line items five columns a table (each with 户号 first and the totals last)."""
    columns, rows = compensation_table(publicity.rows)
    main = [[r["number"], r["name"] + ("（变更）" if r.get("changed") else ""), r["option_label"], r["legal_area"],
             money(r["total"]), _area(r.get("swap_area"))] for r in rows]
    main.append([_("合计"), _("%(n)d户") % {"n": len(rows)}, "", sum_text(r["legal_area"] for r in rows),
                 money(sum_text(r["total"] for r in rows)), sum_text(r.get("swap_area") for r in rows)])
    tables = [{"caption": _("%(p)s分户补偿情况表") % {"p": publicity.project.name}, "header": COMPENSATION_HEADER,
               "rows": main}]
    starts = range(0, len(columns), ITEMS_PER_TABLE)
    for n, first in enumerate(starts, start=1):
        group = columns[first:first + ITEMS_PER_TABLE]
        indexes = range(first, first + len(group))
        body = [[r["number"], *(money(r["amounts"][i]) for i in indexes)] for r in rows]
        body.append([_("合计"), *(money(sum_text(r["amounts"][i] for r in rows)) for i in indexes)])
        caption = _("分户补偿明细（元）") if len(starts) == 1 else _("分户补偿明细（元，之%(n)s）") % {
            "n": docx.cn_number(n)}
        tables.append({"caption": caption, "header": [_("户号"), *(c.label for c in group)], "rows": body})
    return tables


def _objection_paragraphs(objections: list[Objection]) -> list[str]:
    out = []
    for o in objections:
        about = f"{o.household.number} " if o.household_id else ""
        out.append(_("%(h)s%(s)s（%(r)s）：%(c)s答复（%(a)s）：%(t)s") % {
            "h": about, "s": mask_name(o.submitter), "r": cn_date(o.received_on), "c": o.content.rstrip("。") + "。",
            "a": cn_date(o.answered_on) if o.answered_on else "", "t": o.answer})
    return out


def publicity_context(publicity: Publicity, *, objections: list[Objection] = ()) -> dict:
    """The context of the 公示 DOCX: the opening, the list, how to object and the answers published."""
    kind_label = PublicityKind(publicity.kind).label
    period = _("%(s)s至%(e)s") % {"s": cn_date(publicity.starts_on), "e": cn_date(publicity.ends_on)}
    days = (publicity.ends_on - publicity.starts_on).days + 1
    if publicity.kind == PublicityKind.SURVEY:
        opening = _("根据《国有土地上房屋征收与补偿条例》，现将%(p)s被征收房屋的调查登记和认定结果予以公示，接受群众监督。") % {
            "p": publicity.project.name}
        tables = [{"caption": _("%(p)s房屋调查认定结果表") % {"p": publicity.project.name}, "header": SURVEY_HEADER,
                   "rows": survey_table_rows(publicity.rows)}]
    else:
        scheme = _("和《%(s)s》") % {"s": publicity.scheme} if publicity.scheme_id else ""
        opening = _("根据《国有土地上房屋征收与补偿条例》第二十九条%(s)s，现将%(p)s被征收户的分户补偿情况予以公示，接受群众监督。") % {
            "s": scheme, "p": publicity.project.name}
        tables = compensation_tables(publicity)
    paragraphs = [opening, _("公示期自%(s)s至%(e)s，共%(n)d天。被征收人姓名已作隐去处理，不公示身份证号码和联系电话。") % {
        "s": cn_date(publicity.starts_on), "e": cn_date(publicity.ends_on), "n": days}]
    if publicity.round > 1:
        paragraphs.append(_("本公示为第%(n)d轮公示，此前各轮公示内容以本轮为准。") % {"n": publicity.round})
    if publicity.note:
        paragraphs.extend(line for line in publicity.note.splitlines() if line.strip())
    sections = [{"heading": _("一、异议的提出"), "paragraphs": [
        _("公示期间，被征收人对公示内容有异议的，可以书面或者当面向项目征收实施单位提出，并说明理由；逾期未提出的，视为无异议。")]}]
    answered = _objection_paragraphs(list(objections))
    if answered:
        sections.append({"heading": _("二、异议的答复"), "paragraphs": answered})
    return {
        "issuer": issuer(publicity), "number": "", "title": publicity.title, "period": period, "recipients": "",
        "paragraphs": paragraphs, "tables": tables, "sections": sections, "attachments": [],
        "date": cn_date(publicity.starts_on), "cc": "", "printer": "", "printed_on": "", "kind": str(kind_label),
    }


def publicity_docx(publicity: Publicity, *, objections: list[Objection] = ()) -> bytes:
    return docx.render("publicity", publicity_context(publicity, objections=objections))


def _number(text):
    try:
        return Decimal(str(text))
    except Exception:  # noqa: BLE001 — text that is no number stays text
        return text


def publicity_xlsx(publicity: Publicity) -> bytes:
    """The list as one sheet: a title line, the period, the header, one line per household (per building for the
    survey) and the totals; amounts and areas as numbers."""
    workbook = xlsx.new_workbook()
    sheet = workbook.create_sheet(_("公示名单"))
    sheet.append([xlsx.cell(sheet, publicity.title, font=xlsx.TITLE_FONT)])
    sheet.append([_("公示期：%(s)s至%(e)s") % {"s": cn_date(publicity.starts_on), "e": cn_date(publicity.ends_on)}])
    if publicity.kind == PublicityKind.SURVEY:
        header = SURVEY_HEADER
        body = survey_table_rows(publicity.rows)
        numeric = {5, 6}
        widths = [12, 10, 10, 10, 10, 14, 14, 12]
    else:
        columns, rows = compensation_table(publicity.rows)
        header = ["户号", "户主", "补偿方式", "合法面积（㎡）", *(f"{c.label}（元）" for c in columns), "补偿合计（元）",
                  "产权调换面积（㎡）", "本轮变更"]
        body = [[r["number"], r["name"], r["option_label"], r["legal_area"], *r["amounts"], r["total"],
                 r.get("swap_area") or "", "是" if r.get("changed") else ""] for r in rows]
        body.append([_("合计"), _("%(n)d户") % {"n": len(rows)}, "", sum_text(r["legal_area"] for r in rows),
                     *(sum_text(r["amounts"][i] for r in rows) for i in range(len(columns))),
                     sum_text(r["total"] for r in rows), sum_text(r.get("swap_area") for r in rows), ""])
        numeric = set(range(3, 3 + len(columns) + 3))
        widths = [12, 10, 14, 14, *([16] * len(columns)), 16, 16, 10]
    sheet.append(xlsx.header_cells(sheet, header))
    xlsx.set_widths(sheet, widths)
    for values in body:
        sheet.append([xlsx.cell(sheet, _number(v) if i in numeric and v not in ("", None) else v,
                                border=xlsx.HEADER_BORDER, number_format="#,##0.00" if i in numeric else "General")
                      for i, v in enumerate(values)])
    sheet.freeze_panes = "C4"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "3:3"
    return xlsx.to_bytes(workbook)
