"""The floor of the page benchmark: a bare Django view returning a 20 KB
page from memory, served exactly as `gongkai serve` serves the site.

    python bench/floor_app.py [--host 127.0.0.1] [--port 8766] [--workers N] [--threads T]

Minimal settings (no app, no middleware, no database, no template), one URL,
`/floor/`, answering the same bytes every time. The server is gongkai's own:
the listening sockets from `serve.listen`, then with --workers 1 waitress in
this process, else the `serve.Supervisor` forking N processes of T threads
on the shared socket. Whatever a public page costs beyond this floor is the
page's own work (middleware, queries, templates, the page cache).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

PAGE_BYTES = 20 * 1024


def make_page(size: int = PAGE_BYTES) -> bytes:
    """About `size` bytes of UTF-8 HTML that reads like a catalog page."""
    head = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开目录</title></head>'
            '<body><main><h1>政府信息公开目录</h1><ul>')
    tail = "</ul></main></body></html>"
    row = ('<li><a href="/doc/11510000MB1234567X/2023-00001/">四川省人民政府办公厅关于做好2023年政务公开工作的通知</a>'
           '<span>川办发〔2023〕1号</span><time>2023-03-01</time></li>')
    body, rows = head, []
    while len((body + "".join(rows) + tail).encode("utf-8")) < size:
        rows.append(row)
    page = (body + "".join(rows) + tail).encode("utf-8")
    return page[: size - len(tail.encode())] + tail.encode() if len(page) > size else page


PAGE = make_page()


def floor(request):
    from django.http import HttpResponse

    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


def configure() -> None:
    import django
    from django.conf import settings
    from django.urls import path

    global urlpatterns
    urlpatterns = [path("floor/", floor)]
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-benchmark-" + "x" * 40,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
        USE_TZ=True,
        GONGKAI_TRUSTED_PROXIES=[],  # what gongkai serve reads to pass the proxy's headers on, as the platform's default
    )
    django.setup()


class _Say:
    def say(self, text: str) -> None:
        print(text, flush=True)


def serve(host: str, port: int, workers: int, threads: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gongkai
    configure()
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    from gongkai.core.management.commands import serve as gongkai_serve

    application = get_wsgi_application()
    sockets = gongkai_serve.listen(host, port)
    print(f"Floor serving on http://{host}:{port}/floor/ from {workers} process(es) of {threads} threads", flush=True)
    try:
        if workers == 1:
            server = create_server(application, sockets=sockets, threads=threads, ident="gongkai")
            signal.signal(signal.SIGTERM, gongkai_serve._leave_waitress)  # as serve_here does
            server.run()
        else:
            gongkai_serve.Supervisor(_Say(), application, sockets, workers, threads).run()
    finally:
        for sock in sockets:
            sock.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.workers, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
