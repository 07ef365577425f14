"""`gongkai serve [--demo] [--host 127.0.0.1] [--port 8000] [--workers N] [--threads T]`: the embedded server.

Migrates the database, with --demo loads the demo catalog into an empty
catalog, creates the `admin` staff account on first start (its password is
printed this once only), then serves the site with waitress. Static files come
from the apps through WhiteNoise, so no collectstatic is needed.

With --workers N (default: one per CPU core) the site is served by N
processes, so that Python's global interpreter lock does not cap it at one
core: this process prepares everything, binds the listening socket once, then
forks N children that accept connections from that shared socket (the kernel
hands each connection to whichever child is free) and serve it with T threads
each. It restarts a child that dies and stops them all on SIGTERM or Ctrl+C.
--workers 1 serves from this one process, as before.
"""

import errno
import gc
import os
import secrets
import signal
import socket
import sys
import threading
import time
import traceback

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections

ADMIN_USERNAME = "admin"
MAX_WORKERS = 256
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A child stopped by SIGTERM finishes its requests in progress (waitress waits
# up to 5 s for its threads); after this many seconds it is killed.
STOP_GRACE_SECONDS = 10
# A child that dies this soon after it started counts as a failed start: the
# next one is started a second later, and after FAILED_STARTS in a row the
# server gives up instead of forking forever.
QUICK_DEATH_SECONDS = 2
FAILED_STARTS = 5


def check_port(host: str, port: int) -> None:
    """Fail early, in plain words, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CommandError(f"cannot listen on '{host}': no such host name or address on this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(_bind_message(host, port, exc)) from None


def _bind_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another server is running there): "
                f"stop it, or choose another port with --port")
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}: ports below 1024 need administrator rights; try --port 8000"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: this machine has no such address"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def listen(host: str, port: int) -> list[socket.socket]:
    """Bind and listen on every address waitress itself would for host:port
    (a name such as `localhost` may stand for both 127.0.0.1 and ::1), so
    that one or many processes can accept connections from these sockets."""
    from waitress.adjustments import Adjustments

    try:
        adjustments = Adjustments(host=host, port=port)
    except ValueError:
        raise CommandError(f"cannot listen on '{host}': no such host name or address on this machine") from None
    sockets = []
    try:
        for family, kind, proto, address in adjustments.listen:
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(adjustments.backlog)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise CommandError(_bind_message(host, port, exc)) from None
    return sockets


def parse_workers(value) -> int:
    """The --workers value as a number of processes, refused in plain words."""
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise CommandError(f"--workers must be a whole number of processes from 1 to {MAX_WORKERS}, not '{value}'")
    return int(text)


def default_workers() -> int:
    """One process per CPU core where processes can be forked, else one."""
    if not hasattr(os, "fork"):
        return 1
    return min(os.cpu_count() or 1, MAX_WORKERS)


def ensure_admin() -> str | None:
    """Create the `admin` superuser when the site has no superuser yet; return
    its new password (to print once), or None when nothing was created."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists() or User.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=password)
    return password


class Command(BaseCommand):
    help = "Serve the site with the embedded server (migrates first; --demo loads the demo catalog when empty)."
    requires_system_checks = []  # run below, after the port check, with plain-words errors

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="load the demo catalog when the catalog is empty")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument(
            "--workers", default=None,
            help=f"server processes (default: one per CPU core, here {default_workers()}; 1 serves from this process)",
        )
        parser.add_argument("--threads", type=int, default=8, help="threads per server process (default 8)")

    def handle(self, *args, demo=False, host="127.0.0.1", port=8000, workers=None, threads=8, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not 1 <= threads <= 256:
            raise CommandError(f"--threads must be between 1 and 256, not {threads}")
        workers = default_workers() if workers is None else parse_workers(workers)
        check_port(host, port)
        self.check(display_num_errors=False)

        try:
            call_command("migrate", verbosity=0, interactive=False)
        except DatabaseError as exc:
            raise CommandError(f"the database cannot be prepared ({exc}); check DATABASE_URL or GONGKAI_DATA_DIR") from exc
        self.say(f"Database ready: {_database_name()}")

        if demo:
            # By name, not by import: the demo sits above every app (gongkai.demo). It loads the
            # demo into an empty catalog only, and says so otherwise.
            call_command("demo", skip_migrate=True, stdout=getattr(self.stdout, "_out", self.stdout),
                         stderr=getattr(self.stderr, "_out", self.stderr))

        password = ensure_admin()
        if password:
            self.say(
                f"Staff account created: user '{ADMIN_USERNAME}', password {password}\n"
                "  This password is shown only this once: write it down, then change it after signing in at /admin/."
            )

        from gongkai.wsgi import application  # loaded here once, shared by the children

        if workers > 1 and not hasattr(os, "fork"):
            self.say(f"This system cannot fork processes: serving from one process instead of {workers}.")
            workers = 1
        sockets = listen(host, port)
        try:
            shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            base = f"http://{shown_host}:{port}/"
            processes = "1 process" if workers == 1 else f"{workers} processes"
            self.say(f"Gongkai is serving on {base} from {processes} of {threads} threads "
                     f"(staff workspace: {base}staff/, admin: {base}admin/). Press Ctrl+C to stop.")
            if host in ("0.0.0.0", "::") and not os.environ.get("ALLOWED_HOSTS"):
                self.say("  Other machines reach it by a name that must be listed in ALLOWED_HOSTS "
                         "(e.g. ALLOWED_HOSTS=gongkai.example.gov.cn,127.0.0.1).")
            if workers == 1:
                self.serve_here(application, sockets, threads)
            else:
                Supervisor(self, application, sockets, workers, threads).run()
        finally:
            for sock in sockets:
                sock.close()
        self.say("Stopped.")

    def serve_here(self, application, sockets, threads) -> None:
        from waitress import create_server

        # Behind a trusted proxy, waitress must pass X-Forwarded-For/-Proto on:
        # by default it deletes them, and every visitor would share the
        # proxy's address in the rate limits. Which proxies are believed is
        # decided in one place, gongkai.core.http.client_ip (and Django's
        # SECURE_PROXY_SSL_HEADER), the same under any WSGI server.
        server = create_server(application, sockets=sockets, threads=threads, ident="gongkai",
                               clear_untrusted_proxy_headers=not settings.GONGKAI_TRUSTED_PROXIES)
        previous = signal.signal(signal.SIGTERM, _leave_waitress)  # SIGTERM stops as cleanly as Ctrl+C
        try:
            server.run()  # returns on Ctrl+C or SIGTERM once its threads have finished
        finally:
            signal.signal(signal.SIGTERM, previous)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


class _Stop(Exception):
    """SIGTERM or SIGINT reached the supervising process."""


def _raise_stop(signum, frame):
    raise _Stop(signum)


def _leave_waitress(signum, frame):
    raise SystemExit(0)  # waitress's loop catches it and lets its threads finish


class Supervisor:
    """Forks the server processes, replaces any that dies, stops them all on
    SIGTERM or SIGINT. Only the parent runs this; the children run `_child`."""

    def __init__(self, command: Command, application, sockets, workers: int, threads: int):
        self.command = command
        self.application = application
        self.sockets = sockets
        self.workers = workers
        self.threads = threads
        self.children: dict[int, float] = {}  # pid -> when it started (monotonic)

    def run(self) -> None:
        # Nothing open on the database may be shared across the fork, and the
        # objects built so far go to the GC's permanent generation so that the
        # children's collections do not copy the pages holding them.
        connections.close_all()
        gc.collect()
        gc.freeze()
        # The children hold the read end of this pipe: when the parent is gone,
        # even killed without a word, they read its end and stop.
        self.alive_read, self.alive_write = os.pipe()
        previous = {}
        try:
            for signum in STOP_SIGNALS:
                previous[signum] = signal.signal(signum, _raise_stop)
            for _ in range(self.workers):
                self.start_child()
            self.watch()
        except _Stop:
            pass
        finally:
            for signum in STOP_SIGNALS:  # a second Ctrl+C must not cut the cleanup short
                signal.signal(signum, signal.SIG_IGN)
            self.stop_children()
            os.close(self.alive_read)
            os.close(self.alive_write)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def watch(self) -> None:
        failed_starts = 0
        while True:
            pid, status = os.wait()
            started = self.children.pop(pid, None)
            if started is None:
                continue
            lived = time.monotonic() - started
            self.command.say(f"Server process {pid} {_describe(status)} after {lived:.0f} s; starting another.")
            if lived < QUICK_DEATH_SECONDS:
                failed_starts += 1
                if failed_starts >= FAILED_STARTS:
                    raise CommandError(f"the server processes stopped right after starting {failed_starts} times "
                                       "in a row (see the messages above): giving up")
                time.sleep(1)
            else:
                failed_starts = 0
            self.start_child()

    def start_child(self) -> None:
        # Signals wait until the child is known, so that none is left behind.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                self._child(blocked)  # never returns
            self.children[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _child(self, blocked) -> None:
        code = 1
        try:
            # Ctrl+C reaches the whole process group: the parent alone decides,
            # and it stops the children with SIGTERM.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, _leave_waitress)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(self.alive_write)
            threading.Thread(target=self._stop_when_parent_is_gone, daemon=True).start()
            from waitress import create_server

            # As serve_here: behind a trusted proxy its X-Forwarded-For reaches client_ip.
            server = create_server(self.application, sockets=self.sockets, threads=self.threads, ident="gongkai",
                                   clear_untrusted_proxy_headers=not settings.GONGKAI_TRUSTED_PROXIES)
            server.run()
            code = 0
        except SystemExit:
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _stop_when_parent_is_gone(self) -> None:
        while os.read(self.alive_read, 1):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    def stop_children(self) -> None:
        for pid in self.children:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in self.children:
            self.command.say(f"Server process {pid} did not stop within {STOP_GRACE_SECONDS} s: killed.")
            _signal(pid, signal.SIGKILL)
        while self.children:
            pid, _ = os.wait()
            self.children.pop(pid, None)

    def _reap(self) -> None:
        for pid in list(self.children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                del self.children[pid]


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def _database_name() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings_dict["NAME"])
    return f"{connection.vendor} database '{settings_dict['NAME']}' on {settings_dict.get('HOST') or 'localhost'}"
