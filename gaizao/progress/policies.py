"""Who may read and change progress resources, derived from the access table (``core.access``).

Stage events follow their households (the ledger's rows); hard cases (攻坚户) and their visits are
read by the district roles, street staff and the household's cadre, changed by the household's
write roles, visited also by its cadre; consultations (意愿征询) follow their project; the
dashboard, its data and the progress table (进度表) are for the district roles and street staff.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.access import ASSIGNED, DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.ledger.policies import HOUSEHOLD_ROWS, VILLAGE_ROWS, household_place, households_for
from gaizao.ledger.models import Household
from gaizao.org.choices import Role
from gaizao.progress.models import EventAttachment, HardCase, LegalCase, LegalStep, StageEvent, VisitPhoto

# A project's signing judgements: read as villages are; what follows a lapse is recorded only by the
# office (领导小组办公室) and the admin (``signing_can_decide``), never a street.
SIGNING_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}


def signing_can_decide(user) -> bool:
    """May judge a project's ended period at once and record what follows a lapse: the write rows of
    ``progress.signing`` (the office and the admin, across the district)."""
    return access.grant(user, "progress.signing", write=True).everywhere


HARDCASE_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.CADRE: Rule(read=ASSIGNED),
}
# A visit (走访) is recorded by the case's write roles and by the household's cadre.
VISIT_ROWS = {**HARDCASE_ROWS, Role.CADRE: Rule(read=ASSIGNED, write=ASSIGNED)}
# The legal path of a holdout (补偿决定的法定程序): read as hard cases are (a cadre reads the path of
# the households assigned to them), recorded by the household's write roles (admin, office, street).
LEGALCASE_ROWS = dict(HARDCASE_ROWS)
DASHBOARD_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT),
}


def _street_place(street) -> Place:
    return Place(unit_id=street.pk)


def _latest_event(household) -> StageEvent:
    """A household's latest event: the routes about one event are checked on it (a query, for the matrix)."""
    return StageEvent.objects.filter(household=household).latest("pk")


def _latest_attachment(household) -> EventAttachment:
    return EventAttachment.objects.filter(event__household=household).latest("pk")


def _latest_photo(case) -> VisitPhoto:
    return VisitPhoto.objects.filter(visit__hard_case=case).latest("pk")


def _latest_step(case) -> LegalStep:
    return LegalStep.objects.filter(case=case).latest("pk")


def register_access() -> None:
    """Progress's rows of the access table, with the pages and API routes the scope matrix checks."""
    access.register("progress.event", HOUSEHOLD_ROWS, locate=household_place, endpoints=[
        Endpoint("events_api", lambda h: f"/api/progress/households/{h.pk}/events", shows=lambda h: h.number),
        Endpoint("event_record_page", lambda h: reverse("progress:household_record", args=[h.pk]), write=True,
                 method="POST"),
        Endpoint("event_record_api", lambda h: f"/api/progress/households/{h.pk}/events", write=True,
                 method="POST"),
        Endpoint("event_bulk_api", lambda h: "/api/progress/bulk", write=True, method="POST"),
        Endpoint("event_correct_page", lambda h: reverse("progress:event_correct", args=[_latest_event(h).pk]),
                 write=True, method="POST"),
        Endpoint("event_correct_api", lambda h: f"/api/progress/events/{_latest_event(h).pk}/correct", write=True,
                 method="POST"),
        Endpoint("event_attachment", lambda h: reverse("progress:attachment", args=[_latest_attachment(h).pk])),
    ])
    access.register("progress.hardcase", HARDCASE_ROWS, locate=lambda c: household_place(c.household), endpoints=[
        Endpoint("hardcase_page", lambda c: reverse("progress:hardcase_detail", args=[c.pk]),
                 shows=lambda c: c.household.number),
        Endpoint("hardcase_api", lambda c: f"/api/progress/hardcases/{c.pk}", shows=lambda c: c.household.number),
        # A visit's photo (走访照片) is read with its case.
        Endpoint("visit_photo", lambda c: reverse("progress:visit_photo", args=[_latest_photo(c).pk])),
        Endpoint("hardcase_edit_page", lambda c: reverse("progress:hardcase_edit", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("hardcase_api_patch", lambda c: f"/api/progress/hardcases/{c.pk}", write=True, method="PATCH"),
        Endpoint("hardcase_close_api", lambda c: f"/api/progress/hardcases/{c.pk}/close", write=True,
                 method="POST"),
        Endpoint("hardcase_close_page", lambda c: reverse("progress:hardcase_close", args=[c.pk]), write=True,
                 method="POST"),
        # Opening a case on a household that has one open: refused (or sent to it), in scope.
        Endpoint("hardcase_open_page", lambda c: reverse("progress:hardcase_open", args=[c.household_id]),
                 write=True, method="POST"),
        Endpoint("hardcase_open_api", lambda c: f"/api/progress/households/{c.household_id}/hardcase",
                 write=True, method="POST"),
    ])
    access.register("progress.visit", VISIT_ROWS, locate=lambda c: household_place(c.household), endpoints=[
        Endpoint("visit_api", lambda c: f"/api/progress/hardcases/{c.pk}/visits", write=True, method="POST"),
        Endpoint("visit_page", lambda c: reverse("progress:hardcase_visit", args=[c.pk]), write=True,
                 method="POST"),
    ])
    access.register("progress.consultation", VILLAGE_ROWS, locate=lambda p: Place(unit_id=p.village.street_id),
                    endpoints=[
        Endpoint("consultation_page", lambda p: reverse("progress:consultation_list", args=[p.pk]),
                 shows=lambda p: p.name),
        Endpoint("consultation_api", lambda p: f"/api/progress/projects/{p.pk}/consultations"),
        Endpoint("consultation_record_api", lambda p: f"/api/progress/projects/{p.pk}/consultations",
                 write=True, method="POST"),
        Endpoint("consultation_record_page", lambda p: reverse("progress:consultation_list", args=[p.pk]),
                 write=True, method="POST"),
    ])
    # A project's signing judgements (签约期满判定): read as the project is; the outcome is the office's.
    access.register("progress.signing", SIGNING_ROWS, locate=lambda p: Place(unit_id=p.village.street_id),
                    endpoints=[
        Endpoint("signing_page", lambda p: reverse("progress:project_signing", args=[p.pk]), shows=lambda p: p.name),
        Endpoint("signing_api", lambda p: f"/api/progress/projects/{p.pk}/signing",
                 shows=lambda p: f'"project_id": {p.pk}'),
        Endpoint("signing_outcome_api", lambda p: f"/api/progress/projects/{p.pk}/signing/outcome", write=True,
                 method="POST"),
        Endpoint("signing_outcome_page", lambda p: reverse("progress:project_signing", args=[p.pk]), write=True,
                 method="POST"),
        Endpoint("signing_judge_page", lambda p: reverse("progress:project_signing_judge", args=[p.pk]), write=True,
                 method="POST"),
        Endpoint("signing_judge_api", lambda p: f"/api/progress/projects/{p.pk}/signing/judge", write=True,
                 method="POST"),
    ])
    # One consultation round (意愿征询) and its households' answers: located by its project's street.
    access.register("progress.consultation_round", VILLAGE_ROWS,
                    locate=lambda c: Place(unit_id=c.project.village.street_id), endpoints=[
        Endpoint("consultation_round_page", lambda c: reverse("progress:consultation_detail",
                                                              args=[c.project_id, c.pk]), shows=lambda c: c.project.name),
        Endpoint("consultation_round_api", lambda c: f"/api/progress/consultations/{c.pk}",
                 shows=lambda c: f'"project_id": {c.project_id}'),
        Endpoint("consultation_answer_api", lambda c: f"/api/progress/consultations/{c.pk}/answers",
                 write=True, method="POST"),
        Endpoint("consultation_answer_page", lambda c: reverse("progress:consultation_detail",
                                                               args=[c.project_id, c.pk]), write=True, method="POST"),
    ])
    access.register("progress.legalcase", LEGALCASE_ROWS, locate=lambda c: household_place(c.household), endpoints=[
        Endpoint("legalcase_api", lambda c: f"/api/progress/households/{c.household_id}/legal",
                 shows=lambda c: c.household.number),
        Endpoint("legalcase_step_api", lambda c: f"/api/progress/legalcases/{c.pk}/steps", write=True,
                 method="POST"),
        Endpoint("legalcase_step_page", lambda c: reverse("progress:legal_step", args=[c.pk]), write=True,
                 method="POST"),
        Endpoint("legalcase_document", lambda c: reverse("progress:legal_document", args=[_latest_step(c).pk])),
    ])
    access.register("progress.dashboard", DASHBOARD_ROWS, locate=_street_place, endpoints=[
        Endpoint("dashboard_page", lambda s: f"{reverse('progress:dashboard')}?street={s.code}", shows=lambda s: s.name),
        Endpoint("dashboard_data", lambda s: f"{reverse('progress:dashboard_data')}?street={s.code}",
                 shows=lambda s: s.name),
        Endpoint("summary_api", lambda s: f"/api/progress/summary?street={s.code}", shows=lambda s: s.name),
        Endpoint("curves_api", lambda s: f"/api/progress/curves?street={s.code}", shows=lambda s: s.name),
    ])
    access.register("progress.table_export", DASHBOARD_ROWS, locate=_street_place, endpoints=[
        Endpoint("table_page", lambda s: f"{reverse('progress:table')}?street={s.code}", shows=lambda s: s.name),
        Endpoint("table_xlsx", lambda s: f"{reverse('progress:table_xlsx')}?street={s.code}"),
    ])


# ---------------------------------------------------------------- querysets and predicates

def hardcase_scope(user) -> QuerySet[HardCase]:
    """The hard cases a user reads: district roles all, street staff their streets', a cadre theirs."""
    return access.grant(user, "progress.hardcase").filter(
        HardCase.objects.all(), unit="street_id", assigned="household__cadre")


def event_household_scope(user) -> QuerySet[Household]:
    """Households whose stage events a user reads."""
    return households_for(user, "progress.event")


def event_write_household_scope(user) -> QuerySet[Household]:
    """Households a user may record stage events on."""
    return households_for(user, "progress.event", write=True)


def event_writer(user) -> bool:
    """The user records stage events somewhere (the bulk-record page is for them)."""
    return bool(access.grant(user, "progress.event", write=True))


def hardcase_can_write(user, hard_case: HardCase) -> bool:
    """Who may open, edit and close a case: the write roles over its household."""
    return access.grant(user, "progress.hardcase", write=True).covers(household_place(hard_case.household))


def hardcase_unit_writer(user) -> bool:
    """Works hard cases in its own units, not the whole district (a street: its home's to-do list)."""
    cases = access.grant(user, "progress.hardcase", write=True)
    return bool(cases) and not cases.everywhere and bool(cases.unit_ids)


def hardcase_can_visit(user, hard_case: HardCase) -> bool:
    """Who may record a visit: the household's cadre, and the write roles over the household."""
    return access.grant(user, "progress.visit", write=True).covers(household_place(hard_case.household))


def legalcase_scope(user) -> QuerySet[LegalCase]:
    """The legal paths (补偿决定的法定程序) a user reads: district roles all, street staff their streets',
    a cadre those of the households assigned to them."""
    return access.grant(user, "progress.legalcase").filter(
        LegalCase.objects.all(), unit="street_id", assigned="household__cadre")


def legalcase_can_write(user, case: LegalCase) -> bool:
    """Who may record a step: the write roles over the case's household."""
    return access.grant(user, "progress.legalcase", write=True).covers(household_place(case.household))


def hardcase_assignable(user) -> bool:
    """May be named a case's cadre (包户干部): a role the hard cases reach by assignment (the cadre)."""
    return access.grant(user, "progress.hardcase").assigned


def dashboard_grant(user, resource: str = "progress.dashboard") -> access.Grant:
    """The dashboard's reach: ``everywhere`` for the district roles, ``unit_ids`` a street user's streets."""
    return access.grant(user, resource)


register_access()
