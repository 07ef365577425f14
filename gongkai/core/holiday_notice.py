"""Reading the State Council's holiday notice (节假日安排的通知) into dates.

Each year the State Council's General Office publishes 《国务院办公厅关于YYYY年
部分节假日安排的通知》 (and, now and then, an amendment such as 《关于调整2019年
劳动节假期安排的通知》). Every office updates its working-day calendar from it
the day it comes out; `read_notice` turns the notice's text (a saved page or
plain text) into the year, the days off and the adjusted working days, so
that the office can do the same here (`gongkai calendar read-notice`, the
staff calendar page).

The wordings read are those real notices have used over the years:

- a range, with the rest of the dates written short: ``2月10日至17日放假调休，共8天``,
  ``1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）``, across the year
  end: ``2018年12月30日至2019年1月1日``; every day of the range is off,
  weekends inside it included;
- a single day: ``5月1日放假``, ``6月10日放假，与周末连休``, ``1月1日（周三）放假1天，不调休``,
  ``1月1日放假，1月2日（星期一）补休``;
- adjusted working days: ``2月4日（星期日）、2月18日（星期日）上班``;
- two festivals in one item: ``中秋节、国庆节：10月1日至8日``;
- an amendment's numbered lines under 现将调整2019年劳动节放假安排通知如下;
- full- or half-width punctuation, 周/星期, traditional characters.

Nothing is guessed. The text is refused (`NoticeError`, with a message in
Chinese saying what did not fit) when it names no year or no holiday item,
when a stated range's length contradicts its 共N天, when a weekday in
brackets is not that date's weekday (a wrong year), when an adjusted working
day is not a Saturday or Sunday, when a date is both off and a working day,
or when a date is left without 放假 or 上班. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from .dates import date_text

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# Short and older names → the name used here.
_FESTIVAL_ALIASES = {"清明": "清明节", "五一": "劳动节", "国际劳动节": "劳动节", "端午": "端午节",
                     "中秋": "中秋节", "国庆": "国庆节"}
_FEST = "|".join(sorted([*FESTIVALS, *_FESTIVAL_ALIASES], key=len, reverse=True))
_FEST_LIST = rf"(?:{_FEST})(?:[、,和及与](?:{_FEST}))*"

# Traditional characters of the words this reader looks for (notices are
# often reposted in traditional script).
_TRADITIONAL = str.maketrans({
    "節": "节", "慶": "庆", "勞": "劳", "動": "动", "調": "调", "補": "补", "週": "周", "連": "连",
    "與": "与", "曆": "历", "臘": "腊", "國": "国", "務": "务", "辦": "办", "廳": "厅", "關": "关",
    "於": "于", "號": "号", "現": "现", "將": "将", "發": "发", "電": "电",
})

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_WEEKDAY_WORDS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = "一二三四五六日"

_NUMBERING = r"(?:[一二三四五六七八九十]+、|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+[.、])"
_HEADER = re.compile(rf"^{_NUMBERING}?(?P<names>{_FEST_LIST}):(?P<body>.*)$")
_NUMBERED_LINE = re.compile(rf"^{_NUMBERING}")
_HAS_DATE = re.compile(r"\d{1,2}月\d{1,2}日")
_ACTION = re.compile(r"放假|补休|上班")
_YEAR_INTRO = re.compile(rf"现将(?P<amend>调整)?(\d{{4}})年(?:度)?(?P<names>{_FEST_LIST})?")
_YEAR_TITLE = re.compile(r"关于(?P<amend>调整|延长)?(\d{4})年[^\n]{0,20}?(?:节假日|假期|放假)")
_NUMBER = re.compile(r"国办发(?:明电)?〔\d{4}〕\d+号")
_TITLE = re.compile(r"国务院办公厅关于[^\n。]{2,40}?的通知")

_NUM = r"\d+|[一二三四五六七八九十两]+"
_DATE = r"(?:(?P<{p}y>\d{{4}})年)?(?P<{p}m>\d{{1,2}})月(?P<{p}d>\d{{1,2}})日(?:\((?P<{p}w>[^()]*)\))?"
_TOKEN = re.compile(
    "(?P<date>" + _DATE.format(p="a") + r"(?:(?:至|到|~|-|—|–)(?:(?P<by>\d{4})年)?(?:(?P<bm>\d{1,2})月)?"
    r"(?P<bd>\d{1,2})日(?:\((?P<bw>[^()]*)\))?)?)"
    r"|(?P<dayonly>(?<=、)(?P<cd>\d{1,2})日(?:\((?P<cw>[^()]*)\))?)"
    r"|(?P<paren>\([^()]*\))"
    rf"|(?P<off>放假(?:(?P<offn>{_NUM})天)?|补休|公休)"
    r"|(?P<work>上班)"
    rf"|(?P<count>共(?P<n>{_NUM})天)"
    r"|(?P<extend>延长)"
)
_EXTENSION = re.compile(r"延长[^。]{0,16}假期")
_EXTENSION_MESSAGE = ("延长假期的通知只写新的截止日，未列出全部放假日期，无法自动读取；"
                      "请在管理后台的“工作日历日期”中逐日录入。")
_KINDS = ("date", "dayonly", "paren", "off", "work", "count", "extend")


class NoticeError(ValueError):
    """The text is not a holiday notice this reader can take; `.message` says
    in Chinese what did not fit (shown on the staff page and the command line)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class NoticeItem:
    festivals: tuple[str, ...]
    days_off: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "、".join(self.festivals)


@dataclass
class Notice:
    year: int
    items: list[NoticeItem]
    title: str = ""
    number: str = ""
    # An amendment (关于调整…的通知) replaces the festivals it names; an annual
    # notice sets the whole year.
    is_amendment: bool = False

    @property
    def days_off(self) -> list[dt.date]:
        return sorted({day for item in self.items for day in item.days_off})

    @property
    def workdays(self) -> list[dt.date]:
        return sorted({day for item in self.items for day in item.workdays})

    @property
    def festivals(self) -> list[str]:
        return [name for item in self.items for name in item.festivals]

    def as_json(self) -> dict:
        return {"year": self.year, "days_off": [d.isoformat() for d in self.days_off],
                "workdays": [d.isoformat() for d in self.workdays]}

    def digest(self) -> str:
        """What the notice says (its year, items and days), not how it is worded or laid out."""
        data = [self.year, [[item.festivals, [d.isoformat() for d in item.days_off],
                             [d.isoformat() for d in item.workdays]] for item in self.items]]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()

    def is_workday(self, day: dt.date) -> bool:
        """The day as this notice makes it: its entries, else Monday to Friday."""
        if day in set(self.workdays):
            return True
        if day in set(self.days_off):
            return False
        return day.weekday() < 5


# --- Text ------------------------------------------------------------------------


def html_text(markup: str) -> str:
    """The visible text of a page, one line per block."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(markup)
    except Exception:  # lxml raises several types for broken markup
        return re.sub(r"<[^>]+>", "\n", markup)
    for node in root.iter("script", "style", "noscript", "template"):
        node.drop_tree()
    for node in root.iter("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "td", "title",
                          "section", "article", "table", "ul", "ol", "dd", "dt"):
        node.tail = "\n" + (node.tail or "")
        if node.tag != "br":
            node.text = "\n" + (node.text or "")
    return root.text_content()


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<\s*(?:html|body|p|div|br|table|head)\b", text[:5000], re.IGNORECASE))


def normalise(text: str) -> list[str]:
    """Lines with full-width forms folded (NFKC), traditional keywords
    simplified, spaces removed (Chinese text needs none), empty lines dropped."""
    if looks_like_html(text):
        text = html_text(text)
    text = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    text = text.replace("（", "(").replace("）", ")")
    lines = []
    for line in text.splitlines():
        line = re.sub(r"\s+", "", line)
        if line:
            lines.append(line)
    return lines


# --- Reading ---------------------------------------------------------------------


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word == "十":
        return 10
    if "十" in word:
        tens, _, ones = word.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(word, 0)


def _canonical_festivals(names: str) -> tuple[str, ...]:
    found = re.findall(_FEST, names)
    return tuple(dict.fromkeys(_FESTIVAL_ALIASES.get(name, name) for name in found))


def _make_date(year: int, month: int, day: int, where: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NoticeError(f"“{where}”中的{year}年{month}月{day}日不是有效日期。") from None


def _check_weekday(day: dt.date, bracket: str | None, where: str) -> None:
    if not bracket:
        return
    match = re.search(r"(?:星期|礼拜|周)([一二三四五六日天])", bracket)
    if match and _WEEKDAY_WORDS[match.group(1)] != day.weekday():
        raise NoticeError(
            f"“{where}”：通知写{date_text(day)}是“{match.group(0)}”，但该日是星期{_WEEKDAY_NAMES[day.weekday()]}"
            f"（请检查通知的年份）。")


class _ItemReader:
    """Reads one item's text: dates collect until 放假/补休 (off) or 上班 (work)."""

    def __init__(self, year: int, item: NoticeItem):
        self.year, self.item = year, item
        self.pending: list[dt.date] = []
        self.last_off: list[dt.date] = []
        self.last_date: dt.date | None = None

    def read(self, text: str) -> None:
        where = f"{self.item.name}：{text}" if self.item.festivals else text
        where = where[:60]
        for match in _TOKEN.finditer(text):
            kind = next(name for name in _KINDS if match.group(name) is not None)
            if kind == "date":
                self.pending.extend(self._dates(match, where))
            elif kind == "dayonly" and self.last_date is not None:
                day = _make_date(self.last_date.year, self.last_date.month, int(match.group("cd")), where)
                _check_weekday(day, match.group("cw"), where)
                self.pending.append(day)
                self.last_date = day
            elif kind == "off":
                if self.pending:
                    self.item.days_off.extend(self.pending)
                    self.last_off, self.pending = self.pending, []
                if match.group("offn"):
                    self._check_count(_number(match.group("offn")), where)
            elif kind == "work":
                for day in self.pending:
                    if day.weekday() < 5:
                        raise NoticeError(
                            f"“{where}”：调休上班日应为周六或周日，{date_text(day)}却是星期"
                            f"{_WEEKDAY_NAMES[day.weekday()]}。")
                self.item.workdays.extend(self.pending)
                self.pending = []
            elif kind == "count":
                self._check_count(_number(match.group("n")), where)
            elif kind == "extend":
                raise NoticeError(f"“{where}”：{_EXTENSION_MESSAGE}")
        if self.pending:
            days = "、".join(date_text(d) for d in self.pending)
            raise NoticeError(f"“{where}”：未能判断{days}是放假还是上班（没有“放假”“补休”或“上班”）。")

    def _dates(self, match: re.Match, where: str) -> list[dt.date]:
        start_year = int(match.group("ay") or self.year)
        start = _make_date(start_year, int(match.group("am")), int(match.group("ad")), where)
        _check_weekday(start, match.group("aw"), where)
        if not match.group("bd"):
            self.last_date = start
            return [start]
        end_month = int(match.group("bm") or start.month)
        if match.group("by"):
            end_year = int(match.group("by"))
        else:
            end_year = start.year + (1 if end_month < start.month else 0)
        end = _make_date(end_year, end_month, int(match.group("bd")), where)
        _check_weekday(end, match.group("bw"), where)
        if end < start:
            raise NoticeError(f"“{where}”：{date_text(start)}至{date_text(end)}的结束日早于开始日。")
        if (end - start).days > 31:
            raise NoticeError(f"“{where}”：{date_text(start)}至{date_text(end)}超过一个月，不像节假日安排。")
        self.last_date = end
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    def _check_count(self, stated: int, where: str) -> None:
        if not self.last_off:
            return
        if len(self.last_off) != stated:
            first, last = self.last_off[0], self.last_off[-1]
            span = date_text(first) if first == last else f"{date_text(first)}至{date_text(last)}"
            raise NoticeError(f"“{where}”：{span}共{len(self.last_off)}天，与通知所写的{stated}天不符。")


def _find_year(lines: list[str]) -> tuple[int, tuple[str, ...], bool]:
    """The notice's year, the festivals its introduction names (for an
    amendment's lines) and whether it amends (调整) rather than sets the year."""
    for line in lines:
        if match := _YEAR_INTRO.search(line):
            return int(match.group(2)), _canonical_festivals(match.group("names") or ""), bool(match.group("amend"))
    for line in lines:
        if match := _YEAR_TITLE.search(line):
            return int(match.group(2)), (), bool(match.group("amend"))
    raise NoticeError("未找到通知所安排的年份：节假日安排的通知应写明“关于YYYY年部分节假日安排”或“现将YYYY年……安排通知如下”。")


def _items(lines: list[str], intro_festivals: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """(festivals, text) of each item: `元旦：…` lines with their continuation
    lines; in an amendment without such headers, the numbered lines that carry
    dates and 放假/上班, for the festivals its introduction names."""
    items: list[tuple[tuple[str, ...], str]] = []
    current: list | None = None
    for line in lines:
        header = _HEADER.match(line)
        if header:
            current = [_canonical_festivals(header.group("names")), header.group("body")]
            items.append(current)  # type: ignore[arg-type]
        elif current is not None and not _NUMBERED_LINE.match(line) and _HAS_DATE.search(line) and _ACTION.search(line):
            current[1] += line
        else:
            current = None
    if items:
        return [(names, text) for names, text in items]
    if intro_festivals:
        return [(intro_festivals, line) for line in lines
                if _HAS_DATE.search(line) and _ACTION.search(line) and not _YEAR_INTRO.search(line)]
    return []


def read_notice(text: str) -> Notice:
    """The year, days off and adjusted working days a holiday notice states
    (HTML or text); NoticeError says in Chinese what did not fit."""
    lines = normalise(text or "")
    if not lines:
        raise NoticeError("内容为空：请粘贴节假日安排通知的全文或上传保存的网页。")
    year, intro_festivals, amendment = _find_year(lines)
    if any(_EXTENSION.search(line) for line in lines):
        raise NoticeError(_EXTENSION_MESSAGE)
    found = _items(lines, intro_festivals)
    if not found:
        raise NoticeError(
            f"没有找到{year}年的节假日安排条目：通知应有“元旦：1月1日放假……”这样按节日写明放假和上班日期的条目。")
    items = []
    for festivals, body in found:
        item = NoticeItem(festivals)
        _ItemReader(year, item).read(body)
        if not item.days_off:
            raise NoticeError(f"“{item.name}：{body[:40]}”：没有写明放假日期。")
        items.append(item)
    _check_consistent(year, items)
    title = next((m.group(0) for line in lines if (m := _TITLE.search(line))), "")
    number = next((m.group(0) for line in lines if (m := _NUMBER.search(line))), "")
    return Notice(year=year, items=items, title=title, number=number, is_amendment=amendment)


def _check_consistent(year: int, items: list[NoticeItem]) -> None:
    off = {day: item.name for item in items for day in item.days_off}
    for item in items:
        for day in item.workdays:
            if day in off:
                raise NoticeError(f"{date_text(day)}在“{off[day]}”中放假，又在“{item.name}”中上班，前后矛盾。")
    for item in items:
        for day in [*item.days_off, *item.workdays]:
            # A year's schedule reaches at most into the days around New Year.
            if not (dt.date(year - 1, 12, 1) <= day <= dt.date(year + 1, 1, 31)):
                raise NoticeError(f"“{item.name}”中的{date_text(day)}不在{year}年的安排范围内。")
