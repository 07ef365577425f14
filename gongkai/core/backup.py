"""Backup and restore of a whole installation: `gongkai backup` / `gongkai restore`.

One archive (a gzip-compressed tar file) holds everything the data depends on:

    manifest.json               always the first member (see `build_manifest`)
    database/gongkai.sqlite3    SQLite: an online copy by sqlite3's backup API
    database/gongkai.sql        PostgreSQL: a plain SQL dump by pg_dump
    media/...                   every uploaded file (the "default" storage: MEDIA_ROOT or object storage)
    private/...                 every private file (the "private" storage: applications, work-plan progress)
    keys/secret_key             the secret key file (DATA_DIR/secret_key)
    keys/audit_key              the audit log's key file (GONGKAI_AUDIT_KEY_FILE)
    keys/audit-anchors.jsonl    the audit log's anchors (GONGKAI_AUDIT_ANCHORS)
    datadir/...                 any other small file of the data folder's top level
                                (never the database, a cache or an archive)

The database is copied at one moment while the server keeps running: SQLite's
backup API in one read transaction (WAL mode lets writers go on), pg_dump
under a snapshot exported by the transaction that also counts the rows and
reads the migration state, so the manifest describes exactly the dump. Files
are read after the database: a file uploaded meanwhile is an unused extra,
never a missing one. Files on object storage (S3, see gongkai.core.storage)
are listed, read and restored through the storage API, like a local folder's.
The manifest carries the SHA-256 of every other member;
the archive is written to a temporary file beside PATH and renamed into place,
so PATH is either the whole archive or absent.

A restore goes into an empty target only (no --force: replacing live data is
a deliberate step of its own, dropping the database or choosing a new folder,
never a flag). Every member is checked against the manifest, in a staging
folder inside the data folder, before anything of the target is written; then
the database, files and keys are put in place, the full-text index and the
facet counts are rebuilt (`gongkai reindex`), the audit chain is verified and
the row counts are compared with the manifest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections, transaction

FORMAT = "gongkai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/gongkai.sqlite3"
POSTGRES_MEMBER = "database/gongkai.sql"
# Top-level folders of the archive and where each goes back to.
FILE_AREAS = ("media", "private")
KEYS = "keys"
DATADIR = "datadir"
# The data folder's own files above this size are not keys or anchors (an old
# archive, a log someone left there): skipped, with a line saying so.
DATADIR_FILE_LIMIT = 16 * 1024 * 1024
DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db", "-wal", "-shm", "-journal")
ARCHIVE_SUFFIXES = (".tar", ".gz", ".tgz", ".zip", ".bz2", ".xz", ".partial")
CHUNK = 1024 * 1024
COMPRESS_LEVEL = 6


class BackupError(Exception):
    """A refusal or a failure, in words for the operator. Nothing of the target
    was changed unless the message says otherwise."""


def _noop(text: str) -> None:
    pass


class Progress:
    """Progress lines for a long step, at most one a second (and the last one)."""

    def __init__(self, write, interval: float = 1.0):
        self.write, self.interval, self.last = write or _noop, interval, 0.0

    def __call__(self, text: str, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self.last >= self.interval:
            self.last = now
            self.write(text)


def _size(size: int) -> str:
    """A size for a person: KB under a megabyte, MB under a gigabyte, else GB."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{max(size, 0) / 1024:.1f} KB"


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- What an installation holds ----------------------------------------------------------


def database_path() -> Path | None:
    """The SQLite database file, or None on PostgreSQL."""
    if connection.vendor != "sqlite":
        return None
    return Path(connection.settings_dict["NAME"]).resolve()


def file_storages() -> dict:
    """The storages of uploaded and private files, by their name in the archive."""
    from django.core.files.storage import default_storage

    from .storage import private_storage

    return {"media": default_storage, "private": private_storage}


def file_roots() -> dict[str, Path]:
    """The local folders of uploaded and private files, by their name in the
    archive (an area on object storage has none: see `object_areas`)."""
    from .storage import is_local

    return {area: Path(storage.location).resolve() for area, storage in file_storages().items() if is_local(storage)}


def object_areas() -> dict:
    """The areas kept on object storage (S3), by their name in the archive."""
    from .storage import is_local

    return {area: storage for area, storage in file_storages().items() if not is_local(storage)}


def _stored_names(storage, folder: str = "") -> list[str]:
    """Every file's name in a storage (under `folder`), through its listing, sorted."""
    dirs, files = storage.listdir(folder)
    names = [posixpath.join(folder, name) for name in files if name]
    for sub in dirs:
        if sub and sub not in (".", ".."):
            names += _stored_names(storage, posixpath.join(folder, sub))
    return sorted(names)


def key_files() -> dict[str, Path]:
    """The files the data depends on besides the database, by their name in
    the archive, at the place this installation's settings give them: the
    secret key (signed cookies and tokens), the audit log's key (its keyed
    hashes) and its anchors (its head, written outside the database)."""
    data_dir = Path(settings.DATA_DIR)
    return {
        "secret_key": data_dir / "secret_key",
        "audit_key": Path(getattr(settings, "GONGKAI_AUDIT_KEY_FILE", None) or data_dir / "audit_key"),
        "audit-anchors.jsonl": Path(getattr(settings, "GONGKAI_AUDIT_ANCHORS", None) or data_dir / "audit-anchors.jsonl"),
    }


def _files_under(root: Path) -> list[Path]:
    """Every regular file under `root` (symbolic links are not followed), sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def datadir_files(skip: set[Path] = frozenset(), note=_noop) -> list[Path]:
    """The data folder's other small files (whatever else the installation
    keeps there besides the key files): its top-level files that are not a
    database, a temporary file or an archive, up to DATADIR_FILE_LIMIT."""
    data_dir = Path(settings.DATA_DIR).resolve()
    if not data_dir.is_dir():
        return []
    database = database_path()
    skip = set(skip) | {path.resolve() for path in key_files().values()}
    found = []
    for path in sorted(data_dir.iterdir()):
        if not path.is_file() or path.is_symlink() or path.resolve() in skip:
            continue
        name = path.name
        if name.startswith(".") or ".before-restore" in name or name.endswith(DATABASE_SUFFIXES + ARCHIVE_SUFFIXES):
            continue
        if database and name.startswith(database.name):
            continue
        if path.stat().st_size > DATADIR_FILE_LIMIT:
            note(f"skipped {path} ({_size(path.stat().st_size)}): too large for a key or anchor file")
            continue
        found.append(path)
    return found


def table_names() -> list[str]:
    """The tables whose rows the manifest counts: every table of the installed
    models (the search index included) and Django's migration record."""
    names = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    names.add("django_migrations")
    return sorted(names)


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this version of the code has."""
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- The database at one moment ----------------------------------------------------------


@dataclass
class Snapshot:
    path: Path
    member: str
    row_counts: dict[str, int]
    migrations: dict[str, list[str]]
    tool: str
    server_version: str = ""


def _migration_state(rows) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app, name in rows:
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_sqlite(dest: Path, progress=None) -> Snapshot:
    """Copy the live SQLite database with the backup API in one step, i.e. in
    one read transaction: a consistent copy while writers carry on (WAL)."""
    source_path = database_path()
    if not source_path or not source_path.exists():
        raise BackupError(f"The database file {source_path} does not exist: there is nothing to back up.")
    tables = table_names()
    connections.close_all()
    outcome: dict = {}

    def copy():
        try:
            source = sqlite3.connect(str(source_path), timeout=30)
            target = sqlite3.connect(str(dest))
            try:
                source.backup(target)
                # A self-contained file: no -wal beside it.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
                source.close()
        except Exception as exc:  # noqa: BLE001 - reported by the caller's thread
            outcome["error"] = exc

    wal = source_path.with_name(source_path.name + "-wal")
    total = source_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    worker = threading.Thread(target=copy, name="sqlite-backup")
    worker.start()
    show = Progress(progress)
    while worker.is_alive():
        worker.join(0.5)
        done = dest.stat().st_size if dest.exists() else 0
        show(f"database: copied {_size(done)} of about {_size(total)}")
    if "error" in outcome:
        raise BackupError(f"Could not copy the SQLite database {source_path}: {outcome['error']}")
    show(f"database: copied {_size(dest.stat().st_size)}", final=True)

    copy_db = sqlite3.connect(str(dest))
    try:
        present = {row[0] for row in copy_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {t: copy_db.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables if t in present}
        migrations = _migration_state(copy_db.execute("SELECT app, name FROM django_migrations ORDER BY id"))
    finally:
        copy_db.close()
    return Snapshot(dest, SQLITE_MEMBER, counts, migrations, f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})",
                    sqlite3.sqlite_version)


def postgres_environment(settings_dict: dict) -> dict:
    """The environment that points libpq's tools (pg_dump, psql) at a database."""
    from django.db.backends.postgresql.client import DatabaseClient

    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found: install the PostgreSQL client programs "
                          f"(the server's major version or newer) and run this again.")
    return path


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def snapshot_postgresql(dest: Path, progress=None) -> Snapshot:
    """pg_dump of the configured database under a snapshot exported by this
    transaction (REPEATABLE READ), which also counts the rows and reads the
    migration state: the manifest and the dump describe the same moment."""
    pg_dump = _tool("pg_dump")
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    tables = table_names()
    env = postgres_environment(connection.settings_dict)
    show = Progress(progress)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server_version = cursor.fetchone()
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = _migration_state(cursor.fetchall())
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors:
            process = subprocess.Popen(
                [pg_dump, "--format=plain", "--no-owner", "--no-privileges", "--encoding=UTF8",
                 f"--snapshot={snapshot_id}", f"--file={dest}"],
                env=env, stdout=subprocess.DEVNULL, stderr=errors,
            )
            while process.poll() is None:
                time.sleep(0.5)
                show(f"database: pg_dump has written {_size(dest.stat().st_size if dest.exists() else 0)}")
            errors.seek(0)
            message = errors.read()
        if process.returncode != 0:
            raise BackupError(f"pg_dump failed (exit status {process.returncode}):\n{_tail(message)}")
    show(f"database: pg_dump wrote {_size(dest.stat().st_size)}", final=True)
    return Snapshot(dest, POSTGRES_MEMBER, counts, migrations, version, server_version)


def snapshot_database(folder: Path, progress=None) -> Snapshot:
    if connection.vendor == "sqlite":
        return snapshot_sqlite(folder / "gongkai.sqlite3", progress)
    if connection.vendor == "postgresql":
        return snapshot_postgresql(folder / "gongkai.sql", progress)
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


# --- Writing the archive -----------------------------------------------------------------


@dataclass
class Member:
    """One file of the archive: its name there, where it is read from (a
    path, or a name in a storage), its SHA-256 and size as hashed before
    writing, and its permission bits."""

    name: str
    path: Path | None
    sha256: str = ""
    size: int = 0
    mode: int = 0o600
    storage: object = None
    stored_name: str = ""

    @property
    def source(self) -> str:
        return str(self.path) if self.storage is None else f"{self.stored_name} (object storage)"

    def open(self):
        return open(self.path, "rb") if self.storage is None else self.storage.open(self.stored_name, "rb")

    def mtime(self) -> int:
        if self.storage is None:
            return int(self.path.stat().st_mtime)
        from .storage import modified_time

        moment = modified_time(self.storage, self.stored_name)
        return int(moment.timestamp()) if moment else int(time.time())

    def hash(self) -> None:
        """Read the whole file once: its SHA-256 and size."""
        if self.storage is None:
            self.sha256, self.size = _sha256_file(self.path)
            return
        digest, size = hashlib.sha256(), 0
        with self.open() as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        self.sha256, self.size = digest.hexdigest(), size


class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes written."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def build_manifest(snapshot: Snapshot, members: list[Member], key_names: list[str], datadir_names: list[str]) -> dict:
    import gongkai

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gongkai_version": gongkai.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "vendor": connection.vendor,
            "member": snapshot.member,
            "tool": snapshot.tool,
            "server_version": snapshot.server_version,
        },
        "migrations": snapshot.migrations,
        "row_counts": snapshot.row_counts,
        "key_files": key_names,
        "datadir_files": datadir_names,
        "files": {m.name: {"sha256": m.sha256, "size": m.size} for m in members},
    }


def write_archive(path: Path, manifest: dict, members: list[Member], *, force: bool = False, progress=None) -> int:
    """Write the archive to a temporary file beside `path`, then rename it into
    place: `path` is the whole archive or nothing. Returns its size."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    temporary = Path(temporary)
    show = Progress(progress)
    total = sum(m.size for m in members)
    written = 0
    try:
        os.fchmod(fd, 0o600)  # the archive holds the keys and personal data
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL,
                              format=tarfile.PAX_FORMAT) as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
                for index, member in enumerate(members, 1):
                    info = tarfile.TarInfo(member.name)
                    info.size, info.mode = member.size, member.mode
                    info.mtime = member.mtime()
                    with member.open() as handle:
                        reader = _HashingReader(handle)
                        try:
                            tar.addfile(info, reader)
                        except OSError as exc:
                            raise BackupError(f"{member.source} changed while the backup was written ({exc}): "
                                              "run the backup again.") from None
                    if reader.digest.hexdigest() != member.sha256:
                        raise BackupError(f"{member.source} changed while the backup was written: run the backup again.")
                    written += member.size
                    show(f"archive: {index}/{len(members)} files, {_size(written)} of {_size(total)}",
                         final=index == len(members))
            raw.flush()
            os.fsync(raw.fileno())
        if force:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if PATH appeared meanwhile: never overwritten
            except FileExistsError:
                raise BackupError(f"{path} already exists: choose another name, or add --force to replace it.") from None
            except OSError:
                if path.exists():
                    raise BackupError(f"{path} already exists: choose another name, or add --force to replace it.") from None
                os.rename(temporary, path)
        _fsync_dir(path.parent)
        return path.stat().st_size
    finally:
        temporary.unlink(missing_ok=True)


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: dict[str, int]
    file_bytes: int
    datadir_names: list[str]
    archive_bytes: int
    skipped_media: str = ""

    def lines(self) -> list[str]:
        areas = ", ".join(f"{n} {area}" for area, n in self.files.items())
        out = [
            f"Wrote {self.path} ({_size(self.archive_bytes)}):",
            f"  database: {'SQLite' if self.vendor == 'sqlite' else 'PostgreSQL'}, {self.tables} tables, {self.rows} rows",
            f"  files: {areas} ({_size(self.file_bytes)})",
            f"  keys and data-folder files: {', '.join(self.datadir_names) or 'none'}",
        ]
        if self.skipped_media:
            out.append(f"  not included: {self.skipped_media}")
        out.append("The archive holds the secret key and personal data: keep it as safe as the server itself.")
        return out


def create_backup(path, *, force: bool = False, say=print, progress=None) -> BackupSummary:
    """`gongkai backup PATH`: the database, every uploaded and private file,
    the data folder's keys and a manifest, in one archive written atomically."""
    path = Path(path).absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the name of the archive file to write.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists: choose another name, or add --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")

    skipped_media = ""
    roots, remote = file_roots(), object_areas()
    for root in roots.values():
        if path.resolve().is_relative_to(root):
            raise BackupError(f"{path} is inside {root}, which the archive copies: write it somewhere else.")

    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".db", dir=path.parent))
        say("Copying the database ...")
        snapshot = snapshot_database(staging, progress)
        members = [Member(snapshot.member, snapshot.path)]
        for area in FILE_AREAS:
            mode = 0o644 if area == "media" else 0o600
            if area in roots:
                for file in _files_under(roots[area]):
                    relative = file.relative_to(roots[area]).as_posix()
                    members.append(Member(f"{area}/{relative}", file, mode=mode))
            elif area in remote:
                say(f"Listing the {area} files on object storage ...")
                for name in _stored_names(remote[area]):
                    members.append(Member(f"{area}/{name}", None, mode=mode, storage=remote[area], stored_name=name))
        keys = {name: file for name, file in key_files().items() if file.is_file()}
        members += [Member(f"{KEYS}/{name}", file) for name, file in keys.items()]
        datadir = datadir_files(skip={path.resolve()}, note=say)
        members += [Member(f"{DATADIR}/{file.name}", file) for file in datadir]
        for variable, meaning in (("SECRET_KEY", "secret key"), ("GONGKAI_AUDIT_KEY", "audit key")):
            if os.environ.get(variable):
                say(f"Note: the {meaning} comes from {variable}, not from a file: it is not in the archive. "
                    f"Keep it with the archive; the restored installation needs the same {variable}.")

        show = Progress(progress)
        total = 0
        for index, member in enumerate(members, 1):
            try:
                member.hash()
            except FileNotFoundError:
                member.size = -1  # removed since the listing: nothing to keep
                continue
            total += member.size
            show(f"hashing: {index}/{len(members)} files, {_size(total)}", final=index == len(members))
        members = [m for m in members if m.size >= 0]
        manifest = build_manifest(snapshot, members, sorted(keys), [f.name for f in datadir])
        say(f"Writing {len(members)} files ({_size(total)}) to the archive ...")
        size = write_archive(path, manifest, members, force=force, progress=progress)
    except storage_errors() as exc:
        raise BackupError(f"The backup stopped ({_one_line(exc)}): nothing was written to {path}.") from None
    finally:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)

    files = {area: sum(1 for m in members if m.name.startswith(area + "/")) for area in FILE_AREAS}
    return BackupSummary(
        path=path, vendor=connection.vendor, tables=len(snapshot.row_counts), rows=sum(snapshot.row_counts.values()),
        files=files, file_bytes=sum(m.size for m in members if m.name.split("/", 1)[0] in FILE_AREAS),
        datadir_names=sorted(keys) + [f.name for f in datadir], archive_bytes=size, skipped_media=skipped_media,
    )


# --- Reading and checking an archive ------------------------------------------------------


DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _safe_name(name: str) -> bool:
    """A member name the restore may write: a plain relative path inside one
    of the archive's areas (no absolute path, no '..', no empty part)."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    if name.startswith("/") or any(p in ("", ".", "..") for p in parts) or len(parts) < 2:
        return False
    if parts[0] == "database":
        return name in (SQLITE_MEMBER, POSTGRES_MEMBER)
    if parts[0] == KEYS:
        return len(parts) == 2 and parts[1] in key_files()
    if parts[0] == DATADIR:
        return len(parts) == 2 and not parts[1].startswith(".")
    return parts[0] in FILE_AREAS


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    """The manifest, which must be the archive's first member."""
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg():
        raise BackupError(f"{path} is not a Gongkai backup: it does not start with {MANIFEST}.")
    try:
        manifest = json.loads(tar.extractfile(first).read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path} is not a Gongkai backup: its {MANIFEST} cannot be read.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Gongkai backup: its {MANIFEST} is not a Gongkai manifest.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(f"{path} was written in backup format {version} by Gongkai {manifest.get('gongkai_version')}; "
                          f"this version reads format {FORMAT_VERSION} and older: upgrade Gongkai to restore it.")
    files = manifest.get("files")
    database = manifest.get("database") or {}
    if not isinstance(files, dict) or database.get("member") not in files or not isinstance(manifest.get("row_counts"), dict):
        raise BackupError(f"{path}: the manifest is incomplete (files, database or row counts missing).")
    if database.get("member") != {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}.get(database.get("vendor")):
        raise BackupError(f"{path}: the manifest's database ({database.get('vendor')}, {database.get('member')}) is not one "
                          "a restore knows.")
    if not all(isinstance(entry, dict) and isinstance(entry.get("sha256"), str) and isinstance(entry.get("size"), int)
               for entry in files.values()):
        raise BackupError(f"{path}: the manifest lacks the SHA-256 or size of some files.")
    unsafe = [name for name in files if not _safe_name(name)]
    if unsafe:
        raise BackupError(f"{path}: the manifest names a file outside the places a restore writes to: {unsafe[0]}")
    return manifest


def _vendor_name(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


def check_compatible(manifest: dict) -> None:
    vendor, here = manifest["database"].get("vendor"), connection.vendor
    if vendor != here:
        if vendor == "sqlite" and here == "postgresql":
            raise BackupError("This archive holds a SQLite database; restoring a SQLite backup into PostgreSQL is not "
                              "supported. Restore it into a SQLite data folder (without DATABASE_URL).")
        if vendor == "postgresql":
            raise BackupError("This archive holds a PostgreSQL database but this installation uses SQLite: restore it "
                              "with DATABASE_URL set to an empty PostgreSQL database.")
        raise BackupError(f"This archive holds a {_vendor_name(vendor)} database, which this installation "
                          f"({_vendor_name(here)}) cannot restore.")
    applied = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    unknown = sorted(applied - known_migrations())
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(f"This archive was made by Gongkai {manifest.get('gongkai_version')}, whose database has "
                          f"migrations this version lacks ({listed}{', ...' if len(unknown) > 5 else ''}): "
                          "restore it with that version or a newer one.")


def target_contents() -> list[str]:
    """What the target already holds: the database's tables, the files of the
    upload folders. Empty when a restore may go there."""
    held = []
    if connection.vendor == "sqlite":
        db = database_path()
        if db.exists() and db.stat().st_size:
            probe = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                tables = probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"The database file {db} cannot be read ({exc}): move it away first.") from None
            finally:
                probe.close()
            if tables:
                held.append(f"the database {db} has {tables} tables")
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'"
            )
            relations = cursor.fetchone()[0]
        if relations:
            name = connection.settings_dict.get("NAME")
            held.append(f"the PostgreSQL database {name} has {relations} tables, sequences or views")
    for root in file_roots().values():
        if _files_under(root):
            held.append(f"the folder {root} holds files")
    for area, storage in object_areas().items():
        try:
            dirs, files = storage.listdir("")
        except Exception as exc:  # noqa: BLE001 - said in words: the bucket is missing or refused
            raise BackupError(f"The object storage of the {area} files cannot be listed ({_one_line(exc)}): "
                              "check GONGKAI_S3_* and that the bucket exists. Nothing was restored.") from None
        if dirs or files:
            held.append(f"the object storage of the {area} files ({_location(storage)}) holds files")
    return held


def storage_errors() -> tuple[type[BaseException], ...]:
    """What reading or writing a stored file may raise besides OSError:
    object storage's (botocore's) errors."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (OSError, BotoCoreError, ClientError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _location(storage) -> str:
    bucket, prefix = getattr(storage, "bucket_name", ""), getattr(storage, "location", "")
    return f"bucket {bucket}, prefix {prefix or '(none)'}/"


# --- Restoring ---------------------------------------------------------------------------


@dataclass
class RestoreReport:
    path: Path
    manifest: dict
    files: dict[str, int] = field(default_factory=dict)
    file_bytes: int = 0
    datadir_names: list[str] = field(default_factory=list)
    kept_aside: list[str] = field(default_factory=list)
    migrated: bool = False
    mismatches: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    audit_ok: bool = False
    audit_text: str = ""
    audit_notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.mismatches

    def lines(self) -> list[str]:
        m = self.manifest
        vendor = _vendor_name(m["database"]["vendor"])
        out = [f"Restored {self.path} (written {m.get('created_at')} by Gongkai {m.get('gongkai_version')}, {vendor}):"]
        counts = "every count as in the manifest" if not self.mismatches else f"{len(self.mismatches)} counts differ from the manifest"
        out.append(f"  database: {self.tables} tables, {self.rows} rows, {counts}")
        out += [f"    {line}" for line in self.mismatches]
        if self.migrated:
            out.append("  database: migrated to this version of Gongkai")
        areas = ", ".join(f"{n} {area}" for area, n in self.files.items())
        out.append(f"  files: {areas} ({_size(self.file_bytes)})")
        out.append(f"  keys and data-folder files: {', '.join(self.datadir_names) or 'none'}")
        for line in self.kept_aside:
            out.append(f"    kept the target's own {line}")
        out.append(f"  audit log: {self.audit_text}")
        out += [f"    note: {note}" for note in self.audit_notes]
        out.append("Every check passed." if self.ok else "Some checks FAILED: see above.")
        return out


def _stage(tar: tarfile.TarFile, manifest: dict, staging: Path, progress=None) -> None:
    """Copy every member into `staging`, hashing it: any member not in the
    manifest, any hash or size that differs, any file missing refuses the
    archive (the caller removes the staging folder)."""
    expected = manifest["files"]
    total = sum(int(entry.get("size") or 0) for entry in expected.values())
    seen: set[str] = set()
    done = 0
    show = Progress(progress)
    while (member := tar.next()) is not None:  # after the manifest, in archive order
        name = member.name
        if name not in expected or name in seen or not member.isreg():
            raise BackupError(f"The archive holds {name}, which its manifest does not list: it was altered. Nothing was restored.")
        seen.add(name)
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        source = tar.extractfile(member)
        with open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[name].get("sha256") or size != expected[name].get("size"):
            raise BackupError(f"{name} in the archive does not match its SHA-256 in the manifest: the archive was "
                              "altered or damaged. Nothing was restored.")
        done += size
        show(f"checking: {len(seen)}/{len(expected)} files, {_size(done)} of {_size(total)}", final=len(seen) == len(expected))
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive lacks {missing[0]}{f' and {len(missing) - 1} more files' if len(missing) > 1 else ''} "
                          "that its manifest lists: it is incomplete. Nothing was restored.")


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        shutil.move(str(source), str(target))


def _restore_sqlite(staged: Path) -> None:
    db = database_path()
    connections.close_all()
    for companion in (db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))):
        companion.unlink(missing_ok=True)  # the target is empty (checked): at most a blank file
    _move(staged, db)


def _restore_postgresql(staged: Path, progress=None) -> None:
    """Load the SQL dump with psql in one transaction (all or nothing), fed
    through its standard input so that progress can be shown."""
    psql = _tool("psql")
    connections.close_all()
    env = postgres_environment(connection.settings_dict)
    total = staged.stat().st_size
    show = Progress(progress)
    sent = 0
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors:
        process = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--file", "-"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
        )
        try:
            with open(staged, "rb") as dump:
                while chunk := dump.read(CHUNK):
                    process.stdin.write(chunk)
                    sent += len(chunk)
                    show(f"database: loaded {_size(sent)} of {_size(total)}", final=sent == total)
            process.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        process.wait()
        errors.seek(0)
        message = errors.read()
    if process.returncode != 0:
        raise BackupError(f"psql could not load the dump (exit status {process.returncode}); the database was left "
                          f"as it was (one transaction):\n{_tail(message)}")


def _put_datadir_file(staged: Path, target: Path, report: RestoreReport) -> None:
    """Put a key or data-folder file in place. A different file already there
    is kept beside it as NAME.before-restore, never lost (an anchors file
    there may be the only record of what came after the backup), except the
    secret key the settings generated for the empty folder: it signs nothing
    that outlives an empty database (sessions, tokens)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target != key_files()["secret_key"]:
        if target.read_bytes() == staged.read_bytes():
            staged.unlink()
            return
        aside, n = target.with_name(target.name + ".before-restore"), 1
        while aside.exists():
            n += 1
            aside = target.with_name(f"{target.name}.before-restore-{n}")
        os.replace(target, aside)
        report.kept_aside.append(f"{target.name} as {aside.name}")
    _move(staged, target)
    os.chmod(target, 0o600)


def _upload(storage, name: str, staged: Path) -> None:
    """Put a checked file on object storage under its own name (the target
    was empty: a storage that would rename it has been written to meanwhile)."""
    from django.core.files import File

    with open(staged, "rb") as handle:
        saved = storage.save(name, File(handle, name=posixpath.basename(name)))
    if saved != name:
        storage.delete(saved)
        raise OSError(f"{name} was stored as {saved}: the object storage received other files during the restore")
    staged.unlink()


def _put_files(manifest: dict, staging: Path, report: RestoreReport) -> None:
    """Move the checked files from the staging folder to their places."""
    roots, remote, keys, data_dir = file_roots(), object_areas(), key_files(), Path(settings.DATA_DIR)
    for name, entry in manifest["files"].items():
        area, _, rest = name.partition("/")
        if area in roots or area in remote:
            if area in roots:
                _move(staging / name, roots[area] / rest)
            else:
                _upload(remote[area], rest, staging / name)
            report.files[area] = report.files.get(area, 0) + 1
            report.file_bytes += int(entry["size"])
        elif area in (KEYS, DATADIR):
            _put_datadir_file(staging / name, keys[rest] if area == KEYS else data_dir / rest, report)
            report.datadir_names.append(rest)
    for area in FILE_AREAS:
        report.files.setdefault(area, 0)


def count_rows(tables) -> dict[str, int | None]:
    present = set(connection.introspection.table_names())
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in present:
                found[table] = None
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            found[table] = cursor.fetchone()[0]
    return found


def _pending_migrations() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore_backup(path, *, say=print, progress=None, stdout=None, stderr=None) -> RestoreReport:
    """`gongkai restore PATH` into an empty target; see the module's text."""
    from django.core.management import call_command

    from . import audit

    path = Path(path).absolute()
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    data_dir = Path(settings.DATA_DIR).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by the `with` below
    except DAMAGED + (OSError,) as exc:
        raise BackupError(f"{path} cannot be read as an archive ({exc}): it is damaged or not a Gongkai backup.") from None

    with tar:
        try:
            manifest = read_manifest(tar, path)
        except DAMAGED as exc:
            raise BackupError(f"{path} is damaged ({exc}). Nothing was restored.") from None
        check_compatible(manifest)
        held = target_contents()
        if held:
            raise BackupError("A restore goes into an empty data folder and database only, and this target holds data: "
                              + "; ".join(held) + ". Nothing was restored. Point GONGKAI_DATA_DIR at a new folder"
                              + (" and DATABASE_URL at a new empty database (createdb)" if connection.vendor == "postgresql" else "")
                              + ", or remove the old data yourself first.")

        say(f"Checking {len(manifest['files'])} files against the manifest ...")
        try:
            staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
        except OSError as exc:
            raise BackupError(f"Could not write to the data folder {data_dir} ({exc}). Nothing was restored.") from None
        try:
            try:
                _stage(tar, manifest, staging, progress)
            except DAMAGED as exc:
                raise BackupError(f"{path} is damaged ({exc}). Nothing was restored.") from None
            except OSError as exc:
                raise BackupError(f"Could not unpack the archive into {staging} ({exc}). Nothing was restored.") from None

            # Everything checked: now the target is written, the database first
            # (the step most likely to fail, and all or nothing on its own).
            report = RestoreReport(path, manifest)
            say("Restoring the database ...")
            member = manifest["database"]["member"]
            if connection.vendor == "sqlite":
                try:
                    _restore_sqlite(staging / member)
                except OSError as exc:
                    raise BackupError(f"Could not put the database in place ({exc}). Nothing was restored.") from None
            else:
                _restore_postgresql(staging / member, progress)
            say("Restoring files ...")
            try:
                _put_files(manifest, staging, report)
            except storage_errors() as exc:
                raise BackupError(f"Restoring the files stopped ({exc}): the database is restored but not every file. "
                                  "Empty the data folder and the database, then run the restore again.") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # The checks, on the restored target.
    expected = manifest["row_counts"]
    found = count_rows(sorted(expected))
    for table, n in sorted(expected.items()):
        if found.get(table) != n:
            now = "missing" if found.get(table) is None else f"{found[table]} rows"
            report.mismatches.append(f"{table}: {now}, the manifest says {n}")
    report.tables, report.rows = len(found), sum(n or 0 for n in found.values())

    if _pending_migrations():
        say("Migrating the database to this version of Gongkai ...")
        call_command("migrate", interactive=False, verbosity=1, stdout=stdout, stderr=stderr)
        report.migrated = True

    say("Rebuilding the full-text index and the facet counts ...")
    call_command("reindex", stdout=stdout, stderr=stderr)

    say("Verifying the audit log ...")
    show = Progress(progress)
    verdict = audit.verify(progress=lambda done, total: show(f"audit log: checked {done}/{total} entries"))
    report.audit_ok = verdict.ok
    report.audit_text = (f"whole, {verdict.checked} entries checked" if verdict.ok
                         else f"BROKEN: {verdict.reason} ({verdict.checked} entries before it are intact)")
    report.audit_notes = list(getattr(verdict, "notes", None) or [])
    return report
