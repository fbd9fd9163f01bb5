"""Who may read and who may change each ledger resource, derived from the access table.

The rows below are the ledger's part of ``core.access`` (registered from ``LedgerConfig.ready``);
every queryset a user sees starts from a ``*_scope`` function here, every write from a
``*_write_scope`` one, and the ``*_can_*`` predicates answer the same question for one object
without a query. Out of scope is 404 (``core.scoping.get_in_scope``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import ASSIGNED, DISTRICT, OWN, UNIT, Endpoint, Place, Rule
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import OrgUnit, User

# Villages, their projects and heritage: the district roles read all, the office and admin change
# all, street staff read and change their streets'. Cadres and residents read no village pages.
VILLAGE_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}
# Households with their persons and buildings: as villages, plus a cadre reads the households
# assigned to them and a resident their own; neither edits the ledger.
HOUSEHOLD_ROWS = {
    **VILLAGE_ROWS,
    Role.CADRE: Rule(read=ASSIGNED),
    Role.RESIDENT: Rule(read=OWN),
}
# Full ID and phone numbers (证件号、电话明文): the roles that change the household, and the resident.
IDENTITY_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
    Role.RESIDENT: Rule(read=OWN),
}


def household_place(household: Household) -> Place:
    """Where a household sits for the access table: its street, its cadre, its resident."""
    # getattr: stage recording's lighter household (progress.services.fast) carries only its street.
    return Place(unit_id=household.street_id, cadre_id=getattr(household, "cadre_id", None),
                 resident_id=getattr(household, "resident_id", None))


def project_place(project: Project) -> Place:
    """Where a project sits for the access table: its village's street (for the apps above whose resources
    hang on projects)."""
    return Place(unit_id=project.village.street_id)


def _village_place(village: Village) -> Place:
    return Place(unit_id=village.street_id)


def _label(obj) -> str:
    return obj.number if hasattr(obj, "number") else obj.name


def _import_job_place(job) -> Place:
    return Place(resident_id=job.actor_id)  # the account's own record: the OWN level


def _building_shows(building: Building) -> str:
    return building.certificate_no or "120.5"


def register_access() -> None:
    """The ledger's rows of the access table, with the pages and API routes the scope matrix checks.

    Each route that names one object (in its path, or a create's parent in its body) is an endpoint of
    the resource it reads or changes; a create is an endpoint of what it creates, built from an object
    of the same kind (its parent's id). ``tests/test_scope_matrix.py`` fails on a route left out.
    """
    access.register("ledger.village", VILLAGE_ROWS, locate=_village_place, endpoints=[
        Endpoint("village_page", lambda v: reverse("ledger:village_detail", args=[v.pk]), shows=_label),
        Endpoint("village_api", lambda v: f"/api/ledger/villages/{v.pk}", shows=_label),
        Endpoint("village_edit_page", lambda v: reverse("ledger:village_edit", args=[v.pk]), write=True),
        Endpoint("village_edit_page_post", lambda v: reverse("ledger:village_edit", args=[v.pk]), write=True,
                 method="POST"),
        Endpoint("village_api_patch", lambda v: f"/api/ledger/villages/{v.pk}", write=True, method="PATCH"),
        Endpoint("village_create_api", lambda v: "/api/ledger/villages", write=True, method="POST"),
    ])
    access.register("ledger.project", VILLAGE_ROWS, locate=lambda p: _village_place(p.village), endpoints=[
        Endpoint("project_api", lambda p: f"/api/ledger/projects/{p.pk}", shows=_label),
        Endpoint("project_edit_page", lambda p: reverse("ledger:project_edit", args=[p.pk]), write=True),
        Endpoint("project_api_patch", lambda p: f"/api/ledger/projects/{p.pk}", write=True, method="PATCH"),
        Endpoint("project_create_page", lambda p: reverse("ledger:project_create", args=[p.village_id]),
                 write=True),
        Endpoint("project_create_api", lambda p: "/api/ledger/projects", write=True, method="POST"),
        Endpoint("ledger_export", lambda p: f"{reverse('ledger:export_download')}?project={p.code}"),
        # Full numbers: for the project's write roles; its other readers are refused, not misled.
        Endpoint("ledger_export_full", lambda p: f"{reverse('ledger:export_download')}?project={p.code}&full=1",
                 write=True, refused_to_readers_of="ledger.project"),
    ])
    access.register("ledger.heritage", VILLAGE_ROWS, locate=lambda e: _village_place(e.village), endpoints=[
        Endpoint("heritage_page", lambda e: reverse("ledger:heritage_detail", args=[e.pk]), shows=_label),
        Endpoint("heritage_api", lambda e: f"/api/ledger/heritage/{e.pk}", shows=_label),
        Endpoint("heritage_list_api", lambda e: f"/api/ledger/heritage?village={e.village_id}", shows=_label),
        Endpoint("heritage_photo_page", lambda e: reverse("ledger:heritage_photo", args=[e.pk])),
        Endpoint("heritage_photo_api", lambda e: f"/api/ledger/heritage/{e.pk}/photo"),
        Endpoint("heritage_edit_page", lambda e: reverse("ledger:heritage_edit", args=[e.pk]), write=True),
        Endpoint("heritage_api_patch", lambda e: f"/api/ledger/heritage/{e.pk}", write=True, method="PATCH"),
        Endpoint("heritage_photo_upload_api", lambda e: f"/api/ledger/heritage/{e.pk}/photo", write=True,
                 method="POST"),
        Endpoint("heritage_create_page", lambda e: reverse("ledger:heritage_create", args=[e.village_id]),
                 write=True),
        Endpoint("heritage_create_api", lambda e: "/api/ledger/heritage", write=True, method="POST"),
    ])
    access.register("ledger.household", HOUSEHOLD_ROWS, locate=household_place, endpoints=[
        Endpoint("household_page", lambda h: reverse("ledger:household_detail", args=[h.pk]), shows=_label),
        Endpoint("household_api", lambda h: f"/api/ledger/households/{h.pk}", shows=_label),
        Endpoint("household_edit_page", lambda h: reverse("ledger:household_edit", args=[h.pk]), write=True),
        Endpoint("household_api_patch", lambda h: f"/api/ledger/households/{h.pk}", write=True,
                 method="PATCH"),
        Endpoint("household_create_page", lambda h: reverse("ledger:household_create", args=[h.project_id]),
                 write=True),
        Endpoint("household_resident_page", lambda h: reverse("ledger:household_resident", args=[h.pk]), write=True),
        Endpoint("household_resident_page_post", lambda h: reverse("ledger:household_resident", args=[h.pk]),
                 write=True, method="POST"),
        Endpoint("household_resident_api", lambda h: f"/api/ledger/households/{h.pk}/resident", write=True,
                 method="POST"),
        Endpoint("household_create_api", lambda h: "/api/ledger/households", write=True, method="POST"),
    ])
    access.register("ledger.household_identity", IDENTITY_ROWS, locate=household_place, endpoints=[
        # Whoever reads the household but may not see its full numbers is refused, and the attempt audited.
        Endpoint("household_reveal_page", lambda h: reverse("ledger:household_reveal", args=[h.pk]),
                 method="POST", refused_to_readers_of="ledger.household", shows=lambda h: h.phone),
    ])
    access.register("ledger.person", HOUSEHOLD_ROWS, locate=lambda p: household_place(p.household), endpoints=[
        Endpoint("person_api", lambda p: f"/api/ledger/persons/{p.pk}", shows=lambda p: p.name),
        Endpoint("person_edit_page", lambda p: reverse("ledger:person_edit", args=[p.pk]), write=True),
        Endpoint("person_api_patch", lambda p: f"/api/ledger/persons/{p.pk}", write=True, method="PATCH"),
        Endpoint("person_create_page", lambda p: reverse("ledger:person_create", args=[p.household_id]),
                 write=True),
        Endpoint("person_create_api", lambda p: f"/api/ledger/households/{p.household_id}/persons", write=True,
                 method="POST"),
    ])
    access.register("ledger.building", HOUSEHOLD_ROWS, locate=lambda b: household_place(b.household), endpoints=[
        Endpoint("building_page", lambda b: reverse("ledger:building_detail", args=[b.pk]), shows=_building_shows),
        Endpoint("building_api", lambda b: f"/api/ledger/buildings/{b.pk}", shows=_building_shows),
        Endpoint("building_edit_page", lambda b: reverse("ledger:building_edit", args=[b.pk]), write=True),
        Endpoint("building_api_patch", lambda b: f"/api/ledger/buildings/{b.pk}", write=True, method="PATCH"),
        Endpoint("building_demolish_page", lambda b: reverse("ledger:building_demolish", args=[b.pk]), write=True),
        Endpoint("building_demolish_api", lambda b: f"/api/ledger/buildings/{b.pk}/demolish", write=True,
                 method="POST"),
        Endpoint("building_create_page", lambda b: reverse("ledger:building_create", args=[b.household_id]),
                 write=True),
        Endpoint("building_create_api", lambda b: f"/api/ledger/households/{b.household_id}/buildings",
                 write=True, method="POST"),
    ])
    # Import jobs' rows are registered by ledger.importing.jobs on import (its note says they move here);
    # importing it first makes this registration, with the endpoints, the one that holds. When the rows
    # move here, this import goes.
    from gaizao.ledger.importing.jobs import IMPORT_JOB_ROWS

    access.register("ledger.import_job", IMPORT_JOB_ROWS, locate=_import_job_place, endpoints=[
        Endpoint("import_job_page", lambda j: reverse("ledger:import_job", args=[j.pk]), shows=lambda j: j.filename),
        Endpoint("import_errors_xlsx", lambda j: reverse("ledger:import_errors", args=[j.pk])),
        Endpoint("import_confirm_page", lambda j: reverse("ledger:import_confirm", args=[j.pk]), write=True,
                 method="POST"),
    ])


# ---------------------------------------------------------------- querysets

def village_scope(user: User) -> QuerySet[Village]:
    return access.grant(user, "ledger.village").filter(Village.objects.select_related("street"), unit="street_id")


def village_write_scope(user: User) -> QuerySet[Village]:
    """Villages a user may change: district office and admin everywhere, street staff their streets."""
    return access.grant(user, "ledger.village", write=True).filter(
        Village.objects.select_related("street"), unit="street_id")


def project_scope(user: User) -> QuerySet[Project]:
    return Project.objects.select_related("village", "village__street").filter(village__in=village_scope(user))


def project_write_scope(user: User) -> QuerySet[Project]:
    """Projects a user may change or import households into."""
    return Project.objects.select_related("village", "village__street").filter(village__in=village_write_scope(user))


def household_grant(user: User, *, write: bool = False) -> access.Grant:
    """The user's reach over households, for reads that follow the households (filters, streets)."""
    return access.grant(user, "ledger.household", write=write)


def village_grant(user: User, *, write: bool = False) -> access.Grant:
    """The user's reach over villages (and their projects)."""
    return access.grant(user, "ledger.village", write=write)


def households_for(user: User, resource: str, *, write: bool = False) -> QuerySet[Household]:
    """Households reached by ``resource``'s rows: for the apps above whose resources hang on households."""
    return access.grant(user, resource, write=write).filter(
        Household.objects.all(), unit="street_id", assigned="cadre", own="resident")


def household_scope(user: User) -> QuerySet[Household]:
    """District roles: all; street staff: their streets; cadre: assigned households; resident: own."""
    return households_for(user, "ledger.household")


def household_write_scope(user: User) -> QuerySet[Household]:
    """Households a user may change (the cadre and the resident read but do not edit the ledger)."""
    return households_for(user, "ledger.household", write=True)


def person_scope(user: User) -> QuerySet[Person]:
    if household_grant(user).everywhere:
        return Person.objects.all()  # the same rows, without a semi-join over every household
    return Person.objects.filter(household__in=household_scope(user))


def building_scope(user: User) -> QuerySet[Building]:
    if household_grant(user).everywhere:
        return Building.objects.all()  # the same rows, without a semi-join over every household
    return Building.objects.filter(household__in=household_scope(user))


def person_write_scope(user: User) -> QuerySet[Person]:
    return Person.objects.filter(household__in=household_write_scope(user))


def building_write_scope(user: User) -> QuerySet[Building]:
    return Building.objects.filter(household__in=household_write_scope(user))


def heritage_scope(user: User) -> QuerySet[HeritageElement]:
    """Heritage elements (历史文化要素) of the villages a user reads."""
    return HeritageElement.objects.select_related("village").filter(village__in=village_scope(user))


def heritage_write_scope(user: User) -> QuerySet[HeritageElement]:
    return HeritageElement.objects.select_related("village").filter(village__in=village_write_scope(user))


def street_write_list(user: User) -> QuerySet[OrgUnit]:
    """Streets a user may register villages in."""
    return access.grant(user, "ledger.village", write=True).filter(
        OrgUnit.objects.filter(kind=OrgKind.STREET).order_by("path"), unit="id")


# ---------------------------------------------------------------- predicates (no query)

def household_can_write(user: User, household: Household) -> bool:
    """Write roles over a household: admin, commander, and the staff of its street."""
    return household_grant(user, write=True).covers(household_place(household))


def household_can_reveal(user: User, household: Household) -> bool:
    """Who may see the full ID and phone numbers: the write roles, and the resident of their own."""
    return access.grant(user, "ledger.household_identity").covers(household_place(household))


def village_can_read(user: User, village: Village) -> bool:
    """``village_scope`` for one village, without a query."""
    return access.grant(user, "ledger.village").covers(_village_place(village))


def village_can_write(user: User, village: Village) -> bool:
    """Write roles over a village (no query): admin, commander, and the staff of its street."""
    return access.grant(user, "ledger.village", write=True).covers(_village_place(village))


def heritage_can_override(user: User) -> bool:
    """May approve the demolition of a building with a heritage element (历史文化要素特批拆除).

    Derived from the rows of ``ledger.heritage``: those who change heritage across the whole district
    (``DISTRICT``: the office, 领导小组办公室, and the admin), never a role that reaches only its own
    units (a street). Not a resource of its own: the override is refused, not hidden (a street
    user on the same page is answered 403 with the reason), which the scope matrix's "write
    endpoint: 404 out of scope" cannot express. Services let the system actor through first.
    """
    return access.grant(user, "ledger.heritage", write=True).everywhere


def project_rules_can_change(user: User) -> bool:
    """May change a project's signing period or threshold once signing has started, and record what
    follows a lapsed signing period: those who write villages across the whole district (the office,
    领导小组办公室, and the admin), never a street. Refused with 403 and the reason, as the heritage
    override is."""
    return access.grant(user, "ledger.village", write=True).everywhere


def known_values_can_change(user: User) -> bool:
    """May extend the ledger's lists (可选值: structures, uses): those who write villages across the whole
    district (the office, 领导小组办公室, and the admin), never a street."""
    return access.grant(user, "ledger.village", write=True).everywhere


def ledger_writer(user: User) -> bool:
    """The user changes some ledger (the roles the import and "new" buttons are for)."""
    return bool(household_grant(user, write=True))


register_access()
