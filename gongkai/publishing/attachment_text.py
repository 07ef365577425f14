"""The text of an attachment, for the privacy scan, and masking inside it.

`extract()` reads the text of the formats that carry it (.txt/.csv, .html,
.docx, .xlsx, .pdf); for the others (images, archives, .doc, .xls, .wps,
.ofd) and for files that cannot be read it returns None: the caller shows
UNCHECKED_MESSAGE and a person checks the file. It never raises on a bad
file.

`mask_in_file()` rewrites an attachment with each value replaced by its
masked form: text and HTML in their original encoding, .docx inside its text
elements (a value that Word split over several runs is masked too, the runs
keep their formatting), .xlsx in its cells. PDFs and the rest cannot be
rewritten: it returns False and the attachment must be replaced or the
finding waived.

The text that `extract()` gives and the text that `mask_in_file()` rewrites
come from the same walk over each format, so a value found by the scan is
the value the rewrite finds.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from pathlib import Path
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

def _read_bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, (str, os.PathLike)):
        return Path(path_or_file).read_bytes()
    if hasattr(path_or_file, "seek"):
        try:
            path_or_file.seek(0)
        except (OSError, ValueError):
            pass
    data = path_or_file.read()
    return data.encode("utf-8") if isinstance(data, str) else data


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


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        lines = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = [t for t in (_xlsx_cell_text(v) for v in row) if t]
                if cells:
                    lines.append("\t".join(cells))
        return "\n".join(lines)
    finally:
        workbook.close()


def _pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # raises if a password is really needed
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def extract(path_or_file: str | os.PathLike | BinaryIO, ext: str) -> str | None:
    """The text of an attachment, or None when its format has no text we can
    read or the file is damaged (logged; never raised)."""
    ext = normalise_extension(ext)
    if ext not in EXTRACTABLE:
        return None
    try:
        data = _read_bytes(path_or_file)
        if ext in TEXT_EXTENSIONS:
            return decode(data)[0]
        if ext in HTML_EXTENSIONS:
            return _html_text(decode_html(data)[0])
        if ext == ".docx":
            return _docx_text(data)
        if ext == ".xlsx":
            return _xlsx_text(data)
        return _pdf_text(data)
    except Exception:  # a damaged upload must not break submission or publication
        logger.warning("could not read the text of a %s attachment", ext, exc_info=True)
        return None


def extract_attachment(attachment) -> str | None:
    """extract() of an Attachment's stored file."""
    name = attachment.file.name if attachment.file else ""
    ext = extension_of(name)
    if not name or ext not in EXTRACTABLE:
        return None
    try:
        with attachment.file.storage.open(name, "rb") as handle:
            return extract(handle, ext)
    except OSError:
        logger.warning("attachment %s: file %s cannot be opened", attachment.pk, name, exc_info=True)
        return None


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


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = []
    for _part, root, _loose in _docx_roots(document):
        for paragraph in root.iter(_PARAGRAPH):
            text = "".join(text for _el, text in _paragraph_pieces(paragraph))
            if text.strip():
                lines.append(text)
    lines.extend(rel.target_ref for rel in _docx_links(document))
    return "\n".join(lines)


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
    """Replace the stored file's content (atomically on a local disk)."""
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
        from django.core.files.base import ContentFile

        storage.delete(name)
        attachment.file.name = storage.save(name, ContentFile(data))
        Attachment.objects.filter(pk=attachment.pk).update(file=attachment.file.name)
    attachment.size = len(data)
    Attachment.objects.filter(pk=attachment.pk).update(size=len(data))


def mask_in_file(attachment, replacements: dict[str, str]) -> bool:
    """Rewrite the attachment with each original value replaced by its masked
    form. False when its format cannot be rewritten (or it cannot be read);
    True otherwise, also when none of the values was there."""
    name = attachment.file.name if attachment.file else ""
    ext = extension_of(name)
    if ext not in REWRITABLE:
        return False
    try:
        with attachment.file.storage.open(name, "rb") as handle:
            data = handle.read()
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
    return True
