"""Record reads (表彰问责): the record list, a unit's record (scores over the periods, proposals and
records) and a person's record; out of reach is 404. Each a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from gaizao.oversight.choices import SheetStatus
from gaizao.oversight.models import Proposal, Record, ScoreSheet
from gaizao.oversight.policies.records import record_person_scope, record_scope, record_unit_scope


def record_list(user, *, kind: str | None = None, unit_id: int | None = None) -> QuerySet[Record]:
    qs = record_scope(user).select_related("unit", "person", "proposal")
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("-decided_on", "-id")


def unit_get(user, pk: int):
    found = record_unit_scope(user).filter(pk=pk).first()
    if found is None:
        raise Http404("不存在或无权查看。")
    return found


def unit_scores(unit_id: int) -> list[dict]:
    """The unit's row of every published sheet, latest period first (one query)."""
    out = []
    for sheet in (ScoreSheet.objects.filter(status=SheetStatus.PUBLISHED).select_related("scheme")
                  .order_by("-ends_on", "scheme_id")):
        row = next((r for r in sheet.rows if r["unit_id"] == unit_id), None)
        if row is not None:
            out.append({"sheet": sheet, "scheme": sheet.scheme, "period": sheet.period, "row": row,
                        "of": len(sheet.rows)})
    return out


def unit_record(user, unit) -> dict:
    """A unit's record page: its scores over periods, proposals and records, and what it still owes — its
    open supervision orders and the inspection findings not yet verified, which stay here until they are
    (eight queries); 404 out of reach."""
    from gaizao.oversight.selectors.inspections import finding_list
    from gaizao.oversight.selectors.orders import order_list

    unit = unit_get(user, getattr(unit, "pk", unit))
    return {
        "unit": unit,
        "open_orders": order_list(user, unit=unit, status="open", limit=50).items,
        "open_findings": finding_list(user, unit=unit, open_only=True, limit=50).items,
        "scores": unit_scores(unit.pk),
        "proposals": list(Proposal.objects.filter(unit=unit).select_related("scheme", "decided_by").order_by("-id")),
        "records": list(Record.objects.filter(unit=unit).select_related("person").order_by("-decided_on", "-id")),
    }


def person_record(user, person) -> dict:
    """A person's record page: their commendations and accountabilities (three queries); 404 out of reach."""
    pk = getattr(person, "pk", person)
    found = record_person_scope(user).filter(pk=pk).first()
    if found is None:
        raise Http404("不存在或无权查看。")
    return {"person": found,
            "units": list(found.memberships.select_related("org_unit").values_list("org_unit__name", flat=True)),
            "records": list(Record.objects.filter(person=found).select_related("unit").order_by("-decided_on", "-id"))}
