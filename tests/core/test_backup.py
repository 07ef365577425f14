"""`gongkai backup` and `gongkai restore` in real processes, on the database
the suite runs on (SQLite, or PostgreSQL with GONGKAI_TEST_DATABASE_URL).

A data folder (and on PostgreSQL a database of its own) is migrated and
filled through the services by a child process, backed up, and restored
into a fresh folder and database. The oracle is the same list of facts read
from both sides: every document's page and title, every file's bytes, a
search hit, the audit chain's verdict. Tampered archives and targets that
hold data are refused before anything is written."""

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("GONGKAI_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = PG_URL.startswith(("postgres://", "postgresql://"))
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"

DOCUMENTS = [
    ("西昌市关于推进生活垃圾分类工作的实施方案", "全市推行生活垃圾分类，分为可回收物、有害垃圾、厨余垃圾和其他垃圾。"),
    ("西昌市2024年政务公开工作要点", "深入推进决策、执行、管理、服务、结果公开。"),
    ("关于做好2024年春季森林草原防灭火工作的通知", "各乡镇要落实防火责任，严防森林草原火灾。"),
]
DRAFT_TITLE = "西昌市城区停车收费管理办法（征求意见稿）"
SEARCH_WORD = "垃圾分类"
PERSON = {
    "applicant_type": "natural", "applicant_name": "王小明", "id_document": "居民身份证 513401199001011234",
    "phone": "13812345678", "email": "wxm@example.com", "address": "四川省西昌市胜利路1号",
    "info_title": "2024年西昌市城区道路改造项目批准文件", "info_number": "", "info_description": "",
    "form": "electronic", "delivery": "email",
}


# --- Run in the child processes (django.setup() done by the caller) -------------------------


def build_state():
    """A realistic installation, through the services: documents with
    attachments published, a draft, an application with a private file,
    and the audit entries all of that writes."""
    from django.contrib.auth.models import User
    from django.core.files.base import ContentFile

    from gongkai.applications import services as applications
    from gongkai.applications.models import ApplicationFile
    from gongkai.catalog import services as catalog
    from gongkai.core.models import Membership, Organisation
    from gongkai.publishing import services as publishing

    county = Organisation.objects.create(name="西昌市人民政府", short_name="西昌市", issuer_code="西府发", level="county",
                                         index_prefix="115134010087654321")
    drafter = User.objects.create_user("drafter", password="correct-horse-battery-9")
    Membership.objects.create(user=drafter, organisation=county, role="drafter")
    for n, (title, body) in enumerate(DOCUMENTS, 1):
        doc = catalog.create_document(organisation=county, title=title, body_text=body,
                                      document_number=f"西府发〔2024〕{n}号", published_date=dt.date(2024, 3, n))
        publishing.add_attachment(doc, ContentFile(PDF + title.encode(), name=f"附件{n}.pdf"), user=drafter)
        catalog.publish_document(doc)
    draft = catalog.create_document(organisation=county, title=DRAFT_TITLE, body_text="草稿正文。")
    publishing.add_attachment(draft, ContentFile(b"draft attachment\n", name="草稿说明.txt"), user=drafter)
    application, _code = applications.submit_online(county, PERSON)
    ApplicationFile.objects.create(application=application, role=ApplicationFile.Role.FROM_APPLICANT,
                                   name="身份证.pdf", file=ContentFile(PDF + b"id card", name="身份证.pdf"))
    from gongkai.core import audit

    if hasattr(audit, "anchor"):  # the log's head written outside the database
        audit.anchor()


def collect_facts():
    """What a restore must give back, printed as one JSON line."""
    from django.test import Client

    from gongkai.applications.models import Application, ApplicationFile
    from gongkai.catalog.models import Attachment, Document
    from gongkai.core import audit
    from gongkai.search.services import search

    client = Client()
    documents, pages = [], {}
    for doc in Document.objects.order_by("id"):
        documents.append([doc.index_number, doc.title, doc.status])
        if doc.status == Document.Status.PUBLISHED:
            response = client.get(f"/doc/{doc.index_number}/")
            pages[doc.index_number] = [response.status_code, doc.title in response.content.decode("utf-8")]
    files = {}
    for item in [*Attachment.objects.order_by("id"), *ApplicationFile.objects.order_by("id")]:
        with item.file.open("rb") as handle:
            files[item.file.name] = hashlib.sha256(handle.read()).hexdigest()
    verdict = audit.verify()
    facts = {
        "documents": documents,
        "pages": pages,
        "files": files,
        "media_files": sorted(a.file.name for a in Attachment.objects.all()),
        "private_files": sorted(f.file.name for f in ApplicationFile.objects.all()),
        "search": [hit.document.title for hit in search(SEARCH_WORD).hits],
        "applications": list(Application.objects.values_list("info_title", flat=True)),
        "audit": [verdict.ok, verdict.checked],
    }
    print("FACTS " + json.dumps(facts, ensure_ascii=False))


# --- Targets: a data folder and, on PostgreSQL, a database of its own ------------------------


def _database_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Target:
    data_dir: Path
    database: str = ""  # the PostgreSQL database's name

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "DATABASE_URL", "DJANGO_"))}
        env.update(GONGKAI_DATA_DIR=str(self.data_dir), DJANGO_SETTINGS_MODULE="gongkai.settings",
                   PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
        env.pop("DEBUG", None)
        if self.database:
            env["DATABASE_URL"] = _database_url(self.database)
        return env

    def gongkai(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "gongkai", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, encoding="utf-8", timeout=900, check=False)

    def python(self, function: str) -> subprocess.CompletedProcess:
        code = f"import django; django.setup(); import tests.core.test_backup as t; t.{function}()"
        result = subprocess.run([sys.executable, "-c", code], env=self.env, cwd=REPO, capture_output=True,
                                text=True, encoding="utf-8", timeout=900, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def facts(self) -> dict:
        line = [ln for ln in self.python("collect_facts").stdout.splitlines() if ln.startswith("FACTS ")][-1]
        return json.loads(line[len("FACTS "):])

    def database_is_empty(self) -> bool:
        if self.database:
            import psycopg

            with psycopg.connect(_database_url(self.database)) as conn:
                n = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                                 "WHERE s.nspname = 'public'").fetchone()[0]
            return n == 0
        db = self.data_dir / "gongkai.sqlite3"
        if not db.exists():
            return True
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0

    def files(self) -> list[str]:
        return sorted(str(p.relative_to(self.data_dir)) for area in ("media", "private")
                      for p in (self.data_dir / area).rglob("*") if p.is_file())


def _new_target(folder: Path, role: str) -> Target:
    target = Target(folder)
    if ON_POSTGRES:
        prefix = os.environ.get("GONGKAI_TEST_DB_NAME", "gongkai").lower()
        target.database = f"{prefix}_{role}_{uuid.uuid4().hex[:8]}"
        _admin(f'CREATE DATABASE "{target.database}"')
    return target


def _drop(target: Target) -> None:
    if target.database:
        _admin(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A migrated, filled installation, its facts and its backup archive."""
    target = _new_target(tmp_path_factory.mktemp("source"), "src")
    try:
        migrated = target.gongkai("migrate", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
        target.python("build_state")
        target.facts_before = target.facts()
        target.archive = tmp_path_factory.mktemp("archives") / "gongkai-backup.tar.gz"
        target.backup = target.gongkai("backup", str(target.archive))
        assert target.backup.returncode == 0, target.backup.stdout + target.backup.stderr
        yield target
    finally:
        _drop(target)


@pytest.fixture
def fresh(tmp_path):
    """An empty data folder (and an empty PostgreSQL database)."""
    target = _new_target(tmp_path / "restored", "dst")
    yield target
    _drop(target)


def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:*") as tar:
        return [(m, tar.extractfile(m).read()) for m in tar]


def _write(archive: Path, members) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


# --- The tests ---------------------------------------------------------------------------


def test_the_archive_holds_database_files_keys_and_a_manifest_of_them(source):
    facts = source.facts_before
    assert len(facts["pages"]) == len(DOCUMENTS) and facts["audit"][0] and facts["audit"][1] > len(DOCUMENTS)
    assert facts["media_files"] and facts["private_files"]
    assert "Wrote" in source.backup.stdout and "database" in source.backup.stderr  # summary, progress
    members = _members(source.archive)
    assert members[0][0].name == "manifest.json"
    manifest = json.loads(members[0][1])
    assert manifest["format"] == "gongkai-backup" and manifest["format_version"] == 1
    import gongkai

    assert manifest["gongkai_version"] == gongkai.__version__
    vendor = "postgresql" if ON_POSTGRES else "sqlite"
    assert manifest["database"]["vendor"] == vendor
    assert manifest["database"]["member"] == ("database/gongkai.sql" if ON_POSTGRES else "database/gongkai.sqlite3")
    assert "0001_initial" in manifest["migrations"]["catalog"]
    assert manifest["row_counts"]["catalog_document"] == len(DOCUMENTS) + 1
    assert manifest["row_counts"]["catalog_attachment"] == len(DOCUMENTS) + 1
    assert manifest["row_counts"]["applications_applicationfile"] == 1
    assert manifest["row_counts"]["core_auditentry"] == facts["audit"][1]
    # Every member is in the manifest with its hash and size, and nothing else is.
    stored = {info.name: data for info, data in members[1:]}
    assert set(stored) == set(manifest["files"])
    for name, data in stored.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert {f"media/{n}" for n in facts["media_files"]} | {f"private/{n}" for n in facts["private_files"]} <= set(stored)
    for name in ("secret_key", "audit_key", "audit-anchors.jsonl"):
        if (source.data_dir / name).exists():
            assert stored[f"keys/{name}"] == (source.data_dir / name).read_bytes()
    assert "keys/secret_key" in stored
    assert not any(name.startswith("datadir/") and name.endswith(".sqlite3") for name in stored)
    assert oct(source.archive.stat().st_mode & 0o777) == "0o600"
    assert not [p for p in source.archive.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_restore_into_a_fresh_target_gives_everything_back(source, fresh):
    restored = fresh.gongkai("restore", str(source.archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "every count as in the manifest" in restored.stdout and "Every check passed." in restored.stdout
    assert "audit log: whole" in restored.stdout

    before, after = source.facts_before, fresh.facts()
    assert after == before
    assert all(status == 200 and title_shown for status, title_shown in after["pages"].values())
    assert [title for title, _ in DOCUMENTS if SEARCH_WORD in title] == after["search"]
    assert DRAFT_TITLE in [title for _, title, _ in after["documents"]]
    assert after["audit"][0] is True
    # The bytes on disk, the keys, and nothing left of the staging folder.
    for name in after["private_files"]:
        assert (fresh.data_dir / "private" / name).read_bytes() == (source.data_dir / "private" / name).read_bytes()
    for name in after["media_files"]:
        assert (fresh.data_dir / "media" / name).read_bytes() == (source.data_dir / "media" / name).read_bytes()
    for name in ("secret_key", "audit_key", "audit-anchors.jsonl"):
        if (source.data_dir / name).exists():
            assert (fresh.data_dir / name).read_bytes() == (source.data_dir / name).read_bytes()
    # The secret key the settings generated for the empty folder is simply replaced.
    assert not list(fresh.data_dir.glob("*.before-restore"))
    assert not [p for p in fresh.data_dir.iterdir() if p.name.startswith(".restore-")]


def test_a_tampered_archive_is_refused_before_anything_is_written(source, fresh, tmp_path):
    members = _members(source.archive)
    victim = next(i for i, (info, _) in enumerate(members) if info.name.startswith("media/"))
    info, data = members[victim]
    members[victim] = (info, data[:100] + bytes([data[100] ^ 1]) + data[101:])  # one byte, same size
    tampered = tmp_path / "tampered.tar.gz"
    _write(tampered, members)

    refused = fresh.gongkai("restore", str(tampered))
    assert refused.returncode == 1
    assert f"{info.name} in the archive does not match its SHA-256 in the manifest" in refused.stderr
    assert "Nothing was restored" in refused.stderr
    assert fresh.database_is_empty() and fresh.files() == []
    assert not [p for p in fresh.data_dir.iterdir() if p.name.startswith(".restore-")]

    # A byte flipped in the compressed file itself: damaged, refused the same way.
    raw = bytearray(source.archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(raw))
    refused = fresh.gongkai("restore", str(damaged))
    assert refused.returncode == 1 and "Nothing was restored" in refused.stderr, refused.stderr
    assert fresh.database_is_empty() and fresh.files() == []

    # A file the manifest does not list, and one it lists missing.
    extra = tmp_path / "extra.tar.gz"
    _write(extra, [*_members(source.archive), (tarfile.TarInfo("media/extra.pdf"), PDF)])
    refused = fresh.gongkai("restore", str(extra))
    assert refused.returncode == 1 and "does not list" in refused.stderr
    short = tmp_path / "short.tar.gz"
    _write(short, [m for i, m in enumerate(_members(source.archive)) if i != victim])
    refused = fresh.gongkai("restore", str(short))
    assert refused.returncode == 1 and "lacks" in refused.stderr
    assert fresh.database_is_empty() and fresh.files() == []


def test_counts_that_differ_from_the_manifest_fail_the_restore(source, fresh, tmp_path):
    members = _members(source.archive)
    manifest = json.loads(members[0][1])
    manifest["row_counts"]["catalog_document"] += 1
    members[0] = (members[0][0], json.dumps(manifest).encode())
    edited = tmp_path / "edited.tar.gz"
    _write(edited, members)
    restored = fresh.gongkai("restore", str(edited))
    assert restored.returncode == 1
    documents = len(DOCUMENTS) + 1
    assert f"catalog_document: {documents} rows, the manifest says {documents + 1}" in restored.stdout
    assert "Some checks FAILED" in restored.stdout


def test_restore_into_a_target_holding_data_is_refused(source, fresh):
    refused = source.gongkai("restore", str(source.archive))
    assert refused.returncode == 1
    assert "holds data" in refused.stderr and "Nothing was restored" in refused.stderr
    assert source.facts() == source.facts_before

    # An empty database, but uploaded files already in the folder.
    (fresh.data_dir / "media" / "old").mkdir(parents=True)
    (fresh.data_dir / "media" / "old" / "kept.pdf").write_bytes(PDF)
    refused = fresh.gongkai("restore", str(source.archive))
    assert refused.returncode == 1 and "media holds files" in refused.stderr
    assert fresh.database_is_empty() and fresh.files() == ["media/old/kept.pdf"]


def test_backup_never_overwrites_unless_forced(source, tmp_path):
    path = tmp_path / "existing.tar.gz"
    path.write_bytes(b"an older archive")
    refused = source.gongkai("backup", str(path))
    assert refused.returncode == 1 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert path.read_bytes() == b"an older archive"
    replaced = source.gongkai("backup", str(path), "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert _members(path)[0][0].name == "manifest.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.tar.gz"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_a_postgresql_archive_is_not_restored_into_sqlite(source, tmp_path):
    sqlite_target = Target(tmp_path / "sqlite")
    refused = sqlite_target.gongkai("restore", str(source.archive))
    assert refused.returncode == 1 and "PostgreSQL" in refused.stderr
    assert sqlite_target.database_is_empty() and sqlite_target.files() == []


# --- Pieces without a database --------------------------------------------------------------


def test_a_sqlite_archive_into_postgresql_is_refused_in_plain_words(monkeypatch):
    from django.db import connection

    from gongkai.core import backup

    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(backup.BackupError, match="SQLite backup into PostgreSQL is not supported"):
        backup.check_compatible({"database": {"vendor": "sqlite"}, "migrations": {}})


def test_a_manifest_naming_a_path_outside_the_target_is_refused(tmp_path):
    from gongkai.core import backup

    manifest = {"format": "gongkai-backup", "format_version": 1, "row_counts": {},
                "database": {"vendor": "sqlite", "member": "database/gongkai.sqlite3"},
                "files": {"database/gongkai.sqlite3": {"sha256": "", "size": 0},
                          "media/../../secret_key": {"sha256": "", "size": 0}}}
    archive = tmp_path / "evil.tar.gz"
    _write(archive, [(tarfile.TarInfo("manifest.json"), json.dumps(manifest).encode())])
    with tarfile.open(archive) as tar, pytest.raises(backup.BackupError, match="outside the places"):
        backup.read_manifest(tar, archive)
    newer = {**manifest, "format_version": 99}
    _write(archive, [(tarfile.TarInfo("manifest.json"), json.dumps(newer).encode())])
    with tarfile.open(archive) as tar, pytest.raises(backup.BackupError, match="upgrade Gongkai"):
        backup.read_manifest(tar, archive)
    _write(archive, [(tarfile.TarInfo("notes.txt"), b"a tar file, but not a backup")])
    with tarfile.open(archive) as tar, pytest.raises(backup.BackupError, match="not a Gongkai backup"):
        backup.read_manifest(tar, archive)


def test_an_archive_is_whole_or_absent(tmp_path):
    """A file that changes between hashing and writing stops the backup: no
    archive at PATH, no temporary file beside it."""
    from gongkai.core import backup

    good, changing = tmp_path / "a.pdf", tmp_path / "b.pdf"
    good.write_bytes(PDF)
    changing.write_bytes(PDF)
    members = [backup.Member("media/a.pdf", good), backup.Member("media/b.pdf", changing)]
    for member in members:
        member.sha256, member.size = backup._sha256_file(member.path)
    changing.write_bytes(PDF[:-1] + b"X")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(backup.BackupError, match="changed while the backup was written"):
        backup.write_archive(out / "backup.tar.gz", {"format": "gongkai-backup"}, members)
    assert list(out.iterdir()) == []
