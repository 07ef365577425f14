"""Personal data in a text (个人信息去标识化): the findings that must be masked
or waived before a document is published.

Pure functions, no Django. What is found: mainland resident ID numbers (18
digits with the ISO 7064 MOD 11-2 check character, and the old 15-digit ones),
mobile and landline numbers, bank card numbers (Luhn), e-mail addresses,
passport numbers, natural persons' names and home addresses. False positives
matter as much as misses: a candidate must also be plausible (a real birth
date and province in an ID, a valid check digit), and digits inside a longer
run of digits or letters never match, so document numbers, index numbers,
credit codes and dates are left alone.

Names and addresses are found only in context, because most words that start
with a surname character are ordinary words (王国, 高度, 方案, 万元): a name is
a surname (data/surnames.txt) and one or two given-name characters after a
label (申请人：, 联系人, 户主 …), in a list of persons (a table column headed
姓名, names separated by 、 after such a label, "王某、李某等2户"), or with an
honorific or a gender mark (同志, 先生, 女士, （男）, 男，45岁). Names already
de-identified (张某某, 王*) are not names. A home address is one that goes
down to the building, unit, room or house (…路…号…栋…单元…室, …村…组…号),
or down to the house number after a residence label (住址：, 家住); an organ's
own address in its contact block (地址：… after the organ's name) is not
personal data, nor is an office number labelled as one (咨询电话, 传真,
联系电话 right after an organ's name).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from gongkai.core import creditcode

ID_CARD, ID_CARD_OLD, MOBILE, LANDLINE, BANK_CARD, EMAIL, PASSPORT, NAME, ADDRESS = (
    "id_card", "id_card_15", "mobile", "landline", "bank_card", "email", "passport", "name", "address",
)
KIND_LABELS = {
    ID_CARD: "居民身份证号码",
    ID_CARD_OLD: "居民身份证号码（15位）",
    MOBILE: "手机号码",
    LANDLINE: "固定电话号码",
    BANK_CARD: "银行卡号",
    EMAIL: "电子邮箱",
    PASSPORT: "护照号码",
    NAME: "姓名",
    ADDRESS: "住址",
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


# --- Names and home addresses ---------------------------------------------------

_DATA = Path(__file__).resolve().parent / "data"


def _data_words(name: str) -> list[str]:
    """The words of a data file: separated by white space, # starts a comment line."""
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return [word for line in lines if not line.lstrip().startswith("#") for word in line.split()]


def _alternation(words) -> str:
    """A pattern that matches any of `words` (the longest one where several
    start alike), written as a trie: re tries a|b|c one by one at every
    place, and a trie lets it give up at the first character."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        body = "" if not branches else branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node and body else body

    return pattern(trie)


_SURNAME_WORDS = _data_words("surnames.txt")
SINGLE_SURNAMES = frozenset(w for w in _SURNAME_WORDS if len(w) == 1)
COMPOUND_SURNAMES = frozenset(w for w in _SURNAME_WORDS if len(w) == 2)
# Ordinary words and place names that read as a surname and a given name.
NOT_NAMES = frozenset(_data_words("not_names.txt"))
# The names of the textbook examples (a form that shows how to fill it in).
PLACEHOLDER_NAMES = frozenset({"张三", "李四", "王五", "赵六", "钱七", "孙八"})

# Characters that (almost) never stand in a given name but often right after a
# surname character in ordinary words: function words, pronouns, measure words,
# the suffixes of organisations and places, titles (王局长, 李主任, 张书记) and
# 某 (张某某 is already de-identified).
_GIVEN_STOP = (
    "的了着过们些个位员部体者务事办机关于是在与及或等被把将对向从给让由以之其该此本各每所这那哪么"
    "怎则因并且而但也都还又已未不没无需要须得地上下内外前后间期时年日号亿项条款章节次件份类种型"
    "式性率度量额费局厅委室科股院校站队组村镇乡县市省区街路巷弄栋幢楼层户座厂店社属任记师傅当人某你我"
    "他她它您谁总理副秘主席表医护警官律计教爷姨奶叔姐哥氏先女同府井港河口油案处籍贯系目龄负责导联码打"
    "：:，,。；;、（）()【】《》“”\"'？！?!…—－-"
)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_SURNAME = "(?:" + "|".join(sorted(COMPOUND_SURNAMES)) + "|[" + "".join(sorted(SINGLE_SURNAMES)) + "])"
_GIVEN = f"(?:(?![{re.escape(_GIVEN_STOP)}])[{_CJK}])"
_NAME = f"{_SURNAME}{_GIVEN}{{1,2}}"
# Words after which a name may stand right before one of these.
_PREPOSITIONS = set("向对给由与和及将把被请经让同跟从为于令派")


def surname_of(name: str) -> str:
    """The surname of a name (compound surnames first: 欧阳娜娜 -> 欧阳)."""
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2]
    return name[:1]


def is_plausible_name(text: str) -> bool:
    """A surname and one or two given-name characters, not an ordinary word,
    a place name or a de-identified name (王某, 张**)."""
    if text in NOT_NAMES or text in PLACEHOLDER_NAMES:
        return False
    for surname in (text[:2], text[:1]):
        given = text[len(surname):]
        if ((surname in COMPOUND_SURNAMES or (len(surname) == 1 and surname in SINGLE_SURNAMES))
                and 1 <= len(given) <= 2 and all(_is_given_char(c) for c in given)):
            return True
    return False


def _is_given_char(c: str) -> bool:
    return ("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf") and c not in _GIVEN_STOP


# Labels after which a natural person's name stands (申请人：王小明).
_PERSON_LABELS = (
    "姓名", "申请人姓名", "户主姓名", "申请人", "联系人", "当事人", "户主", "公示对象", "被处罚人", "经营者",
    "投诉人", "举报人", "信访人", "来信人", "来访人", "反映人", "咨询人", "求助人", "受助人", "救助对象",
    "保障对象", "补助对象", "低保对象", "特困对象", "供养对象", "帮扶对象", "资助对象", "监测对象", "领取人",
    "收款人", "户名", "持卡人", "开户人", "代理人", "法定代理人", "监护人", "委托人", "受托人", "被征收人",
    "被拆迁人", "产权人", "房屋所有权人", "所有权人", "权利人", "承包人", "承包户", "租户", "违法行为人",
    "违法嫌疑人", "犯罪嫌疑人", "嫌疑人", "被告人", "上诉人", "被上诉人", "原告", "被告", "第三人", "受害人",
    "被害人", "死者", "遇难者", "伤者", "患者", "驾驶人", "驾驶员", "车主", "经办人", "承办人", "村民", "居民",
    "农户", "低保户", "贫困户", "五保户", "困难户", "职工", "学生", "考生", "家属", "配偶", "之子", "之女",
    "其子", "其女", "其妻", "其夫", "其父", "其母",
    # the heading of a list of persons (公示名单如下：王小明、李红；获奖人员：…)
    "名单如下", "名单", "人员如下", "人员",
)
# 法定代表人 / 负责人 of a company is public business information; of an
# individual business (个体工商户) it is a natural person's name.
_INDIVIDUAL_BUSINESS_LABELS = ("法定代表人", "负责人")
_INDIVIDUAL_BUSINESS = re.compile(r"个体工商户|个体户|个体经营")
_LABEL_RE = re.compile(
    "(?P<label>" + _alternation(_PERSON_LABELS + _INDIVIDUAL_BUSINESS_LABELS) + ")"
    r"(?:（[^（）\n]{1,8}）|\([^()\n]{1,8}\))?(?:[：:][ \t\u3000\n]*|[ \t\u3000]*)"
)
# What may follow a name right after a label: a break, a gender or age, a
# verb of the sentence (申请人王小明申请公开 …).
_AFTER_LABEL = (
    r"[\s，,。．.；;：:、（(）)”\"’'/|｜\]】〕》>]|$|同志|先生|女士|等|[0-9０-９]|申请|提出|反映|要求|诉称|称|不服|因|于"
    r"|在|向|对|与|和|及|的|家|户|现|已|将|被|之|身份|性别|电话|联系|手机|住|男|女|签|户籍|出生|年龄|民族"
)
_LABELLED_NAME = re.compile(f"({_NAME})(?={_AFTER_LABEL})")
# The next name of a list (王小明、李红（女）、张伟同志).
_LIST_EXTRA = r"(?:（[^（）\n]{1,12}）|\([^()\n]{1,12}\))?(?:同志|先生|女士)?"
_LIST_NEXT = re.compile(
    _LIST_EXTRA + r"(?:[、，,][ \t\u3000]*|[ \t\u3000]+|[ \t\u3000]*\n[ \t\u3000]*)"
    f"({_NAME})(?=[\\s、，,。；;：:（()）]|$|等|同志|先生|女士)"
)
# What marks the name right before it: an honorific, a gender, an ID number.
_NAME_MARK = re.compile(
    r"(?=[同先女（(，,、])(?:同志|先生|女士|[（(][男女][）),，、]|[，,、][ \t]?[男女][，,、]|[，,（(][ \t]?(?:身份证|公民身份|居民身份))"
)
_NAME_ONLY = re.compile(_NAME)
# 王小明：⏎你于2024年3月1日提出的……（a reply letter's salutation, the letter
# speaking to the person right after it）
_SALUTATION = re.compile(
    f"(?m)^[ \t\u3000]*({_NAME})(?:同志|先生|女士)?[：:][ \t\u3000]*(?:\n[ \t\u3000]*)?(?:你|您)"
)
# 王小明、李红等2户 / 王小明、李红等人: the names before 等.
_AND_OTHERS = re.compile(r"等(?:[0-9０-９]+|[一二三四五六七八九十两]+)?(?:户|人|名|位|家庭|同志)")
_NAME_LIST_BEFORE = re.compile(f"((?:[{_CJK}]{{2,4}}、)+[{_CJK}]{{2,4}})$")
# The header of a table column that holds persons' names.
_NAME_HEADERS = frozenset({
    "姓名", "户主姓名", "申请人姓名", "申请人", "户主", "救助对象", "救助对象姓名", "保障对象", "补助对象",
    "对象姓名", "学生姓名", "考生姓名", "被征收人", "被征收人姓名", "产权人", "权利人", "承包户", "承包人",
    "户名", "受助人", "领取人", "人员姓名", "职工姓名", "患者姓名", "家庭成员姓名", "成员姓名", "收款人",
})
_HEADER_CELL = re.compile(
    "(?m)(?:" + _alternation(_NAME_HEADERS | {"姓 名", "姓\u3000名", "姓  名"}) + r")(?=[\t,，|｜ \u3000]|$)"
)
_CELL_SPLIT = re.compile(r"\t|,|，|\||｜| {2,}|\u3000+")
_SPACE_SPLIT = re.compile(r"[ \t\u3000]+")
_SEQUENCE = re.compile(r"[0-9０-９]{1,5}")
_PROSE = re.compile(r"[。；;！？]")


def _trim_preposition(text: str, start: int, end: int) -> tuple[int, int]:
    """向李明同志 -> 李明: a three-character candidate whose first character is a
    preposition before another surname."""
    if end - start == 3 and text[start] in _PREPOSITIONS and _NAME_ONLY.fullmatch(text, start + 1, end):
        return start + 1, end
    return start, end


def _labelled_names(text: str, spans: list[tuple[int, int]]) -> None:
    for label in _LABEL_RE.finditer(text):
        if label.group("label") in _INDIVIDUAL_BUSINESS_LABELS and not _INDIVIDUAL_BUSINESS.search(
                text, max(0, label.start() - 80), label.start() + 80):
            continue
        found = _LABELLED_NAME.match(text, label.end())
        while found and is_plausible_name(found.group(1)):
            spans.append(found.span(1))
            found = _LIST_NEXT.match(text, found.end(1))


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """The name that ends at `end` (the longest reading: 欧阳娜娜 before 阳娜娜),
    without a preposition before it (向李明同志 -> 李明)."""
    for length in (4, 3, 2):
        if end - length >= 0 and _NAME_ONLY.fullmatch(text, end - length, end):
            start, stop = _trim_preposition(text, end - length, end)
            if is_plausible_name(text[start:stop]):
                return start, stop
    return None


def _marked_names(text: str, spans: list[tuple[int, int]]) -> None:
    for mark in _NAME_MARK.finditer(text):
        found = _name_before(text, mark.start())
        if found:
            spans.append(found)
    for found in _SALUTATION.finditer(text):
        if is_plausible_name(found.group(1)):
            spans.append(found.span(1))
    for others in _AND_OTHERS.finditer(text):
        names = _NAME_LIST_BEFORE.search(text, max(0, others.start() - 60), others.start())
        if not names:
            continue
        items, offset = names.group(1).split("、"), names.start(1)
        if not all(is_plausible_name(n) for n in items[1:]):
            continue
        first = _name_before(text, offset + len(items[0]))
        if first and first[0] >= offset:
            spans.append(first)
        offset += len(items[0]) + 1
        for name in items[1:]:
            spans.append((offset, offset + len(name)))
            offset += len(name) + 1


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in _CELL_SPLIT.split(line)]
    if len(cells) < 2:
        cells = _SPACE_SPLIT.split(line.strip())
    return cells


def _header(cell: str) -> str:
    return re.sub(r"[\s\u3000]+", "", cell)


class _Lines:
    """The lines of a text around a place, read on demand (a table is a
    small part of a long text: the whole text is not split)."""

    def __init__(self, text: str):
        self.text = text

    def start_of(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def end_of(self, start: int) -> int:
        end = self.text.find("\n", start)
        return len(self.text) if end < 0 else end

    def line(self, start: int) -> str:
        return self.text[start:self.end_of(start)]

    def next(self, start: int) -> int | None:
        end = self.end_of(start)
        return end + 1 if end < len(self.text) else None

    def previous(self, start: int) -> int | None:
        return self.start_of(start - 1) if start > 0 else None


def _table_names(text: str, spans: list[tuple[int, int]]) -> None:
    """Names in a table whose column is headed 姓名: rows of cells split by
    tabs, commas or spaces (a spreadsheet, a CSV, a table pasted as text), or
    one cell a line (a table of a Word file or a web page)."""
    lines, done = _Lines(text), -1
    for header in _HEADER_CELL.finditer(text):
        start = lines.start_of(header.start())
        if start <= done:
            continue  # inside a table already read
        cells = _cells(lines.line(start))
        headers = [_header(c) for c in cells]
        if len(cells) >= 2 and any(h in _NAME_HEADERS for h in headers):
            done = _delimited_rows(lines, start, headers, spans)
        elif len(cells) == 1 and headers[0] in _NAME_HEADERS:
            done = _cell_per_line_rows(lines, start, spans)


def _add_cell(lines: _Lines, start: int, cell: str, spans) -> None:
    at = lines.line(start).find(cell)
    if at >= 0:
        spans.append((start + at, start + at + len(cell)))


def _delimited_rows(lines: _Lines, start: int, headers: list[str], spans) -> int:
    """Read the rows under a header row; where the last row ends."""
    columns = [k for k, h in enumerate(headers) if h in _NAME_HEADERS]
    row = lines.next(start)
    while row is not None:
        line = lines.line(row)
        cells = _cells(line)
        if len(cells) < 2 or (_PROSE.search(line) and len(line) > 40):
            break
        if len(cells) == len(headers):
            for k in columns:
                if is_plausible_name(cells[k]):
                    _add_cell(lines, row, cells[k], spans)
        else:  # merged or empty cells: only a name unlike any ordinary word
            for cell in cells:
                if len(cell) >= 3 and is_plausible_name(cell):
                    _add_cell(lines, row, cell, spans)
        start, row = row, lines.next(row)
    return start


def _cell_per_line_rows(lines: _Lines, start: int, spans) -> int:
    """One cell a line: the header is the run of short lines around 姓名; a
    row starts with its sequence number when the first column is 序号."""
    first = start
    for _ in range(15):
        before = lines.previous(first)
        if before is None or not _is_header_cell(lines.line(before)):
            break
        first = before
    last = start
    for _ in range(15):
        after = lines.next(last)
        if after is None or not _is_header_cell(lines.line(after)):
            break
        last = after
    headers, at = [], first
    while at is not None and at <= last:
        headers.append(_header(lines.line(at)))
        at = lines.next(at)
    if "序号" in headers[:-1]:  # a title line above the header is not a column
        cut = headers.index("序号")
        if any(h in _NAME_HEADERS for h in headers[cut:]):
            headers = headers[cut:]
    column = next(k for k, h in enumerate(headers) if h in _NAME_HEADERS)
    numbered = headers[0] == "序号"
    row, place = lines.next(last), None
    while row is not None:
        cell = lines.line(row).strip()
        if not cell or len(cell) > 40 or (_PROSE.search(cell) and len(cell) > 12):
            break
        if numbered:
            place = 0 if _SEQUENCE.fullmatch(cell) else None if place is None else place + 1
        else:
            place = 0 if place is None else (place + 1) % len(headers)
        if is_plausible_name(cell) and (place == column or len(cell) >= 3):
            _add_cell(lines, row, cell, spans)
        last, row = row, lines.next(row)
    return last


def _is_header_cell(line: str) -> bool:
    cell = _header(line)
    if cell in _NAME_HEADERS:
        return True
    return 0 < len(cell) <= 12 and not re.search(r"[0-9０-９。；，,]", cell) and not is_plausible_name(cell)


def _name_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    _labelled_names(text, spans)
    _marked_names(text, spans)
    _table_names(text, spans)
    return spans


# Addresses. A number is Arabic (full or half width) or Chinese.
_NUM = r"(?:[0-9０-９]{1,5}|[一二三四五六七八九十百零〇两]{1,4})"
_DASH = r"[-－—]?"
_ROOM_PART = rf"(?:{_NUM}(?:号楼|栋|幢|座|单元|楼|层|室|号|户|房))"
_ADDRESS_TAIL = re.compile(
    # …号…栋…单元…室, …小区…幢…号, …号楼3-2-401
    rf"(?:{_NUM}号{_DASH})?(?:附{_NUM}号{_DASH})?{_NUM}(?:号楼|栋|幢|座){_DASH}"
    rf"(?:{_NUM}单元|{_NUM}(?:楼|层){_DASH}{_NUM}(?:室|号|户)|{_NUM}(?:室|号|户|房)|[0-9]{{1,2}}[-－][0-9]{{3,4}}(?![0-9]))"
    # …路…号…室, …弄…号…室
    rf"|{_NUM}(?:号|弄){_DASH}{_NUM}(?:号{_DASH}{_NUM})?(?:室|房)"
    # …村…组…号
    rf"|(?:村|社区|居委会)[^\s，。；,;、：:（(]{{0,8}}?第?{_NUM}(?:组|社|村民小组|队){_DASH}{_NUM}号"
    # …街道…社区…号楼
    rf"|社区[^\s，。；,;、：:（(]{{0,10}}?{_NUM}(?:号楼|栋|幢)"
)
# Where a tail may be: the search for one runs only around these (linear and fast).
_ADDRESS_TRIGGER = re.compile(rf"号楼|[栋幢座室房]|[组社队]{_DASH}{_NUM}号")
_NUMERAL = frozenset("0123456789０１２３４５６７８９一二三四五六七八九十百零〇两")
# More parts after the tail: 3单元401室, or 2单元1501 (the room without 室).
_ADDRESS_MORE = re.compile(rf"(?:{_DASH}{_ROOM_PART})*(?:(?<=[元楼层]){_DASH}[0-9０-９]{{2,4}}(?![0-9０-９]))?")
_ADDRESS_CHAR = re.compile(rf"[{_CJK}0-9０-９A-Za-zＡ-Ｚ\-－—#＃]")
# Where an address starts inside a run of text: after its label.
_ADDRESS_LABEL = re.compile(
    r"(?:家庭住址|家庭地址|现住址|住址|家住|现住|现居住地|居住地址|居住地|居住在|住所地|住所|户籍地址|户籍所在地"
    r"|户籍地|经常居住地|送达地址|通讯地址|通信地址|联系地址|邮寄地址|收件地址|办公地址|单位地址|办公地点|地址"
    r"|坐落于|位于|住(?![宅房户所]))[：:]?"
)
_RESIDENCE_LABELS = ("家庭住址", "家庭地址", "现住址", "住址", "家住", "现住", "现居住地", "居住地址", "居住地",
                     "居住在", "住所地", "住所", "户籍地址", "户籍所在地", "户籍地", "经常居住地", "住")
_OFFICE_ADDRESS_LABELS = ("办公地址", "单位地址", "办公地点")
# A short address after a residence label: down to the house number.
_RESIDENCE = re.compile(
    "(?:" + _alternation(_RESIDENCE_LABELS) + r")(?<!住(?=[宅房户所]))[：:]?[ \t\u3000]*"
    rf"([{_CJK}0-9０-９A-Za-z\-－]{{0,30}}?(?:路|街|大道|巷|弄|胡同|里|村|组|社|小区|苑|院|屯|庄)"
    rf"(?:{_NUM}段|[东西南北中]段)?{_DASH}{_NUM}号)"
)
# Policy text about a place, not a person's home (…社区5号楼加装电梯工程).
_PLACE_WORK = re.compile(r"[^\n，。；]{0,3}?(?:改造|工程|项目|加装|电梯|建设|维修|施工|拆除|整治|修缮|提升|安装|片区|地块|门前|楼顶|屋面|外立面|管网|周边|附近)")
_MAX_ADDRESS = 40


def _address_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each home address; label is the one before it."""
    spans, done = [], 0
    for trigger in _ADDRESS_TRIGGER.finditer(text):
        at = trigger.start()
        if at < done or (text[at] not in "组社队" and (at == 0 or text[at - 1] not in _NUMERAL)):
            continue
        tail = next((m for m in _ADDRESS_TAIL.finditer(text, max(done, at - 30), at + 30) if m.start() <= at < m.end()),
                    None)
        if tail is None:
            continue
        end = done = _ADDRESS_MORE.match(text, tail.end()).end()
        if _PLACE_WORK.match(text, end):
            continue
        start = tail.start()
        while start > 0 and tail.end() - start < _MAX_ADDRESS and _ADDRESS_CHAR.match(text, start - 1):
            start -= 1
        start, label = _after_address_label(text, start, tail.start())
        spans.append((start, end, label))
    for found in _RESIDENCE.finditer(text):
        end = _ADDRESS_MORE.match(text, found.end()).end()
        if not _PLACE_WORK.match(text, end):
            spans.append((found.start(1), end, "住址"))
    return spans


def _after_address_label(text: str, start: int, tail_start: int) -> tuple[int, str]:
    """Where the address starts after the last label in text[start:tail_start],
    and that label ("" when none, then the label right before the run)."""
    last = None
    for label in _ADDRESS_LABEL.finditer(text, start, tail_start):
        last = label
    if last is not None:
        return last.end(), last.group().rstrip("：:")
    before = _ADDRESS_LABEL_BEFORE.search(text, max(0, start - 12), start)
    return start, before.group(1).rstrip("：:") if before else ""


_ADDRESS_LABEL_BEFORE = re.compile(r"(" + _ADDRESS_LABEL.pattern + r")[ \t\u3000]*$")

# An organ's contact block: 泰州市人民政府办公室（地址：…；邮编：…；电话：…）, or
# one field a line under the organ's name (a gazette's masthead).
_CONTACT_LABELS = (
    "办公地址", "通信地址", "通讯地址", "联系地址", "邮寄地址", "地址", "邮政编码", "邮编", "联系电话", "办公电话",
    "咨询电话", "电话", "传真", "电子邮箱", "电子信箱", "电子邮件", "邮箱", "网址", "网站", "办公时间", "受理时间",
    "工作时间",
)
_CONTACT_FIELD = re.compile(
    "(?:" + "|".join(_CONTACT_LABELS) + r")[：:][^;；，,。\n（）()]*[;；，,]?[ \t\u3000]*"
)
_CONTACT_LINE = re.compile(
    r"[ \t\u3000]*(?:" + "|".join(r"[ \t\u3000]*".join(label) for label in _CONTACT_LABELS) + r")[ \t\u3000：:]"
)
_ORGAN_END = re.compile(
    rf"[{_CJK}]{{2,}}(?:人民政府|政府|委员会|委|局|厅|办公室|办|中心|处|科|股|站|所|院|队|部|室|馆|公司|法院|检察院"
    r"|办事处|街道|窗口|大厅|热线|协会|学会|联合会|银行|分行|支行|医院|学校|集团|派出所|居委会|村委会|管委会|服务站)"
    r"(?:联系方式|联系|咨询|致电|询问)?$"
)


def _after_organ(text: str, pos: int) -> bool:
    """Does the clause before `pos` (a contact label) name an organ, maybe
    with other contact fields between (…信息公开处联系（地址：…；邮编：…；电话：)?
    A label joined to the word before it (办公室电话) is not after a name."""
    if pos > 0 and re.match(f"[{_CJK}]", text[pos - 1]):
        return False
    head = text[max(0, pos - 200):pos]
    lines = head[head.rfind("。") + 1:].split("\n")
    for depth, line in enumerate(reversed(lines)):
        if depth and (_CONTACT_LINE.match(line) or not line.strip()):
            continue  # a field of the block, one a line
        line = _CONTACT_FIELD.sub("", line).rstrip(" \t\u3000，,;；:：、（(")
        if line or depth:
            return bool(_ORGAN_END.search(line))
    return False


# Office numbers: a label that names the number an office's (咨询电话), or a
# plain one (联系电话) right after an organ's name.
_OFFICE_NUMBER_LABELS = (
    "咨询电话", "办公电话", "传真", "传真电话", "监督电话", "举报电话", "值班电话", "投诉电话", "服务电话", "服务热线",
    "咨询热线", "举报热线", "投诉热线", "监督热线", "热线电话", "受理电话", "预约电话", "报名电话", "政务服务热线",
    "监督举报电话", "投诉举报电话", "业务咨询电话", "咨询投诉电话",
)
_PLAIN_NUMBER_LABELS = ("联系电话", "电话", "联系方式", "电 话", "Tel", "TEL", "tel")
_NUMBER_LABEL = re.compile(
    "(?P<label>" + "|".join(sorted(_OFFICE_NUMBER_LABELS + _PLAIN_NUMBER_LABELS, key=len, reverse=True)) + ")"
    r"[：:]?[ \t\u3000]*(?:[0-9０-９()（）+\-－— ]{3,}(?:[、，,/]|或|及|转)[ \t\u3000]*)*$"
)
_PERSON_CONTEXT = re.compile(
    "|".join(label for label in _PERSON_LABELS if len(label) > 1 and label not in ("居民", "学生", "职工", "村民"))
)


def _office_number(text: str, start: int, names: list[int]) -> bool:
    """Is the number at `start` an office's contact number (not personal data)?
    `names` are where the names of the text start, in order."""
    label = _NUMBER_LABEL.search(text, max(0, start - 60), start)
    if label is None:
        return False
    clause = max(text.rfind(stop, 0, label.start()) for stop in "。\n；;") + 1
    if _PERSON_CONTEXT.search(text, clause, start):
        return False
    if bisect.bisect_left(names, clause) < bisect.bisect_left(names, start):
        return False  # a name in the same clause: 王小明，联系电话：…
    if label.group("label") in _OFFICE_NUMBER_LABELS:
        return True
    return _after_organ(text, label.start())


def _organ_address(text: str, start: int, label: str) -> bool:
    if label in _OFFICE_ADDRESS_LABELS:
        return True
    if label in _RESIDENCE_LABELS or not label:
        return False
    at = text.rfind(label, max(0, start - len(label) - 4), start)
    return at >= 0 and _after_organ(text, at)


def _names_and_addresses(text: str) -> list[Finding]:
    found = []
    name_spans = sorted(set(_name_spans(text)))
    for start, end in name_spans:
        found.append(Finding(NAME, start, end, text[start:end]))
    for start, end, label in _address_spans(text):
        if not _organ_address(text, start, label):
            found.append(Finding(ADDRESS, start, end, text[start:end]))
    return found


class _Taken:
    """The places already claimed by a finding, kept sorted: whether a new
    one overlaps is a binary search (a roster of thousands stays fast)."""

    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def claim(self, start: int, end: int) -> bool:
        """Claim [start, end) unless it overlaps a claimed place."""
        at = bisect.bisect_left(self.starts, end)
        if at and self.ends[at - 1] > start:
            return False
        at = bisect.bisect_left(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)
        return True


def scan(text: str, today: dt.date | None = None) -> list[Finding]:
    """Every piece of personal data in `text`, in order; overlaps go to the
    first kind that claims the place (an ID number is not also a bank card)."""
    today = today or dt.date.today()
    text = text or ""
    taken = _Taken()
    found: list[Finding] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if _plausible(kind, match.group(), today) and taken.claim(start, end):
                found.append(Finding(kind, start, end, match.group()))
    extra = _names_and_addresses(text)
    names = sorted(f.start for f in extra if f.kind == NAME)
    found = [f for f in found if f.kind not in (MOBILE, LANDLINE) or not _office_number(text, f.start, names)]
    found.extend(f for f in extra if taken.claim(f.start, f.end))
    return sorted(found, key=lambda f: f.start)


_ADMIN = f"(?:(?![路街巷弄道村镇乡号栋幢楼园苑组社小])[{_CJK}])"
_ADMIN_PREFIX = re.compile(
    f"(?:{_ADMIN}{{2,9}}?(?:省|自治区|特别行政区))?(?:{_ADMIN}{{1,9}}?(?:自治州|市|州|盟|地区))?"
    f"(?:{_ADMIN}{{1,9}}?(?:自治县|区|县|旗|市))?"
)


def mask_value(kind: str, value: str) -> str:
    """The value with its identifying middle replaced by * (e.g. 110101********1234)."""
    if kind in (ID_CARD, ID_CARD_OLD):
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if kind == EMAIL:
        name, _, domain = value.partition("@")
        return name[:1] + "***@" + domain
    if kind == NAME:  # the surname stays: 王小明 -> 王**, 欧阳娜娜 -> 欧阳**
        return surname_of(value) + "**"
    if kind == ADDRESS:  # province, city and district stay: 成都市武侯区****
        return _ADMIN_PREFIX.match(value).group() + "****"
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
