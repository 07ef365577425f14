"""The database a page benchmark runs on, named the same way for every script:

    sqlite:PATH                        a SQLite file (created when missing)
    postgresql://user@host:port/name   a PostgreSQL database

`environment(spec)` gives the variables `gongkai` reads (gongkai/settings.py):

- SQLite at `DIR/gongkai.sqlite3` runs exactly as the embedded default does:
  GONGKAI_DATA_DIR=DIR and no DATABASE_URL. Any other file name goes
  through DATABASE_URL=sqlite:///PATH.
- PostgreSQL: DATABASE_URL, and a data folder of its own (secret key, file
  cache, static folder) under $GONGKAI_BENCH_DIR (default /tmp/gongkai-bench).

Nothing is ever written into the repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(os.environ.get("GONGKAI_BENCH_DIR", "/tmp/gongkai-bench"))
REPO = Path(__file__).resolve().parent.parent
EMBEDDED_NAME = "gongkai.sqlite3"  # settings.database_config's file name in the data folder


@dataclass(frozen=True)
class BenchDatabase:
    spec: str
    vendor: str  # sqlite / postgresql
    path: Path | None = None  # SQLite file
    url: str = ""  # PostgreSQL URL

    @property
    def name(self) -> str:
        if self.vendor == "sqlite":
            return str(self.path)
        return self.url.rsplit("/", 1)[-1].split("?")[0]

    @property
    def data_dir(self) -> Path:
        if self.vendor == "sqlite":
            return self.path.parent
        return BENCH_DIR / f"pg-{re.sub(r'[^A-Za-z0-9_.-]', '_', self.name)}"

    @property
    def embedded(self) -> bool:
        """SQLite the way `gongkai serve` runs it without DATABASE_URL."""
        return self.vendor == "sqlite" and self.path.name == EMBEDDED_NAME

    def environment(self) -> dict[str, str]:
        env = {"GONGKAI_DATA_DIR": str(self.data_dir), "DJANGO_SETTINGS_MODULE": "gongkai.settings"}
        if self.vendor == "postgresql":
            env["DATABASE_URL"] = self.url
        elif not self.embedded:
            env["DATABASE_URL"] = f"sqlite:///{self.path}"
        return env

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite {self.path} ({'GONGKAI_DATA_DIR, the embedded default' if self.embedded else 'DATABASE_URL'})"
        return f"PostgreSQL {self.url} (DATABASE_URL)"


def parse(spec: str) -> BenchDatabase:
    if spec.startswith("sqlite:"):
        raw = spec[len("sqlite:"):]
        raw = raw[2:] if raw.startswith("//") else raw  # sqlite:///abs/path too
        path = Path(raw).expanduser().resolve()
        if REPO in path.parents:
            raise SystemExit(f"{path} is inside the repository: keep benchmark databases out of it "
                             f"(e.g. under {BENCH_DIR}).")
        return BenchDatabase(spec, "sqlite", path=path)
    if spec.startswith(("postgresql://", "postgres://")):
        if not re.search(r"://[^/]*/[^/?]+", spec):
            raise SystemExit(f"{spec}: name the database, e.g. postgresql://postgres@127.0.0.1:5432/gongkai_bench_100k")
        return BenchDatabase(spec, "postgresql", url=spec)
    raise SystemExit(f"--db {spec!r}: expected sqlite:PATH or postgresql://user@host:port/name")


def setup_django(db: BenchDatabase) -> None:
    """Point this process's settings at `db` and set Django up (no migration)."""
    db.data_dir.mkdir(parents=True, exist_ok=True)
    if db.vendor == "sqlite":
        db.path.parent.mkdir(parents=True, exist_ok=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(db.environment())
    import django

    django.setup()


def create_postgres_database(db: BenchDatabase) -> bool:
    """CREATE DATABASE when it does not exist yet; True when created."""
    import psycopg

    admin_url = db.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name]).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{db.name}"')
        return True


def database_bytes(db: BenchDatabase) -> int:
    if db.vendor == "sqlite":
        return sum(p.stat().st_size for p in db.path.parent.glob(db.path.name + "*"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]
