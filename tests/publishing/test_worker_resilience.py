"""`gongkai worker` outlives the database failing under it (PostgreSQL
restarting, its connection dropped mid-tick, the server refusing connections
for a while): it logs the failure, closes its connections, waits 1, 2, 4, ...
seconds and goes on, so scheduled publications do not stop."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections
from django.utils import timezone

from gongkai.catalog.models import Document
from gongkai.core import audit
from gongkai.publishing import workflow
from gongkai.publishing.management.commands import worker
from tests.db_faults import terminate_backend
from tests.publishing.test_workflow import draft, to_ready

# Connections are dropped and opened again: no test transaction around them.
pytestmark = pytest.mark.django_db(transaction=True)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Due by any clock: the worker process reads the real one, this process maybe a pinned one.
LONG_AGO = dt.datetime(2020, 1, 6, 9, 0, tzinfo=dt.UTC)


def due_document(staff, org, title, when=None):
    doc = to_ready(draft(staff, org, title=title), staff)
    Document.objects.filter(pk=doc.pk).update(scheduled_at=when or timezone.now() - dt.timedelta(minutes=5))
    return doc


def drop_connection() -> None:
    """What a database restart does to this process's open connection."""
    if connection.vendor == "postgresql":
        terminate_backend(connection.connection.info.backend_pid)
    else:
        connection.connection.close()  # SQLite has no server: the connection itself goes away


def stop_worker() -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # as systemd stops it: the worker finishes this tick and returns


@pytest.fixture(autouse=True)
def reconnect_afterwards():
    """Whatever a test left of its connection, the teardown opens a new one."""
    yield
    for conn in connections.all(initialized_only=True):
        conn.close()


@pytest.fixture
def waits(monkeypatch):
    """The worker's waits, recorded instead of slept."""
    recorded = []
    monkeypatch.setattr(worker.Command, "_wait", lambda self, seconds: recorded.append(seconds))
    return recorded


def test_the_worker_survives_its_connection_dropped_mid_tick(org_tree, county_staff, waits, monkeypatch, caplog,
                                                             capsys):
    doc = due_document(county_staff, org_tree["county"], "关于印发西昌市城乡居民医疗救助办法的通知")
    real_tick = worker.tick
    ticks = []

    def tick(worker_id, **options):
        ticks.append(options)
        if len(ticks) == 1:
            Document.objects.count()  # the connection is open and has passed its health check
            drop_connection()
            return real_tick(worker_id, **options)  # fails half-way: the database is gone under it
        lines = real_tick(worker_id, **options)
        stop_worker()
        return lines

    monkeypatch.setattr(worker, "tick", tick)
    previous = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--interval", "30")
    assert len(ticks) == 2 and ticks[1]["interrupted"]  # the pass after a failure requeues what it cut off
    assert waits == [worker.RETRY_FIRST_SECONDS]  # the backoff, then the next tick
    assert Document.objects.get(pk=doc.pk).status == workflow.PUBLISHED
    failures = [r for r in caplog.records if r.name == "gongkai.worker" and r.levelname == "ERROR"]
    assert len(failures) == 1 and "the database failed" in failures[0].getMessage() and failures[0].exc_info
    captured = capsys.readouterr()
    assert "worker: publish_due: published 1, held 0" in captured.out
    assert "trying again in 1 s" in captured.err and "the database is back" in captured.err
    assert signal.getsignal(signal.SIGTERM) is previous  # the worker gives the signal handlers back


def test_the_worker_backs_off_while_the_database_is_down(org_tree, waits, monkeypatch):
    outcomes = iter(["down", "down", "down", "ok", "down", "stop"])
    open_at_tick = []

    def tick(worker_id, **options):
        open_at_tick.append(connection.connection is not None)
        outcome = next(outcomes)
        if outcome == "down":
            connection.ensure_connection()  # it had a connection when the failure came
            raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
        if outcome == "stop":
            stop_worker()
        return []

    monkeypatch.setattr(worker, "tick", tick)
    call_command("worker", "--interval", "30")
    assert waits == [1, 2, 4, 30, 1]  # doubling while it fails, the interval again once it works
    assert open_at_tick[1:] == [False] * 5  # every failure closed the connection
    assert [worker.retry_delay(n) for n in (1, 2, 6, 7, 40)] == [1, 2, 32, 60, 60]


def test_one_tick_reports_the_failure_plainly(org_tree, monkeypatch):
    def tick(worker_id, **options):
        connection.ensure_connection()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(worker, "tick", tick)
    with pytest.raises(CommandError, match="the database failed .server closed the connection unexpectedly."):
        call_command("worker", "--once")
    assert connection.connection is None


def test_a_running_worker_process_outlives_a_database_restart(org_tree, county_staff, tmp_path):
    """The whole worker process: its connection is terminated and the database
    refuses connections for a while, as during a restart; documents due after
    that are still published."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a server whose connections can be terminated)")
    first = due_document(county_staff, org_tree["county"], "关于印发西昌市城乡居民医疗救助办法的通知", LONG_AGO)
    params = connection.settings_dict
    url = (f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}")
    env = {k: v for k, v in os.environ.items() if k not in {"GONGKAI_TEST_DB_NAME", "DATABASE_URL", "GONGKAI_ENV"}}
    env.update(DJANGO_SETTINGS_MODULE="gongkai.test_settings", GONGKAI_TEST_DATABASE_URL=url,
               GONGKAI_DATA_DIR=str(tmp_path), PYTHONPATH=REPO,
               GONGKAI_AUDIT_KEY=audit._key().decode())  # the audit entries it writes continue our log
    log_path = tmp_path / "worker.log"

    def log_text():
        return log_path.read_text()

    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "gongkai.cli", "worker", "--interval", "0.2"], cwd=REPO,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    quoted = connection.ops.quote_name(params["NAME"])

    def as_administrator(*statements):
        """From the maintenance database: a database cannot close its own doors."""
        import psycopg

        with psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"],
                             dbname="postgres", autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def published(doc, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            if Document.objects.get(pk=doc.pk).status == workflow.PUBLISHED:
                return True
            time.sleep(0.1)
        return False

    try:
        assert published(first), log_text()
        # The restart: no new connection is let in, and the worker's own is cut.
        own = connection.connection.info.backend_pid
        as_administrator(f"ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS false",
                         f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{params['NAME']}' AND pid <> {own} AND pid <> pg_backend_pid()")
        time.sleep(2)  # several ticks fail meanwhile
        assert process.poll() is None, log_text()
        as_administrator(f"ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS true")
        second = due_document(county_staff, org_tree["county"], "关于做好2024年度城乡居民医疗保险参保缴费工作的通知",
                              LONG_AGO)
        assert published(second, 60), log_text()
    finally:
        as_administrator(f"ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS true")
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log_text()
    assert process.returncode == 0, output
    assert "the database failed" in output and "the database is back" in output
