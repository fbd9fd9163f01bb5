"""The consent rule (意愿征询规则): a consultation's tally and whether it passed, failed or is still open.

One home for the rule the consultation services, the pages, the API and the signing-period gate
read, so they cannot drift apart.

- **In scope** (应征询户): the project's households, less those withdrawn from the scope (撤出).
- **Rate** (同意比例): households that answered 同意 / households in scope. A household without an
  answer, or with 未表态, counts as not agreeing.
- **Threshold** (通过比例): the project's ``consultation_threshold`` (default 90 %), compared exactly.
- **Passed** (通过): the agreements reach the threshold.
- **Failed** (未通过) — either the period closed (today after ``ends_on``) below the threshold, or
  so many households answered 不同意 that the threshold cannot be reached even if every other
  household agrees (in scope − 不同意 < threshold). The second is known before the period ends.
- **Open** (征询中): neither yet.

A project whose latest consultation failed cannot open its signing period (``signing_gate``); a
project without a consultation, or whose consultation passed or is still open, can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, ROUND_HALF_UP

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household, Project
from gaizao.progress.choices import ConsultationAnswerChoice as Answer

PASSED, FAILED, OPEN = "passed", "failed", "open"
STATUS_LABELS = {PASSED: "通过", FAILED: "未通过", OPEN: "征询中"}


@dataclass(frozen=True)
class Tally:
    """A consultation's count: households in scope and their answers, against the threshold."""

    in_scope: int
    agreed: int
    disagreed: int
    threshold: Decimal
    ends_on: dt.date

    @property
    def unanswered(self) -> int:
        return self.in_scope - self.agreed - self.disagreed

    @property
    def rate(self) -> Decimal | None:
        """Agreed households in percent of those in scope, to one decimal (92.3)."""
        if not self.in_scope:
            return None
        return (Decimal(self.agreed) * 100 / self.in_scope).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def reached(self) -> bool:
        return self.in_scope > 0 and Decimal(self.agreed) * 100 >= self.threshold * self.in_scope

    @property
    def cannot_pass(self) -> bool:
        """Even if every household without 不同意 agreed, the threshold would not be reached."""
        return Decimal(self.in_scope - self.disagreed) * 100 < self.threshold * self.in_scope

    def status(self, on: dt.date | None = None) -> str:
        on = on or timezone.localdate()
        if self.reached:
            return PASSED
        if self.cannot_pass or on > self.ends_on:
            return FAILED
        return OPEN


def in_scope(project_id: int):
    """The households a consultation of the project asks: all but those withdrawn (撤出)."""
    return Household.objects.filter(project_id=project_id).exclude(stage=Stage.WITHDRAWN)


def tally(consultation) -> Tally:
    """Count one consultation (two queries)."""
    households = in_scope(consultation.project_id)
    counts = consultation.answers.filter(household__in=households).aggregate(
        agreed=Count("id", filter=Q(answer=Answer.AGREE)), disagreed=Count("id", filter=Q(answer=Answer.DISAGREE)))
    threshold = Project.objects.values_list("consultation_threshold", flat=True).get(pk=consultation.project_id)
    return Tally(in_scope=households.count(), agreed=counts["agreed"], disagreed=counts["disagreed"],
                 threshold=Decimal(threshold), ends_on=consultation.ends_on)


def describe(tally: Tally) -> str:
    """同意 a 户 / 应征询 n 户（r%），通过比例 t%，不同意 d 户."""
    return _("同意 %(a)d 户、不同意 %(d)d 户、未表态 %(u)d 户，应征询 %(n)d 户，同意比例 %(r)s%%，通过比例 %(t)s%%") % {
        "a": tally.agreed, "d": tally.disagreed, "u": tally.unanswered, "n": tally.in_scope,
        "r": tally.rate if tally.rate is not None else "—", "t": format(tally.threshold.normalize(), "f")}


def signing_gate(*, project: Project, on: dt.date | None = None) -> str | None:
    """Why the project may not open its signing period (its latest consultation failed), or None."""
    from gaizao.progress.models import Consultation

    latest = Consultation.objects.filter(project_id=project.pk).order_by("-held_on", "-id").first()
    if latest is None:
        return None
    counted = tally(latest)
    if counted.status(on) != FAILED:
        return None
    why = _("已有住户不同意，无法达到通过比例") if counted.cannot_pass else _("征询期已于 %(d)s 截止，未达到通过比例") % {
        "d": latest.ends_on}
    return _("项目「%(p)s」%(h)s 开始的意愿征询未通过（%(why)s；%(tally)s），不能开启签约期。"
             "须重新开展意愿征询并达到通过比例后再开启。") % {
        "p": project.name, "h": latest.held_on, "why": why, "tally": describe(counted)}
