"""`gongkai monitor check-page FILE_OR_URL` and `gongkai monitor crawl URL`: the website monitor (网站监测).

check-page  one page: all content checks; for a URL (or a file with --base-url) the status of
            every link on it too.
crawl       every page of the start host (up to --max-pages), all content checks, every link
            (internal and external) checked once.

robots.txt: the start host of a crawl counts as the office's own site, whose robots.txt is
written for search engines and is not applied to the office's own monitor; other hosts' robots.txt
is honoured. `--respect-robots` honours the start host's robots.txt too (for a site that is not
the office's own); `--own-host HOST` adds more hosts whose robots.txt is ignored.

Output: progress on stderr, the report on stdout (a summary, or JSON with --json).
Exit status: 0 no finding, 1 findings (or pages that could not be fetched), 2 bad input.
For check-page, 2 means the page could not be checked at all, with the reason on
stderr and nothing on stdout: no such file or an unreadable one, a URL that cannot be
fetched or is not HTML, an empty page, a binary file (PDF, image, archive, ...) or
text that is not UTF-8 or GB18030/GBK, a page with no text, title or link to check. It
never says "ok" about input it could not read.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from gongkai.core.decode import MAX_CONTROL_RATIO, DecodeError, decode
from gongkai.monitor import crawler


def _finding_line(f) -> str:
    return f"{f.kind} {f.severity} {f.url or '-'}: {f.evidence} — {f.context}"


def _unreadable(report) -> str:
    """Why the checked page is not one (empty, or binary fetched as HTML), or ""."""
    text = report.text or ""
    if not text.strip() and not (report.title or "").strip() and not report.links and not report.findings:
        return "the page has no text, title or link to check (empty, or built by scripts)"
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\n\r"))
    if text and odd / len(text) > MAX_CONTROL_RATIO:
        return f"binary content, not a page ({odd} undecodable or control characters in {len(text)})"
    return ""


class Command(BaseCommand):
    help = "Website monitor: check one page (check-page) or crawl a site (crawl) for dead links, tampering and wording."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        page = sub.add_parser("check-page", help="check one page (a file or a URL) and, for a URL, its links",
                              epilog="Exit status: 0 nothing found, 1 findings, 2 the page could not be checked "
                                     "(no such file, unreadable, not fetched, empty, binary, not UTF-8 or GBK text, "
                                     "or nothing on it to check); the reason is on stderr.")
        page.add_argument("target", metavar="FILE_OR_URL")
        page.add_argument("--json", action="store_true", help="print the report as JSON")
        page.add_argument("--base-url", default="", help="for a file: the address it is served at (its links are then checked too)")
        page.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")

        crawl = sub.add_parser("crawl", help="crawl a site within its start host and check every page and link")
        crawl.add_argument("url", metavar="URL")
        crawl.add_argument("--max-pages", type=int, default=500, help="pages to check at most (default 500)")
        crawl.add_argument("--concurrency", type=int, default=16, help="requests in flight at most (default 16)")
        crawl.add_argument("--rate", type=float, default=None, help="requests per second at most (default: no cap)")
        crawl.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
        crawl.add_argument("--respect-robots", action="store_true",
                           help="honour the start host's robots.txt too (it is the office's own site otherwise)")
        crawl.add_argument("--own-host", action="append", default=[], metavar="HOST",
                           help="another host of the office's own, whose robots.txt is not applied (repeatable)")
        crawl.add_argument("--no-external", action="store_true", help="do not check links to other hosts")
        crawl.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, action, **options):
        if action == "check-page":
            code = self.check_page(options)
        else:
            code = self.crawl(options)
        if code:
            sys.exit(code)

    def fail(self, message: str) -> int:
        self.stderr.write(message)
        return 2

    # ------------------------------------------------------------------ check-page

    def check_page(self, options) -> int:
        target = options["target"]
        timeout = options["timeout"]
        is_url = "://" in target
        try:
            if is_url:
                if crawler.normalize_url(target) is None:
                    return self.fail(f"Not an http(s) URL: {target}")
                report = crawler.check_url(target, timeout=timeout)
                shown = target
            else:
                path = Path(target)
                if not path.is_file():
                    return self.fail(f"No such file: {target}")
                try:
                    body = path.read_bytes()
                    decode(body)
                except OSError as exc:
                    return self.fail(f"Cannot read {target}: {exc.strerror or exc}")
                except DecodeError as exc:
                    return self.fail(f"Cannot check {target}: {exc.reason} (check-page reads a saved web page, HTML or text)")
                base = options["base_url"]
                if base:
                    if crawler.normalize_url(base) is None:
                        return self.fail(f"Not an http(s) URL: {base}")
                    report = crawler.run_sync(crawler.check_html_async(body, base, timeout=timeout))
                else:
                    from gongkai.monitor import checks

                    report = checks.check_page(body, "")
                shown = str(path)
        except crawler.FetchError as exc:
            return self.fail(str(exc))
        problem = _unreadable(report)
        if problem:
            return self.fail(f"Cannot check {target}: {problem}")
        findings = list(report.findings)
        if options["json"]:
            data = report.as_dict()
            data.pop("text", None)
            data["url"] = report.url or shown
            data["verdict"] = report.verdict
            data["findings"] = [f.as_dict() for f in findings]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{shown}: {report.verdict} ({len(findings)} findings)")
            if report.title:
                self.stdout.write(f"title: {report.title}")
            for f in findings:
                self.stdout.write(_finding_line(f))
        return 1 if findings else 0

    # ------------------------------------------------------------------ crawl

    def crawl(self, options) -> int:
        url = crawler.normalize_url(options["url"])
        if url is None:
            return self.fail(f"Not an http(s) URL: {options['url']}")
        if options["max_pages"] < 1 or options["concurrency"] < 1 or (options["rate"] is not None and options["rate"] <= 0):
            return self.fail("--max-pages, --concurrency and --rate must be positive")
        own = set(h.lower() for h in options["own_host"])
        if not options["respect_robots"]:
            own.add(crawler.host_of(url))
        last = [0.0]

        def progress(done, queued):
            now = time.monotonic()
            if now - last[0] >= 0.5:
                last[0] = now
                self.stderr.write(f"pages done {done}, queued {queued}")

        report = crawler.run_sync(crawler.crawl(
            url, max_pages=options["max_pages"], concurrency=options["concurrency"], rate=options["rate"],
            timeout=options["timeout"], own_hosts=tuple(own), check_external=not options["no_external"],
            progress=progress))
        self.stderr.write(f"done: {len(report.pages)} pages checked, {report.links_checked} links checked")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            v = report.verdicts
            self.stdout.write(
                f"{report.start_url}: {len(report.pages)} pages in {report.elapsed:.1f} s "
                f"({report.pages_per_second} pages/s), {report.links_checked} links checked")
            self.stdout.write(f"verdicts: ok {v['ok']}, warnings {v['warnings']}, tampered {v['tampered']}")
            self.stdout.write(f"findings: {len(report.findings)}")
            for f in report.findings:
                self.stdout.write(_finding_line(f))
            reported = {f.evidence for f in report.findings}
            for e in report.errors:
                if e["url"] not in reported:  # those are dead links above already
                    self.stdout.write(f"could not check {e['url']}: {e['error']}")
            for s in report.skipped:
                self.stdout.write(f"skipped {s['url']}: {s['reason']}")
        return 1 if (report.findings or report.errors) else 0
