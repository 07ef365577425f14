"""Read a table of publication quotas (信息发布任务数) from a page.

Offices send their units the number of items each must publish (or the
points each must score, 目标分值) in a window: a year, a quarter, a month or a
run of months. `extract_quotas(page)` reads them from

- HTML: every `<table>` (its own rows; header rows of th or of text cells
  only; rowspan and colspan expanded so that each column keeps its header);
  the table with the most unit rows wins, and the page's other tables with
  the same columns join it (one table per section: 县市区, 市级部门), each row
  keeping its section's heading as `group`; the title is a first row across
  the whole table, else its caption, else the nearest short text before it
  (preferring one with 表/任务/附件), else the page's <title>;
- text (or HTML without such a table): rows of cells separated by tabs, two
  or more spaces or `|` (a crawler's text of a table: `a | b | c | d |`);
  the cells of a table one a line (its header cells first); lines of
  unit/number pairs: "市财政局：12条", "1. 市财政局 12条",
  "锦江区 120 青羊区 120", "锦江区120青羊区120";
- grouped lists, where a heading gives the target of the units listed
  after it: "(一)全年任务为50分以上的单位(20个)" over "公安局、财政局、…。",
  or on one line: "每月不少于5条：A、B、C。"

A table (or text row) with two or three unit/number pairs side by side
(单位 | 任务数 | 单位 | 任务数) is read pair after pair, row by row (by 序号
when each pair has one). Section headings ("一、县(市、区)目标分数") become the
rows' `group`.

Pure text processing, no database. Numbers may be written "12", "12条",
"１２" (full-width), "12篇" or "180分"; a cell without a number ("—",
blank) has no value. 序号 columns and 合计/总计/小计 rows are skipped.
Header words are also recognised in traditional characters (單位, 目標分值:
pages from mirror sites), and the pinyin such mirrors add after characters
("區(qū)") is dropped; unit names are otherwise kept as written.

Each row: `unit` as written; `numbers` header → int for every numeric
column; `number` the main column's value: the first numeric column whose
header contains 全年, else 合计, else 任务数, else 数量, else the first
numeric column. `columns` are the numeric columns' headers in order; a
grouped list's column is named after the window its heading states
("全年", "每月", "1-5月") or 任务数. The table also says, per column, the
months it covers (`windows`) and whether its numbers are items or points
(`measures`), the carry-over the page states (`carry`, e.g. "1-5>6-9" for
"1–5月未完成的任务数累计到6–9月") and what a reader should check
(`warnings`: a group that announces 27 units and lists 19, a unit listed twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

DEFAULT_COLUMN = "任务数"
MAIN_KEYWORDS = ("全年", "合计", "任务数", "数量")
UNIT_KEYWORDS = ("单位", "部门", "机构", "名称", "责任")
SERIAL_HEADERS = {"序号", "编号", "序", "no", "no.", "#"}
TOTAL_WORDS = ("合计", "总计", "小计", "总数", "共计")
MAX_NUMBER = 100000
NOT_UNITS = ("电话", "传真", "邮编", "邮政编码", "日期", "时间", "年度", "页", "网址")
POINT_WORDS = ("分值", "分数", "得分", "目标分")
# Words of a sentence, never of a unit's name ("全年发布不少于12条", "共采用…").
SENTENCE_WORDS = ("不少于", "不低于", "不超过", "以上", "以下", "至少", "累计", "完成", "采用", "报送", "发布", "其中",
                  "同比", "增长", "下降", "提高", "减少", "达到", "任务", "要求")
# Header cells of a column of numbers (for tables written one cell a line).
VALUE_HEADER_WORDS = ("任务", "分值", "分数", "条数", "篇数", "数量", "全年", "季度", "合计", "备注", "目标", "得分", "指标")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
# Traditional → simplified for the words this module looks for (headers, totals, windows), not for unit names.
_T2S = str.maketrans(dict(zip(
    "單門機構稱責計總數務標話電傳郵編頁網間時於採報發佈結轉順條個項則區縣級後達類額餘參備註",
    "单门机构称责计总数务标话电传邮编页网间时于采报发布结转顺条个项则区县级后达类额余参备注")))
_NUMBER = re.compile(r"^(\d{1,6})(?:\.0+)?\s*(?:条|篇|件|个|项|次|则|期|分)?$")
_EMPTY = {"", "-", "—", "——", "－", "/", "／", "无", "\\"}
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The pinyin a mirror site adds after a character: 區(qū), 數(shù); after one it could not encode, the "(" is
# often lost too: 分?jǐn)?shù).
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff?])\([a-zü\u00e0-\u00fc\u0100-\u01dc]{1,7}\)|"
                    r"(?<=\?)[a-zü\u00e0-\u00fc\u0100-\u01dc]{1,7}\)")
_SPACED_CHARS = re.compile(r"[\u4e00-\u9fff](?: [\u4e00-\u9fff])+")
_TITLE_WORDS = ("表", "任务", "附件", "分解", "指标")
# "一、", "（一）", "(1)", "第二部分": a section heading (never a row).
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|"
                      r"第[一二三四五六七八九十\d]+[部章节])")
_SERIAL_PREFIX = re.compile(r"^\s*(?:(?:\d{1,3}|[一二三四五六七八九十]+)\s*[.、．)）]\s*(?!\d)|"
                            r"[（(](?:\d{1,3}|[一二三四五六七八九十]+)[)）]\s*)")
# How a unit's name ends (after any "(含编办)"): 财政局, 管委会, 街道办事处, 支行 ...
_UNIT_END = re.compile(r"(?:局|委|办|区|县|市|镇|乡|街道|中心|院|所|站|队|会|行|司|社|馆|厅|部|处|室|府|署|组|台|团|"
                       r"联|协|科|股|场|园|校|厂)$")
_NOT_IN_UNITS = set("《》“”\"〔〕【】[]{}<>=+*#@%")
# One unit/number pair of a text line: "市财政局：12条", "锦江区 120", "锦江区120".
_PAIR = re.compile(r"\s*(?P<unit>[^\d\s：:，,。；;、|]+(?: [^\d\s：:，,。；;、|]+)*?)(?P<gap>\s*[：:]\s*|\s+)?"
                   r"(?P<n>\d{1,6})(?![\d.])\s*(?:条|篇|件|个|项|分|则)?\s*[，,；;、。]?")
_DECLARED = re.compile(r"[（(](\d{1,4})个(?:单位|部门)?[)）]")
_TARGET = re.compile(r"(?P<n>\d{1,6}|[一二三四五六七八九十两百]+)\s*(?P<m>条|篇|分|件|则)")
_TARGET_WORDS = ("任务", "目标", "不少于", "不低于", "以上", "至少", "每月", "每季", "全年", "年度", "分值", "达到", "完成")


# ---------------------------------------------------------------- windows


_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_RANGE = re.compile(rf"({_MONTH})(?:月份?)?(?:-|－|–|—|~|～|〜|至|到)({_MONTH})月")
_ONE_MONTH = re.compile(rf"(?<![\d年])({_MONTH})月(?!底|末|初|前|中|份以前)")
_QUARTER = re.compile(r"(?:第?([一二三四1-4])季度?|[Qq]([1-4]))")
_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_int(text: str) -> int | None:
    """12, "十二", "二十五", "一百" → int (up to 999); None for anything else."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_NUMBERS:
            current = _CN_NUMBERS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


@dataclass(frozen=True)
class Span:
    """The months of the plan's year a number is for: `first`..`last`; with
    `every` "month" (or "quarter") the number is for each month (quarter)
    of them ("每月不少于5条")."""

    first: int = 1
    last: int = 12
    every: str = ""

    @property
    def label(self) -> str:
        if self.every:
            within = "" if (self.first, self.last) == (1, 12) else Span(self.first, self.last).label
            return within + ("每月" if self.every == "month" else "每季度")
        if (self.first, self.last) == (1, 12):
            return "全年"
        if self.last - self.first == 2 and self.first % 3 == 1:
            return f"第{'一二三四'[self.first // 3]}季度"
        if (self.first, self.last) == (1, 6):
            return "上半年"
        if (self.first, self.last) == (7, 12):
            return "下半年"
        return f"{self.first}月" if self.first == self.last else f"{self.first}-{self.last}月"

    @property
    def months(self) -> str:
        """"1-5", "12": the range as the plan's 月份段 writes it."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def window_of(text: str) -> Span | None:
    """The window a column header or a heading names: "1–5月", "1月至5月" →
    months 1–5; "每月"/"月度" → each month ("1-5月每月": each month of 1–5);
    "每季度" → each quarter; "第二季度",
    "Q2" → 4–6; "上半年"/"下半年"; "全年"/"年度" → the year; "3月" → March;
    None when it names none ("任务数", "目标分值")."""
    key = _key(text)
    every = "month" if re.search(r"每个?月|月度|按月|逐月", key) else \
        "quarter" if re.search(r"每个?季度?|按季", key) else ""
    m = _RANGE.search(key)
    if m:
        a, b = _cn_int(m.group(1).lstrip("0")), _cn_int(m.group(2).lstrip("0"))
        return Span(a, b, every) if a and b and 1 <= a <= b <= 12 else None
    if every:
        return Span(every=every)
    m = _QUARTER.search(key)
    if m:
        digit = m.group(1) or m.group(2)
        q = "一二三四".find(digit) + 1 if digit in "一二三四" else int(digit)
        return Span(3 * q - 2, 3 * q)
    if "上半年" in key:
        return Span(1, 6)
    if "下半年" in key:
        return Span(7, 12)
    if re.search(r"全年|年度|每年", key):
        return Span(1, 12)
    m = _ONE_MONTH.search(key)
    if m:
        month = _cn_int(m.group(1).lstrip("0"))
        return Span(month, month) if month and 1 <= month <= 12 else None
    return None


def parse_month_ranges(text: str) -> list[tuple[int, int]]:
    """"1-5,6-9,10-12" (or "1—5月、6—9月、10—12月", "12") → [(1, 5), (6, 9),
    (10, 12)]. ValueError (with a message for the office) when a part is not
    a month range, or the ranges are not in month order without overlap."""
    parts = [p.strip() for p in re.split(r"[,，、;；]+", text or "") if p.strip()]
    if not parts:
        raise ValueError("请填写月份段，如“1-5,6-9,10-12”。")
    out: list[tuple[int, int]] = []
    for part in parts:
        key = _key(part)
        m = re.fullmatch(rf"({_MONTH})(?:月份?)?(?:(?:-|－|–|—|~|～|〜|至|到)({_MONTH})(?:月份?)?)?", key)
        a = _cn_int(m.group(1).lstrip("0")) if m else None
        b = _cn_int((m.group(2) or m.group(1)).lstrip("0")) if m else None
        if not (a and b and 1 <= a <= b <= 12):
            raise ValueError(f"“{part}”不是月份段（应如“1-5”，月份为1至12）。")
        if out and a <= out[-1][1]:
            raise ValueError("各月份段应按月份先后排列、互不重叠。")
        out.append((a, b))
    return out


def months_text(ranges: list[tuple[int, int]]) -> str:
    """[(1, 5), (6, 9), (12, 12)] → "1-5,6-9,12"."""
    return ",".join(Span(a, b).months for a, b in ranges)


_SHORTFALL = ("未完成", "未达到", "未达标", "不足", "欠缺", "差额")
_CARRY_VERB = re.compile(r"累计|结转|顺延|转入|计入|滚动|并入|移至|延至|纳入|加到|补足|补齐")
_NEXT_WINDOW = re.compile(r"^[到至入]?(?:下个?月|次月|下一个?月|下个?季度|下一个?季度|次季度|下一个?周期|下期|下一期)")
_YEAR_END = re.compile(r"^[到至入]?(?:年底|年末|年终|12月底|十二月底|全年|第四季度|四季度)")


def carry_of(text: str) -> str:
    """The carry-over of shortfalls a notice states: "1-5>6-9" for
    "1–5月未完成的任务数累计到6–9月"; several joined by commas; "next" for
    "未完成的任务数结转至下月/下一季度", "last" for "…累计到年底"; "" for none."""
    pairs: list[str] = []
    general = ""
    for sentence in re.split(r"[。；;！!？?\n]", _key(text)):
        if not any(w in sentence for w in _SHORTFALL):
            continue
        verb = _CARRY_VERB.search(sentence)
        if not verb:
            continue
        ranges = list(_RANGE.finditer(sentence))
        before = [m for m in ranges if m.end() <= verb.start()]
        after = [m for m in ranges if m.start() >= verb.end() and m.start() - verb.end() <= 4]
        if before and after:
            a, b = (_span_of(before[-1]), _span_of(after[0]))
            if a and b and a.last < b.first:
                pairs.append(f"{a.months}>{b.months}")
                continue
        rest = sentence[verb.end():]
        if _NEXT_WINDOW.search(rest):
            general = general or "next"
        elif _YEAR_END.search(rest):
            general = general or "last"
    return ",".join(dict.fromkeys(pairs)) if pairs else general


def _span_of(match) -> Span | None:
    a, b = _cn_int(match.group(1).lstrip("0")), _cn_int(match.group(2).lstrip("0"))
    return Span(a, b) if a and b and 1 <= a <= b <= 12 else None


def carry_pairs(spec: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """"1-5>6-9,6-9>10-12" → [((1, 5), (6, 9)), ((6, 9), (10, 12))]; ValueError
    when a part is not "months>months" or carries backwards."""
    out = []
    for part in [p for p in re.split(r"[,，;；、]+", spec or "") if p.strip()]:
        sides = re.split(r"[>＞→]", part)
        if len(sides) != 2:
            raise ValueError(f"“{part}”应写作“1-5>6-9”（未完成部分从前一段结转至后一段）。")
        (a,), (b,) = parse_month_ranges(sides[0]), parse_month_ranges(sides[1])
        if a[1] >= b[0]:
            raise ValueError(f"“{part}”：只能结转至其后的月份段。")
        out.append((a, b))
    return out


def period_columns(columns: list[str], period: str, months: str = "") -> list[str] | None:
    """The columns giving one number per window of a plan, in order:
    per quarter ("quarter": 第一季度…第四季度, Q1…Q4), per month ("month":
    1月…12月) or per run of months ("months", with the plan's 月份段 e.g.
    "1-5,6-9,10-12": columns headed 1-5月, 6—9月 …); None when the table does
    not have all of them."""
    if period == "months":
        try:
            ranges = parse_month_ranges(months)
        except ValueError:
            return None
        by_span = {}
        for column in columns:
            span = window_of(column)
            if span and not span.every:
                by_span.setdefault((span.first, span.last), column)
        found = [by_span.get(r) for r in ranges]
        return found if all(found) else None
    found: dict[int, str] = {}
    for column in columns:
        if period == "quarter":
            m = _QUARTER.search(_key(column))
            digit = (m.group(1) or m.group(2)) if m else ""
            key = "一二三四".find(digit) + 1 if digit in ("一", "二", "三", "四") else int(digit or 0)
        elif period == "month":
            m = re.search(r"(?<!\d)(1[0-2]|[1-9])\s*月", _key(column))
            key = int(m.group(1)) if m and not _RANGE.search(_key(column)) else 0
        else:
            return None
        if key and key not in found:
            found[key] = column
    wanted = 4 if period == "quarter" else 12
    return [found[k] for k in range(1, wanted + 1)] if len(found) == wanted else None


# ---------------------------------------------------------------- result


@dataclass
class QuotaRow:
    unit: str
    number: int | None
    numbers: dict[str, int] = field(default_factory=dict)
    group: str = ""  # the section or group heading the row is listed under ("" when the page has none)


@dataclass
class QuotaTable:
    title: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[QuotaRow] = field(default_factory=list)
    windows: dict[str, Span] = field(default_factory=dict)   # column → the months it is for (when it says)
    measures: dict[str, str] = field(default_factory=dict)   # column → "条" (items) or "分" (points)
    carry: str = ""                                          # see carry_of
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.number or 0 for r in self.rows)

    @property
    def measure(self) -> str:
        """"分" when the main column's numbers are points (目标分值), else "条"."""
        main = main_column(self.columns)
        return self.measures.get(main, "条") if main else "条"

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(r.group for r in self.rows if r.group))

    def suggested_period(self) -> tuple[str, str] | None:
        """The plan period (and 月份段) the table's columns fit: ("quarter", "")
        with a column per quarter, ("month", "") with one per month or a
        每月 target, ("months", "1-5,6-9,10-12") with a column per run of
        months, ("year", "") for a 全年 target; None when it does not say."""
        if period_columns(self.columns, "quarter"):
            return ("quarter", "")
        if period_columns(self.columns, "month"):
            return ("month", "")
        spans = sorted({(s.first, s.last) for s in self.windows.values() if not s.every and s != Span()})
        if len(spans) >= 2 and all(a[1] < b[0] for a, b in pairwise(spans)):
            return ("months", months_text(spans))
        if len(set(self.windows.values())) > 1:
            return None  # targets for different windows (每月 for some units, 全年 for others)
        span = self.windows.get(main_column(self.columns) or "")
        if span is None:
            return None
        if span.every:
            return (span.every, "")
        return ("year", "") if span == Span() else ("months", span.months)


# ---------------------------------------------------------------- text rules


def clean(text: str) -> str:
    """Spaces collapsed; a mirror's pinyin dropped; "达 县" (characters spaced out to align) joined."""
    text = _GLOSS.sub("", _SPACES.sub(" ", text or "").strip())
    return text.replace(" ", "") if _SPACED_CHARS.fullmatch(text) else text


def _compact(text: str) -> str:
    return _SPACES.sub("", text or "")


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """The form words are compared in: no spaces, half-width digits, simplified characters."""
    return _GLOSS.sub("", _compact(text)).translate(_FULL_WIDTH).translate(_T2S).lower()


def parse_number(text: str) -> int | None:
    """12, "12条", "１２", "12.0", "180分" → the number; blanks, dashes and words → None."""
    text = _key(text)
    if text in _EMPTY:
        return None
    m = _NUMBER.match(text)
    if not m:
        return None
    value = int(m.group(1))
    return value if value <= MAX_NUMBER else None


def _is_serial_header(header: str) -> bool:
    return _key(header) in SERIAL_HEADERS


def _is_total(unit: str) -> bool:
    key = _key(unit)
    return any(key.startswith(w) for w in TOTAL_WORDS) or (any(key.endswith(w) for w in TOTAL_WORDS) and len(key) <= 8)


def _looks_like_unit(text: str) -> bool:
    text = clean(text)
    key = _key(text)
    return bool(_CJK.search(text)) and len(text) <= 40 and "。" not in text and not any(w in key for w in NOT_UNITS)


def _named_unit(text: str) -> bool:
    """A unit's name in running text (a pair or a list), not a phrase of a sentence."""
    key = _key(text)
    return (2 <= len(key) <= 30 and _looks_like_unit(text) and not _NOT_IN_UNITS & set(text)
            and not key[0].isdigit() and not any(w in key for w in SENTENCE_WORDS) and window_of(text) is None)


def _unit_ending(text: str) -> bool:
    return bool(_UNIT_END.search(re.sub(r"[（(][^）)]*[)）]$", "", _key(text))))


def _measure(text: str) -> str:
    key = _key(text)
    return "分" if any(w in key for w in POINT_WORDS) or re.search(r"\d分", key) or key.endswith("分") else "条"


def main_column(columns: list[str]) -> str | None:
    for word in MAIN_KEYWORDS:
        for column in columns:
            if word in _key(column):
                return column
    return columns[0] if columns else None


# ---------------------------------------------------------------- grid → table


def _unique_headers(stacks: list[list[str]]) -> list[str]:
    """One header per column from its stack of header texts (top to bottom):
    the lowest text, prefixed by the ones above it when two columns share it."""
    def distinct(stack):
        out = []
        for text in stack:
            if text and text not in out:
                out.append(text)
        return out

    stacks = [distinct(s) for s in stacks]
    names = [s[-1] if s else "" for s in stacks]
    for i, name in enumerate(names):
        if name and names.count(name) > 1 and len(stacks[i]) > 1:
            names[i] = "·".join(stacks[i])
    return names


def _column_kind(body: list[list[str]], c: int) -> str:
    """"n" (mostly numbers), "t" (mostly text) or "" (empty) for a column of the body."""
    values = [row[c] for row in body if row[c] not in _EMPTY]
    if not values:
        return ""
    return "n" if sum(parse_number(v) is not None for v in values) / len(values) >= 0.5 else "t"


def _pair_width(header: list[list[str]], body: list[list[str]], width: int) -> int:
    """The width of one unit/number group when a row holds several side by
    side (单位 | 任务数 | 单位 | 任务数): the smallest k dividing the width
    whose blocks repeat the same headers and kinds of column; else the width."""
    kinds = [_column_kind(body, c) for c in range(width)]
    for k in range(2, width // 2 + 1):
        if width % k:
            continue
        blocks = width // k
        ok = "t" in kinds[:k] and "n" in kinds[:k]
        for j in range(k):
            cols = [b * k + j for b in range(blocks)]
            if any(len({_key(row[c]) for c in cols}) > 1 for row in header):
                ok = False
            if len({kinds[c] for c in cols} - {""}) > 1:
                ok = False
        if ok:
            return k
    return width


def _from_grid(grid: list[list[str]], header_rows: int | None = None) -> QuotaTable | None:
    """A quota table from a grid of cell texts, or None."""
    if not grid:
        return None
    width = max(len(r) for r in grid)
    grid = [[clean(c) for c in r] + [""] * (width - len(r)) for r in grid]
    keep = [c for c in range(width) if any(row[c] for row in grid)]  # spacer cells, a crawler's trailing "|"
    grid = [[row[c] for c in keep] for row in grid]
    width = len(keep)
    if width < 2:
        return None
    title = ""
    if len(set(grid[0])) == 1 and grid[0][0] and parse_number(grid[0][0]) is None:
        title = grid[0][0]  # a first row across the whole table: its title
        grid = grid[1:]
        header_rows = header_rows - 1 if header_rows else None
        if not grid:
            return None
    if header_rows is None:
        header_rows = 0
        for row in grid:
            if any(parse_number(c) is not None for c in row):
                break
            header_rows += 1
        if header_rows == len(grid):
            return None
    header, body = grid[:header_rows], grid[header_rows:]
    if not body:
        return None
    k = _pair_width(header, body, width)
    if k < width:  # several pairs a row: one after the other
        header = [row[:k] for row in header]
        body = [row[b:b + k] for row in body for b in range(0, width, k) if any(row[b:b + k])]
    found = _read_block(header, body, several=k < width)
    if found:
        found.title = title
    return found


def _read_block(header: list[list[str]], body: list[list[str]], several: bool = False) -> QuotaTable | None:
    width = len(body[0])
    headers = _unique_headers([[row[c] for row in header] for c in range(width)])
    numeric_share = {c: _column_kind(body, c) == "n" for c in range(width)}
    # The unit column: a header that says so, else the first mostly-text column.
    text_columns = [c for c in range(width) if not numeric_share[c]
                    and sum(_looks_like_unit(row[c]) for row in body) >= max(1, len(body) // 2)]
    unit_col = next((c for c in text_columns if any(w in _key(headers[c]) for w in UNIT_KEYWORDS)), None)
    if unit_col is None and text_columns:
        unit_col = text_columns[0]
    if unit_col is None:
        return None
    numeric, serial = [], None
    for c in range(width):
        if c == unit_col or not numeric_share[c]:
            continue
        if _is_serial_header(headers[c]) or (not headers[c] and c < unit_col):  # 序号 (or a header-less 1, 2, 3)
            serial = c if serial is None else serial
            continue
        numeric.append(c)
    if not numeric:
        return None
    names = []
    for c in numeric:
        name = headers[c] or (DEFAULT_COLUMN if len(numeric) == 1 else f"第{c + 1}列")
        while name in names:
            name += "'"
        names.append(name)
    main = main_column(names)
    rows, order = [], []
    for row in body:
        unit = row[unit_col]
        if not unit or _is_total(unit) or not _looks_like_unit(unit):
            continue
        numbers = {}
        for c, name in zip(numeric, names):
            value = parse_number(row[c])
            if value is not None:
                numbers[name] = value
        if not numbers:
            continue
        rows.append(QuotaRow(unit=unit, number=numbers.get(main), numbers=numbers))
        order.append(parse_number(row[serial]) if serial is not None else None)
    if not rows:
        return None
    if several and all(n is not None for n in order):  # pairs side by side, numbered: read by number
        rows = [row for _, row in sorted(zip(order, rows), key=lambda pair: pair[0])]
    return QuotaTable(columns=names, rows=rows, windows={n: w for n in names if (w := window_of(n))},
                      measures={n: _measure(n) for n in names})


class _Collected:
    """Rows gathered from the parts of a page, in page order."""

    def __init__(self):
        self.table = QuotaTable()

    def add(self, part: QuotaTable, group: str = "") -> None:
        for column in part.columns:
            if column not in self.table.columns:
                self.table.columns.append(column)
        for column, span in part.windows.items():
            self.table.windows.setdefault(column, span)
        for column, measure in part.measures.items():
            self.table.measures.setdefault(column, measure)
        for row in part.rows:
            row.group = row.group or group
            self.table.rows.append(row)
        self.table.warnings.extend(part.warnings)

    def result(self) -> QuotaTable:
        seen: dict[str, int] = {}
        for row in self.table.rows:
            seen[_key(row.unit)] = seen.get(_key(row.unit), 0) + 1
        for unit, count in seen.items():
            if count > 1:
                name = next(r.unit for r in self.table.rows if _key(r.unit) == unit)
                self.table.warnings.append(f"“{name}”出现{count}次，请核对。")
        return self.table


# ---------------------------------------------------------------- HTML


def _table_grid(table) -> tuple[list[list[str]], int | None]:
    """The table's own rows (not nested tables') as a grid with spans expanded,
    and the number of leading rows made only of th cells (None if none)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows left) from a rowspan above
    th_rows, counting = 0, True
    for tr in rows:
        cells = tr.xpath("./td | ./th")
        out: list[str] = []
        col = 0

        def fill_pending():
            nonlocal col
            while col in pending:
                text, left = pending[col]
                out.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1

        for cell in cells:
            fill_pending()
            text = clean(cell.text_content())
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for _ in range(colspan):
                out.append(text)
                if rowspan > 1:
                    pending[col] = (text, rowspan - 1)
                col += 1
        fill_pending()
        if counting and cells and all(c.tag == "th" for c in cells):
            th_rows += 1
        else:
            counting = False
        if any(out):
            grid.append(out)
    return grid, (th_rows or None)


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1


def _texts_before(table, root, skip=()) -> list[str]:
    """Short texts before the table, nearest last (none from inside the tables in `skip`)."""
    ancestors = set(table.iterancestors())
    texts: list[str] = []
    for el in root.iter(*_TEXT_TAGS, "table"):
        if el is table:
            break
        if el in ancestors or el.tag == "table" or (skip and any(a in skip for a in el.iterancestors())):
            continue
        text = clean(el.text_content())
        if text and len(text) <= 60 and (not texts or texts[-1] != text):
            texts.append(text)
    return texts


def _title_near(table, root) -> str:
    """The table's caption, else the nearest short text before it, preferring one that names a table."""
    caption = table.find("caption")
    if caption is not None and clean(caption.text_content()):
        return clean(caption.text_content())
    nearest = _texts_before(table, root)[-4:]
    for text in reversed(nearest):
        if any(w in _key(text) for w in _TITLE_WORDS) and not _HEADING.match(text):
            return text
    return nearest[-1] if nearest else ""


_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "center", "td", "th", "li")


def _from_html(markup: str) -> QuotaTable | None:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", markup))
    except (etree.ParserError, ValueError):
        return None
    found_tables = []
    for table in root.iter("table"):
        grid, th_rows = _table_grid(table)
        found = _from_grid(grid, th_rows) if th_rows else None
        found = found or _from_grid(grid)
        if found:
            found_tables.append((found, table))
    if not found_tables:
        return None
    best, best_table = max(found_tables, key=lambda pair: len(pair[0].rows))
    columns = {_key(c) for c in best.columns}
    # The page's other tables with the same columns (a section each), unless one holds the other.
    joined = [(found, table) for found, table in found_tables
              if table is best_table or ({_key(c) for c in found.columns} == columns
                                         and best_table not in table.iterancestors()
                                         and table not in best_table.iterancestors())]
    collected = _Collected()
    tables = {table for _, table in joined}
    for found, table in joined:
        group = ""
        if len(joined) > 1:
            before = [t for t in _texts_before(table, root, skip=tables) if t != found.title]
            group = found.title or (before[-1] if before else "")
        collected.add(found, group)
    result = collected.result()
    first_found, first_table = joined[0]
    result.title = (first_found.title if len(joined) == 1 else "") or _title_near(first_table, root)
    if not result.title:
        title = root.find(".//title")
        result.title = clean(title.text_content()) if title is not None else ""
    body = root.find("body")
    result.carry = carry_of((body if body is not None else root).text_content())
    return result


# ---------------------------------------------------------------- text


def _cells(line: str) -> list[str] | None:
    """The cells of a line written as a table row (`a | b |`, tab-separated,
    or two or more spaces apart), or None for a line of one cell."""
    text = line.strip()
    if "|" in text:
        parts = text.split("|")
        if text.startswith("|"):
            parts = parts[1:]
        if text.endswith("|"):
            parts = parts[:-1]
        return [clean(p) for p in parts]
    if "\t" in line:
        cells = [clean(p) for p in line.rstrip().split("\t")]
        return cells if sum(bool(c) for c in cells) >= 2 else None
    parts = re.split(r"\s{2,}|\u3000+", text)
    return [clean(p) for p in parts] if len(parts) >= 2 else None


def _header_like(text: str) -> bool:
    """A header cell of a table written one cell a line (单位, 目标分数, 序号, 1-5月)."""
    key = _key(text)
    if not key or len(key) > 12 or parse_number(text) is not None:
        return False
    if key in SERIAL_HEADERS or any(key == w or key.endswith(w) for w in UNIT_KEYWORDS + ("单位名称",)):
        return True
    if _unit_ending(text):
        return False
    return any(w in key for w in VALUE_HEADER_WORDS) or window_of(text) is not None


def _one_cell_run(lines: list[str], start: int) -> tuple[list[list[str]], int | None, int] | None:
    """A table written one cell a line from `start`: (grid, header rows, end),
    either under header cells (单位 / 目标分数 / 单位 / 目标分数 then four
    cells a row) or, without a header, unit and number lines taking turns."""
    items: list[str] = []
    j = start
    while j < len(lines):
        text = lines[j].strip()
        if not text:
            j += 1
            continue
        if _cells(lines[j]) is not None or _HEADING.match(text) or len(text) > 40 or "。" in text:
            break
        items.append(clean(text))
        j += 1
    h = 0
    while h < len(items) and _header_like(items[h]):
        h += 1
    if h >= 2 and any(any(w in _key(t) for w in UNIT_KEYWORDS) for t in items[:h]):
        data = items[h:]
        for x in range(len(data) - 1):  # a second header starts another table
            if _header_like(data[x]) and _header_like(data[x + 1]):
                data = data[:x]
                break
        if not data:
            return None
        end = _line_after(lines, start, h + len(data))
        return [items[:h]] + [data[x:x + h] for x in range(0, len(data), h)], 1, end
    kinds = ["n" if parse_number(t) is not None else "t" if _named_unit(t) else "?" for t in items]
    for pattern in ("tn", "ntn"):
        k, count = len(pattern), 0
        while "".join(kinds[count * k:(count + 1) * k]) == pattern:
            count += 1
        if count >= 2:
            return [items[x * k:(x + 1) * k] for x in range(count)], 0, _line_after(lines, start, count * k)
    return None


def _may_start_one_cell_run(lines: list[str], start: int) -> bool:
    """Whether a table written one cell a line can start here: at a header
    cell, or at a unit and a number (either way round) on the next two lines."""
    first = lines[start].strip()
    if _header_like(first):
        return True
    following = next((line.strip() for line in lines[start + 1:start + 4] if line.strip()), "")
    kinds = {parse_number(t) is not None for t in (first, following)}
    return kinds == {True, False} and len(first) <= 40 and len(following) <= 40


def _line_after(lines: list[str], start: int, cells: int) -> int:
    """The index of the line after the `cells`-th non-blank line from `start`."""
    j, seen = start, 0
    while j < len(lines) and seen < cells:
        if lines[j].strip():
            seen += 1
        j += 1
    return j


def _pairs(line: str) -> list[tuple[str, int]] | None:
    """The unit/number pairs a line consists of ("市财政局：12条", "锦江区 120
    青羊区 120", "锦江区120青羊区120", "… 市劳动" with a last unit whose number
    is missing), or None when the line is anything else."""
    text = _SERIAL_PREFIX.sub("", line.translate(_FULL_WIDTH).strip(), count=1)
    pairs, pos, glued = [], 0, False
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if not m or m.end() == pos:
            break
        pairs.append((clean(m.group("unit")), int(m.group("n"))))
        glued = glued or not m.group("gap")
        pos = m.end()
    rest = clean(text[pos:])
    if not pairs or (rest and not (_named_unit(rest) and not re.search(r"\d", rest))):
        return None
    units = [u for u, _ in pairs]
    if all(_is_total(u) for u in units):
        return []
    if not all(_named_unit(u) or _is_total(u) for u in units):
        return None
    if len(pairs) == 1 and glued and not rest and not _unit_ending(units[0]):
        return None  # "…不少于12条" is a sentence; "新津县80" a pair
    return [(u, n) for u, n in pairs if not _is_total(u) and n <= MAX_NUMBER]


def _split_list(text: str) -> list[str]:
    """Items of a list written with 、，； (not inside brackets) or wide spaces."""
    items, depth, current = [], 0, ""
    for ch in text:
        if ch in "（(【[":
            depth += 1
        elif ch in "）)】]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，,；;":
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [p for item in items for p in re.split(r"\s{2,}|\u3000+", item.strip())]


def _unit_list(text: str, last: bool = False) -> list[str] | None:
    """The units a line lists ("公安局、财政局、商务局(招商服务局)。"), or None
    when it is not such a line. A last item cut short (a page's excerpt ends in
    the middle of a name) is left out when `last`."""
    body = re.sub(r"^(?:包括|即|为|有)[：:]?", "", text.strip().rstrip("。.;；,，、"))
    items = [re.sub(r"(?:等\d*个?(?:单位|部门)|等)$", "", clean(item)) for item in _split_list(body)]
    items = [item for item in items if item]
    names = []
    for i, item in enumerate(items):
        if _named_unit(item) and not _HEADING.match(item):
            names.append(item)
        elif last and i == len(items) - 1 and len(_key(item)) < 2 and names:
            continue
        else:
            return None
    return names or None


def _target_heading(text: str) -> tuple[int, str, Span | None, int | None] | None:
    """(target, measure, window, announced number of units) of a heading that
    sets the target of the units it lists or is followed by:
    "(一)全年任务为50分以上的单位(20个)", "每月不少于5条"."""
    stripped = _SERIAL_PREFIX.sub("", text.strip(), count=1)
    declared = _DECLARED.search(_key(stripped))
    key = _DECLARED.sub("", _key(stripped))
    m = _TARGET.search(key)
    if not m or len(key) > 50 or "。" in key or not any(w in key for w in _TARGET_WORDS):
        return None
    number = _cn_int(m.group("n"))
    if number is None:
        return None
    window = window_of(key[:m.end()]) or window_of(key)
    return number, ("分" if m.group("m") == "分" else "条"), window, int(declared.group(1)) if declared else None


def _group_rows(heading: str, target, units: list[str]) -> QuotaTable:
    number, measure, window, declared = target
    column = window.label if window else DEFAULT_COLUMN
    part = QuotaTable(columns=[column], measures={column: measure}, windows={column: window} if window else {},
                      rows=[QuotaRow(unit=u, number=number, numbers={column: number}, group=heading) for u in units])
    if declared is not None and declared != len(units):
        part.warnings.append(f"“{heading}”写明{declared}个单位，读到{len(units)}个，请核对。")
    return part


def _from_text(text: str) -> QuotaTable | None:
    lines = [_GLOSS.sub("", line.replace("\xa0", " ")).rstrip() for line in text.splitlines()]
    collected = _Collected()
    group, group_measure, group_window = "", None, None
    first_row_at = None
    no_run_before = 0
    i = 0

    def add(part: QuotaTable, at: int) -> None:
        nonlocal first_row_at
        if part.rows:
            collected.add(part, group)
            first_row_at = at if first_row_at is None else first_row_at

    def add_pairs(pairs, at: int) -> None:
        column = group_window.label if group_window else DEFAULT_COLUMN
        add(QuotaTable(columns=[column], rows=[QuotaRow(unit=u, number=n, numbers={column: n}) for u, n in pairs],
                       windows={column: group_window} if group_window else {},
                       measures={column: group_measure or "条"}), at)

    while i < len(lines):
        line = lines[i]
        text_ = line.strip()
        if not text_:
            i += 1
            continue
        cells = _cells(line)
        if cells is not None and i >= no_run_before:
            # Rows of cells (with their header lines above), up to the first line of another kind.
            j, grid = i, []
            while j < len(lines) and (not lines[j].strip() or _cells(lines[j]) is not None):
                row = _cells(lines[j]) if lines[j].strip() else None
                if row and any(row):
                    grid.append(row)
                j += 1
            found = _from_grid(grid)
            if found:
                add(found, i)
                i = j
                continue
            no_run_before = j
        pairs = _pairs(line) if cells is None else None
        if cells is None and pairs is None and _may_start_one_cell_run(lines, i):
            run = _one_cell_run(lines, i)
            if run:
                grid, header_rows, end = run
                found = _from_grid(grid, header_rows)
                if found:
                    add(found, i)
                    i = end
                    continue
        pairs = _pairs(line) if cells is not None else pairs
        if pairs is not None:
            if pairs:
                add_pairs(pairs, i)
            i += 1
            continue
        # A group heading over a list of units, or both on one line ("每月不少于5条：A、B").
        head, colon, tail = text_.partition("：") if "：" in text_ else text_.partition(":")
        if colon and tail.strip():
            target, units = _target_heading(head), _unit_list(tail, last=True)
            if target and units:
                add(_group_rows(clean(head), target, units), i)
                i += 1
                continue
            target, units = _target_heading(tail.rstrip("。.；;")), _unit_list(_SERIAL_PREFIX.sub("", head, count=1))
            if target and units:
                add(_group_rows(clean(tail), target, units), i)
                i += 1
                continue
        target = _target_heading(text_)
        if target and re.search(r"(?:单位|部门)[：:]?$|[：:]$", _DECLARED.sub("", _key(text_))):
            units, j = [], i + 1
            while j < len(lines):
                following = lines[j].strip()
                if not following:
                    j += 1
                    continue
                listed = None if _HEADING.match(following) or _target_heading(following) else \
                    _unit_list(following, last=not any(x.strip() for x in lines[j + 1:]))
                if not listed or (len(listed) == 1 and not _unit_ending(listed[0])):
                    break  # one name a line: only what ends as a unit's name does ("请认真落实。" does not)
                units.extend(listed)
                j += 1
                if following.endswith(("。", ".")):
                    break
            if units:
                group = clean(text_)
                add(_group_rows(group, target, units), i)
                i = j
                continue
        if _HEADING.match(text_) and len(text_) <= 50:
            group = clean(text_)
            group_measure = "分" if _measure(text_) == "分" else None
            group_window = window_of(_SERIAL_PREFIX.sub("", _HEADING.sub("", text_, count=1), count=1))
        i += 1
    if first_row_at is None:
        return None
    table = collected.result()
    if len(table.rows) < 2:
        return None
    title = ""
    before = [clean(line) for line in lines[:first_row_at] if clean(line)]
    candidates = [t for t in before if len(t) <= 60 and not _HEADING.match(t) and _cells(t) is None]
    for text_ in reversed(candidates[-5:]):
        if any(w in _key(text_) for w in _TITLE_WORDS):
            title = text_
            break
    table.title = title
    table.carry = carry_of(text)
    return table


# ---------------------------------------------------------------- entry point


def looks_like_html(content: str) -> bool:
    return bool(re.search(r"<(table|html|body|p|div|tr|td)\b", content[:20000], re.I))


def extract_quotas(content: str) -> QuotaTable | None:
    """The page's quota table, or None when it has none."""
    content = content or ""
    if looks_like_html(content):
        found = _from_html(content)
        if found:
            return found
        from gongkai.ingest.extract import html_to_text

        text, hints = html_to_text(content)
        found = _from_text(text)
        if found and not found.title:
            found.title = hints.title_tag or ""
        return found
    return _from_text(content)
