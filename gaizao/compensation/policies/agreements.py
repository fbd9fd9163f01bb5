"""Who reads and records compensation agreements (补偿协议), derived from the access table.

An agreement sits at its household (``ledger.policies.household_place``): the office and the admin
read and write all, leaders read all, a street reads and writes its own households', the cadre reads
the households assigned to them, and the resident reads their own agreement and its DOCX.

A project's list of agreements (签约顺序, the register of who signed in which order) is a resource of its
own, placed at the project's street: it names every household of the project, so it is for the district
roles and the street, not for a cadre or a resident who reach only some households.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.compensation.models import Agreement
from gaizao.core import access
from gaizao.core.access import ASSIGNED, DISTRICT, OWN, UNIT, Endpoint, Place, Rule
from gaizao.ledger.models import Household, Project
from gaizao.ledger.policies import household_place, households_for, project_place
from gaizao.org.choices import Role

AGREEMENT_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.CADRE: Rule(read=ASSIGNED),
    Role.RESIDENT: Rule(read=OWN),
}
# The project's register of agreements: read as the project is (no writes of its own: each agreement is
# generated and signed on its household).
REGISTER_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}
RESOURCE = "compensation.agreement"
REGISTER = "compensation.agreement_register"


def agreement_place(agreement: Agreement) -> Place:
    return household_place(agreement.household)


def agreement_scope(user) -> QuerySet[Agreement]:
    """Agreements the user reads: those of the households the rows reach."""
    return access.grant(user, RESOURCE).filter(
        Agreement.objects.all(), unit="household__street_id", assigned="household__cadre", own="household__resident")


def agreement_write_scope(user) -> QuerySet[Agreement]:
    return access.grant(user, RESOURCE, write=True).filter(
        Agreement.objects.all(), unit="household__street_id", assigned="household__cadre", own="household__resident")


def agreement_to_sign_scope(user) -> QuerySet[Agreement]:
    """The agreements a user may sign, located by their project's street (the home card's query: it reads no
    household row). The same rows as ``agreement_write_scope``: no role signs by cadre or as a resident."""
    return access.grant(user, RESOURCE, write=True).filter(Agreement.objects.all(), unit="project__village__street_id")


def agreement_households(user, *, write: bool = False) -> QuerySet[Household]:
    """Households whose agreements the user reads (or generates and signs, ``write``)."""
    return households_for(user, RESOURCE, write=write)


def agreement_can_read(user, household: Household) -> bool:
    return access.grant(user, RESOURCE).covers(household_place(household))


def agreement_can_write(user, household: Household) -> bool:
    """May generate, edit a draft of and record the signature of the household's agreement (no query)."""
    return access.grant(user, RESOURCE, write=True).covers(household_place(household))


def register_projects(user) -> QuerySet[Project]:
    """Projects whose register of agreements the user reads."""
    return access.grant(user, REGISTER).filter(Project.objects.select_related("village"), unit="village__street_id")


def register_reader(user) -> bool:
    """Reads some project's register (the 补偿协议 menu item and index page)."""
    return bool(access.grant(user, REGISTER))


def register_can_read(user, project: Project) -> bool:
    return access.grant(user, REGISTER).covers(project_place(project))


def _number(agreement: Agreement) -> str:
    return agreement.number


def register_access() -> None:
    c_ = "compensation:"
    api = "/api/compensation"
    access.register(RESOURCE, AGREEMENT_ROWS, locate=agreement_place, endpoints=[
        Endpoint("compensation_agreement_page", lambda a: reverse(c_ + "agreement", args=[a.pk]), shows=_number),
        Endpoint("compensation_agreement_docx", lambda a: reverse(c_ + "agreement_docx", args=[a.pk])),
        Endpoint("compensation_agreement_api", lambda a: f"{api}/agreements/{a.pk}", shows=_number),
        Endpoint("compensation_agreement_docx_api", lambda a: f"{api}/agreements/{a.pk}/docx"),
        Endpoint("compensation_household_agreements_api", lambda a: f"{api}/households/{a.household_id}/agreements",
                 shows=_number),
        Endpoint("compensation_agreement_edit_page", lambda a: reverse(c_ + "agreement", args=[a.pk]), write=True,
                 method="POST"),
        Endpoint("compensation_agreement_update_api", lambda a: f"{api}/agreements/{a.pk}", write=True,
                 method="PATCH"),
        Endpoint("compensation_agreement_sign_api", lambda a: f"{api}/agreements/{a.pk}/sign", write=True,
                 method="POST"),
        # Generating is a create: built from the household's id.
        Endpoint("compensation_agreement_generate_page",
                 lambda a: reverse(c_ + "agreement_generate", args=[a.household_id]), write=True, method="POST"),
        Endpoint("compensation_agreement_generate_api", lambda a: f"{api}/households/{a.household_id}/agreements",
                 write=True, method="POST"),
    ])
    access.register(REGISTER, REGISTER_ROWS, locate=project_place, endpoints=[
        Endpoint("compensation_agreement_register_page", lambda p: reverse(c_ + "project_agreements", args=[p.pk]),
                 shows=lambda p: p.name),
        Endpoint("compensation_agreement_register_api", lambda p: f"{api}/projects/{p.pk}/agreements",
                 shows=lambda p: f'"project_id": {p.pk}'),
    ])

register_access()
