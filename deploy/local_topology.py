"""The scale-out topology of docker-compose.yml, with local processes (no Docker):

    python deploy/local_topology.py --database-url postgresql://postgres@127.0.0.1:5432/gongkai_topology \
        [--web 2] [--workers 2] [--port 8080] [--workdir /tmp/gongkai-topology]

starts, on this machine's loopback only:
- an S3-compatible store (moto in server mode) with two buckets, one for the
  uploaded files and one for the private files (GONGKAI_S3_*);
- Redis (a `redis-server` of its own: page cache, rate-limit counters);
- `python deploy/prepare.py` (migrate, first staff account) once;
- N web processes, each `gongkai serve --workers 1` on a port of its own with
  a data folder of its own (nothing is shared through a folder: a web process
  keeps no state);
- nginx (Debian's package), not a daemon, with deploy/nginx.conf rendered for
  these ports: round robin over the web processes;
- M `gongkai worker` processes;
all with the environment docker-compose.yml gives its containers
(GONGKAI_ENV=production with plain HTTP on loopback, shared SECRET_KEY and
GONGKAI_AUDIT_KEY, GONGKAI_REDIS_URL, the proxy trusted for X-Real-IP). The
database (PostgreSQL) must exist; it is the only state besides Redis and the
object store. Ctrl+C or SIGTERM stops everything. tests/deploy/test_topology.py
and bench/topology_bench.py start the same thing through `Topology`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NGINX_CONF = Path(__file__).resolve().parent / "nginx.conf"
HOST = "127.0.0.1"
MEDIA_BUCKET = "gongkai-media"
PRIVATE_BUCKET = "gongkai-private"
S3_KEY_ID, S3_SECRET = "gongkai-local", "gongkai-local-secret"


# The commands of docker-compose.yml's services, here as there (tests/deploy/test_compose.py checks it).
PREPARE_COMMAND = ["python", "deploy/prepare.py"]
WORKER_COMMAND = ["gongkai", "worker"]


def web_command(host: str, port: int, threads: int = 8) -> list[str]:
    """A web process: one `gongkai serve` process of T threads (one per container or port)."""
    return ["gongkai", "serve", "--host", host, "--port", str(port), "--workers", "1", "--threads", str(threads)]


def local(command: list[str]) -> list[str]:
    """A compose command as this checkout runs it (`gongkai` through `python -m gongkai`)."""
    head, *rest = command
    return [sys.executable, "-m", "gongkai", *rest] if head == "gongkai" else [sys.executable, *rest]


class TopologyError(RuntimeError):
    """A part of the topology did not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


class Process:
    """A child in its own process group, its output in a log file, always stopped."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path, cwd: Path = REPO):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=str(self.cwd), stdout=self._log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def failed(self, what: str) -> TopologyError:
        return TopologyError(f"{self.name} {what}; its log ({self.log_path}) ends:\n{self.log_tail()}")

    def wait_http(self, url: str, timeout: float = 60, ok=(200,)) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise self.failed(f"stopped with status {self.popen.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    if response.status in ok:
                        return
            except urllib.error.HTTPError as exc:
                if exc.code in ok:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise self.failed(f"did not answer {url} within {timeout:.0f} s")

    def wait_port(self, port: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise self.failed(f"stopped with status {self.popen.returncode}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                return
            time.sleep(0.1)
        raise self.failed(f"did not listen on port {port} within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The process and its children (a supervisor's server processes)."""
        if not self.running:
            return []
        pid = self.popen.pid
        try:
            children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            children = []
        return [pid, *children]

    def stop(self, grace: float = 15) -> None:
        if self.popen is None:
            return
        try:
            if self.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self.popen.send_signal(signal.SIGTERM)
                try:
                    self.popen.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    _say(f"{self.name} did not stop within {grace:.0f} s: killed")
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)  # its own group: anything it left behind
            if self.popen.poll() is None:
                self.popen.wait(timeout=10)
        finally:
            self._log.close()
            self.popen = None


# ---------------------------------------------------------------- services


def moto_server(port: int, log_dir: Path) -> Process:
    """moto in server mode: an in-memory S3 API on loopback (the test's MinIO)."""
    env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
    return Process("s3-moto", [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)], env, log_dir)


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET,
                        region_name="us-east-1")


def redis_server(port: int, log_dir: Path) -> Process:
    binary = shutil.which("redis-server")
    if not binary:
        raise TopologyError("redis-server was not found: install Redis (Debian: apt-get install redis-server)")
    argv = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--daemonize", "no"]
    return Process("redis", argv, dict(os.environ), log_dir)


def nginx_binary() -> str:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not binary:
        raise TopologyError("nginx was not found: install it (Debian: apt-get install nginx)")
    return binary


def render_nginx(port: int, upstreams: list[str], workdir: Path, *, trust_forwarded: bool = False,
                 show_upstream: bool = False, template: Path = NGINX_CONF, worker_processes: int = 1) -> str:
    """deploy/nginx.conf for local processes: its upstream servers and listen
    address replaced, pid, logs and temporary files under `workdir`, in the
    foreground. `trust_forwarded`: the client on loopback stands for a load
    balancer and gives each visitor's address in X-Forwarded-For (the load
    benchmark's many visitors), believed through nginx's realip module.
    `show_upstream`: each answer says which web process gave it
    (X-Upstream-Addr; for the test only, never in deploy/nginx.conf)."""
    text = template.read_text(encoding="utf-8")
    servers = "".join(f"        server {u} max_fails=3 fail_timeout=10s;\n" for u in upstreams)
    text, n = re.subn(r"(?m)^\s*server web\d+:\d+[^\n]*\n", "", text)
    if not n:
        raise TopologyError(f"{template}: no `server webN:PORT` line in its upstream")
    text = text.replace("upstream gongkai_web {\n", "upstream gongkai_web {\n" + servers, 1)
    text, n = re.subn(r"(?m)^(\s*)listen 8080;", rf"\g<1>listen {HOST}:{port};", text)
    if n != 1:
        raise TopologyError(f"{template}: expected one `listen 8080;` line")
    text = re.sub(r"(?m)^worker_processes [^;]+;", f"worker_processes {worker_processes};", text)
    temp = workdir / "nginx"
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir(parents=True, exist_ok=True)
    head = (f"daemon off;\npid {temp / 'nginx.pid'};\nerror_log {temp / 'error.log'} warn;\n"
            # The master runs as this account; as root its workers would become `nobody`,
            # which cannot enter the temporary folders of a test.
            + ("user root;\n" if os.geteuid() == 0 else ""))
    paths = (f"    access_log off;\n    client_body_temp_path {temp / 'client_body'};\n"
             f"    proxy_temp_path {temp / 'proxy'};\n    fastcgi_temp_path {temp / 'fastcgi'};\n"
             f"    uwsgi_temp_path {temp / 'uwsgi'};\n    scgi_temp_path {temp / 'scgi'};\n")
    text = text.replace("http {\n", "http {\n" + paths, 1)
    if show_upstream:
        text, n = re.subn(r"(?m)^(\s*)proxy_pass http://gongkai_web;",
                          r"\g<0>\n\g<1>add_header X-Upstream-Addr $upstream_addr always;", text)
        if n != 1:
            raise TopologyError(f"{template}: expected one `proxy_pass http://gongkai_web;` line")
    if trust_forwarded:
        text = re.sub(r"(?m)^(\s*)listen ([^;]+);", rf"\g<1>listen \g<2>;\n\g<1>set_real_ip_from {HOST};"
                      rf"\n\g<1>real_ip_header X-Forwarded-For;", text, count=1)
    return head + text


class Nginx(Process):
    def __init__(self, name: str, port: int, upstreams: list[str], workdir: Path, log_dir: Path, *,
                 trust_forwarded: bool = False, show_upstream: bool = False, worker_processes: int = 1):
        self.port = port
        folder = workdir / name
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "nginx.conf"
        conf.write_text(render_nginx(port, upstreams, folder, trust_forwarded=trust_forwarded,
                                     show_upstream=show_upstream, worker_processes=worker_processes), encoding="utf-8")
        check = subprocess.run([nginx_binary(), "-t", "-q", "-c", str(conf), "-p", str(folder)],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise TopologyError(f"nginx refused {conf}:\n{check.stderr.strip()}")
        super().__init__(name, [nginx_binary(), "-c", str(conf), "-p", str(folder)], dict(os.environ), log_dir)

    def stop(self, grace: float = 15) -> None:
        super().stop(grace)  # SIGTERM: nginx's fast shutdown


# ---------------------------------------------------------------- the topology


@dataclass
class Topology:
    """What docker-compose.yml starts, as local processes on loopback."""

    workdir: Path
    database_url: str
    web: int = 2
    workers: int = 2
    proxy_port: int = 0  # 0: a free port
    threads: int = 8
    worker_interval: float = 5.0
    trust_forwarded: bool = False  # see render_nginx
    show_upstream: bool = False  # see render_nginx
    extra_env: dict = field(default_factory=dict)
    say: object = _say

    def __post_init__(self):
        self.workdir = Path(self.workdir)
        self.log_dir = self.workdir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.s3_port, self.redis_port = free_port(), free_port()
        self.proxy_port = self.proxy_port or free_port()
        self.services: list[Process] = []
        self.web_processes: list[Process] = []
        self.web_ports: list[int] = []
        self.worker_processes: list[Process] = []
        self.nginx: Nginx | None = None
        self.secret_key = secrets.token_urlsafe(50)
        self.audit_key = secrets.token_urlsafe(40)

    # --- addresses
    @property
    def proxy_url(self) -> str:
        return f"http://{HOST}:{self.proxy_port}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://{HOST}:{self.s3_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    def web_url(self, index: int) -> str:
        return f"http://{HOST}:{self.web_ports[index]}"

    # --- the environment every gongkai process gets (docker-compose.yml's x-gongkai-env)
    def env(self, data_dir: Path | None = None, **extra) -> dict:
        skip = ("GONGKAI_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG",
                "CSRF_TRUSTED_ORIGINS", "AWS_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
        env.update({
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "gongkai.settings",
            "GONGKAI_ENV": "production",
            # Plain HTTP on loopback: TLS would end in front of nginx (README, "Behind a proxy").
            "GONGKAI_SSL_REDIRECT": "0", "GONGKAI_SECURE_COOKIES": "0", "GONGKAI_HSTS_SECONDS": "0",
            "SECRET_KEY": self.secret_key,
            "GONGKAI_AUDIT_KEY": self.audit_key,
            "DATABASE_URL": self.database_url,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "GONGKAI_REDIS_URL": self.redis_url,
            "GONGKAI_TRUSTED_PROXIES": HOST,
            "GONGKAI_CLIENT_IP_META_KEY": "HTTP_X_REAL_IP",
            "GONGKAI_S3_BUCKET": MEDIA_BUCKET,
            "GONGKAI_S3_PRIVATE_BUCKET": PRIVATE_BUCKET,
            "GONGKAI_S3_ENDPOINT_URL": self.s3_endpoint,
            "GONGKAI_S3_ACCESS_KEY_ID": S3_KEY_ID,
            "GONGKAI_S3_SECRET_ACCESS_KEY": S3_SECRET,
            "GONGKAI_STATIC_ROOT": str(self.workdir / "static"),
            # The audit anchors on a folder all workers share (compose: the `anchors` volume).
            "GONGKAI_AUDIT_ANCHORS": str(self.workdir / "anchors" / "audit-anchors.jsonl"),
            "GONGKAI_DATA_DIR": str(data_dir or self.workdir / "data-admin"),
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        })
        env.update(self.extra_env)
        env.update(extra)
        return env

    def gongkai(self, *args: str, timeout: float = 600, **extra) -> subprocess.CompletedProcess:
        """Run one gongkai command with the topology's environment (an admin's shell)."""
        return subprocess.run([sys.executable, "-m", "gongkai", *args], env=self.env(**extra), cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def python(self, code: str, timeout: float = 600, **extra) -> subprocess.CompletedProcess:
        """Run Python with Django set up on the topology's settings."""
        script = "import django; django.setup()\n" + code
        return subprocess.run([sys.executable, "-c", script], env=self.env(**extra), cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, check=False)

    # --- starting and stopping
    def start_services(self) -> None:
        """The object store with its buckets, and Redis."""
        (self.workdir / "anchors").mkdir(parents=True, exist_ok=True)
        moto = moto_server(self.s3_port, self.log_dir).start()
        self.services.append(moto)
        redis = redis_server(self.redis_port, self.log_dir).start()
        self.services.append(redis)
        moto.wait_port(self.s3_port)
        redis.wait_port(self.redis_port)
        client = s3_client(self.s3_endpoint)
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            client.create_bucket(Bucket=bucket)
        self.say(f"object store (moto) on {self.s3_endpoint}: buckets {MEDIA_BUCKET}, {PRIVATE_BUCKET}; "
                 f"Redis on {self.redis_url}")

    def flush_redis(self) -> None:
        """Empty Redis (page cache, rate-limit counters, used form tokens): a fresh start for a measurement."""
        import redis

        redis.Redis.from_url(self.redis_url).flushall()

    def prepare(self) -> str:
        """deploy/prepare.py (migrate, first staff account) and collectstatic, as compose's `init`."""
        done = subprocess.run(local(PREPARE_COMMAND), env=self.env(), cwd=REPO,
                              capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise TopologyError(f"deploy/prepare.py failed:\n{done.stdout}\n{done.stderr}")
        static = self.gongkai("collectstatic", "--noinput", "-v", "0")
        if static.returncode != 0:
            raise TopologyError(f"collectstatic failed:\n{static.stderr}")
        return done.stdout

    def start_web(self, count: int | None = None, **extra) -> None:
        """`count` web processes (`gongkai serve --workers 1`), each with a data folder of its own."""
        count = self.web if count is None else count
        self.web_ports = [free_port() for _ in range(count)]
        self.web_processes = []
        for i, port in enumerate(self.web_ports, 1):
            argv = local(web_command(HOST, port, self.threads))
            data_dir = self.workdir / f"data-web{i}"
            self.web_processes.append(Process(f"web{i}", argv, self.env(data_dir, **extra), self.log_dir).start())
        for i, process in enumerate(self.web_processes):
            process.wait_http(f"{self.web_url(i)}/", timeout=120)
        self.say(f"{count} web process(es) on ports {', '.join(map(str, self.web_ports))}")

    def stop_web(self) -> None:
        for process in self.web_processes:
            process.stop()
        self.web_processes = []

    def start_proxy(self) -> None:
        upstreams = [f"{HOST}:{port}" for port in self.web_ports]
        self.nginx = Nginx("nginx", self.proxy_port, upstreams, self.workdir, self.log_dir,
                           trust_forwarded=self.trust_forwarded, show_upstream=self.show_upstream).start()
        self.nginx.wait_http(f"{self.proxy_url}/", timeout=30)
        self.say(f"nginx on {self.proxy_url}, round robin over {len(upstreams)} web process(es)")

    def stop_proxy(self) -> None:
        if self.nginx:
            self.nginx.stop()
            self.nginx = None

    def start_workers(self, count: int | None = None) -> None:
        count = self.workers if count is None else count
        for i in range(1, count + 1):
            argv = local(WORKER_COMMAND) + ["--interval", f"{self.worker_interval:g}"]
            self.worker_processes.append(
                Process(f"worker{i}", argv, self.env(self.workdir / f"data-worker{i}"), self.log_dir).start())
        self.say(f"{count} worker(s)")

    def start(self) -> Topology:
        try:
            self.start_services()
            self.prepare()
            self.start_web()
            self.start_proxy()
            self.start_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Everything this topology started, workers first, whatever state it is in."""
        for group in (self.worker_processes, [self.nginx] if self.nginx else [], self.web_processes, self.services):
            for process in reversed(group):
                try:
                    process.stop()
                except Exception as exc:  # noqa: BLE001 - the others must still be stopped
                    _say(f"stopping {process.name}: {exc}")
        self.worker_processes, self.web_processes, self.services, self.nginx = [], [], [], None

    def __enter__(self) -> Topology:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database-url", required=True, help="postgresql://… of an existing database (migrated here)")
    parser.add_argument("--web", type=int, default=2, help="web processes (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="`gongkai worker` processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gongkai-topology"),
                        help="logs, data folders and nginx's files (default /tmp/gongkai-topology)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url: a PostgreSQL database (postgresql://user@host:port/name)")
    if not 1 <= args.web <= 64 or not 0 <= args.workers <= 64:
        parser.error("--web from 1 to 64, --workers from 0 to 64")
    signal.signal(signal.SIGTERM, _stop)
    topology = Topology(args.workdir, args.database_url, web=args.web, workers=args.workers, proxy_port=args.port)
    try:
        topology.start()
        _say(f"Gongkai is served on {topology.proxy_url}/ (logs in {topology.log_dir}). Ctrl+C stops everything.")
        while all(p.running for p in [*topology.services, *topology.web_processes, topology.nginx,
                                      *topology.worker_processes]):
            time.sleep(1)
        _say("a process of the topology stopped: stopping the others")
        return 1
    except TopologyError as exc:
        _say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
