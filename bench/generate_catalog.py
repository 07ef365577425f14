"""Fill an empty database with a province-sized catalog, fast, for the page benchmarks.

    python bench/generate_catalog.py --docs 100000 --db sqlite:/tmp/gongkai-bench/sqlite-100k/gongkai.sqlite3
    python bench/generate_catalog.py --docs 1000000 --db postgresql://postgres@127.0.0.1:5432/gongkai_bench_1m

(--db: see bench/benchdb.py; a PostgreSQL database is created when missing.)

1. `migrate`; the database must hold no document yet.
2. The demo catalog's plan (`gongkai.catalog.demo.generate`: the province with
   its cities, counties, townships and departments, realistic titles, document
   numbers, topics, genres, dates, validity, relations), stretched over
   --years years (default 15) ending with the demo's last day. Organisations
   through `demo.create_organisations`, service guides (two per
   organisation) through `gongkai.guides.demo.create_demo_guides`.
3. Documents with `bulk_create`, --batch per transaction, built with the
   catalog's own pure helpers: `render_body` (about 500 characters),
   `services.set_body`, `services.apply_document_number`, and index numbers
   assigned in bulk per organisation and publication year in date order
   (`services.format_index_number`), as publication would give them, with
   the counters (`IndexNumberCounter`) left where publication goes on from.
   Statuses as the plan says: published and proactively disclosed, except
   the plan's drafts (0.25 %, no index number) and two withdrawn documents.
4. The full-text index of each batch in bulk: `search.backends.index_fields`
   (jieba-rs segmentation) in --jobs processes, then `executemany` into the
   FTS5 tables (SQLite), or COPY into a staging table and one INSERT … SELECT
   with the backend's tsvector expression (PostgreSQL, its GIN index dropped
   during the load and built once at the end).
5. The plan's relations (cites / forwards / interprets / amends / abolishes)
   with `bulk_create`.
6. The maintained facet counts rebuilt (`gongkai.catalog.counts.recount`)
   and `generation.bump()` (bulk writes send no signal), then `PRAGMA optimize`
   (SQLite) or `VACUUM ANALYZE` (PostgreSQL: what autovacuum would have done
   after such a load).

No audit entries are written (each publication through the services writes
one; bench/search_bench.py measures that path). Progress goes to stderr; the
last lines give documents/s for inserting and for indexing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from array import array
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/benchdb.py
import benchdb  # noqa: E402

DEFAULT_SEED = 20190515


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ plan


def make_plan(docs: int, seed: int, years: int):
    """The demo's plan over `years` years ending with its last day (the
    planner reads demo.FIRST_DAY when it spreads the working days)."""
    from gongkai.catalog import demo

    saved = demo.FIRST_DAY
    demo.FIRST_DAY = demo._add_years(demo.LAST_DAY, -years) + dt.timedelta(days=1)
    try:
        return demo.generate(docs, seed)
    finally:
        demo.FIRST_DAY = saved


# ------------------------------------------------------------------ segmentation (worker processes)


def _index_row(doc: SimpleNamespace) -> tuple[int, str, str, str]:
    from gongkai.search.backends import index_fields

    title, body, verbatim = index_fields(doc)
    return doc.pk, title, body, verbatim


def index_rows(pool, docs) -> list[tuple[int, str, str, str]]:
    """(id, segmented title line, segmented body, verbatim text) of each
    public document, the same fields `gongkai.search.index.update` writes."""
    light = [SimpleNamespace(pk=d.pk, title=d.title, document_number=d.document_number, keywords=d.keywords,
                             index_number=d.index_number, body_text=d.body_text) for d in docs if d.is_public]
    if pool is None:
        return [_index_row(d) for d in light]
    return pool.map(_index_row, light, chunksize=max(1, len(light) // 16))


# ------------------------------------------------------------------ writers of the full-text index


class SQLiteIndexWriter:
    def __init__(self):
        from gongkai.search.backends import SQLiteBackend

        self.table, self.phrases = SQLiteBackend.TABLE, SQLiteBackend.PHRASE_TABLE

    def begin(self):
        pass

    def write(self, cursor, rows):
        cursor.executemany(f"INSERT INTO {self.table}(rowid, title, body) VALUES (%s, %s, %s)",
                           [(pk, title, body) for pk, title, body, _ in rows])
        cursor.executemany(f"INSERT INTO {self.phrases}(rowid, text) VALUES (%s, %s)",
                           [(pk, verbatim) for pk, _, _, verbatim in rows])

    def finish(self, cursor):
        pass


class PostgresIndexWriter:
    """COPY into a staging table, then the tsvector of PostgresBackend.upsert
    (title weighted A, body B) in one INSERT … SELECT per batch. The GIN index
    is dropped for the load and built once at the end."""

    STAGE = "bench_index_stage"
    GIN = "search_index_tsv"  # gongkai/search/migrations/0001_fulltext.py

    def begin(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {self.GIN}")
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {self.STAGE} (document_id bigint, title text, body text)")

    def write(self, cursor, rows):
        with cursor.copy(f"COPY {self.STAGE} (document_id, title, body) FROM STDIN") as copy:
            for pk, title, body, _ in rows:
                copy.write_row((pk, title, body))
        cursor.execute(
            "INSERT INTO search_index(document_id, tsv) SELECT document_id, "
            "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B') "
            f"FROM {self.STAGE}")
        cursor.execute(f"TRUNCATE {self.STAGE}")

    def finish(self, cursor):
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.GIN} ON search_index USING gin (tsv)")


# ------------------------------------------------------------------ the load


class Clock:
    def __init__(self):
        self.seconds = defaultdict(float)

    def add(self, name, began):
        self.seconds[name] += time.perf_counter() - began


def load(plan, *, batch: int, jobs: int, progress=log) -> dict:
    from django.db import connection, connections, transaction

    from gongkai.catalog import demo, services
    from gongkai.catalog.models import Document, IndexNumberCounter, Relation
    from gongkai.core import docnumber
    from gongkai.guides.demo import create_demo_guides

    clock = Clock()
    began = time.perf_counter()
    orgs = demo.create_organisations(plan.organisations + demo.sample_organisations())
    guides = create_demo_guides(list(orgs.values()), limit=len(orgs))
    topics, genres = demo.vocabulary_lookup()
    clock.add("organisations, vocabularies, guides", began)
    progress(f"{len(orgs)} organisations, {guides} service guides")

    pool = None
    if jobs > 1:
        import multiprocessing

        connections.close_all()  # nothing open crosses the fork
        pool = multiprocessing.get_context("fork").Pool(jobs)
    writer = PostgresIndexWriter() if connection.vendor == "postgresql" else SQLiteIndexWriter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # this loading connection only
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    writer.begin()

    documents = plan.documents
    total = len(documents)
    order = sorted(range(total), key=lambda p: (documents[p].published_date, p))  # serials grow with the date
    ids = array("q", bytes(8 * total))  # plan position -> document id
    serials: dict[tuple[int, int], int] = defaultdict(int)
    indexed = 0
    published = Document.Status.PUBLISHED
    try:
        for start in range(0, total, batch):
            began = time.perf_counter()
            objs = []
            for position in order[start:start + batch]:
                planned = documents[position]
                org = orgs[planned.organisation.key]
                doc = Document(organisation=org, title=planned.title, topic=topics[planned.topic],
                               genre=genres[planned.genre], disclosure=Document.Disclosure.PROACTIVE, **planned.fields())
                services.apply_document_number(doc, planned.document_number)
                services.set_body(doc, body_text=demo.render_body(planned))
                if planned.status == "draft":
                    doc.status = Document.Status.DRAFT
                else:
                    year = doc.published_date.year
                    serials[(org.pk, year)] += 1
                    doc.index_year, doc.index_serial = year, serials[(org.pk, year)]
                    doc.index_number = services.format_index_number(org.index_prefix, year, doc.index_serial)
                    doc.status = published
                    if planned.status == "withdrawn":
                        doc.status = Document.Status.WITHDRAWN
                        doc.withdrawn_at = dt.datetime.combine(doc.published_date + dt.timedelta(days=30), dt.time(10),
                                                               tzinfo=dt.timezone.utc)
                doc._position = position
                objs.append(doc)
            clock.add("build", began)
            began = time.perf_counter()
            with transaction.atomic():
                Document.objects.bulk_create(objs)
            clock.add("insert", began)
            for doc in objs:
                ids[doc._position] = doc.pk

            began = time.perf_counter()
            rows = index_rows(pool, objs)
            clock.add("segment", began)
            began = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                writer.write(cursor, rows)
            clock.add("index write", began)
            indexed += len(rows)
            done = start + len(objs)
            if done % max(batch, 20000) < batch or done == total:
                insert_s = clock.seconds["build"] + clock.seconds["insert"]
                index_s = clock.seconds["segment"] + clock.seconds["index write"]
                progress(f"  {done:,}/{total:,} documents: insert {done / insert_s:,.0f}/s, "
                         f"index {indexed / index_s:,.0f}/s")
    finally:
        if pool is not None:
            pool.close()
            pool.join()

    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        writer.finish(cursor)
    clock.add("index finish", began)

    began = time.perf_counter()
    numbers: dict[str, str] = {}

    def number_text(raw: str) -> str:
        if raw not in numbers:
            numbers[raw] = docnumber.parse(raw).text if raw else ""
        return numbers[raw]

    relations = []
    for planned in documents:
        for ref in planned.relations:
            relations.append(Relation(
                source_id=ids[planned.position], kind=ref.kind,
                target_id=ids[ref.target] if ref.target is not None else None,
                target_title=ref.title[:300], target_document_number=number_text(ref.document_number)))
    for start in range(0, len(relations), 20000):
        with transaction.atomic():
            Relation.objects.bulk_create(relations[start:start + 20000], ignore_conflicts=True)
    IndexNumberCounter.objects.bulk_create(
        [IndexNumberCounter(organisation_id=org_id, year=year, last_serial=serial)
         for (org_id, year), serial in serials.items()], ignore_conflicts=True)
    clock.add("relations, counters", began)
    progress(f"{len(relations):,} relations")

    from gongkai.core import generation

    began = time.perf_counter()
    recount()  # bulk writes send no signal: the maintained facet counts are rebuilt once
    clock.add("facet counts", began)
    began = time.perf_counter()
    generation.bump()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
        else:
            cursor.execute("VACUUM ANALYZE")
    clock.add("optimize / analyze", began)
    return {"documents": total, "indexed": indexed, "relations": len(relations), "guides": guides,
            "organisations": len(orgs), "seconds": dict(clock.seconds)}


def recount() -> None:
    """Rebuild the public facet counts (gongkai.catalog.counts) when this
    checkout maintains them."""
    try:
        from gongkai.catalog import counts
    except ImportError:
        return
    counts.recount()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, required=True, help="documents to create")
    parser.add_argument("--db", required=True, help="sqlite:PATH or postgresql://user@host:port/name (empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--years", type=int, default=15, help="years of publication dates (default 15)")
    parser.add_argument("--batch", type=int, default=5000, help="documents per transaction (default 5000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes segmenting text for the index (default 2)")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.batch < 1 or args.jobs < 1 or args.years < 1:
        parser.error("--docs, --batch, --jobs and --years must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    db = benchdb.parse(args.db)
    started = time.perf_counter()
    if db.vendor == "postgresql" and benchdb.create_postgres_database(db):
        log(f"Created database {db.name}")
    benchdb.setup_django(db)
    from django.core.management import call_command

    from gongkai.catalog.models import Document

    log(f"Database: {db.describe()}")
    call_command("migrate", verbosity=0, interactive=False)
    existing = Document.objects.count()
    if existing:
        raise SystemExit(f"The database already holds {existing} documents: give an empty one.")

    began = time.perf_counter()
    plan = make_plan(args.docs, args.seed, args.years)
    days = [d.published_date for d in plan.documents]
    log(f"Planned {len(plan.documents):,} documents ({min(days)} to {max(days)}) in {time.perf_counter() - began:.1f} s")
    result = load(plan, batch=args.batch, jobs=args.jobs)
    seconds = result["seconds"]
    seconds["plan"] = time.perf_counter() - began - sum(seconds.values())
    insert_s = seconds["build"] + seconds["insert"]
    index_s = seconds["segment"] + seconds["index write"] + seconds["index finish"]
    wall = time.perf_counter() - started
    size = benchdb.database_bytes(db)
    print(f"Generated {result['documents']:,} documents ({result['indexed']:,} indexed, {result['relations']:,} relations, "
          f"{result['organisations']} organisations, {result['guides']} guides) in {wall:.0f} s; database {size / 2**20:,.0f} MiB")
    print(f"insert: {result['documents'] / insert_s:,.0f} documents/s ({insert_s:.0f} s: build {seconds['build']:.0f} s, "
          f"bulk_create {seconds['insert']:.0f} s)")
    print(f"index:  {result['indexed'] / index_s:,.0f} documents/s ({index_s:.0f} s: segmentation {seconds['segment']:.0f} s "
          f"in {args.jobs} process(es), writes {seconds['index write']:.0f} s, final {seconds['index finish']:.0f} s)")
    print("other:  " + ", ".join(f"{name} {value:.0f} s" for name, value in seconds.items()
                                 if name not in ("build", "insert", "segment", "index write", "index finish")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
