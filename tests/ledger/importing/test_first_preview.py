"""Issue 11: a preview does not wait behind the periodic work the schedule queues when it starts."""

from __future__ import annotations

import pytest
from django.test import override_settings

from gaizao.core.tasks import run_periodic
from gaizao.ledger.importing import jobs
from tests.ledger.scope_samples import _workbook

pytestmark = pytest.mark.django_db(transaction=False)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_takes_a_preview_before_periodic_work_queued_earlier(cast, media):
    from django_tasks_db.models import DBTaskResult

    for name in ("progress.hardcases_overdue", "progress.signing_judge", "ledger.import_jobs_sweep"):
        run_periodic.enqueue(name)
    job = jobs.import_job_create(actor=cast.street_user_a, project=cast.project_a, upload=_workbook())
    first = DBTaskResult.objects.ready().first()  # the order db_worker claims them in
    assert first.task_path == "gaizao.ledger.importing.jobs.import_job_preview_task"
    assert first.args_kwargs["args"] == [str(job.pk)]
