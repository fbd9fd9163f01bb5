"""Commendation and accountability records (表彰 / 问责) and the unit's and person's record pages.

The office (admin, commander) writes; leaders read all; a street or a department reads its own unit's
record (scores over periods, proposals, records) and its own people's; anyone else: nothing (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.org.choices import Role

RECORD_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT),
}


def record_place(obj) -> Place:
    """A record sits at its unit; an org unit at itself; a person at the first unit they work in."""
    from gaizao.oversight.models import Record
    from gaizao.org.models import Membership, OrgUnit

    if isinstance(obj, Record):
        return Place(unit_id=obj.unit_id)
    if isinstance(obj, OrgUnit):
        return Place(unit_id=obj.pk)
    unit_id = Membership.objects.filter(user=obj).order_by("id").values_list("org_unit_id", flat=True).first()
    return Place(unit_id=unit_id)


def record_reader(user) -> bool:
    return bool(access.grant(user, "oversight.record"))


def record_can_write(user) -> bool:
    return access.grant(user, "oversight.record", write=True).everywhere


def record_scope(user) -> QuerySet:
    from gaizao.oversight.models import Record

    return access.grant(user, "oversight.record").filter(Record.objects.all(), unit="unit_id")


def record_unit_scope(user) -> QuerySet:
    """The org units whose record the user reads: every street and department, or the user's own."""
    from gaizao.org.choices import OrgKind
    from gaizao.org.models import OrgUnit

    units = OrgUnit.objects.filter(kind__in=(OrgKind.STREET, OrgKind.DEPARTMENT))
    return access.grant(user, "oversight.record").filter(units, unit="pk")


def record_person_scope(user) -> QuerySet:
    """The people whose record the user reads: staff of the units in reach."""
    from gaizao.org.models import User

    people = User.objects.filter(memberships__org_unit__in=record_unit_scope(user)).distinct()
    return people


def _sample_person(unit):
    from gaizao.org.models import User

    return User.objects.filter(memberships__org_unit=unit).order_by("id").first()


RECORD_ENDPOINTS = (
    Endpoint("unit_record_page", lambda u: reverse("oversight:unit_record", args=[u.pk]), shows=lambda u: u.name),
    Endpoint("unit_record_api", lambda u: f"/api/oversight/records/units/{u.pk}"),
    Endpoint("person_record_page", lambda u: reverse("oversight:person_record", args=[_sample_person(u).pk]),
             shows=lambda u: _sample_person(u).full_name),
)


def _locate(obj) -> Place:
    # the endpoints are built from a unit (the person is a member of it)
    return record_place(obj)


access.register("oversight.record", RECORD_ROWS, locate=_locate, endpoints=RECORD_ENDPOINTS)
# The file behind a record (表彰、问责决定的文件): whoever reads the record, never from a public media address.
access.register("oversight.record_document", RECORD_ROWS, locate=record_place, endpoints=(
    Endpoint("record_document", lambda r: reverse("oversight:record_document", args=[r.pk])),))
