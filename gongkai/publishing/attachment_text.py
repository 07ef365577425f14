"""The text of an attachment, for the privacy scan, and masking inside it.

`read()` reads the text of the formats that carry it (.txt/.csv, .html,
.docx, .xlsx, .pdf) within `Limits` (inflated bytes, archive entries,
compression ratio, characters, pages, time): a file past one of them is
TOO_LARGE, with the text read up to there; the other formats (images,
archives, .doc, .xls, .wps, .ofd) have NO_TEXT, damaged files are
UNREADABLE. It never raises on a bad file. `extract()` is its text when the
file was read whole, else None.

Attachments are read once, by the worker (`read_pending`, from
gongkai.publishing.tasks), and the result is stored on the attachment; pages,
the privacy scan and the workflow use `extract_attachment()`, the stored
text, and never open the file. Until it is read, pages say PENDING_MESSAGE;
for a file not read whole they say UNCHECKED_MESSAGE and a person checks it.

`mask_in_file()` rewrites an attachment with each value replaced by its
masked form: text and HTML in their original encoding, .docx inside its text
elements (a value that Word split over several runs is masked too, the runs
keep their formatting), .xlsx in its cells. PDFs and the rest cannot be
rewritten: it returns False and the attachment must be replaced or the
finding waived.

The text that `read()` gives and the text that `mask_in_file()` rewrites
come from the same walk over each format, so a value found by the scan is
the value the rewrite finds.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import signal
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

logger = logging.getLogger(__name__)

UNCHECKED_MESSAGE = "该附件无法自动检查，请人工核对"

TEXT_EXTENSIONS = {".txt", ".csv"}
HTML_EXTENSIONS = {".html", ".htm"}
EXTRACTABLE = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".docx", ".xlsx", ".pdf"}
REWRITABLE = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".docx", ".xlsx"}


def normalise_extension(ext: str) -> str:
    """'DOCX', 'docx' and '.docx' all give '.docx'."""
    ext = (ext or "").strip().lower()
    return ext if ext.startswith(".") or not ext else "." + ext


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def can_extract(ext: str) -> bool:
    return normalise_extension(ext) in EXTRACTABLE


def can_rewrite(ext: str) -> bool:
    return normalise_extension(ext) in REWRITABLE


# --- Reading --------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(data: bytes, *, strict: bool = False) -> tuple[str, str] | None:
    """(text, encoding): UTF-8 (or a UTF-16 file with its byte order mark),
    else GB18030 (a superset of GBK and GB2312, what Chinese Windows writes).
    Undecodable bytes are replaced unless `strict`, then None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    if strict:
        return None
    return data.decode("gb18030", errors="replace"), "gb18030"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)


def decode_html(data: bytes, *, strict: bool = False) -> tuple[str, str] | None:
    """HTML bytes to text: the charset the page declares, else as decode()."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith(tuple(b for b, _ in _BOMS)):
        encoding = declared.group(1).decode("ascii").lower()
        if encoding in ("gb2312", "gbk"):
            encoding = "gb18030"  # what pages declaring GB2312 really contain
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, strict=strict)


_HTML_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "section", "article", "header", "footer", "title", "dd", "dt", "caption",
}


def _html_text(markup: str) -> str:
    import lxml.html
    from lxml import etree

    # An encoding declaration in a str makes lxml refuse it.
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    if not markup.strip():
        return ""
    root = lxml.html.document_fromstring(markup)
    etree.strip_elements(root, "script", "style", etree.Comment, with_tail=False)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _HTML_BLOCKS:
            # Cells and paragraphs are separate lines: two numbers in adjacent
            # cells must not run together into one long number.
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    text = root.text_content()
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _xlsx_cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # a phone number typed as a number
    return str(value)


# --- Limits -------------------------------------------------------------------
#
# An upload is at most GONGKAI_ATTACHMENT_MAX_BYTES, but what it inflates to
# is not: a 341 KB .docx can hold 100 MB of XML. Every read is bounded, and
# refused before it starts where the file says (a zip's central directory,
# which zipfile holds each entry to) that it would go past a limit.

RATIO_FLOOR = 1024 * 1024  # entries smaller than this inflated are not judged by their ratio
MAX_ATTEMPTS = 3  # reads started before a file that keeps killing the worker is given up


class TooLarge(Exception):
    """The file goes past one of the reading limits (the reason, for the log)."""


@dataclass(frozen=True)
class Limits:
    """What reading one attachment may cost; each is a setting
    GONGKAI_ATTACHMENT_TEXT_<NAME> (e.g. GONGKAI_ATTACHMENT_TEXT_MAX_BYTES)."""

    max_bytes: int = 32 * 1024 * 1024  # bytes of XML or text inflated and read
    max_chars: int = 2_000_000  # characters of text kept
    max_entries: int = 2000  # entries of a .docx/.xlsx archive
    max_ratio: int = 100  # inflated size / compressed size of one archive entry
    max_seconds: float = 60.0  # time for one attachment
    max_pages: int = 2000  # pages of a PDF

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        values = {}
        for name in cls.__dataclass_fields__:
            value = getattr(settings, f"GONGKAI_ATTACHMENT_TEXT_{name.upper()}", None)
            if value is not None:
                values[name] = value
        return cls(**values)


class _Budget:
    """What one read has spent so far, and the text it has kept."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.inflated = 0
        self.parts: list[str] = []
        self.chars = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooLarge(f"reading took more than {self.limits.max_seconds:g} s")

    def take(self, size: int) -> None:
        self.inflated += size
        if self.inflated > self.limits.max_bytes:
            raise TooLarge(f"more than {self.limits.max_bytes} bytes inflated")
        self.tick()

    def add(self, line: str) -> None:
        """One more line of text; past max_chars the text is cut there."""
        room = self.limits.max_chars - self.chars - (1 if self.parts else 0)
        if len(line) > room:
            if room > 0:
                self.add(line[:room])
            raise TooLarge(f"more than {self.limits.max_chars} characters of text")
        self.chars += len(line) + (1 if self.parts else 0)
        self.parts.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


class _Capped(io.RawIOBase):
    """A stream that counts what is read from it against the budget."""

    CHUNK = 64 * 1024

    def __init__(self, raw, budget: _Budget):
        self.raw, self.budget = raw, budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size and size > 0 else self.CHUNK)
        self.budget.take(len(data))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _check_archive(archive: zipfile.ZipFile, budget: _Budget, counted=None, allowance: int = 0) -> None:
    """Refuse an archive before inflating anything: too many entries, an
    entry that inflates more than max_ratio times, or entries (those
    `counted` picks, all by default) that would inflate past max_bytes
    (+ `allowance`). zipfile never inflates an entry past the size the
    archive declares for it, so the declared sizes bound the read."""
    limits = budget.limits
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise TooLarge(f"{len(entries)} archive entries (limit {limits.max_entries})")
    total = 0
    for entry in entries:
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and lzma inflate a whole chunk at once, unbounded.
            raise ValueError(f"archive entry {entry.filename!r} uses compression method {entry.compress_type}")
        if entry.file_size > RATIO_FLOOR and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            raise TooLarge(f"archive entry {entry.filename!r} inflates {entry.file_size} bytes from "
                           f"{entry.compress_size} (ratio limit {limits.max_ratio})")
        if counted is None or counted(entry.filename):
            total += entry.file_size
    if total > limits.max_bytes + allowance:
        raise TooLarge(f"archive would inflate to {total} bytes (limit {limits.max_bytes})")


@contextlib.contextmanager
def _hard_deadline(seconds: float):
    """Interrupt a read that is stuck inside one step (a page, a parse) past
    the time limit; the budget's checks between steps catch the rest. Only
    where a timer signal can be had: the main thread of a Unix process (the
    worker), not a server's request thread."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TooLarge(f"reading took more than {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    outer, _interval = signal.setitimer(signal.ITIMER_REAL, seconds + 1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # someone else's timer: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


# --- Reading --------------------------------------------------------------------

def _plain_text(source, budget: _Budget, ext: str) -> None:
    data = source.read(budget.limits.max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    over = len(data) > budget.limits.max_bytes
    data = data[:budget.limits.max_bytes]
    budget.take(len(data))
    if ext in TEXT_EXTENSIONS:
        budget.add(decode(data)[0])
    else:
        budget.add(_html_text(decode_html(data)[0]))
    if over:
        raise TooLarge(f"more than {budget.limits.max_bytes} bytes of text")


def _xlsx_text(source, budget: _Budget) -> None:
    import openpyxl

    with zipfile.ZipFile(source) as archive:
        # openpyxl reads the workbook's parts itself: count all but pictures and embedded files.
        _check_archive(archive, budget, counted=lambda name: not name.startswith(("xl/media/", "xl/embeddings/")))
    source.seek(0)
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            # A declared size of A1:XFD1048576 must not pad a million empty rows.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                budget.tick()
                cells = [t for t in (_xlsx_cell_text(v) for v in row) if t]
                if cells:
                    budget.add("\t".join(cells))
    finally:
        workbook.close()


def _pdf_text(source, budget: _Budget) -> None:
    import pypdf

    reader = pypdf.PdfReader(source, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # raises if a password is really needed
    pages = reader.pages
    count = len(pages)
    for number in range(min(count, budget.limits.max_pages)):
        budget.tick()
        budget.add(pages[number].extract_text() or "")
    if count > budget.limits.max_pages:
        raise TooLarge(f"{count} pages (limit {budget.limits.max_pages})")


@dataclass(frozen=True)
class Reading:
    """What reading a file gave: a status (Attachment.TextStatus) and the
    text read, cut at the limit when the file was too large."""

    status: str
    text: str = ""


def _statuses():
    from gongkai.catalog.models import Attachment

    return Attachment.TextStatus


@contextlib.contextmanager
def _opened(path_or_file):
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, "rb") as handle:
            yield handle
        return
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    yield path_or_file


def read(path_or_file: str | os.PathLike | BinaryIO, ext: str, limits: Limits | None = None) -> Reading:
    """Read an attachment's text within the limits (Limits.from_settings()
    by default). Never raises on a bad or hostile file: its status says
    what happened, and the reason is logged."""
    S = _statuses()
    ext = normalise_extension(ext)
    if ext not in EXTRACTABLE:
        return Reading(S.NO_TEXT)
    budget = _Budget(limits or Limits.from_settings())
    try:
        with _opened(path_or_file) as source, _hard_deadline(budget.limits.max_seconds):
            if ext in TEXT_EXTENSIONS or ext in HTML_EXTENSIONS:
                _plain_text(source, budget, ext)
            elif ext == ".docx":
                _docx_text(source, budget)
            elif ext == ".xlsx":
                _xlsx_text(source, budget)
            else:
                _pdf_text(source, budget)
    except TooLarge as exc:
        logger.warning("a %s attachment is too large to read whole: %s", ext, exc)
        return Reading(S.TOO_LARGE, budget.text.replace("\x00", ""))
    except Exception:  # a damaged upload must not break the worker, submission or publication
        logger.warning("could not read the text of a %s attachment", ext, exc_info=True)
        return Reading(S.UNREADABLE)
    # NUL cannot be stored in PostgreSQL text, and is no part of a value the scan looks for.
    return Reading(S.READ, budget.text.replace("\x00", ""))


def extract(path_or_file: str | os.PathLike | BinaryIO, ext: str, limits: Limits | None = None) -> str | None:
    """The text of a file read whole within the limits, or None when its
    format has no text we can read, it is damaged or too large (logged;
    never raised)."""
    reading = read(path_or_file, ext, limits)
    return reading.text if reading.status == _statuses().READ else None


# --- The stored text of an attachment ---------------------------------------------
#
# The worker (gongkai.publishing.tasks, run by gongkai.jobs) reads each new attachment once and
# stores its text and status on it; pages, the privacy scan and the workflow
# read what is stored and never open the file.

PENDING_MESSAGE = "正在读取附件内容"


def status_of(attachment) -> str:
    """The attachment's Attachment.TextStatus; a format without text has
    none to wait for, whatever is stored."""
    S = _statuses()
    if not can_extract(extension_of(attachment.file.name if attachment.file else "")):
        return S.NO_TEXT
    return attachment.text_status


def status_label(attachment) -> str:
    return _statuses()(status_of(attachment)).label


def is_pending(attachment) -> bool:
    return status_of(attachment) == _statuses().PENDING


def is_unchecked(attachment) -> bool:
    """Its text was not read whole: a person must check it (UNCHECKED_MESSAGE)."""
    S = _statuses()
    return status_of(attachment) in (S.TOO_LARGE, S.UNREADABLE, S.NO_TEXT)


def extract_attachment(attachment) -> str | None:
    """The stored text of an attachment, or None while it is being read or
    when it could not be read whole. Never opens the file."""
    return attachment.text if status_of(attachment) == _statuses().READ else None


def _store(attachment, reading: Reading, name: str) -> bool:
    """Store a reading of the file `name`, unless the attachment has had
    another file put in since (then it is read again) or is gone."""
    from gongkai.catalog.models import Attachment

    stored = Attachment.objects.filter(pk=attachment.pk, file=name).update(text=reading.text, text_status=reading.status)
    if stored:
        attachment.text, attachment.text_status = reading.text, reading.status
    return bool(stored)


def _read_stored_file(attachment, limits: Limits | None = None) -> Reading:
    name = attachment.file.name if attachment.file else ""
    if not can_extract(extension_of(name)):
        return Reading(_statuses().NO_TEXT)
    try:
        with attachment.file.storage.open(name, "rb") as handle:
            return read(handle, extension_of(name), limits)
    except OSError:
        logger.warning("attachment %s: file %s cannot be opened", attachment.pk, name, exc_info=True)
        return Reading(_statuses().UNREADABLE)


def read_attachment(attachment, limits: Limits | None = None) -> str:
    """Read an attachment's file within the limits and store its text and
    status; then bring the privacy findings of its document, if still on its
    way to publication, in line with it. The worker's job: never called while
    a page is served. Returns the status."""
    from django.db.models import F

    from gongkai.catalog.models import Attachment

    name = attachment.file.name if attachment.file else ""
    # Counted (and committed) before the read: a file that kills the worker
    # is given up after MAX_ATTEMPTS instead of killing it on every tick.
    Attachment.objects.filter(pk=attachment.pk).update(text_attempts=F("text_attempts") + 1)
    reading = _read_stored_file(attachment, limits)
    if _store(attachment, reading, name):
        _rescan(attachment.document_id)
    return reading.status


def _rescan(document_id: int) -> None:
    from gongkai.catalog.models import Document

    from . import findings

    on_the_way = (Document.Status.DRAFT, Document.Status.REVIEW, Document.Status.SECRECY, Document.Status.READY)
    doc = Document.objects.filter(pk=document_id, status__in=on_the_way).first()
    if doc is not None:
        findings.scan_document(doc)


def read_pending(batch: int | None = None) -> int:
    """Read the attachments whose text is still to be read, oldest first, at
    most `batch` (GONGKAI_ATTACHMENT_TEXT_BATCH, 20) per call; how many."""
    from django.conf import settings

    from gongkai.catalog.models import Attachment

    S = _statuses()
    batch = batch or getattr(settings, "GONGKAI_ATTACHMENT_TEXT_BATCH", 20)
    waiting = list(Attachment.objects.filter(text_status=S.PENDING).defer("text").order_by("id")[:batch])
    for attachment in waiting:
        if attachment.text_attempts >= MAX_ATTEMPTS:
            logger.error("attachment %s: given up after %d reads that did not finish", attachment.pk,
                         attachment.text_attempts)
            _store(attachment, Reading(S.UNREADABLE), attachment.file.name)
            continue
        try:
            read_attachment(attachment)
        except Exception:  # one attachment must not stop the others, nor the worker's other jobs
            logger.exception("attachment %s: reading its text failed", attachment.pk)
    return len(waiting)


# --- Replacing values -------------------------------------------------------

_ALNUM = "0-9A-Za-z"
_EMAIL_LEFT = r"(?<![A-Za-z0-9._%+-])"
_EMAIL_RIGHT = r"(?![A-Za-z0-9-])"


def _bounded(value: str, core: str) -> str:
    """`core` (a pattern of `value`) not inside a longer run of letters and
    digits, as the scanner sees it."""
    if "@" in value:
        return _EMAIL_LEFT + core + _EMAIL_RIGHT
    left = rf"(?<![{_ALNUM}])" if value[:1].isalnum() else ""
    right = rf"(?![{_ALNUM}])" if value[-1:].isalnum() else ""
    return left + core + right


def _ordered(replacements: dict[str, str]) -> list[tuple[str, str]]:
    # Longer values first: "+86 13812345678" before "13812345678".
    return sorted(((v, m) for v, m in replacements.items() if v and v != m), key=lambda vm: -len(vm[0]))


def replace_in_text(text: str, replacements: dict[str, str]) -> tuple[str, int]:
    """Plain text with each value replaced by its masked form; (text, count)."""
    total = 0
    for value, masked in _ordered(replacements):
        text, count = re.subn(_bounded(value, re.escape(value)), lambda _m, masked=masked: masked, text)
        total += count
    return text, total


_TAG = r"<[^<>]*>"
_ENTITY_SPACE = r"&nbsp;|&#160;|&#x[aA]0;"
_HTML_TOKEN = re.compile(rf"({_TAG}|&#?\w+;)")


def _html_pattern(value: str) -> str:
    """`value` as it may stand in HTML: tags between its characters (a
    number half in bold), any whitespace, &nbsp; or line-breaking tags where
    the text has a space or a line break."""
    parts, after_space = [], True
    for ch in value:
        if ch.isspace():
            if not after_space:
                parts.append(rf"(?:\s|{_ENTITY_SPACE}|{_TAG})+")
            after_space = True
            continue
        if parts and not after_space:
            parts.append(f"(?:{_TAG})*")
        parts.append(re.escape(ch))
        after_space = False
    return "".join(parts)


def _nonspace(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _mask_markup(matched: str, value: str, masked: str) -> str:
    """The matched markup with the value's characters masked in place: tags
    and spaces stay where they are. When the masked form has another length
    (an e-mail address), the masked text comes first and the tags follow."""
    tokens = [t for t in _HTML_TOKEN.split(matched) if t]
    if len(_nonspace(value)) != len(_nonspace(masked)):
        return masked + "".join(t for t in tokens if _HTML_TOKEN.fullmatch(t) and t.startswith("<"))
    chars = iter(_nonspace(masked))
    out = []
    for token in tokens:
        if _HTML_TOKEN.fullmatch(token):
            out.append(token)
        else:
            out.append("".join(ch if ch.isspace() else next(chars, ch) for ch in token))
    return "".join(out)


def replace_in_html(markup: str, replacements: dict[str, str]) -> tuple[str, int]:
    """HTML with each value replaced by its masked form, in the text and in
    attributes (a mailto: or tel: link); (markup, count)."""
    total = 0
    for value, masked in _ordered(replacements):
        pattern = re.compile(_bounded(value, _html_pattern(value)))
        markup, count = pattern.subn(lambda m, v=value, mk=masked: _mask_markup(m.group(), v, mk), markup)
        total += count
    return markup, total


# --- .docx ------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_TAGS = {f"{{{_W}}}t", f"{{{_W}}}delText"}
_FIXED_TAGS = {f"{{{_W}}}tab": "\t", f"{{{_W}}}br": "\n", f"{{{_W}}}cr": "\n", f"{{{_W}}}noBreakHyphen": "-"}
_PARAGRAPH = f"{{{_W}}}p"
_FALLBACK = f"{{{_MC}}}Fallback"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
# The parts whose text a reader sees: body (with its tables and text boxes),
# headers, footers, foot- and endnotes, comments.
_DOCX_PARTS = re.compile(r"^/word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")


def _paragraph_pieces(paragraph) -> list[tuple[object | None, str]]:
    """The paragraph's text in order as (element, text): w:t elements can be
    rewritten, tabs and breaks (element None) stand as fixed characters. A
    paragraph nested inside (a text box) is its own paragraph; a text box's
    compatibility copy (mc:Fallback) is skipped."""
    pieces = []

    def walk(element):
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag == _PARAGRAPH or tag == _FALLBACK:
                continue
            if tag in _TEXT_TAGS:
                pieces.append((child, child.text or ""))
            elif tag in _FIXED_TAGS:
                pieces.append((None, _FIXED_TAGS[tag]))
            else:
                walk(child)

    walk(paragraph)
    return pieces


def _docx_roots(document):
    """(part, root, loose) of every part with text: `loose` is the root when
    python-docx keeps the part as bytes (the caller serialises it back)."""
    from docx.opc.part import XmlPart
    from lxml import etree

    for part in document.part.package.iter_parts():
        if not _DOCX_PARTS.match(str(part.partname)):
            continue
        if isinstance(part, XmlPart):
            yield part, part.element, None
        else:
            root = etree.fromstring(part.blob)
            yield part, root, root


def _docx_links(document):
    """External relationships (hyperlink targets such as mailto:) of the text parts."""
    for part in document.part.package.iter_parts():
        if _DOCX_PARTS.match(str(part.partname)):
            for rel in part.rels.values():
                if rel.is_external:
                    yield rel


def _docx_text_parts(names) -> list[str]:
    """The archive's parts with text (see _DOCX_PARTS), the body first."""
    parts = [n for n in names if _DOCX_PARTS.match("/" + n)]
    if "word/document.xml" not in parts:
        raise ValueError("not a Word document: no word/document.xml")
    return sorted(parts, key=lambda n: (n != "word/document.xml", n))


def _docx_rels(name: str) -> str:
    folder, base = name.rsplit("/", 1)
    return f"{folder}/_rels/{base}.rels"


_SAFE_XML = {"resolve_entities": False, "no_network": True, "load_dtd": False}


def _docx_text(source, budget: _Budget) -> None:
    """The text of a .docx as _docx_roots and _paragraph_pieces see it (what
    masking rewrites), read part by part as a stream: a paragraph at a time
    is held, never the whole document."""
    from lxml import etree

    with zipfile.ZipFile(source) as archive:
        names = set(archive.namelist())
        parts = _docx_text_parts(names)
        rels = [_docx_rels(n) for n in parts if _docx_rels(n) in names]
        wanted = set(parts) | set(rels)
        _check_archive(archive, budget, counted=lambda name: name in wanted)
        for name in parts:
            with archive.open(name) as raw:
                depth = 0
                for event, element in etree.iterparse(_Capped(raw, budget), events=("start", "end"),
                                                      tag=_PARAGRAPH, **_SAFE_XML):
                    if event == "start":
                        depth += 1
                        continue
                    depth -= 1
                    if depth:  # a paragraph inside another (a text box): read with the outer one
                        continue
                    for paragraph in element.iter(_PARAGRAPH):
                        text = "".join(text for _el, text in _paragraph_pieces(paragraph))
                        if text.strip():
                            budget.add(text)
                    budget.tick()
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
        for name in rels:
            with archive.open(name) as raw:
                for _event, rel in etree.iterparse(_Capped(raw, budget), events=("end",),
                                                   tag=f"{{{_RELS}}}Relationship", **_SAFE_XML):
                    if rel.get("TargetMode") == "External" and rel.get("Target"):
                        budget.add(rel.get("Target"))
                    rel.clear()


def _mask_pieces(pieces: list[tuple[object | None, str]], replacements: dict[str, str]) -> int:
    """Rewrite the paragraph's w:t elements so that each value is masked,
    wherever the value's characters lie among them."""
    texts = [text for _el, text in pieces]
    count = 0
    for value, masked in _ordered(replacements):
        full = "".join(texts)
        matches = list(re.finditer(_bounded(value, re.escape(value)), full))
        if not matches:
            continue
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text)
        same_length = len(value) == len(masked)
        # From the end, so earlier offsets stay valid.
        for match in reversed(matches):
            s, e = match.span()
            covered = [i for i, text in enumerate(texts) if starts[i] < e and s < starts[i] + len(text)]
            if same_length:
                # Character by character: every piece keeps its length.
                for i in covered:
                    chars = list(texts[i])
                    for pos in range(max(s, starts[i]), min(e, starts[i] + len(texts[i]))):
                        chars[pos - starts[i]] = masked[pos - s]
                    texts[i] = "".join(chars)
            else:
                writable = [i for i in covered if pieces[i][0] is not None]
                if not writable:
                    continue
                first, last = writable[0], writable[-1]
                head = texts[first][: max(0, s - starts[first])]
                if first == last:
                    texts[first] = head + masked + texts[first][e - starts[first]:]
                else:
                    texts[first] = head + masked
                    for i in writable[1:-1]:
                        texts[i] = ""
                    texts[last] = texts[last][e - starts[last]:]
            count += 1
    for (element, old), new in zip(pieces, texts):
        if element is not None and new != old:
            element.text = new
            element.set(_XML_SPACE, "preserve")
    return count


def _docx_mask(data: bytes, replacements: dict[str, str]) -> bytes | None:
    import docx
    from lxml import etree

    document = docx.Document(io.BytesIO(data))
    changed = 0
    for part, root, loose in _docx_roots(document):
        part_changed = 0
        for paragraph in root.iter(_PARAGRAPH):
            part_changed += _mask_pieces(_paragraph_pieces(paragraph), replacements)
        if loose is not None and part_changed:
            part._blob = etree.tostring(loose, xml_declaration=True, encoding="UTF-8", standalone=True)
        changed += part_changed
    for rel in _docx_links(document):
        target, count = replace_in_text(rel.target_ref, replacements)
        if count:
            rel._target = target
            changed += count
    if not changed:
        return None
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- .xlsx ------------------------------------------------------------------

def _xlsx_mask(data: bytes, replacements: dict[str, str]) -> bytes | None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = _xlsx_cell_text(cell.value)
                if not text:
                    continue
                new, count = replace_in_text(text, replacements)
                if count:
                    cell.value = new  # a masked number becomes text
                    changed += count
    if not changed:
        return None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Rewriting the stored file ------------------------------------------------

def _write(attachment, data: bytes) -> None:
    """Replace the stored file's content under the same name, atomically
    (a local disk: a temporary file renamed over it; object storage: one
    upload)."""
    from gongkai.catalog.models import Attachment

    storage, name = attachment.file.storage, attachment.file.name
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path:
        directory = os.path.dirname(path)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=".masking-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, os.stat(path).st_mode & 0o777)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    else:
        # Object storage (S3): one upload replaces the object whole under
        # the same name; readers see the old file or the new one.
        with storage.open(name, "wb") as handle:
            handle.write(data)
    attachment.size = len(data)
    Attachment.objects.filter(pk=attachment.pk).update(size=len(data))


def mask_in_file(attachment, replacements: dict[str, str]) -> bool:
    """Rewrite the attachment with each original value replaced by its masked
    form, and store its new text. False when its format cannot be rewritten,
    or its text was not read whole within the limits (still being read, too
    large, damaged); True otherwise, also when none of the values was there.
    Only a file the worker has read whole is opened here, and the archive is
    checked again before the whole of it is loaded."""
    name = attachment.file.name if attachment.file else ""
    ext = extension_of(name)
    if ext not in REWRITABLE or status_of(attachment) != _statuses().READ:
        return False
    try:
        with attachment.file.storage.open(name, "rb") as handle:
            data = handle.read()
        if ext in (".docx", ".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                # python-docx and openpyxl load every part: bound them all
                # (pictures are stored about as large as they are).
                _check_archive(archive, _Budget(Limits.from_settings()), allowance=len(data))
        if ext in TEXT_EXTENSIONS or ext in HTML_EXTENSIONS:
            decoded = decode(data, strict=True) if ext in TEXT_EXTENSIONS else decode_html(data, strict=True)
            if decoded is None:
                return False  # re-encoding would damage what could not be decoded
            text, encoding = decoded
            replace = replace_in_text if ext in TEXT_EXTENSIONS else replace_in_html
            new_text, count = replace(text, replacements)
            new = new_text.encode(encoding) if count else None
        elif ext == ".docx":
            new = _docx_mask(data, replacements)
        else:
            new = _xlsx_mask(data, replacements)
    except Exception:
        logger.warning("attachment %s: could not be masked", attachment.pk, exc_info=True)
        return False
    if new is not None:
        _write(attachment, new)
        # The same limits as the worker's read, on a file that passed them before.
        _store(attachment, read(io.BytesIO(new), ext), attachment.file.name)
    return True
