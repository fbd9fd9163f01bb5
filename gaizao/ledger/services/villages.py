"""Writes of villages (城中村) and their renovation projects (改造项目)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import is_system
from gaizao.core.checking import Checker
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import NOT_FOUND, create, load_for_update, only, require_in_scope, save_changes
from gaizao.core.text import check_text
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.hooks import project_signing_opens
from gaizao.ledger.models import Project, Village
from gaizao.ledger.policies import project_rules_can_change
from gaizao.ledger.services.boundary import clean_boundary
from gaizao.ledger.services.ways import village_mode_change
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

VILLAGE_FIELDS = {"code", "name", "community", "mode", "batch", "year", "land_area", "population", "notes",
                  "boundary"}
PROJECT_FIELDS = {"code", "name", "phase", "scope", "decision_date", "signing_start", "signing_end",
                  "signing_threshold", "consultation_threshold", "land_type"}


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
    if "mode" in values and values["mode"] != current.mode:
        # the buildings' dispositions and the households' ways follow the mode (refused by name when
        # a household would leave a way on which it recorded a step)
        village_mode_change(actor=actor, village=current, mode=values["mode"], ip=ip)
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
    check.choice(values, "land_type")
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


# The signing rules (签约规则): once the period has started they bind the households that signed.
SIGNING_RULES = ("signing_start", "signing_end", "signing_threshold")
REASON_MIN, REASON_MAX = 10, 500


def signing_rules_refusal(*, actor, project: Project, reason: str, today: dt.date) -> AppError | None:
    """Why ``actor`` may not change the signing period or threshold of ``project`` now, or None.

    - before the period starts (or with none set): anyone who may edit the project;
    - once it has started: the office's role (领导小组办公室) and a reason of 10–500 characters,
      audited with the change;
    - once it has ended: nobody. The period's result is judged and frozen (progress.signing); what
      follows a lapsed period is the office's record of the next step (a new period, or the end).
    """
    if project.signing_end and today > project.signing_end:
        message = _("项目「%(p)s」的签约期已于 %(e)s 届满，期满结果已判定，不能再修改签约期或协议生效比例。"
                    "期满未达到生效比例的，由领导小组办公室登记下一步（重新设定签约期或终止项目）。") % {
            "p": project.name, "e": project.signing_end}
        return AppError(message, fields={"signing_end": message})
    if not (project.signing_start and today >= project.signing_start):
        return None
    if not is_system(actor) and not project_rules_can_change(actor):
        message = _("项目「%(p)s」已于 %(s)s 开始签约，签约期和协议生效比例只能由领导小组办公室账号修改，"
                    "并写明理由。") % {"p": project.name, "s": project.signing_start}
        return AppError(message, fields={"signing_reason": message}, status=403)
    text = (reason or "").strip()
    if len(text) < REASON_MIN or len(text) > REASON_MAX:
        message = _("项目「%(p)s」已开始签约，修改签约期或协议生效比例须写明理由（%(lo)d 到 %(hi)d 个字，现为 %(n)d 个字）。") % {
            "p": project.name, "lo": REASON_MIN, "hi": REASON_MAX, "n": len(text)}
        return AppError(message, fields={"signing_reason": message})
    problem = check_text(text, multiline=True, field_label=_("修改理由"))
    if problem:
        return AppError(problem, fields={"signing_reason": problem})
    return None


@writes
def project_update(*, actor, project: Project, version: int, signing_reason: str = "", ip: str | None = None,
                   **changes) -> Project:
    """Change a project: name, phase, scope, decision date, signing period and threshold.

    The signing period and threshold follow ``signing_rules_refusal`` (the office's, with a reason,
    once signing has started; nobody's once it has ended)."""
    only(changes, PROJECT_FIELDS, "project_update")
    require_in_scope(actor, selectors.project_write_scope, project)
    current = load_for_update(project, version)
    values = dict(changes)
    _check_project(values, project=current)
    touched = [name for name in SIGNING_RULES if name in values and values[name] != getattr(current, name)]
    extra = None
    if touched:
        refusal = signing_rules_refusal(actor=actor, project=current, reason=signing_reason,
                                        today=timezone.localdate())
        if refusal is not None:
            raise refusal
        if current.signing_start and timezone.localdate() >= current.signing_start:
            extra = {"signing_reason": signing_reason.strip()}
    start = values.get("signing_start")
    if start and start != current.signing_start:
        project_signing_opens.fire(project=current, signing_start=start)
    return save_changes(actor=actor, current=current, version=version, values=values,
                        action="project.update", ip=ip, extra=extra)


@writes
def project_renew_signing_period(*, actor, project: Project, start: dt.date, end: dt.date, reason: str,
                                 ip: str | None = None) -> Project:
    """Set a new signing period (重新设定签约期) after one that ended without reaching the threshold.

    The one way to change the period of a project whose period has ended: it is the next step the
    office records for a lapsed project (``progress.services.signing.signing_outcome_record``, which
    checks the role and the reason and calls this inside its transaction). The new period starts after the old one
    ended and not before today.
    """
    current = Project.objects.get(pk=project.pk)
    if not current.signing_end or start <= current.signing_end:
        raise AppError(_("新签约期须在原签约期（至 %(e)s）届满之后开始。") % {"e": current.signing_end},
                       fields={"signing_start": _("须在原签约期之后")})
    if end < start:
        raise AppError(_("签约期结束日期（%(e)s）不能早于开始日期（%(s)s）。") % {"e": end, "s": start},
                       fields={"signing_end": _("早于开始日期")})
    project_signing_opens.fire(project=current, signing_start=start)
    return save_changes(actor=actor, current=current, version=current.version,
                        values={"signing_start": start, "signing_end": end}, action="project.signing_renew",
                        ip=ip, extra={"signing_reason": reason, "previous": [str(current.signing_start),
                                                                             str(current.signing_end)]})
