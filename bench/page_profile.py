"""Where a public page's time goes, cold (page cache off): its SQL, each statement timed.

    python bench/page_profile.py --db sqlite:/tmp/gongkai-bench/sqlite-100k/gongkai.sqlite3 \
        '/catalog/?org=16&year=2023' '/search/?q=通知' [--repeat 3] [--explain] [--pyinstrument]

Each URL is requested through Django's test client in this process (no
server, no network), as an anonymous visitor, --repeat times after one
request of warm-up. For the last request the report lists the total time,
the time inside SQL, and every statement with its time, slowest first
(`--explain`: with its EXPLAIN QUERY PLAN / EXPLAIN ANALYZE). With
--pyinstrument (installed separately) the last request is also profiled.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402


def encode(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", quote(parts.path, safe="/%"), quote(parts.query, safe="=&%+"), ""))


def explain(sql: str, params) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(f"      {row[-1]}" for row in rows)
    return "\n".join(f"      {row[0]}" for row in rows)


class Timer:
    """Every statement with its parameters and its time (perf_counter), through
    connection.execute_wrapper (finer than the debug cursor's milliseconds)."""

    def __init__(self):
        self.statements: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append(((time.perf_counter() - began) * 1000, sql, params))


def profile(url: str, repeat: int, show_explain: bool, use_pyinstrument: bool, top: int) -> None:
    from django.db import connection
    from django.test import Client

    client = Client()
    path = encode(url)
    client.get(path)  # warm-up
    times = []
    for _ in range(repeat):
        timer = Timer()
        began = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    sql_ms = sum(ms for ms, _, _ in timer.statements)
    print(f"\n{url}  status {response.status_code}, {len(response.content):,} bytes; "
          f"{', '.join(f'{t:.1f}' for t in times)} ms; last: {len(timer.statements)} statements, "
          f"{sql_ms:.1f} ms in SQL, {times[-1] - sql_ms:.1f} ms outside")
    for ms, sql, params in sorted(timer.statements, key=lambda s: -s[0])[:top]:
        shown = sql if len(sql) <= 900 else sql[:900] + " …"
        print(f"  {ms:7.2f} ms  {shown}\n             params {str(params)[:300]}")
        if show_explain and sql.lstrip().upper().startswith("SELECT"):
            try:
                print(explain(sql, params))
            except Exception as exc:
                print(f"      (no plan: {exc})")
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=8, help="statements shown per URL (default 8)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    db = benchdb.parse(args.db)
    os.environ["GONGKAI_PAGE_CACHE"] = "0"
    benchdb.setup_django(db)
    from django.conf import settings

    settings.DEBUG = False
    for url in args.urls:
        profile(url, args.repeat, args.explain, args.pyinstrument, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
