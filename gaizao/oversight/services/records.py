"""Commendation and accountability records (表彰 / 问责记录): on a unit, and on a person of it when named,
with the measure (通报表扬, 约谈, 通报批评, 责令检查 …), the reason, the date and the document (a number
or a file). Made directly by the office or by confirming a proposal (``services.assessment``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import full_clean, parse_date
from gaizao.core.writes import writes
from gaizao.org.choices import OrgKind
from gaizao.org.models import Membership, OrgUnit, User
from gaizao.oversight.choices import ACCOUNTABILITY_MEASURES, COMMENDATION_MEASURES, Measure, RecordKind
from gaizao.oversight.models import Record
from gaizao.oversight.policies.records import record_can_write

REASON_MIN = 4
MEASURES = {RecordKind.COMMENDATION: COMMENDATION_MEASURES, RecordKind.ACCOUNTABILITY: ACCOUNTABILITY_MEASURES}


def _day(value) -> dt.date:
    if value in (None, ""):
        return timezone.localdate()
    return parse_date(value, field="decided_on", label=_("决定日期"))


@writes
def record_create(*, actor, kind: str, unit, measure: str, reason: str, decided_on=None, person=None,
                  document_number: str = "", document=None, proposal=None, ip: str | None = None) -> Record:
    """Record a commendation or an accountability (记录表彰 / 问责) on a unit (a street or department),
    optionally on one of its people."""
    if not is_system(actor) and not record_can_write(actor):
        raise NotFound(_("不存在或无权操作。"))
    if kind not in RecordKind.values:
        raise AppError(_("类别「%s」不是可选的值（表彰或问责）。") % kind, fields={"kind": _("不是可选的值")})
    allowed = MEASURES[RecordKind(kind)]
    if measure not in [m.value for m in allowed]:
        raise AppError(_("%(k)s的方式应为：%(m)s。") % {"k": RecordKind(kind).label,
                                                    "m": "、".join(str(m.label) for m in allowed)},
                       fields={"measure": _("不是可选的方式")})
    unit_id = getattr(unit, "pk", unit)
    found = OrgUnit.objects.filter(pk=unit_id if str(unit_id or "").isdigit() else None,
                                   kind__in=(OrgKind.STREET, OrgKind.DEPARTMENT)).first()
    if found is None:
        raise AppError(_("请选择街道或部门。"), fields={"unit": _("须为街道或部门")})
    who = None
    if person not in (None, ""):
        pk = getattr(person, "pk", person)
        who = User.objects.filter(pk=pk if str(pk).isdigit() else None).first()
        if who is None or not Membership.objects.filter(user=who, org_unit=found).exists():
            raise AppError(_("所选人员不在%s任职。") % found.name, fields={"person": _("不是该单位的人员")})
    reason = str(reason or "").strip()
    if len(reason) < REASON_MIN:
        raise AppError(_("请写明事由（至少 %d 个字）。") % REASON_MIN, fields={"reason": _("至少 %d 个字") % REASON_MIN})
    document_number = str(document_number or "").strip()
    if not document_number and not document:
        raise AppError(_("请填写文号，或上传文件。"), fields={"document_number": _("文号或文件须有一项")})
    record = Record(kind=kind, measure=measure, unit=found, person=who, reason=reason, decided_on=_day(decided_on),
                    document_number=document_number, proposal=proposal, created_by=as_user(actor))
    if document:
        record.document = document
    full_clean(record, exclude=["proposal"])
    record.save(force_insert=True)
    writes.audit(action="oversight.record_create", obj=record, changes={
        "kind": kind, "measure": measure, "unit": found.pk, **({"person": who.pk} if who else {}),
        "reason": reason, "decided_on": record.decided_on, "document_number": document_number,
        **({"proposal": proposal.pk} if proposal else {})})
    return record


__all__ = ["record_create", "Measure"]
