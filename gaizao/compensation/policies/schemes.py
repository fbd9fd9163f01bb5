"""Compensation schemes (征收补偿方案) and calculations (补偿测算): who reads and writes them.

A scheme sits at its project (the project's village's street): the office (领导小组办公室) and the admin
write every project's scheme; leaders read all; a street reads its own projects' schemes. A calculation
sits at its household: the office and the admin calculate everywhere, a street its own households, a
cadre reads the households assigned to them and a resident their own. A project's list of calculations
(and calculating a whole project) sits at the project, for the roles that reach its households by unit.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.compensation.models import Scheme
from gaizao.core import access
from gaizao.core.access import ASSIGNED, DISTRICT, OWN, UNIT, Endpoint, Place, Rule
from gaizao.ledger.models import Household, Project
from gaizao.ledger.policies import household_place, households_for, project_place
from gaizao.org.choices import Role

SCHEME = "compensation.scheme"
CALCULATION = "compensation.calculation"
PROJECT_CALCULATION = "compensation.project_calculation"

SCHEME_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}
CALCULATION_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.CADRE: Rule(read=ASSIGNED),
    Role.RESIDENT: Rule(read=OWN),
}
# The project's list and calculating a whole project: the rows above that reach a project as a whole.
PROJECT_CALCULATION_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}
STREET_OF_PROJECT = "village__street_id"


def scheme_place(scheme: Scheme) -> Place:
    return project_place(scheme.project)


# ---------------------------------------------------------------- querysets

def scheme_project_scope(user) -> QuerySet[Project]:
    """Projects whose schemes the user reads."""
    return access.grant(user, SCHEME).filter(Project.objects.select_related("village"), unit=STREET_OF_PROJECT)


def scheme_scope(user) -> QuerySet[Scheme]:
    return access.grant(user, SCHEME).filter(Scheme.objects.select_related("project", "project__village"),
                                             unit="project__village__street_id")


def calculation_household_scope(user, *, write: bool = False) -> QuerySet[Household]:
    """Households whose calculation the user reads (or calculates)."""
    return households_for(user, CALCULATION, write=write)


def calculation_project_scope(user, *, write: bool = False) -> QuerySet[Project]:
    """Projects whose list of calculations the user reads (or whose households the user calculates at once)."""
    return access.grant(user, PROJECT_CALCULATION, write=write).filter(
        Project.objects.select_related("village"), unit=STREET_OF_PROJECT)


# ---------------------------------------------------------------- predicates (no query)

def scheme_can_write(user) -> bool:
    """May write, copy and publish schemes (the office, 领导小组办公室, and the admin: everywhere)."""
    return access.grant(user, SCHEME, write=True).everywhere


def scheme_can_read(user, project: Project) -> bool:
    return access.grant(user, SCHEME).covers(project_place(project))


def calculation_can_read(user, household: Household) -> bool:
    return access.grant(user, CALCULATION).covers(household_place(household))


def calculation_can_write(user, household: Household) -> bool:
    return access.grant(user, CALCULATION, write=True).covers(household_place(household))


def project_calculation_can_read(user, project: Project) -> bool:
    return access.grant(user, PROJECT_CALCULATION).covers(project_place(project))


def project_calculation_can_write(user, project: Project) -> bool:
    return access.grant(user, PROJECT_CALCULATION, write=True).covers(project_place(project))


# ---------------------------------------------------------------- the rows and the scope matrix's endpoints

c_ = "compensation:"


def _project_of(scheme: Scheme) -> int:
    return scheme.project_id


def register_access() -> None:
    access.register(SCHEME, SCHEME_ROWS, locate=scheme_place, endpoints=[
        Endpoint("comp_scheme_list_page", lambda s: reverse(c_ + "scheme_list", args=[_project_of(s)]),
                 shows=lambda s: s.project.name),
        Endpoint("comp_scheme_page", lambda s: reverse(c_ + "scheme_detail", args=[s.pk]), shows=lambda s: s.name),
        Endpoint("comp_scheme_diff_page", lambda s: reverse(c_ + "scheme_diff", args=[s.pk]), shows=lambda s: s.name),
        Endpoint("comp_scheme_check_page", lambda s: reverse(c_ + "scheme_check", args=[_project_of(s)]),
                 method="POST"),
        Endpoint("comp_scheme_create_page", lambda s: reverse(c_ + "scheme_create", args=[_project_of(s)]),
                 write=True),
        Endpoint("comp_scheme_create_page_post", lambda s: reverse(c_ + "scheme_create", args=[_project_of(s)]),
                 write=True, method="POST"),
        Endpoint("comp_scheme_save_page", lambda s: reverse(c_ + "scheme_detail", args=[s.pk]), write=True,
                 method="POST"),
        Endpoint("comp_scheme_copy_page", lambda s: reverse(c_ + "scheme_copy", args=[s.pk]), write=True,
                 method="POST"),
        Endpoint("comp_scheme_publish_page", lambda s: reverse(c_ + "scheme_publish", args=[s.pk]), write=True,
                 method="POST"),
        Endpoint("comp_scheme_list_api", lambda s: f"/api/compensation/projects/{_project_of(s)}/schemes",
                 shows=lambda s: s.name),
        Endpoint("comp_scheme_api", lambda s: f"/api/compensation/schemes/{s.pk}", shows=lambda s: s.name),
        Endpoint("comp_scheme_check_api", lambda s: f"/api/compensation/projects/{_project_of(s)}/schemes/check",
                 method="POST"),
        Endpoint("comp_scheme_create_api", lambda s: f"/api/compensation/projects/{_project_of(s)}/schemes", write=True,
                 method="POST"),
        Endpoint("comp_scheme_update_api", lambda s: f"/api/compensation/schemes/{s.pk}", write=True, method="PATCH"),
        Endpoint("comp_scheme_copy_api", lambda s: f"/api/compensation/schemes/{s.pk}/copy", write=True,
                 method="POST"),
        Endpoint("comp_scheme_publish_api", lambda s: f"/api/compensation/schemes/{s.pk}/publish", write=True,
                 method="POST"),
    ])
    access.register(CALCULATION, CALCULATION_ROWS, locate=household_place, endpoints=[
        Endpoint("comp_calculation_page", lambda h: reverse(c_ + "household_calculation", args=[h.pk]),
                 shows=lambda h: h.number),
        Endpoint("comp_calculation_api", lambda h: f"/api/compensation/households/{h.pk}/calculation",
                 shows=lambda h: h.number),
        Endpoint("comp_calculation_calculate_page", lambda h: reverse(c_ + "household_calculate", args=[h.pk]),
                 write=True, method="POST"),
        Endpoint("comp_calculation_calculate_api", lambda h: f"/api/compensation/households/{h.pk}/calculate",
                 write=True, method="POST"),
    ])
    access.register(PROJECT_CALCULATION, PROJECT_CALCULATION_ROWS, locate=project_place, endpoints=[
        Endpoint("comp_project_calculations_page", lambda p: reverse(c_ + "project_calculations", args=[p.pk]),
                 shows=lambda p: p.name),
        Endpoint("comp_project_calculations_api", lambda p: f"/api/compensation/projects/{p.pk}/calculations",
                 shows=lambda p: p.code),
        Endpoint("comp_project_calculate_page", lambda p: reverse(c_ + "project_calculate", args=[p.pk]), write=True,
                 method="POST"),
        Endpoint("comp_project_calculate_api", lambda p: f"/api/compensation/projects/{p.pk}/calculate", write=True,
                 method="POST"),
    ])


register_access()
