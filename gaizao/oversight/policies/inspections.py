"""Inspections and rectification (督查 / 整改): who reads and changes them.

- ``oversight.inspection``: the office (领导小组办公室) and the admin record and edit inspections and add
  their findings; leaders read all; a street or a department reads the inspections that included its
  unit (the inspection's ``units``), and on them only its own findings.
- ``oversight.finding``: a finding (督查问题, also the rectification item 整改事项) is read by the office,
  the admin and leaders everywhere and by the unit that must fix it; the office verifies it (核验) or
  returns it, and raises a supervision order from it (督办).
- ``oversight.finding_fix``: the fix (整改情况 and its photos) is submitted by the finding's unit only;
  anyone else is told the finding is not there (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.org.choices import Role
from gaizao.oversight.models import Finding, FindingPhoto, Inspection

INSPECTION_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT),
}
FINDING_ROWS = INSPECTION_ROWS
FINDING_FIX_ROWS = {
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT, write=UNIT),
}


def inspection_place(inspection) -> Place:
    """An inspection stands in its first unit (the scope matrix's samples inspect one unit each; the
    querysets below read every unit of the inspection)."""
    first = inspection.units.order_by("pk").values_list("pk", flat=True).first()
    return Place(unit_id=first)


def finding_place(finding) -> Place:
    return Place(unit_id=finding.unit_id)


def inspection_scope(user) -> QuerySet[Inspection]:
    """The inspections the user reads: all for the district roles, those that included one of the
    user's units for a street or a department (no duplicates when several did)."""
    grant = access.grant(user, "oversight.inspection")
    if grant.everywhere:
        return Inspection.objects.all()
    narrowed = grant.filter(Inspection.objects.all(), unit="units")
    return Inspection.objects.filter(pk__in=narrowed.values("pk"))


def inspection_can_write(user) -> bool:
    """Records and edits inspections and their findings (the office, the admin)."""
    return access.grant(user, "oversight.inspection", write=True).everywhere


def inspection_reader(user) -> bool:
    return bool(access.grant(user, "oversight.inspection"))


def finding_scope(user) -> QuerySet[Finding]:
    return access.grant(user, "oversight.finding").filter(Finding.objects.all(), unit="unit_id")


def finding_office_scope(user) -> QuerySet[Finding]:
    """The findings the user verifies, returns and raises orders from: the office's, everywhere."""
    return access.grant(user, "oversight.finding", write=True).filter(Finding.objects.all(), unit="unit_id")


def finding_can_verify(user) -> bool:
    return access.grant(user, "oversight.finding", write=True).everywhere


def finding_units_read(user) -> frozenset[int] | None:
    """The units whose findings the user reads: None for every unit (the district roles)."""
    grant = access.grant(user, "oversight.finding")
    return None if grant.everywhere else grant.unit_ids


def finding_fix_scope(user) -> QuerySet[Finding]:
    """The findings the user may submit a fix for: those of the user's own units."""
    return access.grant(user, "oversight.finding_fix", write=True).filter(Finding.objects.all(), unit="unit_id")


def finding_photo_scope(user) -> QuerySet[FindingPhoto]:
    return FindingPhoto.objects.filter(finding__in=finding_scope(user))


def _photo(finding) -> int:
    return finding.photos.order_by("id").first().pk


def _inspection_shows(inspection) -> str:
    return inspection.title


def _finding_shows(finding) -> str:
    return finding.text[:20]


INSPECTION_ENDPOINTS = (
    Endpoint("inspection_page", lambda i: reverse("oversight:inspection_detail", args=[i.pk]),
             shows=_inspection_shows),
    Endpoint("inspection_api", lambda i: f"/api/oversight/inspections/{i.pk}", shows=_inspection_shows),
    Endpoint("inspection_edit_page", lambda i: reverse("oversight:inspection_edit", args=[i.pk]), write=True,
             method="POST"),
    Endpoint("inspection_patch_api", lambda i: f"/api/oversight/inspections/{i.pk}", write=True, method="PATCH"),
    Endpoint("finding_add_page", lambda i: reverse("oversight:finding_add", args=[i.pk]), write=True, method="POST"),
    Endpoint("finding_add_api", lambda i: f"/api/oversight/inspections/{i.pk}/findings", write=True, method="POST"),
)
FINDING_ENDPOINTS = (
    Endpoint("finding_page", lambda f: reverse("oversight:finding_detail", args=[f.pk]), shows=_finding_shows),
    Endpoint("finding_api", lambda f: f"/api/oversight/findings/{f.pk}", shows=_finding_shows),
    Endpoint("finding_photo", lambda f: reverse("oversight:finding_photo", args=[_photo(f)])),
    Endpoint("finding_verify_page", lambda f: reverse("oversight:finding_verify", args=[f.pk]), write=True,
             method="POST"),
    Endpoint("finding_verify_api", lambda f: f"/api/oversight/findings/{f.pk}/verify", write=True, method="POST"),
    Endpoint("finding_order_page", lambda f: reverse("oversight:finding_order", args=[f.pk]), write=True,
             method="POST"),
    Endpoint("finding_order_api", lambda f: f"/api/oversight/findings/{f.pk}/order", write=True, method="POST"),
)
FINDING_FIX_ENDPOINTS = (
    Endpoint("finding_fix_page", lambda f: reverse("oversight:finding_fix", args=[f.pk]), write=True, method="POST"),
    Endpoint("finding_fix_api", lambda f: f"/api/oversight/findings/{f.pk}/fix", write=True, method="POST"),
)

access.register("oversight.inspection", INSPECTION_ROWS, locate=inspection_place, endpoints=INSPECTION_ENDPOINTS)
access.register("oversight.finding", FINDING_ROWS, locate=finding_place, endpoints=FINDING_ENDPOINTS)
access.register("oversight.finding_fix", FINDING_FIX_ROWS, locate=finding_place, endpoints=FINDING_FIX_ENDPOINTS)
