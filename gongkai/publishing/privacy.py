"""Personal data in a text (个人信息去标识化): the findings that must be masked
or waived before a document is published.

Pure functions, no Django. What is found: mainland resident ID numbers (18
digits with the ISO 7064 MOD 11-2 check character, and the old 15-digit ones),
mobile and landline numbers, bank card numbers (Luhn), e-mail addresses and
passport numbers. False positives matter as much as misses: a candidate must
also be plausible (a real birth date and province in an ID, a valid check
digit), and digits inside a longer run of digits or letters never match, so
document numbers, index numbers, credit codes and dates are left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gongkai.core import creditcode

ID_CARD, ID_CARD_OLD, MOBILE, LANDLINE, BANK_CARD, EMAIL, PASSPORT = (
    "id_card", "id_card_15", "mobile", "landline", "bank_card", "email", "passport",
)
KIND_LABELS = {
    ID_CARD: "居民身份证号码",
    ID_CARD_OLD: "居民身份证号码（15位）",
    MOBILE: "手机号码",
    LANDLINE: "固定电话号码",
    BANK_CARD: "银行卡号",
    EMAIL: "电子邮箱",
    PASSPORT: "护照号码",
}
# Province codes of GB/T 2260 (the first two digits of an ID number).
PROVINCES = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Not inside a longer run of letters or digits (\w would also refuse Chinese
# neighbours, which are the usual ones: 身份证号110101…).
_L = r"(?<![0-9A-Za-z])"
_R = r"(?![0-9A-Za-z])"
_PATTERNS = [
    (ID_CARD, re.compile(_L + r"\d{17}[\dXx]" + _R)),
    (BANK_CARD, re.compile(_L + r"(?:\d{4}[ -]){3,4}\d{1,7}" + _R + r"|" + _L + r"\d{16,19}" + _R)),
    (ID_CARD_OLD, re.compile(_L + r"\d{15}" + _R)),
    (MOBILE, re.compile(_L + r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _R)),
    (LANDLINE, re.compile(_L + r"(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-)\s?[2-9]\d{6,7}(?:-\d{1,5})?" + _R)),
    (EMAIL, re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])")),
    (PASSPORT, re.compile(_L + r"(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7})" + _R)),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def masked(self) -> str:
        return mask_value(self.kind, self.text)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "masked": self.masked, "offset": self.start,
                "length": self.end - self.start}


def _birth_date(year: int, month: int, day: int, today: dt.date) -> bool:
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= today


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def is_id_number(text: str, today: dt.date | None = None) -> bool:
    """An 18-digit resident ID: known province, real birth date, right check character."""
    today = today or dt.date.today()
    if len(text) != 18 or not text[:17].isdigit() or int(text[:2]) not in PROVINCES:
        return False
    if not _birth_date(int(text[6:10]), int(text[10:12]), int(text[12:14]), today):
        return False
    return id_check_character(text[:17]) == text[17].upper()


def is_old_id_number(text: str) -> bool:
    """A 15-digit resident ID (before 1999): known province, real 19YY birth date."""
    return (len(text) == 15 and text.isdigit() and int(text[:2]) in PROVINCES
            and _birth_date(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]), dt.date(1999, 12, 31)))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _is_credit_code(text: str) -> bool:
    try:
        creditcode.validate(text)
    except creditcode.CreditCodeError:
        return False
    return True


def _plausible(kind: str, text: str, today: dt.date) -> bool:
    digits = re.sub(r"\D", "", text)
    if kind == ID_CARD:
        return is_id_number(text, today)
    if kind == ID_CARD_OLD:
        return is_old_id_number(text)
    if kind == BANK_CARD:
        # 62 (UnionPay), 4 (Visa), 5 (Mastercard), 3 (JCB/AmEx): the card schemes used in China.
        # An 18-digit unified social credit code (社会组织 codes start with 5) is not a card.
        return (16 <= len(digits) <= 19 and digits[0] in "3456" and luhn_ok(digits)
                and not (len(text) == 18 and _is_credit_code(text)))
    return True


def scan(text: str, today: dt.date | None = None) -> list[Finding]:
    """Every piece of personal data in `text`, in order; overlaps go to the
    first kind that claims the place (an ID number is not also a bank card)."""
    today = today or dt.date.today()
    text = text or ""
    taken: list[tuple[int, int]] = []
    found: list[Finding] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if not _plausible(kind, match.group(), today):
                continue
            taken.append((start, end))
            found.append(Finding(kind, start, end, match.group()))
    return sorted(found, key=lambda f: f.start)


def mask_value(kind: str, value: str) -> str:
    """The value with its identifying middle replaced by * (e.g. 110101********1234)."""
    if kind in (ID_CARD, ID_CARD_OLD):
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if kind == EMAIL:
        name, _, domain = value.partition("@")
        return name[:1] + "***@" + domain
    keep_start = {MOBILE: 3, BANK_CARD: 4, LANDLINE: 4, PASSPORT: 1}.get(kind, 1)
    keep_end = {MOBILE: 4, BANK_CARD: 4, LANDLINE: 2, PASSPORT: 2}.get(kind, 1)
    chars = list(value)
    positions = [i for i, c in enumerate(chars) if c.isalnum()]
    for i in positions[keep_start: len(positions) - keep_end]:
        chars[i] = "*"
    return "".join(chars)


def mask(text: str, findings: list[Finding]) -> str:
    """`text` with each finding masked (what the one-click mask writes back)."""
    out, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[last:finding.start])
        out.append(finding.masked)
        last = finding.end
    out.append(text[last:])
    return "".join(out)
