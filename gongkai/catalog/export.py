"""The public catalog as bulk files (open data): one JSON Lines file and one
CSV file per organisation and year of publication, and a manifest
(manifest.json: what each file holds, its size and SHA-256, the fields),
regenerated nightly by a background job (gongkai.catalog.tasks) and by
`gongkai export`.

Only public documents (published, proactively disclosed:
`selectors.public_documents`) are written, with the fields of the public
API. The files go to Django's storage (a local folder or object storage)
under a new folder per run, `opendata/<run>/`; the manifest at
`opendata/manifest.json` is replaced last, so a reader always finds a
complete set, and the run before the last is removed. The same writer
fills a local folder for `gongkai export --out DIR`.

A million documents are read in one ordered pass in chunks
(`QuerySet.iterator`), written to one open pair of files at a time: memory
stays flat whatever the catalog's size."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from .models import Document
from .selectors import public_documents

PREFIX = "opendata"
MANIFEST = f"{PREFIX}/manifest.json"

# (field, description): the columns of the CSV and the keys of each JSON line,
# in this order. body_text is in the JSON lines only (a CSV cell is no place
# for a whole document).
FIELDS = [
    ("id", "编号"), ("index_number", "索引号"), ("title", "标题"), ("document_number", "发文字号"),
    ("organisation_id", "发布机构编号"), ("organisation", "发布机构"), ("topic", "主题分类"), ("genre", "体裁分类"),
    ("written_date", "成文日期"), ("published_date", "发布日期"), ("validity", "有效性"),
    ("effective_date", "施行日期"), ("expiry_date", "失效/废止日期"), ("keywords", "关键词"),
    ("summary", "内容概述"), ("url", "网址"),
]
JSON_ONLY = [("body_text", "正文（纯文本）")]
CHUNK = 2000


@dataclass
class FileSet:
    organisation_id: int
    organisation: str
    year: int | None
    documents: int = 0
    files: dict = field(default_factory=dict)  # format -> {"path", "bytes", "sha256"}


def _year(row: dict) -> int | None:
    day = row["published_date"] or row["written_date"]
    return day.year if day else None


def _rows(organisation_ids: set[int] | None, year: int | None):
    qs = public_documents()
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    if year is not None:
        qs = qs.filter(published_date__year=year)
    values = qs.order_by("organisation_id", "published_date", "id").values(
        "id", "index_number", "title", "document_number", "organisation_id", "organisation__name", "topic__name",
        "genre__name", "written_date", "published_date", "validity", "effective_date", "expiry_date", "keywords",
        "summary", "body_text")
    labels = dict(Document.Validity.choices)
    for row in values.iterator(chunk_size=CHUNK):
        doc = Document(pk=row["id"], index_number=row["index_number"])
        yield {
            "id": row["id"], "index_number": row["index_number"] or "", "title": row["title"],
            "document_number": row["document_number"], "organisation_id": row["organisation_id"],
            "organisation": row["organisation__name"], "topic": row["topic__name"] or "",
            "genre": row["genre__name"] or "", "written_date": row["written_date"],
            "published_date": row["published_date"], "validity": labels.get(row["validity"], ""),
            "effective_date": row["effective_date"], "expiry_date": row["expiry_date"],
            "keywords": row["keywords"], "summary": row["summary"], "url": doc.get_absolute_url(),
            "body_text": row["body_text"],
        }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Writer:
    """One organisation-year's pair of files in a temporary folder."""

    def __init__(self, folder: Path, fileset: FileSet):
        self.fileset = fileset
        stem = f"{fileset.organisation_id}/{fileset.year or 'undated'}"
        self.names = {"jsonl": f"{stem}.jsonl", "csv": f"{stem}.csv"}
        self.paths = {fmt: folder / name for fmt, name in self.names.items()}
        self.paths["jsonl"].parent.mkdir(parents=True, exist_ok=True)
        self.jsonl = open(self.paths["jsonl"], "w", encoding="utf-8", newline="\n")
        # UTF-8 with a byte-order mark: spreadsheet programs then read Chinese right.
        self.csv_file = open(self.paths["csv"], "w", encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.csv_file)
        self.csv.writerow([name for name, _ in FIELDS])

    def write(self, row: dict) -> None:
        self.jsonl.write(json.dumps({name: _text(row[name]) if name not in ("id", "organisation_id") else row[name]
                                     for name, _ in FIELDS + JSON_ONLY}, ensure_ascii=False) + "\n")
        self.csv.writerow([_text(row[name]) for name, _ in FIELDS])
        self.fileset.documents += 1

    def close(self) -> None:
        self.jsonl.close()
        self.csv_file.close()


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def write_files(folder: Path, *, organisation_ids: set[int] | None = None, year: int | None = None,
                progress: Callable[[int], None] | None = None) -> list[FileSet]:
    """Write the files into `folder`; return what was written, in order."""
    sets: list[FileSet] = []
    writer: _Writer | None = None
    count = 0
    try:
        for row in _rows(organisation_ids, year):
            key = (row["organisation_id"], _year(row))
            if writer is None or (writer.fileset.organisation_id, writer.fileset.year) != key:
                if writer is not None:
                    writer.close()
                writer = _Writer(folder, FileSet(row["organisation_id"], row["organisation"], key[1]))
                sets.append(writer.fileset)
            writer.write(row)
            count += 1
            if progress and count % CHUNK == 0:
                progress(count)
    finally:
        if writer is not None:
            writer.close()
    if progress:
        progress(count)
    return sets


def _manifest(sets: list[FileSet], generated_at: dt.datetime, base: str) -> dict:
    return {
        "generated_at": generated_at.isoformat(),
        "documents": sum(s.documents for s in sets),
        "description": "政府信息公开目录中主动公开的政府信息，按发布机构和发布年份分文件；JSON Lines 每行一件，CSV 为 UTF-8（带BOM）。",
        "fields": [{"name": name, "label": label, "formats": ["jsonl", "csv"]} for name, label in FIELDS]
        + [{"name": name, "label": label, "formats": ["jsonl"]} for name, label in JSON_ONLY],
        "files": [{"organisation_id": s.organisation_id, "organisation": s.organisation, "year": s.year,
                   "documents": s.documents,
                   "files": {fmt: {**info, "path": f"{base}{info['path']}"} for fmt, info in s.files.items()}}
                  for s in sets],
    }


def _describe(folder: Path, sets: list[FileSet]) -> None:
    for fileset in sets:
        stem = f"{fileset.organisation_id}/{fileset.year or 'undated'}"
        for fmt in ("jsonl", "csv"):
            path = folder / f"{stem}.{fmt}"
            fileset.files[fmt] = {"path": f"{stem}.{fmt}", "bytes": path.stat().st_size, "sha256": _digest(path)}


def export_to_folder(out: Path, *, organisation_ids: set[int] | None = None, year: int | None = None,
                     progress: Callable[[int], None] | None = None, now: dt.datetime | None = None) -> dict:
    """`gongkai export --out DIR`: the files and manifest.json in a local folder."""
    out.mkdir(parents=True, exist_ok=True)
    sets = write_files(out, organisation_ids=organisation_ids, year=year, progress=progress)
    _describe(out, sets)
    manifest = _manifest(sets, now or timezone.now(), "")
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def publish(storage: Storage | None = None, *, progress: Callable[[int], None] | None = None,
            now: dt.datetime | None = None) -> dict:
    """Regenerate the published bulk files in storage (see the module)."""
    storage = storage or default_storage
    now = now or timezone.now()
    run = now.strftime("%Y%m%dT%H%M%S%f")
    base = f"{PREFIX}/{run}/"
    with tempfile.TemporaryDirectory(prefix="gongkai-export-") as tmp:
        folder = Path(tmp)
        sets = write_files(folder, progress=progress)
        _describe(folder, sets)
        for fileset in sets:
            for info in fileset.files.values():
                with open(folder / info["path"], "rb") as handle:
                    storage.save(f"{base}{info['path']}", File(handle))
    manifest = _manifest(sets, now, base)
    previous = current_manifest(storage)
    if storage.exists(MANIFEST):
        storage.delete(MANIFEST)
    storage.save(MANIFEST, File(io.BytesIO(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))))
    _prune(storage, keep={run, _run_of(previous)})
    return manifest


def _run_of(manifest: dict | None) -> str | None:
    for entry in (manifest or {}).get("files", []):
        for info in entry["files"].values():
            return info["path"].split("/")[1]
    return None


def _prune(storage: Storage, keep: set) -> None:
    """Remove the runs before the last two (a reader of the previous manifest
    may still be downloading)."""
    try:
        runs, _ = storage.listdir(PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return
    for run in runs:
        if run not in keep:
            _remove_tree(storage, f"{PREFIX}/{run}")


def _remove_tree(storage: Storage, path: str) -> None:
    folders, files = storage.listdir(path)
    for name in files:
        storage.delete(f"{path}/{name}")
    for name in folders:
        _remove_tree(storage, f"{path}/{name}")
    try:  # a local folder stays behind empty; object storage has no folders
        os.rmdir(storage.path(path))
    except (NotImplementedError, OSError):
        pass


def current_manifest(storage: Storage | None = None) -> dict | None:
    storage = storage or default_storage
    if not storage.exists(MANIFEST):
        return None
    with storage.open(MANIFEST, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def published_path(manifest: dict, path: str) -> dict | None:
    """The file entry of `path` if the manifest lists it (only listed files
    are served)."""
    for entry in manifest.get("files", []):
        for fmt, info in entry["files"].items():
            if info["path"] == path:
                return {"format": fmt, **info}
    return None
