"""The portal's own home cards (工作台): the department's tasks and the auditor's review.

The department card lists the department's open tasks of the campaign (任务清单: overdue first,
then by deadline; ``campaign.selectors.tasks.home_tasks``, one query); the auditor's lists today's
sensitive actions to review (full numbers revealed or exported, ID searches stopped, one query).
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from gaizao.core.audit import action_label
from gaizao.core.models import AuditEntry
from gaizao.portal.policies import audit_reader, department_member

# Actions an auditor reviews every day: personal data seen or taken out in full, searches stopped.
REVIEW_ACTIONS = ("household.reveal_personal_data", "ledger.export_full", "ledger.id_search_blocked")


def department_tasks(user) -> dict | None:
    if not department_member(user):
        return None
    from gaizao.campaign.selectors.tasks import home_tasks

    return {"tasks": home_tasks(user)}


def audit_review(user) -> dict | None:
    if not audit_reader(user):
        return None
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    counts = dict(AuditEntry.objects.filter(created_at__gte=start, action__in=REVIEW_ACTIONS).order_by()
                  .values_list("action").annotate(n=Count("id")))
    return {"items": [{"action": action, "label": action_label(action), "count": counts.get(action, 0)}
                      for action in REVIEW_ACTIONS]}
