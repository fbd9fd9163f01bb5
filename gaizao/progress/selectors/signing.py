"""Reads of the signing judgements (签约期满判定): one project's record, for its page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.scoping import get_in_scope
from gaizao.ledger.models import Project
from gaizao.ledger.selectors import project_scope
from gaizao.org.models import User
from gaizao.progress.choices import Level
from gaizao.progress.models import SigningOutcome, SigningResult
from gaizao.progress.policies import signing_can_decide
from gaizao.progress.selectors.summary import SigningStatus, signing_status, unit_summaries


def signing_project(user: User, *, pk) -> Project:
    """The project whose signing record the user reads (``project_scope``), else 404."""
    return get_in_scope(project_scope(user).select_related("village").defer("village__boundary", "village__notes"),
                        pk=pk)


def signing_write_project(user: User, *, pk) -> Project:
    """The project whose lapse the user may settle (the office's: ``progress.signing`` write rows),
    else 404, as every write endpoint answers a user it does not reach."""
    from django.http import Http404

    if not signing_can_decide(user):
        raise Http404(_("项目不存在或无权操作。"))  # as get_in_scope answers: pages and the API alike
    return signing_project(user, pk=pk)


@dataclass
class SigningRecord:
    """A project's signing period, its status, every judgement (newest first) and the outcomes."""

    project: Project
    status: SigningStatus
    results: list[SigningResult]
    outcomes: list[SigningOutcome]
    today: dt.date

    @property
    def needs_outcome(self) -> bool:
        return self.status.code == "lapsed" and self.status.outcome is None


def signing_record(project: Project, *, today: dt.date | None = None) -> SigningRecord:
    """Four queries: the project's figures, its judgements (with their actors), its outcomes."""
    today = today or timezone.localdate()
    summary = unit_summaries(Level.PROJECT, [project.pk])[project.pk]
    results = list(SigningResult.objects.filter(project_id=project.pk).select_related("actor", "outcome")
                   .order_by("-id"))
    outcomes = list(SigningOutcome.objects.filter(project_id=project.pk).select_related("actor", "result")
                    .order_by("-id"))
    latest = max(results, key=lambda r: (r.period_end, r.id)) if results else None
    if latest is not None:  # the period's outcome, wherever in its judgements it was recorded
        latest._period_outcome = next((o for o in outcomes if o.result.period_end == latest.period_end), None)
    status = signing_status(project, summary, today, result=latest)
    return SigningRecord(project=project, status=status, results=results, outcomes=outcomes, today=today)

