"""The responsibility agreement (目标责任书) as 公文: its plain data for ``gaizao.documents.docx`` and the file.

Reads the version's frozen targets, never today's: a signed agreement prints what was signed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from gaizao.campaign.models import Agreement


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def issuer() -> str:
    """The office that issues the campaign's documents (the district's leading group office)."""
    return getattr(settings, "GAIZAO_DOCUMENT_ISSUER", "") or _("城中村改造工作领导小组办公室")


def agreement_context(agreement: Agreement) -> dict:
    campaign, street = agreement.campaign, agreement.street
    rows = [[r["label"] + (f"（{r['scope']}）" if r.get("scope") else ""), f"{r['target']} {r['unit']}",
             r.get("milestones") or _("行动结束前完成")] for r in agreement.targets]
    duties = [line for line in agreement.duties.splitlines() if line.strip()]
    assessment = [line for line in agreement.assessment.splitlines() if line.strip()]
    office = issuer()
    return {
        "issuer": office,
        "number": agreement.number,
        "title": agreement.title,
        "recipients": street.name,
        "street": street.name,
        "campaign": campaign.name,
        "version": agreement.version,
        "paragraphs": [_("为全面完成%(c)s各项目标任务（%(a)s至%(b)s），明确工作责任，%(o)s（甲方）与%(s)s（乙方）"
                         "签订本责任书。") % {"c": campaign.name, "s": street.name, "o": office,
                                             "a": cn_date(campaign.starts_on), "b": cn_date(campaign.ends_on)}],
        "sections": [],  # the template prints 一、目标任务 (the table), 二、工作职责, 三、考核与奖惩 itself
        "duties": duties,
        "assessment": assessment,
        "tables": [{"caption": _("%(y)d年度目标任务") % {"y": campaign.year}, "header": [_("指标"), _("目标值"), _("节点要求")],
                    "rows": rows}],
        "signatures": [
            {"party": _("甲方：%(o)s") % {"o": office}, "signer": "",
             "date": cn_date(agreement.signed_on or agreement.issued_on)},
            {"party": _("乙方：%(s)s") % {"s": street.name}, "signer": "",
             "date": cn_date(agreement.signed_on or agreement.issued_on)},
        ],
        "date": cn_date(agreement.issued_on),
        "cc": "",
        "printer": office,
        "printed_on": cn_date(agreement.issued_on),
        "attachments": [],
    }


def agreement_docx(agreement: Agreement) -> bytes:
    from gaizao.documents import docx

    return docx.render("agreement", agreement_context(agreement))


def agreement_filename(agreement: Agreement) -> str:
    return f"{agreement.street.name}-目标责任书-第{agreement.version}版.docx"
