"""The weekly bulletin (工作通报) and the leader's page (领导驾驶舱): who reads and who generates.

- ``oversight.bulletin``: the office (commander) and the admin generate (write) and read; leaders read.
  A 通报 is circulated to every street and department (it is how they learn their rank and their red
  items), so street and department accounts read every bulletin too — district-wide, read only. Cadres,
  residents, the auditor and the security officer read none.
- ``oversight.leader``: the leader's page, district-wide figures: leaders, the office and the admin.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import DISTRICT, Endpoint, Place, Rule
from gaizao.oversight.models import Bulletin
from gaizao.org.choices import Role

BULLETIN_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=DISTRICT),
    Role.DEPARTMENT: Rule(read=DISTRICT),
}
LEADER_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
}


def bulletin_place(_bulletin) -> Place:
    return Place()  # district-wide: no unit of its own


def bulletin_scope(user) -> QuerySet[Bulletin]:
    return access.grant(user, "oversight.bulletin").filter(Bulletin.objects.all())


def bulletin_reader(user) -> bool:
    return bool(access.grant(user, "oversight.bulletin"))


def bulletin_writer(user) -> bool:
    """May generate a bulletin (the office, the admin)."""
    return access.grant(user, "oversight.bulletin", write=True).everywhere


def leader_page_reader(user) -> bool:
    return access.grant(user, "oversight.leader").everywhere


def register_access() -> None:
    access.register("oversight.bulletin", BULLETIN_ROWS, locate=bulletin_place, endpoints=[
        Endpoint("bulletin_docx_page", lambda b: reverse("oversight:bulletin_docx", args=[b.pk])),
        Endpoint("bulletin_xlsx_page", lambda b: reverse("oversight:bulletin_xlsx", args=[b.pk])),
        Endpoint("bulletin_api", lambda b: f"/api/oversight/bulletins/{b.pk}", shows=lambda b: b.title),
        Endpoint("bulletin_docx_api", lambda b: f"/api/oversight/bulletins/{b.pk}/docx"),
        Endpoint("bulletin_xlsx_api", lambda b: f"/api/oversight/bulletins/{b.pk}/xlsx"),
    ])
    # The leader's page takes no id: its one endpoint lets the matrix check who reaches it (404 for the rest).
    access.register("oversight.leader", LEADER_ROWS, locate=bulletin_place, endpoints=[
        Endpoint("leader_page", lambda _obj: reverse("oversight:leader")),
    ])


register_access()
