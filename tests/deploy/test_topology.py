"""The scale-out topology of docker-compose.yml, started with local processes
(deploy/local_topology.py): moto's S3 server with a media and a private
bucket, Redis, a fresh PostgreSQL database prepared by deploy/prepare.py,
2 web processes (`gongkai serve --workers 1`, each with a data folder of its
own), nginx round robin over them, 2 `gongkai worker` processes. Through the
proxy, as people use the site:

- public pages answer 200 from both web processes;
- a drafter's attachment and an applicant's file land in the buckets (read
  back with boto3), never in a web process's folder, and each web process
  serves the file the other received (sessions and files are shared);
- with two workers ticking every second, each periodic job is enqueued once
  per period and the scheduled publication happens once; the worker reads
  the new attachment's text from the bucket;
- the load benchmark (bench/load_bench.py --base-url, bounded) gets no error;
- the RQ backend: `gongkai worker --once` enqueues into Redis and
  `gongkai rqworker` runs the job;
- `gongkai backup` archives the files from the buckets and `gongkai restore`
  puts them into new buckets.

PostgreSQL only (the topology's only database). Everything is stopped and the
databases dropped even when a step fails.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))
import local_topology  # noqa: E402

PG_URL = os.environ.get("GONGKAI_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = PG_URL.startswith(("postgres://", "postgresql://"))
pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the scale-out topology runs on PostgreSQL: set GONGKAI_TEST_DATABASE_URL")

PASSWORD = "correct-horse-battery-9"
STAFF = [("qicao", "drafter", None), ("shenhe1", "reviewer", 1), ("shenhe2", "reviewer", 2),
         ("shenhe3", "reviewer", 3), ("baomi", "secrecy", None), ("fabu", "publisher", None),
         ("chengban", "handler", None)]
DOCUMENTS = [
    ("西昌市关于推进生活垃圾分类工作的实施方案", "全市推行生活垃圾分类，分为可回收物、有害垃圾、厨余垃圾和其他垃圾。"),
    ("西昌市2024年政务公开工作要点", "深入推进决策、执行、管理、服务、结果公开，做好政策解读。"),
    ("关于做好2024年春季森林草原防灭火工作的通知", "各乡镇要落实防火责任，严防森林草原火灾。"),
    ("西昌市城乡居民最低生活保障实施细则", "规范城乡居民最低生活保障审批，按月公示保障对象。"),
]
ATTACHMENT = "西昌市2024年防汛抢险物资储备清单：冲锋舟4艘，救生衣300件，编织袋2万条。\n".encode()
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


# --- Run in a child process with the topology's settings --------------------------------------


def setup_installation():
    """An organisation with its staff, published documents, one document
    ready and scheduled (in the past: due at the first tick) and one ready and
    scheduled tomorrow (for the RQ step). Prints the facts as JSON."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from gongkai.catalog import services as catalog
    from gongkai.catalog.models import Document
    from gongkai.core.models import Membership, Organisation
    from tests.publishing.test_workflow import draft, to_ready

    county = Organisation.objects.create(name="西昌市人民政府", short_name="西昌市", issuer_code="西府发",
                                         level="county", index_prefix="115134010087654321")
    staff = {}
    for username, role, level in STAFF:
        user = User.objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=user, organisation=county, role=role, review_level=level)
        staff[role if level is None else f"reviewer{level}"] = user
    published = [catalog.create_document(organisation=county, title=title, body_text=body,
                                         document_number=f"西府发〔2024〕{n}号", published_date=dt.date(2024, 3, n),
                                         publish=True)
                 for n, (title, body) in enumerate(DOCUMENTS, 1)]
    due = to_ready(draft(staff, county, title="关于西昌市城区道路改造期间交通管制的通告"), staff)
    later = to_ready(draft(staff, county, title="关于西昌市2025年春节期间烟花爆竹燃放管理的通告"), staff)
    now = timezone.now()
    Document.objects.filter(pk=due.pk).update(scheduled_at=now - dt.timedelta(minutes=1))
    Document.objects.filter(pk=later.pk).update(scheduled_at=now + dt.timedelta(days=1))
    print("SETUP " + json.dumps({"organisation": county.pk, "index_numbers": [d.index_number for d in published],
                                 "due": due.pk, "later": later.pk}))


# --- Helpers in the test process ---------------------------------------------------------------


def _database_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def _new_database(role: str) -> str:
    prefix = os.environ.get("GONGKAI_TEST_DB_NAME", "gongkai").lower()
    name = f"{prefix}_{role}_{uuid.uuid4().hex[:8]}"[:63]
    _admin(f'CREATE DATABASE "{name}"')
    return name


def _query(url: str, sql: str, params=()):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def _execute(url: str, sql: str, params=()) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql, params)


def _ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"exit status {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login(client, username: str) -> None:
    page = client.get("/staff/login/")
    assert page.status_code == 200
    done = client.post("/staff/login/", data={"username": username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": _csrf(page.text)})
    assert done.status_code == 302, f"login of {username}: {done.status_code}"


def _wait(predicate, timeout: float, what: str, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _timed():
    """Progress lines with the seconds since the start (shown when the test fails)."""
    began = time.monotonic()
    return lambda text: print(f"[{time.monotonic() - began:5.1f} s] {text}", flush=True)


@pytest.fixture
def topology(tmp_path):
    """The topology with its database, services, web processes and proxy
    (workers are started by the test, after the uploads); stopped and
    dropped whatever happens."""
    databases = [_new_database("topology")]
    topo = local_topology.Topology(tmp_path / "topology", _database_url(databases[0]), web=2, workers=2,
                                   worker_interval=1, trust_forwarded=True, show_upstream=True, say=_timed())
    topo.databases = databases
    try:
        topo.start_services()
        topo.prepare()
        topo.say("database prepared")
        setup = _ok(topo.python("import tests.deploy.test_topology as t; t.setup_installation()"))
        topo.say("installation set up")
        topo.facts = json.loads([ln for ln in setup.stdout.splitlines() if ln.startswith("SETUP ")][-1][6:])
        topo.start_web()
        topo.start_proxy()
        yield topo
    finally:
        topo.stop()
        for name in databases:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_scaled_out_topology_shares_files_jobs_and_load(topology, tmp_path):
    import boto3  # noqa: F401  (a runtime dependency)
    import httpx

    topo, facts = topology, topology.facts
    url = topo.database_url
    s3 = local_topology.s3_client(topo.s3_endpoint)
    webs = [topo.web_url(i) for i in range(2)]
    upstreams = {f"{local_topology.HOST}:{port}" for port in topo.web_ports}

    # Public pages through the proxy, from both web processes.
    pages = ["/", "/catalog/", f"/doc/{facts['index_numbers'][0]}/", "/search/?q=垃圾分类", "/apply/"]
    seen = set()
    with httpx.Client(base_url=topo.proxy_url, timeout=30) as visitor:
        for _ in range(2):
            for path in pages:
                response = visitor.get(path)
                assert response.status_code == 200, (path, response.status_code)
                seen.add(response.headers["x-upstream-addr"])
        assert "垃圾分类" in visitor.get("/search/?q=垃圾分类").text
    assert seen == upstreams

    topo.say("pages answered from both web processes")
    # An applicant opens the form (posted once its fill time has passed, below).
    applicant = httpx.Client(base_url=topo.proxy_url, timeout=30, headers={"X-Forwarded-For": "203.0.113.7"})
    form_page = applicant.get("/apply/")
    opened = time.monotonic()
    started = re.search(r'name="started"\s+value="([^"]+)"', form_page.text).group(1)

    # A drafter uploads an attachment with a new draft, through the proxy.
    drafter = httpx.Client(base_url=topo.proxy_url, timeout=30)
    _login(drafter, "qicao")
    form = drafter.get("/staff/documents/new/")
    saved = drafter.post("/staff/documents/new/", data={
        "csrfmiddlewaretoken": _csrf(form.text), "organisation": str(facts["organisation"]),
        "title": "西昌市2024年防汛抢险物资储备情况", "disclosure": "proactive",
        "body_html": "<p>现将本年度防汛抢险物资储备情况公开如下。</p>"},
        files={"attachment": ("防汛物资清单.txt", ATTACHMENT, "text/plain")})
    assert saved.status_code == 302, saved.text[:500]
    doc_pk = int(re.search(r"/staff/documents/(\d+)/", saved.headers["location"]).group(1))
    [(attachment_pk, attachment_name)] = _query(url, "SELECT id, file FROM catalog_attachment WHERE document_id = %s",
                                                [doc_pk])
    stored = s3.get_object(Bucket=local_topology.MEDIA_BUCKET, Key=f"media/{attachment_name}")["Body"].read()
    assert stored == ATTACHMENT
    # Each web process serves it to the drafter's session, whichever received the upload.
    for web in webs:
        response = httpx.get(f"{web}/media/{attachment_name}", cookies=drafter.cookies, timeout=30)
        assert response.status_code == 200 and response.content == ATTACHMENT, web
        assert response.headers["content-disposition"] == "attachment"
    # A draft's attachment is not public.
    assert httpx.get(f"{topo.proxy_url}/media/{attachment_name}", timeout=30).status_code == 404

    # The applicant posts the form with an identity document.
    time.sleep(max(0.0, opened + 3.2 - time.monotonic()))  # forms.MIN_SECONDS
    posted = applicant.post("/apply/", data={
        "csrfmiddlewaretoken": _csrf(form_page.text), "started": started, "website": "",
        "organisation": str(facts["organisation"]), "applicant_type": "natural", "applicant_name": "王小明",
        "id_document": "居民身份证 513401199001011234", "phone": "13812345678", "email": "wxm@example.com",
        "address": "四川省西昌市胜利路1号", "postcode": "615000", "info_title": "2024年西昌市城区道路改造项目批准文件",
        "info_number": "", "info_description": "申请公开该项目的批准文件及附件。", "form": "electronic",
        "delivery": "email", "consent": "on"},
        files={"files": ("身份证明.pdf", PDF, "application/pdf")},
        headers={"Origin": topo.proxy_url, "Referer": f"{topo.proxy_url}/apply/"})
    assert posted.status_code == 302 and posted.headers["location"].rstrip("/").endswith("/apply/received"), \
        posted.text[:800]
    [(app_pk, file_pk, private_name)] = _query(
        url, "SELECT application_id, id, file FROM applications_applicationfile ORDER BY id DESC LIMIT 1")
    key = f"private/{private_name}"
    assert s3.get_object(Bucket=local_topology.PRIVATE_BUCKET, Key=key)["Body"].read() == PDF
    media_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=local_topology.MEDIA_BUCKET).get("Contents", [])]
    assert not any("applications" in k for k in media_keys)  # personal data never in the media bucket
    handler = httpx.Client(base_url=topo.proxy_url, timeout=30)
    _login(handler, "chengban")
    for web in webs:
        response = httpx.get(f"{web}/staff/applications/{app_pk}/files/{file_pk}/", cookies=handler.cookies,
                             timeout=30)
        assert response.status_code == 200 and response.content == PDF, web
    # Nobody else: the drafter is no handler, a visitor is not signed in, /media/ never serves it.
    assert httpx.get(f"{webs[0]}/staff/applications/{app_pk}/files/{file_pk}/", cookies=drafter.cookies,
                     timeout=30).status_code in (403, 404)
    assert httpx.get(f"{webs[1]}/staff/applications/{app_pk}/files/{file_pk}/", timeout=30).status_code in (302, 403)
    assert httpx.get(f"{topo.proxy_url}/media/{private_name}", timeout=30).status_code == 404
    # Nothing was written to a web process's own folder: its data folder holds no upload.
    for i in (1, 2):
        folder = topo.workdir / f"data-web{i}"
        assert _files_under(folder / "media") == [] and _files_under(folder / "private") == []
    for client in (applicant, drafter, handler):
        client.close()

    topo.say("files shared through the buckets")
    # Two workers: every periodic job once per period, the scheduled publication once,
    # the attachment's text read from the bucket.
    topo.start_workers()
    _wait(lambda: _query(url, "SELECT status FROM catalog_document WHERE id = %s", [facts["due"]])[0][0] == "published",
          40, "the scheduled document published by a worker")
    _wait(lambda: _query(url, "SELECT text_status FROM catalog_attachment WHERE id = %s", [attachment_pk])[0][0]
          == "read", 40, "the attachment's text read by a worker")
    jobs = [name for (name,) in _query(url, "SELECT name FROM core_scheduledjob")]
    _wait(lambda: _query(url, "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                              "WHERE status NOT IN ('SUCCESSFUL', 'FAILED')")[0][0] == 0, 30, "the queue emptied")
    time.sleep(2)  # two more ticks of each worker
    for process in topo.worker_processes:
        process.stop()
        assert "running every" in process.log_path.read_text(encoding="utf-8"), process.name
    runs = _query(url, "SELECT task_path, enqueued_at, status, worker_ids FROM django_tasks_database_dbtaskresult "
                       "ORDER BY enqueued_at")
    # Every periodic job ran; besides them only the e-mails the submitted applications enqueued.
    paths = {path for path, *_ in runs}
    assert set(jobs) <= paths and len(jobs) >= 8
    assert paths - set(jobs) <= {"gongkai.applications.tasks.send_notification"}, paths - set(jobs)
    for name in jobs:
        times = [at for path, at, *_ in runs if path == name]
        assert all((b - a).total_seconds() >= 29 for a, b in zip(times, times[1:])), (name, times)
    assert all(status == "SUCCESSFUL" for _, _, status, _ in runs), runs
    publications = _query(url, "SELECT action FROM core_auditentry WHERE object_type = 'document' AND object_id = %s "
                               "AND action LIKE %s", [str(facts["due"]), "%publish%"])
    assert len(publications) == 1, publications
    text = _query(url, "SELECT text FROM catalog_attachment WHERE id = %s", [attachment_pk])[0][0]
    assert "冲锋舟4艘" in text

    topo.say("jobs ran once")
    # The load benchmark against the proxy, bounded: no error of any kind.
    report = tmp_path / "load.json"
    load = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load_bench.py"), "--base-url", topo.proxy_url, "--db", url,
         "--client", "python", "--duration", "1", "--connections", "4", "--repeats", "1", "--warmup", "0",
         "--documents", "20", "--searches", "20", "--flows", "saturating", "--json", str(report)],
        env=topo.env(GONGKAI_BENCH_DIR=str(tmp_path / "bench")), cwd=REPO, capture_output=True, text=True,
        timeout=180, check=False)
    assert load.returncode == 0, load.stdout + load.stderr
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["errors"] == 0
    assert all(run["requests"] > 0 and run["errors"] == 0 for runs_ in figures["pages"].values() for run in runs_)
    assert figures["outcomes"].get("accepted", 0) >= 1  # applications went through, each address its own limit

    topo.say("load run without error")
    # The RQ backend: `gongkai worker` enqueues the due job into Redis, `gongkai rqworker` runs it.
    queued_before = _query(url, "SELECT count(*) FROM django_tasks_database_dbtaskresult")[0][0]
    _execute(url, "UPDATE catalog_document SET scheduled_at = now() - interval '1 minute' WHERE id = %s", [facts["later"]])
    _execute(url, "UPDATE core_scheduledjob SET next_due = now() - interval '1 minute' WHERE name LIKE %s",
           ["%publish_due"])
    rq = {"GONGKAI_TASKS_BACKEND": "rq"}
    _ok(topo.gongkai("worker", "--once", **rq))
    assert _query(url, "SELECT status FROM catalog_document WHERE id = %s", [facts["later"]])[0][0] == "ready"
    _ok(topo.gongkai("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default", **rq, timeout=120))
    assert _query(url, "SELECT status FROM catalog_document WHERE id = %s", [facts["later"]])[0][0] == "published"
    assert _query(url, "SELECT count(*) FROM django_tasks_database_dbtaskresult")[0][0] == queued_before
    assert _query(url, "SELECT last_error FROM core_scheduledjob WHERE name LIKE %s", ["%publish_due"]) == [("",)]

    topo.say("RQ ran the job")
    # Backup through the storage API, restored into a new database and new buckets.
    archive = tmp_path / "gongkai-backup.tar.gz"
    _ok(topo.gongkai("backup", str(archive)))
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    assert members[f"media/{attachment_name}"] == ATTACHMENT and members[f"private/{private_name}"] == PDF
    manifest = json.loads(members["manifest.json"])
    assert manifest["files"][f"private/{private_name}"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    restored = _new_database("restored")
    topo.databases.append(restored)
    for bucket in ("restored-media", "restored-private"):
        s3.create_bucket(Bucket=bucket)
    target = {"DATABASE_URL": _database_url(restored), "GONGKAI_S3_BUCKET": "restored-media",
              "GONGKAI_S3_PRIVATE_BUCKET": "restored-private", "GONGKAI_DATA_DIR": str(tmp_path / "restored"),
              "GONGKAI_AUDIT_ANCHORS": str(tmp_path / "restored" / "audit-anchors.jsonl")}
    done = _ok(topo.gongkai("restore", str(archive), **target))
    assert "Every check passed." in done.stdout, done.stdout
    assert s3.get_object(Bucket="restored-media", Key=f"media/{attachment_name}")["Body"].read() == ATTACHMENT
    assert s3.get_object(Bucket="restored-private", Key=key)["Body"].read() == PDF
    # A restore goes into empty storage only.
    again = topo.gongkai("restore", str(archive), **target)
    assert again.returncode == 1 and "holds" in again.stderr
    topo.say("backup and restore through the buckets")
