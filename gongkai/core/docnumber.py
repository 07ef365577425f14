"""发文字号 (document numbers), GB/T 9704-2012 §7.2.5.

A document number is issuer code + full year in 〔〕 + serial without leading
zeros or 第, followed by 号: `渝府办发〔2018〕76号`. People type many variants;
`parse` normalises them and says whether it had to, and keeps an unparsable
number as typed (flagged), never dropping it.
"""

import re
from dataclasses import dataclass

# Brackets people use in place of 〔〕 (六角括号).
_OPEN = "〔[【(（［{｛〖<《"
_CLOSE = "〕]】)）］}｝〗>》"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_PATTERN = re.compile(
    rf"(?P<issuer>[\u4e00-\u9fffA-Za-z0-9]{{1,20}}?)\s*"
    rf"[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*[{re.escape(_CLOSE)}]\s*"
    rf"第?\s*(?P<serial>\d{{1,6}})\s*号"
)
# Year without brackets: 渝府发2018年12号 / 渝府发2018-12号 are seen too.
_PATTERN_BARE = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{1,20}?)\s*(?P<year>(?:19|20)\d{2})\s*[年\-－]?\s*第?\s*(?P<serial>\d{1,6})\s*号"
)

STATUS_STANDARD = "standard"  # typed in the GB/T 9704 form
STATUS_NORMALISED = "normalised"  # a variant, rewritten to the standard form
STATUS_UNPARSED = "unparsed"  # kept as typed, flagged for a person


@dataclass(frozen=True)
class DocumentNumber:
    raw: str
    text: str  # standard form, or the raw text when unparsed
    issuer_code: str = ""
    year: int | None = None
    serial: int | None = None
    status: str = STATUS_UNPARSED

    @property
    def parsed(self) -> bool:
        return self.status != STATUS_UNPARSED


def format_number(issuer_code: str, year: int, serial: int) -> str:
    return f"{issuer_code}〔{year}〕{serial}号"


def _clean(text: str) -> str:
    text = text.translate(_FULLWIDTH_DIGITS)
    return re.sub(r"\s+", "", text.strip())


def parse(raw: str) -> DocumentNumber:
    """Parse one document number. Never raises; empty input gives an unparsed empty number."""
    raw = (raw or "").strip()
    cleaned = _clean(raw)
    match = _PATTERN.fullmatch(cleaned) or _PATTERN_BARE.fullmatch(cleaned)
    if not match:
        return DocumentNumber(raw=raw, text=raw)
    issuer, year, serial = match["issuer"], int(match["year"]), int(match["serial"])
    if serial == 0:
        return DocumentNumber(raw=raw, text=raw)
    text = format_number(issuer, year, serial)
    status = STATUS_STANDARD if raw == text else STATUS_NORMALISED
    return DocumentNumber(raw=raw, text=text, issuer_code=issuer, year=year, serial=serial, status=status)


# For finding numbers inside running text: issuer must start with a CJK character
# and the brackets must be present (bare years are too ambiguous in prose).
_IN_TEXT = re.compile(
    rf"[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{{0,15}}\s*[{re.escape(_OPEN)}]\s*(?:19|20)[0-9０-９]{{2}}\s*"
    rf"[{re.escape(_CLOSE)}]\s*第?\s*[0-9０-９]{{1,6}}\s*号"
)


# Words that run into an issuer code in prose ("以及渝府办发〔2018〕28号").
_LEAD_WORDS = (
    "以及", "及", "和", "与", "并", "按照", "根据", "依据", "依照", "参照", "落实", "执行", "贯彻",
    "转发", "印发", "现将", "将", "的", "是", "为", "见", "经", "即", "对", "如", "详见", "号文", "文件",
)


def _strip_lead_words(found: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in _LEAD_WORDS:
            rest = found[len(word):]
            if found.startswith(word) and re.match(r"[\u4e00-\u9fff]{2}", rest):
                found, changed = rest, True
    return found


def find_all(text: str) -> list[DocumentNumber]:
    """Every document number in running text, in order, normalised, without repeats."""
    seen: dict[str, DocumentNumber] = {}
    for m in _IN_TEXT.finditer(text or ""):
        number = parse(_strip_lead_words(m.group(0)))
        if number.parsed and number.text not in seen:
            seen[number.text] = number
    return list(seen.values())
