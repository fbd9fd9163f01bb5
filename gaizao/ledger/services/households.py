"""Writes of households (住户) and their members (家庭成员), and the audited reveal of full numbers."""

from __future__ import annotations

from django.db import transaction

from gaizao.core import audit
from gaizao.core.checking import Checker
from gaizao.core.crypto import lookup_hash
from gaizao.core.errors import NotFound, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.core.services import NOT_FOUND, create, load_for_update, only, require_in_scope, save_changes
from gaizao.core.writes import writes
from gaizao.ledger import identity, selectors
from gaizao.ledger.hooks import (HOUSEHOLD_INPUTS, PERSON_INPUTS, changed_inputs, household_inputs_change_fire,
                                 households_changed_fire)
from gaizao.ledger.models import Household, Person, Project
from gaizao.ledger.surnames import name_initials
from gaizao.ledger.ways import way_for

HOUSEHOLD_FIELDS = {"number", "head_name", "head_id_number", "phone", "address", "land_type", "use",
                    "member_count", "cadre"}
PERSON_FIELDS = {"name", "id_number", "relation", "hukou"}


def _check_household(actor, values: dict, *, project: Project, household: Household | None) -> None:
    """Field checks, the household number unique in its project, one ID one person (``ledger.identity``)."""
    check = Checker(Household)
    check.text(values, "number", required=True)
    check.text(values, "head_name", required=True)
    check.text(values, "address")
    check.citizen_id(values, "head_id_number", current=household.head_id_number if household else None)
    check.phone(values, "phone", current=household.phone if household else None)
    check.choice(values, "land_type")
    check.choice(values, "use")
    check.integer(values, "member_count", low=0, high=99)
    if values.get("number") and "number" not in check.fields:
        taken = Household.objects.filter(project=project, number=values["number"])
        if household is not None:
            taken = taken.exclude(pk=household.pk)
        if taken.exists():
            check.error("number", f"本项目已有户号「{values['number']}」的住户，户号在项目内不能重复。")
    head_id = values.get("head_id_number")
    if head_id and "head_id_number" not in check.fields and (
            household is None or head_id != household.head_id_number):
        _check_identity(actor, check, "head_id_number", head_id, household=household, role=identity.HEAD)
    cadre = values.get("cadre")
    if cadre is not None and not selectors.cadre_options(project.village.street).filter(pk=cadre.pk).exists():
        check.error("cadre", f"「{cadre}」不是本街道的包户干部。")
    check.done()
    if "head_name" in values:
        values["head_initials"] = name_initials(values["head_name"])


@writes
def household_create(*, actor, project: Project, number: str, head_name: str,
                     head_id_number: str | None = None, phone: str | None = None, ip: str | None = None,
                     **fields) -> Household:
    """Register a household (住户) in a project; ID and phone are normalised, encrypted, hashed."""
    require_in_scope(actor, selectors.project_write_scope, project)
    values = {"number": number, "head_name": head_name, "head_id_number": head_id_number, "phone": phone,
              **fields}
    _check_household(actor, values, project=project, household=None)
    # Its way (进度路径) before any building: a 拆整结合 household is on the upgrade way until a building
    # of it is marked 拆除 (ledger.ways; building_add moves it).
    household = Household(project=project, street_id=project.village.street_id, village_id=project.village_id,
                          way=way_for(project.village.mode, []), **values)
    create(actor=actor, instance=household, action="household.create", ip=ip)
    households_changed_fire(created=[household.pk])
    return household


@writes
def household_update(*, actor, household: Household, version: int, ip: str | None = None,
                     **changes) -> Household:
    """Change a household's ledger entry (not its stage: stages move by recorded events).

    A citizen ID or phone number given in its masked form (110105********002X, as the edit
    form shows it) keeps the stored number; an empty one clears it.
    """
    only(changes, HOUSEHOLD_FIELDS, "household_update")
    require_in_scope(actor, selectors.household_write_scope, household)
    current = load_for_update(household, version)
    project = Project.objects.select_related("village__street").get(pk=current.project_id)
    values = dict(changes)
    _check_household(actor, values, project=project, household=current)
    if inputs := changed_inputs(current, values, HOUSEHOLD_INPUTS):
        household_inputs_change_fire(household_ids=[current.pk], project_ids=[current.project_id], what=inputs)
    return save_changes(actor=actor, current=current, version=version, values=values,
                        action="household.update", ip=ip)


def _check_person(actor, values: dict, *, household: Household, person: Person | None) -> None:
    check = Checker(Person)
    check.text(values, "name", required=True)
    check.citizen_id(values, "id_number", current=person.id_number if person else None)
    check.choice(values, "relation")
    check.choice(values, "hukou")
    person_id = values.get("id_number")
    if person_id and "id_number" not in check.fields and (person is None or person_id != person.id_number):
        _check_identity(actor, check, "id_number", person_id, household=household, role=identity.MEMBER,
                        person=person)
    check.done()


def _check_identity(actor, check: Checker, field: str, number: str, *, household: Household | None, role: str,
                    person: Person | None = None) -> None:
    """One ID, one person (``ledger.identity``), for a number the write sets; a number left as it was
    is not checked again (a stored breach is for ``identity.violations`` to report, not for an
    unrelated edit to trip over)."""
    claim = identity.Claim(digest=lookup_hash(number), household=household.pk if household else None, role=role,
                           person=person.pk if person else None)
    for refusal in identity.check([claim], actor=actor).refusals:
        check.error(field, refusal.message)


@writes
def person_add(*, actor, household: Household, name: str, relation: str,
               id_number: str | None = None, ip: str | None = None, **fields) -> Person:
    """Add a member (家庭成员) to a household."""
    require_in_scope(actor, selectors.household_write_scope, household)
    values = {"name": name, "relation": relation, "id_number": id_number, **fields}
    _check_person(actor, values, household=household, person=None)
    household_inputs_change_fire(household_ids=[household.pk], project_ids=[household.project_id],
                                 what=f"家庭成员（新增 {values['name']}）")
    return create(actor=actor, instance=Person(household=household, **values), action="person.create", ip=ip)


@writes
def person_update(*, actor, person: Person, version: int, ip: str | None = None, **changes) -> Person:
    """Change a member's name, ID number, relation to the head or hukou status."""
    only(changes, PERSON_FIELDS, "person_update")
    require_in_scope(actor, selectors.person_write_scope, person)
    current = load_for_update(person, version)
    values = dict(changes)
    _check_person(actor, values, household=current.household, person=current)
    if inputs := changed_inputs(current, values, PERSON_INPUTS):
        household_inputs_change_fire(household_ids=[current.household_id], what=f"家庭成员 {current.name} 的{inputs}",
                                     project_ids=[current.household.project_id])
    return save_changes(actor=actor, current=current, version=version, values=values,
                        action="person.update", ip=ip)


def household_reveal_personal_data(*, actor, household: Household, ip: str | None = None) -> dict:
    """Show a household's full citizen ID and phone numbers (查看完整个人信息), audited.

    Pages and lists mask them; whoever needs the full numbers asks for them, and the audit trail
    says who did and when. Allowed to the write roles over the household (its street's staff,
    the commander, the admin) and to the resident for their own household. A refusal is
    recorded as a failed attempt.
    """
    if not selectors.household_scope(actor).filter(pk=household.pk).exists():
        raise NotFound(NOT_FOUND)
    if not selectors.household_can_reveal(actor, household):
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

