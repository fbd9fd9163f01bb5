"""Writes of villages (城中村) and their renovation projects (改造项目)."""

from __future__ import annotations

from decimal import Decimal

from gaizao.core.actors import is_system
from gaizao.core.checking import Checker
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import NOT_FOUND, create, load_for_update, only, require_in_scope, save_changes
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.hooks import project_signing_opens
from gaizao.ledger.models import Project, Village
from gaizao.ledger.services.boundary import clean_boundary
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

VILLAGE_FIELDS = {"code", "name", "community", "mode", "batch", "year", "land_area", "population", "notes",
                  "boundary"}
PROJECT_FIELDS = {"code", "name", "phase", "scope", "decision_date", "signing_start", "signing_end",
                  "signing_threshold", "consultation_threshold"}


def _check_village(values: dict, *, street: OrgUnit, village: Village | None) -> None:
    check = Checker(Village)
    check.text(values, "code", required=True)
    check.text(values, "name", required=True)
    check.text(values, "notes")
    check.choice(values, "mode")
    check.integer(values, "batch", low=1, high=99)
    check.integer(values, "year", low=2000, high=2100)
    check.integer(values, "population", low=0)
    check.decimal(values, "land_area")
    if "boundary" in values:
        try:
            values["boundary"] = clean_boundary(values["boundary"])
        except AppError as exc:
            check.error("boundary", exc.fields["boundary"])
    if values.get("code") and "code" not in check.fields:
        taken = Village.objects.filter(code=values["code"])
        if village is not None:
            taken = taken.exclude(pk=village.pk)
        if taken.exists():
            check.error("code", f"村编码「{values['code']}」已被使用，请换一个。")
    community = values.get("community")
    if community is not None and not selectors.community_options(street).filter(pk=community.pk).exists():
        check.error("community", f"「{community}」不是{street}下的社区。")
    check.done()


@writes
def village_create(*, actor, street: OrgUnit, code: str, name: str, mode: str, year: int, ip: str | None = None,
                   **fields) -> Village:
    """Register an urban village (城中村) in a street."""
    if street.kind != OrgKind.STREET:
        raise AppError(f"「{street}」不是街道。", fields={"street": "须为街道"})
    if not is_system(actor) and not selectors.street_write_list(actor).filter(pk=street.pk).exists():
        raise NotFound(NOT_FOUND)
    values = {"code": code, "name": name, "mode": mode, "year": year, **fields}
    _check_village(values, street=street, village=None)
    return create(actor=actor, instance=Village(street=street, **values), action="village.create", ip=ip)


@writes
def village_update(*, actor, village: Village, version: int, ip: str | None = None, **changes) -> Village:
    """Change a village's record. Its street stays: households carry it for scope."""
    only(changes, VILLAGE_FIELDS, "village_update")
    require_in_scope(actor, selectors.village_write_scope, village)
    current = load_for_update(village, version)
    values = dict(changes)
    _check_village(values, street=current.street, village=current)
    return save_changes(actor=actor, current=current, version=version, values=values,
                        action="village.update", ip=ip)


def _check_project(values: dict, *, project: Project | None) -> None:
    check = Checker(Project)
    check.text(values, "code", required=True)
    check.text(values, "name", required=True)
    check.text(values, "scope")
    check.integer(values, "phase", low=1, high=99)
    check.date(values, "decision_date")
    check.date(values, "signing_start")
    check.date(values, "signing_end")
    check.decimal(values, "signing_threshold", low=Decimal("0"), high=Decimal("100"), default=None)
    if "signing_threshold" in check.fields:
        check.fields["signing_threshold"] = "协议生效签约比例须为 0 到 100 之间的数（最多两位小数）。"
    check.decimal(values, "consultation_threshold", low=Decimal("0"), high=Decimal("100"), default=None)
    if "consultation_threshold" in check.fields:
        check.fields["consultation_threshold"] = "意愿征询通过比例须为 0 到 100 之间的数（最多两位小数）。"
    start = values["signing_start"] if "signing_start" in values else getattr(project, "signing_start", None)
    end = values["signing_end"] if "signing_end" in values else getattr(project, "signing_end", None)
    if start and end and start > end and not {"signing_start", "signing_end"} & set(check.fields):
        check.error("signing_end", f"签约期结束日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）。")
    if values.get("code") and "code" not in check.fields:
        taken = Project.objects.filter(code=values["code"])
        if project is not None:
            taken = taken.exclude(pk=project.pk)
        if taken.exists():
            check.error("code", f"项目编码「{values['code']}」已被使用，请换一个。")
    check.done()


@writes
def project_create(*, actor, village: Village, code: str, name: str, ip: str | None = None, **fields) -> Project:
    """Open a renovation project (改造项目) in a village."""
    require_in_scope(actor, selectors.village_write_scope, village)
    values = {"code": code, "name": name, **fields}
    _check_project(values, project=None)
    return create(actor=actor, instance=Project(village=village, **values), action="project.create", ip=ip)


@writes
def project_update(*, actor, project: Project, version: int, ip: str | None = None, **changes) -> Project:
    """Change a project: name, phase, scope, decision date, signing period and threshold."""
    only(changes, PROJECT_FIELDS, "project_update")
    require_in_scope(actor, selectors.project_write_scope, project)
    current = load_for_update(project, version)
    values = dict(changes)
    _check_project(values, project=current)
    start = values.get("signing_start")
    if start and start != current.signing_start:
        project_signing_opens.fire(project=current, signing_start=start)
    return save_changes(actor=actor, current=current, version=version, values=values,
                        action="project.update", ip=ip)
