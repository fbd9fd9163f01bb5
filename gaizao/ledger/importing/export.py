"""Exporting a project's ledger (台账导出) in the template layout, ready to edit and import again.

Personal numbers are masked (110105********002X, 138****5678) unless the export is full; a full
export needs the right to see them (the write roles over the project; the system operator on the
command line) and is audited. Importing an unchanged export changes nothing: masked numbers mean
"keep the stored value".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gaizao.core.actors import is_system
from gaizao.core import audit
from gaizao.core.errors import NotFound, PermissionDenied
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger.choices import Disposition, HouseholdUse, Hukou, LandType, Legality, Relation, Structure
from gaizao.ledger.importing import headers as h
from gaizao.ledger.importing.template import write_ledger
from gaizao.ledger.models import Building, Household, Person, Project
from gaizao.org.models import User

BATCH = 2000


@dataclass
class ExportResult:
    households: int = 0
    buildings: int = 0
    persons: int = 0


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _number(value):
    """Areas as numbers in the sheet (Excel sums them); whole values without ``.00``."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _cadre_text(street):
    """包户干部 as the import reads it back: the cadre's name, or the username when another cadre of the
    street bears the same name (or the cadre left the street's list); one query for the street's cadres."""
    from gaizao.ledger.selectors import cadre_options

    cadres = list(cadre_options(street).values_list("id", "username", "full_name"))
    shared = Counter(full_name for _pk, _u, full_name in cadres if full_name)
    text = {pk: full_name if full_name and shared[full_name] == 1 else username for pk, username, full_name in cadres}
    others: dict[int, str] = {}

    def cadre_text(pk: int | None) -> str | None:
        if pk is None:
            return None
        if pk not in text and pk not in others:
            others[pk] = User.objects.filter(pk=pk).values_list("username", flat=True).first() or ""
        return text.get(pk) or others[pk]

    return cadre_text


def export_project_for(*, actor, code: str, full: bool) -> Project:
    """The project to export, in the actor's scope (the system actor: everything)."""
    from gaizao.ledger.selectors import project_scope, project_write_scope

    if is_system(actor):
        project = Project.objects.select_related("village", "village__street").filter(code=code).first()
    else:
        project = project_scope(actor).filter(code=code).first()
    if project is None:
        raise NotFound(_("项目 %(code)s 不存在或你无权查看。") % {"code": code})
    if full and not is_system(actor) and not project_write_scope(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("只有负责该项目的街道工作人员、指挥部和系统管理员可以导出完整号码；"
                                 "不加 --full 可导出脱敏文件。"))
    return project


def export_project(*, actor, project: Project, out: str | Path | BinaryIO, full: bool = False,
                   ip: str | None = None) -> ExportResult:
    """Write the project's households, buildings and members in the template layout."""
    result = ExportResult()
    ids = list(Household.objects.filter(project=project).order_by("number").values_list("id", flat=True))
    _write(out, ids, result=result, full=full, cadre_text=_cadre_text(project.village.street), order=("number",))
    audit.record(actor=actor, action="ledger.export_full" if full else "ledger.export", obj=project, ip=ip,
                 changes={"full": full, "households": result.households, "buildings": result.buildings,
                          "persons": result.persons})
    return result


# The list's export names each row's village and project: its households may come from many projects.
PLACE_COLUMNS = (
    h.Column("village_name", _lazy("城中村"), h.HOUSEHOLD, h.TEXT, "", width=14),
    h.Column("project_code", _lazy("项目编码"), h.HOUSEHOLD, h.CODE, "", width=12),
)


def export_households(*, actor, ids, out: str | Path | BinaryIO, filters: dict, ip: str | None = None,
                      ) -> ExportResult:
    """The household list's export (按筛选条件导出): every household of ``ids`` (the list's filters, in the
    actor's scope: ``selectors.household_export_ids``), numbers masked, in the template layout with the
    village and project of each row after it (an import reads the file and says it does not read those
    two columns); audited with the filters and the counts. Read 2,000 households at a time (three
    queries each) into a workbook written as it goes (openpyxl's write-only mode)."""
    result = ExportResult()
    ids = list(ids)
    _write(out, ids, result=result, full=False, cadre_text=_cadre_names(), order=("project_id", "number"),
           places=True)
    audit.record(actor=actor, action="ledger.export_list", object_type="ledger.household",
                 object_repr=_("按筛选条件导出 %(n)d 户") % {"n": result.households}, ip=ip,
                 changes={"filters": {k: v for k, v in filters.items() if v not in (None, "")},
                          "households": result.households, "buildings": result.buildings,
                          "persons": result.persons})
    return result


def _cadre_names():
    """包户干部 by name (the username if none), read for the cadres of each batch not yet seen."""
    names: dict[int, str] = {}

    def cadre_text(pk: int | None) -> str | None:
        if pk is None:
            return None
        if pk not in names:
            names[pk] = next((full or username for username, full in
                              User.objects.filter(pk=pk).values_list("username", "full_name")), "")
        return names[pk]

    def prefetch(pks) -> None:
        wanted = {pk for pk in pks if pk is not None and pk not in names}
        if wanted:
            names.update((pk, full or username) for pk, username, full in
                         User.objects.filter(pk__in=wanted).values_list("id", "username", "full_name"))

    cadre_text.prefetch = prefetch
    return cadre_text


def _write(out, ids: list[int], *, result: ExportResult, full: bool, cadre_text, order: tuple[str, ...],
           places: bool = False) -> None:
    id_text = (lambda v: v or "") if full else mask_citizen_id
    phone_text = (lambda v: v or "") if full else mask_phone
    person_rows: list[list] = []
    columns = ["id", "number", "head_name", "head_id_number", "phone", "address", "land_type", "use",
               "member_count", "cadre_id"]
    if places:
        columns += ["village__name", "project__code"]

    def household_rows():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            households = list(Household.objects.filter(id__in=chunk).order_by(*order).values_list(*columns))
            if hasattr(cadre_text, "prefetch"):
                cadre_text.prefetch(row[9] for row in households)
            buildings: dict[int, list] = {}
            for row in Building.objects.filter(household_id__in=chunk).order_by("household_id", "number").values_list(
                    "household_id", "number", "structure", "floors", "build_year", "certificate_no", "legal_area",
                    "unlicensed_area", "legality", "disposition"):
                buildings.setdefault(row[0], []).append(row)
            numbers = {}
            for pk, number, name, head_id, phone, address, land_type, use, members, cadre, *place in households:
                numbers[pk] = (number, place)
                result.households += 1
                base = [number, name, id_text(head_id), phone_text(phone), address, _label(LandType, land_type),
                        _label(HouseholdUse, use), members]
                tail = [cadre_text(cadre), *place]  # 包户干部, the last column (then the list's place columns)
                own = buildings.get(pk) or [None]
                for building in own:
                    if building is None:
                        yield base + [None] * 9 + tail
                        continue
                    result.buildings += 1
                    _hid, bno, structure, floors, year, cert, legal, unlicensed, legality, disposition = building
                    yield base + [bno, _label(Structure, structure), floors, year, cert, _number(legal),
                                  _number(unlicensed), _label(Legality, legality), _label(Disposition, disposition)
                                  ] + tail
            for household_id, name, person_id, relation, hukou in Person.objects.filter(
                    household_id__in=chunk).order_by("household_id", "id").values_list(
                    "household_id", "name", "id_number", "relation", "hukou"):
                result.persons += 1
                number, place = numbers[household_id]
                person_rows.append([number, name, id_text(person_id) if person_id else "",
                                    _label(Relation, relation), _label(Hukou, hukou), *place[1:]])

    # The members sheet is written after the household sheet has consumed ``household_rows``,
    # which collects the member rows of each batch on the way.
    write_ledger(out, household_rows=household_rows(), person_rows=person_rows,
                 extra_household=PLACE_COLUMNS if places else (), extra_person=PLACE_COLUMNS[1:] if places else ())

