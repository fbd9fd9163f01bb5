"""Import jobs as background tasks: queued in the database, taken by a worker, recovered when it dies.

Most import tests run each task at once (GAIZAO_TASKS_BACKEND=immediate in the test run); the tests
here switch to the database backend and run the real worker command (`db_worker --batch`).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gaizao.core.models import AuditEntry
from gaizao.ledger.importing import jobs
from gaizao.ledger.models import Household, ImportJob
from tests.ledger.importing.conftest import three_households

Status = ImportJob.Status
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def _upload(client, path: Path) -> ImportJob:
    with open(path, "rb") as handle:
        response = client.post(reverse("ledger:import_start"), {"project": "P001", "file": handle})
    assert response.status_code == 302
    return ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running_job(cast, media: Path, *, status=Status.PREVIEWING, **worker) -> ImportJob:
    job_id = uuid.uuid4()
    stored = media / "imports" / f"{job_id.hex}.xlsx"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"440106198001010010")  # an upload holds plain ID numbers
    return ImportJob.objects.create(id=job_id, actor=cast.street_user_a, project=cast.project_a,
                                    filename="台账.xlsx", stored_path=f"imports/{stored.name}", status=status,
                                    **worker)


def test_an_upload_waits_queued_in_the_database_until_a_worker_previews_and_writes_it(
        transactional_db, cast, login_as, media, tmp_path, database_tasks):
    client = login_as(cast.street_user_a)
    job = _upload(client, three_households().write(tmp_path / "a.xlsx"))
    assert job.status == Status.QUEUED and job.worker_pid is None  # nobody has it yet: a restart loses nothing
    task = DBTaskResult.objects.get()
    assert task.task_path == "gaizao.ledger.importing.jobs.import_job_preview_task" and task.status == "READY"

    _work()
    job.refresh_from_db()
    assert job.status == Status.PREVIEWED and job.summary["new"] == 3
    assert (job.worker_host, job.worker_pid, job.worker_token) == tuple(jobs.this_worker().fields().values())

    confirm = reverse("ledger:import_confirm", args=[job.pk])
    client.post(confirm, {"fingerprint": job.fingerprint})
    client.post(confirm, {"fingerprint": job.fingerprint})  # a double click queues one write
    job.refresh_from_db()
    assert job.status == Status.APPLYING and job.worker_pid is None
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    _work()
    job.refresh_from_db()
    assert job.status == Status.APPLIED and Household.objects.filter(project=cast.project_a).count() >= 3
    assert job.stored_path == "" and not list((media / "imports").glob(f"{job.pk.hex}.*"))
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_job_no_worker_has_taken_says_it_is_queued_and_nothing_is_lost(cast, login_as, database_tasks):
    job = ImportJob.objects.create(actor=cast.street_user_a, project=cast.project_a, filename="a.xlsx")
    client = login_as(cast.street_user_a)
    url = reverse("ledger:import_job", args=[job.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "排队中，等待后台处理" in html and 'hx-trigger="every 1s"' in html and "不会丢失" not in html

    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "任务不会丢失" in html and "处理进程启动后会自动继续" in html
    assert 'hx-trigger="every 1s"' in html  # it keeps polling: the worker may come back


def test_the_write_stage_is_shown_from_the_row_without_a_figure(cast, login_as):
    me = jobs.this_worker()
    job = ImportJob.objects.create(actor=cast.street_user_a, project=cast.project_a, filename="a.xlsx",
                                   status=Status.APPLYING, stage="write", done=0, total=0, **me.fields())
    html = login_as(cast.street_user_a).get(reverse("ledger:import_job", args=[job.pk]),
                                            headers={"HX-Request": "true"}).content.decode()
    assert "写入" in html and "progress-bar-indeterminate" in html and "排队中" not in html


def test_the_first_job_a_worker_takes_fails_the_jobs_of_dead_workers_first(cast, media, monkeypatch):
    me = jobs.this_worker()
    dead = _running_job(cast, media, worker_host=me.host, worker_pid=_dead_pid(), worker_token=me.token)
    monkeypatch.setattr(jobs, "_recovered", set())
    jobs.import_job_preview_task.call(str(uuid.uuid4()))  # a job that is gone: nothing else to do
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and "服务进程意外停止" in dead.error_message
    assert AuditEntry.objects.filter(action="ledger.import_interrupted", object_id=str(dead.pk)).exists()


def test_the_sweep_fails_interrupted_jobs_and_keeps_queued_ones(cast, media):
    me = jobs.this_worker()
    dead = _running_job(cast, media, status=Status.APPLYING, worker_host=me.host, worker_pid=_dead_pid(),
                        worker_token=me.token)
    queued = _running_job(cast, media, status=Status.QUEUED)
    confirmed = _running_job(cast, media, status=Status.APPLYING)  # waiting for a worker

    assert jobs.import_jobs_sweep() == {"interrupted": 1, "removed": 0}

    dead.refresh_from_db()
    assert dead.status == Status.FAILED and not (media / "imports" / f"{dead.pk.hex}.xlsx").exists()
    for job in (queued, confirmed):
        job.refresh_from_db()
        assert job.is_running and (media / job.stored_path).exists()
