"""Public pages and the application form under load, as production serves them.

    python bench/load_bench.py [--db postgresql://postgres@127.0.0.1:5432/gongkai_bench_1m] \
        [--workers 1,4] [--threads 8] [--connections 32] [--repeats 3] [--write bench/RESULTS.md]

Loopback only, every run bounded in time. On a PostgreSQL catalog made by
bench/generate_catalog.py (default: the 1,000,000-document one):

0. The catalog is never written to: the run works on a copy of it
   (`CREATE DATABASE <name>_loadcopy TEMPLATE <name> STRATEGY FILE_COPY`,
   which needs nobody else connected to the source for that moment: the
   script waits up to --copy-wait seconds), migrated to the work tree,
   read into the OS cache (pg_prewarm 'read'), and dropped at the end with
   its data folder, whatever happens (--keep-copy keeps it). Applications
   submitted during the run therefore go into the copy only; the source's
   count of applications is checked before and after.
1. For each process count of --workers, `gongkai serve --workers N --threads
   T` (page cache on, as shipped; GONGKAI_TRUSTED_PROXIES=127.0.0.1 and
   GONGKAI_CLIENT_IP_META_KEY=HTTP_X_REAL_IP, as behind nginx on the same
   machine: waitress drops X-Forwarded-For, see the check below) and the floor (bench/floor_app.py, a bare
   Django view returning 20 KB, served the same way: same server code,
   process and thread counts). Then --repeats times, each against a fresh
   floor run of the same repeat:
   - `wrk -t2 -c32 -d10s --latency --timeout 60s` against the floor, then,
     through a Lua script that picks every request's path at random from a
     list: the document page (--documents public documents drawn at random),
     the search page (--searches searches: common words, two-character
     words, catalog keywords, rare words, quoted phrases, whole sentences,
     document numbers; sorted by date, later pages, filtered by
     organisation), the application form (GET /apply/, also with ?org=);
   - the application form submitted, with a Python client (asyncio, httpx):
     --connections sessions, each person GETs the form (a new visitor: no
     cookie, an address of its own sent in X-Real-IP and X-Forwarded-For), reads the CSRF
     token and the form's anti-spam token, waits the form's minimum fill
     time (gongkai.core.form_tokens.MIN_SECONDS) and POSTs a valid
     application with generated applicant data (multipart, as a browser
     sends the form), then follows the redirect to the receipt. "paced":
     each session is one person at a time (at most sessions /
     MIN_SECONDS submissions a second, by construction); "saturating": each
     session keeps several people's forms open and sends the next request
     as soon as the last one is answered (a form is posted once it is
     MIN_SECONDS old), so the server is never idle. Outcomes counted:
     accepted (302 to the receipt), refused (spam, replay, form errors,
     CSRF), rate-limited (429), 5xx, client errors;
   - the same Python client against the floor (its own ceiling).
   Then the same server with the page cache off (GONGKAI_PAGE_CACHE=0):
   each repeat, the floor and the search page again.
2. The resident memory of every server process after its runs.
3. Before all that, once: 10 people from 10 addresses given in
   X-Forwarded-For only, against one process trusting loopback with the
   default header, to show whether the rate limits see their addresses.

Progress goes to stderr, the Markdown report to stdout and, with --write,
into the section "Under load: 32 clients, 1 and 4 processes" of that file
(only this database's block, between its markers, is replaced).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402
import pages_bench  # noqa: E402  (its servers, wrk parsing, machine table, catalog reading)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
import local_topology  # noqa: E402  (the scale-out topology as local processes, for --topology)

HOST = pages_bench.HOST
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/gongkai_bench_1m"
SECTION = "## Under load: 32 clients, 1 and 4 processes (issue \"Runs like production\")"
SEED = 32
TRUSTED_PROXY = "127.0.0.1"
# waitress, as `gongkai serve` creates it (no trusted_proxy, clear_untrusted_proxy_headers on by
# default in waitress 3), removes X-Forwarded-For and X-Forwarded-Proto before Django sees them;
# X-Real-IP passes (README, "Behind a proxy": GONGKAI_CLIENT_IP_META_KEY=HTTP_X_REAL_IP).
CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
SUBMIT_RATE_TEXT = "5/h"  # read from gongkai.applications.public_views at run time
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) gongkai-load-bench"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# ---------------------------------------------------------------- the database copy


def admin_connect(db: benchdb.BenchDatabase):
    import psycopg

    return psycopg.connect(db.url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def copy_spec(db: benchdb.BenchDatabase, name: str) -> benchdb.BenchDatabase:
    return benchdb.parse(db.url.rsplit("/", 1)[0] + "/" + name)


def count_applications(db: benchdb.BenchDatabase) -> int | None:
    import psycopg

    try:
        with psycopg.connect(db.url) as conn:
            return conn.execute("SELECT count(*) FROM applications_application").fetchone()[0]
    except psycopg.Error:
        return None


def make_copy(source: benchdb.BenchDatabase, copy: benchdb.BenchDatabase, wait: float) -> float:
    """CREATE DATABASE copy TEMPLATE source; seconds taken. Waits while
    others are connected to the source (PostgreSQL refuses then)."""
    import psycopg

    drop_copy(copy)
    deadline = time.monotonic() + wait
    with admin_connect(source) as conn:
        while True:
            others = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [source.name]).fetchone()[0]
            if not others:
                began = time.perf_counter()
                try:
                    conn.execute(f'CREATE DATABASE "{copy.name}" TEMPLATE "{source.name}" STRATEGY FILE_COPY')
                    return time.perf_counter() - began
                except psycopg.errors.ObjectInUse:
                    pass  # someone connected in between
            if time.monotonic() > deadline:
                raise SystemExit(f"{others} other session(s) stay connected to {source.name}: cannot copy it "
                                 f"(waited {wait:.0f} s; --copy-wait)")
            log(f"  {others} other session(s) connected to {source.name}; waiting to copy it...")
            time.sleep(10)


def drop_copy(copy: benchdb.BenchDatabase) -> None:
    with admin_connect(copy) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy.name}" WITH (FORCE)')


def prewarm(copy: benchdb.BenchDatabase) -> tuple[float, int]:
    """Read the copy's tables and indexes into the OS cache (the source's are
    there already after the benchmarks that made and read it)."""
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(copy.url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        rows = conn.execute("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                            "AND pg_relation_size(c.oid) > 1048576").fetchall()
        blocks = 0
        for (oid,) in rows:
            blocks += conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", [oid]).fetchone()[0]
    return time.perf_counter() - began, blocks * 8192


# ---------------------------------------------------------------- URL pools

COMMON_WORDS = pages_bench.COMMON_WORDS
TWO_CHARACTER = pages_bench.TWO_CHARACTER
PHRASES = pages_bench.PHRASES
SENTENCES = pages_bench.SENTENCES
# Words few or no documents hold (besides township names, added from the database).
RARE_WORDS = ["碳达峰", "无人机", "古树名木", "地名普查", "非物质文化遗产", "防汛", "河长制", "垃圾分类"]
SEARCH_KINDS = [("common word", 20), ("two characters", 15), ("keyword", 15), ("rare word", 10), ("phrase", 15),
                ("sentence", 15), ("document number", 10)]


@dataclass
class Pools:
    documents: list[str] = field(default_factory=list)
    searches: list[tuple[str, str]] = field(default_factory=list)  # (kind, path)
    apply: list[str] = field(default_factory=list)
    titles: list[tuple[str, str]] = field(default_factory=list)  # (title, document number) people ask for
    rare: list[str] = field(default_factory=list)


def search_path(cat: pages_bench.Catalog, rare: list[str], rng: random.Random) -> tuple[str, str]:
    kind = rng.choices([k for k, _ in SEARCH_KINDS], [w for _, w in SEARCH_KINDS])[0]
    text = {
        "common word": lambda: rng.choice(COMMON_WORDS),
        "two characters": lambda: rng.choice(TWO_CHARACTER),
        "keyword": lambda: rng.choice(cat.keywords or COMMON_WORDS),
        "rare word": lambda: rng.choice(rare),
        "phrase": lambda: rng.choice(PHRASES),
        "sentence": lambda: rng.choice(SENTENCES),
        "document number": lambda: rng.choice(cat.numbers or SENTENCES),
    }[kind]()
    params = {"q": text}
    extra = rng.random()
    if extra < 0.25:
        params["order"] = "date"
        kind += ", by date"
    elif extra < 0.37:
        params["page"] = str(rng.choice([2, 2, 3, 5, 10]))
        kind += ", page 2-10"
    elif extra < 0.40:
        params["page"] = "50"
        kind += ", page 50"
    if rng.random() < 0.15:
        params["org"] = str(rng.choice(cat.top_orgs or cat.orgs))
        kind += ", filtered"
    return kind, "/search/" + pages_bench.q(params)


def build_pools(cat: pages_bench.Catalog, *, documents: int, searches: int, seed: int = SEED) -> Pools:
    from gongkai.catalog.selectors import public_documents
    from gongkai.core.models import Organisation

    rng = random.Random(seed)
    pools = Pools()
    pools.documents = [f"/doc/{quote(n)}/" for n in cat.index_numbers[:documents]]
    towns = list(Organisation.objects.filter(level="township").order_by("id").values_list("short_name", "name"))
    pools.rare = [short or name for short, name in towns] + RARE_WORDS
    pools.searches = [search_path(cat, pools.rare, rng) for _ in range(searches)]
    orgs = list(Organisation.objects.order_by("sort_order", "id").values_list("id", flat=True))
    pools.apply = ["/apply/"] * len(orgs) + [f"/apply/?org={pk}" for pk in orgs]
    ids = list(public_documents().exclude(document_number="").order_by("-id").values_list("id", flat=True)[:200000])
    picked = rng.sample(ids, min(500, len(ids)))
    pools.titles = list(public_documents().filter(pk__in=picked).values_list("title", "document_number"))
    for path in pools.documents + [p for _, p in pools.searches] + pools.apply:
        if not re.fullmatch(r"[\x21-\x7e]+", path) or '"' in path or "\\" in path:
            raise RuntimeError(f"not a plain ASCII path for the Lua list: {path!r}")
    return pools


# ---------------------------------------------------------------- servers


def gongkai_server(db: benchdb.BenchDatabase, port: int, workers: int, threads: int, cache: bool,
                   log_dir: Path, meta_key: str | None = CLIENT_IP_META_KEY, name: str = "") -> pages_bench.Server:
    """`gongkai serve` as pages_bench starts it, believing the client's address
    from loopback (as behind nginx on the same machine) for the per-address
    rate limits: GONGKAI_TRUSTED_PROXIES=127.0.0.1 and the header `meta_key`
    (None: the default, X-Forwarded-For)."""
    skip = ("DATABASE_URL", "GONGKAI_DATA_DIR", "GONGKAI_PAGE_CACHE", "GONGKAI_TRUSTED_PROXIES",
            "GONGKAI_CLIENT_IP_META_KEY", "GONGKAI_REDIS_URL")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(db.environment())
    env["GONGKAI_PAGE_CACHE"] = "1" if cache else "0"
    env["GONGKAI_TRUSTED_PROXIES"] = TRUSTED_PROXY
    if meta_key:
        env["GONGKAI_CLIENT_IP_META_KEY"] = meta_key
    argv = [sys.executable, "-m", "gongkai", "serve", "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--threads", str(threads)]
    name = name or f"load-gongkai-w{workers}-{'cache' if cache else 'nocache'}"
    return pages_bench.Server(name, argv, env, port, "/", log_dir)


@dataclass
class Site:
    """What one phase of a run measures: the site's and the floor's base URLs
    and, when this script started them, handles with `pids()` and `rss_mib()`
    (None for a site someone else runs: --base-url)."""

    app_url: str
    floor_url: str | None = None
    app: object = None
    floor: object = None


def local_servers(db: benchdb.BenchDatabase, args, log_dir: Path, workers: int):
    """`gongkai serve --workers N` and the floor served the same way, as before: Site per phase."""
    @contextlib.contextmanager
    def servers(cache: bool):
        with gongkai_server(db, args.port, workers, args.threads, cache, log_dir) as app, \
                pages_bench.floor_server(args.floor_port, workers, args.threads, log_dir) as floor:
            yield Site(f"http://{HOST}:{args.port}", f"http://{HOST}:{args.floor_port}", app, floor)
    return servers


def running_site(args):
    """--base-url: a site already running (e.g. the scale-out topology's nginx); nothing started."""
    @contextlib.contextmanager
    def servers(cache: bool):
        yield Site(args.base_url.rstrip("/"), args.floor_url.rstrip("/") if args.floor_url else None)
    return servers


def fetch(base: str, path: str) -> tuple[int, int]:
    """(status, bytes) of one GET, no cookie sent."""
    try:
        with urlopen(f"{base}{path}", timeout=60) as response:
            return response.status, len(response.read())
    except HTTPError as exc:
        return exc.code, len(exc.read())


def clear_default_cache(db: benchdb.BenchDatabase) -> None:
    """The copy's file cache (rate-limit counters, used form tokens): empty
    before each server, so every process count starts alike."""
    folder = db.data_dir / "cache"
    if folder.is_dir():
        shutil.rmtree(folder)


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def settle(server, db: benchdb.BenchDatabase, limit: float = 90) -> float:
    """Wait until the server and its database are idle: requests wrk gave up
    on at the end of its run (a slow search) are still being worked on, and
    would otherwise run into the next measurement. Seconds waited. A server
    this script did not start (None): its database only."""
    import psycopg

    if db.vendor != "postgresql":
        return 0.0
    began = time.monotonic()
    with psycopg.connect(db.url, autocommit=True) as conn:
        while time.monotonic() - began < limit:
            pids = server.pids() if server is not None else []
            before = _cpu_seconds(pids)
            time.sleep(0.5)
            busy = _cpu_seconds(pids) - before
            active = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND state = 'active' AND pid <> pg_backend_pid()").fetchone()[0]
            if (busy < 0.05 or server is None) and not active:
                break
    return time.monotonic() - began


# ---------------------------------------------------------------- wrk


def lua_script(paths: list[str], path: Path, seed: int) -> Path:
    lines = ["local paths = {"] + [f'  "{p}",' for p in paths] + [
        "}",
        "local counter = 1",
        "function setup(thread)",
        "  thread:set(\"id\", counter)",
        "  counter = counter + 1",
        "end",
        "function init(args)",
        f"  math.randomseed({seed} + id * 7919)",
        "end",
        "function request()",
        "  return wrk.format(\"GET\", paths[math.random(#paths)])",
        "end",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_wrk(base: str, *, path: str = "/", script: Path | None = None, threads: int, connections: int, duration: int,
            timeout: int) -> pages_bench.WrkResult:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", f"{timeout}s"]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"{base}{path}")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout + 30, check=True)
    return pages_bench.parse_wrk(done.stdout)


async def _python_pages(base: str, paths: list[str], *, connections: int, duration: float, timeout: float,
                        seed: int) -> pages_bench.WrkResult:
    """wrk's measurement with the Python client: `connections` keep-alive
    connections, each GETting a path drawn at random from `paths` as soon as
    the last answer came, for `duration` seconds. Errors: non-2xx/3xx answers
    and failed requests, as wrk counts them."""
    import httpx

    rng = random.Random(seed)
    latencies: list[float] = []
    counts = collections.Counter()
    deadline = time.monotonic() + duration

    async def session(client):
        while time.monotonic() < deadline:
            began = time.monotonic()
            try:
                response = await client.get(rng.choice(paths), headers={"User-Agent": USER_AGENT})
                await response.aread()
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            if began < deadline:
                latencies.append((time.monotonic() - began) * 1000)
                counts["ok" if ok else "error"] += 1

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(timeout), limits=limits, follow_redirects=False)
               for _ in range(connections)]
    began = time.monotonic()
    try:
        await asyncio.gather(*(session(c) for c in clients))
    finally:
        for client in clients:
            await client.aclose()
    took = max(time.monotonic() - began, 0.001)
    requests = counts["ok"] + counts["error"]
    p50 = pages_bench.percentile(latencies, 50) if latencies else 0.0
    p99 = pages_bench.percentile(latencies, 99) if latencies else 0.0
    return pages_bench.WrkResult(requests / took, p50, p99, requests, counts["error"])


def page_run(args, base: str, *, path: str | None = None, script: Path | None = None, paths: list[str] | None = None,
             duration: int | None = None, seed: int = SEED) -> pages_bench.WrkResult:
    """One measured run of GETs: wrk (with its Lua script for a list of
    paths), or the Python client (--client python: no wrk needed)."""
    duration = args.duration if duration is None else duration
    if args.client == "wrk":
        return run_wrk(base, path=path or "/", script=script, threads=args.wrk_threads, connections=args.connections,
                       duration=duration, timeout=args.timeout)
    return asyncio.run(_python_pages(base, paths or [path or "/"], connections=args.connections, duration=duration,
                                     timeout=args.timeout, seed=seed))


# ---------------------------------------------------------------- applicants

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰俊峰晓燕文辉云鹏海燕春梅德明淑珍永福")
REGIONS = ["510104", "510105", "510106", "510107", "510108", "510112", "510113", "510114", "510115", "510116",
           "510121", "510129", "510131", "510181", "510182", "510183", "510184", "510185", "510302", "510304",
           "510403", "510502", "510603", "510623", "510681", "510703", "510722", "510781", "510802", "510903",
           "511002", "511102", "511302", "511402", "511502", "511602", "511702", "511802", "511902", "512002"]
STREETS = ["人民南路", "蜀都大道", "天府大道", "红星路", "解放路", "建设路", "滨江路", "东大街", "府青路", "光华大道",
           "金沙路", "剑南大道", "新华大道", "长江路", "临江路"]
CITIES = ["成都市武侯区", "成都市锦江区", "成都市青羊区", "成都市金牛区", "成都市成华区", "绵阳市涪城区", "德阳市旌阳区",
          "宜宾市翠屏区", "南充市顺庆区", "泸州市江阳区", "乐山市市中区", "自贡市自流井区"]
COMPANY_WORDS = ["蜀达", "锦程", "天府", "川润", "博远", "恒信", "新禾", "巴山", "青城", "嘉陵", "峨眉", "岷江"]
COMPANY_KINDS = [("commercial", "科技有限公司"), ("commercial", "建筑工程有限公司"), ("commercial", "农业开发有限公司"),
                 ("research", "研究院"), ("welfare", "公益服务中心"), ("legal_service", "律师事务所"), ("other", "业主委员会")]
PURPOSES = ["了解相关政策的执行情况", "办理相关事项需要", "核实本人权益相关情况", "学术研究需要", "企业经营决策参考"]
ASKS = ["{year}年度{org}财政预算执行情况及“三公”经费支出明细", "{year}年{org}农村危房改造补助资金分配名单",
        "{org}关于{place}片区旧城改造项目的征收补偿方案及批准文件", "{year}年{org}义务教育阶段学校招生划片范围",
        "{org}{year}年城乡居民最低生活保障资金发放情况", "{place}段道路改建工程的环境影响评价文件及批复",
        "{org}{year}年政府信息公开工作年度报告中依申请公开的办理数据", "{year}年{place}地块国有建设用地使用权出让合同"]


def id_number(rng: random.Random) -> str:
    """An 18-digit resident identity card number with its ISO 7064 check character."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def credit_code(rng: random.Random) -> str:
    from gongkai.core import creditcode

    chars = creditcode.ALPHABET
    first17 = "91" + rng.choice(REGIONS) + "".join(rng.choice(chars[:10] + chars[10:]) for _ in range(9))
    return first17 + creditcode.check_character(first17)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


class Applicants:
    """Realistic, valid application data, one person after another."""

    def __init__(self, pools: Pools, org_names: dict[int, str], seed: int = SEED):
        self.rng = random.Random(seed)
        self.titles = pools.titles
        self.org_names = org_names
        self.places = pools.rare[:15] or ["青城山镇"]

    def fields(self, organisations: list[int]) -> dict[str, str]:
        rng = self.rng
        org = rng.choice(organisations)
        natural = rng.random() < 0.8
        data = {"organisation": str(org), "legal_representative": "", "contact_person": "", "phone": "", "email": "",
                "address": "", "postcode": "", "info_title": "", "info_number": "", "info_description": ""}
        if natural:
            data.update(applicant_type="natural", applicant_name=person_name(rng),
                        id_document=f"居民身份证 {id_number(rng)}")
        else:
            kind, suffix = rng.choice(COMPANY_KINDS)
            data.update(applicant_type=kind, applicant_name=f"四川{rng.choice(COMPANY_WORDS)}{suffix}",
                        id_document=credit_code(rng), legal_representative=person_name(rng),
                        contact_person=person_name(rng))
        data["phone"] = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if rng.random() < 0.6:
            data["email"] = f"{''.join(rng.choice('abcdefghijkmnpqrstuvwxyz') for _ in range(rng.randint(5, 10)))}" \
                            f"{rng.randrange(100)}@example.com"
        if rng.random() < 0.5:
            data["address"] = f"四川省{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋"
            data["postcode"] = f"6{rng.randrange(10**5):05d}"
        if self.titles and rng.random() < 0.5:
            title, number = rng.choice(self.titles)
            data["info_title"], data["info_number"] = title, number
            data["info_description"] = f"申请公开该文件全文及附件，用于{rng.choice(PURPOSES)}。"
        else:
            year = rng.randint(2018, 2025)
            ask = rng.choice(ASKS).format(year=year, org=self.org_names.get(org, "贵单位"), place=rng.choice(self.places))
            data["info_description"] = f"申请公开{ask}，用于{rng.choice(PURPOSES)}。"
        # Paper goes by post or in person; electronic by e-mail or online; an e-mail needs an address, post too.
        choices = [("electronic", "online"), ("either", "online"), ("paper", "pickup")]
        if data["email"]:
            choices += [("electronic", "email")] * 2
        if data["address"]:
            choices += [("paper", "post"), ("either", "post")]
        data["form"], data["delivery"] = rng.choice(choices)
        data["consent"] = "on"
        return data


# ---------------------------------------------------------------- the application flow (Python client)


@dataclass
class Person:
    address: str
    cookies: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)  # csrf and anti-spam tokens read from the page
    ready_at: float = 0.0


@dataclass
class FlowRun:
    mode: str  # paced / saturating / floor
    duration: float
    min_wait: float
    latencies: dict = field(default_factory=lambda: collections.defaultdict(list))  # request kind -> ms
    requests: int = 0  # answered, sent before the deadline
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    persons: int = 0
    abandoned: int = 0  # forms fetched but not posted before the deadline
    samples: dict = field(default_factory=dict)  # outcome -> one example (for the log)

    @property
    def posts(self) -> int:
        return sum(n for k, n in self.outcomes.items() if not k.startswith("receipt"))

    @property
    def window(self) -> float:
        """Seconds in which posts could happen: after the first form was MIN_SECONDS old."""
        return max(0.001, self.duration - self.min_wait)

    def rps(self) -> float:
        return self.requests / self.duration

    def accepted_per_s(self) -> float:
        return self.outcomes["accepted"] / self.window

    def p(self, kind: str, pct: float) -> float | None:
        values = self.latencies.get(kind)
        return pages_bench.percentile(values, pct) if values else None


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')
INPUT_RE = re.compile(r"<input\b[^>]*>")
ATTR_RE = re.compile(r'(\w[\w-]*)="([^"]*)"')
OPTION_RE = re.compile(r'<option value="(\d+)"')


def hidden_value(html: str, name: str) -> str | None:
    for tag in INPUT_RE.findall(html):
        attrs = dict(ATTR_RE.findall(tag))
        if attrs.get("name") == name:
            return attrs.get("value", "")
    return None


class FlowClient:
    def __init__(self, origin: str, applicants: Applicants | None, *, min_wait: float, honeypot: str,
                 spam_message: str, replay_message: str, address_base: int, real_ip: bool = True):
        self.real_ip = real_ip  # send X-Real-IP besides X-Forwarded-For (as nginx set up for it does)
        self.applicants = applicants
        self.min_wait = min_wait
        self.honeypot = honeypot
        self.spam_message, self.replay_message = spam_message, replay_message
        self.next_address = address_base
        self.organisations: list[int] = []
        self.origin = origin

    def new_person(self) -> Person:
        n = self.next_address
        self.next_address += 1
        # 10.0.0.0/8: one address per person, never the same twice in a run of the script.
        return Person(address=f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}")

    async def request(self, client, run: FlowRun, deadline: float, kind: str, method: str, path: str, person: Person,
                      **kwargs):
        import httpx

        headers = {"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9",
                   "X-Forwarded-For": person.address, **kwargs.pop("headers", {})}
        if self.real_ip:
            headers["X-Real-IP"] = person.address
        if person.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in person.cookies.items())
        client.cookies.clear()  # each person's cookies travel by hand: many people share a connection
        began = time.monotonic()
        try:
            response = await client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            run.outcomes[f"client error ({kind})"] += 1
            run.samples.setdefault(f"client error ({kind})", repr(exc))
            return None
        ms = (time.monotonic() - began) * 1000
        for name, value in response.cookies.items():
            person.cookies[name] = value
        client.cookies.clear()
        if began < deadline:
            run.requests += 1
            run.latencies[kind].append(ms)
        return response

    async def get_form(self, client, run: FlowRun, deadline: float, person: Person) -> bool:
        path = "/apply/"
        if self.organisations and random.random() < 0.3:
            path += f"?org={random.choice(self.organisations)}"
        response = await self.request(client, run, deadline, "form GET", "GET", path, person)
        if response is None:
            return False
        html = response.text
        csrf, started = CSRF_RE.search(html), hidden_value(html, "started")
        if response.status_code != 200 or not csrf or not started:
            run.outcomes[f"form GET {response.status_code} without tokens"] += 1
            return False
        if not self.organisations:
            self.organisations = sorted({int(v) for v in OPTION_RE.findall(html)})
        person.form = {"csrfmiddlewaretoken": csrf.group(1), "started": started}
        person.ready_at = time.monotonic() + self.min_wait + 0.05
        run.persons += 1
        return True

    async def post(self, client, run: FlowRun, deadline: float, person: Person) -> None:
        data = {**self.applicants.fields(self.organisations), **person.form, self.honeypot: ""}
        # multipart, as the browser sends the form (enctype multipart/form-data), no file chosen
        files = {"files": ("", b"", "application/octet-stream")}
        headers = {"Origin": self.origin, "Referer": f"{self.origin}/apply/"}
        response = await self.request(client, run, deadline, "POST", "POST", "/apply/", person, data=data, files=files,
                                      headers=headers)
        if response is None:
            return
        status = response.status_code
        if status == 302 and response.headers.get("location", "").rstrip("/").endswith("/apply/received"):
            outcome = "accepted"
        elif status == 200 and self.spam_message in response.text:
            outcome = "refused: spam check"
        elif status == 200 and self.replay_message in response.text:
            outcome = "refused: replay"
        elif status == 200:
            outcome = "refused: form errors"
        elif status == 403:
            outcome = "refused: CSRF"
        elif status == 429:
            outcome = "rate-limited (429)"
        elif status >= 500:
            outcome = "5xx"
        else:
            outcome = f"other {status}"
        run.outcomes[outcome] += 1
        if outcome != "accepted":
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
            run.samples.setdefault(outcome, text[:300])
            return
        receipt = await self.request(client, run, deadline, "receipt GET", "GET", "/apply/received/", person)
        if receipt is not None:
            ok = receipt.status_code == 200 and 'class="code-value"' in receipt.text
            run.outcomes["receipt shown" if ok else f"receipt not shown ({receipt.status_code})"] += 1

    async def paced_session(self, client, run: FlowRun, deadline: float) -> None:
        while time.monotonic() < deadline:
            person = self.new_person()
            if not await self.get_form(client, run, deadline, person):
                await asyncio.sleep(0.2)
                continue
            await asyncio.sleep(max(0.0, person.ready_at - time.monotonic()))
            if time.monotonic() >= deadline:
                run.abandoned += 1
                return
            await self.post(client, run, deadline, person)

    async def saturating_session(self, client, run: FlowRun, deadline: float) -> None:
        waiting: collections.deque[Person] = collections.deque()
        while time.monotonic() < deadline:
            if waiting and waiting[0].ready_at <= time.monotonic():
                await self.post(client, run, deadline, waiting.popleft())
            else:
                person = self.new_person()
                if await self.get_form(client, run, deadline, person):
                    waiting.append(person)
                else:
                    await asyncio.sleep(0.2)
        run.abandoned += len(waiting)

    async def floor_session(self, client, run: FlowRun, deadline: float) -> None:
        person = Person(address="127.0.0.1")
        while time.monotonic() < deadline:
            response = await self.request(client, run, deadline, "floor GET", "GET", "/floor/", person)
            if response is not None:
                run.outcomes["200" if response.status_code == 200 else f"{response.status_code}"] += 1

    async def run(self, mode: str, *, sessions: int, duration: float) -> FlowRun:
        import httpx

        run = FlowRun(mode, duration, self.min_wait if mode != "floor" else 0.0)
        session = {"paced": self.paced_session, "saturating": self.saturating_session, "floor": self.floor_session}[mode]
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [httpx.AsyncClient(base_url=self.origin, timeout=httpx.Timeout(60.0), limits=limits,
                                     follow_redirects=False) for _ in range(sessions)]
        try:
            deadline = time.monotonic() + duration
            await asyncio.gather(*(session(client, run, deadline) for client in clients))
        finally:
            for client in clients:
                await client.aclose()
        return run


# ---------------------------------------------------------------- measurements

@dataclass
class ProcessRun:
    workers: int
    threads: int
    wrk: dict = field(default_factory=dict)  # kind -> [WrkResult] per repeat; kinds: floor, document, search, apply,
    # floor-nocache, search-nocache
    flows: dict = field(default_factory=dict)  # paced / saturating / client-floor -> [FlowRun]
    rss: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)  # phase -> load average at its start
    next_address: int = 0  # the next person's address number after this run
    warmup_accepted: int = 0  # applications accepted during the warm-up (not measured)
    settled: list = field(default_factory=list)  # seconds waited for the server to be idle after each wrk run
    repeat_load: list = field(default_factory=list)  # 1-minute load average at the start of each cache-on repeat

    def ratio(self, kind: str, floor: str = "floor") -> list[float]:
        return [r.rps / f.rps for r, f in zip(self.wrk[kind], self.wrk[floor]) if f.rps]


def measure(db, pools: Pools, applicants: Applicants, client_settings: dict, *, workers: int, args,
            log_dir: Path, address_base: int, servers=None) -> ProcessRun:
    """One process count: `servers(cache)` gives the Site of each phase (by
    default `gongkai serve` and the floor started here); the cache-off phase
    only where this script starts the servers (not --base-url)."""
    servers = servers or local_servers(db, args, log_dir, workers)
    run = ProcessRun(workers, args.threads)
    lists = {"document": pools.documents, "search": [p for _, p in pools.searches], "apply": pools.apply}
    scripts = {kind: lua_script(paths, log_dir / f"{kind}.lua", SEED + i) for i, (kind, paths) in enumerate(lists.items())}

    def pages(base, kind, duration=None):
        return page_run(args, base, script=scripts[kind], paths=lists[kind], duration=duration,
                        seed=SEED + len(run.settled))

    def floor_run(site):
        return page_run(args, site.floor_url, path="/floor/")

    def say(repeat, kind, result, floor_kind="floor"):
        floors = run.wrk.get(floor_kind)
        ratio = f"{result.rps / floors[-1].rps:.3f}x floor" if floors and not kind.startswith("floor") else ""
        log(f"  {workers} proc, repeat {repeat}/{args.repeats}: {kind:<15} {result.rps:8.1f} req/s  "
            f"p50 {result.p50_ms:8.1f} ms  p99 {result.p99_ms:8.1f} ms  {ratio}"
            f"{f'  {result.errors} errors' if result.errors else ''}  ({result.requests} requests)")

    if not args.base_url:
        clear_default_cache(db)
    run.load["cache on"] = _load()
    with servers(True) as site:
        for kind, paths in (("document", pools.documents[:3]), ("search", [p for _, p in pools.searches[:3]]),
                            ("apply", pools.apply[:1] + pools.apply[-1:])):
            for path in paths:
                status, _ = fetch(site.app_url, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
        flow = FlowClient(site.app_url, applicants, address_base=address_base, **client_settings)
        floor_flow = FlowClient(site.floor_url, None, address_base=0, **client_settings) if site.floor_url else None
        if args.warmup:
            log(f"  warm-up: {args.warmup} s per page (not measured)")
            for kind in ("document", "search", "apply"):
                pages(site.app_url, kind, duration=args.warmup)
            warm = asyncio.run(flow.run("saturating", sessions=args.connections, duration=args.warmup + flow.min_wait))
            run.warmup_accepted = warm.outcomes["accepted"]
            settle(site.app, db)
        for repeat in range(1, args.repeats + 1):
            run.repeat_load.append(os.getloadavg()[0])
            if site.floor_url:
                result = floor_run(site)
                run.wrk.setdefault("floor", []).append(result)
                say(repeat, "floor", result)
            for kind in ("document", "search", "apply"):
                result = pages(site.app_url, kind)
                run.wrk.setdefault(kind, []).append(result)
                say(repeat, kind, result)
                run.settled.append(settle(site.app, db))
            for mode in args.flows:
                flow_run = asyncio.run(flow.run(mode, sessions=args.connections, duration=args.duration + flow.min_wait))
                run.flows.setdefault(mode, []).append(flow_run)
                log(f"  {workers} proc, repeat {repeat}/{args.repeats}: apply POST {mode:<10} "
                    f"{flow_run.accepted_per_s():6.1f} accepted/s, {flow_run.rps():6.1f} req/s; "
                    f"POST p50 {flow_run.p('POST', 50) or 0:7.1f} ms p99 {flow_run.p('POST', 99) or 0:7.1f} ms; "
                    f"{dict(flow_run.outcomes)}")
                for outcome, sample in flow_run.samples.items():
                    log(f"    e.g. {outcome}: {sample}")
            if floor_flow:
                flow_run = asyncio.run(floor_flow.run("floor", sessions=args.connections, duration=args.duration))
                run.flows.setdefault("client-floor", []).append(flow_run)
                log(f"  {workers} proc, repeat {repeat}/{args.repeats}: Python client against the floor "
                    f"{flow_run.rps():7.1f} req/s, p50 {flow_run.p('floor GET', 50) or 0:.1f} ms")
        if site.app is not None:
            run.rss["gongkai (cache on)"] = site.app.rss_mib()
        if site.floor is not None:
            run.rss["floor"] = site.floor.rss_mib()
        address_base = flow.next_address
    run.next_address = address_base
    if args.base_url:
        return run  # someone else's servers: not restarted with the cache off
    run.load["cache off"] = _load()
    with servers(False) as site:
        if args.warmup:
            pages(site.app_url, "search", duration=args.warmup)
            settle(site.app, db)
        for repeat in range(1, args.repeats + 1):
            result = floor_run(site)
            run.wrk.setdefault("floor-nocache", []).append(result)
            say(repeat, "floor", result, "floor-nocache")
            result = pages(site.app_url, "search")
            run.wrk.setdefault("search-nocache", []).append(result)
            say(repeat, "search (no cache)", result, "floor-nocache")
            waited = settle(site.app, db)
            run.settled.append(waited)
            if waited > 2:
                log(f"    (the server worked on for {waited:.0f} s after wrk stopped)")
        if site.app is not None:
            run.rss["gongkai (cache off)"] = site.app.rss_mib()
    return run


async def _burst(flow: FlowClient, people: int, *, at_once: bool) -> FlowRun:
    """`people` people fetch the form together, wait the fill time, then post
    one after another or all at the same moment."""
    import httpx

    run = FlowRun("burst", 0.0, flow.min_wait)
    deadline = time.monotonic() + 3600
    clients = [httpx.AsyncClient(base_url=flow.origin, timeout=httpx.Timeout(60.0), follow_redirects=False)
               for _ in range(people)]
    try:
        persons = [flow.new_person() for _ in range(people)]
        fetched = await asyncio.gather(*(flow.get_form(c, run, deadline, p) for c, p in zip(clients, persons)))
        await asyncio.sleep(max(0.0, max(p.ready_at for p in persons) - time.monotonic()))
        ready = [(c, p) for c, p, ok in zip(clients, persons, fetched) if ok]
        if at_once:
            await asyncio.gather(*(flow.post(c, run, deadline, p) for c, p in ready))
        else:
            for c, p in ready:
                await flow.post(c, run, deadline, p)
    finally:
        for client in clients:
            await client.aclose()
    return run


def forwarded_for_check(db, applicants: Applicants, client_settings: dict, *, args, log_dir: Path,
                        address_base: int, people: int = 10) -> dict[str, FlowRun]:
    """`people` people from as many addresses, each given in X-Forwarded-For
    only, against one process with GONGKAI_TRUSTED_PROXIES=127.0.0.1 and the
    default header: do the rate limits see their addresses? Posted one after
    another, then (the counters emptied) all at the same moment."""
    out = {}
    clear_default_cache(db)
    with gongkai_server(db, args.port, 1, args.threads, True, log_dir, meta_key=None, name="load-gongkai-xff-check"):
        flow = FlowClient(f"http://{HOST}:{args.port}", applicants, address_base=address_base, real_ip=False,
                          **client_settings)
        out["one after another"] = asyncio.run(_burst(flow, people, at_once=False))
        clear_default_cache(db)
        out["at the same moment"] = asyncio.run(_burst(flow, people, at_once=True))
    clear_default_cache(db)
    for label, run in out.items():
        log(f"  X-Forwarded-For only, {run.posts} people posting {label}: {dict(run.outcomes)}")
    return out


# ---------------------------------------------------------------- report


def _med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _range(values, fmt="{:,.0f}") -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(_med(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def code_version() -> str:
    """The commit measured and, in short, the application files changed in the work tree."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=benchdb.REPO, capture_output=True, text=True).stdout.rstrip("\n")

    head = git("log", "-1", "--format=%h %ad", "--date=format:%Y-%m-%d %H:%M")
    changed = [line[3:] for line in git("status", "--porcelain", "--", "gongkai").splitlines()]
    if not changed:
        return f"commit {head}"
    apps = sorted({path.split("/")[1] for path in changed if path.count("/") > 1})
    migrations = [path.rsplit("/", 1)[-1] for path in changed if "/migrations/" in path]
    return (f"commit {head} + uncommitted changes to {len(changed)} files under gongkai/ ({', '.join(apps)})"
            + (f", among them the migrations {', '.join(migrations)}" if migrations else ""))


@dataclass
class Report:
    source: benchdb.BenchDatabase
    copy: benchdb.BenchDatabase
    kept: bool
    cat: pages_bench.Catalog
    pools: Pools
    runs: list[ProcessRun]
    machine: dict
    command: str
    args: argparse.Namespace
    min_wait: float
    copy_note: str
    applications: dict
    xff: dict | None = None
    topology: bool = False  # --topology: nginx in front of N single-process web servers

    @property
    def key(self) -> str:
        return f"{'topology-' if self.topology else ''}{self.source.vendor}-{self.cat.documents}"

    def server_note(self) -> str:
        a = self.args
        if self.topology:
            return (f"the scale-out topology of docker-compose.yml as local processes (deploy/local_topology.py): "
                    f"nginx {_nginx_version()} (round robin, keep-alive to the upstreams, 1 worker process) in front of "
                    f"N × `gongkai serve --workers 1 --threads {a.threads}` (waitress), each on a port and data folder "
                    f"of its own; GONGKAI_ENV=production (plain HTTP on loopback); page cache, rate-limit counters and "
                    f"used form tokens in one Redis (GONGKAI_REDIS_URL, emptied before each phase); uploads on "
                    f"S3-compatible storage (moto server); 2 `gongkai worker` processes beside them; nginx believes "
                    f"the client's X-Forwarded-For (realip: the benchmark stands for a load balancer giving each "
                    f"visitor's address) and passes X-Real-IP (GONGKAI_TRUSTED_PROXIES={TRUSTED_PROXY}, "
                    f"GONGKAI_CLIENT_IP_META_KEY={CLIENT_IP_META_KEY}); the floor: N × `bench/floor_app.py --workers 1` "
                    f"behind a second nginx rendered from the same deploy/nginx.conf")
        return (f"`gongkai serve --workers N --threads {a.threads}` (waitress), page cache on as shipped "
                f"(per-process memory), default cache = the file cache in the data folder (rate limits, used form "
                f"tokens), GONGKAI_TRUSTED_PROXIES={TRUSTED_PROXY}, GONGKAI_CLIENT_IP_META_KEY={CLIENT_IP_META_KEY} "
                f"(see below)")

    def markdown(self) -> str:
        a = self.args
        where = ", behind nginx (scale-out topology)" if self.topology else ""
        lines = [f"### {self.cat.documents:,} documents on PostgreSQL, {a.connections} clients{where}", ""]
        lines += [f"Command: `{self.command}`", ""]
        lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in self.machine.items()]
        lines += [f"| database | {self.copy_note} |",
                  f"| catalog | {self.cat.documents:,} documents ({self.cat.public:,} public), {len(self.cat.orgs)} "
                  f"issuing organisations, years {self.cat.years[0]}–{self.cat.years[-1]} |",
                  f"| server | {self.server_note()} |",
                  f"| pages | `wrk -t{a.wrk_threads} -c{a.connections} -d{a.duration}s --latency --timeout {a.timeout}s`, "
                  f"a Lua script picking each request's path at random from the page's list; {a.repeats} repeats, "
                  f"each with its own floor run just before; {a.warmup} s of warm-up per page first (not measured); "
                  f"after each page's run the next waits until the server's processes use no CPU and the database "
                  f"runs no query (requests wrk gave up on at the end are still being worked on) |",
                  f"| application flow | Python client (asyncio + httpx {_version('httpx')}) in the benchmark process, "
                  f"{a.connections} sessions (one keep-alive connection each), {a.duration + self.min_wait:g} s a run; "
                  f"form fill time {self.min_wait:g} s (`forms.MIN_SECONDS`) + 0.05 s |",
                  f"| applications | {self.applications_note()} |", ""]
        kinds = collections.Counter(k.split(",")[0] for k, _ in self.pools.searches)
        lines += ["Pages (each request picks a path at random from the list):", "",
                  f"- document: {len(self.pools.documents):,} public documents drawn at random from the catalog, "
                  f"`/doc/<index number>/`",
                  f"- search: {len(self.pools.searches):,} searches: "
                  + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
                  + f"; of them {sum(1 for k, _ in self.pools.searches if 'by date' in k)} by date, "
                  f"{sum(1 for k, _ in self.pools.searches if 'page ' in k)} on page 2–50, "
                  f"{sum(1 for k, _ in self.pools.searches if 'filtered' in k)} filtered by organisation "
                  f"(rare words: the {len(self.pools.rare) - len(RARE_WORDS)} township names and "
                  f"{', '.join(RARE_WORDS)}); e.g. `{self.pools.searches[0][1]}`",
                  f"- application form: `/apply/` and `/apply/?org=N` ({len(self.pools.apply)} paths); a form page "
                  f"carries a CSRF token and a fresh anti-spam token, so it is never served from the page cache",
                  "- floor: `bench/floor_app.py`, `/floor/` (20 KB from memory), same server code, process and "
                  "thread counts", ""]
        for run in self.runs:
            plural = "es" if run.workers > 1 else ""
            lines += [f"**{run.workers} process{plural} × {run.threads} threads** — req/s: median of {a.repeats} "
                      f"repeat{'s' if a.repeats > 1 else ''} (range); p50/p99: median of the repeats' (wrk, client "
                      f"side); ratio: median of the repeats' page ÷ floor of the same repeat. Load average at the "
                      f"start: {run.load['cache on']} (cache-off phase: {run.load['cache off']}); 1-minute load at "
                      f"the start of each repeat: {', '.join(f'{x:.1f}' for x in run.repeat_load)}; after a run, the "
                      f"server worked on for up to {max(run.settled or [0]):.0f} s.", ""]
            lines += ["| page | requests (all repeats) | req/s | req/s by repeat | p50 ms | p99 ms | ratio to floor | "
                      "errors |", "|---|---|---|---|---|---|---|---|"]
            rows = [("floor (cache-on phase)", "floor", None), ("document, cache on", "document", "floor"),
                    ("search, cache on", "search", "floor"), ("application form GET", "apply", "floor"),
                    ("floor (cache-off phase)", "floor-nocache", None),
                    ("search, cache off (GONGKAI_PAGE_CACHE=0)", "search-nocache", "floor-nocache")]
            for label, kind, floor in rows:
                results = run.wrk[kind]
                errors = sum(r.errors for r in results)
                lines.append(" | ".join([
                    f"| {label}", f"{sum(r.requests for r in results):,}",
                    _range([r.rps for r in results], "{:,.1f}" if _med([r.rps for r in results]) < 100 else "{:,.0f}"),
                    ", ".join(f"{r.rps:,.0f}" if r.rps >= 100 else f"{r.rps:.1f}" for r in results),
                    f"{_med([r.p50_ms for r in results]):,.1f}", f"{_med([r.p99_ms for r in results]):,.1f}",
                    "1" if floor is None else f"{_med(run.ratio(kind, floor)):.3f}",
                    f"{errors} |"]))
            lines.append("")
            lines += [f"Application form submitted ({run.workers} process{plural}): GET the form, wait the fill "
                      "time, POST, GET the receipt; every person a new visitor with an address of its own (X-Real-IP "
                      "and X-Forwarded-For). accepted/s: accepted ÷ the run's time after the first fill time; req/s: "
                      "every request answered (form GET, POST, receipt) ÷ the run's time; median of the repeats "
                      f"(range); ratio: req/s ÷ the floor's (wrk, same repeat) and ÷ the same Python client against "
                      f"the floor (same repeat). paced: one person at a time per session, so at most "
                      f"{a.connections} ÷ {self.min_wait + 0.05:g} s = {a.connections / (self.min_wait + 0.05):.1f} "
                      f"accepted/s by construction; saturating: each session always has a request in flight.", ""]
            lines += ["| run | persons | accepted/s | accepted/s by repeat | req/s | form GET p50 / p99 ms | "
                      "POST p50 / p99 ms | receipt p50 / p99 ms | ratio to floor (wrk / client) | outcomes (all repeats) |",
                      "|---|---|---|---|---|---|---|---|---|---|"]
            floors = run.wrk["floor"]
            client_floor = run.flows["client-floor"]
            for mode in ("paced", "saturating"):
                flows = run.flows[mode]
                outcomes = collections.Counter()
                for f in flows:
                    outcomes.update(f.outcomes)
                abandoned = sum(f.abandoned for f in flows)

                def pp(kind, flows=flows):
                    return f"{_ms(_med([f.p(kind, 50) for f in flows]))} / {_ms(_med([f.p(kind, 99) for f in flows]))}"

                ratio_wrk = _med([f.rps() / w.rps for f, w in zip(flows, floors) if w.rps])
                ratio_client = _med([f.rps() / c.rps() for f, c in zip(flows, client_floor) if c.rps()])
                shown = ", ".join(f"{k} {n:,}" for k, n in sorted(outcomes.items(), key=lambda kv: -kv[1]))
                lines.append(f"| {mode} | {sum(f.persons for f in flows):,} ({abandoned:,} left before posting) | "
                             f"{_range([f.accepted_per_s() for f in flows], '{:,.1f}')} | "
                             f"{', '.join(f'{f.accepted_per_s():.1f}' for f in flows)} | "
                             f"{_range([f.rps() for f in flows], '{:,.1f}')} | {pp('form GET')} | {pp('POST')} | "
                             f"{pp('receipt GET')} | {ratio_wrk:.3f} / {ratio_client:.3f} | {shown} |")
            cf = client_floor
            lines.append(f"| Python client → floor | — | — | — | {_range([f.rps() for f in cf])} | "
                         f"{_med([f.p('floor GET', 50) for f in cf]):,.1f} / {_med([f.p('floor GET', 99) for f in cf]):,.1f} "
                         f"(GET /floor/) | — | — | {_med([f.rps() / w.rps for f, w in zip(cf, floors)]):.3f} / 1 | "
                         f"{sum(f.outcomes['200'] for f in cf):,} × 200 |")
            lines.append("")
        if self.xff:
            def said(run):
                return ", ".join(f"{k} {n}" for k, n in sorted(run.outcomes.items(), key=lambda kv: -kv[1])
                                 if not k.startswith("receipt"))
            first, second = self.xff["one after another"], self.xff["at the same moment"]
            limit = int(SUBMIT_RATE_TEXT.split("/")[0])
            lines += [f"The client's address behind a proxy (a check before the runs above): with "
                      f"GONGKAI_TRUSTED_PROXIES={TRUSTED_PROXY} and the default header (X-Forwarded-For), "
                      f"{first.posts} people, each from an address of its own given in X-Forwarded-For only, against "
                      f"1 process, posting one after another: {said(first)}; the counters emptied, "
                      f"{second.posts} others posting at the same moment: {said(second)}. waitress as `gongkai serve` "
                      "creates it (no `trusted_proxy`; `clear_untrusted_proxy_headers` is on by default in waitress "
                      "3) removes X-Forwarded-For (and X-Forwarded-Proto) before Django sees them, so every person "
                      f"counts as {TRUSTED_PROXY}, and the whole site behind the proxy accepts {SUBMIT_RATE_TEXT} "
                      "applications. The runs above therefore give the address in X-Real-IP as well "
                      "(GONGKAI_CLIENT_IP_META_KEY=HTTP_X_REAL_IP, which the README offers for nginx), which waitress "
                      "passes." + (f" Posted at the same moment, more than the limit of {limit} got through: the "
                                   "rate-limit counters live in the file cache, whose add and incr are not atomic "
                                   "across threads and processes." if second.outcomes["accepted"] > limit else ""), ""]
        lines += ["Memory (VmRSS, MiB) of the serving processes after their runs:", "",
                  "| processes | gongkai, cache on: each serving process | gongkai, cache off | floor |", "|---|---|---|---|"]
        for run in self.runs:
            def fmt(r):
                return ", ".join(f"{x:.0f}" for x in r["serving"]) + (
                    f" (supervisor {r['supervisor'][0]:.0f})" if r["supervisor"] else "")
            lines.append(f"| {run.workers} | {fmt(run.rss['gongkai (cache on)'])} | {fmt(run.rss['gongkai (cache off)'])} "
                         f"| {fmt(run.rss['floor'])} |")
        if self.topology:
            lines += ["", "(the web processes only; nginx, Redis, the object store and the workers not counted)"]
        lines.append("")
        return "\n".join(lines) + "\n"

    def figures(self) -> dict:
        """Every measured figure, for --json."""
        def flow(f: FlowRun) -> dict:
            return {"accepted_per_s": f.accepted_per_s(), "rps": f.rps(), "persons": f.persons,
                    "abandoned": f.abandoned, "outcomes": dict(f.outcomes),
                    "ms": {k: {"p50": f.p(k, 50), "p99": f.p(k, 99), "n": len(v)} for k, v in f.latencies.items()}}

        return {"key": self.key, "machine": self.machine, "command": self.command, "applications": self.applications,
                "xff": {k: dict(v.outcomes) for k, v in (self.xff or {}).items()},
                "runs": [{"workers": r.workers, "threads": r.threads, "load": r.load, "repeat_load": r.repeat_load,
                          "settled": r.settled, "rss": r.rss,
                          "wrk": {k: [vars(x) for x in v] for k, v in r.wrk.items()},
                          "flows": {k: [flow(x) for x in v] for k, v in r.flows.items()}} for r in self.runs]}

    def applications_note(self) -> str:
        ap = self.applications
        text = (f"submitted into the copy only ({ap['copy']:,} applications in the copy at the end: "
                f"{ap['accepted']:,} accepted in the measured runs, {ap['unmeasured']:,} in warm-ups and the "
                f"X-Forwarded-For check); the source's applications: {ap['source_before']} before, "
                f"{ap['source_after']} after")
        return text + (", the copy kept" if self.kept else ", the copy dropped after the run")


def _nginx_version() -> str:
    try:
        done = subprocess.run([local_topology.nginx_binary(), "-v"], capture_output=True, text=True, check=False)
        return done.stderr.strip().split("/")[-1]
    except Exception:  # noqa: BLE001 - only a label
        return "?"


def _version(name: str) -> str:
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:
        return "?"


INTRO = """\
What `bench/load_bench.py` measures (issue "Runs like production"): the public document page, the
search page and the application form (the page, and applications submitted through it) under 32
concurrent clients against 1 and against 4 `gongkai serve` processes on PostgreSQL, loopback only,
each run bounded; throughput and p50/p99, and the ratio to a bare Django view (`bench/floor_app.py`)
served the same way, measured in the same repeat. Unlike `bench/pages_bench.py` (one URL per page),
every request picks its path from a list (20,000 documents, 3,000 searches), so the page cache is hit
only as often as real traffic would hit it. The run works on a copy of the catalog, dropped at the end.

Reproduce (PostgreSQL with trust auth on 127.0.0.1, the catalog made by `bench/generate_catalog.py`):

```sh
python bench/generate_catalog.py --docs 1000000 --db postgresql://postgres@127.0.0.1:5432/gongkai_bench_1m
python bench/load_bench.py --workers 1,4 --write bench/RESULTS.md
```
"""


def write_section(path: Path, report: Report) -> None:
    pages_bench.write_block(path, f"load:{report.key}", report.markdown(), section=SECTION, intro=INTRO)


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--db", default=DEFAULT_DB, help=f"postgresql://… made by generate_catalog.py (default {DEFAULT_DB}); "
                        "never written to: the run works on a copy")
    parser.add_argument("--workers", default="1,4", help="server process counts, comma-separated (default 1,4)")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process (default 8, as serve)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10); a form "
                        "submission run lasts this plus the form's fill time")
    parser.add_argument("--connections", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=60, help="wrk's request timeout in seconds (default 60)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load per page before the repeats")
    parser.add_argument("--documents", type=int, default=20000, help="documents in the document page's list")
    parser.add_argument("--searches", type=int, default=3000, help="searches in the search page's list")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--floor-port", type=int, default=8776)
    parser.add_argument("--copy-name", help="name of the database copy (default: <db name>_loadcopy)")
    parser.add_argument("--copy-wait", type=int, default=600, help="seconds to wait for others to leave the source "
                        "database before copying it (default 600)")
    parser.add_argument("--keep-copy", action="store_true", help="keep the copy (and its data folder) afterwards")
    parser.add_argument("--no-prewarm", action="store_true", help="do not read the copy into the OS cache first")
    parser.add_argument("--no-forwarded-for-check", action="store_true",
                        help="skip the check of X-Forwarded-For alone (10 people against 1 process)")
    parser.add_argument("--topology", action="store_true",
                        help="serve the copy with the scale-out topology (deploy/local_topology.py): nginx in front of "
                        "N single-process `gongkai serve`, Redis, S3-compatible storage, 2 workers; the floor behind "
                        "nginx the same way")
    parser.add_argument("--base-url", help="measure a site already running at this loopback address (e.g. the "
                        "topology's nginx): nothing is started or copied; the page lists come from --db (the site's "
                        "own database) and applications are submitted into it. Exit status 1 on any error")
    parser.add_argument("--floor-url", help="with --base-url: the bare view served the same way, for the ratio")
    parser.add_argument("--client", choices=["wrk", "python"], help="the page runs' client: wrk (default when "
                        "installed) or the Python one (asyncio + httpx)")
    parser.add_argument("--flows", default="paced,saturating", help="application flows to run, comma-separated "
                        "(default paced,saturating; the report needs both)")
    parser.add_argument("--write", type=Path, help="write the report into this Markdown file (bench/RESULTS.md)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    try:
        args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    except ValueError:
        parser.error("--workers: comma-separated numbers, e.g. 1,4")
    if not args.workers or min(args.workers) < 1:
        parser.error("--workers: at least one process count of 1 or more")
    if not args.db.startswith(("postgresql://", "postgres://")):
        parser.error("--db: a PostgreSQL database (postgresql://user@host:port/name)")
    if args.repeats < 1 or args.duration < 1 or args.connections < 1:
        parser.error("--repeats, --duration and --connections must be at least 1")
    for name in ("base_url", "floor_url"):
        value = getattr(args, name)
        if value and urlsplit(value).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"--{name.replace('_', '-')}: loopback only (http://127.0.0.1:PORT)")
    if args.floor_url and not args.base_url:
        parser.error("--floor-url goes with --base-url")
    if args.base_url and args.topology:
        parser.error("--base-url measures a running site; --topology starts one: choose one")
    args.client = args.client or ("wrk" if shutil.which("wrk") else "python")
    args.flows = [m.strip() for m in args.flows.split(",") if m.strip()]
    if not set(args.flows) <= {"paced", "saturating"}:
        parser.error("--flows: paced and/or saturating")
    if set(args.flows) != {"paced", "saturating"} and not args.base_url:
        parser.error("--flows: the report needs both paced and saturating (fewer only with --base-url)")
    return args


class Group:
    """Several processes measured as one server (the topology's web processes and nginx)."""

    def __init__(self, serving: list, others: list):
        self.serving, self.others = serving, others

    def pids(self) -> list[int]:
        return [pid for p in self.serving + self.others for pid in p.pids()]

    def rss_mib(self) -> dict[str, list[float]]:
        return {"supervisor": [], "serving": [pages_bench._rss_mib(pid) for p in self.serving for pid in p.pids()[:1]]}


def start_topology(copy: benchdb.BenchDatabase, log_dir: Path) -> local_topology.Topology:
    """The topology's services (object store, Redis), prepared on the copy, with
    the copy's own keys (its audit log is keyed with them); 2 workers."""
    workdir = benchdb.BENCH_DIR / "load-topology"
    if workdir.exists():
        shutil.rmtree(workdir)
    extra = {"GONGKAI_AUDIT_KEY": "", "GONGKAI_AUDIT_KEY_FILE": str(copy.data_dir / "audit_key")}
    secret = copy.data_dir / "secret_key"
    topo = local_topology.Topology(workdir, copy.url, web=0, workers=2, trust_forwarded=True, extra_env=extra, say=log)
    if secret.exists():
        topo.secret_key = secret.read_text().strip()
    try:
        topo.start_services()
        topo.prepare()
        topo.start_workers()
    except BaseException:
        topo.stop()
        raise
    return topo


def topology_servers(topo: local_topology.Topology, workers: int, args, log_dir: Path):
    """Site per phase: N web processes behind nginx, and N floor processes behind another nginx."""
    @contextlib.contextmanager
    def servers(cache: bool):
        topo.flush_redis()
        with contextlib.ExitStack() as stack:
            stack.callback(topo.stop_web)
            topo.start_web(workers, GONGKAI_PAGE_CACHE="1" if cache else "0")
            stack.callback(topo.stop_proxy)
            topo.start_proxy()
            floors = []
            for _ in range(workers):
                floor = pages_bench.floor_server(local_topology.free_port(), 1, args.threads, log_dir)
                floor.name += f"-{len(floors) + 1}"
                stack.enter_context(floor)
                floors.append(floor)
            floor_port = local_topology.free_port()
            floor_proxy = local_topology.Nginx("nginx-floor", floor_port, [f"{HOST}:{f.port}" for f in floors],
                                               topo.workdir, topo.log_dir)
            stack.callback(floor_proxy.stop)
            floor_proxy.start().wait_http(f"http://{HOST}:{floor_port}/floor/")
            yield Site(topo.proxy_url, f"http://{HOST}:{floor_port}", Group(topo.web_processes, [topo.nginx]),
                       Group(floors, [floor_proxy]))
    return servers


def client_setup(cat, args):
    """The page lists, the applicants and the form's settings the clients use."""
    pools = build_pools(cat, documents=args.documents, searches=args.searches)
    from gongkai.core import form_tokens as apply_forms
    from gongkai.core.models import Organisation

    org_names = dict(Organisation.objects.values_list("id", "name"))
    applicants = Applicants(pools, org_names)
    client_settings = dict(min_wait=float(apply_forms.MIN_SECONDS), honeypot=apply_forms.HONEYPOT,
                           spam_message=apply_forms.SPAM_MESSAGE, replay_message=apply_forms.REPLAY_MESSAGE)
    return pools, applicants, client_settings


FLOW_OK = ("accepted", "receipt shown")


def run_against(args, argv) -> int:
    """--base-url: the pages and the application flow against a running site,
    a short report and (--json) the figures; exit status 1 on any error."""
    db = benchdb.parse(args.db)
    benchdb.setup_django(db)
    from django.db import connections

    cat = pages_bench.read_catalog(sample=args.documents)
    if not cat.public:
        raise SystemExit("The site's catalog has no public document: nothing to measure.")
    pools, applicants, client_settings = client_setup(cat, args)
    connections.close_all()
    log_dir = benchdb.BENCH_DIR / "load-bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log(f"Measuring {args.base_url} ({args.client} client, {args.connections} connections, {args.duration} s a run)")
    run = measure(db, pools, applicants, client_settings, workers=0, args=args, log_dir=log_dir, address_base=1,
                  servers=running_site(args))
    rows = ["| page | requests | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
    errors = 0
    for kind, results in run.wrk.items():
        errors += sum(r.errors for r in results) if not kind.startswith("floor") else 0
        rows.append(f"| {kind} | {sum(r.requests for r in results):,} | {_med([r.rps for r in results]):,.1f} | "
                    f"{_med([r.p50_ms for r in results]):,.1f} | {_med([r.p99_ms for r in results]):,.1f} | "
                    f"{sum(r.errors for r in results)} |")
    outcomes = collections.Counter()
    for mode in ("paced", "saturating"):
        for f in run.flows.get(mode, []):
            outcomes.update(f.outcomes)
    errors += sum(n for k, n in outcomes.items() if k not in FLOW_OK)
    print(f"Against {args.base_url} ({args.client} client, {args.connections} connections, {args.duration} s a run, "
          f"{args.repeats} repeat(s)):\n")
    print("\n".join(rows))
    print(f"\nApplication form submitted: {dict(outcomes)}; errors in all: {errors}")
    if args.json:
        import json

        args.json.write_text(json.dumps({
            "base_url": args.base_url, "errors": errors, "outcomes": dict(outcomes),
            "pages": {k: [vars(x) for x in v] for k, v in run.wrk.items()},
            "flows": {k: [{"outcomes": dict(f.outcomes), "rps": f.rps(), "persons": f.persons} for f in v]
                      for k, v in run.flows.items()},
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if errors else 0


def _stop(signum, frame):
    raise SystemExit(128 + signum)  # SIGTERM unwinds like Ctrl+C: every server stopped, the copy dropped


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    if args.base_url:
        return run_against(args, argv)
    source = benchdb.parse(args.db)
    copy = copy_spec(source, args.copy_name or f"{source.name}_loadcopy"[:63])
    if copy.name == source.name:
        raise SystemExit("--copy-name must differ from the source database")
    log_dir = benchdb.BENCH_DIR / "load-bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    load_at_start = _load()
    apps = {"source_before": count_applications(source)}
    log(f"Copying {source.name} to {copy.name} (server logs in {log_dir})...")
    if copy.data_dir.exists():
        shutil.rmtree(copy.data_dir)
    # The copy's data folder starts with the source's keys (secret key, audit key, anchors): the
    # copied audit log is keyed with them. Folders (files, cache) are not copied.
    copy.data_dir.mkdir(parents=True)
    for item in (source.data_dir.iterdir() if source.data_dir.is_dir() else []):
        if item.is_file():
            shutil.copy2(item, copy.data_dir / item.name)
    seconds = make_copy(source, copy, args.copy_wait)
    log(f"  copied in {seconds:.0f} s")
    stack = contextlib.ExitStack()
    copy_note = (f"a copy of {source.url} made for the run (CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY, "
                 f"{seconds:.0f} s), migrated to the work tree")
    try:
        if not args.no_prewarm:
            took, size = prewarm(copy)
            log(f"  read {size / 2**20:,.0f} MiB of tables and indexes into the OS cache in {took:.0f} s")
            copy_note += f", {size / 2**20:,.0f} MiB of tables and indexes read into the OS cache first (pg_prewarm)"
        benchdb.setup_django(copy)
        from django.core.management import call_command
        from django.db import connections

        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        log(f"  migrated in {time.perf_counter() - began:.0f} s")
        copy_note += f"; {benchdb.database_bytes(copy) / 2**20:,.0f} MiB"
        cat = pages_bench.read_catalog(sample=args.documents)
        if not cat.public:
            raise SystemExit("The catalog has no public document: run bench/generate_catalog.py first.")
        pools = build_pools(cat, documents=args.documents, searches=args.searches)
        log(f"{cat.documents:,} documents, {cat.public:,} public; pools: {len(pools.documents):,} documents, "
            f"{len(pools.searches):,} searches, {len(pools.apply)} form paths")
        from gongkai.core import form_tokens as apply_forms
        from gongkai.core import generation
        from gongkai.core.models import Organisation

        org_names = dict(Organisation.objects.values_list("id", "name"))
        applicants = Applicants(pools, org_names)
        sample = applicants.fields(sorted(org_names))
        from gongkai.applications.forms import ApplicationForm

        missing = set(ApplicationForm.base_fields) - set(sample) - {"files", "started", apply_forms.HONEYPOT}
        if missing:
            raise SystemExit(f"the application form has fields this client does not fill: {sorted(missing)}")
        client_settings = dict(min_wait=float(apply_forms.MIN_SECONDS), honeypot=apply_forms.HONEYPOT,
                               spam_message=apply_forms.SPAM_MESSAGE, replay_message=apply_forms.REPLAY_MESSAGE)
        generation_before = generation.current()
        info = pages_bench.machine(copy)
        from gongkai.applications import public_views

        global SUBMIT_RATE_TEXT
        SUBMIT_RATE_TEXT = public_views.SUBMIT_RATE
        connections.close_all()  # the servers have the database to themselves

        info["code"] = os.environ.get("GONGKAI_BENCH_CODE") or code_version()  # a copy of the tree has no git
        runs, address_base = [], 1
        xff = None
        if args.topology:
            topo = start_topology(copy, log_dir)
            stack.callback(topo.stop)
        if not args.no_forwarded_for_check and not args.topology:
            log("X-Forwarded-For check: 10 people, 10 addresses, in X-Forwarded-For only...")
            xff = forwarded_for_check(copy, applicants, client_settings, args=args, log_dir=log_dir,
                                      address_base=address_base)
            address_base += 1000
        for workers in args.workers:
            log(f"{workers} process(es) of {args.threads} threads...")
            servers = topology_servers(topo, workers, args, log_dir) if args.topology else None
            run = measure(copy, pools, applicants, client_settings, workers=workers, args=args, log_dir=log_dir,
                          address_base=address_base, servers=servers)
            address_base = run.next_address
            runs.append(run)
        from gongkai.applications.models import Application

        apps["copy"] = Application.objects.count()
        apps["accepted"] = sum(f.outcomes["accepted"] for r in runs for m in ("paced", "saturating") for f in r.flows[m])
        apps["unmeasured"] = sum(r.warmup_accepted for r in runs) + sum(x.outcomes["accepted"] for x in (xff or {}).values())
        generation_after = generation.current()
        connections.close_all()
    finally:
        stack.close()  # the topology, when started
        from django.db import connections as _connections

        try:
            _connections.close_all()
        except Exception:
            pass
        if not args.keep_copy:
            drop_copy(copy)
            if copy.data_dir.exists():
                shutil.rmtree(copy.data_dir)
            log(f"Dropped {copy.name} and its data folder {copy.data_dir}")
    apps["source_after"] = count_applications(source)
    info["load average (1, 5, 15 min)"] = f"{load_at_start} at the start, {_load()} at the end (other work on the machine)"
    if generation_before != generation_after:
        copy_note += "; the public content generation changed during the run (the page cache was emptied)"
    shown = argv if argv is not None else sys.argv[1:]
    report = Report(source=source, copy=copy, kept=args.keep_copy, cat=cat, pools=pools, runs=runs, machine=info,
                    command=" ".join(["python bench/load_bench.py", *shown]), args=args,
                    min_wait=client_settings["min_wait"], copy_note=copy_note, applications=apps, xff=xff,
                    topology=args.topology)
    print(report.markdown())
    if args.json:
        import json

        args.json.write_text(json.dumps(report.figures(), ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        write_section(args.write, report)
        log(f"Wrote the {report.key} block of {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
