"""Search benchmark: import+index throughput and search latency on SQLite.

    python bench/search_bench.py --docs 100000 [--db PATH] [--queries 200] [--write bench/RESULTS.md]

1. A fresh SQLite database (a temporary folder, or --db PATH), migrated.
2. N synthetic documents from the demo catalog plan (`gongkai.catalog.demo`:
   realistic titles, numbers, topics, dates and bodies), created and published
   through `gongkai.catalog.services.create_document`, the real path: the search
   index follows through the signals. Documents go in batches of --batch per
   transaction, as an importer would. Reported as documents per second.
3. A fixed, seeded mix of --queries queries (words, two words, quoted phrases,
   exclusions, document numbers; with and without filters on organisation
   subtree, topic, year range and validity; by relevance and by date), each run
   through `gongkai.search.services.search` (page 1, 20 per page) and the same
   text query straight against the FTS5 table (COUNT + the first 20 by bm25).
   After a warm-up pass, --rounds measured passes; p50/p95/p99 of each.

With --keep the database stays; --db PATH --reuse then re-runs only the
queries against it (the plan is regenerated from the same seed).
Progress goes to stderr, the Markdown report to stdout (and --write PATH,
where it replaces only the section of the same size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/hardware.py
import hardware  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
TARGET_DOCS_PER_SECOND = 200.0
PER_PAGE = 20
DEFAULT_SEED = 20190515


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- set-up


def configure_django(db_path: Path) -> None:
    """Point the embedded settings at `db_path` (SQLite), set Django up, migrate."""
    db_path = db_path.resolve()
    os.environ["GONGKAI_DATA_DIR"] = str(db_path.parent)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongkai.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------- import


@dataclass
class ImportResult:
    documents: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def import_documents(plan, *, batch: int = 500, progress=log) -> ImportResult:
    """Create the plan's organisations and documents through the catalog services.
    Bodies are rendered before each batch's clock starts: generating the input
    is not part of importing it."""
    from django.db import transaction

    from gongkai.catalog import demo

    organisations = demo.create_organisations(plan.organisations)
    topics, genres = demo.vocabulary_lookup()
    # Publish in date order, as the demo loader does: serials grow with the date.
    order = sorted(range(len(plan.documents)), key=lambda p: (plan.documents[p].published_date, p))
    result = ImportResult()
    for start in range(0, len(order), batch):
        docs = [plan.documents[p] for p in order[start : start + batch]]
        bodies = [demo.render_body(d) for d in docs]
        began = time.perf_counter()
        with transaction.atomic():
            for doc, body in zip(docs, bodies):
                demo.create_planned(doc, organisations, topics, genres, body=body)
        result.seconds += time.perf_counter() - began
        result.documents += len(docs)
        if progress and (result.documents % 5000 < batch or result.documents == len(order)):
            progress(f"  imported {result.documents}/{len(order)} documents ({result.per_second:.0f}/s)")
    return result


# ---------------------------------------------------------------- queries


@dataclass
class BenchQuery:
    text: str
    kind: str  # word / two words / phrase / exclusion / number
    order: str  # relevance / date
    filter_labels: list[str] = field(default_factory=list)
    filters: object = None  # gongkai.search.backends.Filters

    @property
    def label(self) -> str:
        return f"{self.text} [{', '.join(self.filter_labels) or 'no filter'}; {self.order}]"


QUERY_KINDS = [("word", 35), ("two words", 20), ("phrase", 20), ("exclusion", 15), ("number", 10)]


def _keywords(doc) -> list[str]:
    return [k for k in re.split(r"[，,\s]+", doc.keywords) if k]


def build_queries(plan, count: int, seed: int = DEFAULT_SEED) -> list[BenchQuery]:
    """A fixed mix of `count` queries: the same plan and seed give the same mix.
    Words come from randomly drawn documents of the plan (their keywords,
    subject, issuer's place, document number), so they are as common in the
    catalog as they would be in people's searches. Needs the database:
    filters name organisation and topic ids."""
    from gongkai.catalog import demo
    from gongkai.catalog.models import Topic
    from gongkai.catalog.selectors import topic_descendant_ids
    from gongkai.core.models import Organisation, descendant_ids
    from gongkai.search.backends import Filters

    rng = random.Random(seed)
    docs = [d for d in plan.documents if _keywords(d)]
    works = {s.key: s.work for s in demo.SUBJECTS}
    orgs = list(Organisation.objects.filter(name__in=[o.name for o in plan.organisations]).order_by("id"))
    topics = list(Topic.objects.filter(document__isnull=False).distinct().order_by("id"))
    parents = sorted({t.parent_id for t in topics if t.parent_id})
    years = sorted({d.published_date.year for d in plan.documents if d.published_date}) or [dt.date.today().year]
    kinds = [k for k, _ in QUERY_KINDS]
    weights = [w for _, w in QUERY_KINDS]

    queries = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        doc = rng.choice(docs)
        words = _keywords(doc)
        if kind == "word":
            text = rng.choice(words + [doc.organisation.place])
        elif kind == "two words":
            text = " ".join(rng.sample(words, 2)) if len(words) > 1 else f"{words[0]} {doc.organisation.place}"
        elif kind == "phrase":
            text = f'"{works.get(doc.subject) or words[0]}"'
        elif kind == "exclusion":
            other = [w for w in _keywords(rng.choice(docs)) if w not in words] or ["征求意见"]
            text = f"{rng.choice(words)} -{rng.choice(other)}"
        else:
            numbered = doc if doc.document_number else next((d for d in docs if d.document_number), doc)
            text = numbered.document_number or words[0]
        query = BenchQuery(text=text, kind=kind, order="date" if rng.random() < 0.3 else "relevance", filters=Filters())
        # About half the queries carry filters, one or two of them.
        if rng.random() < 0.5:
            for name in rng.sample(["organisation", "topic", "years", "validity"], rng.choice([1, 1, 2])):
                if name == "organisation" and orgs:
                    org = rng.choice(orgs)
                    query.filters.organisation_ids = descendant_ids([org.pk])
                    query.filter_labels.append(f"机构={org.short_name or org.name}及下级")
                elif name == "topic" and topics:
                    if parents and rng.random() < 0.5:
                        root = rng.choice(parents)
                        query.filters.topic_ids = topic_descendant_ids([root])
                        query.filter_labels.append(f"主题={Topic.objects.get(pk=root).name}")
                    else:
                        topic = rng.choice(topics)
                        query.filters.topic_ids = {topic.pk}
                        query.filter_labels.append(f"主题={topic.name}")
                elif name == "years":
                    first = rng.choice(years)
                    last = min(years[-1], first + rng.choice([0, 1, 2]))
                    query.filters.year_from, query.filters.year_to = first, last
                    query.filter_labels.append(f"年份={first}-{last}")
                elif name == "validity":
                    query.filters.validity = rng.choice(["valid", "valid", "expired"])
                    query.filter_labels.append(f"有效性={query.filters.validity}")
        queries.append(query)
    return queries


# ---------------------------------------------------------------- running


def raw_fts(parsed, limit: int = PER_PAGE) -> tuple[int, list[int]]:
    """The same text query straight against the FTS5 table: COUNT, then the
    first `limit` rowids by bm25 with the backend's column weights. No filters,
    no phrase check, no documents loaded: the floor the real search stands on."""
    from django.db import connection

    from gongkai.search.backends import SQLiteBackend

    table = SQLiteBackend.TABLE
    expression = SQLiteBackend.fts_expression(parsed)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {table} MATCH %s", [expression])
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY bm25({table}, 10.0, 1.0) LIMIT %s",
            [expression, limit],
        )
        return total, [row[0] for row in cursor.fetchall()]


@dataclass
class QueryTiming:
    query: BenchQuery
    search_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    total: int = 0  # hits found by search
    raw_total: int | None = None  # hits of the bare text query in FTS5
    shown: int = 0  # hits on page 1


def run_queries(queries: list[BenchQuery], *, rounds: int = 1, warmup: bool = True, progress=log) -> list[QueryTiming]:
    """Time every query through search() and (on SQLite) straight against FTS5.
    The two are interleaved query by query, so both see the same cache state."""
    from django.db import connection

    from gongkai.search import query as search_query
    from gongkai.search.services import search

    with_raw = connection.vendor == "sqlite"
    timings = [QueryTiming(q) for q in queries]
    passes = ([False] if warmup else []) + [True] * rounds
    for number, measured in enumerate(passes):
        label = f"round {number + (0 if warmup else 1)}/{rounds}" if measured else "warm-up"
        for i, timing in enumerate(timings, start=1):
            q = timing.query
            began = time.perf_counter()
            page = search(q.text, q.filters, order=q.order, page=1, per_page=PER_PAGE)
            # Let the page be used as a view would: the lazy parts are evaluated.
            for hit in page.hits:
                str(hit.title_html), str(hit.snippet_html), hit.document.organisation.name
            elapsed = (time.perf_counter() - began) * 1000
            if page.message:
                raise ValueError(f"benchmark query {q.text!r} was refused: {page.message}")
            timing.total, timing.shown = page.total, len(page.hits)
            if measured:
                timing.search_ms.append(elapsed)
            if with_raw:
                parsed = search_query.parse(q.text)  # segmented the same way, outside the clock
                began = time.perf_counter()
                timing.raw_total, _ = raw_fts(parsed)
                elapsed = (time.perf_counter() - began) * 1000
                if measured:
                    timing.raw_ms.append(elapsed)
            if progress and (i % 50 == 0 or i == len(timings)):
                progress(f"  {label}: {i}/{len(timings)} queries")
    return timings


# ---------------------------------------------------------------- figures


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Stats:
    label: str
    samples: list[float]

    @property
    def ok(self) -> bool:
        return bool(self.samples)

    def row(self) -> str:
        s = self.samples
        return (f"| {self.label} | {len(s)} | {percentile(s, 50):.1f} | {percentile(s, 95):.1f} | "
                f"{percentile(s, 99):.1f} | {sum(s) / len(s):.1f} | {max(s):.1f} |")


def machine() -> dict[str, str]:
    from django.db import connection

    import django
    from importlib.metadata import version

    cpu = hardware.cpu_model()
    gib = hardware.ram_gib()
    ram = f"{gib:.1f} GiB" if gib else "unknown"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu,
        "cores": f"{usable} usable ({os.cpu_count()} online)",
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "database": database,
        "Django / rjieba (jieba-rs)": f"{django.get_version()} / {version('rjieba')}",
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


@dataclass
class Report:
    docs: int
    imported: ImportResult | None
    timings: list[QueryTiming]
    machine: dict[str, str]
    command: str = ""
    db_bytes: int = 0
    rounds: int = 1

    def stats(self, which: str, select=lambda t: True, label: str = "") -> Stats:
        return Stats(label, [ms for t in self.timings if select(t) for ms in getattr(t, which)])

    @property
    def search_p95(self) -> float:
        return percentile(self.stats("search_ms").samples, 95)

    @property
    def raw_p95(self) -> float | None:
        raw = self.stats("raw_ms").samples
        return percentile(raw, 95) if raw else None

    def verdicts(self) -> list[tuple[str, str, bool | None]]:
        out = []
        if self.imported:
            rate = self.imported.per_second
            out.append((f"import+index ≥ {TARGET_DOCS_PER_SECOND:.0f} documents/s", f"{rate:.0f}/s", rate >= TARGET_DOCS_PER_SECOND))
        out.append((f"search p95 < {TARGET_P95_MS:.0f} ms", f"{self.search_p95:.1f} ms", self.search_p95 < TARGET_P95_MS))
        if self.raw_p95:
            ratio = self.search_p95 / self.raw_p95
            out.append((f"search p95 ≤ {TARGET_RATIO:.0f}× raw FTS5 p95", f"{ratio:.2f}×", ratio <= TARGET_RATIO))
        return out

    def markdown(self) -> str:
        lines = [f"### {self.docs:,} documents", ""]
        if self.command:
            lines += [f"Command: `{self.command}`", ""]
        lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in self.machine.items()] + [""]
        if self.imported:
            size = f", database {self.db_bytes / 1048576:.0f} MiB" if self.db_bytes else ""
            lines += [f"Import+index: {self.imported.documents:,} documents in {self.imported.seconds:.1f} s = "
                      f"**{self.imported.per_second:.0f} documents/s**{size}.", ""]
        hits = [t.total for t in self.timings]
        lines += [f"Search: {len(self.timings)} queries × {self.rounds} measured round(s) after a warm-up, page 1 of "
                  f"{PER_PAGE}; hits per query: median {percentile(hits, 50):,}, max {max(hits):,}; "
                  f"{sum(1 for h in hits if h == 0)} with no hit.", ""]
        lines += ["| latency (ms) | samples | p50 | p95 | p99 | mean | max |", "|---|---|---|---|---|---|---|"]
        groups = [
            ("all queries", lambda t: True),
            ("without filters", lambda t: not t.query.filter_labels),
            ("with filters", lambda t: bool(t.query.filter_labels)),
            ("by relevance", lambda t: t.query.order == "relevance"),
            ("by date", lambda t: t.query.order == "date"),
        ] + [(f"kind: {k}", lambda t, k=k: t.query.kind == k) for k, _ in QUERY_KINDS]
        for name, select in groups:
            stats = self.stats("search_ms", select, f"search() — {name}")
            if stats.ok:
                lines.append(stats.row())
        raw = self.stats("raw_ms", label="raw FTS5 (COUNT + top 20 by bm25) — all queries")
        if raw.ok:
            lines.append(raw.row())
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        for name, value, met in self.verdicts():
            lines.append(f"| {name} | {value} | {'yes' if met else '**no**'} |")
        slow = sorted(self.timings, key=lambda t: -max(t.search_ms))[:5]
        with_raw = raw.ok
        lines += ["", f"Slowest queries (max ms of search(){' / raw FTS5' if with_raw else ''}; hits):", ""]
        for t in slow:
            raw_max = f" / {max(t.raw_ms):.1f}" if with_raw else ""
            lines.append(f"- `{t.query.label}`: {max(t.search_ms):.1f}{raw_max} ms; {t.total:,} hits")
        return "\n".join(lines) + "\n"


def benchmark(docs: int, queries: int, *, seed: int = DEFAULT_SEED, rounds: int = 1, batch: int = 500,
              reuse: bool = False, progress=log) -> Report:
    """Import (unless `reuse`) and query; Django must be set up already."""
    from gongkai.catalog import demo
    from gongkai.catalog.models import Document

    progress(f"Planning {docs:,} documents (seed {seed})...")
    plan = demo.generate(docs, seed)
    imported = None
    existing = Document.objects.count()
    if reuse:
        if existing < docs:
            raise SystemExit(f"--reuse: the database holds {existing} documents, fewer than --docs {docs}.")
        progress(f"Reusing the {existing:,} documents already in the database.")
    else:
        if existing:
            raise SystemExit(f"The database already holds {existing} documents: give a fresh --db, or --reuse.")
        progress(f"Importing {docs:,} documents through catalog.services (batches of {batch})...")
        imported = import_documents(plan, batch=batch, progress=progress)
    progress(f"Building {queries} queries...")
    mix = build_queries(plan, queries, seed)
    progress(f"Running them ({rounds} measured round(s) after a warm-up)...")
    timings = run_queries(mix, rounds=rounds, progress=progress)
    return Report(docs=docs, imported=imported, timings=timings, machine=machine(), rounds=rounds)


def write_section(path: Path, report: Report) -> None:
    """Replace this size's section in `path` (between its markers), or append it;
    whatever else the file says is kept."""
    begin, end = f"<!-- bench:{report.docs} -->", f"<!-- /bench:{report.docs} -->"
    section = f"{begin}\n{report.markdown()}{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Search benchmark results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="documents to import (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="measured passes over the mix (default 3)")
    parser.add_argument("--batch", type=int, default=500, help="documents per import transaction (default 500)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--db", type=Path, help="SQLite file to create (default: in a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="query the documents already in --db, import nothing")
    parser.add_argument("--write", type=Path, help="also write the report into this Markdown file (e.g. bench/RESULTS.md)")
    args = parser.parse_args(argv)
    for name, low in (("docs", 1), ("queries", 1), ("rounds", 1), ("batch", 1)):
        if getattr(args, name) < low:
            parser.error(f"--{name} must be at least {low}")
    if args.reuse and not args.db:
        parser.error("--reuse needs --db PATH (a database kept with --keep)")
    if args.reuse and not args.db.exists():
        parser.error(f"--reuse: {args.db} does not exist")
    if args.db and not args.reuse and args.db.exists():
        parser.error(f"{args.db} already exists: give a new path for a fresh database, or --reuse")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = None
    if args.db:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        db_path = args.db
    else:
        folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
        db_path = folder / "bench.sqlite3"
    try:
        configure_django(db_path)
        report = benchmark(args.docs, args.queries, seed=args.seed, rounds=args.rounds, batch=args.batch,
                           reuse=args.reuse)
        from django.db import connection

        connection.close()
        report.db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
        shown = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--keep"]
        report.command = " ".join(["python bench/search_bench.py", *shown])
        print(report.markdown())
        if args.write:
            write_section(args.write, report)
            log(f"Wrote the {args.docs:,}-document section of {args.write}")
        if args.keep or args.db:
            log(f"Database kept: {db_path}")
        return 0
    finally:
        if folder and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
