"""A small web site served on loopback by the tests themselves (and by bench/crawl_bench.py).

An asyncio HTTP/1.1 server (keep-alive, GET and HEAD) in a background thread,
serving routes added at run time: pages, redirects, slow handlers, non-HTML
files, robots.txt. Every request is counted in `hits` so that tests can tell
what the crawler fetched.

    with LoopbackSite() as site:
        site.page("/", "<a href='/a'>A</a>")
        site.redirect("/old", "/a")
        ...
        site.url("/")
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow page)
    head_status: int | None = None  # answer HEAD with this status instead (e.g. 405)


class LoopbackSite:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.routes: dict[str, Route] = {}
        self.hits: Counter = Counter()  # (method, path) -> count
        self.log: list[tuple[str, str, str]] = []  # (method, host without port, path) of every request
        self.user_agents: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server = None
        self._ready = threading.Event()

    # ----------------------------------------------------------------- routes

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def page(self, path: str, html: str, *, title: str = "", status: int = 200, **kw) -> None:
        if "<html" not in html:
            html = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title or path}</title></head>"
                    f"<body>{html}</body></html>")
        self.add(path, Route(status=status, body=html.encode("utf-8"), **kw))

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.add(path, Route(status=status, headers={"Location": location}, content_type="text/plain"))

    def file(self, path: str, body: bytes, content_type: str, **kw) -> None:
        self.add(path, Route(body=body, content_type=content_type, **kw))

    def robots(self, text: str) -> None:
        self.add("/robots.txt", Route(body=text.encode("utf-8"), content_type="text/plain"))

    def fetched(self, path: str) -> int:
        """How many times the path was asked for (any method)."""
        return sum(n for (method, p), n in self.hits.items() if p == path)

    # ----------------------------------------------------------------- server

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, _version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                path = target.split("?", 1)[0]
                self.hits[(method, path)] += 1
                self.log.append((method, headers.get("host", "").rsplit(":", 1)[0], path))
                if "user-agent" in headers:
                    self.user_agents.add(headers["user-agent"].encode("latin-1").decode("utf-8", "replace"))
                route = self.routes.get(path) or Route(status=404, body=b"<html><body>not found</body></html>")
                if route.delay:
                    await asyncio.sleep(route.delay)
                status = route.status
                if method == "HEAD" and route.head_status is not None:
                    status = route.head_status
                out = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                       f"Content-Type: {route.content_type}", f"Content-Length: {len(route.body)}"]
                out += [f"{k}: {v}" for k, v in route.headers.items()]
                close = headers.get("connection", "").lower() == "close"
                if close:
                    out.append("Connection: close")
                data = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                if method != "HEAD":
                    data += route.body
                writer.write(data)
                await writer.drain()
                if close:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _serve(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        async with self._server:
            await self._server.serve_forever()

    def start(self) -> "LoopbackSite":
        def run():
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve())
            except (asyncio.CancelledError, RuntimeError):
                pass
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name=f"loopback-site-{id(self)}", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the loopback site did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            loop = self._loop

            def shutdown():
                self._server.close()
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            try:
                loop.call_soon_threadsafe(shutdown)
            except RuntimeError:  # already stopped
                pass
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> "LoopbackSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def refused_port() -> int:
    """A loopback port where nothing listens (connections are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ----------------------------------------------------------------- generated site (benchmark)

_TEXT = ("为进一步推进政务公开工作，根据《中华人民共和国政府信息公开条例》规定，现将本机关年度政府信息公开工作情况公布如下。"
         "各级行政机关应当坚持以公开为常态、不公开为例外，遵循公正、公平、合法、便民的原则。"
         "主动公开的政府信息包括机构职能、规范性文件、财政预算决算、重大建设项目、公共资源配置等内容。")


def generated_page(i: int, n: int, images: int = 20) -> bytes:
    """Page i of an n-page site: about 5 KB of Chinese text, ~20 links to other pages, 3 images."""
    import random

    rng = random.Random(i)
    targets = {(i + 1) % n} | {rng.randrange(n) for _ in range(19)}
    links = "".join(f"<li><a href='/p/{t}.html'>政务公开第{t}号信息</a></li>" for t in sorted(targets))
    imgs = "".join(f"<img src='/img/{rng.randrange(images)}.png' alt='图片'>" for _ in range(3))
    paras = "".join(f"<p>{_TEXT}</p>" for _ in range(6))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>政务公开第{i}号信息</title></head>"
            f"<body><h1>政务公开第{i}号信息</h1>{paras}{imgs}<ul>{links}</ul></body></html>").encode("utf-8")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


def build_generated(site: LoopbackSite, n: int = 2000, images: int = 20) -> None:
    for i in range(n):
        site.add(f"/p/{i}.html", Route(body=generated_page(i, n, images)))
    for j in range(images):
        site.file(f"/img/{j}.png", PNG, "image/png")
    site.redirect("/", "/p/0.html")
