"""Import saved government pages into the catalog.

Each page is read (decode), understood (extract) and checked before anything
is written:

- the privacy scan (gongkai.publishing.privacy) over its title and body, and
  the website monitor's tamper checks (gongkai.monitor.checks: injected spam,
  black-hat SEO rewrites) over the same text. A page with findings is
  imported but HELD: it enters the publishing workflow's review (status
  review, level 1, as if its drafter had submitted it), with its personal
  data stored as the workflow's privacy findings and every finding named in
  the review step's comment, so that it shows on the office's workbench and
  goes through the normal review (mask, correct, return or stop). A clean
  page is published at once, as before.
- its issuer is found in the catalog, or (`create_orgs=True`) created from
  the page's 发布机构/发文机关 with the unified social credit code of its
  索引号 as index prefix when the prefix is one.

Pages are read and checked in worker processes (one batch ahead), with
everything about them that needs no database: the body as stored, its
segmentation for the search index, the documents it cites (at most
MAX_RELATIONS_PER_PAGE of them: the others are named in a warning on the
page's result, never dropped silently). They are written in transactions of
at most BATCH_PAGES pages and BATCH_ROWS rows (as `_planned_rows` counts),
so that no import holds SQLite's one write lock for long: a public
application or a staff login waiting for it waits a fraction of a second,
not a minute. Each transaction runs in two passes: first every check that
can refuse a page (with one bulk read per transaction of what is already
there: content fingerprints, document numbers, index numbers, the documents
cited), then the writes of the pages accepted: their index numbers reserved
per organisation and year, the documents and their relations in bulk
inserts, the older citations of their numbers pointed at them, ONE audit
entry per page listing its relations. A refused page is simply left out;
should a write still fail, the transaction is rolled back and its pages are
imported again one by one, each in a transaction of its own: a page that
fails never leaves anything behind, and the others go on. Re-importing a
page whose content is already in the catalog changes nothing (content hash).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import html
import logging
import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from gongkai.catalog import counts
from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, Genre, IndexNumberCounter, Relation, Topic
from gongkai.core import audit, creditcode, db, docnumber, generation
from gongkai.core.decode import DecodeError, decode
from gongkai.core.models import Organisation

# The monitor's checks are pure functions (no database): the importer runs
# the same spam and SEO-rewrite checks on a page's text as the crawler does on
# a live page.
from gongkai.monitor import checks as tamper
from gongkai.publishing import findings as privacy_findings
from gongkai.publishing import privacy, workflow
from gongkai.publishing.models import ReviewStep
from gongkai.search import backends as search_backends
from gongkai.search import segment

from .extract import ExtractedPage, extract

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".txt"}
MAX_PAGE_BYTES = 20 * 1024 * 1024
BATCH_PAGES = 100  # pages per transaction, at most
# Rows written per transaction, at most (as `_planned_rows` counts them: an
# upper bound). A page never straddles two transactions; its relations are
# bounded by MAX_RELATIONS_PER_PAGE, so only a held page that lists more
# personal data than that (one stored privacy finding per occurrence) can pass
# the bound alone, in a transaction of its own. On SQLite a transaction holds
# the one write lock of the database from its start (IMMEDIATE): 1,500 rows of
# an import are about a quarter of a second of it.
BATCH_ROWS = 1500
# Relations (forwards and citations) one page may create. The real pages cite
# at most 7 documents (tests/ingest/fixtures/real, ../shared/samples); a
# directory page of a county's valid normative documents lists a few dozen
# to a few hundred. A page with more (a 20,000-line list of document numbers)
# is imported with its first 300 relations, and a warning names how many
# more the page cites: 300 relations keep one page well inside one
# transaction of BATCH_ROWS rows, and its audit entry (which lists them) small.
MAX_RELATIONS_PER_PAGE = 300
MAX_JOBS = 4  # processes reading and checking pages while the batches are written

CREATED, HELD, UNCHANGED, FAILED = "created", "held", "unchanged", "failed"

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


# ---------------------------------------------------------------- the checks at import

TITLE, BODY = "title", "body"
PLACE_LABELS = {TITLE: "标题", BODY: "正文"}
# The monitor's finding kinds that hold an imported page, with their names.
TAMPER_LABELS = {
    "injected_text": "疑似被植入的违规内容",
    "seo_rewrite": "疑似黑帽SEO替换",
    "spam_link": "违规链接",
    "hidden_link": "暗链",
}
# The monitor reports an injected phrase on a live page when its sentence
# weighs 3 or the page 6 (a false alarm there wakes someone up). A page held
# at import only waits for a reviewer's look, and a page published with spam
# in it costs the government its credibility: at import one counting phrase of
# weight 2 in a sentence, or 4 over the page, is enough to hold it.
IMPORT_SENTENCE_THRESHOLD = 2
IMPORT_PAGE_THRESHOLD = 4
# The first line of the comment of a held page's review step (the workbench
# lists held imports with the lines after it).
HOLD_COMMENT = "导入时检查发现以下问题，暂不公开，请审核（去标识化、修改或终止发布）："


@dataclass(frozen=True)
class Finding:
    """What the import's checks found on a page. `text` never holds personal
    data in clear: a privacy finding's value is masked (110101********1234),
    and so is any personal data in a tamper finding's evidence or context."""

    kind: str  # a privacy kind (id_card, mobile, ...) or a monitor kind (injected_text, seo_rewrite, ...)
    label: str
    place: str  # title / body
    text: str
    context: str = ""

    @property
    def is_privacy(self) -> bool:
        return self.kind in privacy.KIND_LABELS

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "place": self.place, "text": self.text, "context": self.context}

    def describe(self) -> str:
        """One line in Chinese for the review step and the workbench."""
        where = PLACE_LABELS.get(self.place, self.place)
        context = f"（{self.context}）" if self.context and self.context != self.text else ""
        return f"{self.label}，{where}：{self.text}{context}"


def _masked(text: str) -> str:
    return privacy.mask(text, privacy.scan(text))


@functools.lru_cache(maxsize=1)
def _import_spam() -> tamper.SpamDictionary:
    spam = copy.copy(tamper.shipped_spam())
    spam.threshold = min(spam.threshold, IMPORT_SENTENCE_THRESHOLD)
    spam.page_threshold = min(spam.page_threshold, IMPORT_PAGE_THRESHOLD)
    return spam


def _no_wording(text: str) -> list:
    return []  # wording advice is the drafter's business, not a reason to hold a page


def _as_page(title: str, body_text: str) -> str:
    """The text as a page: the title as its <title>, the body's lines."""
    lines = "<br>".join(html.escape(line) for line in (body_text or "").splitlines())
    return f"<html><head><title>{html.escape(title or '')}</title></head><body><p>{lines}</p></body></html>"


def check_page_text(title: str, body_text: str) -> list[Finding]:
    """The privacy scan and the tamper checks over a page's title and body."""
    found: list[Finding] = []
    for place, text in ((TITLE, title or ""), (BODY, body_text or "")):
        for hit in privacy.scan(text):
            found.append(Finding(hit.kind, hit.label, place, hit.masked))
    report = tamper.check_page(_as_page(title, body_text), wording=_no_wording, spam=_import_spam())
    seen = set()
    for hit in report.findings:
        if hit.severity != "serious" or hit.kind not in TAMPER_LABELS:
            continue
        context = hit.context or ""
        place = TITLE if context.startswith("<title>") else BODY
        key = (hit.kind, place, hit.evidence)
        if key in seen:
            continue  # the same phrase again: once per place is enough to hold the page
        seen.add(key)
        context = re.sub(r"^<title>(?:/<h1>)? ", "", context)
        found.append(Finding(hit.kind, TAMPER_LABELS[hit.kind], place, _masked(hit.evidence), _masked(context)))
    return found


# ---------------------------------------------------------------- results


@dataclass
class PageResult:
    path: str
    status: str
    page: ExtractedPage | None = None
    document_id: int | None = None
    index_number: str = ""
    error: str = ""
    findings: list[Finding] = field(default_factory=list)
    created_organisation: dict | None = None  # the issuer this page created (create_orgs)
    warnings: list[str] = field(default_factory=list)  # what of the page was imported only in part

    def as_dict(self) -> dict:
        """The page as `gongkai import --json` prints it: PAGE_FIELDS, then
        missing, status, path, error; then `findings` when the checks found
        anything, `created_organisation` when the page's issuer was created
        and `warnings` when part of the page was not imported (relations past
        MAX_RELATIONS_PER_PAGE)."""
        fields = self.page.as_dict() if self.page else {}
        row = {name: fields.get(name, EMPTY_FIELDS.get(name, "")) for name in PAGE_FIELDS}
        row["index_number"] = self.index_number or row["index_number"]
        row.update(missing=list(self.page.missing) if self.page else [], status=self.status, path=self.path, error=self.error)
        if self.findings:
            row["findings"] = [f.as_dict() for f in self.findings]
        if self.created_organisation:
            row["created_organisation"] = dict(self.created_organisation)
        if self.warnings:
            row["warnings"] = list(self.warnings)
        return row


@dataclass
class ImportReport:
    results: list[PageResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == FAILED for r in self.results)

    @property
    def created_organisations(self) -> list[dict]:
        return [r.created_organisation for r in self.results if r.created_organisation]

    def summary(self) -> str:
        text = (
            f"{len(self.results)} page(s): {self.count(CREATED)} created, "
            f"{self.count(UNCHANGED)} unchanged (already in the catalog), {self.count(FAILED)} failed"
        )
        if self.count(HELD):
            text += f"; {self.count(HELD)} held for review (not public: see the findings)"
        if self.created_organisations:
            text += f"; {len(self.created_organisations)} organisation(s) created"
        warned = sum(1 for r in self.results if r.warnings)
        if warned:
            text += f"; {warned} page(s) with warnings (imported in part: see the warnings)"
        return text


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


# ---------------------------------------------------------------- organisations


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


def find_parent(text: str) -> Organisation:
    """The parent of the organisations an import creates: an organisation by
    id, name or short name. ImportError_ when none or several match."""
    text = (text or "").strip()
    if not text:
        raise ImportError_("--parent is empty: give the parent organisation's id, name or short name")
    if text.isdigit():
        org = Organisation.objects.filter(pk=int(text)).first()
        if org:
            return org
    for lookup in ("name", "short_name"):
        matches = list(Organisation.objects.filter(**{lookup: text})[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = "、".join(f"{o.name} (id {o.pk})" for o in matches)
            raise ImportError_(f"--parent '{text}' matches more than one organisation ({names}); use its id")
    raise ImportError_(f"no organisation '{text}' for --parent: give its id, name or short name")


class _Organisations:
    """Every organisation, read once per import, looked up in memory the
    way `find_organisation` looks them up in the database."""

    LOOKUPS = ("index_prefix", "name", "short_name", "issuer_code")

    def __init__(self):
        self.by_pk: dict[int, Organisation] = {}
        self.by: dict[str, dict[str, list[Organisation]]] = {name: defaultdict(list) for name in self.LOOKUPS}
        for org in Organisation.objects.all():
            self.add(org)

    def add(self, org: Organisation) -> None:
        self.by_pk[org.pk] = org
        for lookup in self.LOOKUPS:
            value = getattr(org, lookup)
            if value:
                self.by[lookup][value].append(org)

    def remove(self, org: Organisation) -> None:
        self.by_pk.pop(org.pk, None)
        for lookup in self.LOOKUPS:
            matches = self.by[lookup].get(getattr(org, lookup))
            if matches and org in matches:
                matches.remove(org)

    def find(self, text: str) -> Organisation | None:
        text = (text or "").strip()
        if not text:
            return None
        if text.isdigit() and int(text) in self.by_pk:
            return self.by_pk[int(text)]
        for lookup in self.LOOKUPS:
            matches = self.by[lookup].get(text) or []
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                return None  # ambiguous: the page's issuer is then not found by this name
        return None

    def for_page(self, page: ExtractedPage) -> Organisation | None:
        """The page's issuer: by its 索引号 prefix, its 发布机构, its issuer code,
        or the one organisation whose name holds the 发布机构."""
        candidates = [page.organisation]
        if page.index_number and "/" in page.index_number:
            candidates.insert(0, page.index_number.split("/", 1)[0])
        for candidate in candidates:
            org = self.find(candidate)
            if org:
                return org
        number = docnumber.parse(page.document_number) if page.document_number else None
        if number and number.issuer_code:
            # 黔江府办发 belongs to the office whose issuer code starts it (黔江府发, 黔江府办发...).
            orgs = self.by["issuer_code"].get(number.issuer_code) or []
            if len(orgs) == 1:
                return orgs[0]
        name = (page.organisation or "").strip()
        if name:
            orgs = [o for o in self.by_pk.values() if name in o.name or o.short_name == name]
            if len(orgs) == 1:
                return orgs[0]
        return None


# An issuer's name as it may be created: Chinese characters and the brackets
# and dots of names (中共…委员会（…）), nothing else (no dates, no labels).
_ORG_NAME = re.compile(r"[\u3400-\u9fff（）()、·]{2,100}")
_PLACE_LEVELS = (("省", Organisation.Level.PROVINCE), ("自治区", Organisation.Level.PROVINCE),
                 ("自治州", Organisation.Level.CITY), ("州", Organisation.Level.CITY), ("盟", Organisation.Level.CITY),
                 ("市", Organisation.Level.CITY), ("县", Organisation.Level.COUNTY), ("旗", Organisation.Level.COUNTY),
                 ("区", Organisation.Level.COUNTY), ("镇", Organisation.Level.TOWNSHIP), ("乡", Organisation.Level.TOWNSHIP))
_LEVEL_BELOW = {
    Organisation.Level.PROVINCE: Organisation.Level.CITY,
    Organisation.Level.CITY: Organisation.Level.COUNTY,
    Organisation.Level.COUNTY: Organisation.Level.TOWNSHIP,
}


def organisation_level(name: str, parent: Organisation | None = None) -> str:
    """The level of a government named `name` (…人民政府, …街道办事处), the
    level below its parent's when the name does not tell; any other body
    (局, 委员会, 办公室, 办公厅 …) is a department."""
    if name.endswith("街道办事处"):
        return Organisation.Level.TOWNSHIP
    if not name.endswith("人民政府"):
        return Organisation.Level.DEPARTMENT
    place = name[: -len("人民政府")]
    for suffix, level in _PLACE_LEVELS:
        if place.endswith(suffix):
            # 北京市 / 重庆市 are provinces, but nothing on a page says so: a
            # city under a province-level parent is a city, one without a parent
            # is taken as the parent's level below, or a city.
            if level == Organisation.Level.CITY and parent is not None and parent.level == Organisation.Level.CITY:
                return Organisation.Level.COUNTY
            return level
    if parent is not None and parent.level in _LEVEL_BELOW:
        return _LEVEL_BELOW[parent.level]
    return Organisation.Level.DEPARTMENT


def _made_up_prefix(name: str) -> str:
    return "ORG" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12].upper()


def plan_organisation(page: ExtractedPage, parent: Organisation | None = None) -> tuple[Organisation, str]:
    """The issuer of `page` as a new, unsaved and validated organisation (as
    the admin validates it: full_clean), and where its index prefix comes
    from: "credit_code" (the 索引号 prefix is a valid unified social credit
    code), "index_number" (the prefix is another code, kept as it is) or
    "made_up" (the page has no 索引号). ImportError_ when the page's issuer
    cannot be an organisation's name."""
    name = (page.organisation or "").strip()
    if not name:
        raise ImportError_("the page names no issuer (发布机构/发文机关) to create: pass --org")
    if not _ORG_NAME.fullmatch(name):
        raise ImportError_(f"the page's issuer '{name}' does not look like an organisation's name; pass --org")
    if tamper.shipped_spam().hits(name):
        # Not repeated: an organisation's name is public, and so may be this message.
        raise ImportError_("the page's issuer holds spam words (a tampered page?): not created; pass --org")
    prefix = page.index_number.split("/", 1)[0].strip() if "/" in (page.index_number or "") else ""
    credit_code, source = None, "made_up"
    if prefix:
        try:
            credit_code = creditcode.validate(prefix)
            prefix, source = credit_code, "credit_code"
        except creditcode.CreditCodeError:
            source = "index_number"
    else:
        prefix = _made_up_prefix(name)
    number = docnumber.parse(page.document_number) if page.document_number else None
    org = Organisation(
        name=name,
        credit_code=credit_code,
        index_prefix=prefix,
        issuer_code=number.issuer_code if number and number.parsed else "",
        level=organisation_level(name, parent),
        parent=parent,
    )
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ImportError_(f"cannot create the organisation {name}: {'; '.join(exc.messages)}") from exc
    return org, source


def _create_organisation(org: Organisation, source: str, path: str) -> dict:
    org.save()
    audit.record("organisation.create", "organisation", org.pk, actor=audit.actor_name(None),
                 after=audit.state_of(org), detail={"imported_from": path, "index_prefix_from": source})
    return {"id": org.pk, "name": org.name, "index_prefix": org.index_prefix, "index_prefix_from": source,
            "credit_code": org.credit_code or "", "level": org.level,
            "parent": org.parent.name if org.parent_id else ""}


# ---------------------------------------------------------------- reading a page


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


@dataclass
class _Page:
    """A page read, extracted and checked, before anything is written, with
    what its writes need that no database does (computed in the workers)."""

    path: Path
    page: ExtractedPage | None = None
    fingerprint: str = ""
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    body: str = ""  # the body as the document stores it (catalog.set_body)
    body_text: str = ""
    body_index: str | None = None  # its segmentation for the search index (a page to publish)
    cited: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, title, number) of its relations
    cited_more: int = 0  # the relations past MAX_RELATIONS_PER_PAGE, not created

    @property
    def warnings(self) -> list[str]:
        if not self.cited_more:
            return []
        total = len(self.cited) + self.cited_more
        return [(f"the page cites {total} documents: only the first {len(self.cited)} are recorded as its "
                 f"relations (at most {MAX_RELATIONS_PER_PAGE} per page); {self.cited_more} are not")]


def _cited(page: ExtractedPage) -> tuple[list[tuple[str, str, str]], int]:
    """The page's forwards and citations as (kind, title, number in standard
    form), each once, the first MAX_RELATIONS_PER_PAGE of them; and how many
    more there are."""
    cited: dict[tuple[str, str, str], None] = {}
    for kind, cited_list in ((Relation.Kind.FORWARDS, page.forwards), (Relation.Kind.CITES, page.citations)):
        for c in cited_list:
            number = docnumber.parse(c.document_number).text if c.document_number else ""
            cited.setdefault((str(kind), c.title, number), None)
    keys = list(cited)
    return keys[:MAX_RELATIONS_PER_PAGE], max(0, len(keys) - MAX_RELATIONS_PER_PAGE)


def _prepare(path: Path) -> _Page:
    try:
        page = extract(read_page(path))
    except ImportError_ as exc:
        return _Page(path, error=str(exc))
    if not page.title:
        return _Page(path, page, error="no title found: this does not look like a government page")
    item = _Page(path, page, _fingerprint(page), check_page_text(page.title, page.body_text))
    stored = Document()
    catalog.set_body(stored, body_text=page.body_text)
    item.body, item.body_text = stored.body, stored.body_text
    if not item.findings:  # published at once: in the search index
        item.body_index = segment.index_text(item.body_text)
    item.cited, item.cited_more = _cited(page)
    return item


def _planned_rows(item: _Page, options: _Options) -> int:
    """At most how many rows importing the page writes (BATCH_ROWS counts
    these): its document, its relations, its audit entry and the audit
    head's update, an index-number counter created and moved; published: its
    search rows and its public facet counts; held: its review step and the
    personal data found in its body; its issuer, when created, with that
    organisation's audit entry."""
    if item.error:
        return 0
    rows = 1 + len(item.cited) + 2 + 2
    if item.findings:
        rows += 1 + sum(1 for f in item.findings if f.is_privacy and f.place == BODY)
    else:
        rows += 2 + _facet_rows()
    if options.create_orgs:
        rows += 4  # and the public content's generation bumped
    return rows


@functools.cache
def _facet_rows() -> int:
    """The public facet counts one published document adds to (Document.public_facets)."""
    doc = Document(status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE,
                   published_date=dt.date(2000, 1, 1))
    return len(doc.public_facets())


# Rows a transaction writes whatever its pages: the audit head created, the
# public content's generation bumped (for the documents, for the links).
TRANSACTION_ROWS = 5


def _transactions(items: list[_Page], options: _Options) -> list[list[_Page]]:
    """The pages in runs of at most BATCH_PAGES pages and BATCH_ROWS planned rows."""
    runs, current, rows = [], [], TRANSACTION_ROWS
    for item in items:
        planned = _planned_rows(item, options)
        if current and (len(current) >= BATCH_PAGES or rows + planned > BATCH_ROWS):
            runs.append(current)
            current, rows = [], TRANSACTION_ROWS
        current.append(item)
        rows += planned
    if current:
        runs.append(current)
    return runs


# ---------------------------------------------------------------- writing


@dataclass
class _Options:
    organisation: Organisation | None = None
    create_orgs: bool = False
    parent: Organisation | None = None


class _Run:
    """What one import reads once: the organisations (those it creates
    added) and the vocabularies. What earlier batches wrote, each batch reads
    back from the database with its bulk reads."""

    def __init__(self, options: _Options):
        self.options = options

    # Read when the first page is written: a run of pages that cannot be
    # read never touches the database.
    @functools.cached_property
    def organisations(self) -> _Organisations:
        return _Organisations()

    @functools.cached_property
    def topics(self) -> list[Topic]:
        return list(Topic.objects.all())

    @functools.cached_property
    def genres(self) -> dict[str, Genre]:
        return {g.name: g for g in Genre.objects.all()}

    def topic(self, name: str) -> Topic | None:
        if not name:
            return None
        for topic in self.topics:
            if topic.parent_id is None and topic.name == name:
                return topic
        matches = [t for t in self.topics if t.name == name]
        return matches[0] if len(matches) == 1 else None


class _WriteFailed(Exception):
    """A write of a page failed after its checks passed (the database refused,
    or a catalog service did): the batch's transaction is rolled back."""

    def __init__(self, exc: Exception):
        super().__init__(str(exc))
        self.exc = exc


@dataclass
class _Accepted:
    """A page whose checks all passed, with what its writes need."""

    item: _Page
    org: Organisation
    doc: Document
    relations: list[Relation]
    new_org: dict | None = None

    @property
    def held(self) -> bool:
        return bool(self.item.findings)


class _Batch:
    """One transaction's worth of pages, in two passes. The first runs every
    check that can refuse a page (its issuer, the document's fields, its
    number, its 索引号, its relations): a refused page becomes a failed
    result and nothing of it is written. The second writes the accepted pages
    together: index numbers reserved per organisation and year, the documents
    and their relations in bulk inserts, one audit entry per page. A write
    that fails there raises _WriteFailed: the caller rolls the batch back and
    imports its pages again one by one."""

    def __init__(self, run: _Run, items: list[_Page]):
        self.run = run
        self.items = items
        self.fingerprints: dict[str, tuple[int, str]] = {}
        self.by_number: dict[str, Document] = {}  # the batch's documents by number (the first of each)
        self.created_orgs: list[Organisation] = []
        self.numbers_taken: set[tuple[int, str]] = set()  # (organisation, number) in the catalog
        self.numbers_accepted: set[tuple[int, str]] = set()  # ... and in the pages accepted so far
        self.index_taken: set[str] = set()
        self.existing: dict[str, tuple[int, str]] = {}
        self.targets: dict[str, Document] = {}
        self.planned_rows = TRANSACTION_ROWS + sum(_planned_rows(item, run.options) for item in items)
        self.deferred_links: list[tuple[int, list[int]]] = []  # linked after the transaction (BATCH_ROWS)

    # ---- the bulk reads

    def _lookups(self) -> None:
        pages = [item for item in self.items if not item.error]
        hashes = [item.fingerprint for item in pages]
        self.existing = {h: (pk, index or "") for h, pk, index in
                         Document.objects.filter(content_hash__in=hashes).values_list("content_hash", "id", "index_number")}
        numbers = {docnumber.parse(item.page.document_number).text for item in pages if item.page.document_number}
        self.numbers_taken = set(
            Document.objects.filter(document_number__in=numbers)
            .exclude(document_number_status=docnumber.STATUS_UNPARSED)
            .values_list("organisation_id", "document_number")) if numbers else set()
        indexes = {item.page.index_number.strip() for item in pages if item.page.index_number.strip()}
        self.index_taken = set(Document.objects.filter(index_number__in=indexes).values_list("index_number", flat=True)) \
            if indexes else set()
        cited = {number for item in pages for _, _, number in item.cited if number}
        if cited:
            # The first document (lowest id) with each number, as catalog.find_by_number picks it.
            for doc in (Document.objects.filter(document_number__in=cited)
                        .exclude(document_number_status=docnumber.STATUS_UNPARSED)
                        .only("id", "title", "document_number").order_by("-id")):
                self.targets[doc.document_number] = doc

    # ---- first pass: the checks

    def _organisation(self, item: _Page) -> tuple[Organisation | None, Organisation | None, str]:
        """(existing issuer, new unsaved issuer, where the new one's prefix comes from)."""
        options = self.run.options
        if options.organisation is not None:
            return options.organisation, None, ""
        org = self.run.organisations.for_page(item.page)
        if org is not None:
            return org, None, ""
        if not options.create_orgs:
            said = item.page.organisation or "(none found)"
            raise ImportError_(f"no organisation in the catalog matches the page's issuer {said}; "
                               "pass --org, or --create-orgs to create it")
        new, source = plan_organisation(item.page, options.parent)
        return None, new, source

    def _document(self, item: _Page, org: Organisation) -> Document:
        """The page as an unsaved, validated document (what catalog.create_document checks)."""
        page = item.page
        topic, genre = self.run.topic(page.topic), self.run.genres.get(page.genre) if page.genre else None
        for name, value, found in (("topic", page.topic, topic), ("genre", page.genre, genre)):
            if value and found is None and name not in page.missing:  # once, should the page be checked again
                page.notes.append(f"{name} '{value}' is not in the vocabulary")
                page.missing.append(name)
        doc = Document(
            organisation=org,
            title=page.title[:300].strip(),
            topic=topic,
            genre=genre,
            written_date=page.written_date,
            published_date=page.published_date or page.written_date or dt.date.today(),
            validity=_validity(page.validity),
            effective_date=page.effective_date,
            expiry_date=page.expiry_date,
            keywords=page.keywords[:200],
            source_url=page.source_url[:500],
            source_path=str(item.path)[:500],
            content_hash=item.fingerprint,
        )
        catalog.apply_document_number(doc, page.document_number)
        doc.body, doc.body_text = item.body, item.body_text  # catalog.set_body's, in the worker
        catalog.validate(doc)
        number = (org.pk, doc.document_number)
        if doc.document_number and doc.document_number_status != docnumber.STATUS_UNPARSED:
            if number in self.numbers_accepted:  # an earlier page of this batch, not written yet
                raise ValidationError({"document_number": f"本机构已有发文字号为“{doc.document_number}”的文件。"})
            if number in self.numbers_taken:
                catalog.check_duplicate_number(doc)  # raises with the catalog's own message
        index = page.index_number.strip()
        if index:
            if index in self.index_taken:
                raise ValidationError(f"索引号“{index}”已被其他文件使用。")
            if len(index) > Document._meta.get_field("index_number").max_length:
                raise ValidationError(f"索引号“{index}”过长。")
            doc.index_number = index
        return doc

    def _relations(self, doc: Document, item: _Page) -> list[Relation]:
        """The page's forwards and citations (at most MAX_RELATIONS_PER_PAGE),
        their targets found in what the catalog and this import hold
        (catalog.add_relation's rules)."""
        relations, seen = [], set()
        for kind, title, number in item.cited:
            target = None
            if number:
                target = self.targets.get(number) or self.by_number.get(number)
            relation = Relation(source=doc, kind=kind, target=target,
                                target_title=(title or (target.title if target else ""))[:300],
                                target_document_number=number or (target.document_number if target else ""))
            key = (kind, relation.target_title, relation.target_document_number)
            if key in seen:
                continue
            seen.add(key)
            relation.clean_fields(exclude=["source", "target"])
            relation.clean()
            relations.append(relation)
        return relations

    def _accept(self, item: _Page, org: Organisation, new_org: dict | None = None) -> _Accepted:
        doc = self._document(item, org)
        accepted = _Accepted(item, org, doc, self._relations(doc, item), new_org)
        # What the next pages of the batch are checked against.
        self.fingerprints[item.fingerprint] = (0, doc.index_number or "")
        if doc.document_number and doc.document_number_status != docnumber.STATUS_UNPARSED:
            self.numbers_accepted.add((org.pk, doc.document_number))
            self.by_number.setdefault(doc.document_number, doc)
        if doc.index_number:
            self.index_taken.add(doc.index_number)
        return accepted

    def _check(self, item: _Page) -> PageResult | _Accepted | str:
        """The page's result when it is refused or already there, what is
        written of it when accepted, or its fingerprint when it is a copy of a
        page accepted earlier in this batch."""
        path = str(item.path)
        if item.error:
            return PageResult(path, FAILED, page=item.page, error=item.error)
        known = self.existing.get(item.fingerprint)
        if known:
            return PageResult(path, UNCHANGED, item.page, known[0], known[1])
        if item.fingerprint in self.fingerprints:
            return item.fingerprint  # the same page twice in this batch: unchanged, once the first is written
        try:
            org, new, source = self._organisation(item)
            if new is None:
                return self._accept(item, org)
            # A page that creates its issuer: the organisation is written now
            # (the page's document is checked against it) in a savepoint that
            # a refusal of the page rolls back; the next pages find it.
            with transaction.atomic():
                created = _create_organisation(new, source, path)
                accepted = self._accept(item, new, created)
            self.run.organisations.add(new)
            self.created_orgs.append(new)
            return accepted
        except ImportError_ as exc:
            return PageResult(path, FAILED, page=item.page, error=str(exc), findings=list(item.findings))
        except ValidationError as exc:
            return PageResult(path, FAILED, page=item.page, error="; ".join(exc.messages), findings=list(item.findings))

    # ---- second pass: the writes

    def _number(self, accepted: list[_Accepted]) -> None:
        """Index numbers: an adopted 索引号 in its organisation's own series
        moves the counter past it (catalog.adopt_index_number's rule); a
        published page without one takes the next serials, reserved per
        organisation and year in one statement, in page order."""
        adopted: dict[tuple[int, int], int] = {}
        for a in accepted:
            parts = catalog.parse_index_number(a.doc.index_number) if a.doc.index_number else None
            if parts and parts[0] == a.org.index_prefix:
                _, year, serial = parts
                a.doc.index_year, a.doc.index_serial = year, serial
                key = (a.org.pk, year)
                adopted[key] = max(adopted.get(key, 0), serial)
        for (org_id, year), serial in adopted.items():
            _move_counter(org_id, year, serial)
        waiting: dict[tuple[int, int], list[_Accepted]] = defaultdict(list)
        for a in accepted:
            if not a.held and not a.doc.index_number:
                waiting[(a.org.pk, a.doc.published_date.year)].append(a)
        for (org_id, year), group in waiting.items():
            last = _reserve_serials(org_id, year, len(group))
            for serial, a in enumerate(group, start=last - len(group) + 1):
                a.doc.index_year, a.doc.index_serial = year, serial
                a.doc.index_number = catalog.format_index_number(a.org.index_prefix, year, serial)

    def _write(self, accepted: list[_Accepted]) -> None:
        self._number(accepted)
        facets = []
        for a in accepted:
            if a.held:
                # Held back: in review at its first level, as if submitted by its drafter.
                a.doc.status, a.doc.review_level = workflow.REVIEW, 1
            else:
                a.doc.status = workflow.PUBLISHED
            facets.extend(a.doc.public_facets())
        docs = [a.doc for a in accepted]
        # One insert for the batch's documents. A bulk insert sends no save
        # signal: what the signals do for a new document is done here, for
        # the whole batch (the search index of each public document, the
        # public facet counts and the content generation once).
        Document.objects.bulk_create(docs)
        for a in accepted:
            a.doc._counted = a.doc.public_facets()
            if a.doc.is_public:
                _index(a.doc, a.item.body_index)
            # (A new document that is not public has nothing in the index to take out.)
        relations = []
        for a in accepted:
            for relation in a.relations:
                if relation.target is a.doc:
                    relation.target = None  # not to itself (find_by_number excludes the source)
            self._link_pending(a.doc, relations)
            relations.extend(a.relations)
        self._link_stored(docs)
        if relations:
            Relation.objects.bulk_create(relations)
        steps = [ReviewStep(document=a.doc, action=workflow.SUBMIT, from_state=workflow.DRAFT, to_state=workflow.REVIEW,
                            level=0, actor=None, comment="\n".join([HOLD_COMMENT, *(f.describe() for f in a.item.findings)]))
                 for a in accepted if a.held]
        if steps:
            ReviewStep.objects.bulk_create(steps)
        # Last, what opens a savepoint each (every savepoint makes SQLite's
        # FTS5 flush the index terms pending so far): the privacy findings of
        # the held pages, stored as the workflow stores them, and each page's
        # one audit entry.
        for a in accepted:
            if a.held and any(f.is_privacy and f.place == BODY for f in a.item.findings):
                privacy_findings.scan_document(a.doc)
            detail = {
                "imported_from": str(a.item.path)[:500],
                "relations": [{"kind": r.kind, "title": r.target_title, "document_number": r.target_document_number,
                               "target": r.target.pk if r.target else None} for r in a.relations],
            }
            if a.held:
                detail["held"] = [f.as_dict() for f in a.item.findings]
            if a.new_org:
                detail["organisation_created"] = a.new_org["id"]
            catalog.record("document.create" if a.held else "document.publish", a.doc, detail=detail, attachments=())
        if facets:
            counts.record((), facets)
        if facets or relations:
            generation.bump()

    def _link_stored(self, docs: list[Document]) -> None:
        """catalog.link_relations for each new document, in page order: the
        relations already stored that cite its number (or, without a number,
        its title) point at it. One read first counts them for the whole
        batch: from the first document whose links no longer fit in the rows
        this transaction has left (BATCH_ROWS: an old citation of a much-cited
        number may be thousands of rows), the rest are linked after it, in
        transactions of their own (`deferred_links`)."""
        numbers = {doc.document_number for doc in docs if doc.document_number}
        titles = {doc.title for doc in docs if doc.title}
        dangling = Relation.objects.filter(target__isnull=True).filter(
            Q(target_document_number__in=numbers) | Q(target_document_number="", target_title__in=titles))
        by_number: dict[str, list[int]] = defaultdict(list)
        by_title: dict[str, list[int]] = defaultdict(list)
        for pk, number, title in dangling.order_by("id").values_list("id", "target_document_number", "target_title"):
            (by_number[number] if number else by_title[title]).append(pk)
        claimed: set[int] = set()
        rows = BATCH_ROWS - self.planned_rows
        for doc in docs:
            candidates = (by_number.get(doc.document_number, []) if doc.document_number else []) + by_title.get(doc.title, [])
            ids = [pk for pk in candidates if pk not in claimed]
            claimed.update(ids)
            needed = len(ids) + 1 if ids else 0  # and the public content's generation bumped
            if self.deferred_links or needed > rows:
                if ids:
                    self.deferred_links.append((doc.pk, ids))
                continue
            rows -= needed
            catalog.link_relations(doc)

    @staticmethod
    def _link_pending(doc: Document, relations: list[Relation]) -> None:
        """Relations of earlier pages of this batch (not inserted yet) that
        cite this document, linked as catalog.link_relations links stored ones."""
        for relation in relations:
            if relation.target is not None or relation.source is doc:
                continue
            by_number = bool(doc.document_number) and relation.target_document_number == doc.document_number
            by_title = not relation.target_document_number and relation.target_title == doc.title
            if by_number or by_title:
                relation.target = doc

    def write(self) -> list[PageResult]:
        if any(not item.error for item in self.items):
            self._lookups()
        checked = [self._check(item) for item in self.items]
        accepted = [c for c in checked if isinstance(c, _Accepted)]
        if accepted:
            try:
                self._write(accepted)
            except Exception as exc:
                raise _WriteFailed(exc) from exc
        written = {a.item.fingerprint: a for a in accepted}
        results = []
        for item, c in zip(self.items, checked):
            if isinstance(c, _Accepted):
                results.append(PageResult(str(item.path), HELD if c.held else CREATED, item.page, c.doc.pk,
                                          c.doc.index_number or "", findings=list(item.findings),
                                          created_organisation=c.new_org, warnings=item.warnings))
            elif isinstance(c, str):  # a second copy of a page written above
                first = written[c].doc
                results.append(PageResult(str(item.path), UNCHANGED, item.page, first.pk, first.index_number or ""))
            else:
                results.append(c)
        return results

    def forget(self) -> None:
        """The batch was rolled back: the organisations it created are gone."""
        for org in self.created_orgs:
            self.run.organisations.remove(org)


def _index(doc: Document, body_index: str | None) -> None:
    """search_index.update of a new public document, its body segmented in
    the worker (None: not yet): the columns of search.backends.index_fields."""
    head = " ".join(filter(None, [doc.title, doc.document_number, doc.keywords, doc.index_number or ""]))
    if body_index is None:
        body_index = segment.index_text(doc.body_text or "")
    search_backends.get_backend().upsert(doc.pk, segment.index_text(head), body_index,
                                         search_backends.phrase_text(doc))


def _link_later(links: list[tuple[int, list[int]]]) -> None:
    """The links a batch had no rows left for (target document, the ids of
    the relations it claimed), in order, in transactions of at most
    BATCH_ROWS rows: the relations still dangling point at their target,
    unless it is gone by then. Should the database refuse, the pages stay
    imported and those relations keep naming their target by title and number."""
    links = [(target, ids[i:i + BATCH_ROWS - TRANSACTION_ROWS])
             for target, ids in links for i in range(0, len(ids), BATCH_ROWS - TRANSACTION_ROWS)]
    while links:
        now, rows = [], BATCH_ROWS - TRANSACTION_ROWS
        while links and len(links[0][1]) <= rows:
            rows -= len(links[0][1])
            now.append(links.pop(0))
        try:
            with transaction.atomic():
                present = set(Document.objects.filter(pk__in={t for t, _ in now}).values_list("pk", flat=True))
                for target, ids in now:
                    if target in present:
                        Relation.objects.filter(pk__in=ids, target__isnull=True).update(target_id=target)
                generation.bump()  # the citing documents' pages now link there (no save signal for update())
        except DatabaseError:
            logger.exception("import: linking %d stored citations to their documents failed",
                             sum(len(ids) for _, ids in now))


def _reserve_serials(organisation_id: int, year: int, count: int) -> int:
    """Take the next `count` serials of an organisation's index numbers in a
    year; the last one taken. One statement (core.db.next_number's, by
    `count`) that also locks the counter row until the transaction ends."""
    table = IndexNumberCounter._meta.db_table
    sql = f"UPDATE {table} SET last_serial = last_serial + %s WHERE organisation_id = %s AND year = %s RETURNING last_serial"
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, organisation_id, year])
        row = cursor.fetchone()
        if row is None:
            db.ensure_row(IndexNumberCounter, organisation_id=organisation_id, year=year, last_serial=0)
            cursor.execute(sql, [count, organisation_id, year])
            row = cursor.fetchone()
    return row[0]


def _move_counter(organisation_id: int, year: int, serial: int) -> None:
    """Move the organisation's index-number counter past an adopted serial
    (catalog.adopt_index_number's rule), in one statement when the row exists."""
    rows = IndexNumberCounter.objects.filter(organisation_id=organisation_id, year=year)
    if not rows.update(last_serial=Greatest(F("last_serial"), serial)):
        db.ensure_row(IndexNumberCounter, organisation_id=organisation_id, year=year, last_serial=0)
        rows.update(last_serial=Greatest(F("last_serial"), serial))


def _import_batch(run: _Run, items: list[_Page]) -> list[PageResult]:
    batch = _Batch(run, items)
    try:
        with transaction.atomic():
            results = batch.write()
    except Exception as exc:
        batch.forget()
        if len(items) > 1:
            # A write failed: each page again, in a transaction of its own.
            return [result for item in items for result in _import_batch(run, [item])]
        cause = exc.exc if isinstance(exc, _WriteFailed) else exc
        if not isinstance(cause, (ImportError_, ValidationError, DatabaseError)):
            raise cause from exc
        item = items[0]
        message = "; ".join(cause.messages) if isinstance(cause, ValidationError) else str(cause)
        return [PageResult(str(item.path), FAILED, page=item.page, error=message or cause.__class__.__name__,
                           findings=list(item.findings))]
    _link_later(batch.deferred_links)
    return results


def _prepared(batches: list[list[Path]], jobs: int):
    """The pages of each batch read, extracted and checked (`_prepare`: no
    database). With jobs > 1 and several batches, in that many forked worker
    processes, one batch ahead of the writes: reading and checking the next
    batch overlaps writing this one."""
    if jobs <= 1 or len(batches) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for paths in batches:
            yield [_prepare(path) for path in paths]
        return
    segment.tokens_for_index("政务公开")  # jieba's dictionary loaded once, before the fork, for every worker
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        chunk = max(1, len(batches[0]) // (jobs * 4))
        pending = pool.map_async(_prepare, batches[0], chunksize=chunk)
        for i in range(len(batches)):
            items = pending.get()
            if i + 1 < len(batches):
                pending = pool.map_async(_prepare, batches[i + 1], chunksize=chunk)
            yield items


def default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cores))


def import_paths(
    paths: Iterable[str | Path],
    *,
    organisation: Organisation | None = None,
    create_orgs: bool = False,
    parent: Organisation | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    batch_size: int = BATCH_PAGES,
    jobs: int | None = None,
) -> ImportReport:
    """Import every page under `paths`; `progress(done, total, path)` follows
    along, called between transactions (never inside one) for the pages each
    has written. `organisation`: the issuer of every page (otherwise each
    page's own is looked up); `create_orgs`: create an issuer the catalog
    lacks, under `parent`. `batch_size`: pages read ahead and written per
    transaction, at most (a transaction also stops at BATCH_ROWS rows).
    `jobs`: processes that read and check pages (default: one per core, at
    most MAX_JOBS; 1 reads them in this process)."""
    files = expand_paths(paths)
    report = ImportReport()
    options = _Options(organisation, create_orgs, parent)
    run = _Run(options)
    batches = [files[start:start + batch_size] for start in range(0, len(files), batch_size)]
    done = 0
    for prepared in _prepared(batches, default_jobs() if jobs is None else jobs):
        for items in _transactions(prepared, options):
            for result in _import_batch(run, items):
                report.results.append(result)
                done += 1
                if progress:
                    progress(done, len(files), result.path)
    if len(files) >= db.ANALYZE_AFTER_ROWS:
        db.refresh_statistics()
    return report


def import_page(path: Path, organisation: Organisation | None = None) -> PageResult:
    """One page (see import_paths)."""
    return import_paths([path], organisation=organisation).results[0]
