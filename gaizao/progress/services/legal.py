"""Writes of the holdout's legal path (补偿决定的法定程序): the steps recorded by hand, and the
steps that follow the household's stage events.

- ``legal_step_record``: record the next step of an open case (送达, 公告, 复议, 诉讼, 催告, 申请强制执行,
  裁定, 执行完毕), with its date, way or result, document number (文号) and scanned document. The
  rules are ``progress.legal.refusal``; a refusal writes nothing.
- ``legal_follow_events``: called by the stage-event writes inside their transaction. A 补偿决定
  opens the case (its first step 作出决定); a signature (和解签约) or moving out (腾空交房) ends an
  open one; a 补偿决定 voided by a correction ends it as 撤销记录. Rows are never deleted.

Who may record: the write roles of the case's household (``legalcase_can_write``): admin, office,
the household's street. Everyone else gets 404, as for hard cases.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Sequence

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import bump_versions, check_text_values, conditional_update, stale
from gaizao.core.text import strip_refused
from gaizao.core.writes import writes
from gaizao.ledger.models import Project
from gaizao.progress import legal
from gaizao.progress.legal import Outcome, StepKind
from gaizao.progress.models import LegalCase, LegalStep
from gaizao.progress.policies import legalcase_can_write
from gaizao.progress.services.attachments import check_attachment
from gaizao.progress.services.events import parse_day

NOT_FOUND = "补偿决定程序不存在或无权操作。"
DOCUMENT_NUMBER_MAX = 100

# The stage events that move a legal path (EventKind values; progress.choices is not read here).
DECISION, SIGNED, VACATED = "decision", "signed", "vacated"
# What an event ends an open case with: the step recorded and the outcome.
ENDS = {SIGNED: (StepKind.SETTLED, Outcome.SETTLED), VACATED: (StepKind.MOVED_OUT, Outcome.MOVED_OUT)}


def today() -> dt.date:
    return timezone.localdate()


def _lock(qs):
    if connection.features.has_select_for_update:
        return qs.select_for_update(of=("self",))
    return qs


def _load_case(actor, case: LegalCase | int) -> LegalCase:
    pk = case if isinstance(case, int) else case.pk
    found = _lock(LegalCase.objects.select_related("household")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not legalcase_can_write(actor, found)):
        raise NotFound(_(NOT_FOUND))
    return found


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def case_path(case: LegalCase) -> legal.Path:
    """The case as the rules read it (one query: its steps)."""
    return legal.Path.of(case, case.steps.order_by("id"))


@writes
def legal_step_record(*, actor, case: LegalCase | int, kind: str, on_date, way: str = "", result: str = "",
                      document_number: str = "", note: str = "", document=None, version: int | None = None,
                      ip: str | None = None) -> LegalStep:
    """Record the next step of a holdout's legal path (登记法定程序步骤) on its date.

    ``version`` (optional) is the case's version the user read; a stale one is refused (409).
    A step that ends the path (撤销决定, 不准予执行, 执行完毕) ends the case on its date.
    """
    case = _load_case(actor, case)
    if version is not None and int(version) != case.version:
        raise stale(case, version=version)
    who = case.household.number
    if kind in (None, ""):
        raise AppError(_("住户 %(h)s：请选择要登记的程序步骤。") % {"h": who}, fields={"kind": _("必选")})
    if on_date in (None, ""):
        raise AppError(_("住户 %(h)s：请填写「%(k)s」的日期。") % {
            "h": who, "k": legal.step_label(kind, case.land_type) if kind in StepKind.values else kind},
            fields={"on_date": _("必填")})
    on = parse_day(on_date)
    way, result = _text(way), _text(result)
    path = case_path(case)
    refusal = legal.refusal(path, kind, on=on, today=today(), way=way, result=result)
    if refusal:
        raise AppError(str(refusal), fields={refusal.field: str(refusal)})
    number, text = _text(document_number), _text(note)
    if len(number) > DOCUMENT_NUMBER_MAX:
        raise AppError(_("住户 %(h)s：文号最多 %(n)d 个字。") % {"h": who, "n": DOCUMENT_NUMBER_MAX},
                       fields={"document_number": _("过长")})
    check_text_values(LegalStep, {"document_number": number, "note": text})
    step = LegalStep(case=case, kind=kind, on_date=on, way=way, result=result, document_number=number, note=text,
                     actor=as_user(actor))
    if document:
        step.content_type = _document_type(document)
        step.file = document
        step.file_name = strip_refused(PurePath(document.name).name, multiline=False)[:200]
        step.file_size = document.size
    step.save(force_insert=True)
    outcome = legal.ending(kind, result)
    values = {"step": kind, "step_on": on}
    if outcome:
        values.update(ended_on=on, outcome=outcome)
    case.version = conditional_update(LegalCase, pk=case.pk, version=case.version, values=values, what=case)
    for name, value in values.items():
        setattr(case, name, value)
    audit.record(actor=actor, action="legal.step", obj=case, ip=ip, object_repr=str(case.household), changes={
        "household": case.household_id, "step": step.pk, "kind": kind, "on_date": on,
        **({"way": way} if way else {}), **({"result": result} if result else {}),
        **({"document_number": number} if number else {}), **({"document": step.file_name} if document else {}),
        **({"outcome": outcome} if outcome else {}),
    })
    return step


def _document_type(upload) -> str:
    try:
        return check_attachment(upload)
    except AppError as exc:  # the attachments service names the field ``attachments``
        raise AppError(exc.message, fields={"document": next(iter(exc.fields.values()), exc.message)}) from None


def legal_follow_events(*, actor, households: Sequence, kind: str, on: dt.date, ip: str | None,
                        voided: bool = False) -> None:
    """What a stage event does to the households' legal paths, inside the event write's transaction.

    - ``decision`` (not voided): open a case (first step 作出决定 on ``on``) for each household
      without an open one;
    - ``signed``: end an open case as 和解签约 on ``on``; ``vacated``: as 自行搬迁腾空;
    - ``decision`` voided by a correction: end an open case as 决定记录已撤销.

    Other kinds return at once, without a query: this runs in the campaign's most frequent write.
    A signature or moving out only concerns households with a decision (``decision_on``), so those
    without cost no query either.
    """
    if kind == DECISION:
        concerned = list(households)
    elif kind in ENDS and not voided:
        concerned = [h for h in households if getattr(h, "decision_on", True)]
    else:
        return
    if concerned:
        _follow(actor=actor, households=concerned, kind=kind, on=on, ip=ip, voided=voided)


@writes
def _follow(*, actor, households: Sequence, kind: str, on: dt.date, ip: str | None, voided: bool) -> None:
    by_id = {h.pk: h for h in households}
    open_cases = list(_lock(LegalCase.objects.filter(household_id__in=list(by_id), ended_on=None))
                      .values_list("id", "household_id", "step", "step_on"))
    user = as_user(actor)
    if kind == DECISION and not voided:
        have = {household_id for _c, household_id, _s, _d in open_cases}
        new = [h for pk, h in by_id.items() if pk not in have]
        if not new:
            return
        lands = dict(Project.objects.filter(pk__in={h.project_id for h in new}).values_list("pk", "land_type"))
        cases = LegalCase.objects.bulk_create([
            LegalCase(household_id=h.pk, project_id=h.project_id, street_id=h.street_id, village_id=h.village_id,
                      land_type=lands[h.project_id], step=StepKind.DECIDED, step_on=on, opened_on=on)
            for h in new])
        LegalStep.objects.bulk_create([LegalStep(case_id=c.pk, kind=StepKind.DECIDED, on_date=on, actor=user)
                                       for c in cases])
        audit.record_many(actor=actor, ip=ip, items=[
            audit.Change(action="legal.open", object_type="progress.legalcase", object_id=c.pk,
                         object_repr=str(by_id[c.household_id]),
                         changes={"household": c.household_id, "opened_on": on, "land_type": c.land_type})
            for c in cases])
        return
    if not open_cases:
        return
    if voided:  # the record was wrong: the case ends on the day of the correction
        step, outcome, on = StepKind.VOIDED, Outcome.VOIDED, max(today(), max(d for *_r, d in open_cases))
    else:
        step, outcome = ENDS[kind]
        early = [(household_id, s, d) for _c, household_id, s, d in open_cases if on < d]
        if early:
            household_id, last, last_on = early[0]
            raise AppError(_("住户 %(h)s 的补偿决定程序已于 %(d)s 登记「%(s)s」，「%(k)s」的日期 %(on)s 不能早于它。") % {
                "h": by_id[household_id].number, "d": last_on, "s": legal.step_label(last),
                "k": legal.step_label(step), "on": on}, fields={"on_date": _("早于法定程序的上一步")})
    ids = [c for c, _h, _s, _d in open_cases]
    LegalStep.objects.bulk_create([LegalStep(case_id=c, kind=step, on_date=on, actor=user) for c in ids])
    bump_versions(LegalCase.objects.filter(pk__in=ids), step=step, step_on=on, ended_on=on, outcome=outcome)
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="legal.end", object_type="progress.legalcase", object_id=c,
                     object_repr=str(by_id[household_id]),
                     changes={"household": household_id, "ended_on": on, "outcome": outcome, "by_event": kind})
        for c, household_id, _s, _d in open_cases])
