"""Assessment (考核): schemes, published score sheets and the proposals they make.

The office (admin, commander) writes everything; leaders read everything; a street or a department
reads only its own row of a sheet (``selectors.assessment.sheet_rows_for``), through its own pages (my
scores, its unit record): schemes, whole sheets and proposals are the district's, so their pages by id
answer 404 to a unit.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.org.choices import Role

ASSESSMENT_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT),
}


def district_place(obj) -> Place:
    """A scheme, a sheet or a proposal belongs to the district (no one unit)."""
    return Place(unit_id=None)


def assessment_reader(user) -> bool:
    return bool(access.grant(user, "oversight.assessment"))


def assessment_reads_all(user) -> bool:
    """Reads every unit's rows (the office, the admin, leaders)."""
    return access.grant(user, "oversight.assessment").everywhere


def assessment_can_write(user) -> bool:
    return access.grant(user, "oversight.assessment", write=True).everywhere


def own_unit_ids(user) -> frozenset[int]:
    """The units whose rows a street or department reads (empty for the district roles)."""
    return access.grant(user, "oversight.assessment").unit_ids


def scheme_scope(user) -> QuerySet:
    from gaizao.oversight.models import Scheme

    return Scheme.objects.all() if assessment_reads_all(user) else Scheme.objects.none()


def sheet_scope(user) -> QuerySet:
    from gaizao.oversight.models import ScoreSheet

    return ScoreSheet.objects.all() if assessment_reads_all(user) else ScoreSheet.objects.none()


def _sheet(scheme):
    from gaizao.oversight.models import ScoreSheet

    return ScoreSheet.objects.filter(scheme=scheme).order_by("-id").first()


def _proposal(scheme):
    from gaizao.oversight.models import Proposal

    return Proposal.objects.filter(scheme=scheme, status="proposed").order_by("id").first()


def _shows(scheme) -> str:
    return scheme.name


ASSESSMENT_ENDPOINTS = (
    Endpoint("scheme_page", lambda s: reverse("oversight:scheme_detail", args=[s.pk]), shows=_shows),
    Endpoint("scheme_api", lambda s: f"/api/oversight/assessment/schemes/{s.pk}", shows=_shows),
    Endpoint("scheme_edit_page", lambda s: reverse("oversight:scheme_edit", args=[s.pk]), write=True, method="POST"),
    Endpoint("scheme_indicators_page", lambda s: reverse("oversight:scheme_indicators", args=[s.pk]), write=True,
             method="POST"),
    Endpoint("scheme_activate_page", lambda s: reverse("oversight:scheme_activate", args=[s.pk]), write=True,
             method="POST"),
    Endpoint("scheme_preview_page", lambda s: reverse("oversight:scheme_preview", args=[s.pk]), write=True),
    Endpoint("scheme_preview_api", lambda s: f"/api/oversight/assessment/schemes/{s.pk}/preview?period=2026-01",
             write=True),
    Endpoint("scheme_publish_page", lambda s: reverse("oversight:scheme_publish", args=[s.pk]), write=True,
             method="POST"),
    Endpoint("scheme_publish_api", lambda s: f"/api/oversight/assessment/schemes/{s.pk}/publish", write=True,
             method="POST"),
    Endpoint("scheme_adjustment_page", lambda s: reverse("oversight:adjustment_add", args=[s.pk]), write=True,
             method="POST"),
    Endpoint("sheet_page", lambda s: reverse("oversight:sheet_detail", args=[_sheet(s).pk]), shows=_shows),
    Endpoint("sheet_api", lambda s: f"/api/oversight/assessment/sheets/{_sheet(s).pk}"),
    Endpoint("sheet_lists_page", lambda s: reverse("oversight:sheet_lists", args=[_sheet(s).pk]), shows=_shows),
    Endpoint("sheet_lists_api", lambda s: f"/api/oversight/assessment/sheets/{_sheet(s).pk}/lists"),
    Endpoint("sheet_recompute_page", lambda s: reverse("oversight:sheet_recompute", args=[_sheet(s).pk]), write=True,
             method="POST"),
    Endpoint("sheet_recompute_api", lambda s: f"/api/oversight/assessment/sheets/{_sheet(s).pk}/recompute",
             write=True, method="POST"),
    Endpoint("proposal_confirm_page", lambda s: reverse("oversight:proposal_confirm", args=[_proposal(s).pk]),
             write=True, method="POST"),
    Endpoint("proposal_reject_page", lambda s: reverse("oversight:proposal_reject", args=[_proposal(s).pk]),
             write=True, method="POST"),
    Endpoint("proposal_confirm_api", lambda s: f"/api/oversight/assessment/proposals/{_proposal(s).pk}/confirm",
             write=True, method="POST"),
    Endpoint("proposal_reject_api", lambda s: f"/api/oversight/assessment/proposals/{_proposal(s).pk}/reject",
             write=True, method="POST"),
)

access.register("oversight.assessment", ASSESSMENT_ROWS, locate=district_place, endpoints=ASSESSMENT_ENDPOINTS)


def adjustment_document_scope(user) -> QuerySet:
    """The bonus and penalty items whose document the user may download: every one for the district roles,
    a unit's own for its staff."""
    from gaizao.oversight.models import Adjustment

    return access.grant(user, "oversight.adjustment_document").filter(Adjustment.objects.all(), unit="unit_id")


# The document behind a bonus or penalty item (加减分的依据文件): the office and leaders, and the unit it is about.
access.register("oversight.adjustment_document", ASSESSMENT_ROWS, locate=lambda a: Place(unit_id=a.unit_id),
                endpoints=(Endpoint("adjustment_document",
                                    lambda a: reverse("oversight:adjustment_document", args=[a.pk])),))

