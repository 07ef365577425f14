"""Import benchmark (issue "Real pages from any government", Speed): real pages, many of them.

    python bench/import_bench.py [--pages 1000] [--jobs N] [--db sqlite:PATH] [--keep]

1. The real pages (../shared/samples/*.txt and ../shared/samples/real/*, or the
   copies shipped in gongkai/catalog/demo_samples when ../shared is not beside
   the clone) are replicated into --pages distinct pages in a temporary folder:
   copy k of a page gets its own document number (serial + 10000·k), its own
   索引号 (serial + 10000·k), a title with "（第k份）" where the title is
   written on the page, and a closing line of its own, so that every copy is a
   new document (another content fingerprint, no duplicate number).
2. A fresh database (a temporary SQLite file as `gongkai serve` runs it, or
   --db, see bench/benchdb.py), migrated. The issuers the pages name are
   created beforehand (not timed), one organisation each, plus one for the
   pages that name none.
3. Timed: `gongkai.ingest.services.import_paths` over the pages that name
   their issuer (the importer finds it), then over the others with that one
   organisation given (as `gongkai import --org` does). Every SQL statement is
   counted through the connection's execute wrapper.

Printed: pages/s (wall clock), SQL statements per page, CPU time per page
(this process and the importer's worker processes: a figure that depends less
on what else the machine is doing; then apart: this process, which writes
every transaction one after the other, and the workers, which read and check
the pages meanwhile), and how many pages were created, held for review,
unchanged or failed.

The figures of issue "Province scale" (≥ 200 pages/s) come from

    python bench/import_bench.py --pages 1000

on a machine with two cores; on a busy machine the wall clock says more about
the other processes than about the import, the CPU time per page less.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/benchdb.py
import benchdb  # noqa: E402

REPO = benchdb.REPO
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared" / "samples"
SHIPPED = REPO / "gongkai" / "catalog" / "demo_samples"
PAGE_SUFFIXES = (".txt", ".html", ".htm")
SERIAL_STEP = 10000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def source_pages() -> list[Path]:
    """The real pages to replicate, in a fixed order."""
    if SHARED.is_dir():
        pages = [p for p in SHARED.glob("*") if p.suffix in PAGE_SUFFIXES]
        pages += [p for p in (SHARED / "real").glob("*") if p.suffix in PAGE_SUFFIXES]
    else:
        pages = [p for p in SHIPPED.glob("*") if p.suffix in PAGE_SUFFIXES]
    return sorted(pages, key=lambda p: (p.parent.name, p.name))


# ------------------------------------------------------------------ replicating the pages


@dataclass
class Source:
    path: Path
    text: str
    html: bool
    title: str
    organisation: str
    document_number: str
    index_number: str


def read_sources(paths: list[Path]) -> list[Source]:
    from gongkai.core.decode import decode
    from gongkai.ingest.extract import extract, looks_like_html

    sources = []
    for path in paths:
        text, _encoding = decode(path.read_bytes())
        page = extract(text)
        sources.append(Source(path, text, looks_like_html(text), page.title, page.organisation.strip(),
                              page.document_number, page.index_number))
    return sources


def _varied_number(number: str, k: int) -> str:
    from gongkai.core import docnumber

    if not number or docnumber.parse(number).status == docnumber.STATUS_UNPARSED:
        return number
    return re.sub(r"(\d+)(号?)$", lambda m: f"{int(m.group(1)) + SERIAL_STEP * k}{m.group(2)}", number, count=1)


def _varied_index(index_number: str, k: int) -> str:
    """The 索引号 with its last run of digits (the serial) moved on."""
    match = re.match(r"^(.*?)(\d+)(\D*)$", index_number or "")
    if not match:
        return index_number
    return f"{match[1]}{int(match[2]) + SERIAL_STEP * k:0{len(match[2])}d}{match[3]}"


def replicate(source: Source, k: int) -> str:
    """Copy k of a page (k = 0 is the page itself, with its closing line)."""
    text = source.text
    if k:
        for old, new in ((source.document_number, _varied_number(source.document_number, k)),
                         (source.index_number, _varied_index(source.index_number, k))):
            if old and new != old:
                text = text.replace(old, new)
        # The title where it is written, unless it is the issuer's name itself.
        if source.title and source.title not in source.organisation:
            text = text.replace(source.title, f"{source.title}（第{k}份）", 1)
    if not source.title:
        # A page the extractor finds no title on would only fail, fast: give
        # it one, so that every copy goes through the whole import.
        text = f"{source.path.stem}政府信息公开页面（第{k}份）\n{text}" if not source.html else text
    closing = f"本页为导入基准测试的第{k}份副本。"
    if source.html and "</body>" in text:
        return text.replace("</body>", f"<p>{closing}</p></body>", 1)
    return f"{text.rstrip()}\n{closing}\n"


def write_pages(sources: list[Source], count: int, folder: Path) -> tuple[list[Path], list[Path]]:
    """`count` pages in `folder`: (those naming their issuer, the others)."""
    folder.mkdir(parents=True, exist_ok=True)
    named, unnamed = [], []
    for n in range(count):
        source = sources[n % len(sources)]
        k = n // len(sources)
        path = folder / f"{n:06d}-{source.path.stem}{source.path.suffix}"
        path.write_text(replicate(source, k), encoding="utf-8")
        (named if source.organisation else unnamed).append(path)
    return named, unnamed


def create_issuers(sources: list[Source]):
    """One organisation per issuer the pages name, and one for the rest."""
    from gongkai.core.models import Organisation

    names = sorted({s.organisation for s in sources if s.organisation})
    prefixes = {}
    for s in sources:
        prefix = s.index_number.split("/", 1)[0] if "/" in s.index_number else ""
        if s.organisation and prefix and prefix not in prefixes.values():
            prefixes.setdefault(s.organisation, prefix)
    for i, name in enumerate(names, start=1):
        Organisation.objects.create(name=name[:100], level="department",
                                    index_prefix=prefixes.get(name) or f"BENCH{i:03d}")
    return Organisation.objects.create(name="导入基准测试机构", level="department", index_prefix="BENCH000")


# ------------------------------------------------------------------ the run


@dataclass
class Result:
    pages: int = 0
    seconds: float = 0.0
    statements: int = 0
    cpu_seconds: float = 0.0  # this process and its worker processes, user + system
    own_cpu_seconds: float = 0.0  # this process alone (the writes)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def statements_per_page(self) -> float:
        return self.statements / self.pages if self.pages else 0.0

    def lines(self) -> list[str]:
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        out = [
            f"{self.pages} pages in {self.seconds:.2f} s: {self.per_second:.1f} pages/s",
            f"{self.statements} SQL statements: {self.statements_per_page:.1f} per page",
            f"CPU time: {self.cpu_seconds * 1000 / self.pages:.2f} ms per page (this process and its workers)",
            (f"  this process (writing): {self.own_cpu_seconds * 1000 / self.pages:.2f} ms per page; "
             f"workers (reading, checking): {(self.cpu_seconds - self.own_cpu_seconds) * 1000 / self.pages:.2f} ms per page"),
            f"pages: {statuses}",
        ]
        out += [f"  failed {n}x: {error}" for error, n in self.errors.most_common(5)]
        return out


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def run(count: int, folder: Path, progress=log, jobs: int | None = None) -> Result:
    """Replicate, set up the issuers and import (the database is set up already).
    `jobs`: import_paths' reading processes (None: its default)."""
    from django.db import connection

    from gongkai.ingest import services

    sources = read_sources(source_pages())
    named, unnamed = write_pages(sources, count, folder / "pages")
    fallback = create_issuers(sources)
    progress(f"{len(sources)} real pages replicated into {count} pages; importing")
    # An importer from before `jobs` existed takes no such argument.
    options = {} if jobs is None else {"jobs": jobs}

    statements = 0

    def counter(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    result = Result(pages=count)
    with connection.execute_wrapper(counter):
        cpu, own_cpu = _cpu_seconds(), _own_cpu_seconds()
        began = time.perf_counter()
        reports = [services.import_paths(named, **options)]
        if unnamed:
            reports.append(services.import_paths(unnamed, organisation=fallback, **options))
        result.seconds = time.perf_counter() - began
        result.cpu_seconds = _cpu_seconds() - cpu
        result.own_cpu_seconds = _own_cpu_seconds() - own_cpu
    result.statements = statements
    for report in reports:
        for row in report.results:
            result.statuses[row.status] += 1
            if row.error:
                result.errors[row.error] += 1
    return result


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="how many pages to import (default 1000)")
    parser.add_argument("--db", help="sqlite:PATH or postgresql://… (default: a temporary SQLite file)")
    parser.add_argument("--jobs", type=int, help="processes reading and checking pages (default: the importer's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (pages and database)")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="gongkai-import-bench-"))
    try:
        db = benchdb.parse(args.db or f"sqlite:{folder / benchdb.EMBEDDED_NAME}")
        if db.vendor == "postgresql":
            benchdb.create_postgres_database(db)
        benchdb.setup_django(db)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        from gongkai.catalog.models import Document

        if Document.objects.exists():
            raise SystemExit(f"{db.describe()} already holds documents: give a fresh database")
        log(f"database: {db.describe()}")
        result = run(args.pages, folder, jobs=args.jobs)
        connection.close()
        print("\n".join(result.lines()))
        if args.keep:
            log(f"kept: {folder}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
