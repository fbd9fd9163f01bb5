"""Import jobs for the upload page (台账导入任务): the preview and the confirmation run as background
tasks (django-tasks, database backend; see docs/architecture.md, "Jobs and periodic work").

    job = import_job_create(actor=user, project=project, upload=request.FILES["file"])   # stored, queued
    # a worker (`gaizao db_worker`) runs run_preview(job.pk): ledger_import_preview, progress on the row
    import_job_confirm(actor=user, job=job, fingerprint=shown, skip_invalid=False)     # queued again
    # a worker runs run_apply(job.pk): parse again, same fingerprint?, ledger_import_apply

The job row and its task row are written in one transaction, so a queued job always has its task
and stays queued across restarts until a worker takes it. ``run_preview`` and ``run_apply`` are
plain functions: the task calls them, and so can a test. Every write to the ledger goes through the
engine's services; this module only moves the job row from one status to the next, each step a
conditional update so that two requests (a double click) never start the same step twice.

Progress lives on the job row, so any web process answers a poll: the read stage is written at
most every ``PROGRESS_EVERY`` seconds. The write stage runs inside the import's one transaction,
where the row cannot be updated visibly (SQLite allows one writer, so a second connection would wait
for the import's own lock; PostgreSQL would show it only at commit): the row says "writing" just
before the transaction opens, and the page shows that stage without a figure.

A job records the worker process that runs it (``Worker``: host, pid, start token) when the worker
takes it; a queued job belongs to no process. A worker that dies with a job in hand (killed,
crashed, restarted) leaves it "running"; the sweep of the schedule, ``gaizao run`` (through the
app's ``on_server_start``) and the first job a worker takes fail it and delete its upload
(``import_jobs_recover``). Jobs of processes on other hosts are left to ``STALLED_AFTER``, since
their liveness cannot be seen from here.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from gaizao.core.actors import SYSTEM
from gaizao.core import access, audit
from gaizao.core.access import ANY, DISTRICT, OWN, Rule
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger.importing.engine import READ, WRITE, ledger_import_apply, ledger_import_preview
from gaizao.ledger.importing.plan import ImportPlan
from gaizao.ledger.importing.report import write_error_report
from gaizao.ledger.models import ImportJob, Project
from gaizao.org.choices import Role

logger = logging.getLogger(__name__)

Status = ImportJob.Status
UPLOAD_DIR = "imports"  # under MEDIA_ROOT
PROGRESS_EVERY = 0.5  # seconds between two progress writes to the job row
SHOWN = 200  # changes, rejected rows and warnings kept in the stored summary (the report has all)
RETENTION = timedelta(days=7)  # jobs, uploads and error reports older than this are removed
STALLED_AFTER = timedelta(minutes=30)  # a running job without news for this long has died with its process
UNEXPECTED = gettext_lazy("处理文件时系统出错，数据库没有任何改动。请稍后重试；如果反复出现，请联系系统管理员。")
INTERRUPTED = gettext_lazy("处理文件时服务进程意外停止（如服务器重启），数据库没有任何改动，上传的文件已删除。请重新上传。")
RECOVER_ACTION = "ledger.import_interrupted"
RUNNING = (Status.QUEUED, Status.PREVIEWING, Status.APPLYING)
QUEUE = "default"  # the queue `db_worker` serves without options
WAITING_AFTER = timedelta(minutes=1)  # a job queued this long: the page says the worker may be down
NO_WORKER = {"worker_host": "", "worker_pid": None, "worker_token": ""}


# --- reads -------------------------------------------------------------------------------------

# Import jobs (导入任务) in the access table: everyone sees and confirms their own uploads (the import
# is written in the uploader's name); the system administrator sees all of them. ledger/policies.py
# registers these rows with the job's pages (the scope matrix checks them); they could move there.
IMPORT_JOB_ROWS = {
    ANY: Rule(read=OWN, write=OWN),
    Role.ADMIN: Rule(read=DISTRICT),
}


def import_job_scope(user) -> QuerySet[ImportJob]:
    """Jobs a user may see: their own; the system administrator sees all."""
    return access.grant(user, "ledger.import_job").filter(
        ImportJob.objects.select_related("project", "project__village", "actor"), own="actor")


def import_job_write_scope(user) -> QuerySet[ImportJob]:
    """Jobs a user may confirm: only their own (the import is written in the uploader's name)."""
    return access.grant(user, "ledger.import_job", write=True).filter(
        ImportJob.objects.select_related("project"), own="actor")


def import_job_list(user, *, limit: int = 10) -> list[ImportJob]:
    """The user's own latest jobs, for the upload page."""
    return list(ImportJob.objects.select_related("project").filter(actor=user).order_by("-created_at")[:limit])


@dataclass(frozen=True)
class JobProgress:
    stage: str
    done: int
    total: int

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


def import_job_progress(job: ImportJob) -> JobProgress:
    """Where a running job is, as its worker last wrote it on the row."""
    return JobProgress(job.stage, job.done, job.total)


def import_job_waiting(job: ImportJob) -> bool:
    """A job queued for a worker that no worker has taken yet (排队中): still there after a restart."""
    return job.is_running and job.worker_pid is None


def import_job_waiting_long(job: ImportJob) -> bool:
    """Queued for long: the page says the background worker may not be running (nothing is lost)."""
    return import_job_waiting(job) and timezone.now() - job.updated_at > WAITING_AFTER


def import_job_stalled(job: ImportJob) -> bool:
    """A job a worker took whose row has not moved for long: that worker has most likely stopped."""
    return job.is_running and job.worker_pid is not None and timezone.now() - job.updated_at > STALLED_AFTER


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


# --- the process that runs a job ----------------------------------------------------------------

@dataclass(frozen=True)
class Worker:
    """A process that runs import tasks: host name, pid, and a token of the process's start."""

    host: str
    pid: int
    token: str

    def fields(self) -> dict:
        return {"worker_host": self.host[:255], "worker_pid": self.pid, "worker_token": self.token}


_workers: dict[int, Worker] = {}  # by pid: a forked child is another worker
_recovered: set[int] = set()  # pids that have run import_jobs_recover


def _start_token(pid: int) -> str:
    """When the process started (Linux: boot id + start time in clock ticks, from /proc), so that a
    pid the system hands out again later is not mistaken for the process that held it; '' if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""
    return f"{boot[:8]}-{stat.rsplit(')', 1)[1].split()[19]}"  # field 22: starttime


def this_worker() -> Worker:
    pid = os.getpid()
    if pid not in _workers:
        _workers[pid] = Worker(host=socket.gethostname(), pid=pid, token=_start_token(pid) or uuid.uuid4().hex)
    return _workers[pid]


def _alive(pid: int, token: str) -> bool:
    """Whether the process that took a job still runs on this host (same pid, same start)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    current = _start_token(pid)
    return not current or current == token  # without /proc a live pid is taken at its word


def import_jobs_recover() -> int:
    """Fail the running jobs whose process on this host is gone (中断的导入): their thread died with
    the process, and a write in progress was rolled back with its transaction. The upload, which
    holds plain ID numbers, is deleted, and each is audited. Returns how many were failed."""
    me = this_worker()
    _recovered.add(me.pid)
    candidates = ImportJob.objects.filter(status__in=RUNNING, worker_host=me.host[:255], worker_pid__isnull=False)
    failed = 0
    for job in candidates.select_related("project"):
        if (job.worker_pid, job.worker_token) == (me.pid, me.token) or _alive(job.worker_pid, job.worker_token):
            continue
        with transaction.atomic():
            changed = ImportJob.objects.filter(
                pk=job.pk, status=job.status, worker_pid=job.worker_pid, worker_token=job.worker_token,
            ).update(status=Status.FAILED, error_message=str(INTERRUPTED), stored_path="", updated_at=timezone.now())
            if changed:
                audit.record(actor=SYSTEM, action=RECOVER_ACTION, obj=job, object_repr=job.filename[:200], changes={
                    "status": [job.status, Status.FAILED], "project": job.project.code,
                    "worker": f"{job.worker_host}:{job.worker_pid}", "upload_deleted": bool(job.stored_path)})
        if changed:
            _remove(job.stored_path)
            failed += 1
            logger.warning("ledger import %s failed at start-up: its process %s:%s is gone",
                           job.pk, job.worker_host, job.worker_pid)
    return failed


def _recover_once() -> None:
    """The first job a worker process takes first fails the jobs of dead processes on its host."""
    if os.getpid() in _recovered:
        return
    try:
        with transaction.atomic():
            import_jobs_recover()
    except Exception:  # never let the clean-up stop an upload
        logger.exception("recovering interrupted ledger imports failed")


# --- writes ------------------------------------------------------------------------------------

def import_job_create(*, actor, project: Project, upload, ip: str | None = None) -> ImportJob:
    """Store an uploaded ledger file and queue its preview (上传台账文件)."""
    import_jobs_cleanup()
    job_id = uuid.uuid4()
    suffix = Path(upload.name or "").suffix.lower()[:10]
    relative = f"{UPLOAD_DIR}/{job_id.hex}{suffix}"
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    with transaction.atomic():  # the job and its task together, or neither
        job = ImportJob.objects.create(id=job_id, actor=actor, project=project,
                                       filename=Path(upload.name).name[:255], stored_path=relative, ip=ip)
        start(job.pk, run_preview)
    return job


def import_job_confirm(*, actor, job: ImportJob, fingerprint: str, skip_invalid: bool = False,
                       ip: str | None = None) -> None:
    """Queue the writing of a previewed job (确认导入); the thread checks the file again first."""
    summary = job.summary or {}
    if job.actor_id != actor.pk:
        raise NotFound(_("只有上传人可以确认导入。"))
    if job.status != Status.PREVIEWED:
        raise Conflict(_("这个导入已经确认过或还没有预览完成，请刷新页面查看。"))
    if fingerprint != job.fingerprint:
        raise Conflict(_("页面上的预览已经过时，请刷新页面，核对最新的预览后再确认。"))
    if summary.get("rejected_total") and not skip_invalid:
        raise AppError(_("文件中有错误，没有写入任何数据。请按错误清单改正后重新上传，或选择只导入有效的住户。"))
    if not summary.get("new") and not summary.get("changed"):
        raise AppError(_("没有需要写入的住户：文件中的住户与系统中的完全一致，或都有错误。"))
    if not job.stored_path or not media_path(job.stored_path).exists():
        raise AppError(_("上传的文件已过期删除，请重新上传。"))
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED, fingerprint=fingerprint).update(
            status=Status.APPLYING, skip_invalid=skip_invalid, stage="", done=0, total=0, error_message="",
            ip=ip or job.ip, updated_at=timezone.now(), **NO_WORKER)
        if claimed != 1:
            raise Conflict(_("这个导入已经确认过，请刷新页面查看。"))
        start(job.pk, run_apply)


def import_jobs_cleanup(*, older_than: timedelta = RETENTION) -> int:
    """Remove old jobs with their stored upload and error report (uploads hold personal numbers)."""
    old = list(ImportJob.objects.filter(created_at__lt=timezone.now() - older_than).values_list(
        "pk", "stored_path", "error_report_path"))
    for _pk, stored, report in old:
        _remove(stored)
        _remove(report)
    if old:
        ImportJob.objects.filter(pk__in=[pk for pk, _s, _r in old]).delete()
    return len(old)


# --- the tasks ---------------------------------------------------------------------------------

# Someone waits on the page for these: the worker takes them before periodic work queued earlier (the
# schedule queues every overdue entry when it starts, and at a district's size those take seconds).
PRIORITY = 10


@task(queue_name=QUEUE, priority=PRIORITY)
def import_job_preview_task(job_id: str) -> None:
    """Background task: the preview of one job (run by `db_worker`)."""
    _recover_once()
    run_preview(uuid.UUID(job_id))


@task(queue_name=QUEUE, priority=PRIORITY)
def import_job_apply_task(job_id: str) -> None:
    """Background task: the writing of one confirmed job (run by `db_worker`)."""
    _recover_once()
    run_apply(uuid.UUID(job_id))


_TASKS = {"run_preview": import_job_preview_task, "run_apply": import_job_apply_task}


def start(job_id, runner) -> None:
    """Queue ``runner`` for the job: a task row in the caller's transaction, taken by a worker.

    Tests run with django-tasks' ImmediateBackend (GAIZAO_TASKS_BACKEND=immediate), which runs the
    step at once in the caller's thread and transaction.
    """
    _TASKS[runner.__name__].enqueue(str(job_id))


class _Progress:
    """The engine's progress callback for one job (see the module docstring)."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == WRITE:  # inside the import's transaction: the row said "writing" before it opened
            return
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and done < total:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job_id).update(stage=stage, done=done, total=total,
                                                        updated_at=timezone.now())


def run_preview(job_id) -> None:
    """Read, check and compare the stored upload (导入预览) and keep the summary on the job."""
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.PREVIEWING, stage=READ, done=0, total=0, updated_at=now, **this_worker().fields()):
        return
    job = ImportJob.objects.select_related("actor", "project").get(pk=job_id)
    try:
        plan = _preview(job)
        _store_preview(job, plan, fingerprint=plan.fingerprint)
    except AppError as exc:
        _fail(job, exc.message)
    except Exception:
        logger.exception("ledger import preview failed: job %s", job_id)
        _fail(job, str(UNEXPECTED))


def run_apply(job_id) -> None:
    """Parse the stored upload again and, if it previews as before, write it (确认导入)."""
    if not ImportJob.objects.filter(pk=job_id, status=Status.APPLYING, worker_pid__isnull=True).update(
            stage=READ, done=0, total=0, updated_at=timezone.now(), **this_worker().fields()):
        return  # taken by another worker, or no longer confirmed
    job = ImportJob.objects.select_related("actor", "project").get(pk=job_id)
    progress = _Progress(job_id)
    try:
        plan = _preview(job, progress=progress, to_apply=True)
        fingerprint = plan.fingerprint
        if fingerprint != job.fingerprint:
            _store_preview(job, plan, fingerprint=fingerprint, message=_(
                "预览之后，文件或系统中的数据有了变化，本次没有写入任何数据。下面是按最新数据重新预览的结果，"
                "请核对后重新确认。"))
            return
        ImportJob.objects.filter(pk=job_id).update(stage=WRITE, done=0, total=0, updated_at=timezone.now())
        result = ledger_import_apply(actor=job.actor, plan=plan, skip_invalid=job.skip_invalid, progress=progress,
                                     ip=job.ip)
    except AppError as exc:
        _fail(job, exc.message)
    except Exception:
        logger.exception("ledger import apply failed: job %s", job_id)
        _fail(job, str(UNEXPECTED))
    else:
        total = 2 * (result.created + result.updated)
        ImportJob.objects.filter(pk=job_id).update(
            status=Status.APPLIED, stage=WRITE, done=total, total=total, result=result.as_dict(),
            applied_at=timezone.now(), updated_at=timezone.now(), stored_path="")
        _remove(job.stored_path)


def _preview(job: ImportJob, *, progress=None, to_apply: bool = False) -> ImportPlan:
    return ledger_import_preview(actor=job.actor, project_code=job.project.code, path=media_path(job.stored_path),
                                 filename=job.filename, progress=progress or _Progress(job.pk), to_apply=to_apply)


def _summary(plan: ImportPlan) -> dict:
    """The plan's summary, with at most ``SHOWN`` of each list (the error report has every row)."""
    summary = plan.summary(limit=SHOWN)
    for key in ("rejected", "warnings"):
        summary[f"{key}_total"] = len(summary[key])
        summary[key] = summary[key][:SHOWN]
    summary["changes_total"] = len(plan.new) + len(plan.changed)
    return summary


def _store_preview(job: ImportJob, plan: ImportPlan, *, fingerprint: str, message: str = "") -> None:
    report, stored = "", job.stored_path
    if not plan.new and not plan.changed:  # nothing to confirm: the upload is not needed any more
        _remove(stored)
        stored = ""
    if plan.errors or plan.parsed.warnings:
        report = f"{UPLOAD_DIR}/{job.pk.hex}-errors.xlsx"
        write_error_report(media_path(report), errors=plan.errors, warnings=plan.parsed.warnings,
                           filename=job.filename)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.PREVIEWED, summary=_summary(plan), fingerprint=fingerprint, error_report_path=report,
        error_message=message, skip_invalid=False, stored_path=stored, previewed_at=now, updated_at=now)


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error_message=message, stored_path="",
                                               updated_at=timezone.now())
    _remove(job.stored_path)


def _remove(relative: str) -> None:
    if relative:
        media_path(relative).unlink(missing_ok=True)


def import_jobs_sweep() -> dict:
    """Periodic sweep of import jobs (core.schedule): fail the jobs of workers on this host that are
    gone, and remove the jobs, uploads and error reports older than ``RETENTION``."""
    with transaction.atomic():
        failed = import_jobs_recover()
    return {"interrupted": failed, "removed": import_jobs_cleanup()}
