"""The fault test (issue 20): the whole platform under load while its
database and a worker fail under it.

A PostgreSQL server of the test's own (never the shared one), `gongkai serve`
with 2 processes behind a trusted proxy address, and 2 `gongkai worker`
processes. Through HTTP, from a thread pool: 500 disclosure applications,
each with a small PDF, from 500 addresses (the rate limits count per
address, as behind nginx), and 200 staff actions (4 teams draft 10
documents each and take them through review and publication: create,
submit, pass, secrecy pass, publish). Meanwhile PostgreSQL restarts twice
(pg_ctl restart -m fast) and the worker running a long task is killed
with SIGKILL (a replacement starts). Documents scheduled for publication
come due during the run.

Afterwards:
- every application whose receipt page showed a tracking code is in the
  database exactly once, that code finds it, and its file is stored whole;
  no receipt was shown for an application that is not stored;
- an application never exists twice. A browser user resubmits a form
  answered with a 5xx; the form's one-time token was used by the first
  attempt, so the resubmission is refused as already sent ("这份表单已经提交
  过一次") whether or not the first attempt was stored, and the person is told
  to check before applying again. That is what keeps a submission cut off
  after its commit (the session holding the receipt is saved after it) from
  being stored twice; such a submission is stored once without its receipt
  having been shown ("stored_without_receipt" in the summary: the busy
  page's "nothing was saved" is not true for it);
- every 5xx answer is the clean error page (503 "系统繁忙" with Retry-After
  while the database is away), never a traceback; no connection is dropped;
- every staff document exists once and is published once; every scheduled
  document is published exactly once (one publication in the audit log, one
  publish step), by the workers, through the restarts;
- the task the killed worker was running is taken over once its lease is
  out and finishes; no task is left running;
- `gongkai audit verify` finds the audit chain whole.

Runs only in the PostgreSQL run of the suite (skipped on SQLite), needs
the PostgreSQL server binaries (initdb, pg_ctl), and takes about two
minutes on two idle cores; its summary line (printed) gives the phases'
times, the answers by status and the applications' outcomes. A staff action that got a 5xx is retried by its client as a person
would: a draft is first looked for in the list (it may have been saved), a
workflow button is pressed again (the workflow refuses a move already made)."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.faults.cluster import Cluster, binaries, free_port

REPO = Path(__file__).resolve().parents[2]
APPLICATIONS = 500
TEAMS = 4
DOCUMENTS_PER_TEAM = 10  # 5 actions each: 4 x 10 x 5 = 200 staff actions
SCHEDULED_AFTER = [15, 20, 25, 30, 35, 40, 45, 50]  # seconds after setup
APPLY_THREADS = 32  # most of them wait while their person fills in the form
FILLING_IN_SECONDS = 3.2  # the form refuses a submission sent less than 3 s after it was shown
LEASE_SECONDS = 3
DEADLINE_SECONDS = 600  # the whole run, setup included: a hang fails instead of blocking CI

BUSY_MARK = "系统繁忙，请稍后再试"
ERROR_MARK = "服务暂时不可用"
REPLAY_MARK = "这份表单已经提交过一次"
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "django.db.utils", "psycopg")


def _skip_reason() -> str | None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "the fault test runs in the PostgreSQL run of the suite (GONGKAI_TEST_DATABASE_URL)"
    if binaries() is None:
        return "needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "as root, initdb needs a `postgres` account to run as"
    return None


pytestmark = [pytest.mark.postgres, pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")]


# --- what the clients saw --------------------------------------------------------------


@dataclass
class Answer:
    what: str
    method: str
    path: str
    status: int | None  # None: no HTTP answer (the connection failed)
    problem: str = ""  # a 5xx that is not the clean page, or the transport error
    detail: str = ""  # what a 4xx or 5xx page said (its heading)


@dataclass
class Journal:
    answers: list[Answer] = field(default_factory=list)
    done: int = 0  # finished applications and staff actions
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def finished(self) -> None:
        with self.lock:
            self.done += 1


def unclean(response) -> str:
    """Why a 5xx answer is not the clean error page ('' when it is)."""
    text = response.text
    if response.status_code not in (500, 503):
        return f"status {response.status_code}"
    if "text/html" not in response.headers.get("content-type", ""):
        return f"content type {response.headers.get('content-type')}"
    if any(mark in text for mark in TRACEBACK_MARKS):
        return "a traceback or database error in the page"
    if response.status_code == 503 and (BUSY_MARK not in text or not response.headers.get("retry-after")):
        return "a 503 without the busy page and Retry-After"
    if response.status_code == 500 and ERROR_MARK not in text:
        return "a 500 without the error page"
    return ""


class Browser:
    """One person's browser: its own cookies, its address as the proxy
    reports it. Every browser sends through one pool of connections (the
    test's `transport`): a few dozen connections, as many people behind one
    proxy, not one per person (waitress serves 100 per process)."""

    def __init__(self, transport, journal: Journal, address: str):
        import httpx

        self.httpx = httpx
        self.journal = journal
        self.failure = ""  # the last request's transport error
        self.client = httpx.Client(base_url=transport.base, transport=transport.pool, timeout=60,
                                   follow_redirects=False,
                                   headers={"X-Forwarded-For": address, "User-Agent": "gongkai-fault-test"})

    def send(self, what: str, method: str, path: str, **kwargs):
        """One request, its answer noted; None when no answer came."""
        try:
            response = self.client.request(method, path, **kwargs)
        except self.httpx.TransportError as exc:
            self.failure = f"{type(exc).__name__}: {exc}"
            self.journal.note(Answer(what, method, path, None, self.failure))
            return None
        problem = unclean(response) if response.status_code >= 500 else ""
        if problem:
            problem += ": " + re.sub(r"\s+", " ", response.text)[:500]
        detail = ""
        if response.status_code >= 400:
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S)
            detail = re.sub(r"\s+", " ", heading.group(1) if heading else response.text[:200])
        self.journal.note(Answer(what, method, path, response.status_code, problem, detail))
        return response

    def get(self, what: str, path: str, tries: int = 40):
        """GET until a non-5xx answer, as a person reloads a page that failed."""
        answers = []
        for _ in range(tries):
            response = self.send(what, "GET", path)
            if response is not None and response.status_code < 500:
                return response
            answers.append(response.status_code if response is not None else self.failure)
            time.sleep(0.5)
        raise AssertionError(f"{what}: GET {path} kept failing: {answers}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""


@dataclass
class Transport:
    base: str
    pool: object  # httpx.HTTPTransport, shared


def transport_to(base: str) -> Transport:
    import httpx

    return Transport(base, httpx.HTTPTransport(limits=httpx.Limits(max_connections=48, max_keepalive_connections=48)))


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


# --- applications ---------------------------------------------------------------------


@dataclass
class Submission:
    n: int
    key: str
    pdf: bytes
    outcome: str = ""  # received | replay_after_5xx | gave_up | unexpected: ...
    code: str = ""
    failed_posts: int = 0  # POSTs answered 5xx (or not at all)

    @property
    def title(self) -> str:
        return f"西昌市2024年城乡居民最低生活保障资金发放明细（{self.key}）"


def submission(n: int, run: str) -> Submission:
    key = f"{run}-{n:04d}"
    pdf = (b"%PDF-1.4\n% gongkai fault test " + key.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    return Submission(n, key, pdf)


def submit(sub: Submission, transport: Transport, journal: Journal, county: int) -> None:
    """Open the form, fill it in (a person takes more than the form's
    minimum of 3 seconds), send it; after a 5xx send the same form again
    (a browser's resubmit), as long as it takes."""
    try:
        browser = Browser(transport, journal, f"10.{20 + sub.n // 250}.{sub.n % 250}.{7 + sub.n % 3}")
        page = browser.get("apply form", "/apply/").text
        opened = time.monotonic()  # the form's token was made a moment before
        form = {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"), "started": hidden(page, "started"),
            "organisation": str(county), "applicant_type": "natural",
            "applicant_name": f"李{'明华秀英建国'[sub.n % 6]}", "id_document": f"居民身份证 51340119880{sub.n:04d}211X",
            "phone": "0834-3226651", "email": f"applicant{sub.n}@example.cn", "address": "四川省西昌市长安中路12号",
            "info_title": sub.title, "info_description": "2024年1月至6月各乡镇城乡低保资金发放的户数和金额。",
            "form": "electronic", "delivery": "online", "consent": "on", "website": "",
        }
        time.sleep(max(0.0, opened + FILLING_IN_SECONDS - time.monotonic()))
        for _ in range(30):
            response = browser.send("application", "POST", "/apply/", data=form,
                                    files={"files": (f"身份证明-{sub.key}.pdf", sub.pdf, "application/pdf")})
            if response is None or response.status_code >= 500:
                sub.failed_posts += 1
                time.sleep(1)
                continue
            if response.status_code == 302 and response.headers["location"].endswith("/apply/received/"):
                page = browser.get("receipt", "/apply/received/").text
                match = re.search(r'<p class="code-value"><code>([^<]+)</code>', page)
                sub.outcome, sub.code = ("received", match.group(1)) if match else ("unexpected: receipt gone", "")
                return
            if response.status_code == 200 and REPLAY_MARK in response.text and sub.failed_posts:
                sub.outcome = "replay_after_5xx"  # told the form was sent already: the person checks, not resends
                return
            notice = re.search(r'class="notice[^"]*"[^>]*>(.*?)</', response.text, re.S)
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
            sub.outcome = (f"unexpected: {response.status_code} "
                           f"{(notice.group(1) if notice else '')[:200]!r} {[e[:200] for e in errors]!r}")
            return
        sub.outcome = "gave_up"
    except Exception as exc:  # the test reports it with the other outcomes
        sub.outcome = f"error: {exc!r}"
    finally:
        journal.finished()


# --- staff ------------------------------------------------------------------------------


@dataclass
class StaffWork:
    titles: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def login(transport: Transport, journal: Journal, username: str, password: str, team: int) -> Browser:
    browser = Browser(transport, journal, f"10.9.{team}.{len(username)}")
    for _ in range(30):
        browser.get("login form", "/staff/login/")
        response = browser.send("login", "POST", "/staff/login/",
                                data={"username": username, "password": password, "csrfmiddlewaretoken": browser.csrf()})
        if response is not None and response.status_code == 302:
            return browser
        assert response is None or response.status_code >= 500, f"login of {username}: {response.status_code}"
        time.sleep(0.5)
    raise AssertionError(f"{username} could not sign in")


def create_draft(browser: Browser, title: str, county: int, notice: int, work: StaffWork, journal: Journal) -> int:
    data = {"organisation": str(county), "title": title, "genre": str(notice), "disclosure": "proactive",
            "body_html": "<p>为进一步做好城乡居民最低生活保障工作，现将有关事项通知如下：一、严格审核申请材料；"
                         "二、按月公示保障对象名单，接受群众监督。</p>", "document_number": ""}
    try:
        for _ in range(30):
            browser.get("draft form", "/staff/documents/new/")
            response = browser.send("create draft", "POST", "/staff/documents/new/",
                                    data={**data, "csrfmiddlewaretoken": browser.csrf()})
            if response is not None and response.status_code == 302:
                match = re.fullmatch(r"/staff/documents/(\d+)/", response.headers["location"])
                assert match, response.headers["location"]
                return int(match.group(1))
            if response is not None and response.status_code < 500:
                raise AssertionError(f"draft {title}: {response.status_code} {response.text[:500]}")
            time.sleep(0.5)
            # It may have been saved before the failure: a person looks in the list first.
            listing = browser.get("draft list", f"/staff/documents/?q={quote(title)}").text
            found = re.findall(r'<a href="/staff/documents/(\d+)/">' + re.escape(title) + "</a>", listing)
            if found:
                work.problems.append(f"draft {title} was saved although its answer was a 5xx")
                return int(found[0])
        raise AssertionError(f"draft {title} could not be saved")
    finally:
        journal.finished()


def act(browser: Browser, pk: int, action: str, work: StaffWork, journal: Journal) -> None:
    failed = 0
    try:
        for _ in range(30):
            response = browser.send(f"act {action}", "POST", f"/staff/documents/{pk}/act/",
                                    data={"action": action, "comment": "", "csrfmiddlewaretoken": browser.csrf()})
            if response is None or response.status_code >= 500:
                failed += 1
                time.sleep(0.5)
                continue
            if response.status_code == 403 and failed:
                return  # pressed again after a 5xx: the move had been made and is not this person's any more
            assert response.status_code == 302, f"{action} on {pk}: {response.status_code} {response.text[:300]}"
            page = browser.get(f"after {action}", response.headers["location"]).text
            if "操作未执行" in page and not failed:
                work.problems.append(f"{action} on document {pk} refused: "
                                     + re.sub(r"\s+", " ", page[page.index("操作未执行"):][:200]))
            return
        raise AssertionError(f"{action} on {pk} kept failing")
    finally:
        journal.finished()


def team_work(transport: Transport, journal: Journal, team: dict, password: str, county: int, notice: int, n: int,
              run: str, work: StaffWork) -> None:
    browsers = {role: login(transport, journal, username, password, n) for role, username in team.items()}
    for i in range(1, DOCUMENTS_PER_TEAM + 1):
        title = f"西昌市关于开展2024年第{i}季度政务公开专项检查的通知（{run}-第{n}组-{i:02d}）"
        work.titles.append(title)
        pk = create_draft(browsers["drafter"], title, county, notice, work, journal)
        act(browsers["drafter"], pk, "submit", work, journal)
        act(browsers["reviewer"], pk, "pass", work, journal)
        act(browsers["secrecy"], pk, "pass", work, journal)
        act(browsers["publisher"], pk, "publish", work, journal)


# --- the site under test ---------------------------------------------------------------


class Site:
    """The cluster, the server and the workers; stop() ends every process
    this test started (their process groups) and removes the cluster."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.cluster = Cluster(binaries())
        self.processes: dict[str, subprocess.Popen] = {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.flag = tmp / "release-hold"
        data = tmp / "data"
        data.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("GONGKAI_", "DJANGO_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="tests.faults.worker_settings", DATABASE_URL=self.cluster.url("gongkai"),
            GONGKAI_DATA_DIR=str(data), GONGKAI_AUDIT_KEY=secrets.token_urlsafe(40),
            GONGKAI_TRUSTED_PROXIES="127.0.0.1", GONGKAI_TASK_LEASE_SECONDS=str(LEASE_SECONDS),
            PYTHONPATH=str(REPO), LOG_LEVEL="WARNING")

    def run(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run([sys.executable, "-m", *args], cwd=REPO, env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{' '.join(args)}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        with open(self.tmp / f"{name}.log", "w") as log:
            process = subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.spawn(name, "gongkai.cli", "worker", "--interval", "1")

    def wait_until_serving(self) -> None:
        import httpx

        deadline = time.monotonic() + 120  # migrating a new database first
        while time.monotonic() < deadline:
            assert self.processes["server"].poll() is None, self.logs()
            try:
                if httpx.get(f"{self.base}/apply/", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError("the server did not start:\n" + self.logs())

    def query(self, sql: str, params=()) -> list[tuple]:
        """From this process, straight to the database (retried while it restarts)."""
        import psycopg

        for attempt in range(60):
            try:
                with psycopg.connect(self.cluster.url("gongkai"), connect_timeout=3, autocommit=True) as db:
                    return db.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                if attempt == 59:
                    raise
                time.sleep(0.5)
        return []

    def stop_process(self, name: str, grace: float = 20) -> None:
        process = self.processes[name]
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        _signal_group(process, signal.SIGKILL)  # whatever it left behind in its group

    def stop(self) -> None:
        try:
            for name in list(self.processes):
                self.stop_process(name, grace=5)
        finally:
            self.cluster.stop()

    def logs(self) -> str:
        out = []
        for name in self.processes:
            lines = (self.tmp / f"{name}.log").read_text(errors="replace").splitlines()
            text = "\n".join(line for line in lines if not line.startswith("Task queue depth"))  # waitress's
            out.append(f"--- {name}.log (end) ---\n{text[-6000:]}")
        out.append(f"--- PostgreSQL log (end) ---\n{self.cluster.server_log()}")
        return "\n".join(out)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    try:
        site.cluster.start()
        yield site
    finally:
        site.stop()


# --- the test ---------------------------------------------------------------------------


def test_the_platform_keeps_its_promises_through_database_restarts_and_a_killed_worker(site):
    began = time.monotonic()
    run = secrets.token_hex(3).upper()
    phases = []

    def phase(name: str) -> None:
        phases.append(f"{name} {time.monotonic() - began:.0f} s")

    site.cluster.create_database("gongkai")
    site.spawn("server", "gongkai.cli", "serve", "--host", "127.0.0.1", "--port", str(site.port), "--workers", "2",
               "--threads", "8")  # it migrates the new database first
    site.wait_until_serving()
    phase("serving")
    setup = json.loads(site.run("tests.faults.fault_site", "setup", str(site.flag), *map(str, SCHEDULED_AFTER)))
    site.worker("worker-a")
    site.worker("worker-b")
    hold_id = setup["hold"]
    phase("set up")

    journal = Journal()
    transport = transport_to(site.base)
    subs = [submission(n, run) for n in range(1, APPLICATIONS + 1)]
    total = APPLICATIONS + TEAMS * DOCUMENTS_PER_TEAM * 5
    faults: list[str] = []
    killed: dict = {}
    during: list[bool] = []  # each fault came while the load was still going
    fault_errors: list[BaseException] = []

    load_over = threading.Event()

    def when_done(fraction: float) -> None:
        while journal.done < fraction * total and not load_over.is_set():
            time.sleep(0.05)

    def inject() -> None:
        try:
            when_done(0.2)
            faults.append(f"PostgreSQL restarted in {site.cluster.restart():.1f} s at {journal.done}/{total}")
            during.append(not load_over.is_set())
            when_done(0.45)
            holder = ""
            for _ in range(200):  # the hold task is running on one of the workers
                rows = site.query("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
                                  [hold_id])
                if rows and rows[0][0] == "RUNNING":
                    holder = rows[0][1][-1]
                    break
                time.sleep(0.1)
            assert holder, "the long task never ran"
            pid = int(holder.rsplit("-", 2)[1])
            [name] = [name for name, p in site.processes.items() if p.pid == pid]
            os.killpg(pid, signal.SIGKILL)
            site.processes[name].wait(timeout=10)
            killed.update(name=name, worker_id=holder)
            faults.append(f"{name} ({holder}) killed with SIGKILL at {journal.done}/{total}")
            during.append(not load_over.is_set())
            site.worker("worker-c")  # its replacement
            site.flag.touch()  # the task's next run finishes at once
            when_done(0.7)
            faults.append(f"PostgreSQL restarted in {site.cluster.restart():.1f} s at {journal.done}/{total}")
            during.append(not load_over.is_set())
        except BaseException as exc:  # reported by the test
            fault_errors.append(exc)

    injector = threading.Thread(target=inject)
    injector.start()
    works = [StaffWork() for _ in setup["teams"]]
    with ThreadPoolExecutor(APPLY_THREADS + TEAMS) as pool:
        staff = [pool.submit(team_work, transport, journal, team, setup["password"], setup["county"], setup["notice"],
                             n, run, works[n - 1]) for n, team in enumerate(setup["teams"], 1)]
        for sub in subs:
            pool.submit(submit, sub, transport, journal, setup["county"])
        try:
            pool.shutdown(wait=True)
        finally:
            load_over.set()
    transport.pool.close()
    team_errors = [repr(future.exception()) for future in staff if future.exception() is not None]
    phase("load done")
    injector.join(timeout=120)
    assert not fault_errors, fault_errors
    assert len(faults) == 3 and all(during), faults

    # The workers publish what is due and take over the killed worker's task.
    scheduled = setup["scheduled"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        published = site.query("SELECT count(*) FROM catalog_document WHERE id = ANY(%s) AND status = 'published'",
                               [scheduled])[0][0]
        held = site.query("SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [hold_id])[0][0]
        if published == len(scheduled) and held == "SUCCESSFUL":
            break
        time.sleep(1)
    phase("published")
    for name in ("worker-a", "worker-b", "worker-c", "server"):
        if name in site.processes:
            site.stop_process(name)
    report = json.loads(site.run("tests.faults.fault_site", "report",
                                 stdin=json.dumps({s.key: s.code for s in subs if s.code})))
    verdict = subprocess.run([sys.executable, "-m", "gongkai.cli", "audit", "verify"], cwd=REPO, env=site.env,
                             capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - began

    statuses = Counter(a.status for a in journal.answers)
    errors = Counter(f"{a.status} {a.what}: {a.detail}" for a in journal.answers if a.status and a.status >= 400)
    outcomes = Counter(s.outcome.split(":")[0] for s in subs)
    stored_titles = {app["key"] for app in report["applications"]}
    outcomes["stored_without_receipt"] = sum(1 for s in subs if s.outcome != "received" and s.title in stored_titles)
    summary = (f"{elapsed:.0f} s ({', '.join(phases)}); faults: {faults}; answers by status: {dict(statuses)} "
               f"({dict(errors)}); "
               f"applications: {dict(outcomes)}")
    print(summary)
    context = f"{summary}\n{site.logs()}"

    assert not team_errors, f"{team_errors}\n{context}"

    # Every 5xx was the clean page; every request was answered.
    bad = [a for a in journal.answers if a.problem]
    assert not bad, f"{bad[:10]}\n{context}"
    assert not [a for a in journal.answers if a.status == 429], "a rate limit refused the test's clients"

    # Applications: a receipt means stored once, with its file; nothing is stored twice.
    unexpected = [f"{s.key}: {s.outcome}" for s in subs if s.outcome not in ("received", "replay_after_5xx")]
    assert not unexpected, f"{unexpected[:10]}\n{context}"
    stored = Counter(app["key"] for app in report["applications"])
    by_title = {app["key"]: app for app in report["applications"]}
    ours = {s.title for s in subs}
    assert set(stored) <= ours, set(stored) - ours
    assert not [t for t, n in stored.items() if n > 1], "an application was stored twice"
    for sub in subs:
        if sub.outcome != "received":
            continue
        assert report["found"][sub.key] == sub.title, f"{sub.key}: its code does not find it"
        app = by_title[sub.title]
        assert [(f["role"], f["sha256"]) for f in app["files"]] == [("applicant", _sha256(sub.pdf))], app
    # The site goes on serving: the restarts (and lock waits that end in a deadlock: see the
    # summary) refuse the submissions they cut off with the busy page, never most of them.
    received = sum(1 for s in subs if s.outcome == "received")
    assert received >= APPLICATIONS // 2, context
    # A submission answered 5xx each time it was sent and then refused as already sent was cut
    # off after the token was used: stored at most once (counted above), with its file if stored.
    for sub in subs:
        if sub.outcome == "replay_after_5xx" and sub.title in by_title:
            assert len(by_title[sub.title]["files"]) == 1, by_title[sub.title]

    # Staff documents: each once, published once.
    documents = report["documents"]
    titles = Counter(d["title"] for d in documents)
    problems = [p for w in works for p in w.problems]
    for work in works:
        for title in work.titles:
            assert titles[title] == 1, f"{title}: {titles[title]} documents\n{problems}"
    staff_docs = [d for d in documents if d["title"] in {t for w in works for t in w.titles}]
    assert len(staff_docs) == TEAMS * DOCUMENTS_PER_TEAM
    not_once = [d for d in staff_docs if (d["status"], d["audit_publish"], d["publish_steps"]) != ("published", 1, 1)]
    assert not not_once, f"{not_once}\n{problems}\n{context}"
    assert not [p for p in problems if "refused" in p], problems

    # Scheduled documents: each published exactly once, by the workers.
    docs = {d["pk"]: d for d in documents}
    for pk in scheduled:
        assert (docs[pk]["status"], docs[pk]["audit_publish"], docs[pk]["publish_steps"]) == ("published", 1, 1), (
            f"{docs[pk]}\n{context}")

    # The killed worker's task was taken over and finished; nothing is left running.
    tasks = {t["id"]: t for t in report["tasks"]}
    hold = tasks[hold_id]
    assert hold["status"] == "SUCCESSFUL" and hold["return_value"] == "released", f"{hold}\n{context}"
    assert hold["worker_ids"][0] == killed["worker_id"] and len(hold["worker_ids"]) == 2, hold
    assert not [t for t in report["tasks"] if t["status"] == "RUNNING"], report["tasks"]

    # The audit chain is whole.
    assert verdict.returncode == 0 and "The audit log is whole" in verdict.stdout, verdict.stdout + verdict.stderr
    assert elapsed < DEADLINE_SECONDS, summary


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
