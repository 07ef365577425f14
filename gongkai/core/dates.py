"""Dates as Chinese government pages write them.

Forms: `2018年7月19日`, `2018 年 07 月 20 日`, `2018-07-20`, `2018/7/19`,
`2018.07.19`, full-width digits (`２０１８年７月１９日`), and Chinese numerals as
GB/T 9704 used to require for 成文日期: `二〇一〇年九月八日`, `二○一二年三月二十五日`
(○, a white circle, stands in for 〇 on many pages), `二〇一〇年十月三十一日`.

Pure functions: no Django. Nothing here raises on bad input; an impossible
date (2月30日) is simply not a date.
"""

import datetime as dt
import re
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 1900, 2099

# Full-width digits and separators to ASCII, one character for one so that
# positions in the translated text are positions in the original.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")

# Chinese numeral digits; 〇 has look-alikes: ○ (U+25CB), 零, Ｏ, O.
_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "Ｏ": 0, "О": 0, "O": 0, "o": 0,  # pages type a letter O for 〇 too
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_DIGIT_CLASS = "〇○零ＯОOo一二三四五六七八九"
_CN_NUMBER_CLASS = _CN_DIGIT_CLASS + "十廿卅"

_YEAR = rf"(?P<y>\d{{4}}|[{_CN_DIGIT_CLASS}]{{4}})"
_MONTH = rf"(?P<m>\d{{1,2}}|[{_CN_NUMBER_CLASS}]{{1,3}})"
_DAY = rf"(?P<d>\d{{1,2}}|[{_CN_NUMBER_CLASS}]{{1,4}})"

_WRITTEN = re.compile(
    rf"(?<![\d{_CN_DIGIT_CLASS}]){_YEAR}\s*年\s*{_MONTH}\s*月\s*{_DAY}\s*日"
)
_NUMERIC = re.compile(r"(?<![\d.\-/])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])")


@dataclass(frozen=True)
class FoundDate:
    """A date found in running text: `text[start:end]` reads as `date`."""

    start: int
    end: int
    date: dt.date
    text: str


def date_text(day: dt.date | None, missing: str = "") -> str:
    """A date as Chinese documents and letters write it: 2024年3月5日 (no
    leading zeros); `missing` when there is no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else missing


def chinese_number(text: str) -> int | None:
    """`九` → 9, `十` → 10, `二十五` → 25, `三十一` → 31, `廿五` → 25,
    `二〇一〇` → 2010 (digit by digit). None for anything else."""
    if not text:
        return None
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" in text:
        tens_text, _, units_text = text.partition("十")
        if "十" in units_text or len(tens_text) > 1 or len(units_text) > 1:
            return None
        tens = _CN_DIGITS.get(tens_text) if tens_text else 1
        units = _CN_DIGITS.get(units_text) if units_text else 0
        if tens is None or units is None or tens == 0:
            return None
        return tens * 10 + units
    value = 0
    for char in text:
        digit = _CN_DIGITS.get(char)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_number(text)


def make_date(year, month, day) -> dt.date | None:
    """A date from its parts (ints or numeral strings), or None if impossible."""
    try:
        y, m, d = (part if isinstance(part, int) else _number(part) for part in (year, month, day))
        if y is None or m is None or d is None or not MIN_YEAR <= y <= MAX_YEAR:
            return None
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every valid date in `text`, in order of position. Invalid ones are skipped."""
    if not text:
        return []
    ascii_text = text.translate(_HALF_WIDTH)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_WRITTEN, _NUMERIC):
        for match in pattern.finditer(ascii_text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            date = make_date(match["y"], match["m"], match["d"])
            if date is None:
                continue
            taken.append((start, end))
            found.append(FoundDate(start, end, date, text[start:end]))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str) -> dt.date | None:
    """The date that `text` is (surrounding spaces allowed), or None.
    A trailing time of day (`2015-11-21 14:02:40`) is allowed and ignored."""
    text = (text or "").strip()
    if not text:
        return None
    found = find_dates(text)
    if not found or found[0].start != 0:
        return None
    rest = text[found[0].end:].strip()
    if rest and not re.fullmatch(r"\d{1,2}[:：]\d{2}([:：]\d{2})?", rest):
        return None
    return found[0].date


def first_date(text: str) -> dt.date | None:
    """The first valid date anywhere in `text`, or None."""
    found = find_dates(text)
    return found[0].date if found else None


def is_chinese_numeral_date(found: FoundDate) -> bool:
    """True for 二〇一〇年九月八日-style dates (the year written in Chinese numerals)."""
    return bool(found.text) and found.text[0] in _CN_DIGIT_CLASS
