"""The supervision order as 公文 (督办通知): its plain data for ``gaizao.documents.docx`` (kind
``supervision``, the keys of ``documents.samples.SUPERVISION``) and the file."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from gaizao.documents import docx
from gaizao.oversight.models import SupervisionOrder


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def issuer() -> str:
    return getattr(settings, "GAIZAO_DOCUMENT_ISSUER", "") or _("城中村改造工作领导小组办公室")


def order_context(order: SupervisionOrder) -> dict:
    """The 督办通知 of ``order``: number, title, level, recipient unit, subject, requirement, deadline.
    A draft prints without a number, its deadline counted in working days from issue."""
    office = issuer()
    unit = order.unit.name
    level = order.get_level_display()
    deadline = cn_date(order.deadline) if order.deadline else _("下发后第%(n)d个工作日") % {
        "n": order.deadline_workdays}
    lead = _("按照城中村改造攻坚专项行动督查督办制度，现就以下事项对%(u)s予以%(l)s。请认真研究、抓紧办理，"
             "办理情况和佐证材料通过平台反馈（办理时限 %(n)d 个工作日）。") % {
        "u": unit, "l": level, "n": order.deadline_workdays}
    paragraphs = [lead]
    if order.return_reason and order.returned_count:
        paragraphs.append(_("该事项已退回重办 %(n)d 次，退回原因：%(r)s。") % {"n": order.returned_count,
                                                                "r": order.return_reason})
    title = order.title if order.title.startswith("关于") else _("关于%(t)s的督办通知") % {"t": order.title}
    return {
        "issuer": office,
        "number": order.number,
        "title": title,
        "level": level,
        "recipients": unit,
        "paragraphs": paragraphs,
        "subject": order.subject_label or order.title,
        "requirement": order.requirement,
        "deadline": deadline,
        "date": cn_date(order.issued_on),
        "cc": "",
        "printer": office,
        "printed_on": cn_date(order.issued_on),
        "attachments": [],
        "tables": [],
        "sections": [],
        "signatures": [],
    }


def order_docx(order: SupervisionOrder) -> bytes:
    return docx.render("supervision", order_context(order))
