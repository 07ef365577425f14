"""A worker killed in the middle of a task (SIGKILL, its machine lost) leaves
the task's row "running" in the database queue: the other workers put it
back in the queue once it has run longer than the lease and its worker is
gone, and after ATTEMPTS lost runs mark it failed for the office
administrator. A task whose worker lives is never taken from it."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from gongkai.core import scheduler
from gongkai.core.models import ScheduledJob
from gongkai.core.scheduler import PeriodicJob, Every, retried

pytestmark = pytest.mark.django_db(transaction=True)  # the library's worker closes connections between tasks

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)
LEASE = 600
REPO = Path(__file__).resolve().parents[2]
RUNS: list = []


@task()
@retried
def export_report(name="月报", now=None):
    RUNS.append(name)
    return {"rows": 3}


JOBS = [PeriodicJob(export_report, Every(seconds=30), "导出月报")]


@task()
def hold(flag: str) -> str:
    """Runs until the file `flag` exists (at most 30 s): long enough to be killed in."""
    deadline = time.monotonic() + 30
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released"


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.GONGKAI_TASK_LEASE_SECONDS = LEASE
    RUNS.clear()
    scheduler._last_recovery.clear()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield
    RUNS.clear()


def dead_pid() -> int:
    """The pid of a process of this machine that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def host() -> str:
    return socket.gethostname()[:30]


def running(result, worker_ids, started):
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, worker_ids=worker_ids,
                                                     started_at=started)
    return DBTaskResult.objects.get(pk=result.id)


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def test_a_task_whose_worker_died_goes_back_in_the_queue_after_the_lease_and_runs():
    with time_machine.travel(NOW, tick=False):
        result = export_report.enqueue("三月")
    lost = f"{host()}-{dead_pid()}-Ab3dE6gH"
    running(result, [lost], NOW)
    with time_machine.travel(NOW + dt.timedelta(seconds=LEASE - 1), tick=False):
        assert scheduler.recover_stale() == []  # within the lease: not even looked at
    assert status(result) == TaskResultStatus.RUNNING
    with time_machine.travel(NOW + dt.timedelta(seconds=LEASE + 1), tick=False):
        [line] = scheduler.recover_stale()
        assert f"its worker {lost} is gone; back in the queue (run 1 of {scheduler.ATTEMPTS})" in line
        assert scheduler.recover_stale() == []  # done once
        assert status(result) == TaskResultStatus.READY
        [done] = scheduler.run_queued(scheduler.new_worker_id())
    assert done.status == TaskResultStatus.SUCCESSFUL and RUNS == ["三月"]
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.worker_ids[0] == lost and len(row.worker_ids) == 2  # the same row, run again


def test_a_task_whose_worker_lives_is_left_to_it():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with time_machine.travel(NOW, tick=False):
            elsewhere = export_report.enqueue("另一进程")
            mine = export_report.enqueue("本进程")
        running(elsewhere, [f"{host()}-{sleeper.pid}-Zz9yX8wV"], NOW)
        own = scheduler.new_worker_id()
        running(mine, [own], NOW)
        with time_machine.travel(NOW + dt.timedelta(hours=5), tick=False):
            assert scheduler.recover_stale() == []
        assert status(elsewhere) == status(mine) == TaskResultStatus.RUNNING
    finally:
        sleeper.kill()
        sleeper.wait()
    with time_machine.travel(NOW + dt.timedelta(hours=5), tick=False):
        assert len(scheduler.recover_stale()) == 1  # its process has ended now
    assert status(elsewhere) == TaskResultStatus.READY and status(mine) == TaskResultStatus.RUNNING


def test_an_earlier_worker_of_this_very_pid_is_gone():
    """A worker restarted in a container often gets the pid of the one killed."""
    with time_machine.travel(NOW, tick=False):
        result = export_report.enqueue()
    scheduler.new_worker_id()
    running(result, [f"{host()}-{os.getpid()}-OldOne12"], NOW)
    with time_machine.travel(NOW + dt.timedelta(seconds=LEASE + 1), tick=False):
        assert len(scheduler.recover_stale()) == 1
    assert status(result) == TaskResultStatus.READY


def test_a_worker_on_another_machine_is_alive_while_it_holds_a_connection():
    """PostgreSQL names the workers' connections; SQLite has no other machine
    to ask about, so the lease alone decides there."""
    with time_machine.travel(NOW, tick=False):
        result = export_report.enqueue()
    other = "gk-worker-2.example.gov.cn-4242-Qq1wE2rT"
    running(result, [other], NOW)
    later = NOW + dt.timedelta(seconds=LEASE + 1)
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        with psycopg.connect(**{**params, "application_name": scheduler._label("gk-worker-2.example.gov.cn", 4242)}):
            with time_machine.travel(later, tick=False):
                assert scheduler.recover_stale() == []
            assert status(result) == TaskResultStatus.RUNNING
        for _ in range(100):  # the server forgets the closed connection at once, or nearly
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                               ["%gk-worker-2.example.gov.cn-4242"])
                if not cursor.fetchone()[0]:
                    break
            time.sleep(0.02)
    with time_machine.travel(later, tick=False):
        assert len(scheduler.recover_stale()) == 1
    assert status(result) == TaskResultStatus.READY


def test_after_the_last_lost_run_the_task_fails_and_the_office_sees_it(org_tree, make_user, client):
    office = make_user("gongkaiban", (org_tree["province"], "office_admin"))
    county_admin = make_user("county-admin", (org_tree["county"], "office_admin"))
    with time_machine.travel(NOW, tick=False):
        result = export_report.enqueue("全年")
    lost = [f"{host()}-{dead_pid()}-Run{n}xxxx" for n in range(1, scheduler.ATTEMPTS + 1)]
    running(result, lost, NOW)
    with time_machine.travel(NOW + dt.timedelta(seconds=LEASE + 1), tick=False):
        [line] = scheduler.recover_stale()
        assert f"failed after {scheduler.ATTEMPTS} runs" in line
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == TaskResultStatus.FAILED and row.exception_class_path == scheduler.WORKER_LOST
        assert scheduler.run_queued(scheduler.new_worker_id()) == [] and RUNS == []  # not run again
        [failed] = scheduler.failed_jobs()
        assert failed.title == "export_report" and not failed.periodic
        assert failed.error == (f"第{scheduler.ATTEMPTS}次执行中断，不再重试：执行它的后台进程（{lost[-1]}）已停止，"
                                f"任务运行超过{LEASE}秒未完成")
        client.force_login(office)
        page = client.get(reverse("workspace:home")).content.decode()
        assert "后台任务失败（1）" in page and "执行中断" in page and lost[-1] in page
        client.force_login(county_admin)
        assert "后台任务失败" not in client.get(reverse("workspace:home")).content.decode()


def test_a_periodic_job_lost_for_good_keeps_its_error_until_it_succeeds(settings):
    settings.GONGKAI_PERIODIC_JOBS = "tests.core.test_worker_recovery.JOBS"
    jobs = JOBS
    with time_machine.travel(NOW, tick=False):
        [result] = scheduler.tick(jobs).values()
    running(result, [f"{host()}-{dead_pid()}-Per{n}xxxx" for n in range(scheduler.ATTEMPTS)], NOW)
    with time_machine.travel(NOW + dt.timedelta(seconds=LEASE + 1), tick=False):
        scheduler.recover_stale()
        row = ScheduledJob.objects.get(name=export_report.module_path)
        assert row.last_error.startswith(f"第{scheduler.ATTEMPTS}次执行中断，不再重试")
        assert [job.error for job in scheduler.failed_jobs()] == [row.last_error]  # listed once, as the periodic job
        scheduler.tick(jobs)
        scheduler.run_queued(scheduler.new_worker_id())
    assert ScheduledJob.objects.get(name=export_report.module_path).last_error == ""


def test_a_worker_looks_for_lost_tasks_at_its_first_pass_then_at_most_every_half_lease(settings):
    settings.GONGKAI_TASK_LEASE_SECONDS = 10
    with time_machine.travel(NOW, tick=False):
        first = export_report.enqueue("一")
        second = export_report.enqueue("二")
    running(first, [f"{host()}-{dead_pid()}-First123"], NOW)
    with time_machine.travel(NOW + dt.timedelta(seconds=11), tick=False):
        worker = scheduler.new_worker_id()
        assert [r.status for r in scheduler.run_queued(worker)] == [TaskResultStatus.SUCCESSFUL] * 2
        running(second, [f"{host()}-{dead_pid()}-Secnd123"], NOW)
        assert scheduler.run_queued(worker) == []  # looked a moment ago
    assert sorted(RUNS) == ["一", "二"] and status(second) == TaskResultStatus.RUNNING


def test_a_worker_process_killed_mid_task_loses_it_to_the_next_worker(tmp_path, settings):
    """The real thing: `gongkai worker` runs a task, SIGKILL, and this
    process, a worker of its own, takes the task over once the lease is out."""
    flag = tmp_path / "release"
    result = hold.enqueue(str(flag))
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    else:
        url = f"sqlite:///{params['NAME']}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GONGKAI_TEST_", "DATABASE_URL", "GONGKAI_ENV", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="tests.faults.worker_settings", DATABASE_URL=url,
               GONGKAI_DATA_DIR=str(tmp_path / "data"), GONGKAI_FAULT_JOBS="none", PYTHONPATH=str(REPO))
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gongkai.cli", "worker", "--interval", "0.1"], cwd=REPO,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while status(result) != TaskResultStatus.RUNNING:
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING and row.worker_ids[0].startswith(f"{host()}-{process.pid}-")
    settings.GONGKAI_TASK_LEASE_SECONDS = 1
    time.sleep(1.1)
    flag.touch()
    [done] = scheduler.run_queued(scheduler.new_worker_id())  # its first pass looks for lost tasks
    assert done.id == str(result.id) and done.status == TaskResultStatus.SUCCESSFUL and done.return_value == "released"
