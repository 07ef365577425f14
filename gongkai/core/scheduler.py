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
office administrators' workbench lists it (`failed_jobs`).

A worker killed in the middle of a task (SIGKILL, the machine lost) leaves
the task's row "running" for ever: the library has no heartbeat. Before a
worker runs the queue it looks for tasks running longer than the lease
(GONGKAI_TASK_LEASE_SECONDS) whose worker is gone (`recover_stale`): its
process has ended on this machine, or, on PostgreSQL, no connection of the
database carries its name any more. Such a task goes back in the queue, or
fails for good after ATTEMPTS runs, which the workbench then lists."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task_backends

from . import db
from .db import ROW_LOCK
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
# A running task is looked at once it has run this long (settings.GONGKAI_TASK_LEASE_SECONDS).
DEFAULT_LEASE_SECONDS = 600
# How often a worker looks for stale tasks (at most; and at its first pass).
RECOVERY_EVERY_SECONDS = 30.0
# What marks a task failed because its worker was lost (DBTaskResult.exception_class_path).
WORKER_LOST = "gongkai.core.scheduler.WorkerLost"
# The name a worker gives its PostgreSQL connections (application_name, at most 63 bytes).
LABEL_PREFIX = "gongkai-worker "


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


class Permanent(Exception):
    """A failure that running the task again cannot mend (the user may not
    have the file, the folder does not exist): not retried."""


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
        if attempt < ATTEMPTS and task.get_backend().supports_defer and not isinstance(exc, Permanent):
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
    """Unique across the pool (at most 64 characters), readable in the queue:
    `<host>-<pid>-<random>`. The process's database connections then carry
    its host and pid (`recover_stale` reads them to tell that it is alive)."""
    worker_id = f"{_host()}-{os.getpid()}-{get_random_string(8)}"
    _own_worker_ids.add(worker_id)
    _label_connections()
    return worker_id


def run_queued(worker_id: str, *, stop=lambda: False, alias: str = "default") -> list:
    """Run every task ready in the database queue now, one after another
    (the library's worker in batch mode: a row lock hands each task to one
    worker), until none is left or `stop()` says so; their results. Nothing
    for another backend."""
    if not uses_database_queue(alias):
        return []
    if _recovery_due():
        recover_stale(alias=alias)
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


# --- tasks whose worker was lost ----------------------------------------------------


class WorkerLost(Exception):
    """The worker running a task stopped before finishing it (killed, its
    machine lost): nothing else will ever finish that run."""


_own_worker_ids: set[str] = set()  # made by this process (new_worker_id)
_last_recovery: list[float] = []  # monotonic time of this process's last look (run_queued)


def _host() -> str:
    return socket.gethostname()[:30]


def lease() -> dt.timedelta:
    """How long a task may run before `recover_stale` asks whether its worker lives."""
    return dt.timedelta(seconds=getattr(settings, "GONGKAI_TASK_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def _label(host: str, pid: int) -> str:
    return f"{LABEL_PREFIX}{host}-{pid}".encode()[:63].decode(errors="ignore")


def _label_connections() -> None:
    """Name this process's PostgreSQL connections, those to come (the
    connection settings every thread's connections are made from) and those
    open now."""
    label = _label(_host(), os.getpid())
    for connection in connections.all():
        if connection.vendor != "postgresql":
            continue
        connection.settings_dict.setdefault("OPTIONS", {})["application_name"] = label
        if connection.connection is not None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('application_name', %s, false)", [label])
            except DatabaseError:
                logger.warning("cannot name the worker's database connection", exc_info=True)


def _parse_worker_id(worker_id: str) -> tuple[str, int] | None:
    """(host, pid) of an id made by new_worker_id, else None."""
    parts = (worker_id or "").rsplit("-", 2)
    if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process: it exists
        return True
    except OSError:
        return False
    return True


def _live_labels(alias: str) -> set[str] | None:
    """The names of the workers that hold a connection to the database now
    (PostgreSQL), or None where the database cannot tell (SQLite)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE %s",
                       [LABEL_PREFIX + "%"])
        return {row[0] for row in cursor.fetchall()}


def worker_alive(worker_id: str, labels: set[str] | None) -> bool:
    """Whether the worker `worker_id` may still be running its task. On its
    own machine its process says so (this very process: only the ids it
    made); elsewhere, on PostgreSQL, a connection carrying its name. A
    worker nothing can be known of (another machine over SQLite, an id not
    made by new_worker_id) counts as lost once the lease is over."""
    parsed = _parse_worker_id(worker_id)
    if parsed is None:
        return False
    host, pid = parsed
    if host == _host():
        if pid == os.getpid():
            return worker_id in _own_worker_ids
        return _process_exists(pid)
    if labels is None:
        return False
    return _label(host, pid) in labels


def recover_stale(now: dt.datetime | None = None, alias: str = "default") -> list[str]:
    """Tasks running for longer than the lease whose worker is gone: back
    in the queue while they have runs left (ATTEMPTS, counted in the row's
    worker ids), else failed with WorkerLost for the workbench; a line about
    each. Each row is taken under its lock, and only if it is still the same
    run: a worker finishing it meanwhile, or another worker recovering it,
    wins. The task's work must be idempotent (it may have been half done)."""
    if not uses_database_queue(alias):
        return []
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale = list(DBTaskResult.objects.running().filter(backend_name=alias, started_at__lt=now - lease())
                 .only("id", "worker_ids", "started_at", "task_path"))
    if not stale:
        return []
    labels = _live_labels(alias)
    lines = []
    for row in stale:
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker_alive(worker, labels):
            continue
        with transaction.atomic(using=alias):
            locked = (DBTaskResult.objects.using(alias).select_for_update(skip_locked=True, **ROW_LOCK)
                      .filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at).first())
            if locked is None:
                continue  # finished, or taken over, meanwhile
            runs = len(locked.worker_ids)
            seconds = int(lease().total_seconds())
            if runs < ATTEMPTS:
                locked.status = TaskResultStatus.READY
                locked.save(update_fields=["status"])
                lines.append(f"{locked.task_path}: its worker {worker or '?'} is gone; back in the queue "
                             f"(run {runs} of {ATTEMPTS})")
                logger.warning("task %s (%s) was running on worker %s, which is gone: back in the queue",
                               locked.pk, locked.task_path, worker)
                continue
            note = (f"第{runs}次执行中断，不再重试：执行它的后台进程（{worker or '未知'}）已停止，"
                    f"任务运行超过{seconds}秒未完成")
            locked.status = TaskResultStatus.FAILED
            locked.finished_at = now
            locked.exception_class_path = WORKER_LOST
            locked.traceback = f"{WORKER_LOST}: {note}\n"
            locked.return_value = None
            locked.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
            ScheduledJob.objects.using(alias).filter(name=locked.task_path).update(last_error=note, last_error_at=now)
            lines.append(f"{locked.task_path}: its worker {worker or '?'} is gone; failed after {runs} runs")
            logger.error("task %s (%s) was running on worker %s, which is gone, %d times: failed for good",
                         locked.pk, locked.task_path, worker, runs)
    return lines


def _recovery_due() -> bool:
    """At a worker's first pass, then at most every RECOVERY_EVERY_SECONDS
    (or half the lease, when shorter)."""
    every = min(RECOVERY_EVERY_SECONDS, lease().total_seconds() / 2)
    now = time.monotonic()
    if _last_recovery and now - _last_recovery[0] < every:
        return False
    _last_recovery[:] = [now]
    return True


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
            name = result.task_path.rsplit(".", 1)[-1]
            if result.exception_class_path == WORKER_LOST:  # nothing retries it
                rows.append(FailedJob(name, result.task_path, result.finished_at,
                                      error_line(result.traceback).removeprefix(f"{WORKER_LOST}: "), False))
                continue
            attempt = (result.args_kwargs.get("kwargs") or {}).get("retry_attempt", 1)
            permanent = result.exception_class_path == PERMANENT
            if attempt < ATTEMPTS and _is_retried(result.task_path) and not permanent:
                continue  # its retry is queued: a later failure is the one to show
            rows.append(FailedJob(name, result.task_path, result.finished_at,
                                  f"第{attempt}次执行失败：{error_line(result.traceback)}", False))
    return rows[:FAILURES_SHOWN]


PERMANENT = f"{__name__}.Permanent"


# --- one person's background jobs: exports and imports -------------------------------
# A job is a task enqueued with `job` (a random key: its retries keep it) and
# `requested_by` (the user's id) among its keyword arguments; the task reports
# its progress under the job's key in the cache (shared by every process,
# and every machine with Redis) and returns what it made.

PROGRESS_KEY = "gongkai:job-progress:"
JOBS_SHOWN = 30


def new_job_key() -> str:
    return get_random_string(24)


def report_progress(job: str, done: int, total: int, note: str = "") -> None:
    """How far job `job` has got; a cache that fails loses only the figure."""
    from django.core.cache import cache

    try:
        cache.set(PROGRESS_KEY + job, {"done": done, "total": total, "note": note[:200]},
                  timeout=int(KEEP_SUCCESSFUL.total_seconds()))
    except Exception:  # noqa: BLE001 - progress is a courtesy, never the job's failure
        logger.warning("cannot record the progress of job %s", job, exc_info=True)


def progress_of(job: str) -> dict | None:
    from django.core.cache import cache

    try:
        return cache.get(PROGRESS_KEY + job)
    except Exception:  # noqa: BLE001
        return None


STATUS_LABELS = {
    TaskResultStatus.READY: "排队中",
    TaskResultStatus.RUNNING: "进行中",
    TaskResultStatus.SUCCESSFUL: "已完成",
    TaskResultStatus.FAILED: "失败",
}


@dataclass
class BackgroundJob:
    id: str  # the task result of its latest run
    job: str
    task_path: str
    title: str
    status: str
    status_label: str
    enqueued_at: dt.datetime
    finished_at: dt.datetime | None
    progress: dict | None
    result: dict | None
    error: str


def background_jobs(user_id: int, task_paths, alias: str = "default") -> list[BackgroundJob]:
    """The jobs user `user_id` asked for of the tasks `task_paths`, newest
    first (the latest run of each: a failed run's retry stands for it);
    nothing where the queue is not in the database."""
    if not uses_database_queue(alias):
        return []
    from django_tasks_db.models import DBTaskResult

    rows = (DBTaskResult.objects.filter(backend_name=alias, task_path__in=list(task_paths),
                                        args_kwargs__kwargs__requested_by=user_id)
            .order_by("-enqueued_at")[:JOBS_SHOWN * ATTEMPTS])
    jobs, seen = [], set()
    for row in rows:
        kwargs = row.args_kwargs.get("kwargs") or {}
        key = kwargs.get("job") or str(row.pk)
        if key in seen:
            continue
        seen.add(key)
        error = ""
        if row.status == TaskResultStatus.FAILED:
            error = error_line(row.traceback).removeprefix(f"{PERMANENT}: ").removeprefix(f"{WORKER_LOST}: ")
        jobs.append(BackgroundJob(str(row.pk), key, row.task_path, kwargs.get("title") or row.task_path.rsplit(".", 1)[-1],
                                  row.status, STATUS_LABELS.get(row.status, row.status), row.enqueued_at,
                                  row.finished_at, progress_of(key) if row.status == TaskResultStatus.RUNNING else None,
                                  row.return_value if isinstance(row.return_value, dict) else None, error))
        if len(jobs) >= JOBS_SHOWN:
            break
    return jobs


def finished_job(user_id: int, job: str, task_path: str, alias: str = "default") -> dict | None:
    """What job `job` of user `user_id` made (its task's return value), once
    a run of it has succeeded; None otherwise (not theirs, not done)."""
    if not uses_database_queue(alias):
        return None
    from django_tasks_db.models import DBTaskResult

    row = (DBTaskResult.objects.successful()
           .filter(backend_name=alias, task_path=task_path, args_kwargs__kwargs__requested_by=user_id,
                   args_kwargs__kwargs__job=job).order_by("-finished_at").first())
    return row.return_value if row is not None and isinstance(row.return_value, dict) else None


def unfinished_jobs(user_id: int, task_paths, alias: str = "default") -> int:
    """How many of user `user_id`'s jobs are waiting or running."""
    if not uses_database_queue(alias):
        return 0
    from django_tasks_db.models import DBTaskResult

    return (DBTaskResult.objects.filter(backend_name=alias, task_path__in=list(task_paths),
                                        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
                                        args_kwargs__kwargs__requested_by=user_id).count())


def _is_retried(task_path: str) -> bool:
    try:
        return getattr(import_string(task_path).func, "retried", False)
    except (ImportError, AttributeError):
        return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
