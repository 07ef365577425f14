"""The website monitor's crawler (网站监测): pages within one host, every link checked.

`crawl()` walks the pages of the start host with one `httpx.AsyncClient`
(HTTP/1.1), runs `checks.check_page` on every HTML page, and checks every
distinct link target it meets (a, img, script, link, iframe; internal and
external) exactly once: HEAD, then GET when the server answers 405/501.
A target that answers 4xx/5xx, times out, fails to resolve or connect, loops
or redirects more than ten times is a dead link, reported once for every page
that links it, with the anchor text.

Politeness and limits:

- at most `concurrency` requests in flight (and as many connections), and at
  most `rate` requests per second when a rate is given;
- redirects are followed by hand (up to 10 hops) so that chains are recorded
  and loops detected;
- robots.txt is honoured for every host that is not in `own_hosts` (the
  office's own sites are checked whatever their robots.txt says: it is
  written for search engines, not for the office's own monitor). `crawl()`
  itself honours robots.txt everywhere unless told otherwise; the `gongkai
  monitor crawl` command counts the start host as the office's own unless
  `--respect-robots` is given;
- non-HTML responses (by Content-Type) are never read, only status-checked;
  HTML bodies are read up to `MAX_BODY` bytes and dropped once checked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
import urllib.robotparser
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

USER_AGENT = "GongkaiMonitor/1.0 (+政务公开网站监测)"
ROBOTS_AGENT = "GongkaiMonitor"
MAX_REDIRECTS = 10
MAX_BODY = 5 * 1024 * 1024
LINK_TAGS = ("a", "img", "script", "link", "iframe")
PAGE_TAGS = ("a", "iframe")  # internal targets of these are crawled as pages
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Internal links to these are only status-checked, never fetched as pages.
NON_PAGE_SUFFIXES = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".ofd", ".zip", ".rar", ".7z",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".svg", ".webp", ".ico", ".mp3", ".mp4", ".avi", ".css", ".js",
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _checks():
    # Imported lazily: the content checks live in their own module.
    from gongkai.monitor import checks

    return checks


# --------------------------------------------------------------------------- URLs


def normalize_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL without fragment, lower-case host, no default port; None if unusable."""
    if not url:
        return None
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            return None
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


# --------------------------------------------------------------------------- results


@dataclass
class LinkResult:
    """What one link target answered (after redirects)."""

    url: str
    status: int | None = None
    error: str = ""  # "timeout", "redirect loop", "connection failed: ...", ...
    final_url: str = ""
    chain: list[str] = field(default_factory=list)  # URLs redirected through, first to last
    content_type: str = ""
    blocked: bool = False  # not fetched: robots.txt disallows it

    @property
    def dead(self) -> bool:
        if self.blocked:
            return False
        return bool(self.error) or (self.status is not None and self.status >= 400)

    @property
    def reason(self) -> str:
        if self.blocked:
            return "blocked by robots.txt"
        if self.error:
            return self.error
        return f"HTTP {self.status}"

    def as_dict(self) -> dict:
        return {
            "url": self.url, "status": self.status, "error": self.error, "final_url": self.final_url,
            "chain": self.chain, "content_type": self.content_type, "blocked": self.blocked, "dead": self.dead,
        }


@dataclass
class PageSummary:
    url: str
    status: int | None
    title: str = ""
    verdict: str = "ok"
    counts: dict[str, int] = field(default_factory=dict)  # finding kind -> number
    final_url: str = ""

    def as_dict(self) -> dict:
        return {
            "url": self.url, "status": self.status, "title": self.title, "verdict": self.verdict,
            "counts": dict(self.counts), "final_url": self.final_url,
        }


@dataclass
class CrawlReport:
    start_url: str
    pages: list[PageSummary] = field(default_factory=list)
    findings: list = field(default_factory=list)  # checks.Finding
    errors: list[dict] = field(default_factory=list)  # pages that could not be fetched: url, error
    skipped: list[dict] = field(default_factory=list)  # not checked as pages: url, reason
    links_checked: int = 0
    requests: int = 0
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    elapsed: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return round(len(self.pages) / self.elapsed, 1) if self.elapsed > 0 else 0.0

    @property
    def verdicts(self) -> dict[str, int]:
        counts = Counter(p.verdict for p in self.pages)
        return {v: counts.get(v, 0) for v in ("ok", "warnings", "tampered")}

    @property
    def verdict(self) -> str:
        v = self.verdicts
        if v["tampered"]:
            return "tampered"
        if v["warnings"] or self.findings or self.errors:
            return "warnings"
        return "ok"

    def as_dict(self) -> dict:
        return {
            "start_url": self.start_url,
            "verdict": self.verdict,
            "verdicts": self.verdicts,
            "pages": [p.as_dict() for p in self.pages],
            "findings": [f.as_dict() for f in self.findings],
            "errors": list(self.errors),
            "skipped": list(self.skipped),
            "links_checked": self.links_checked,
            "requests": self.requests,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            "elapsed": round(self.elapsed, 3),
            "pages_per_second": self.pages_per_second,
        }


class FetchError(Exception):
    """The page given to `check_url` could not be fetched or is not HTML."""


# --------------------------------------------------------------------------- crawler


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        cause, depth = exc, 0
        while cause is not None and depth < 8:  # the underlying socket error says more
            if isinstance(cause, ConnectionRefusedError):
                return "connection failed: connection refused"
            if isinstance(cause, socket.gaierror):
                return f"DNS failure: {cause.strerror or cause}"
            cause, depth = cause.__cause__ or cause.__context__, depth + 1
        msg = str(exc) or type(exc).__name__
        low = msg.lower()
        if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low \
                or "temporary failure in name resolution" in low or "no address associated" in low:
            return f"DNS failure: {msg}"
        return f"connection failed: {msg}"
    return f"{type(exc).__name__}: {exc}"[:300]


class _RateLimiter:
    """At most `rate` request starts per second, evenly spaced."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate else 0.0
        self.next = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self.lock:
            now = time.monotonic()
            if self.next > now:
                await asyncio.sleep(self.next - now)
                now = self.next
            self.next = now + self.interval


class Crawler:
    def __init__(self, start_url: str, *, max_pages=500, concurrency=16, rate=None, timeout=10.0, own_hosts=(),
                 check_external=True, progress=None, wording=None, keep_reports=False):
        start = normalize_url(start_url)
        if start is None:
            raise ValueError(f"not an http(s) URL: {start_url!r}")
        self.start_url = start
        self.start_netloc = netloc_of(start)
        self.max_pages = max(1, int(max_pages))
        self.concurrency = max(1, int(concurrency))
        self.timeout = float(timeout)
        self.own_hosts = {h.lower() for h in own_hosts}
        self.check_external = check_external
        self.progress = progress
        self.wording = wording
        self.keep_reports = keep_reports
        self.rate = _RateLimiter(rate)
        self.report = CrawlReport(start_url=start)
        self.page_reports: list = []  # checks.PageReport, links/text dropped unless keep_reports
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.seen_pages: set[str] = set()  # URLs queued or reached as pages
        self.enqueued = 0
        self.done = 0
        self.results: dict[str, asyncio.Future] = {}  # link target -> LinkResult future
        self.tasks: set[asyncio.Task] = set()
        # link target -> {page URL: (anchor text, tag)}: first anchor on each page
        self.linked_from: dict[str, dict[str, tuple[str, str]]] = {}
        self.robots: dict[str, asyncio.Future] = {}
        self.sem: asyncio.Semaphore | None = None
        self.client: httpx.AsyncClient | None = None

    # ------------------------------------------------------------------ helpers

    def _is_own(self, url: str) -> bool:
        return host_of(url) in self.own_hosts or netloc_of(url) in self.own_hosts

    def _is_internal(self, url: str) -> bool:
        return netloc_of(url) == self.start_netloc

    async def _request(self, method: str, url: str):
        """One request, body not read yet: an open streamed response (the caller closes it)."""
        await self.rate.wait()
        self.report.requests += 1
        request = self.client.build_request(method, url)
        return await self.client.send(request, stream=True)

    async def _robots_allows(self, url: str) -> bool:
        if self._is_own(url):
            return True
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        fut = self.robots.get(key)
        if fut is None:
            fut = self.robots[key] = asyncio.get_running_loop().create_future()
            parser = urllib.robotparser.RobotFileParser()
            try:
                # Not under the semaphore: this may run inside a fetch that holds it.
                resp = await self._fetch_robots(key + "/robots.txt")
                if resp is None:
                    parser.allow_all = True
                else:
                    status, text = resp
                    if status in (401, 403):
                        parser.disallow_all = True
                    elif status >= 400:
                        parser.allow_all = True
                    else:
                        parser.parse(text.splitlines())
            except Exception:
                parser.allow_all = True
            fut.set_result(parser)
        parser = await fut
        return parser.can_fetch(ROBOTS_AGENT, url)

    async def _fetch_robots(self, url: str):
        for _ in range(5):
            resp = await asyncio.wait_for(self._request("GET", url), self.timeout * 2)
            try:
                if resp.is_redirect and resp.headers.get("location"):
                    nxt = normalize_url(resp.headers["location"], url)
                    if nxt is None:
                        return None
                    url = nxt
                    continue
                body = b""
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > 512 * 1024:
                        break
                return resp.status_code, body.decode("utf-8", "replace")
            finally:
                await resp.aclose()
        return None

    async def _fetch(self, url: str, method: str, *, read_html: bool):
        """Follow redirects by hand. Returns (LinkResult, html bytes or None)."""
        result = LinkResult(url=url)
        chain = [url]
        current = url
        checked = url  # robots.txt already consulted for this URL by the caller
        while True:
            if current != checked and not await self._robots_allows(current):
                result.blocked = True
                break
            try:
                resp = await asyncio.wait_for(self._request(method, current), self.timeout * 2)
            except Exception as exc:  # timeouts, DNS, refused, protocol errors
                result.error = _error_text(exc)
                break
            try:
                if resp.is_redirect and resp.headers.get("location"):
                    nxt = normalize_url(resp.headers["location"], current)
                    if nxt is None:
                        result.status = resp.status_code
                        result.error = f"bad redirect to {resp.headers['location'][:200]}"
                        break
                    if nxt in chain:
                        result.status = resp.status_code
                        result.error = "redirect loop"
                        chain.append(nxt)
                        break
                    if len(chain) > MAX_REDIRECTS:
                        result.status = resp.status_code
                        result.error = f"too many redirects (more than {MAX_REDIRECTS})"
                        break
                    chain.append(nxt)
                    checked, current = current, nxt
                    continue
                if method == "HEAD" and resp.status_code in (405, 501):
                    method = "GET"  # the server does not do HEAD: ask again with GET
                    continue
                result.status = resp.status_code
                result.content_type = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                body = None
                if read_html and resp.status_code < 400 and result.content_type in HTML_TYPES:
                    buf = bytearray()
                    try:
                        async with asyncio.timeout(self.timeout * 2):
                            async for chunk in resp.aiter_bytes():
                                buf += chunk
                                if len(buf) >= MAX_BODY:
                                    del buf[MAX_BODY:]
                                    break
                    except Exception as exc:
                        result.error = _error_text(exc)
                        break
                    body = bytes(buf)
                result.final_url = current
                result.chain = chain
                return result, body
            finally:
                await resp.aclose()
        result.final_url = current
        result.chain = chain
        return result, None

    # ------------------------------------------------------------------ link checks

    def _schedule_check(self, target: str) -> None:
        if target in self.results:
            return
        self.results[target] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._check_link(target))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _check_link(self, target: str) -> None:
        fut = self.results[target]
        try:
            if not await self._robots_allows(target):
                result = LinkResult(url=target, blocked=True)
            else:
                async with self.sem:
                    result, _ = await self._fetch(target, "HEAD", read_html=False)
        except Exception as exc:  # never leave a future pending
            result = LinkResult(url=target, error=_error_text(exc))
        self.report.links_checked += 1
        if not fut.done():
            fut.set_result(result)

    def _note_links(self, page_url: str, links) -> None:
        for link in links:
            if link.tag not in LINK_TAGS:
                continue
            target = normalize_url(link.url)
            if target is None:
                continue  # mailto:, javascript:, tel: ...
            internal = self._is_internal(target)
            if not internal and not self.check_external:
                continue
            pages = self.linked_from.setdefault(target, {})
            if page_url not in pages:
                pages[page_url] = ((link.text or "").strip()[:200], link.tag)
            if target in self.results:
                continue
            if (internal and link.tag in PAGE_TAGS and target not in self.seen_pages
                    and self.enqueued < self.max_pages
                    and not urlsplit(target).path.lower().endswith(NON_PAGE_SUFFIXES)):
                self._enqueue(target)
            else:
                self._schedule_check(target)

    def _enqueue(self, url: str) -> None:
        self.seen_pages.add(url)
        self.enqueued += 1
        # The page fetch answers for the URL as a link target too.
        self.results.setdefault(url, asyncio.get_running_loop().create_future())
        self.queue.put_nowait(url)

    # ------------------------------------------------------------------ pages

    async def _process_page(self, url: str) -> None:
        fut = self.results.get(url)
        if not await self._robots_allows(url):
            result = LinkResult(url=url, blocked=True)
            self.report.skipped.append({"url": url, "reason": "blocked by robots.txt"})
            if fut is not None and not fut.done():
                fut.set_result(result)
            return
        async with self.sem:
            try:
                result, body = await self._fetch(url, "GET", read_html=True)
            except Exception as exc:
                result, body = LinkResult(url=url, error=_error_text(exc)), None
        if fut is not None and not fut.done():
            fut.set_result(result)
        self.report.links_checked += 1
        final = result.final_url or url
        if result.dead or result.blocked:
            if result.blocked:
                self.report.skipped.append({"url": url, "reason": "blocked by robots.txt"})
            else:
                self.report.errors.append({"url": url, "error": result.reason})
            return
        if final != url:
            # Redirected: the final URL answers for itself as a link target too.
            if final not in self.results:
                done = asyncio.get_running_loop().create_future()
                done.set_result(LinkResult(url=final, status=result.status, final_url=final, chain=[final],
                                           content_type=result.content_type))
                self.results[final] = done
            if not self._is_internal(final):
                self.report.skipped.append({"url": url, "reason": f"redirects out of the site to {final}"})
                return
            if final in self.seen_pages:
                return  # reached (or to be reached) under its own URL
            self.seen_pages.add(final)
        if body is None:
            self.report.skipped.append({"url": final, "reason": f"not HTML ({result.content_type or 'no type'})"})
            return
        await self._check_body(final, body, result.status)

    async def _check_body(self, final: str, body: bytes, status: int | None) -> None:
        checks = _checks()
        loop = asyncio.get_running_loop()
        # Content checks are CPU work: run them off the event loop for big pages only.
        if len(body) > 256 * 1024:
            page = await loop.run_in_executor(None, lambda: checks.check_page(body, final, wording=self.wording))
        else:
            page = checks.check_page(body, final, wording=self.wording)
        self._note_links(final, page.links)
        if not self.keep_reports:
            page.links = []
            page.text = ""
        self.page_reports.append((page, status))

    async def _worker(self) -> None:
        while True:
            url = await self.queue.get()
            try:
                await self._process_page(url)
            except Exception as exc:  # a bug in one page's checks must not stop the crawl
                self.report.errors.append({"url": url, "error": _error_text(exc)})
                fut = self.results.get(url)
                if fut is not None and not fut.done():
                    fut.set_result(LinkResult(url=url, error=_error_text(exc)))
            finally:
                self.done += 1
                self.queue.task_done()
                if self.progress:
                    try:
                        self.progress(self.done, self.queue.qsize())
                    except Exception:
                        pass

    async def run(self, body: bytes | None = None) -> CrawlReport:
        """Crawl from the start URL; with `body`, check that HTML as the start page instead of fetching it."""
        report = self.report
        report.started = dt.datetime.now(dt.timezone.utc)
        t0 = time.perf_counter()
        self.sem = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        timeout = httpx.Timeout(self.timeout, pool=None)
        headers = {"User-Agent": USER_AGENT.encode("utf-8"), "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        async with httpx.AsyncClient(http1=True, http2=False, limits=limits, timeout=timeout, headers=headers,
                                     follow_redirects=False) as client:
            self.client = client
            if body is not None:
                self.seen_pages.add(self.start_url)
                self.enqueued += 1
                await self._check_body(self.start_url, body, None)
            else:
                self._enqueue(self.start_url)
            workers = [asyncio.create_task(self._worker()) for _ in range(self.concurrency)]
            try:
                await self.queue.join()
                while self.tasks:  # link checks still in flight
                    await asyncio.gather(*list(self.tasks), return_exceptions=True)
            finally:
                for w in workers:
                    w.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
        self._assemble()
        report.elapsed = time.perf_counter() - t0
        report.finished = dt.datetime.now(dt.timezone.utc)
        return report

    def _assemble(self) -> None:
        """Dead-link findings for every page that links a dead target; page summaries."""
        checks = _checks()
        by_page: dict[str, list] = {}
        for target, pages in self.linked_from.items():
            fut = self.results.get(target)
            if fut is None or not fut.done():
                continue
            result: LinkResult = fut.result()
            if not result.dead:
                continue
            for page_url, (text, tag) in pages.items():
                anchor = text or f"[{tag}]"
                by_page.setdefault(page_url, []).append(checks.Finding(
                    kind="dead_link", severity="warning", evidence=target,
                    context=f"{anchor} ({result.reason})", url=page_url))
        start = self.results.get(self.start_url)
        if start is not None and start.done() and start.result().dead and self.start_url not in self.linked_from:
            # Nothing links the start page: report it on its own.
            by_page.setdefault(self.start_url, [])
            self.report.findings.append(checks.Finding(
                kind="dead_link", severity="warning", evidence=self.start_url,
                context=f"start page ({start.result().reason})", url=self.start_url))
        for page, status in self.page_reports:
            extra = by_page.get(page.url, [])
            page.findings.extend(extra)
            for f in page.findings:
                if not getattr(f, "url", ""):
                    f.url = page.url
            self.report.findings.extend(page.findings)
            self.report.pages.append(PageSummary(
                url=page.url, status=status, title=page.title or "", verdict=page.verdict,
                counts=dict(Counter(f.kind for f in page.findings)), final_url=page.url))


async def crawl(start_url: str, *, max_pages: int = 500, concurrency: int = 16, rate: float | None = None,
                timeout: float = 10.0, own_hosts=(), check_external: bool = True, progress=None,
                wording=None) -> CrawlReport:
    """Crawl the start host (at most `max_pages` pages) and check every link; see the module docstring."""
    crawler = Crawler(start_url, max_pages=max_pages, concurrency=concurrency, rate=rate, timeout=timeout,
                      own_hosts=own_hosts, check_external=check_external, progress=progress, wording=wording)
    return await crawler.run()


async def check_url_async(url: str, *, timeout: float = 10.0, wording=None, own_hosts=None, concurrency: int = 8):
    """One page: content checks and all its links. Raises FetchError when the page cannot be checked."""
    if normalize_url(url) is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if own_hosts is None:
        own_hosts = (host_of(normalize_url(url)),)
    crawler = Crawler(url, max_pages=1, concurrency=concurrency, timeout=timeout, own_hosts=own_hosts,
                      wording=wording, keep_reports=True)
    report = await crawler.run()
    if not crawler.page_reports:
        problem = report.errors[0]["error"] if report.errors else (
            report.skipped[0]["reason"] if report.skipped else "nothing fetched")
        raise FetchError(f"cannot check {crawler.start_url}: {problem}")
    page, _status = crawler.page_reports[0]
    return page


async def check_html_async(body: bytes | str, url: str, *, timeout: float = 10.0, wording=None,
                           concurrency: int = 8):
    """Content checks of HTML given as text, and the status of its links resolved against `url`."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    crawler = Crawler(url, max_pages=1, concurrency=concurrency, timeout=timeout,
                      own_hosts=(host_of(normalize_url(url) or ""),), wording=wording, keep_reports=True)
    await crawler.run(body=body)
    return crawler.page_reports[0][0]


def check_url(url: str, *, timeout: float = 10, wording=None):
    """Sync wrapper: fetch one page, run the content checks, check its links (dead_link findings added)."""
    return run_sync(check_url_async(url, timeout=timeout, wording=wording))


def run_sync(coro):
    """Run a coroutine to the end from synchronous code. When this thread
    already runs an event loop (a caller inside async code, or Playwright's
    sync API in the same process), asyncio.run() refuses: the coroutine then
    runs on a fresh loop in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import threading

    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="gongkai-crawl")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
