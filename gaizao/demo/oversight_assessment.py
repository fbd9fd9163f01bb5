"""The demo's assessment (演示考核): the example scheme of the issue — 100 = 村庄签约 25 + 拆除 15 +
交办任务 40 + 程序合规 20 — put in force, and the three months before today's published, with movements
in the ranking, one commendation and one accountability proposal, and one of them confirmed.

Signing and demolition come from today's rollups (the same in each month); tasks and reports differ by
month. The movements are made the way an office makes them, with bonus and penalty items (加减分) of the
middle-ranked streets, each with a reason and a document number: in the first month the runner-up of the
last month leads (a bonus) and the last street is lifted off the bottom (a bonus), so the runs start in
the second month; in the second month the last month's leader leads and its last street is last. After
the third publication the rules propose a commendation (first two months running) and an accountability
(last two months running); the office confirms the commendation (通报表扬) and leaves the other waiting.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.oversight import periods, scoring
from gaizao.oversight.choices import ProposalKind
from gaizao.oversight.models import Proposal, ScoreSheet
from gaizao.oversight.services import assessment as services

INDICATORS = [
    {"name": "村庄签约", "weight": "25", "source": "signing_rate", "rule": "linear", "rule_params": {"target": 100}},
    {"name": "拆除", "weight": "15", "source": "target_completion",
     "params": {"metric": "demolished_area", "measure": "due"}, "rule": "linear", "rule_params": {"target": 100}},
    {"name": "交办任务", "weight": "40", "source": "tasks_on_time", "rule": "points",
     "rule_params": {"target": 100, "base": 40, "below": "0.4", "floor": 10}},
    {"name": "程序合规", "weight": "20", "source": "reports_on_time", "rule": "thresholds",
     "rule_params": {"steps": [[100, 20], [80, 16], [60, 12], [40, 8]], "otherwise": 4}},
]
BONUS = ("承担全区重点项目征收攻坚任务，提前完成节点目标", "获市城中村改造工作专项表扬")
PENALTY = ("督查发现拆除现场安全文明施工问题，未按期整改",)


def _month_keys(today: dt.date) -> list[str]:
    key = periods.period_key("month", today)
    out = []
    for _ in range(3):
        key = periods.previous(key)
        out.append(key)
    return list(reversed(out))


def _totals(scheme, key: str) -> list[tuple[int, Decimal]]:
    return [(r["unit_id"], Decimal(r["total"])) for r in scoring.compute_rows(scheme, key)]


def _adjust(scheme, key: str, unit_id: int, points: Decimal, reason: str, number: str) -> None:
    services.adjustment_add(actor=SYSTEM, scheme=scheme, period=key, unit=unit_id,
                            points=points.quantize(Decimal("0.1")),
                            reason=reason, document_number=number)


def _published_as_then(scheme, key: str, today: dt.date) -> None:
    """The office publishes a month on the third working day after it: date the sheet so, so that the
    bulletins of the weeks between read the sheet that was in force then."""
    day = min(calendar.add_workdays(periods.period_range(key)[1], 3), today)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    ScoreSheet.objects.filter(scheme=scheme, period=key).update(created_at=at, updated_at=at)


def demo_assessment(*, campaign, today: dt.date, rng: random.Random) -> int:
    """Create the scheme and publish three months; returns the number of sheets published."""
    scheme = services.scheme_create(actor=SYSTEM, campaign=campaign, name=f"{campaign.year}年街道城中村改造月度考核办法",
                                    indicators=INDICATORS, commend_runs=2, account_runs=2)
    scheme = services.scheme_activate(actor=SYSTEM, scheme=scheme, version=scheme.version)
    first, second, third = _month_keys(today)
    last = _totals(scheme, third)
    if len(last) < 3:
        return 0
    leader, runner_up, bottom = last[0][0], last[1][0], last[-1][0]
    prefix = campaign.number_prefix or "改造办"
    number = iter(f"{prefix}〔{campaign.year}〕{n}号" for n in range(40, 90, 3 + rng.randint(0, 2)))
    step = Decimal("0.5")

    # month 1: the runner-up leads, the bottom street is lifted off the bottom
    now = dict(_totals(scheme, first))
    top = max(now.values())
    if now[runner_up] <= top:
        _adjust(scheme, first, runner_up, top - now[runner_up] + step * 2, BONUS[0], next(number))
        now = dict(_totals(scheme, first))  # the runner-up's bonus may have lifted it off the bottom's next
    others = sorted(v for k, v in now.items() if k != bottom)
    if now[bottom] <= others[0]:
        _adjust(scheme, first, bottom, others[0] - now[bottom] + step, BONUS[1], next(number))
    services.sheet_publish(actor=SYSTEM, scheme=scheme, period=first, today=today)
    _published_as_then(scheme, first, today)

    # month 2 and month 3: the last month's leader leads and its bottom street is last
    for key in (second, third):
        now = dict(_totals(scheme, key))
        top = max(v for k, v in now.items() if k != leader)
        if now[leader] <= top:
            _adjust(scheme, key, leader, top - now[leader] + step, BONUS[0], next(number))
            now = dict(_totals(scheme, key))
        low = min(v for k, v in now.items() if k != bottom)
        if now[bottom] >= low:
            _adjust(scheme, key, bottom, -(now[bottom] - low + step), PENALTY[0], next(number))
        services.sheet_publish(actor=SYSTEM, scheme=scheme, period=key, today=today)
        _published_as_then(scheme, key, today)

    commendation = Proposal.objects.filter(scheme=scheme, kind=ProposalKind.COMMENDATION).first()
    if commendation is not None:
        services.proposal_confirm(actor=SYSTEM, proposal=commendation, version=commendation.version, measure="praise",
                                  reason=f"{commendation.reason}，予以通报表扬", document_number=next(number),
                                  decided_on=today)
    return 3
