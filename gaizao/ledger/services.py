"""Writes of the ledgers. Every write validates, runs in one transaction and is audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from gaizao.core import services as core_services
from gaizao.core.errors import AppError
from gaizao.core.validators import normalize_citizen_id, normalize_mobile
from gaizao.ledger.models import Building, Household, Person, Project, Village
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 -> zs."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]


def _clean_id(value: str | None, field: str) -> str | None:
    if not value:
        return None
    try:
        return normalize_citizen_id(value)
    except ValidationError as exc:
        raise AppError(exc.messages[0], fields={field: exc.messages[0]}) from None


def _clean_phone(value: str | None, field: str) -> str | None:
    if not value:
        return None
    try:
        return normalize_mobile(value)
    except ValidationError as exc:
        raise AppError(exc.messages[0], fields={field: exc.messages[0]}) from None


@transaction.atomic
def village_create(*, actor, street: OrgUnit, code: str, name: str, mode: str, year: int, **fields) -> Village:
    """Register an urban village (城中村) in a street."""
    if street.kind != OrgKind.STREET:
        raise AppError(f"「{street}」不是街道。", fields={"street": "须为街道"})
    village = Village(street=street, code=code, name=name, mode=mode, year=year, **fields)
    return core_services.create(actor=actor, instance=village, action="village.create")


@transaction.atomic
def project_create(*, actor, village: Village, code: str, name: str, **fields) -> Project:
    """Open a renovation project (改造项目) in a village."""
    project = Project(village=village, code=code, name=name, **fields)
    return core_services.create(actor=actor, instance=project, action="project.create")


@transaction.atomic
def household_create(*, actor, project: Project, number: str, head_name: str,
                     head_id_number: str | None = None, phone: str | None = None, **fields) -> Household:
    """Register a household (住户) in a project; ID and phone are normalised, encrypted, hashed."""
    household = Household(
        project=project, street_id=project.village.street_id, village_id=project.village_id,
        number=number, head_name=head_name, head_initials=name_initials(head_name),
        head_id_number=_clean_id(head_id_number, "head_id_number"),
        phone=_clean_phone(phone, "phone"), **fields,
    )
    return core_services.create(actor=actor, instance=household, action="household.create")


@transaction.atomic
def person_add(*, actor, household: Household, name: str, relation: str,
               id_number: str | None = None, **fields) -> Person:
    person = Person(household=household, name=name, relation=relation,
                    id_number=_clean_id(id_number, "id_number"), **fields)
    return core_services.create(actor=actor, instance=person, action="person.create")


@transaction.atomic
def building_add(*, actor, household: Household, number: str, legal_area: Decimal = Decimal("0"),
                 unlicensed_area: Decimal = Decimal("0"), **fields) -> Building:
    building = Building(household=household, number=number, legal_area=Decimal(legal_area),
                        unlicensed_area=Decimal(unlicensed_area), **fields)
    return core_services.create(actor=actor, instance=building, action="building.create")


def household_reveal_personal_data(*, actor, household: Household, ip: str | None = None) -> dict:
    """Show a household's full citizen ID and phone numbers (查看完整个人信息), audited.

    Pages and lists mask them; whoever needs the full numbers asks for them, and the audit trail
    says who did and when. Allowed to the write roles over the household (its street's staff,
    the commander, the admin) and to the resident for their own household. A refusal is
    recorded as a failed attempt.
    """
    from gaizao.core import audit
    from gaizao.core.errors import NotFound, PermissionDenied
    from gaizao.core.models import AuditEntry
    from gaizao.ledger.selectors import household_can_reveal, household_scope

    if not household_scope(actor).filter(pk=household.pk).exists():
        raise NotFound("不存在或无权查看。")
    if not household_can_reveal(actor, household):
        audit.record(actor=actor, action="household.reveal_personal_data", obj=household, ip=ip,
                     result=AuditEntry.Result.FAILURE)
        raise PermissionDenied("只有负责该住户的街道工作人员、指挥部和系统管理员可以查看完整号码。")
    persons = list(household.persons.all())
    with transaction.atomic():
        audit.record(actor=actor, action="household.reveal_personal_data", obj=household, ip=ip, changes={
            "fields": ["head_id_number", "phone", "persons.id_number"],
            "persons": [person.pk for person in persons],
        })
    return {
        "head_id_number": household.head_id_number or "",
        "phone": household.phone or "",
        "persons": {person.pk: person.id_number or "" for person in persons},
    }
