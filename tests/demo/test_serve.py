"""`gongkai serve --demo` in a real process: migrates, loads the demo, prints
the admin password once, serves the portal and its CSS with DEBUG off; with
--workers N it serves from N child processes that it restarts and stops."""

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

STARTUP_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "DATABASE_URL", "DJANGO_"))}
    env.update(GONGKAI_DATA_DIR=str(data_dir), GONGKAI_DEMO_SIZE="60", DJANGO_SETTINGS_MODULE="gongkai.settings",
               PYTHONUNBUFFERED="1")
    env.pop("DEBUG", None)
    return env


class Server:
    """A `gongkai serve` process whose output is read line by line."""

    def __init__(self, args, env, new_session=False):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gongkai", "serve", *args], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", start_new_session=new_session,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = STARTUP_SECONDS) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        pytest.fail(f"'{pattern}' not printed; output so far:\n{''.join(self.lines)}")

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        while True:  # the rest of the output
            try:
                line = self._queue.get(timeout=2)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return "".join(self.lines)


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")


def test_serve_demo(tmp_path):
    port = _free_port()
    env = _environment(tmp_path / "var")
    server = Server(["--demo", "--port", str(port)], env)
    try:
        staff_password = server.wait_for(r"all with the password (\S+) ").group(1)
        password = server.wait_for(r"user 'admin', password (\S+)").group(1)
        url = server.wait_for(r"serving on (http://127\.0\.0\.1:\d+/)").group(1)
        assert url == f"http://127.0.0.1:{port}/"
        status, content_type, home = _get(url)
        assert status == 200 and content_type.startswith("text/html")
        assert '<html lang="zh' in home and "政府信息" in home
        assert "四川省" in home, "the home page lists demo documents"
        css = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
        status, content_type, text = _get(url.rstrip("/") + css)
        assert status == 200 and content_type.startswith("text/css") and "{" in text
        status, _, catalog = _get(url + "catalog/")
        assert status == 200 and "凉山彝族自治州人民政府" in catalog
        status, _, login = _get(url + "staff/login/")
        assert status == 200 and "工作人员登录" in login
    finally:
        output = server.stop()
    assert output.count(password) == 1 and output.count(staff_password) == 1
    assert "Demo catalog loaded" in output and "60 documents" in output
    assert (tmp_path / "var" / "gongkai.sqlite3").exists()

    # Second start on the same data folder: nothing reloaded, no password again.
    port = _free_port()
    server = Server(["--demo", "--port", str(port)], env)
    try:
        server.wait_for(r"serving on http://")
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        output = server.stop()
    assert "already holds 71 documents" in output  # 60 generated, 3 samples, 8 along the workflow
    assert "password" not in output and password not in output


def test_port_in_use_is_refused_in_plain_words(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "gongkai", "serve", "--port", str(port)], env=_environment(tmp_path / "var"),
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "var" / "gongkai.sqlite3").exists(), "nothing is set up when the server cannot start"


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (read from /proc, zombies left out)."""
    found = set()
    for stat in os.listdir("/proc"):
        if not stat.isdigit():
            continue
        try:
            with open(f"/proc/{stat}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat))
    return found


def _wait_until(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} not reached within {timeout} s")


def _wait_for_children(pid: int, count: int, gone: int | None = None) -> set[int]:
    """The children of `pid` once there are `count` of them (and `gone` is not one)."""

    def ready():
        children = _children(pid)
        return children if len(children) == count and gone not in children else None

    return _wait_until(ready, what=f"{count} child processes")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_group(server: Server) -> None:
    """Leave no process behind, whatever happened (the server runs in its own session)."""
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc")
def test_serve_with_several_workers(tmp_path):
    env = _environment(tmp_path / "var")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = Server(["--workers", "2", "--port", str(port)], env, new_session=True)
    try:
        server.wait_for(rf"serving on {re.escape(url)} from 2 processes of 8 threads")
        parent = server.process.pid
        children = _wait_for_children(parent, 2)

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: _get(url)[0], range(40)))
        assert statuses == [200] * 40

        # A child that dies is replaced, and the site still answers.
        victim = min(children)
        os.kill(victim, signal.SIGKILL)
        server.wait_for(rf"Server process {victim} was killed by SIGKILL after \d+ s; starting another\.", timeout=30)
        replaced = _wait_for_children(parent, 2, gone=victim)
        assert replaced - children and (children - {victim}) <= replaced
        assert all(_get(url)[0] == 200 for _ in range(5))

        # SIGTERM stops every child, and the parent exits 0.
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        assert not any(_alive(pid) for pid in replaced)
        assert "Stopped." in server.stop()
    finally:
        _kill_group(server)

    # Children do not outlive a parent killed without a word.
    server = Server(["--workers", "2", "--port", str(port)], env, new_session=True)
    try:
        server.wait_for(r"serving on http://\S+ from 2 processes")
        children = _wait_for_children(server.process.pid, 2)
        server.process.kill()
        server.process.wait(timeout=15)
        _wait_until(lambda: not any(_alive(pid) for pid in children), timeout=15, what="orphans stopping")
    finally:
        _kill_group(server)

    # --workers 1 serves from the one process, and SIGTERM stops it with status 0 too.
    server = Server(["--workers", "1", "--port", str(port)], env, new_session=True)
    try:
        server.wait_for(rf"serving on {re.escape(url)} from 1 process of 8 threads")
        assert _get(url)[0] == 200
        assert not _children(server.process.pid)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        assert "Stopped." in server.stop()
    finally:
        _kill_group(server)


@pytest.mark.parametrize("workers", ["0", "two"])
def test_workers_refused_in_plain_words(tmp_path, workers):
    result = subprocess.run(
        [sys.executable, "-m", "gongkai", "serve", "--workers", workers, "--port", str(_free_port())],
        env=_environment(tmp_path / "var"), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert f"--workers must be a whole number of processes from 1 to 256, not '{workers}'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "var" / "gongkai.sqlite3").exists(), "nothing is set up when the server cannot start"


@pytest.mark.parametrize("proxies,cleared", [([], True), (["127.0.0.1"], False)])
def test_waitress_passes_proxy_headers_on_only_behind_a_trusted_proxy(monkeypatch, settings, proxies, cleared):
    """waitress deletes X-Forwarded-For/-Proto unless told otherwise: behind a
    trusted proxy they must reach gongkai.core.http.client_ip, or every
    visitor shares the proxy's address in the rate limits."""
    import waitress

    from gongkai.core.management.commands.serve import Command

    settings.GONGKAI_TRUSTED_PROXIES = proxies
    seen = {}

    class Stop(Exception):
        pass

    def create_server(application, **kwargs):
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(waitress, "create_server", create_server)
    with pytest.raises(Stop):
        Command().serve_here(object(), sockets=[], threads=2)
    assert seen["clear_untrusted_proxy_headers"] is cleared
