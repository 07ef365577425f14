"""Public pages at province scale: throughput against a floor, cold latency, memory (issue 13).

    python bench/pages_bench.py --db sqlite:/tmp/gongkai-bench/sqlite-100k/gongkai.sqlite3 \
        [--workers 1,2,4] [--threads 8] [--write bench/RESULTS.md]

On a catalog made by bench/generate_catalog.py (--db as there, see bench/benchdb.py):

1. Warm throughput, for each process count of --workers: `gongkai serve
   --workers N --threads T` (page cache on, as shipped) and, served the same
   way (same WSGI server, N processes, T threads), the floor
   (bench/floor_app.py: a bare Django view returning 20 KB from memory). Then
   --repeats times: `wrk -t2 -c16 -d10s --latency` against the floor, then
   against each public page in turn (home, catalog, catalog with filters, a
   document, search, the service guides and a guide). Every page's req/s is
   divided by the floor's of the same repeat; the tables give the median over
   the repeats (and the range). Each page is fetched once before its run.
2. Memory: the resident set (VmRSS) of every server process after its runs.
3. Cold latency: one process with the page cache off (GONGKAI_PAGE_CACHE=0),
   --cold sequential requests per page kind over varied URLs (other
   organisations, topics, years, pages, documents, guides and queries: a
   realistic search mix of common words, two-character words, phrases,
   sentences typed without spaces, document numbers, date order and deep
   pages), taken in turn across the kinds on one keep-alive connection, after
   a few requests of warm-up. p50/p95/p99 per page kind.

Servers are started by this script and always stopped (SIGTERM, then
SIGKILL of their own process group); every load run is bounded in time.
Progress goes to stderr, the Markdown report to stdout and, with --write,
into the section "Public pages at province scale (issue 13)" of that file
(only this database's block is replaced).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402
import hardware  # noqa: E402

HOST = "127.0.0.1"
SECTION = "## Public pages at province scale (issue 13)"
TARGET_RATIO = 0.5
TARGET_COLD_P95 = {("sqlite", 100_000): 100.0, ("postgresql", 1_000_000): 150.0}
SEED = 13
PAGE_KINDS = [
    ("home", "首页"),
    ("catalog", "目录"),
    ("catalog-filtered", "目录（筛选）"),
    ("document", "文件页"),
    ("search", "检索"),
    ("guides", "办事指南列表"),
    ("guide", "办事指南"),
    ("column", "政府信息公开专栏"),
    ("column-list", "专栏栏目列表"),
    ("directory", "机构导航"),
    ("subsite", "机构子站"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- URLs


def q(params: dict) -> str:
    return "?" + urlencode(params, quote_via=quote) if params else ""


# Search text a visitor types: (kind, text). Common words, two-character
# words, quoted phrases, whole questions without spaces, document numbers.
COMMON_WORDS = ["通知", "关于", "工作", "实施", "管理", "政府", "公开", "意见"]
TWO_CHARACTER = ["教育", "财政", "医疗", "养老", "住房", "就业", "社保", "扶贫", "环保", "交通", "招聘", "补贴", "低保",
                 "疫情", "农业", "旅游", "预算", "审计", "消防", "安全"]
PHRASES = ['"政务公开工作要点"', '"最低生活保障"', '"行政规范性文件"', '"政府信息公开"', '"乡村振兴"',
           '"营商环境"', '"安全生产"', '"义务教育"']
SENTENCES = ["怎么申请最低生活保障", "如何办理营业执照", "2023年政务公开工作要点", "农村危房改造补助标准是多少",
             "城乡居民基本医疗保险缴费标准", "小微企业税收优惠政策", "高校毕业生就业创业补贴怎么领",
             "老旧小区改造实施方案", "义务教育阶段招生入学政策", "残疾人两项补贴申请条件"]


@dataclass
class Catalog:
    """What the URLs are made of, read from the benchmark database."""

    documents: int = 0
    public: int = 0
    orgs: list[int] = field(default_factory=list)  # with public documents
    top_orgs: list[int] = field(default_factory=list)  # the province and the cities (big subtrees)
    topics: list[int] = field(default_factory=list)  # with public documents (first and second level)
    genres: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    index_numbers: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # document numbers
    keywords: list[str] = field(default_factory=list)
    guides: list[int] = field(default_factory=list)
    guide_orgs: list[int] = field(default_factory=list)


def read_catalog(sample: int = 2000, seed: int = SEED) -> Catalog:
    from django.db import connection
    from django.db.models import Max, Min

    from gongkai.catalog.models import Document, Topic
    from gongkai.catalog.selectors import public_documents
    from gongkai.core.models import Organisation
    from gongkai.guides.models import ServiceGuide

    rng = random.Random(seed)
    cat = Catalog()
    cat.documents = Document.objects.count()
    cat.public = public_documents().count()
    try:
        from gongkai.catalog import counts
    except ImportError:
        counts = None
    if counts is not None and counts.counts("all").get("", 0) != cat.public:
        raise SystemExit(f"The maintained facet counts do not match the {cat.public:,} public documents: "
                         "rebuild them (gongkai.catalog.counts.recount(), done by bench/generate_catalog.py).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT organisation_id FROM catalog_document")
        with_docs = {row[0] for row in cursor.fetchall()}
    cat.orgs = sorted(with_docs)
    cat.top_orgs = list(Organisation.objects.filter(level__in=["province", "city"], pk__in=with_docs)
                        .order_by("sort_order", "id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT topic_id FROM catalog_document WHERE topic_id IS NOT NULL")
        used = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT genre_id FROM catalog_document WHERE genre_id IS NOT NULL")
        cat.genres = sorted(row[0] for row in cursor.fetchall())
    parents = set(Topic.objects.filter(pk__in=used, parent__isnull=False).values_list("parent_id", flat=True))
    cat.topics = sorted(used | parents)
    bounds = public_documents().aggregate(lo=Min("published_date"), hi=Max("published_date"), first=Min("id"),
                                          last=Max("id"))
    cat.years = list(range(bounds["lo"].year, bounds["hi"].year + 1))
    ids = sorted(rng.sample(range(bounds["first"], bounds["last"] + 1), min(sample * 2, bounds["last"] - bounds["first"] + 1)))
    rows = []
    for start in range(0, len(ids), 500):
        rows += list(public_documents().filter(pk__in=ids[start:start + 500])
                     .values_list("index_number", "document_number", "keywords"))
    rng.shuffle(rows)
    rows = rows[:sample]
    cat.index_numbers = [r[0] for r in rows]
    cat.numbers = [r[1] for r in rows if r[1]]
    cat.keywords = sorted({k for r in rows for k in re.split(r"[，,\s]+", r[2]) if k})
    guides = ServiceGuide.objects.filter(published=True).order_by("id")
    cat.guides = list(guides.values_list("id", flat=True))
    cat.guide_orgs = sorted(set(guides.values_list("organisation_id", flat=True)))
    return cat


def search_params(cat: Catalog, rng: random.Random) -> tuple[str, dict]:
    """One search as a visitor makes it: (kind, query parameters)."""
    kind = rng.choices(["common word", "two characters", "keyword", "phrase", "sentence", "document number"],
                       [20, 20, 20, 15, 15, 10])[0]
    text = {
        "common word": lambda: rng.choice(COMMON_WORDS),
        "two characters": lambda: rng.choice(TWO_CHARACTER),
        "keyword": lambda: rng.choice(cat.keywords) if cat.keywords else rng.choice(COMMON_WORDS),
        "phrase": lambda: rng.choice(PHRASES),
        "sentence": lambda: rng.choice(SENTENCES),
        "document number": lambda: rng.choice(cat.numbers) if cat.numbers else rng.choice(SENTENCES),
    }[kind]()
    params = {"q": text}
    extra = rng.random()
    if extra < 0.25:
        params["order"] = "date"
        kind += ", by date"
    elif extra < 0.35:
        params["page"] = str(rng.choice([2, 3, 5, 10, 50]))
        kind += ", deep page" if params["page"] == "50" else ", page 2-10"
    if rng.random() < 0.2:
        params["org"] = str(rng.choice(cat.top_orgs or cat.orgs))
        kind += ", filtered"
    return kind, params


def catalog_filter_params(cat: Catalog, rng: random.Random) -> dict:
    """One or more of organisation (with its subtree), topic, year, genre,
    validity; sometimes a later page."""
    params = {}
    chosen = rng.sample(["org", "topic", "year", "genre", "validity"], rng.choice([1, 2, 2, 3]))
    if "org" in chosen:
        params["org"] = str(rng.choice(cat.orgs + cat.top_orgs * 3))
    if "topic" in chosen:
        params["topic"] = str(rng.choice(cat.topics))
    if "genre" in chosen:
        params["genre"] = str(rng.choice(cat.genres))
    if "year" in chosen:
        params["year"] = str(rng.choice(cat.years))
    if "validity" in chosen:
        params["validity"] = rng.choice(["valid", "valid", "expired"])
    if rng.random() < 0.2:
        params["page"] = str(rng.choice([2, 3, 5, 10]))
    return {name: params[name] for name in ("org", "topic", "genre", "year", "validity", "page") if name in params}


def warm_urls(cat: Catalog) -> dict[str, str]:
    """One URL per page kind for the throughput runs."""
    from gongkai.catalog.selectors import public_documents

    org = cat.top_orgs[1] if len(cat.top_orgs) > 1 else cat.orgs[0]
    # A topic the organisation's subtree published on in 2023 (the example).
    from gongkai.core.models import descendant_ids

    year = 2023 if 2023 in cat.years else cat.years[-1]
    topic = (public_documents().filter(organisation_id__in=descendant_ids([org]), published_date__year=year)
             .exclude(topic=None).values_list("topic__parent_id", flat=True).first()) or cat.topics[0]
    return {
        "home": "/",
        "catalog": "/catalog/",
        "catalog-filtered": f"/catalog/{q({'org': org, 'topic': topic, 'year': year})}",
        "document": f"/doc/{quote(cat.index_numbers[0])}/",
        "search": f"/search/{q({'q': '通知'})}",
        "guides": "/guides/",
        "guide": f"/guides/{cat.guides[0]}/",
        # The 政府信息公开 column and the sub-sites (issue 18): the site-wide
        # column tree (every column counted over the whole catalog), one
        # column's list, the directory and an organisation's own home.
        "column": "/xxgk/",
        "column-list": "/xxgk/column/statistics/",
        "directory": "/org/",
        "subsite": f"/org/{org}/",
    }


def cold_urls(cat: Catalog, count: int, seed: int = SEED) -> dict[str, list[tuple[str, str]]]:
    """`count` (label, URL) per page kind, no two alike where the kind allows."""
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, str]]] = {}
    out["home"] = [("home", "/")] * count  # one page; the cache is off
    pages = [1] * (count // 2) + [rng.randint(2, 200) for _ in range(count - count // 2)]
    rng.shuffle(pages)
    out["catalog"] = [("first page" if p == 1 else "page 2-200", "/catalog/" + q({"page": p} if p > 1 else {}))
                      for p in pages]
    out["catalog-filtered"] = [("filters", "/catalog/" + q(catalog_filter_params(cat, rng))) for _ in range(count)]
    docs = cat.index_numbers[1:count + 1]
    out["document"] = [("document", f"/doc/{quote(n)}/") for n in (docs * (count // max(1, len(docs)) + 1))[:count]]
    out["search"] = []
    for _ in range(count):
        kind, params = search_params(cat, rng)
        out["search"].append((kind, "/search/" + q(params)))
    guide_pages = []
    for i in range(count):
        choice = i % 4
        if choice == 0:
            guide_pages.append(("list", "/guides/" + q({"page": rng.randint(1, 10)} if i % 8 else {})))
        elif choice == 1:
            guide_pages.append(("by organisation", "/guides/" + q({"org": rng.choice(cat.guide_orgs)})))
        elif choice == 2:
            guide_pages.append(("by words", "/guides/" + q({"q": rng.choice(["申请", "许可", "最低生活保障", "政府信息公开"])})))
        else:
            guide_pages.append(("list", "/guides/"))
    out["guides"] = guide_pages
    guides = cat.guides[1:] or cat.guides
    out["guide"] = [("guide", f"/guides/{guides[i % len(guides)]}/") for i in range(count)]
    out["column"] = [("site-wide", "/xxgk/") if i % 4 == 0 else ("an organisation's", f"/xxgk/org/{rng.choice(cat.orgs)}/")
                     for i in range(count)]
    keys = ["statistics", "normative", "budget", "procurement", "licensing", "plans", "fees", "civil-service"]
    out["column-list"] = [("site-wide", f"/xxgk/column/{rng.choice(keys)}/") if i % 3 == 0 else
                          ("an organisation's", f"/xxgk/org/{rng.choice(cat.orgs)}/column/{rng.choice(keys)}/")
                          for i in range(count)]
    out["directory"] = [("directory", "/org/")] * count
    out["subsite"] = [("sub-site", f"/org/{rng.choice(cat.orgs)}/") for _ in range(count)]
    return out


# ---------------------------------------------------------------- servers


class Server:
    """A server this script started, in its own process group, always stopped."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, ready_path: str, log_dir: Path):
        self.name, self.argv, self.env, self.port, self.ready_path = name, argv, env, port, ready_path
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout: float = 900) -> None:  # a first start may migrate a big database
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.argv, env=self.env, cwd=str(benchdb.REPO), stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped with status {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}{self.ready_path}", timeout=30) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; see {self.log_path}")

    def pids(self) -> list[int]:
        """The serving processes: the children of a supervisor, else itself."""
        if self.process is None:
            return []
        children = _children(self.process.pid)
        return children or [self.process.pid]

    def rss_mib(self) -> dict[str, list[float]]:
        main = _rss_mib(self.process.pid)
        children = _children(self.process.pid)
        return {"supervisor": [main] if children else [], "serving": [_rss_mib(p) for p in children] or [main]}

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    log(f"{self.name} did not stop within 20 s: killed")
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own group: anything left behind
            except ProcessLookupError:
                pass
            if self.process.poll() is None:
                self.process.wait(timeout=10)
        finally:
            self.log_file.close()
            self.process = None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_mib(pid: int) -> float:
    try:
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        return int(match.group(1)) / 1024 if match else 0.0
    except OSError:
        return 0.0


def app_server(db: benchdb.BenchDatabase, port: int, workers: int, threads: int, cache: bool, log_dir: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGKAI_DATA_DIR", "GONGKAI_PAGE_CACHE")}
    env.update(db.environment())
    env["GONGKAI_PAGE_CACHE"] = "1" if cache else "0"
    argv = [sys.executable, "-m", "gongkai", "serve", "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--threads", str(threads)]
    return Server(f"gongkai-w{workers}-{'cache' if cache else 'nocache'}", argv, env, port, "/", log_dir)


def floor_server(port: int, workers: int, threads: int, log_dir: Path) -> Server:
    argv = [sys.executable, str(Path(__file__).resolve().parent / "floor_app.py"), "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--threads", str(threads)]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return Server(f"floor-w{workers}", argv, env, port, "/floor/", log_dir)


# ---------------------------------------------------------------- wrk


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses, socket errors and timeouts


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return WrkResult(rps, p50, p99, requests, errors)


def run_wrk(url: str, *, threads: int, connections: int, duration: int) -> WrkResult:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30, check=True)
    return parse_wrk(done.stdout)


def fetch(port: int, path: str) -> tuple[int, int]:
    """(status, bytes) of one GET, no cookie sent."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read())


# ---------------------------------------------------------------- measurements


@dataclass
class WarmRun:
    workers: int
    threads: int
    results: dict[str, list[WrkResult]] = field(default_factory=dict)  # page kind or "floor" -> per repeat
    sizes: dict[str, int] = field(default_factory=dict)
    rss: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # "gongkai"/"floor" -> rss_mib()

    def ratios(self, kind: str) -> list[float]:
        return [page.rps / floor.rps for page, floor in zip(self.results[kind], self.results["floor"]) if floor.rps]


def measure_warm(db, urls: dict[str, str], *, workers: int, threads: int, repeats: int, duration: int,
                 connections: int, wrk_threads: int, port: int, floor_port: int, log_dir: Path) -> WarmRun:
    run = WarmRun(workers, threads)
    with app_server(db, port, workers, threads, True, log_dir) as app, floor_server(floor_port, workers, threads, log_dir) as floor:
        targets = [("floor", floor_port, "/floor/")] + [(kind, port, url) for kind, url in urls.items()]
        for kind, target_port, url in targets:
            status, size = fetch(target_port, url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
            run.sizes[kind] = size
        for repeat in range(1, repeats + 1):
            for kind, target_port, url in targets:
                result = run_wrk(f"http://{HOST}:{target_port}{url}", threads=wrk_threads, connections=connections,
                                 duration=duration)
                run.results.setdefault(kind, []).append(result)
                floor_rps = run.results["floor"][-1].rps
                log(f"  workers {workers}, repeat {repeat}/{repeats}: {kind:<17} {result.rps:8.0f} req/s  "
                    f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:7.1f} ms  "
                    f"{'' if kind == 'floor' else f'{result.rps / floor_rps:.2f}× floor'}"
                    f"{f'  {result.errors} errors' if result.errors else ''}")
        run.rss = {"gongkai": app.rss_mib(), "floor": floor.rss_mib()}
    return run


@dataclass
class ColdSample:
    kind: str
    label: str
    url: str
    ms: float
    status: int
    size: int


def measure_cold(db, urls: dict[str, list[tuple[str, str]]], warmup_urls: list[str], *, threads: int, port: int,
                 log_dir: Path) -> tuple[list[ColdSample], dict]:
    samples: list[ColdSample] = []
    with app_server(db, port, 1, threads, False, log_dir) as app:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)

        def get(url: str) -> tuple[int, int, float]:
            began = time.perf_counter()
            connection.request("GET", url)
            response = connection.getresponse()
            body = response.read()
            return response.status, len(body), (time.perf_counter() - began) * 1000

        for _ in range(2):  # warm-up (not measured): code paths and templates, on URLs not measured below
            for url in warmup_urls:
                get(url)
        count = max(len(items) for items in urls.values())
        for i in range(count):
            for kind, items in urls.items():
                if i < len(items):
                    label, url = items[i]
                    status, size, ms = get(url)
                    samples.append(ColdSample(kind, label, url, ms, status, size))
            if (i + 1) % 50 == 0:
                log(f"  cold: {i + 1}/{count} rounds")
        connection.close()
        rss = app.rss_mib()
    return samples, rss


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


# ---------------------------------------------------------------- report


@dataclass
class Report:
    db: benchdb.BenchDatabase
    cat: Catalog
    warm_urls: dict[str, str]
    warm: list[WarmRun]
    cold: list[ColdSample]
    cold_rss: dict
    machine: dict[str, str]
    command: str
    options: dict
    db_bytes: int = 0

    @property
    def key(self) -> str:
        return f"{self.db.vendor}-{self.cat.documents}"

    def cold_target(self) -> float | None:
        return TARGET_COLD_P95.get((self.db.vendor, self.cat.documents))

    def markdown(self) -> str:
        vendor = "SQLite" if self.db.vendor == "sqlite" else "PostgreSQL"
        o = self.options
        lines = [f"### {self.cat.documents:,} documents on {vendor}", ""]
        lines += [f"Command: `{self.command}`", ""]
        lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in self.machine.items()]
        lines += [f"| database | {self.db.describe()}, {self.db_bytes / 2**20:,.0f} MiB |",
                  f"| catalog | {self.cat.documents:,} documents ({self.cat.public:,} public), {len(self.cat.orgs)} "
                  f"issuing organisations, {len(self.cat.guides)} published service guides, years "
                  f"{self.cat.years[0]}–{self.cat.years[-1]} |",
                  f"| load | wrk -t{o['wrk_threads']} -c{o['connections']} -d{o['duration']}s --latency, "
                  f"{o['repeats']} repeats; server `gongkai serve --workers N --threads {o['threads']}` |", ""]
        lines += ["Warm pages (page cache on, as shipped), one URL each:", ""]
        lines += [f"- {kind}: `{url}`" for kind, url in self.warm_urls.items()]
        lines.append("")
        for run in self.warm:
            lines += [f"**{run.workers} process{'es' if run.workers > 1 else ''} × {run.threads} threads** "
                      f"(req/s: median of {len(run.results['floor'])} repeats, range in brackets; ratio: median of "
                      f"the repeats' page/floor):", ""]
            lines += ["| page | bytes | req/s | p50 ms | p99 ms | ratio to floor | ≥ 0.5× |", "|---|---|---|---|---|---|---|"]
            for kind in ["floor"] + list(self.warm_urls):
                results = run.results[kind]
                rps = [r.rps for r in results]
                cells = [kind, f"{run.sizes[kind]:,}",
                         f"{statistics.median(rps):,.0f} ({min(rps):,.0f}–{max(rps):,.0f})",
                         f"{statistics.median(r.p50_ms for r in results):.1f}",
                         f"{statistics.median(r.p99_ms for r in results):.1f}"]
                if kind == "floor":
                    cells += ["1", ""]
                else:
                    ratio = statistics.median(run.ratios(kind))
                    cells += [f"{ratio:.2f}", "yes" if ratio >= TARGET_RATIO else "**no**"]
                errors = sum(r.errors for r in results)
                if errors:
                    cells[0] += f" ({errors} errors)"
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        lines += ["Memory (VmRSS, MiB) of the serving processes after their runs:", "",
                  "| processes | gongkai: each serving process | gongkai: supervisor | floor: each serving process |",
                  "|---|---|---|---|"]
        for run in self.warm:
            g, f = run.rss["gongkai"], run.rss["floor"]
            lines.append(f"| {run.workers} | {', '.join(f'{x:.0f}' for x in g['serving'])} | "
                         f"{', '.join(f'{x:.0f}' for x in g['supervisor']) or '—'} | "
                         f"{', '.join(f'{x:.0f}' for x in f['serving'])} |")
        lines.append(f"| cold run (1 process, cache off) | {', '.join(f'{x:.0f}' for x in self.cold_rss['serving'])} | — | — |")
        lines.append("")
        target = self.cold_target()
        per_kind = len([s for s in self.cold if self.cold and s.kind == self.cold[0].kind])
        lines += [f"Cold latency (GONGKAI_PAGE_CACHE=0, 1 process, sequential, {per_kind} requests per page over "
                  f"varied URLs, ms, client-side):", ""]
        lines += ["| page | samples | p50 | p95 | p99 | max | not 200 |" + (f" p95 ≤ {target:.0f} ms |" if target else ""),
                  "|---|---|---|---|---|---|---|" + ("---|" if target else "")]
        for kind, _ in PAGE_KINDS:
            ms = [s.ms for s in self.cold if s.kind == kind]
            if not ms:
                continue
            bad = sum(1 for s in self.cold if s.kind == kind and s.status != 200)
            p95 = percentile(ms, 95)
            row = (f"| {kind} | {len(ms)} | {percentile(ms, 50):.1f} | {p95:.1f} | {percentile(ms, 99):.1f} | "
                   f"{max(ms):.1f} | {bad} |")
            if target:
                row += f" {'yes' if p95 <= target else f'**no** ({p95 / target:.1f}×)'} |"
            lines.append(row)
        lines.append("")
        labels = sorted({s.label for s in self.cold if s.kind == "search"})
        if labels:
            lines += ["Cold search by kind of query:", "", "| query | samples | p50 | p95 | max |", "|---|---|---|---|---|"]
            for label in labels:
                ms = [s.ms for s in self.cold if s.kind == "search" and s.label == label]
                lines.append(f"| {label} | {len(ms)} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |")
            lines.append("")
        slow = sorted(self.cold, key=lambda s: -s.ms)[:8]
        lines += ["Slowest cold requests:", ""] + [f"- {s.ms:.0f} ms `{s.url}` ({s.kind}, {s.status})" for s in slow]
        return "\n".join(lines) + "\n"

    def summary(self) -> dict:
        out = {"key": self.key, "warm": {}, "cold_p95": {}}
        for run in self.warm:
            out["warm"][run.workers] = {kind: {"rps": statistics.median(r.rps for r in run.results[kind]),
                                               "ratio": statistics.median(run.ratios(kind)) if kind != "floor" else 1.0}
                                        for kind in run.results}
        for kind, _ in PAGE_KINDS:
            ms = [s.ms for s in self.cold if s.kind == kind]
            if ms:
                out["cold_p95"][kind] = percentile(ms, 95)
        return out


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def machine(db: benchdb.BenchDatabase) -> dict[str, str]:
    from importlib.metadata import version

    import django
    from django.db import connection

    gib = hardware.ram_gib()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    age = connection.settings_dict.get("CONN_MAX_AGE", 0)
    database += (f", connections kept {age} s per server thread (CONN_MAX_AGE)" if age
                 else ", a new connection per request (CONN_MAX_AGE 0)")
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    return {
        "CPU": hardware.cpu_model(),
        "cores": f"{len(os.sched_getaffinity(0))} usable ({os.cpu_count()} online), shared with other work; "
                 "wrk runs on the same cores",
        "RAM": f"{gib:.1f} GiB" if gib else "unknown",
        "OS": platform.platform(),
        "Python / Django / waitress": f"{platform.python_version()} / {django.get_version()} / {version('waitress')}",
        "database server": database,
        "wrk": wrk,
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "code": code_version(),
    }


def code_version() -> str:
    """The commit measured, and the application files changed in the work tree
    (each server process loads the tree as it is when it starts)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=benchdb.REPO, capture_output=True, text=True).stdout.rstrip("\n")

    head = git("log", "-1", "--format=%h %ad", "--date=format:%Y-%m-%d %H:%M")
    changed = [line[3:] for line in git("status", "--porcelain", "--", "gongkai").splitlines()]
    return f"commit {head}" + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


INTRO = """\
What `bench/pages_bench.py` measures on a catalog made by `bench/generate_catalog.py` (issue 13):
throughput of the public pages for anonymous visitors with 16 concurrent clients
(`wrk -t2 -c16 -d10s --latency`, 3 repeats, page cache on) against a floor (`bench/floor_app.py`:
a bare Django view returning 20 KB from memory, served by the same server code, process and
thread counts, measured in the same repeat), with 1, 2 and 4 server processes; the memory of
each process; and the cold latency of each page (cache off, sequential requests over varied
URLs). Targets: every page ≥ 0.5× the floor at 100,000 and 1,000,000 documents on SQLite and
PostgreSQL; cold p95 ≤ 100 ms at 100,000 on SQLite and ≤ 150 ms at 1,000,000 on PostgreSQL.

Reproduce (databases outside the repository; PostgreSQL with trust auth on 127.0.0.1):

```sh
python bench/generate_catalog.py --docs 100000 --db sqlite:/tmp/gongkai-bench/sqlite-100k/gongkai.sqlite3
python bench/pages_bench.py --db sqlite:/tmp/gongkai-bench/sqlite-100k/gongkai.sqlite3 --workers 1,2,4 --write bench/RESULTS.md
python bench/generate_catalog.py --docs 100000 --db postgresql://postgres@127.0.0.1:5432/gongkai_bench_100k
python bench/pages_bench.py --db postgresql://postgres@127.0.0.1:5432/gongkai_bench_100k --workers 1,2,4 --write bench/RESULTS.md
dropdb -h 127.0.0.1 -U postgres gongkai_bench_100k
# 1,000,000 documents: the same with --docs 1000000 and another database (gongkai_bench_1m)
```

Where a page is slow cold, `bench/page_profile.py --db … URL… --explain [--pyinstrument]` lists its
statements with their times and plans (the page cache off, in process).
"""


def write_block(path: Path, marker: str, markdown: str, *, section: str, intro: str) -> None:
    """Replace the block between `<!-- marker -->` and `<!-- /marker -->`
    (or add it at the file's end, inside its section); create the section
    if missing. Shared by the benchmarks that write into RESULTS.md."""
    begin, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    block = f"{begin}\n{markdown}{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if section not in text:
        text = text.rstrip("\n") + f"\n\n{section}\n\n{intro}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def write_section(path: Path, report: Report) -> None:
    """Replace this database's block inside the section."""
    write_block(path, f"pages:{report.key}", report.markdown(), section=SECTION, intro=INTRO)


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="sqlite:PATH or postgresql://… made by generate_catalog.py")
    parser.add_argument("--workers", default="1,2,4", help="server process counts, comma-separated (default 1,2,4)")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process (default 8, as serve)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--cold", type=int, default=200, help="cold requests per page kind (default 200; 0: none)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--floor-port", type=int, default=8766)
    parser.add_argument("--write", type=Path, help="write the report into this Markdown file (bench/RESULTS.md)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--pages", default="", help="only these page kinds, comma-separated (e.g. column,subsite; "
                                                    "default: every kind)")
    args = parser.parse_args(argv)
    try:
        args.workers = [int(w) for w in args.workers.split(",") if w.strip()] if args.workers else []
    except ValueError:
        parser.error("--workers: comma-separated numbers, e.g. 1,2,4")
    return args


def _stop(signum, frame):
    raise SystemExit(128 + signum)  # SIGTERM unwinds like Ctrl+C: every server is stopped


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args(argv)
    db = benchdb.parse(args.db)
    if db.vendor == "sqlite" and not db.path.exists():
        raise SystemExit(f"{db.path} does not exist: make it with bench/generate_catalog.py")
    benchdb.setup_django(db)
    log_dir = db.data_dir / "pages-bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log(f"Database: {db.describe()} (server logs in {log_dir})")
    cat = read_catalog()
    if not cat.public or not cat.guides:
        raise SystemExit("The catalog has no public document or no published guide: run bench/generate_catalog.py first.")
    log(f"{cat.documents:,} documents, {cat.public:,} public, {len(cat.guides)} guides")
    urls = warm_urls(cat)
    kinds = [k.strip() for k in args.pages.split(",") if k.strip()] or list(urls)
    unknown = sorted(set(kinds) - set(urls))
    if unknown:
        raise SystemExit(f"--pages: no page kind {', '.join(unknown)} (known: {', '.join(urls)})")
    urls = {kind: urls[kind] for kind in kinds}
    info = machine(db)
    load_at_start = _load()
    db_bytes = benchdb.database_bytes(db)
    from django.db import connections

    connections.close_all()  # the servers have the database to themselves

    warm = []
    for workers in args.workers:
        log(f"Warm runs with {workers} process(es) of {args.threads} threads...")
        warm.append(measure_warm(db, urls, workers=workers, threads=args.threads, repeats=args.repeats,
                                 duration=args.duration, connections=args.connections, wrk_threads=args.wrk_threads,
                                 port=args.port, floor_port=args.floor_port, log_dir=log_dir))
    cold, cold_rss = [], {"serving": []}
    if args.cold:
        log(f"Cold runs: {args.cold} requests per page kind, cache off...")
        chosen = {kind: found for kind, found in cold_urls(cat, args.cold).items() if kind in urls}
        cold, cold_rss = measure_cold(db, chosen, list(urls.values()), threads=args.threads, port=args.port,
                                      log_dir=log_dir)
    info["load average (1, 5, 15 min)"] = f"{load_at_start} at the start, {_load()} at the end (other work on the machine)"
    shown = [a for a in (argv if argv is not None else sys.argv[1:])]
    report = Report(db=db, cat=cat, warm_urls=urls, warm=warm, cold=cold, cold_rss=cold_rss, machine=info,
                    command=" ".join(["python bench/pages_bench.py", *shown]),
                    options={k: getattr(args, k) for k in ("threads", "repeats", "duration", "connections", "wrk_threads")},
                    db_bytes=db_bytes)
    print(report.markdown())
    if args.json:
        args.json.write_text(json.dumps({"summary": report.summary(),
                                         "cold": [s.__dict__ for s in cold]}, ensure_ascii=False, indent=1))
    if args.write:
        write_section(args.write, report)
        log(f"Wrote the {report.key} block of {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
