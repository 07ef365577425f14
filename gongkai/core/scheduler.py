"""Background jobs on Django's tasks API (DEP 14, the `django-tasks` backport):
the scheduler of the periodic jobs, their retries, and what the worker and the
workbench need to know about the queue.

Each app declares its jobs as tasks in its own `tasks.py` (`@task()` over
`@retried`); the one list of periodic jobs, with each job's period, lives at
the top (`gongkai.jobs`, named by the GONGKAI_PERIODIC_JOBS setting), so no
app imports another to run its jobs.

The scheduler keeps one row per periodic job (core.models.ScheduledJob). On
each tick it locks the row of every job that is due (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite the transaction's IMMEDIATE write lock serialises),
moves `next_due` on by the job's period and enqueues the task, in the same
transaction: any number of workers on any number of machines ticking at the
same moment enqueue each due job once. A job missed while every worker was
down is due at the next tick, once (the period counts from the tick, not
from the missed times).

A task that raises is retried with backoff (1, 2, 4 minutes ...) up to
ATTEMPTS runs in all, through the backend's `run_after` (the database and RQ
backends have it; the immediate backend of the tests does not retry). A
periodic job's last error stays on its row until a run succeeds, and the
office administrators' workbench lists it (`failed_jobs`)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task_backends

from . import db
from .models import ScheduledJob

logger = logging.getLogger(__name__)

# A failing task runs at most ATTEMPTS times: the retries wait RETRY_FIRST_SECONDS,
# then twice as long each time, at most RETRY_MAX_SECONDS.
ATTEMPTS = 4
RETRY_FIRST_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# Finished results kept in the database queue (pruned daily by core.tasks).
KEEP_SUCCESSFUL = dt.timedelta(days=7)
KEEP_FAILED = dt.timedelta(days=30)
# Failed one-off tasks the workbench lists (periodic jobs: until they succeed).
FAILURES_SHOWN_FOR = dt.timedelta(days=7)
FAILURES_SHOWN = 20


# --- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Every:
    """Every `seconds` (counted from the tick that enqueued the job)."""

    seconds: float

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        return moment + dt.timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Daily:
    """Once a local day, at the first tick at or after `at` (a day missed
    while the worker was down is caught up at the next tick, once)."""

    at: dt.time = dt.time(0, 0)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        local = timezone.localtime(moment)
        due = timezone.make_aware(dt.datetime.combine(local.date(), self.at), local.tzinfo)
        if due <= local:
            due = timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at), local.tzinfo)
        return due


@dataclass(frozen=True)
class PeriodicJob:
    """A task the scheduler enqueues once per period, with `now` (the tick's
    time, ISO 8601) as its one argument."""

    task: object  # a django_tasks Task
    period: Every | Daily
    title: str  # what the workbench calls it

    @property
    def name(self) -> str:
        return self.task.module_path


def periodic_jobs() -> list[PeriodicJob]:
    """The installation's list (settings.GONGKAI_PERIODIC_JOBS)."""
    return list(import_string(getattr(settings, "GONGKAI_PERIODIC_JOBS", "gongkai.jobs.PERIODIC")))


def moment(now: str | None) -> dt.datetime:
    """The `now` a task was given (ISO 8601) as an aware datetime; the clock's
    when none was given (a task enqueued by hand)."""
    if not now:
        return timezone.now()
    value = dt.datetime.fromisoformat(now)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# --- the scheduler ---------------------------------------------------------------------


def tick(jobs: list[PeriodicJob] | None = None, now: dt.datetime | None = None) -> dict:
    """Enqueue every periodic job that is due at `now`, once whatever the
    number of workers ticking: {job name: its task result} for those this
    call enqueued (finished already with the immediate backend)."""
    jobs = periodic_jobs() if jobs is None else jobs
    now = now or timezone.now()
    known = dict(ScheduledJob.objects.filter(name__in=[job.name for job in jobs]).values_list("name", "next_due"))
    enqueued = {}
    for job in jobs:
        if job.name in known and known[job.name] is not None and known[job.name] > now:
            continue  # not due (read without a lock: most ticks write nothing)
        with transaction.atomic():
            row = db.locked_row(ScheduledJob, {"name": job.name})
            if row.next_due is not None and row.next_due > now:
                continue  # another worker enqueued it first
            row.next_due = job.period.next_after(now)
            row.last_run = now
            row.save(update_fields=["next_due", "last_run"])
            # In the same transaction: with the database backend the job is
            # queued exactly when its row moves on.
            enqueued[job.name] = job.task.enqueue(now=now.isoformat())
    return enqueued


# --- retries ---------------------------------------------------------------------------


def retry_delay(attempt: int) -> float:
    """Seconds before the retry that follows failed attempt `attempt` (1, 2, ...)."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(attempt - 1, 30))


def retried(func):
    """Under `@task()`: a run that raises is enqueued again after
    `retry_delay` (up to ATTEMPTS runs in all, counted in the task's
    `retry_attempt` keyword), and a periodic job's row records the error
    (cleared by the next run that succeeds). The run still fails, so the
    backend keeps its error. The task's work must be idempotent."""

    @functools.wraps(func)
    def run(*args, retry_attempt: int = 1, **kwargs):
        try:
            value = func(*args, **kwargs)
        except Exception as exc:
            _after_failure(run, args, kwargs, retry_attempt, exc)
            raise
        _after_success(run)
        return value

    run.retried = True
    return run


def _task_of(func):
    return import_string(f"{func.__module__}.{func.__qualname__}")


def _after_failure(func, args, kwargs, attempt: int, exc: Exception) -> None:
    """Book-keeping only: a failure here (the database gone) is logged and
    the task's own error is the one raised."""
    now = timezone.now()
    error = _one_line(exc)
    try:
        task = _task_of(func)
        retry_at = None
        if attempt < ATTEMPTS and task.get_backend().supports_defer:
            retry_at = now + dt.timedelta(seconds=retry_delay(attempt))
            task.using(run_after=retry_at).enqueue(*args, retry_attempt=attempt + 1, **kwargs)
        if retry_at:
            note = f"第{attempt}次执行失败，将于{timezone.localtime(retry_at):%Y-%m-%d %H:%M}重试：{error}"
        else:
            note = f"第{attempt}次执行失败，不再重试：{error}"
        logger.error("task %s failed (attempt %d of %d)%s: %s", task.module_path, attempt, ATTEMPTS,
                     f", retried at {retry_at.isoformat()}" if retry_at else "", error)
        ScheduledJob.objects.filter(name=task.module_path).update(last_error=note, last_error_at=now)
    except DatabaseError:
        logger.exception("task %s failed and its retry could not be recorded", func.__qualname__)


def _after_success(func) -> None:
    try:
        name = _task_of(func).module_path
        ScheduledJob.objects.filter(name=name).exclude(last_error="").update(last_error="", last_error_at=None)
    except DatabaseError:
        logger.exception("task %s succeeded but its row could not be updated", func.__qualname__)


# --- the database queue ----------------------------------------------------------------


def uses_database_queue(alias: str = "default") -> bool:
    """Whether the backend keeps its queue in our database (django_tasks_db),
    which `gongkai worker` then runs; RQ has its own workers."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[alias], DatabaseBackend)


def new_worker_id() -> str:
    """Unique across the pool (at most 64 characters), readable in the queue."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


def run_queued(worker_id: str, *, stop=lambda: False, alias: str = "default") -> list:
    """Run every task ready in the database queue now, one after another
    (the library's worker in batch mode: a row lock hands each task to one
    worker), until none is left or `stop()` says so; their results. Nothing
    for another backend."""
    if not uses_database_queue(alias):
        return []
    from django_tasks_db.management.commands.db_worker import Worker

    class Batch(Worker):
        def run_task(self, db_task_result) -> None:
            super().run_task(db_task_result)
            finished.append(db_task_result.task_result)
            if stop():
                self.running = False

    finished: list = []
    Batch(queue_names=["*"], excluded_queue_names=[], interval=0, batch=True, backend_name=alias,
          startup_delay=False, max_tasks=None, worker_id=worker_id).run()
    return finished


def requeue_interrupted(worker_id: str, alias: str = "default") -> int:
    """Put back in the queue the tasks this worker was running when the
    database failed under it (they would stay "running" for ever); how many."""
    if not uses_database_queue(alias):
        return 0
    from django_tasks_db.models import DBTaskResult

    mine = [row.pk for row in DBTaskResult.objects.running().filter(backend_name=alias).only("id", "worker_ids")
            if row.worker_ids and row.worker_ids[-1] == worker_id]
    if mine:
        logger.warning("putting %d interrupted task(s) of worker %s back in the queue", len(mine), worker_id)
        DBTaskResult.objects.filter(pk__in=mine, status=TaskResultStatus.RUNNING).update(status=TaskResultStatus.READY)
    return len(mine)


def prune_results(now: dt.datetime | None = None, alias: str = "default") -> int:
    """Delete the database queue's finished results older than KEEP_SUCCESSFUL
    (KEEP_FAILED for failures); how many."""
    if not uses_database_queue(alias):
        return 0
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    old = DBTaskResult.objects.finished().filter(backend_name=alias).filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED))
    deleted, _ = old.delete()
    return deleted


# --- what people read ------------------------------------------------------------------


def describe(result) -> str:
    """One line about a finished task result, for the worker's output."""
    name = result.task.name
    if result.status == TaskResultStatus.SUCCESSFUL:
        value = result.return_value
        if isinstance(value, dict):
            parts = [f"{key} {len(item) if isinstance(item, list | dict) else item}" for key, item in value.items()]
            return f"{name}: " + (", ".join(parts) or "done")
        return f"{name}: done" if value is None else f"{name}: {value}"
    if result.status == TaskResultStatus.FAILED:
        error = error_line(result.errors[-1].traceback) if result.errors else "unknown error"
        return f"{name}: failed ({error})"
    return f"{name}: {result.status}"


def error_line(traceback: str) -> str:
    """The last line of a traceback: the exception and its message."""
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


@dataclass
class FailedJob:
    title: str
    name: str
    at: dt.datetime | None
    error: str
    periodic: bool


def failed_jobs() -> list[FailedJob]:
    """What the office administrators must see: each periodic job whose
    last run failed (until one succeeds), then the other tasks of the
    database queue that failed for good (no retry left) during the last
    FAILURES_SHOWN_FOR, newest first."""
    from django.apps import apps

    titles = {job.name: job.title for job in periodic_jobs()}
    rows = [FailedJob(titles.get(row.name, row.name.rsplit(".", 1)[-1]), row.name, row.last_error_at, row.last_error,
                      True)
            for row in ScheduledJob.objects.exclude(last_error="").order_by("-last_error_at")]
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        since = timezone.now() - FAILURES_SHOWN_FOR
        for result in (DBTaskResult.objects.failed().filter(finished_at__gte=since).exclude(task_path__in=titles)
                       .order_by("-finished_at")[:FAILURES_SHOWN]):
            attempt = (result.args_kwargs.get("kwargs") or {}).get("retry_attempt", 1)
            if attempt < ATTEMPTS and _is_retried(result.task_path):
                continue  # its retry is queued: a later failure is the one to show
            rows.append(FailedJob(result.task_path.rsplit(".", 1)[-1], result.task_path, result.finished_at,
                                  f"第{attempt}次执行失败：{error_line(result.traceback)}", False))
    return rows[:FAILURES_SHOWN]


def _is_retried(task_path: str) -> bool:
    try:
        return getattr(import_string(task_path).func, "retried", False)
    except (ImportError, AttributeError):
        return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
