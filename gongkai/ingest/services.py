"""Import saved government pages into the catalog.

Each page is read (decode), understood (extract) and written through the
catalog services in its own transaction: a page that fails leaves nothing
behind and the batch goes on. Re-importing a page whose content is already in
the catalog changes nothing (content hash).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, Genre, Relation, Topic
from gongkai.core import docnumber
from gongkai.core.models import Organisation

from gongkai.core import db
from gongkai.core.decode import DecodeError, decode
from .extract import ExtractedPage, extract

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".txt"}
MAX_PAGE_BYTES = 20 * 1024 * 1024

CREATED, UNCHANGED, FAILED = "created", "unchanged", "failed"

# The extracted fields of a page in the JSON report (issue 2), then what the import did.
PAGE_FIELDS = (
    "title", "organisation", "document_number", "document_numbers", "written_date", "published_date",
    "index_number", "topic", "genre", "citations", "body_chars",
)
EMPTY_FIELDS = {"document_numbers": [], "citations": [], "body_chars": 0, "written_date": None, "published_date": None}

VALIDITY_WORDS = {
    "有效": Document.Validity.VALID,
    "现行有效": Document.Validity.VALID,
    "失效": Document.Validity.EXPIRED,
    "已失效": Document.Validity.EXPIRED,
    "废止": Document.Validity.ABOLISHED,
    "已废止": Document.Validity.ABOLISHED,
    "修订": Document.Validity.AMENDED,
    "已修订": Document.Validity.AMENDED,
    "已修改": Document.Validity.AMENDED,
}


class ImportError_(Exception):
    """A page that cannot be imported; the message names the reason in plain words."""


@dataclass
class PageResult:
    path: str
    status: str
    page: ExtractedPage | None = None
    document_id: int | None = None
    index_number: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        """The page as `gongkai import --json` prints it: PAGE_FIELDS, then missing, status, path, error."""
        fields = self.page.as_dict() if self.page else {}
        row = {name: fields.get(name, EMPTY_FIELDS.get(name, "")) for name in PAGE_FIELDS}
        row["index_number"] = self.index_number or row["index_number"]
        row.update(missing=list(self.page.missing) if self.page else [], status=self.status, path=self.path, error=self.error)
        return row


@dataclass
class ImportReport:
    results: list[PageResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == FAILED for r in self.results)

    def summary(self) -> str:
        return (
            f"{len(self.results)} page(s): {self.count(CREATED)} created, "
            f"{self.count(UNCHANGED)} unchanged (already in the catalog), {self.count(FAILED)} failed"
        )


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders walked recursively for page files (sorted, stable)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES))
        else:
            found.append(path)
    return found


def find_organisation(text: str) -> Organisation | None:
    """An organisation by id, index prefix, issuer code, name or short name;
    None when nothing matches. Raises ImportError_ when several do."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        org = Organisation.objects.filter(pk=int(text)).first()
        if org:
            return org
    for lookup in ("index_prefix", "name", "short_name", "issuer_code"):
        matches = list(Organisation.objects.filter(**{lookup: text})[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = "、".join(o.name for o in matches)
            raise ImportError_(f"'{text}' matches more than one organisation ({names}); use its id or index prefix")
    return None


def _organisation_for(page: ExtractedPage, given: Organisation | None) -> Organisation:
    if given is not None:
        return given
    candidates = [page.organisation]
    if page.index_number and "/" in page.index_number:
        candidates.insert(0, page.index_number.split("/", 1)[0])
    number = docnumber.parse(page.document_number) if page.document_number else None
    for candidate in candidates:
        try:
            org = find_organisation(candidate)
        except ImportError_:
            org = None
        if org:
            return org
    if number and number.issuer_code:
        # 黔江府办发 belongs to the office whose issuer code starts it (黔江府发, 黔江府办发...).
        orgs = list(Organisation.objects.filter(issuer_code=number.issuer_code)[:2])
        if len(orgs) == 1:
            return orgs[0]
    if page.organisation:
        orgs = list(Organisation.objects.filter(Q(name__contains=page.organisation) | Q(short_name=page.organisation))[:2])
        if len(orgs) == 1:
            return orgs[0]
    said = page.organisation or "(none found)"
    raise ImportError_(f"no organisation in the catalog matches the page's issuer {said}; pass --org")


def _topic(name: str) -> Topic | None:
    if not name:
        return None
    top = Topic.objects.filter(parent=None, name=name).first()
    if top:
        return top
    matches = list(Topic.objects.filter(name=name)[:2])
    return matches[0] if len(matches) == 1 else None


def _genre(name: str) -> Genre | None:
    return Genre.objects.filter(name=name).first() if name else None


def _validity(word: str) -> str:
    return VALIDITY_WORDS.get((word or "").strip(), Document.Validity.VALID)


def _fingerprint(page: ExtractedPage) -> str:
    return catalog.content_hash(page.title, page.document_number, page.body_text)


def read_page(path: Path) -> str:
    """The text of a saved page; ImportError_ says in plain words why it cannot be read."""
    if not path.exists():
        raise ImportError_("no such file")
    if not path.is_file():
        raise ImportError_("not a file")
    size = path.stat().st_size
    if size == 0:
        raise ImportError_("the file is empty")
    if size > MAX_PAGE_BYTES:
        raise ImportError_(f"the file is larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"cannot read the file ({exc.strerror})") from exc
    try:
        text, _encoding = decode(data)
    except DecodeError as exc:
        raise ImportError_(str(exc)) from exc
    if not text.strip():
        raise ImportError_("the file holds no text")
    return text


@transaction.atomic
def _create(page: ExtractedPage, organisation: Organisation, path: Path, fingerprint: str) -> Document:
    topic, genre = _topic(page.topic), _genre(page.genre)
    if page.topic and topic is None:
        page.notes.append(f"topic '{page.topic}' is not in the vocabulary")
        page.missing.append("topic")
    if page.genre and genre is None:
        page.notes.append(f"genre '{page.genre}' is not in the vocabulary")
        page.missing.append("genre")
    published = page.published_date or page.written_date or dt.date.today()
    doc = catalog.create_document(
        organisation=organisation,
        title=page.title[:300],
        document_number=page.document_number,
        body_text=page.body_text,
        topic=topic,
        genre=genre,
        written_date=page.written_date,
        published_date=published,
        validity=_validity(page.validity),
        effective_date=page.effective_date,
        expiry_date=page.expiry_date,
        keywords=page.keywords[:200],
        source_url=page.source_url[:500],
        source_path=str(path)[:500],
        content_hash=fingerprint,
    )
    if page.index_number:
        doc = catalog.adopt_index_number(doc, page.index_number)
    doc = catalog.publish_document(doc)
    for cited in page.forwards:
        catalog.add_relation(doc, Relation.Kind.FORWARDS, title=cited.title, document_number=cited.document_number)
    for cited in page.citations:
        catalog.add_relation(doc, Relation.Kind.CITES, title=cited.title, document_number=cited.document_number)
    catalog.link_relations(doc)
    return doc


def import_page(path: Path, organisation: Organisation | None = None) -> PageResult:
    try:
        text = read_page(path)
        page = extract(text)
    except ImportError_ as exc:
        return PageResult(str(path), FAILED, error=str(exc))
    if not page.title:
        return PageResult(str(path), FAILED, page=page, error="no title found: this does not look like a government page")
    fingerprint = _fingerprint(page)
    existing = Document.objects.filter(content_hash=fingerprint).first()
    if existing:
        return PageResult(str(path), UNCHANGED, page, existing.pk, existing.index_number or "")
    try:
        org = _organisation_for(page, organisation)
        doc = _create(page, org, path, fingerprint)
    except ImportError_ as exc:
        return PageResult(str(path), FAILED, page=page, error=str(exc))
    except ValidationError as exc:
        return PageResult(str(path), FAILED, page=page, error="; ".join(exc.messages))
    return PageResult(str(path), CREATED, page, doc.pk, doc.index_number or "")


def import_paths(
    paths: Iterable[str | Path],
    *,
    organisation: Organisation | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportReport:
    """Import every page under `paths`; `progress(done, total, path)` follows along."""
    files = expand_paths(paths)
    report = ImportReport()
    for done, path in enumerate(files, start=1):
        report.results.append(import_page(path, organisation))
        if progress:
            progress(done, len(files), str(path))
    if len(files) >= db.ANALYZE_AFTER_ROWS:
        db.refresh_statistics()
    return report
