"""The office's writes on a project's signing result (签约期满判定与处置).

- ``signing_outcome_record``: after a period that lapsed (协议未生效), the office records what
  happens next: a new signing period (重新设定签约期, which sets the project's new period through the
  ledger) or the project's end (项目终止). The office's role and a reason of 10–500 characters.
- ``signing_judge_now``: judge a project whose period ended and is not judged yet, at once (the
  hourly sweep does the same for every project).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.text import check_text
from gaizao.core.writes import writes
from gaizao.ledger.models import Project
from gaizao.ledger.selectors import project_scope
from gaizao.ledger.services.villages import REASON_MAX, REASON_MIN, project_renew_signing_period
from gaizao.progress import signing
from gaizao.progress.models import SigningOutcome, SigningResult
from gaizao.progress.policies import signing_can_decide
from gaizao.progress.services.events import parse_day


def _project(actor, project: Project | int) -> Project:
    pk = project if isinstance(project, int) else project.pk
    found = Project.objects.filter(pk=pk).first() if is_system(actor) else project_scope(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("项目不存在或无权查看。"))
    return found


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) < REASON_MIN or len(text) > REASON_MAX:
        raise AppError(_("须写明理由及依据（%(lo)d 到 %(hi)d 个字，现为 %(n)d 个字），如会议纪要或批复文号。")
                       % {"lo": REASON_MIN, "hi": REASON_MAX, "n": len(text)}, fields={"reason": _("须写明理由")})
    problem = check_text(text, multiline=True, field_label=_("理由及依据"))
    if problem:
        raise AppError(problem, fields={"reason": problem})
    return text


@writes
def signing_judge_now(*, actor, project: Project | int, ip: str | None = None) -> SigningResult | None:
    """Judge the project's ended period now, if it is not judged yet; its effective result."""
    return signing.judge(_project(actor, project), actor=actor, ip=ip)


@writes
def signing_outcome_record(*, actor, project: Project | int, decision: str, decided_on, reason: str,
                           new_start=None, new_end=None, ip: str | None = None) -> SigningOutcome:
    """Record what follows a lapsed signing period (期满未达标处置): a new period or the project's end."""
    found = _project(actor, project)
    if not is_system(actor) and not signing_can_decide(actor):
        raise AppError(_("期满未达标项目的处置只能由领导小组办公室账号登记。"),
                       fields={"decision": _("须由领导小组办公室登记")}, status=403)
    if decision not in SigningOutcome.Decision.values:
        raise AppError(_("请选择处置：重新设定签约期或终止项目。"), fields={"decision": _("必选")})
    on = parse_day(decided_on, field="decided_on")
    today = timezone.localdate()
    if on > today:
        raise AppError(_("决定日期 %(d)s 晚于今天（%(t)s）。") % {"d": on, "t": today},
                       fields={"decided_on": _("不能晚于今天")})
    result = signing.judge(found, actor=actor, today=today, ip=ip)
    standing = signing.standing(found, result=result, live_reached=False, today=today)
    if standing.code != "lapsed" or standing.outcome is not None:
        raise AppError(_("项目「%(p)s」当前为「%(s)s」，只有签约期满未达到生效比例、尚未处置的项目才登记处置。")
                       % {"p": found.name, "s": signing.label(standing.code)}, fields={"decision": _("不需处置")})
    if on < result.period_end:
        raise AppError(_("决定日期 %(d)s 早于签约期结束日 %(e)s。") % {"d": on, "e": result.period_end},
                       fields={"decided_on": _("早于签约期满")})
    text = _reason(reason)
    start = end = None
    if decision == signing.NEW_PERIOD:
        start = parse_day(new_start, field="new_start") if new_start else None
        end = parse_day(new_end, field="new_end") if new_end else None
        if start is None or end is None:
            raise AppError(_("重新设定签约期须填写新签约期的开始和结束日期。"),
                           fields={"new_start" if start is None else "new_end": _("必填")})
        project_renew_signing_period(actor=actor, project=found, start=start, end=end, reason=text, ip=ip)
    outcome = SigningOutcome.objects.create(result=result, project_id=found.pk, decision=decision, decided_on=on,
                                            new_start=start, new_end=end, reason=text, actor=as_user(actor))
    audit.record(actor=actor, action="signing.outcome", object_type="ledger.project", object_id=found.pk,
                 object_repr=found.name, ip=ip, changes={
                     "result": result.pk, "decision": decision, "decided_on": on, "reason": text,
                     **({"new_period": [str(start), str(end)]} if start else {})})
    return outcome
