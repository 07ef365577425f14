"""The background jobs on Django's tasks API: the periods of the one list of
periodic jobs, the scheduler that enqueues each due job once however many
workers tick (a row lock; two threads at the same moment), catching up once
after downtime, retries with backoff, the failures the office administrator
sees, and `gongkai worker --once` running the database queue.

The suite runs tasks with the immediate backend (gongkai.test_settings); the
tests of the queue itself switch to the database backend."""

import ast
import datetime as dt
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from gongkai.catalog.models import Document
from gongkai.core import scheduler
from gongkai.core.models import ScheduledJob
from gongkai.core.scheduler import Daily, Every, PeriodicJob, retried
from gongkai.publishing import services as publishing, workflow
from tests.publishing.test_workflow import draft, to_ready

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday
DATABASE_QUEUE = override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
REPO = Path(__file__).resolve().parents[2]

# --- tasks of these tests ------------------------------------------------------------

CALLS: list = []


@task()
@retried
def count_call(now=None):
    CALLS.append(now)
    return {"calls": len(CALLS)}


@task()
@retried
def always_fails(now=None):
    CALLS.append(now)
    raise RuntimeError("the remote site answered 503")


@task()
@retried
def fails_once(now=None):
    CALLS.append(now)
    if len(CALLS) == 1:
        raise TimeoutError("连接超时")
    return {"calls": len(CALLS)}


@task()
@retried
def one_off_fails():
    raise ValueError("导出文件过大")


@pytest.fixture(autouse=True)
def fresh_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def at(hour, minute=0, day=NOW.day):
    return NOW.replace(day=day, hour=hour, minute=minute)


# --- periods (no database) -----------------------------------------------------------


def test_every_counts_from_the_tick():
    assert Every(seconds=30).next_after(NOW) == NOW + dt.timedelta(seconds=30)


def test_daily_is_the_first_tick_of_each_local_day():
    daily = Daily()
    assert daily.next_after(at(9)) == dt.datetime(2025, 3, 4, 0, 0, tzinfo=SHANGHAI)
    assert daily.next_after(at(0)) == dt.datetime(2025, 3, 4, 0, 0, tzinfo=SHANGHAI)  # just ran at midnight
    # a UTC instant late on 3 March is 4 March in Shanghai: the next day is the 5th
    assert daily.next_after(dt.datetime(2025, 3, 3, 17, 0, tzinfo=dt.UTC)) == dt.datetime(2025, 3, 5, 0, 0, tzinfo=SHANGHAI)
    later = Daily(at=dt.time(2, 30))
    assert later.next_after(at(1)) == dt.datetime(2025, 3, 3, 2, 30, tzinfo=SHANGHAI)
    assert later.next_after(at(9)) == dt.datetime(2025, 3, 4, 2, 30, tzinfo=SHANGHAI)


def test_retry_delays_double_up_to_an_hour():
    assert [scheduler.retry_delay(n) for n in (1, 2, 3, 7, 30)] == [60, 120, 240, 3600, 3600]


def test_the_list_names_each_apps_own_tasks_once(settings):
    jobs = scheduler.periodic_jobs()
    names = [job.name for job in jobs]
    assert len(names) == len(set(names))
    for job in jobs:
        app = job.name.split(".")[1]
        assert job.name == f"gongkai.{app}.tasks.{job.task.name}", job.name
        assert job.task.func.retried and job.title
    assert {job.task.name for job in jobs} >= {
        "publish_due", "expire_due", "read_attachment_text", "application_deadlines", "crawl_due_sites",
        "draft_due_bulletins", "anchor_audit_log"}


def test_publishing_no_longer_imports_the_apps_above_it():
    above = ("gongkai.applications", "gongkai.monitor", "gongkai.workplan", "gongkai.jobs")
    for path in (REPO / "gongkai" / "publishing").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not [n for n in names if n.startswith(above)], (path, names)


# --- the scheduler (immediate backend) -----------------------------------------------


@pytest.mark.django_db
def test_two_ticks_at_the_same_instant_enqueue_each_due_job_once():
    jobs = [PeriodicJob(count_call, Every(seconds=30), "测试")]
    first = scheduler.tick(jobs, now=NOW)
    assert list(first) == [count_call.module_path]
    assert first[count_call.module_path].status == TaskResultStatus.SUCCESSFUL
    assert scheduler.tick(jobs, now=NOW) == {}  # a second worker at the same moment
    assert CALLS == [NOW.isoformat()]  # the task was given the tick's time
    row = ScheduledJob.objects.get(name=count_call.module_path)
    assert row.last_run == NOW and row.next_due == NOW + dt.timedelta(seconds=30) and row.last_error == ""


@pytest.mark.django_db
def test_a_job_missed_while_the_worker_was_down_runs_once():
    jobs = [PeriodicJob(count_call, Daily(), "每日"), PeriodicJob(always_fails, Every(seconds=30), "每30秒")]
    assert set(scheduler.tick(jobs, now=at(9))) == {count_call.module_path, always_fails.module_path}
    assert scheduler.tick(jobs, now=at(9, 0)) == {}
    assert list(scheduler.tick(jobs, now=at(23, 59))) == [always_fails.module_path]  # daily: not before tomorrow
    # down from Monday night to Thursday morning: each job runs once, not once per day or per 30 s missed
    assert set(scheduler.tick(jobs, now=at(9, day=6))) == {count_call.module_path, always_fails.module_path}
    assert scheduler.tick(jobs, now=at(9, day=6) + dt.timedelta(seconds=29)) == {}
    assert len([c for c in CALLS if c]) == 5


@pytest.mark.django_db
def test_the_real_jobs_run_from_the_scheduler(org_tree, county_staff):
    doc = to_ready(draft(county_staff, org_tree["county"]), county_staff)
    Document.objects.filter(pk=doc.pk).update(scheduled_at=NOW - dt.timedelta(minutes=1))
    results = scheduler.tick(now=NOW)
    lines = {scheduler.describe(result) for result in results.values()}
    assert {"publish_due: published 1, held 0", "expire_due: expired 0", "draft_due_bulletins: bulletins 0",
            "application_deadlines: overdue 0, no_correction 0, no_payment 0", "crawl_due_sites: sites 0"} <= lines
    assert Document.objects.get(pk=doc.pk).status == workflow.PUBLISHED
    assert ScheduledJob.objects.count() == len(scheduler.periodic_jobs())


@pytest.mark.django_db
def test_a_failed_job_is_shown_to_the_office_administrator_until_it_succeeds(org_tree, make_user, client,
                                                                            monkeypatch):
    office = make_user("gongkaiban", (org_tree["province"], "office_admin"))  # the office at the top of the tree
    county_admin = make_user("county-admin", (org_tree["county"], "office_admin"))

    def broken(now=None):
        raise ConnectionError("对象存储不可用")

    monkeypatch.setattr(publishing, "publish_due", broken)
    result = scheduler.tick(now=NOW)["gongkai.publishing.tasks.publish_due"]
    assert result.status == TaskResultStatus.FAILED
    assert scheduler.describe(result) == "publish_due: failed (ConnectionError: 对象存储不可用)"
    row = ScheduledJob.objects.get(name="gongkai.publishing.tasks.publish_due")
    # the immediate backend cannot defer a retry; the database backend's is tested below
    assert row.last_error == "第1次执行失败，不再重试：ConnectionError: 对象存储不可用" and row.last_error_at

    client.force_login(office)
    page = client.get(reverse("workspace:home")).content.decode()
    assert "后台任务失败（1）" in page and "定时发布" in page and "对象存储不可用" in page
    client.force_login(county_admin)  # a county's office administrator does not run the installation
    assert "后台任务失败" not in client.get(reverse("workspace:home")).content.decode()

    monkeypatch.undo()
    scheduler.tick(now=NOW + dt.timedelta(minutes=1))  # the next run succeeds: the error is gone
    assert ScheduledJob.objects.get(name="gongkai.publishing.tasks.publish_due").last_error == ""
    client.force_login(office)
    assert "后台任务失败" not in client.get(reverse("workspace:home")).content.decode()


# --- the database queue ---------------------------------------------------------------
# The library's worker closes stale connections between tasks: no test transaction.


@pytest.fixture
def database_queue():
    with DATABASE_QUEUE:
        yield


def run_every_attempt(delays: list | None = None) -> list:
    """Run the queue at each retry's time until nothing is waiting; the results."""
    results, previous = [], None
    with time_machine.travel(NOW, tick=False) as clock:
        while waiting := DBTaskResult.objects.filter(status=TaskResultStatus.READY).first():
            if waiting.args_kwargs["kwargs"].get("retry_attempt", 1) > 1:
                clock.move_to(waiting.run_after)
                if delays is not None:
                    delays.append((waiting.run_after - previous).total_seconds())
            previous = timezone.now()
            results += scheduler.run_queued("test-worker")
    return results


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_with_backoff_then_given_up(database_queue):
    jobs = [PeriodicJob(always_fails, Daily(), "抓取外部数据")]
    with time_machine.travel(NOW, tick=False):
        scheduler.tick(jobs)
    delays = []
    results = run_every_attempt(delays)
    assert delays == [60, 120, 240]  # after the 1st, 2nd and 3rd failure
    assert [r.kwargs.get("retry_attempt", 1) for r in results] == list(range(1, scheduler.ATTEMPTS + 1))
    assert all(r.status == TaskResultStatus.FAILED for r in results)
    assert "RuntimeError: the remote site answered 503" in results[-1].errors[-1].traceback  # each attempt's error kept
    assert len(CALLS) == scheduler.ATTEMPTS and not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert ScheduledJob.objects.get(name=always_fails.module_path).last_error == (
        "第4次执行失败，不再重试：RuntimeError: the remote site answered 503")


@pytest.mark.django_db(transaction=True)
def test_a_retry_that_succeeds_clears_the_error(database_queue):
    jobs = [PeriodicJob(fails_once, Daily(), "偶发故障")]
    with time_machine.travel(NOW, tick=False):
        scheduler.tick(jobs)
        [first] = scheduler.run_queued("test-worker")
        row = ScheduledJob.objects.get(name=fails_once.module_path)
        assert first.status == TaskResultStatus.FAILED
        assert row.last_error == "第1次执行失败，将于2025-03-03 09:01重试：TimeoutError: 连接超时"
    [second] = run_every_attempt()
    assert second.status == TaskResultStatus.SUCCESSFUL and second.return_value == {"calls": 2}
    assert ScheduledJob.objects.get(name=fails_once.module_path).last_error == ""


@pytest.mark.django_db(transaction=True)
def test_a_one_off_task_is_listed_once_it_has_failed_for_good(database_queue):
    with time_machine.travel(NOW, tick=False):
        one_off_fails.enqueue()
        scheduler.run_queued("test-worker")
        assert scheduler.failed_jobs() == []  # its retry is waiting
    run_every_attempt()
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        [failed] = scheduler.failed_jobs()
    assert failed.title == "one_off_fails" and not failed.periodic
    assert failed.error == "第4次执行失败：ValueError: 导出文件过大"


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_the_schedule_and_the_queue(database_queue, org_tree, county_staff, capsys):
    doc = to_ready(draft(county_staff, org_tree["county"]), county_staff)
    Document.objects.filter(pk=doc.pk).update(scheduled_at=NOW - dt.timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        call_command("worker", "--once")
        out = capsys.readouterr().out
        assert "worker: publish_due: published 1, held 0" in out and "worker: draft_due_bulletins: bulletins 0" in out
        assert Document.objects.get(pk=doc.pk).status == workflow.PUBLISHED
        jobs = len(scheduler.periodic_jobs())
        assert DBTaskResult.objects.successful().count() == jobs and not DBTaskResult.objects.ready().exists()
        call_command("worker", "--once")  # another worker, the same moment: nothing is due
        assert capsys.readouterr().out == "worker: nothing was due\n"
        assert DBTaskResult.objects.count() == jobs
    with time_machine.travel(NOW + dt.timedelta(seconds=31), tick=False):
        call_command("worker", "--once")  # the every-30-seconds jobs again, not the daily ones
        out = capsys.readouterr().out
    assert "publish_due: published 0" in out and "draft_due_bulletins" not in out


@pytest.mark.django_db(transaction=True)
def test_a_task_cut_off_by_a_database_failure_goes_back_in_the_queue(database_queue):
    result = count_call.enqueue()
    other = count_call.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, worker_ids=["w1"])
    DBTaskResult.objects.filter(pk=other.id).update(status=TaskResultStatus.RUNNING, worker_ids=["w1", "w2"])
    assert scheduler.requeue_interrupted("w1") == 1  # the one w2 took over is w2's
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=other.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_old_results_are_pruned(database_queue):
    with time_machine.travel(NOW - dt.timedelta(days=8), tick=False):
        count_call.enqueue()
        always_fails.enqueue(retry_attempt=scheduler.ATTEMPTS)
        scheduler.run_queued("test-worker")
    with time_machine.travel(NOW, tick=False):
        count_call.enqueue()
        scheduler.run_queued("test-worker")
        assert scheduler.prune_results() == 1  # the old success; failures are kept a month
    assert DBTaskResult.objects.successful().count() == 1 and DBTaskResult.objects.failed().count() == 1


class SlowToEnqueue:
    """The job's task, enqueued slowly: the first worker holds the row lock
    long enough for the second to run into it."""

    def __init__(self, task):
        self.task = task

    @property
    def module_path(self):
        return self.task.module_path

    def enqueue(self, **kwargs):
        time.sleep(0.3)
        return self.task.enqueue(**kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_together_enqueue_each_due_job_once(database_queue):
    """Two threads, two connections, the same instant: on PostgreSQL the
    second waits on the row lock (SELECT ... FOR UPDATE), on SQLite on the
    write lock of its IMMEDIATE transaction, and then finds the job not due."""
    jobs = [PeriodicJob(SlowToEnqueue(count_call), Every(seconds=30), "慢"),
            PeriodicJob(SlowToEnqueue(always_fails), Daily(), "慢")]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            outcomes.append(scheduler.tick(jobs, now=NOW))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(outcomes) == 2
    assert sorted(len(outcome) for outcome in outcomes) in ([0, 2], [1, 1])  # each job went to one of them
    for path in (count_call.module_path, always_fails.module_path):
        assert DBTaskResult.objects.filter(task_path=path).count() == 1
    assert ScheduledJob.objects.get(name=count_call.module_path).next_due == NOW + dt.timedelta(seconds=30)
