"""Crawl benchmark (issue "网站监测", Speed): a generated 2,000-page site on loopback.

The site (tests/monitor/site.py, `build_generated`) is served by an asyncio HTTP/1.1 server in
a separate process, so that its memory is not counted: each page is about 5 KB of Chinese text
with about 20 links to other pages and 3 images out of a pool of 20. The crawler
(`gongkai.monitor.crawler.crawl`, 16 connections, no rate cap, the host counted as the office's
own) checks every page (`checks.check_page`) and every link. Reported: pages/s over the whole
crawl, requests, peak RSS of the crawler process (ru_maxrss), and the cost of the content checks
alone (check_page over the same pages, no network).

    python bench/crawl_bench.py [--pages 2000] [--concurrency 16] [--write bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/hardware.py
import hardware  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BEGIN, END = "<!-- bench:crawl -->", "<!-- /bench:crawl -->"
HEADING = "# Crawl benchmark results"


def serve(n: int, port_queue, stop_event) -> None:
    from tests.monitor.site import LoopbackSite, build_generated

    site = LoopbackSite()
    site.start()
    build_generated(site, n=n)
    port_queue.put(site.port)
    stop_event.wait()
    site.stop()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def machine() -> str:
    cpu = hardware.cpu_model()
    gib = hardware.ram_gib()
    mem_s = f", {gib:.1f} GiB RAM" if gib else ""
    import httpx

    return (f"{os.cpu_count()} cores, {cpu}{mem_s}; Python {platform.python_version()}, httpx {httpx.__version__}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--write", default="", help="write the section into this RESULTS.md")
    args = ap.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()
    from gongkai.monitor import checks, crawler
    from tests.monitor.site import generated_page

    rss_start = rss_mb()
    ctx = mp.get_context("spawn")
    ports, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(args.pages, ports, stop), daemon=True)
    server.start()
    try:
        port = ports.get(timeout=60)
        start = f"http://127.0.0.1:{port}/"
        done = [0]

        def progress(d, q):
            done[0] = d

        t0 = time.perf_counter()
        report = crawler.run_sync(crawler.crawl(start, max_pages=args.pages + 10, concurrency=args.concurrency,
                                           timeout=10, own_hosts=("127.0.0.1",), progress=progress))
        wall = time.perf_counter() - t0
        rss_peak = rss_mb()
    finally:
        stop.set()
        server.join(10)
        if server.is_alive():
            server.terminate()

    # The content checks alone, on the same pages, without the network.
    sample = [generated_page(i, args.pages) for i in range(min(300, args.pages))]
    t1 = time.perf_counter()
    for i, body in enumerate(sample):
        checks.check_page(body, f"http://127.0.0.1/p/{i}.html")
    check_ms = (time.perf_counter() - t1) / len(sample) * 1000

    pages = len(report.pages)
    pps = pages / wall if wall else 0.0
    dead = sum(1 for f in report.findings if f.kind == "dead_link")
    other = len(report.findings) - dead
    ok_speed, ok_mem = pps >= 100, rss_peak < 300
    figures = {
        "pages": pages, "wall": wall, "pps": pps, "requests": report.requests, "links": report.links_checked,
        "rss_peak": rss_peak, "rss_start": rss_start, "check_ms": check_ms, "dead": dead, "other": other,
        "errors": len(report.errors),
    }
    print(f"pages {pages} in {wall:.2f} s: {pps:.1f} pages/s; requests {report.requests}; "
          f"links checked {report.links_checked}; peak RSS {rss_peak:.0f} MB (at start {rss_start:.0f} MB); "
          f"check_page {check_ms:.2f} ms/page; findings: dead_link {dead}, other {other}; errors {len(report.errors)}")
    print(f"targets: >= 100 pages/s {'met' if ok_speed else 'MISSED'}; < 300 MB {'met' if ok_mem else 'MISSED'}")

    if args.write:
        section = render(args, figures, ok_speed, ok_mem)
        path = Path(args.write)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}")


def render(args, f, ok_speed, ok_mem) -> str:
    share = f["check_ms"] * f["pages"] / 1000 / f["wall"] * 100 if f["wall"] else 0
    return f"""{BEGIN}
{HEADING}

What `bench/crawl_bench.py` measures (issue "网站监测", Speed): a generated site of {args.pages:,} pages
(`tests/monitor/site.py`, `build_generated`: about 5 KB of Chinese text per page, about 20 links to
other pages and 3 images out of a pool of 20) served on loopback by an asyncio HTTP/1.1 server in a
separate process (its memory is not counted), crawled by `gongkai.monitor.crawler.crawl` with
{args.concurrency} connections, no rate cap, the host counted as the office's own (robots.txt not
applied). Every page goes through `checks.check_page`; every distinct link target is checked once.
Peak RSS is `ru_maxrss` of the crawler process (Python, Django set up, the crawl). The content-check
cost is `check_page` alone over 300 of the same pages, without the network.

Run it again: `python bench/crawl_bench.py --pages {args.pages} --write bench/RESULTS.md`

Machine: {machine()}.

| figure | result | target |
|---|---|---|
| pages checked | {f['pages']:,} | {args.pages:,} |
| wall time | {f['wall']:.2f} s | |
| pages/s | {f['pps']:.1f} | ≥ 100 ({'met' if ok_speed else 'missed'}) |
| requests (pages, link checks) | {f['requests']:,} | |
| link targets checked | {f['links']:,} | |
| peak RSS, crawler process | {f['rss_peak']:.0f} MB (after Django set-up: {f['rss_start']:.0f} MB) | < 300 MB ({'met' if ok_mem else 'missed'}) |
| `check_page` per page | {f['check_ms']:.2f} ms (about {share:.0f} % of the crawl's time) | |
| findings | dead_link {f['dead']}, other {f['other']}; pages not fetched {f['errors']} | dead_link 0 |

The server and the crawler share the machine's two cores: the figure includes the server's own
work on loopback.
{END}"""


if __name__ == "__main__":
    main()
