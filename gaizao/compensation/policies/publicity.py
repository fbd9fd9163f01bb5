"""Who reads and writes the publicity (公示) of a project's survey results and compensation list, and the
residents' objections (异议) to it.

Both sit where their project sits: the street of its village. The office and the admin publish and
answer everywhere, leaders read everything, a street publishes for its own projects and records and
answers the objections raised there. The public pages (公示栏, no login) are a resource of their own,
``compensation.publicity_public``: every signed-in user reads them as anyone does, since they show only
what was published, masked (张*三; never an ID number or a phone). The scope matrix checks that row too.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.compensation.models import Objection, Publicity
from gaizao.core import access
from gaizao.core.access import ANY, DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.ledger.models import Project
from gaizao.ledger.policies import project_place
from gaizao.org.choices import Role

PUBLICITY_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
}
# The public 公示栏: what is published is for everyone to read (no login needed; signed in, the same).
PUBLIC_ROWS = {ANY: Rule(read=DISTRICT)}

PUBLICITY = "compensation.publicity"
OBJECTION = "compensation.objection"
PUBLIC = "compensation.publicity_public"


def publicity_place(publicity: Publicity) -> Place:
    return project_place(publicity.project)


def objection_place(objection: Objection) -> Place:
    return publicity_place(objection.publicity)


def publicity_scope(user) -> QuerySet[Publicity]:
    return access.grant(user, PUBLICITY).filter(Publicity.objects.all(), unit="project__village__street_id")


def publicity_write_scope(user) -> QuerySet[Publicity]:
    return access.grant(user, PUBLICITY, write=True).filter(Publicity.objects.all(),
                                                            unit="project__village__street_id")


def publicity_project_scope(user) -> QuerySet[Project]:
    """The projects whose publicity the user reads."""
    return access.grant(user, PUBLICITY).filter(Project.objects.all(), unit="village__street_id")


def publicity_project_write_scope(user) -> QuerySet[Project]:
    """The projects the user may publish for."""
    return access.grant(user, PUBLICITY, write=True).filter(Project.objects.all(), unit="village__street_id")


def publicity_can_publish(user, project: Project) -> bool:
    return access.grant(user, PUBLICITY, write=True).covers(project_place(project))


def publicity_may_publish_somewhere(user) -> bool:
    return bool(access.grant(user, PUBLICITY, write=True))


def objection_scope(user) -> QuerySet[Objection]:
    return access.grant(user, OBJECTION).filter(Objection.objects.all(),
                                                unit="publicity__project__village__street_id")


def objection_write_scope(user) -> QuerySet[Objection]:
    return access.grant(user, OBJECTION, write=True).filter(Objection.objects.all(),
                                                            unit="publicity__project__village__street_id")


def objection_can_write(user, publicity: Publicity) -> bool:
    """May record and answer the objections to ``publicity``."""
    return access.grant(user, OBJECTION, write=True).covers(publicity_place(publicity))


def register_access() -> None:
    """The rows, and the pages and API routes the scope matrix checks (tests/compensation/samples_publicity.py)."""
    access.register(PUBLICITY, PUBLICITY_ROWS, locate=publicity_place, endpoints=[
        Endpoint("publicity_list_page", lambda p: reverse("compensation:publicity_project", args=[p.project_id]),
                 shows=lambda p: p.title),
        Endpoint("publicity_list_api", lambda p: f"/api/compensation/projects/{p.project_id}/publicity",
                 shows=lambda p: p.title),
        Endpoint("publicity_page", lambda p: reverse("compensation:publicity_detail", args=[p.pk]),
                 shows=lambda p: p.title),
        Endpoint("publicity_api", lambda p: f"/api/compensation/publicity/{p.pk}", shows=lambda p: p.title),
        Endpoint("publicity_docx", lambda p: reverse("compensation:publicity_docx", args=[p.pk])),
        Endpoint("publicity_xlsx", lambda p: reverse("compensation:publicity_xlsx", args=[p.pk])),
        Endpoint("publicity_create_page", lambda p: reverse("compensation:publicity_create", args=[p.project_id]),
                 write=True),
        Endpoint("publicity_create_page_post",
                 lambda p: reverse("compensation:publicity_create", args=[p.project_id]), write=True, method="POST"),
        Endpoint("publicity_create_api", lambda p: f"/api/compensation/projects/{p.project_id}/publicity",
                 write=True, method="POST"),
    ])
    access.register(OBJECTION, PUBLICITY_ROWS, locate=objection_place, endpoints=[
        Endpoint("objection_list_api", lambda o: f"/api/compensation/publicity/{o.publicity_id}/objections",
                 shows=lambda o: o.content),
        Endpoint("objection_create_page", lambda o: reverse("compensation:objection_create", args=[o.publicity_id]),
                 write=True, method="POST"),
        Endpoint("objection_create_api", lambda o: f"/api/compensation/publicity/{o.publicity_id}/objections",
                 write=True, method="POST"),
        Endpoint("objection_answer_page", lambda o: reverse("compensation:objection_answer", args=[o.pk]),
                 write=True, method="POST"),
        Endpoint("objection_answer_api", lambda o: f"/api/compensation/objections/{o.pk}/answer", write=True,
                 method="POST"),
        Endpoint("objection_publish_page", lambda o: reverse("compensation:objection_publish", args=[o.pk]),
                 write=True, method="POST"),
        Endpoint("objection_publish_api", lambda o: f"/api/compensation/objections/{o.pk}/publish", write=True,
                 method="POST"),
    ])
    access.register(PUBLIC, PUBLIC_ROWS, locate=publicity_place, endpoints=[
        Endpoint("publicity_public_board", lambda p: reverse("compensation:publicity_public", args=[p.project.code]),
                 shows=lambda p: p.title),
        Endpoint("publicity_public_page", lambda p: reverse("compensation:publicity_public_round",
                                                            args=[p.project.code, p.pk]), shows=lambda p: p.title),
    ])


register_access()
