"""Bytes of a saved page → text.

Order: byte-order mark, then strict UTF-8, then the charset the HTML declares,
then GB18030 (a superset of GBK and GB2312) confirmed by charset-normalizer.
Binary files (NUL bytes, too many control characters, known file signatures)
and empty files are refused with a reason a person can act on.
"""

import codecs
import re

from charset_normalizer import from_bytes

# Share of control characters above which a file is not text.
MAX_CONTROL_RATIO = 0.02

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# What a binary file is, when its first bytes say so (for a clearer reason).
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/OFD)"),
    (b"\xd0\xcf\x11\xe0", "an Office document (DOC/XLS/WPS)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)

_BIG5_ENCODINGS = {"big5", "big5hkscs", "cp950"}
_CHINESE_ENCODINGS = {"gb18030", "gbk", "gb2312", "hz", "cp936"} | _BIG5_ENCODINGS
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3400-\u9fff]")


class DecodeError(ValueError):
    """The file cannot be read as a page; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises DecodeError with a plain reason."""
    if not data or not data.strip():
        raise DecodeError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, encoding, "byte-order mark"), encoding)
    _refuse_binary(data)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared in _CHINESE_ENCODINGS:
        try:
            return _checked(data.decode(declared), declared)
        except UnicodeDecodeError:
            pass
    try:
        return _checked(*_decode_chinese(data))
    except DecodeError:
        # A page that declares a Western charset and really is in it.
        if declared and declared not in _CHINESE_ENCODINGS:
            try:
                return _checked(data.decode(declared), declared)
            except UnicodeDecodeError:
                pass
        raise


def _strict(data: bytes, encoding: str, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"undecodable: not valid {encoding} despite its {why} (byte {exc.start})") from exc


def _refuse_binary(data: bytes) -> None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"binary file ({what}), not a saved page")
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes)")
    controls = sum(1 for byte in data if byte < 0x20 and byte not in b"\t\n\r\x0c") + data.count(0x7F)
    if controls > max(2, len(data) * MAX_CONTROL_RATIO):
        raise DecodeError(f"binary file ({controls} control characters in {len(data)} bytes)")


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    # GB2312 and GBK pages routinely contain GB18030-only characters.
    if name in {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80"}:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_chinese(data: bytes) -> tuple[str, str]:
    """Big5 when charset-normalizer says so; otherwise GB18030 when it decodes
    strictly and charset-normalizer agrees, or the result reads as Chinese."""
    best = from_bytes(data).best()
    guess = best.encoding.lower() if best is not None else None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if best is not None and guess in _BIG5_ENCODINGS:
        return str(best), guess
    if text is not None and (guess in _CHINESE_ENCODINGS or _looks_chinese(text)):
        return text, "gb18030"
    detail = f"best guess {guess}" if guess else "no encoding fits"
    raise DecodeError(f"undecodable: neither UTF-8 nor GB18030/GBK text ({detail})")


def _looks_chinese(text: str) -> bool:
    """Most non-ASCII characters of real Chinese text are CJK ideographs or
    CJK punctuation; GB18030 applied to other bytes gives rarer characters."""
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return True
    cjk = sum(1 for c in non_ascii if _CJK.match(c) or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk / len(non_ascii) >= 0.8


def _checked(text: str, encoding: str) -> tuple[str, str]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DecodeError("empty file")
    if "\x00" in text:
        raise DecodeError("binary file (contains NUL characters)")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) * MAX_CONTROL_RATIO):
        raise DecodeError(f"binary file ({controls} control characters)")
    return text, encoding
