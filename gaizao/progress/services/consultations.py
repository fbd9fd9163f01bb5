"""Consultations of the owners' wishes (意愿征询) before a project starts, recorded per household.

A consultation is a period (征询期, ``held_on`` … ``ends_on``) in which each household in the
project's scope answers 同意 / 不同意 / 未表态 on a day (``consultation_answer``). The rate is read
from those answers against the households in scope, and the threshold is the project's
``consultation_threshold`` (``progress.consent``). A project whose latest consultation failed
cannot open its signing period (the gate ``consent.signing_gate``, called by the ledger's
``project_signing_opens`` hook).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core import services as core_services
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.writes import writes
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household, Project
from gaizao.ledger.selectors import project_write_scope
from gaizao.progress.choices import ConsultationAnswerChoice as Answer
from gaizao.progress.models import Consultation, ConsultationAnswer
from gaizao.progress.services.events import parse_day

NOT_FOUND = "项目不存在或无权操作。"
CONSULTATION_NOT_FOUND = "意愿征询不存在或无权操作。"


def _project(actor, project: Project | int) -> Project:
    pk = project if isinstance(project, int) else project.pk
    scope = Project.objects.all() if is_system(actor) else project_write_scope(actor)
    found = scope.filter(pk=pk).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _day(value, *, field: str, title: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        errors[field] = _("请填写%(t)s。") % {"t": title}
        return None
    try:
        return parse_day(value, field=field)
    except AppError as exc:
        errors[field] = exc.message
        return None


@writes
def consultation_open(*, actor, project: Project | int, held_on, ends_on, note: str = "",
                      ip: str | None = None) -> Consultation:
    """Open a consultation (开展意愿征询) of a project: its period, from ``held_on`` to ``ends_on``.

    Periods of one project do not overlap: a new round starts after the last one ended."""
    found = _project(actor, project)
    errors: dict[str, str] = {}
    start = _day(held_on, field="held_on", title=_("征询开始日期"), errors=errors)
    end = _day(ends_on, field="ends_on", title=_("征询截止日期"), errors=errors)
    today = timezone.localdate()
    if start is not None and start > today:
        errors["held_on"] = _("征询开始日期 %(d)s 晚于今天（%(t)s）。") % {"d": start, "t": today}
    if start is not None and end is not None and end < start:
        errors["ends_on"] = _("征询截止日期 %(e)s 早于开始日期 %(d)s。") % {"e": end, "d": start}
    if start is not None and "held_on" not in errors:
        overlap = Consultation.objects.filter(project=found, ends_on__gte=start).order_by("-ends_on").first()
        if overlap is not None:
            errors["held_on"] = _("项目「%(p)s」已有 %(a)s 至 %(b)s 的意愿征询，新一轮须在 %(b)s 之后开始。") % {
                "p": found.name, "a": overlap.held_on, "b": overlap.ends_on}
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)
    consultation = Consultation(project=found, held_on=start, ends_on=end, note=(note or "").strip())
    return core_services.create(actor=actor, instance=consultation, action="consultation.open", ip=ip)


def _household(consultation: Consultation, household) -> Household:
    """The household answering: a row, an id, or (from a page) its number (户号) in the project."""
    project = consultation.project
    if isinstance(household, Household):
        household = household.pk
    if isinstance(household, str):
        number = household.strip()
        if not number:
            raise AppError(_("请填写户号。"), fields={"household": _("必填")})
        found = Household.objects.filter(project_id=project.pk, number=number).first()
        if found is None:
            raise AppError(_("项目「%(p)s」没有户号为「%(h)s」的住户。") % {"p": project.name, "h": number},
                           fields={"household": _("不在本项目")})
    else:
        found = Household.objects.filter(pk=household).first()
        if found is None or found.project_id != project.pk:
            raise AppError(_("住户（id %(h)s）不属于项目「%(p)s」，不在本次意愿征询范围内。") % {
                "h": household, "p": project.name}, fields={"household": _("不在本项目")})
    if found.stage == Stage.WITHDRAWN:
        raise AppError(_("住户 %(h)s 已撤出改造范围，不在意愿征询范围内。") % {"h": found.number},
                       fields={"household": _("已撤出")})
    return found


@writes
def consultation_answer(*, actor, consultation: Consultation | int, household, answer: str, answered_on,
                        ip: str | None = None) -> ConsultationAnswer:
    """Record one household's answer (住户意见: 同意 / 不同意 / 未表态) in a consultation, on a day
    within its period. A second answer of the same household replaces the first (audited)."""
    pk = consultation if isinstance(consultation, int) else consultation.pk
    found = Consultation.objects.select_related("project").filter(pk=pk).first()
    if found is None or (not is_system(actor) and not project_write_scope(actor).filter(pk=found.project_id).exists()):
        raise NotFound(CONSULTATION_NOT_FOUND)
    member = _household(found, household)
    errors: dict[str, str] = {}
    value = (answer or "").strip() if isinstance(answer, str) else ""
    if value not in Answer.values:
        errors["answer"] = _("住户 %(h)s 的意见「%(a)s」不是可选的值（同意、不同意、未表态）。") % {
            "h": member.number, "a": answer or ""}
    day = _day(answered_on, field="answered_on", title=_("表态日期"), errors=errors)
    today = timezone.localdate()
    if day is not None and day > today:
        errors["answered_on"] = _("住户 %(h)s 的表态日期 %(d)s 晚于今天（%(t)s）。") % {
            "h": member.number, "d": day, "t": today}
    elif day is not None and not found.held_on <= day <= found.ends_on:
        errors["answered_on"] = _("住户 %(h)s 的表态日期 %(d)s 不在征询期（%(a)s 至 %(b)s）内。") % {
            "h": member.number, "d": day, "a": found.held_on, "b": found.ends_on}
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)
    existing = ConsultationAnswer.objects.filter(consultation=found, household=member).first()
    if existing is None:
        row = ConsultationAnswer(consultation=found, household=member, answer=value, answered_on=day)
        core_services.full_clean(row)
        row.save(force_insert=True)
        changes = {"household": member.pk, "answer": value, "answered_on": day}
    else:
        changes = {"household": member.pk}
        if existing.answer != value:
            changes["answer"] = [existing.answer, value]
        if existing.answered_on != day:
            changes["answered_on"] = [existing.answered_on, day]
        if len(changes) == 1:
            return existing
        ConsultationAnswer.objects.filter(pk=existing.pk).update(answer=value, answered_on=day,
                                                                 updated_at=timezone.now())
        existing.answer, existing.answered_on = value, day
        row = existing
    audit.record(actor=actor, action="consultation.answer", obj=found, ip=ip, changes=changes)
    return row
