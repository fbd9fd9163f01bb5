"""The signing threshold rule (协议生效规则): judged once, at the deadline, and frozen.

Agreements of a project carry a condition (附生效条件): they take effect only if the signed
households reach the project's ``signing_threshold`` of the households in scope within the
signing period (浙江省国有土地上房屋征收与补偿条例 §31; many projects use 90 %). One home for the
rule that the event services, the import, the periodic sweep, the pages, the API and the
dashboard read, so that they cannot drift apart.

- **Judged at the deadline** (期满判定): the day after ``signing_end``, the result is computed and
  stored as a ``SigningResult``: households in scope at the deadline (on the demolition way, not
  withdrawn on or before it; a project with none has nothing to sign and counts as reached),
  households that signed on or before it (a signing after a 补偿决定 is after the period and
  never counts), the threshold, reached or not. The periodic sweep (``judge_due``, hourly) does
  it, and so does any write that needs the result first (``execution_refusal``).
- **Frozen**: later withdrawals, edits or new signings after the deadline do not change it. A
  correction of a signing dated within the period, or a signing entered late with such a date,
  records a re-judgement (复核判定) that supersedes the last, with who and why
  (``rejudge_after``); the effective result of a period is its latest judgement.
- **Lapsed** (协议未生效): the effective result did not reach the threshold. Vacating, demolition,
  resettlement (payouts) and 补偿决定 of its households are refused (``execution_refusal``) until
  the office records what happens next (``SigningOutcome``: a new signing period, which lifts the
  block and is judged again at its end; or the project's end, after which they stay refused).
- **Took effect** (协议已生效): reached; everything proceeds.
- Before the deadline, nothing is blocked by this rule (a district that wants vacating only
  after the agreements took effect sets that in its scheme; the platform does not guess).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit
from gaizao.core.actors import as_user
from gaizao.ledger.choices import Way
from gaizao.ledger.models import Household, Project
from gaizao.progress.models import SigningOutcome, SigningResult

# How the audit trail names these writes (registered in progress.registrations).
ACTION_LABELS = {
    "signing.judge": gettext_lazy("签约期满判定"),
    "signing.rejudge": gettext_lazy("签约复核判定"),
    "signing.outcome": gettext_lazy("期满未达标处置"),
    "project.signing_renew": gettext_lazy("重新设定签约期"),
}

DEADLINE, REJUDGED = SigningResult.Kind.DEADLINE, SigningResult.Kind.REJUDGED
NEW_PERIOD, ENDED = SigningOutcome.Decision.NEW_PERIOD, SigningOutcome.Decision.ENDED


def reaches(signed: int, in_scope: int, threshold: Decimal) -> bool:
    """signed / in_scope reaches ``threshold`` percent, compared exactly (never on a rounded rate)."""
    return in_scope > 0 and Decimal(signed) * 100 >= Decimal(threshold) * in_scope


def rate(signed: int, in_scope: int) -> Decimal | None:
    if not in_scope:
        return None
    return (Decimal(signed) * 100 / Decimal(in_scope)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def count(project: Project, *, end: dt.date) -> tuple[int, int]:
    """(households in scope at ``end``, households signed on or before ``end``): one query.

    Only the households on the demolition way sign (整治提升 households agree to the works instead)."""
    households = Household.objects.filter(project_id=project.pk).exclude(way=Way.UPGRADE).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=end))
    figures = households.aggregate(in_scope=Count("*"), signed=Count("id", filter=Q(signed_on__lte=end)))
    return figures["in_scope"], figures["signed"]


def _record(*, project: Project, kind: str, actor, reason: str = "", supersedes: SigningResult | None = None,
            ip: str | None = None) -> SigningResult:
    end = project.signing_end
    in_scope, signed = count(project, end=end)
    result = SigningResult.objects.create(
        project_id=project.pk, kind=kind, period_start=project.signing_start, period_end=end,
        threshold=project.signing_threshold, in_scope=in_scope, signed=signed,
        # a project with nobody to sign (only 整治提升 households) has nothing to lapse
        reached=in_scope == 0 or reaches(signed, in_scope, project.signing_threshold), supersedes=supersedes,
        reason=reason,
        actor=as_user(actor))
    audit.record(actor=actor, action="signing.judge" if kind == DEADLINE else "signing.rejudge",
                 object_type="ledger.project", object_id=project.pk, object_repr=project.name, ip=ip, changes={
                     "result": result.pk, "period": [str(project.signing_start or ""), str(end)],
                     "signed": signed, "in_scope": in_scope, "threshold": str(project.signing_threshold),
                     "reached": result.reached, **({"reason": reason} if reason else {}),
                     **({"supersedes": supersedes.pk} if supersedes else {})})
    return result


def latest(project_ids: Iterable[int]) -> dict[int, SigningResult]:
    """The latest judgement of each project (of its latest judged period), with the office's outcome
    for that period (``outcome_of`` reads it without a query): one query."""
    out: dict[int, SigningResult] = {}
    outcomes: dict[tuple[int, dt.date], SigningOutcome] = {}
    rows = (SigningResult.objects.filter(project_id__in=list(project_ids))
            .select_related("outcome").order_by("project_id", "period_end", "id"))
    for result in rows:
        out[result.project_id] = result
        own = _own_outcome(result)
        if own is not None:
            outcomes[(result.project_id, result.period_end)] = own
    for result in out.values():
        result._period_outcome = outcomes.get((result.project_id, result.period_end))
    return out


def _own_outcome(result: SigningResult) -> SigningOutcome | None:
    try:
        return result.outcome
    except SigningOutcome.DoesNotExist:
        return None


def outcome_of(result: SigningResult | None) -> SigningOutcome | None:
    """The office's outcome recorded on this judgement or on one it superseded (same period).

    Read from what ``latest`` loaded; a judgement at the deadline has nothing before it in its
    period, so only a re-judgement loaded otherwise costs a query."""
    if result is None:
        return None
    if hasattr(result, "_period_outcome"):
        return result._period_outcome
    own = _own_outcome(result)
    if own is not None or result.kind == DEADLINE:
        return own
    return SigningOutcome.objects.filter(result__project_id=result.project_id,
                                         result__period_end=result.period_end).first()


def judge(project: Project, *, actor, today: dt.date | None = None, ip: str | None = None) -> SigningResult | None:
    """Judge the project's period if it has ended and is not judged yet; return its effective result.

    Runs inside the caller's transaction (the sweep's, or a write that needs the result)."""
    today = today or timezone.localdate()
    if not project.signing_end or today <= project.signing_end:
        return None
    found = latest([project.pk]).get(project.pk)
    if found is not None and found.period_end == project.signing_end:
        return found
    return _record(project=project, kind=DEADLINE, actor=actor, ip=ip)


def judge_due(*, actor, today: dt.date | None = None) -> int:
    """Judge every project whose period ended and is not judged yet (the hourly sweep); how many."""
    today = today or timezone.localdate()
    judged = SigningResult.objects.filter(kind=DEADLINE).values_list("project_id", "period_end")
    done = set(judged)
    n = 0
    for project in Project.objects.filter(signing_end__lt=today).order_by("pk"):
        if (project.pk, project.signing_end) in done:
            continue
        with transaction.atomic():
            _record(project=project, kind=DEADLINE, actor=actor)
        n += 1
    return n


def period_over(project: Project, today: dt.date | None = None) -> bool:
    """The project's signing period has ended. Only then can a new signing fall in a judged period (a
    renewed period starts after the judged one ended, and no signing is dated before its start), so
    the most frequent write, a signing within an open period, asks nothing more."""
    return project.signing_end is not None and (today or timezone.localdate()) > project.signing_end


def rejudge_after(*, actor, project_id: int, dates: Iterable[dt.date | None], reason: str,
                  ip: str | None = None) -> SigningResult | None:
    """A signing dated ``dates`` was corrected, voided or entered late: if any falls in a judged
    period of the project, record a re-judgement of that period (复核判定) with ``reason``."""
    result = latest([project_id]).get(project_id)
    if result is None:
        return None
    inside = [d for d in dates if d is not None and d <= result.period_end
              and (result.period_start is None or d >= result.period_start)]
    if not inside:
        return None
    project = Project.objects.get(pk=project_id)
    # the period judged, as it was judged (a new period may have been set since)
    project.signing_start, project.signing_end = result.period_start, result.period_end
    project.signing_threshold = result.threshold
    return _record(project=project, kind=REJUDGED, actor=actor, reason=reason, supersedes=result, ip=ip)


# ------------------------------------------------------------------ where a project stands

@dataclass(frozen=True)
class Standing:
    """A project's standing against its signing threshold, as every page and the API say it.

    ``code``: none / not_started / open / reached (before the deadline) / due (ended, not judged
    yet) / effective / lapsed / renewed / ended.
    """

    code: str
    result: SigningResult | None = None
    outcome: SigningOutcome | None = None

    @property
    def frozen(self) -> bool:
        return self.result is not None and self.code in ("effective", "lapsed", "ended")

    @property
    def blocks(self) -> bool:
        return self.code in ("lapsed", "ended")


LABELS = {
    "none": "未设定签约期",
    "not_started": "签约期未开始",
    "open": "签约中，未达生效比例",
    "reached": "签约中，已达生效比例",
    "due": "签约期满，待判定",
    "effective": "签约期满，协议已生效",
    "lapsed": "签约期满未达生效比例，协议未生效，待办公室处置",
    "ended": "协议未生效，项目已终止",
}


def label(code: str) -> str:
    return _(LABELS[code])


def standing(project: Project, *, result: SigningResult | None, live_reached: bool,
             today: dt.date | None = None) -> Standing:
    """Where the project stands, from its latest judgement (``latest``) and, before the deadline,
    from the live figure (``live_reached``)."""
    today = today or timezone.localdate()
    if result is not None and result.period_end == project.signing_end and today > result.period_end:
        if result.reached:
            return Standing("effective", result)
        outcome = outcome_of(result)
        if outcome is not None and outcome.decision == ENDED:
            return Standing("ended", result, outcome)
        return Standing("lapsed", result, outcome)
    if not project.signing_start or not project.signing_end:
        return Standing("none", result)
    if today < project.signing_start:
        return Standing("not_started", result)
    if today <= project.signing_end:
        return Standing("reached" if live_reached else "open", result)
    return Standing("due", result)


# The kinds a lapsed project refuses (协议未生效): moving out, demolition, payouts (安置), decisions.
BLOCKED_KINDS = ("vacated", "demolished", "resettled", "decision")


def execution_refusal(*, actor, project: Project, kind: str, today: dt.date | None = None) -> str | None:
    """Why ``kind`` may not be recorded for the project's households now (its agreements did not take
    effect), or None. Judges the period first if it ended and is not judged yet (inside the write)."""
    if kind not in BLOCKED_KINDS:
        return None
    today = today or timezone.localdate()
    if not project.signing_end or today <= project.signing_end:
        return None
    full = Project.objects.get(pk=project.pk)  # the household's project is loaded with its dates only
    result = judge(full, actor=actor, today=today)
    if result is None or result.reached:
        return None
    outcome = outcome_of(result)
    if outcome is None:
        return _("项目「%(p)s」签约期已于 %(e)s 届满，未达到协议生效比例（%(f)s），协议未生效："
                 "在领导小组办公室登记下一步（重新设定签约期或终止项目）之前，不能记录腾空交房、拆除、安置或补偿决定。") % {
            "p": full.name, "e": result.period_end, "f": figures(result)}
    if outcome.decision == ENDED:
        return _("项目「%(p)s」签约期满未达到协议生效比例，已于 %(d)s 终止，不能再记录腾空交房、拆除、安置或补偿决定。") % {
            "p": full.name, "d": outcome.decided_on}
    return None


def figures(result: SigningResult) -> str:
    """期内签约 s 户 / 应签约 n 户（r%），生效比例 t%: a judgement in words (refusals, pages)."""
    return _("期内签约 %(s)d 户 / 应签约 %(n)d 户（%(r)s%%），生效比例 %(t)s%%") % {
        "s": result.signed, "n": result.in_scope, "r": rate(result.signed, result.in_scope) or "0",
        "t": format(result.threshold.normalize(), "f")}



def violations(limit: int = 5) -> list[str]:
    """Households of a lapsed project (协议未生效) with a 腾空交房, 拆除, 安置 or 补偿决定 dated after its
    period ended, before the office's new period (or at all, once the project ended): said in Chinese,
    at most ``limit``. Read by `gaizao rollups verify`; one query for the judgements, one per lapsed
    project."""
    found: list[str] = []
    latest_results = latest(SigningResult.objects.values_list("project_id", flat=True).distinct())
    for result in latest_results.values():
        if result.reached:
            continue
        outcome = outcome_of(result)
        until = outcome.decided_on if outcome is not None and outcome.decision == NEW_PERIOD else None
        condition = Q()
        for kind in BLOCKED_KINDS:
            after = {f"{kind}_on__gt": result.period_end}
            if until is not None:
                after[f"{kind}_on__lt"] = until
            condition |= Q(**after)
        for number, name in (Household.objects.filter(project_id=result.project_id).filter(condition)
                             .values_list("number", "head_name")[:limit - len(found)]):
            found.append(_("住户 %(n)s %(h)s：所在项目签约期于 %(e)s 届满未达到协议生效比例，其后却记录了腾空交房、拆除、"
                           "安置或补偿决定。") % {"n": number, "h": name, "e": result.period_end})
        if len(found) >= limit:
            break
    return found
